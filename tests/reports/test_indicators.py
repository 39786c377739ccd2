"""Typed indicators (reports.indicators and the entry screen): every active definition on one form, Vietnamese
errors that keep what was typed, values saved with who entered them, the user's own unit only."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.indicators import Entry, indicator_values_save
from reports.models import IndicatorDefinition, IndicatorValue
from reports.services import periods_for

pytestmark = pytest.mark.django_db

YEAR = 2026


def url(**query):
    base = reverse("reports:indicators")
    query = {"loai": "six_month", "nam": YEAR, **query}
    return base + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_form_lists_every_active_definition_by_section(client_for, users):
    IndicatorDefinition.objects.filter(code="leaflets").update(is_active=False)
    response = client_for(users.district_staff).get(url())
    assert response.status_code == 200
    page = response.content.decode()
    for definition in IndicatorDefinition.objects.filter(is_active=True):
        assert definition.label in page
    assert "Tờ rơi tuyên truyền đã cấp phát" not in page
    assert "Công tác tuyên truyền" in page and "Đào tạo nghề, giải quyết việc làm" in page


def test_saved_with_source_and_who_entered(client_for, users, tree):
    client = client_for(users.district_staff)
    response = client.post(
        url(),
        {"v_training_registered": "1.085", "s_training_registered": "Phòng Lao động", "n_training_registered": ""},
    )
    assert response.status_code == 302
    start, end = periods_for("six_month", YEAR)
    value = IndicatorValue.objects.get(definition__code="training_registered")
    assert (value.unit, value.period_start, value.period_end) == (tree.district, start, end)
    assert value.value == 1085 and value.source == "Phòng Lao động" and value.entered_by == users.district_staff
    page = client.get(url()).content.decode()
    assert 'value="1.085"' in page and "Nhập bởi" in page


@pytest.mark.parametrize(
    ("typed", "source", "message"),
    [
        ("1.085", "", "Hãy ghi nguồn số liệu"),
        ("nhiều", "Phòng Lao động", "Hãy nhập một số, ví dụ 1.234 hoặc 12,5."),
        ("12,5", "Phòng Lao động", "Số chữ số sau dấu phẩy nhiều hơn chỉ tiêu cho phép."),
        ("-3", "Phòng Lao động", "Số liệu không được âm."),
    ],
)
def test_vietnamese_errors_keep_what_was_typed(client_for, users, typed, source, message):
    response = client_for(users.district_staff).post(
        url(), {"v_jobs_created": typed, "s_jobs_created": source, "v_articles": "50", "s_articles": "Đài huyện"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and f'value="{typed}"' in page and 'value="Đài huyện"' in page
    assert not IndicatorValue.objects.exists()  # all or nothing


def test_a_unit_outside_the_users_own_is_refused(client_for, users, tree):
    commune = client_for(users.commune_officer)
    assert commune.get(url(don_vi=tree.district.pk)).status_code == 404  # not even visible
    district = client_for(users.district_staff)
    assert district.get(url(don_vi=tree.commune.pk)).status_code == 403  # visible, but not theirs to type
    response = client_for(users.commune_officer).post(url(), {"v_articles": "5", "s_articles": "Đài xã"})
    assert response.status_code == 302
    assert IndicatorValue.objects.get().unit == tree.commune  # an officer always types for their own unit


def test_administrator_chooses_the_unit(client_for, users, tree):
    client = client_for(users.admin)
    assert "pick-unit" in client.get(url()).content.decode()
    response = client.post(url(don_vi=tree.district.pk), {"v_articles": "7", "s_articles": "Đài huyện"})
    assert response.status_code == 302 and IndicatorValue.objects.get().unit == tree.district


def test_unchanged_value_keeps_who_entered_it_and_an_emptied_one_is_removed(users, tree):
    start, end = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 6, 30)
    articles = IndicatorDefinition.objects.get(code="articles")
    news = IndicatorDefinition.objects.get(code="news_items")
    other = type(users.district_staff).objects.create(
        username="huyen.khac", role=users.district_staff.role, unit=tree.district
    )
    common = {"unit": tree.district, "period_start": start, "period_end": end}
    indicator_values_save(
        **common,
        entries=[Entry(articles, Decimal(50), "Đài huyện"), Entry(news, Decimal(100), "Đài huyện")],
        user=users.district_staff,
    )
    changed = indicator_values_save(
        **common, entries=[Entry(articles, Decimal(50), "Đài huyện"), Entry(news, None)], user=other
    )
    assert changed == 1
    assert IndicatorValue.objects.get().entered_by == users.district_staff
    with pytest.raises(Exception, match="chỉ nhập được số liệu của đơn vị mình"):
        indicator_values_save(
            unit=tree.commune, period_start=start, period_end=end, entries=[], user=users.district_staff
        )
