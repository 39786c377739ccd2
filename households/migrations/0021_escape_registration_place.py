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
  under an advisory lock of the household's commune taken shared;
- after a household's village or code changes, the same lock is taken exclusive (both communes' for a move between
  two) and its registrations (every year and state) are updated; the trigger's ``WHEN`` makes it cost nothing for the other updates of the households (the
  import's, the generator's). Whichever of a registration and a move takes the lock second reads, in its next
  statement, what the first committed, so the copy is never the former value of a change that then commits.

The copies are filled once here, after the triggers exist, in one transaction (a failure leaves nothing to undo by
hand); the index is built concurrently by the next migration.
The backfill's update marks the communes of the registered households stale for the dashboard's summary (its
statement trigger, ADR 0036): the worker recomputes them once.
"""

from django.db import migrations, models

# The advisory lock of the places of one commune's households (two keys: this constant and the commune's id). A
# registration's copy takes it shared, a change of a household's village or code exclusive: registrations and moves
# of one commune wait for each other and nothing else does. A row lock of the household (FOR SHARE) made every write
# of the household (an officer's save, an import, a payment) wait for an uncommitted registration, and an opening
# balance's registrations deadlock with a payment's locks; one advisory lock per household filled PostgreSQL's lock
# table (max_locks_per_transaction) with the backfill of 49.429 registrations, per commune a load takes a few dozen.
PLACE_LOCK = 430021

FUNCTIONS = """
CREATE OR REPLACE FUNCTION households_escape_registration_place() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    commune bigint;
BEGIN
    SELECT h.commune_id INTO commune FROM households_household h WHERE h.id = NEW.household_id;
    PERFORM pg_advisory_xact_lock_shared(PLACE_LOCK, (coalesce(commune, 0) % 2147483647)::integer);
    -- a new statement: it sees what a move of the household committed while this one waited for the lock
    SELECT h.village_id, h.code INTO NEW.household_village_id, NEW.household_code
      FROM households_household h WHERE h.id = NEW.household_id;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION households_escape_registration_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- both communes of a move between two, in one order (two moves in opposite directions do not deadlock here)
    PERFORM pg_advisory_xact_lock(PLACE_LOCK, (c % 2147483647)::integer)
       FROM unnest(ARRAY[OLD.commune_id, NEW.commune_id]) AS c WHERE c IS NOT NULL GROUP BY c ORDER BY c;
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
""".replace("PLACE_LOCK", str(PLACE_LOCK))

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


class Migration(migrations.Migration):
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
    ]
