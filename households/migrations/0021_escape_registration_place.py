"""The escape registrations carry their household's village and code, kept by triggers, with an index in the
escape registrations' list order (docs/adr/0043, amendment of 04/12/2026, late night).

The province officer's list "Hộ đăng ký thoát nghèo và hỗ trợ đã nhận" is ordered by commune name, village name,
household code. Its rows are the registrations of a year, and the registered households are not all active, so no
index of the households gave that order: every page sorted all of the year's registrations of the province. With the
village and the code on the registration, the list is walked village by village (programs.listing) along
``households_escape_registration_village_order_idx`` (year, village, code, id of the registered ones), the villages
before a page's first row skipped by their counts read from the same index.

The copies are kept exact by the database, whoever writes (the services, the Excel import's COPY, the demo
generators, the opening balance, the admin):

- before a registration is inserted, or its household or copies are updated, its copies are read from the household,
  whose row is locked ``FOR SHARE`` first: a transaction changing that household's village or code, not committed
  yet, is waited for, so the copy is never the former value of a change that then commits;
- after a household's village or code changes, its registrations (every year and state) are updated; the trigger's
  ``WHEN`` makes it cost nothing for the other updates of the households (the import's, the generator's).

The copies are filled once here, after the triggers exist, then the index is built concurrently (``atomic = False``).
The backfill's update marks the communes of the registered households stale for the dashboard's summary (its
statement trigger, ADR 0036): the worker recomputes them once.
"""

from django.db import migrations, models

from core.concurrent_index import create_index_concurrently

FUNCTIONS = """
CREATE OR REPLACE FUNCTION households_escape_registration_place() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT h.village_id, h.code INTO NEW.household_village_id, NEW.household_code
      FROM households_household h WHERE h.id = NEW.household_id FOR SHARE;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION households_escape_registration_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE households_escaperegistration
       SET household_village_id = NEW.village_id, household_code = NEW.code
     WHERE household_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER households_escaperegistration_place
    BEFORE INSERT OR UPDATE OF household_id, household_village_id, household_code ON households_escaperegistration
    FOR EACH ROW EXECUTE FUNCTION households_escape_registration_place();

CREATE TRIGGER households_household_escape_place
    AFTER UPDATE OF village_id, code ON households_household
    FOR EACH ROW WHEN (OLD.village_id IS DISTINCT FROM NEW.village_id OR OLD.code IS DISTINCT FROM NEW.code)
    EXECUTE FUNCTION households_escape_registration_follow();
"""

DROP_FUNCTIONS = """
DROP TRIGGER IF EXISTS households_household_escape_place ON households_household;
DROP TRIGGER IF EXISTS households_escaperegistration_place ON households_escaperegistration;
DROP FUNCTION IF EXISTS households_escape_registration_follow();
DROP FUNCTION IF EXISTS households_escape_registration_place();
"""

# The registrations written before the triggers: each row's copies read again from its household by the trigger.
BACKFILL = """
UPDATE households_escaperegistration r
   SET household_village_id = h.village_id, household_code = h.code
  FROM households_household h
 WHERE h.id = r.household_id
   AND (r.household_village_id, r.household_code) IS DISTINCT FROM (h.village_id, h.code);
"""

INDEX = (
    "households_escape_registration_village_order_idx",
    "ON households_escaperegistration (year, household_village_id, household_code, id) WHERE state = 'registered'",
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("areas", "0001_initial"),
        ("households", "0020_search_words_without_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="escaperegistration",
            name="household_village",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=models.DO_NOTHING,
                related_name="+",
                to="areas.administrativeunit",
            ),
        ),
        migrations.AddField(
            model_name="escaperegistration",
            name="household_code",
            field=models.CharField(blank=True, editable=False, max_length=20, null=True),
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        *create_index_concurrently(*INDEX),
    ]
