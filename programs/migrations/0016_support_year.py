"""The households with support dated in a year (programs.support_year, docs/adr/0054), for the list of the poor
households without support in a year.

That list's candidates were the poor status records in force anti-joined with the year's benefits: one look-up in
the benefits' index per poor household (115.214 at a million households, ≈ 114 ms with two parallel workers). With
``programs_support_year`` holding a row (year, household) for the households with a benefit that counts (not
cancelled) dated in the year, they are a merge of two index ranges in household order: the poor periods' index
(migration 0011) and the year's range of this table's index.

The rows never claim support a household does not have; they may miss some for a while, which only adds candidates
that the list checks again on the benefits themselves. Statement-level triggers on the benefits, in the changing
transaction, whoever writes (the services, the bulk recordings, the Excel imports, the admin, the generators):
- a benefit that counts, inserted or updated, adds its (year, household) unless a row is there (``NOT EXISTS``, no
  unique key: two writers of one household's year may both add one, which is harmless; a unique key would make the
  second wait for the first to commit, and a writer that then locks another household could deadlock with it);
- a benefit that no longer counts for its (year, household) (deleted, cancelled, moved to another year or household)
  removes that (year, household)'s rows whatever the household's other benefits: checking them could keep a row
  that two concurrent cancellations of its last two benefits each believed the other's benefit still supported.
  A household still supported that year becomes a candidate again until ``manage.py rebuild_support_year`` (beat,
  nightly) puts its row back; cancellations are corrections, rare against recordings.
Nothing here locks a household or waits for another writer's uncommitted rows; a removal locks the removed rows only,
in (household, year) order.
A TRUNCATE of the benefits empties the table. The table is filled from the benefits in the migration's transaction,
which holds the benefits against writes from the triggers' creation on (CREATE TRIGGER locks the table).
"""

from django.db import migrations, models

YEAR = "EXTRACT(YEAR FROM {0}.date)::smallint"
# (year, household) of the statement's benefits that count, new (``sy_new``) or old (``sy_old``).
ADDED = f"""
    INSERT INTO programs_support_year (year, household_id)
    SELECT DISTINCT {YEAR.format("n")}, n.household_id FROM sy_new n
     WHERE n.cancelled_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM programs_support_year s
                        WHERE s.year = {YEAR.format("n")} AND s.household_id = n.household_id);"""
# the rows locked in (household, year) order, so that two statements removing several households' rows cannot
# deadlock with each other
REMOVED = """
    DELETE FROM programs_support_year WHERE id IN (
        SELECT s.id FROM programs_support_year s JOIN ({lost}) lost ON s.year = lost.y AND s.household_id = lost.h
         ORDER BY s.household_id, s.year, s.id FOR UPDATE OF s);"""
LOST_DELETED = (
    f"SELECT DISTINCT {YEAR.format('o')} AS y, o.household_id AS h FROM sy_old o WHERE o.cancelled_at IS NULL"
)
# an updated benefit loses its old (year, household) unless its new row still counts for the same one
LOST_UPDATED = (
    LOST_DELETED + " AND NOT EXISTS (SELECT 1 FROM sy_new n WHERE n.id = o.id AND n.cancelled_at IS NULL"
    f" AND n.household_id = o.household_id AND {YEAR.format('n')} = {YEAR.format('o')})"
)

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION programs_support_year_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {ADDED}
    ELSIF TG_OP = 'DELETE' THEN
        {REMOVED.format(lost=LOST_DELETED)}
    ELSE
        {REMOVED.format(lost=LOST_UPDATED)}
        {ADDED}
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION programs_support_year_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM programs_support_year;
    RETURN NULL;
END $$;
"""
TRIGGERS = """
CREATE TRIGGER programs_benefit_support_year_ins AFTER INSERT ON programs_benefit
    REFERENCING NEW TABLE AS sy_new FOR EACH STATEMENT EXECUTE FUNCTION programs_support_year_follow();
CREATE TRIGGER programs_benefit_support_year_upd AFTER UPDATE ON programs_benefit
    REFERENCING OLD TABLE AS sy_old NEW TABLE AS sy_new
    FOR EACH STATEMENT EXECUTE FUNCTION programs_support_year_follow();
CREATE TRIGGER programs_benefit_support_year_del AFTER DELETE ON programs_benefit
    REFERENCING OLD TABLE AS sy_old FOR EACH STATEMENT EXECUTE FUNCTION programs_support_year_follow();
CREATE TRIGGER programs_benefit_support_year_truncate AFTER TRUNCATE ON programs_benefit
    FOR EACH STATEMENT EXECUTE FUNCTION programs_support_year_truncated();
"""
DROP = """
DROP TRIGGER IF EXISTS programs_benefit_support_year_ins ON programs_benefit;
DROP TRIGGER IF EXISTS programs_benefit_support_year_upd ON programs_benefit;
DROP TRIGGER IF EXISTS programs_benefit_support_year_del ON programs_benefit;
DROP TRIGGER IF EXISTS programs_benefit_support_year_truncate ON programs_benefit;
DROP FUNCTION IF EXISTS programs_support_year_follow();
DROP FUNCTION IF EXISTS programs_support_year_truncated();
"""
# What programs.support_year.LIVE reads (the rebuild's source): the (year, household) of the benefits that count.
BACKFILL = """
INSERT INTO programs_support_year (year, household_id)
SELECT DISTINCT EXTRACT(YEAR FROM date)::smallint, household_id FROM programs_benefit WHERE cancelled_at IS NULL
 ORDER BY 1, 2;
ANALYZE programs_support_year;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0022_escape_registration_order_index"),
        ("programs", "0015_electricity_counts_look_up_once"),
    ]

    operations = [
        migrations.CreateModel(
            name="SupportYear",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("year", models.SmallIntegerField()),
                (
                    "household",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="households.household",
                    ),
                ),
            ],
            options={
                "verbose_name": "hộ có hỗ trợ trong năm",
                "verbose_name_plural": "hộ có hỗ trợ trong năm",
                "db_table": "programs_support_year",
                "indexes": [models.Index(fields=["year", "household"], name="programs_support_year_idx")],
            },
        ),
        migrations.RunSQL(FUNCTIONS + TRIGGERS + BACKFILL, DROP),
    ]
