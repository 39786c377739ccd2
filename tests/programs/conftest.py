"""Programme fixtures: the catalogue (re-loaded after a transactional flush), households with a status history."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from households import services as household_services
from households.models import Household, StatusRecord
from programs import bulk
from programs.catalogue import catalogue_load
from programs.models import Benefit, Programme
from tests.households.conftest import POOR_FACTS, family, member  # noqa: F401 - re-exported for the tests


@pytest.fixture(autouse=True)
def catalogue(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is not None or {"db", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("reference_data")
        catalogue_load()


def programme(code: str) -> Programme:
    return Programme.objects.get(code=code)


def pay(household, electricity: Programme, year: int, quarter: int, user) -> Benefit:
    """The quarter's electricity support paid to the household today, as the payment button records it."""
    return Benefit.objects.create(
        programme=electricity,
        household=household,
        date=timezone.localdate(),
        period_year=year,
        period_quarter=quarter,
        amount=bulk.electricity_amount(electricity),
        household_status="poor",
        created_by=user,
    )


def set_status(household: Household, *periods) -> Household:
    """Replace the household's status history: (class, from, to) tuples."""
    StatusRecord.objects.filter(household=household).delete()
    for household_class, valid_from, valid_to in periods:
        StatusRecord.objects.create(
            household=household,
            household_class=household_class,
            valid_from=valid_from,
            valid_to=valid_to,
            decision=f"QĐ {valid_from:%d/%m/%Y}",
        )
    return household


@pytest.fixture
def make_household(tree, users):
    def make(code="IRS-001", village=None, status=("poor", date(2025, 1, 1), None), members=None, **facts):
        household = Household(code=code, village=village or tree.village, **{**POOR_FACTS, **facts})
        household = household_services.household_save(
            household=household, members=members or family(), user=users.commune_officer, expected_version=None
        )
        if status:
            set_status(household, status)
        return household

    return make


@pytest.fixture
def authorised(users):
    """The commune officer, granted the override permission (e.g. the commune chairman's delegate)."""
    officer = users.commune_officer
    officer.user_permissions.add(Permission.objects.get(codename="override_eligibility"))
    return type(officer).objects.get(pk=officer.pk)
