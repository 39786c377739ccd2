"""The electricity counts' triggers (migration 0013; programs.electricity, docs/adr/0053) planned once per session.

0013's trigger functions named the transition tables in the statement that reads the other tables and appends the
differences; PL/pgSQL plans such a statement again at every call, ≈ 2,5 ms for a single-row write (1.000 payments
written one by one: 3,1 s instead of 0,5 s at a million households). The functions now read the transition tables in
one small statement into arrays (the pairs of household and quarter, how many of the statement's new rows and
whether one of its old rows cover each), and the statement that reads the other tables takes only those arrays, so
PL/pgSQL keeps its plan. "Before" is counted as: the rows now less the statement's new ones (which are among them),
or one of its old ones; the same households and quarters as 0013, the same differences.
"""

import importlib

from django.db import migrations

LOCK_KEY = 430013  # programs.electricity.LOCK_KEY: the advisory lock between the triggers and a quarter's build

# The trigger functions read the transition tables in one small statement, into arrays; the statement that reads the
# other tables and appends the differences takes only those arrays, so that PL/pgSQL keeps its plan for the session
# (a statement naming a transition table is planned again at every call: ≈ 2,5 ms a single-row write otherwise).

# The poor periods of household ``h`` covering the quarter's last day (``q``), counted.
POOR_NOW = """(SELECT count(*) FROM households_statusrecord s WHERE s.household_id = h.id AND s.household_class = 'poor'
      AND s.valid_from <= q.day AND (s.valid_to IS NULL OR s.valid_to >= q.day))"""
# The household's payments of the quarter, not cancelled (programs.selectors.electricity_payments), counted.
PAY_NOW = """(SELECT count(*) FROM programs_benefit b WHERE b.household_id = h.id AND b.programme_id = q.programme_id
      AND b.period_year = q.period_year AND b.period_quarter = q.period_quarter AND b.cancelled_at IS NULL)"""

INSERT = """INSERT INTO programs_electricitycount
            (programme_id, period_year, period_quarter, village_id, households, paid)
        SELECT programme_id, period_year, period_quarter, village_id, sum(households), sum(paid) FROM ({rows}) d
         GROUP BY programme_id, period_year, period_quarter, village_id
        HAVING sum(households) <> 0 OR sum(paid) <> 0;"""

# Households: the rows of the statement that count (active; for an update, only those whose state, flag or village
# changed, the new version counted +1 and the old one -1), then their place in each counted quarter's list.
HOUSEHOLD_ROWS = {
    "INSERT": "SELECT id, village_id, social_protection, 1 AS sign FROM elec_new WHERE state = 'active'",
    "DELETE": "SELECT id, village_id, social_protection, -1 AS sign FROM elec_old WHERE state = 'active'",
    "UPDATE": """SELECT r.* FROM elec_new n JOIN elec_old o ON o.id = n.id
          CROSS JOIN LATERAL (VALUES (n.id, n.village_id, n.social_protection, 1, n.state),
                                     (o.id, o.village_id, o.social_protection, -1, o.state))
                AS r (id, village_id, social_protection, sign, state)
         WHERE r.state = 'active' AND (n.state, n.social_protection, n.village_id)
               IS DISTINCT FROM (o.state, o.social_protection, o.village_id)""",
}
HOUSEHOLD_DELTA = f"""SELECT q.programme_id, q.period_year, q.period_quarter, h.village_id, h.sign AS households,
               CASE WHEN {PAY_NOW} > 0 THEN h.sign ELSE 0 END AS paid
          FROM unnest(ids, villages, flags, signs) AS h (id, village_id, social_protection, sign)
          CROSS JOIN programs_electricityquarter q
         WHERE h.social_protection OR {POOR_NOW} > 0"""

# Poor periods and payments: the (household, quarter) pairs the statement may change, each with how many of the
# statement's new rows count in it and whether one of its old rows did, in one grouped pass over the transition
# tables. "Before" is then: the rows now less the new ones (they are among the rows now), or an old one; "after": the
# rows now. An update's rows that did not change what is counted are left out (both versions alike).
RECORD_ROWS = {
    "INSERT": "SELECT household_id, household_class, valid_from, valid_to, true AS is_new FROM elec_new",
    "DELETE": "SELECT household_id, household_class, valid_from, valid_to, false AS is_new FROM elec_old",
    "UPDATE": """SELECT r.* FROM elec_new n JOIN elec_old o ON o.id = n.id
          CROSS JOIN LATERAL (VALUES (n.household_id, n.household_class, n.valid_from, n.valid_to, true),
                                     (o.household_id, o.household_class, o.valid_from, o.valid_to, false))
                AS r (household_id, household_class, valid_from, valid_to, is_new)
         WHERE (n.household_id, n.household_class, n.valid_from, n.valid_to)
               IS DISTINCT FROM (o.household_id, o.household_class, o.valid_from, o.valid_to)""",
}
RECORD_PAIRS = """SELECT array_agg(household_id), array_agg(quarter_id), array_agg(news), array_agg(olds)
          INTO hh, qq, new_counts, old_flags FROM (
        SELECT r.household_id, q.id AS quarter_id, count(*) FILTER (WHERE r.is_new) AS news,
               bool_or(NOT r.is_new) AS olds
          FROM ({rows}) r
          JOIN programs_electricityquarter q ON r.valid_from <= q.day AND (r.valid_to IS NULL OR r.valid_to >= q.day)
         WHERE r.household_class = 'poor'
         GROUP BY r.household_id, q.id) pairs;"""
PAYMENT_ROWS = {
    "INSERT": "SELECT household_id, programme_id, period_year, period_quarter, cancelled_at IS NULL AS active, "
    "true AS is_new FROM elec_new",
    "DELETE": "SELECT household_id, programme_id, period_year, period_quarter, cancelled_at IS NULL AS active, "
    "false AS is_new FROM elec_old",
    "UPDATE": """SELECT r.* FROM elec_new n JOIN elec_old o ON o.id = n.id
          CROSS JOIN LATERAL (VALUES
                (n.household_id, n.programme_id, n.period_year, n.period_quarter, n.cancelled_at IS NULL, true),
                (o.household_id, o.programme_id, o.period_year, o.period_quarter, o.cancelled_at IS NULL, false))
                AS r (household_id, programme_id, period_year, period_quarter, active, is_new)
         WHERE (n.household_id, n.programme_id, n.period_year, n.period_quarter, n.cancelled_at IS NULL)
               IS DISTINCT FROM
               (o.household_id, o.programme_id, o.period_year, o.period_quarter, o.cancelled_at IS NULL)""",
}
PAYMENT_PAIRS = """SELECT array_agg(household_id), array_agg(quarter_id), array_agg(news), array_agg(olds)
          INTO hh, qq, new_counts, old_flags FROM (
        SELECT r.household_id, q.id AS quarter_id, count(*) FILTER (WHERE r.is_new AND r.active) AS news,
               coalesce(bool_or(NOT r.is_new AND r.active), false) AS olds
          FROM ({rows}) r
          JOIN programs_electricityquarter q ON q.programme_id = r.programme_id AND q.period_year = r.period_year
           AND q.period_quarter = r.period_quarter
         GROUP BY r.household_id, q.id) pairs;"""


RECORD_DELTA = f"""SELECT q.programme_id, q.period_year, q.period_quarter, h.village_id,
               aft.poor::int - bef.poor::int AS households,
               CASE WHEN {PAY_NOW} > 0 THEN aft.poor::int - bef.poor::int ELSE 0 END AS paid
          FROM unnest(hh, qq, new_counts, old_flags) AS p (household_id, quarter_id, news, olds)
          JOIN households_household h ON h.id = p.household_id
          JOIN programs_electricityquarter q ON q.id = p.quarter_id
          CROSS JOIN LATERAL (SELECT {POOR_NOW} AS n) cur
          CROSS JOIN LATERAL (SELECT cur.n > 0 AS poor) aft
          CROSS JOIN LATERAL (SELECT cur.n > p.news OR p.olds AS poor) bef
         WHERE h.state = 'active' AND NOT h.social_protection"""
PAYMENT_DELTA = f"""SELECT q.programme_id, q.period_year, q.period_quarter, h.village_id, 0 AS households,
               aft.paid::int - bef.paid::int AS paid
          FROM unnest(hh, qq, new_counts, old_flags) AS p (household_id, quarter_id, news, olds)
          JOIN households_household h ON h.id = p.household_id
          JOIN programs_electricityquarter q ON q.id = p.quarter_id
          CROSS JOIN LATERAL (SELECT {PAY_NOW} AS n) cur
          CROSS JOIN LATERAL (SELECT cur.n > 0 AS paid) aft
          CROSS JOIN LATERAL (SELECT cur.n > p.news OR p.olds AS paid) bef
         WHERE h.state = 'active' AND (h.social_protection OR {POOR_NOW} > 0)"""

START = f"""
    PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});
    IF NOT EXISTS (SELECT 1 FROM programs_electricityquarter) THEN
        RETURN NULL;
    END IF;"""


def _by_household(name: str, pairs: str, rows: dict, delta: str) -> str:
    branches = "".join(
        f"""
    {"IF" if op == "INSERT" else "ELSIF"} TG_OP = '{op}' THEN
        {pairs.format(rows=rows[op])}"""
        for op in ("INSERT", "DELETE", "UPDATE")
    )
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    hh bigint[];
    qq bigint[];
    new_counts bigint[];
    old_flags boolean[];
BEGIN{START}{branches}
    END IF;
    IF hh IS NULL THEN
        RETURN NULL;
    END IF;
    -- writers of one household take turns (see the module's docstring), in one order against deadlocks; the
    -- difference is read by the next statement, which sees what the writers waited for committed
    PERFORM 1 FROM households_household WHERE id = ANY (hh) ORDER BY id FOR NO KEY UPDATE;
    {INSERT.format(rows=delta)}
    RETURN NULL;
END $$;
"""


FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION programs_electricity_households() RETURNS trigger LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    ids bigint[];
    villages bigint[];
    flags boolean[];
    signs integer[];
BEGIN{START}
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(id), array_agg(village_id), array_agg(social_protection), array_agg(sign)
          INTO ids, villages, flags, signs FROM ({HOUSEHOLD_ROWS["INSERT"]}) r;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(id), array_agg(village_id), array_agg(social_protection), array_agg(sign)
          INTO ids, villages, flags, signs FROM ({HOUSEHOLD_ROWS["DELETE"]}) r;
    ELSE
        SELECT array_agg(id), array_agg(village_id), array_agg(social_protection), array_agg(sign)
          INTO ids, villages, flags, signs FROM ({HOUSEHOLD_ROWS["UPDATE"]}) r;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    {INSERT.format(rows=HOUSEHOLD_DELTA)}
    RETURN NULL;
END $$;
{_by_household("programs_electricity_records", RECORD_PAIRS, RECORD_ROWS, RECORD_DELTA)}
{_by_household("programs_electricity_payments", PAYMENT_PAIRS, PAYMENT_ROWS, PAYMENT_DELTA)}
CREATE OR REPLACE FUNCTION programs_electricity_truncated() RETURNS trigger LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    DELETE FROM programs_electricitycount;
    DELETE FROM programs_electricityquarter;
    RETURN NULL;
END $$;
"""


PREVIOUS = importlib.import_module("programs.migrations.0013_electricity_counts").FUNCTIONS.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
)


class Migration(migrations.Migration):
    dependencies = [("programs", "0013_electricity_counts")]

    operations = [migrations.RunSQL(FUNCTIONS, PREVIOUS)]
