"""Unit screens: scoped list and search, Excel export, administrators' create and edit forms."""

import io

import openpyxl
import pytest
from django.urls import reverse

from areas.choices import AreaType, UnitKind, UnitLevel
from areas.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def test_list_is_scoped_and_search_ignores_diacritics(client_for, users, tree):
    client = client_for(users.district_staff)
    names = {unit.name for unit in client.get(reverse("areas:list")).context["page_obj"]}
    assert names == {"Huyện Krông Pa", "Xã Ia RSai", "Buôn Chư Tê", "Thị trấn Phú Túc"}
    found = client.get(reverse("areas:list"), {"q": "phu tuc"}).context["page_obj"]
    assert [unit.name for unit in found] == ["Thị trấn Phú Túc"]


def test_excel_export_holds_the_filtered_scoped_list(client_for, users, tree):
    response = client_for(users.commune_officer).get(reverse("areas:export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã đơn vị", "Tên đơn vị", "Cấp")
    assert {row[1] for row in rows[1:]} == {"Xã Ia RSai", "Buôn Chư Tê"}


def test_admin_adds_a_village_under_a_commune(client_for, users, tree):
    client = client_for(users.admin)
    form = client.get(reverse("areas:create"), {"parent": tree.commune.pk})
    assert form.context["form"].initial["level"] == UnitLevel.VILLAGE
    response = client.post(
        reverse("areas:create") + f"?parent={tree.commune.pk}",
        {
            "parent": tree.commune.pk,
            "level": "village",
            "kind": "buon",
            "code": "24079-09",
            "name": "Buôn Ma Rai",
            "area_type": "",
            "valid_from": "01/01/2026",
            "valid_to": "",
        },
    )
    village = AdministrativeUnit.objects.get(code="24079-09")
    assert response["Location"] == reverse("areas:detail", args=[village.pk])
    assert village.parent == tree.commune and village.area_type == AreaType.RURAL
    assert village.valid_from.isoformat() == "2026-01-01"


def test_bad_unit_form_explains_and_keeps_input(client_for, users, tree):
    response = client_for(users.admin).post(
        reverse("areas:create"),
        {
            "parent": tree.district.pk,
            "level": "village",
            "kind": "ward",
            "code": "X1",
            "name": "Buôn Mới Lập",
            "valid_from": "32/13/2026",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Buôn Mới Lập" in body
    assert "Chưa lưu được" in body
    assert not AdministrativeUnit.objects.filter(code="X1").exists()


def test_admin_corrects_the_area_type(client_for, users, tree):
    commune = tree.commune
    data = {
        "parent": commune.parent_id,
        "level": commune.level,
        "kind": UnitKind.COMMUNE,
        "code": commune.code,
        "name": commune.name,
        "area_type": AreaType.URBAN,
        "valid_from": "",
        "valid_to": "",
    }
    client_for(users.admin).post(reverse("areas:update", args=[commune.pk]), data)
    commune.refresh_from_db()
    assert commune.area_type == AreaType.URBAN


def test_list_query_count_does_not_grow(client_for, users, tree, django_assert_max_num_queries):
    client = client_for(users.province_staff)
    client.get(reverse("areas:list"))
    with django_assert_max_num_queries(8):
        client.get(reverse("areas:list"))


def test_security_headers(client_for, users):
    response = client_for(users.commune_officer).get(reverse("dashboards:index"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
