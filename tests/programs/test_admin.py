"""The benefits in the Django admin at a province's scale (two million rows): the latest recorded first along the
primary key, filtered only where an index serves, and a page reads the same statements whatever the number of
benefits (docs/performance.md, "The Django admin at a million households")."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.pagination import CappedCountPaginator
from programs.admin import BenefitAdmin
from programs.models import Benefit

from .conftest import programme

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:programs_benefit_changelist"


def record(household, code="VBSP_POOR", user=None) -> Benefit:
    return Benefit.objects.create(
        programme=programme(code),
        household=household,
        date=timezone.localdate(),
        amount=100_000,
        household_status="poor",
        created_by=user,
    )


def statements(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(CHANGELIST), params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("approximate", [False, True], ids=["counted", "estimated"])
def test_a_page_of_benefits_reads_the_same_statements_whatever_their_number(
    client_for, users, make_household, monkeypatch, approximate
):
    monkeypatch.setattr(BenefitAdmin, "list_per_page", 2)
    if approximate:
        monkeypatch.setattr(CappedCountPaginator, "exact_up_to", 2)
    households = [make_household(code=f"IRS-{index:03d}") for index in range(2)]
    client = client_for(users.admin)

    rice = {"programme__id__exact": programme("RICE_TET").pk}

    def counts():
        return statements(client), statements(client, {"p": 2}), statements(client, rice)

    def record_more():  # past the cap in both cases when it is 2: each list is estimated, then as many statements
        for household in households:
            for _twice in range(2):
                record(household), record(household, code="RICE_TET")

    record_more()
    before = counts()
    record_more()
    assert counts() == before
    response = client.get(reverse(CHANGELIST), {"p": 2})
    assert response.context["cl"].paginator.approximate is approximate


def test_the_latest_recorded_come_first_and_no_column_sorts(client_for, users, make_household):
    household = make_household()
    made = [record(household, code=code) for code in ("VBSP_POOR", "RICE_TET", "VBSP_POOR")]
    client = client_for(users.admin)
    newest_first = [benefit.pk for benefit in reversed(made)]
    for params in ({}, {"o": "4"}, {"o": "-1.2"}):
        response = client.get(reverse(CHANGELIST), params)
        assert [benefit.pk for benefit in response.context["cl"].result_list] == newest_first, params
    assert 'class="sortable' not in response.content.decode()
    assert [spec.title for spec in response.context["cl"].filter_specs] == ["chương trình"]
