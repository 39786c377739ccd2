"""Coverage lists at province scale: a screen page builds only its own rows, and a count past the limit is an
estimate shown as approximate; the Excel export still has every row."""

from datetime import date

import pytest
from django.urls import reverse

from core.pagination import CappedCountPaginator
from households.models import Member
from programs import services, views_bulk
from programs.listing import VillageOrderPaginator

from .test_services import loan

pytestmark = pytest.mark.django_db


def uninsured(make_household, count):
    for index in range(1, count + 1):
        household = make_household(code=f"IRS-{index:03d}")
        Member.objects.filter(household=household).update(
            health_insurance_valid_from=None, health_insurance_valid_to=None
        )


def test_a_page_builds_only_its_rows_and_a_count_past_the_limit_is_approximate(
    client_for, users, make_household, monkeypatch
):
    uninsured(make_household, 3)  # 3 households × 4 members, all 6+ but the youngest child depending on the year
    built = []
    cells = views_bulk.UninsuredView.cells
    monkeypatch.setattr(views_bulk.UninsuredView, "cells", lambda self, m: built.append(m.pk) or cells(self, m))
    monkeypatch.setattr(views_bulk, "PAGE_SIZE", 2)
    monkeypatch.setattr(VillageOrderPaginator, "exact_up_to", 3)  # the list is read village by village
    client = client_for(users.province_staff)
    response = client.get(reverse("programs:coverage_uninsured"))
    assert response.status_code == 200
    assert len(built) == 2 and len(response.context["rows"]) == 2
    assert response.context["approximate"] and response.context["total"] >= 4
    assert "khoảng" in response.content.decode()
    monkeypatch.setattr(VillageOrderPaginator, "exact_up_to", 10_000)
    exact = client.get(reverse("programs:coverage_uninsured"))
    assert not exact.context["approximate"]
    assert "khoảng" not in exact.content.decode()
    everyone = list(views_bulk.UninsuredView(request=exact.wsgi_request).records(2026, exact.context["day"]))
    assert exact.context["total"] == len(everyone)


def test_a_page_past_the_end_shows_the_last_page(client_for, users, make_household, monkeypatch):
    uninsured(make_household, 2)
    monkeypatch.setattr(views_bulk, "PAGE_SIZE", 2)
    response = client_for(users.province_staff).get(reverse("programs:coverage_uninsured"), {"page": 999})
    assert response.status_code == 200 and response.context["page_obj"].has_previous()


def test_the_bhyt_list_reads_the_groups_of_its_page_only_and_caps_its_count(
    client_for, users, make_household, monkeypatch
):
    uninsured(make_household, 2)
    monkeypatch.setattr(views_bulk, "PAGE_SIZE", 3)
    client = client_for(users.province_staff)
    full = client.get(reverse("programs:bhyt_list"))
    assert full.status_code == 200 and len(full.context["rows"]) == 3
    assert full.context["total"] == full.context["page_obj"].paginator.count > 3
    assert all(row["group"] for row in full.context["rows"])  # the page's groups were read
    monkeypatch.setattr(VillageOrderPaginator, "exact_up_to", 2)
    capped = client.get(reverse("programs:bhyt_list"))
    assert capped.context["approximate"] and "khoảng" in capped.content.decode()


def test_a_programmes_records_past_the_limit_are_counted_approximately(client_for, users, make_household, monkeypatch):
    household = make_household(code="IRS-001")
    for month in (1, 2, 3):
        record = services.benefit_record(benefit=loan(household, day=date(2026, month, 1)), user=users.commune_officer)
    monkeypatch.setattr(CappedCountPaginator, "exact_up_to", 2)
    response = client_for(users.province_staff).get(reverse("programs:programme", args=[record.programme_id]))
    assert response.status_code == 200
    assert response.context["paginator"].approximate and "khoảng" in response.content.decode()
    assert len(response.context["page_obj"]) == 3
