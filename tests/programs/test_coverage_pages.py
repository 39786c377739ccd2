"""Coverage lists at province scale: a screen page builds only its own rows, and a count past the limit is an
estimate shown as approximate; the Excel export still has every row."""

import pytest
from django.urls import reverse

from core.pagination import CappedCountPaginator
from households.models import Member
from programs import views_bulk

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
    monkeypatch.setattr(CappedCountPaginator, "exact_up_to", 3)
    client = client_for(users.province_staff)
    response = client.get(reverse("programs:coverage_uninsured"))
    assert response.status_code == 200
    assert len(built) == 2 and len(response.context["rows"]) == 2
    assert response.context["approximate"] and response.context["total"] >= 4
    assert "khoảng" in response.content.decode()
    monkeypatch.setattr(CappedCountPaginator, "exact_up_to", 10_000)
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
