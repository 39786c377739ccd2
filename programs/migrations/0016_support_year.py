"""Each household's benefits that count (not cancelled) per year, kept exact by triggers on the benefits
(programs.support_year, docs/adr/0054), for the list of the poor households without support in a year.

That list's candidates were the poor status records in force anti-joined with the year's benefits: one look-up in
the benefits' index per poor household (115.214 at a million households, ≈ 114 ms with two parallel workers). With
``programs_support_year`` (year, household) holding a row for each household with support dated in the year, they
are a merge of two index ranges in household order: the poor periods' index (migration 0011) and the year's range of
this table's primary key.

Every statement that writes benefits (the services, the bulk payment, the Excel import, the admin, the generators)
adds its difference per (year, household) in its own transaction: statement-level triggers read the statement's old
and new rows (the transition tables) into arrays, +1 for each new benefit not cancelled, -1 for each old one, and
upsert the sums (``INSERT … ON CONFLICT DO UPDATE``, rows at zero deleted). Two writers of one household's year take
turns (the second waits for the first to commit, then adds to what it committed), so the count stays exact, and
writers of other households never wait for each other. The statement first locks its households' rows (FOR NO KEY
UPDATE, in id order, as the electricity payments' trigger of migration 0013 does), then writes the counters in
(household, year) order: a counter is only ever taken by a transaction holding its household, so the counters add
no lock order of their own to the households' (ADR 0054). A TRUNCATE of the benefits empties the table. The table
is filled from the benefits in the migration's transaction, which holds the benefits against writes from the
triggers' creation on (CREATE TRIGGER locks the table), so nothing is missed.
"""

from django.db import migrations, models

# The statement's benefits that count, by (year, household), as arrays: read from the transition tables in one small
# statement, so that PL/pgSQL keeps its plan of the upsert for the session (programs migration 0014).
ROWS = {
    "INSERT": "SELECT EXTRACT(YEAR FROM date)::smallint AS y, household_id AS h, 1 AS n "
    "FROM sy_new WHERE cancelled_at IS NULL",
    "DELETE": "SELECT EXTRACT(YEAR FROM date)::smallint AS y, household_id AS h, -1 AS n "
    "FROM sy_old WHERE cancelled_at IS NULL",
    "UPDATE": "SELECT EXTRACT(YEAR FROM date)::smallint AS y, household_id AS h, 1 AS n "
    "FROM sy_new WHERE cancelled_at IS NULL UNION ALL "
    "SELECT EXTRACT(YEAR FROM date)::smallint, household_id, -1 FROM sy_old WHERE cancelled_at IS NULL",
}
DIFFERENCES = """SELECT array_agg(y ORDER BY h, y), array_agg(h ORDER BY h, y), array_agg(n ORDER BY h, y),
               coalesce(bool_or(n < 0), false)
          INTO years, hh, deltas, fewer
          FROM (SELECT y, h, sum(n)::integer AS n FROM ({rows}) r GROUP BY y, h HAVING sum(n) <> 0) d;"""

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION programs_support_year_count() RETURNS trigger LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    years smallint[];
    hh bigint[];
    deltas integer[];
    fewer boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        {DIFFERENCES.format(rows=ROWS["INSERT"])}
    ELSIF TG_OP = 'DELETE' THEN
        {DIFFERENCES.format(rows=ROWS["DELETE"])}
    ELSE
        {DIFFERENCES.format(rows=ROWS["UPDATE"])}
    END IF;
    IF hh IS NULL THEN
        RETURN NULL;
    END IF;
    -- the households first, in id order, as the electricity payments' trigger and the payment button lock them
    -- (programs migration 0013): a transaction holds a counter only while it holds its household, so the counters
    -- add no lock order of their own (a BHYT card recorded, then its household locked to update the member's card,
    -- against a payment holding the household, then recording its payment, would otherwise deadlock)
    PERFORM 1 FROM households_household WHERE id = ANY (hh) ORDER BY id FOR NO KEY UPDATE;
    -- in (household, year) order; a writer of the same household's year waits here for the first to commit, then
    -- adds to its committed count
    INSERT INTO programs_support_year AS s (year, household_id, benefits)
    SELECT d.y, d.h, d.n FROM unnest(years, hh, deltas) WITH ORDINALITY AS d (y, h, n, o) ORDER BY d.o
    ON CONFLICT (year, household_id) DO UPDATE SET benefits = s.benefits + EXCLUDED.benefits;
    IF fewer THEN
        -- a household's year without benefits that count has no row (the rows are locked by the upsert above)
        DELETE FROM programs_support_year s USING unnest(years, hh) AS d (y, h)
         WHERE s.year = d.y AND s.household_id = d.h AND s.benefits <= 0;
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
    REFERENCING NEW TABLE AS sy_new FOR EACH STATEMENT EXECUTE FUNCTION programs_support_year_count();
CREATE TRIGGER programs_benefit_support_year_upd AFTER UPDATE ON programs_benefit
    REFERENCING OLD TABLE AS sy_old NEW TABLE AS sy_new
    FOR EACH STATEMENT EXECUTE FUNCTION programs_support_year_count();
CREATE TRIGGER programs_benefit_support_year_del AFTER DELETE ON programs_benefit
    REFERENCING OLD TABLE AS sy_old FOR EACH STATEMENT EXECUTE FUNCTION programs_support_year_count();
CREATE TRIGGER programs_benefit_support_year_truncate AFTER TRUNCATE ON programs_benefit
    FOR EACH STATEMENT EXECUTE FUNCTION programs_support_year_truncated();
"""
DROP = """
DROP TRIGGER IF EXISTS programs_benefit_support_year_ins ON programs_benefit;
DROP TRIGGER IF EXISTS programs_benefit_support_year_upd ON programs_benefit;
DROP TRIGGER IF EXISTS programs_benefit_support_year_del ON programs_benefit;
DROP TRIGGER IF EXISTS programs_benefit_support_year_truncate ON programs_benefit;
DROP FUNCTION IF EXISTS programs_support_year_count();
DROP FUNCTION IF EXISTS programs_support_year_truncated();
"""
# What programs.support_year.LIVE counts (the rebuild's source): the benefits that count, by year and household.
BACKFILL = """
INSERT INTO programs_support_year (year, household_id, benefits)
SELECT EXTRACT(YEAR FROM date)::smallint, household_id, count(*) FROM programs_benefit WHERE cancelled_at IS NULL
 GROUP BY 1, 2;
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
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "year", "household", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("year", models.SmallIntegerField()),
                ("benefits", models.IntegerField()),
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
                "verbose_name": "số khoản hỗ trợ của hộ trong năm",
                "verbose_name_plural": "số khoản hỗ trợ của hộ trong năm",
                "db_table": "programs_support_year",
            },
        ),
        migrations.RunSQL(FUNCTIONS + TRIGGERS + BACKFILL, DROP),
    ]
