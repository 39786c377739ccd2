"""The standards page gives each value's legal status; provisional values are data an administrator corrects."""

import pytest
from django.urls import reverse

from households.models import PovertyStandard

pytestmark = pytest.mark.django_db


def test_each_value_shows_its_tag_and_citation_and_no_blanket_warning(client_for, users):
    page = client_for(users.commune_officer).get(reverse("households:standards")).content.decode()
    assert "nguồn thứ cấp" not in page and "cần đối chiếu phụ lục của văn bản" not in page
    assert "Nghị định 07/2021/NĐ-CP, Điều 3 khoản 1" in page  # [V] with its article
    assert "Nghị định 07/2021/NĐ-CP, Phụ lục, chỉ số 4" in page  # [P] with the text to check
    assert 'title="[P] đối chiếu một phần"' in page and 'title="[V] đã đối chiếu văn bản"' in page
    assert "quản trị hệ thống sửa giá trị trong trang quản trị" in page
    assert "Sửa trong trang quản trị" not in page  # the link is for the administrator only


def test_an_administrator_corrects_a_provisional_value_and_the_page_shows_it_verified(client_for, users):
    row = PovertyStandard.objects.get(code="ND07_2021")
    client = client_for(users.admin)
    page = client.get(reverse("households:standards")).content.decode()
    assert reverse("admin:households_povertystandard_change", args=[row.pk]) in page
    form = client.get(reverse("admin:households_povertystandard_change", args=[row.pk])).content.decode()
    assert "đổi “tag” thành “V”" in form
    definition = row.definition
    indicator = next(i for i in definition["indicators"] if i["code"] == "health_insurance")
    indicator.update(tag="V", source="Nghị định 07/2021/NĐ-CP, Phụ lục, chỉ số 4 (đã đối chiếu bản gốc)")
    row.definition = definition
    row.full_clean()
    row.save()
    page = client.get(reverse("households:standards")).content.decode()
    assert "chỉ số 4 (đã đối chiếu bản gốc)" in page
    assert row.to_criteria().indicator("health_insurance").provisional is False


def test_a_definition_with_a_wrong_tag_is_refused_in_vietnamese(users):
    row = PovertyStandard.objects.get(code="ND07_2021")
    row.definition["statuses"]["poverty_line"] = {"tag": "X", "source": "?"}
    with pytest.raises(Exception, match="chỉ nhận V, P, U"):
        row.full_clean()
