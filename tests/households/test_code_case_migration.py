"""The migration that makes the household code case-insensitive first checks the data it will constrain."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from households.models import Household

migration = importlib.import_module("households.migrations.0006_household_code_case_insensitive")

pytestmark = pytest.mark.django_db


def test_codes_differing_only_in_case_stop_the_migration_and_are_named(make_household, tree):
    make_household("IRS-001")
    constraint = next(c for c in Household._meta.constraints if c.name == "households_code_unique_in_commune_ci")
    with connection.schema_editor() as editor:  # the data as it was before the migration (rolled back after the test)
        editor.remove_constraint(Household, constraint)
    twin = Household.objects.get(code="IRS-001")
    twin.pk, twin.code = None, "irs-001"
    twin.save()
    with pytest.raises(RuntimeError) as stopped:
        migration.refuse_case_duplicates(apps, None)
    assert "IRS-001 (id" in str(stopped.value) and "irs-001 (id" in str(stopped.value)


def test_distinct_codes_pass_the_check(make_household, tree):
    make_household("IRS-001")
    make_household("IRS-002")
    migration.refuse_case_duplicates(apps, None)  # no error
