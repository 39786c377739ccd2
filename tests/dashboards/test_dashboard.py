"""Each role lands on a dashboard of its unit and the units below it, with counts and its own menu."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import UserFactory, VillageFactory

pytestmark = pytest.mark.django_db


def test_commune_officer_sees_the_villages_of_the_commune(client_for, users, tree):
    VillageFactory(parent=tree.commune, name="Buôn Ma Rai")
    page = client_for(users.commune_officer).get(reverse("dashboards:index")).content.decode()
    assert "Xã Ia RSai" in page and "Buôn Chư Tê" in page and "Buôn Ma Rai" in page
    assert "Thị trấn Phú Túc" not in page
    assert "Người dùng" not in page and "Trạng thái hệ thống" not in page  # admin menu hidden


def test_district_staff_sees_communes_with_counts(client_for, users, tree):
    UserFactory(unit=tree.sibling_commune)
    response = client_for(users.district_staff).get(reverse("dashboards:index"))
    children = {child.name: child.counts for child in response.context["children"]}
    assert children == {
        "Thị trấn Phú Túc": {"communes": 0, "villages": 0, "officers": 1, "households": 0, "poor": 0, "near_poor": 0},
        "Xã Ia RSai": {"communes": 0, "villages": 1, "officers": 1, "households": 0, "poor": 0, "near_poor": 0},
    }
    assert response.context["totals"]["communes"] == 2
    assert "Xã Ia Mrơn" not in response.content.decode()


def test_province_staff_sees_districts(client_for, users, tree):
    response = client_for(users.province_staff).get(reverse("dashboards:index"))
    names = [child.name for child in response.context["children"]]
    assert names == ["Huyện Ia Pa", "Huyện Krông Pa"]
    assert response.context["totals"]["communes"] == 3
    assert "Tỉnh Kon Tum" not in response.content.decode()


def test_admin_sees_every_province_and_the_admin_menu(client_for, users):
    page = client_for(users.admin).get(reverse("dashboards:index")).content.decode()
    assert "Tỉnh Gia Lai" in page and "Tỉnh Kon Tum" in page
    assert "Người dùng" in page and "Trạng thái hệ thống" in page


def test_dashboard_query_count_does_not_grow_with_units(client_for, users, tree):
    client = client_for(users.district_staff)
    client.get(reverse("dashboards:index"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboards:index")).status_code == 200
        return len(queries)

    before = count()
    for _ in range(15):
        VillageFactory(parent=tree.sibling_commune)
        UserFactory(unit=tree.sibling_commune)
    # 14 + targets widget (households.targets: 5, targets below: 1) + review deadlines (2) + periodic reports: the
    # calendar and the new drafts (2), and for the one report due within 45 days its reporting unit and report (2)
    assert count() == before <= 26


def test_english_through_the_language_switch(client_for, users):
    client = client_for(users.district_staff)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("dashboards:index")})
    assert response.status_code == 302
    page = client.get(reverse("dashboards:index")).content.decode()
    assert '<html lang="en">' in page and "Dashboard" in page and "Sign out" in page


def test_browser_language_does_not_override_vietnamese(client_for, users):
    page = client_for(users.commune_officer).get(reverse("dashboards:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in page.content.decode()
