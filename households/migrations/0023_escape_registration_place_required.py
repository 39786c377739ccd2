"""The escape registrations' copies of their household's village and code (migration 0021) may not be empty: the
database refuses a registration written without them (its triggers switched off by hand, a partial restore) instead of
keeping a row that the escape registrations' list, walked village by village along these columns, would never show.

The model keeps ``null=True``: Django writes NULL into them and the ``BEFORE`` trigger replaces it with the household's
village and code before the column's NOT NULL is checked (docs/adr/0043, amendment of 04/12/2026, late night)."""

from django.db import migrations

REQUIRED = """
ALTER TABLE households_escaperegistration
    ALTER COLUMN household_village_id SET NOT NULL,
    ALTER COLUMN household_code SET NOT NULL;
"""
OPTIONAL = """
ALTER TABLE households_escaperegistration
    ALTER COLUMN household_village_id DROP NOT NULL,
    ALTER COLUMN household_code DROP NOT NULL;
"""


class Migration(migrations.Migration):
    dependencies = [("households", "0022_escape_registration_order_index")]

    operations = [migrations.RunSQL(REQUIRED, OPTIONAL)]
