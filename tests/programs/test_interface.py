"""What the programme screens tell an officer: a refusal once, and what the [V]/[P]/[U] tags beside a norm mean."""

import re
from datetime import date

from django.urls import reverse

from .conftest import programme
from .test_views import form_data


def test_the_eligibility_refusal_is_shown_once(client_for, users, make_household):
    household = make_household(status=("near_poor", date(2025, 1, 1), None))
    url = reverse("programs:benefit_create", args=[household.pk])
    page = client_for(users.commune_officer).get(url + f"?ct={programme('VBSP_POOR').pk}")
    assert page.content.decode().count("chỉ dành cho: hộ nghèo") == 1  # the preview of today, before saving

    response = client_for(users.commune_officer).post(url, form_data())
    html = response.content.decode()
    assert response.status_code == 200 and "Không đúng đối tượng" in html
    assert html.count("chỉ dành cho: hộ nghèo") == 1, "the refusal is repeated"
    assert 'value="Tổ 1"' in html  # what was typed is kept


def test_verification_tags_are_explained_where_they_appear(client_for, users, make_household):
    credit = programme("VBSP_POOR")
    household = make_household()
    pages = [
        reverse("programs:programme", args=[credit.pk]),
        reverse("programs:benefit_create", args=[household.pk]) + f"?ct={credit.pk}",
    ]
    for url in pages:
        html = client_for(users.commune_officer).get(url).content.decode()
        tags = set(re.findall(r'class="badge verification-tag verification-([vpu])"', html))
        assert tags, url
        legend = re.search(r'data-testid="verification-legend">(.*?)</p>', html, re.S).group(1)
        for text in ("[V] đã đối chiếu văn bản", "[P] đối chiếu một phần", "[U] chưa đối chiếu văn bản"):
            assert text in legend
        assert 'title="[P] đối chiếu một phần"' in html or 'title="[V] đã đối chiếu văn bản"' in html


def test_the_village_filter_says_all_villages_not_dashes(client_for, users, make_household):
    make_household()
    html = client_for(users.commune_officer).get(reverse("programs:programme", args=[programme("VBSP_POOR").pk]))
    text = html.content.decode()
    assert "— Tất cả thôn, buôn —" in text and "---------" not in text
