"""The escape registrations' index in their list's order (year, village, code, id of the registered ones), built
concurrently so that registering and moving households go on meanwhile; on the copies migration 0021 added
(docs/adr/0043, amendment of 04/12/2026, late night)."""

from django.db import migrations

from core.concurrent_index import create_index_concurrently

INDEX = (
    "households_escape_registration_village_order_idx",
    "ON households_escaperegistration (year, household_village_id, household_code, id) WHERE state = 'registered'",
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("households", "0021_escape_registration_place")]

    operations = [*create_index_concurrently(*INDEX)]
