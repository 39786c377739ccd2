"""The electricity list's entitled and paid households kept per village and quarter (programs.electricity;
docs/adr/0053): two tables and the triggers that keep them exact.

Every change that can move a household in or out of a counted quarter's list, or between paid and unpaid, appends
the difference per village to ``programs_electricitycount`` in its own transaction, whatever wrote it (the services,
the bulk payment, the Excel import's COPY, the admin, the generators): statement-level triggers on the households
(state, social-protection flag, village), the poor status records and the quarter's payments. A household's place in
the list of a quarter is a function of its own row, its poor periods and its payment of that quarter only, so the
difference is computed for the households the statement touched, before and after it: "before" is the tables now
without the statement's new rows and with its old ones (the transition tables). Two writers of one household could
each compute its difference without the other's change (write skew); the triggers on the status records and the
payments therefore lock the household's row (FOR NO KEY UPDATE) before reading, as an update of the household itself
does, so writers of one household take turns and each reads what the previous one committed.

A quarter is counted from the moment ``programs_electricityquarter`` has its row, written by programs.electricity
under an exclusive advisory lock that every trigger takes in shared mode first: the build waits for the writers in
flight to commit and counts after them; the writers that come during the build wait for it and then see the quarter.
A TRUNCATE of one of the three tables drops every count (the list is then counted live until the next build).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0001_initial"),
        ("programs", "0012_coverage_list_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ElectricityCount",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("period_year", models.PositiveSmallIntegerField()),
                ("period_quarter", models.PositiveSmallIntegerField()),
                ("households", models.IntegerField()),
                ("paid", models.IntegerField()),
                (
                    "programme",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="programs.programme",
                    ),
                ),
                (
                    "village",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="areas.administrativeunit",
                    ),
                ),
            ],
            options={
                "verbose_name": "số hộ tiền điện của thôn",
                "verbose_name_plural": "số hộ tiền điện của thôn",
                "indexes": [
                    models.Index(
                        fields=["programme", "period_year", "period_quarter", "village"],
                        include=("households", "paid"),
                        name="programs_electricity_count_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ElectricityQuarter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period_year", models.PositiveSmallIntegerField()),
                ("period_quarter", models.PositiveSmallIntegerField()),
                ("day", models.DateField()),
                ("built_at", models.DateTimeField()),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="programs.programme"
                    ),
                ),
            ],
            options={
                "verbose_name": "quý tiền điện được đếm sẵn",
                "verbose_name_plural": "quý tiền điện được đếm sẵn",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("programme", "period_year", "period_quarter"), name="programs_one_electricity_quarter"
                    )
                ],
            },
        ),
    ]


LOCK_KEY = 430013  # programs.electricity.LOCK_KEY: the advisory lock between the triggers and a quarter's build

# A household's poor period covering the quarter's last day, in ``source`` (a table or a transition table).
POOR = """EXISTS (SELECT 1 FROM {source} s WHERE s.household_id = {household} AND s.household_class = 'poor'
      AND s.valid_from <= q.day AND (s.valid_to IS NULL OR s.valid_to >= q.day){extra})"""
# A household's payment of the quarter, not cancelled (programs.selectors.electricity_payments).
PAY = """EXISTS (SELECT 1 FROM {source} b WHERE b.household_id = {household} AND b.programme_id = q.programme_id
      AND b.period_year = q.period_year AND b.period_quarter = q.period_quarter AND b.cancelled_at IS NULL{extra})"""

INSERT = """INSERT INTO programs_electricitycount
            (programme_id, period_year, period_quarter, village_id, households, paid)
        SELECT programme_id, period_year, period_quarter, village_id, sum(households), sum(paid) FROM ({rows}) d
         GROUP BY programme_id, period_year, period_quarter, village_id
        HAVING sum(households) <> 0 OR sum(paid) <> 0;"""


def _households(source: str, sign: str) -> str:
    """The rows of ``source`` (households) in each counted quarter's list, counted with ``sign``."""
    poor = POOR.format(source="households_statusrecord", household="h.id", extra="")
    pay = PAY.format(source="programs_benefit", household="h.id", extra="")
    return f"""SELECT q.programme_id, q.period_year, q.period_quarter, h.village_id, {sign} AS households,
               CASE WHEN {pay} THEN {sign} ELSE 0 END AS paid
          FROM {source} h CROSS JOIN programs_electricityquarter q
         WHERE h.state = 'active' AND (h.social_protection OR {poor})"""


CHANGED_HOUSEHOLDS = """(SELECT {side}.* FROM elec_new n JOIN elec_old o ON o.id = n.id
          WHERE (n.state, n.social_protection, n.village_id)
                IS DISTINCT FROM (o.state, o.social_protection, o.village_id))"""


def _records(before: str) -> str:
    """The difference in the list of the households of the pairs (household, quarter) whose poor periods the
    statement changed: only an active household without the flag is in the list by its poor period."""
    after = POOR.format(source="households_statusrecord", household="h.id", extra="")
    pay = PAY.format(source="programs_benefit", household="h.id", extra="")
    return f"""SELECT q.programme_id, q.period_year, q.period_quarter, h.village_id,
               aft.poor::int - bef.poor::int AS households,
               CASE WHEN {pay} THEN aft.poor::int - bef.poor::int ELSE 0 END AS paid
          FROM unnest(hh, qq) AS p (household_id, quarter_id) JOIN households_household h ON h.id = p.household_id
          JOIN programs_electricityquarter q ON q.id = p.quarter_id
          CROSS JOIN LATERAL (SELECT {after} AS poor) aft
          CROSS JOIN LATERAL (SELECT {before} AS poor) bef
         WHERE h.state = 'active' AND NOT h.social_protection"""


def _payments(before: str) -> str:
    """The difference in the paid households of the pairs (household, quarter) whose payment the statement changed:
    only a household in the quarter's list counts."""
    poor = POOR.format(source="households_statusrecord", household="h.id", extra="")
    after = PAY.format(source="programs_benefit", household="h.id", extra="")
    return f"""SELECT q.programme_id, q.period_year, q.period_quarter, h.village_id, 0 AS households,
               aft.paid::int - bef.paid::int AS paid
          FROM unnest(hh, qq) AS p (household_id, quarter_id) JOIN households_household h ON h.id = p.household_id
          JOIN programs_electricityquarter q ON q.id = p.quarter_id
          CROSS JOIN LATERAL (SELECT {after} AS paid) aft
          CROSS JOIN LATERAL (SELECT {before} AS paid) bef
         WHERE h.state = 'active' AND (h.social_protection OR {poor})"""


NOT_NEW = " AND s.id NOT IN (SELECT id FROM elec_new)"
RECORDS_BEFORE = {
    "INSERT": POOR.format(source="households_statusrecord", household="h.id", extra=NOT_NEW),
    "DELETE": POOR.format(source="households_statusrecord", household="h.id", extra="")
    + " OR "
    + POOR.format(source="elec_old", household="h.id", extra=""),
    "UPDATE": POOR.format(source="households_statusrecord", household="h.id", extra=NOT_NEW)
    + " OR "
    + POOR.format(source="elec_old", household="h.id", extra=""),
}
PAY_NOT_NEW = " AND b.id NOT IN (SELECT id FROM elec_new)"
PAYMENTS_BEFORE = {
    "INSERT": PAY.format(source="programs_benefit", household="h.id", extra=PAY_NOT_NEW),
    "DELETE": PAY.format(source="programs_benefit", household="h.id", extra="")
    + " OR "
    + PAY.format(source="elec_old", household="h.id", extra=""),
    "UPDATE": PAY.format(source="programs_benefit", household="h.id", extra=PAY_NOT_NEW)
    + " OR "
    + PAY.format(source="elec_old", household="h.id", extra=""),
}

# The rows of a statement that matter: poor periods (before or after), payments (period set, before or after).
RECORD_ROWS = {
    "INSERT": "SELECT household_id, valid_from, valid_to FROM elec_new WHERE household_class = 'poor'",
    "DELETE": "SELECT household_id, valid_from, valid_to FROM elec_old WHERE household_class = 'poor'",
    "UPDATE": """SELECT r.household_id, r.valid_from, r.valid_to FROM elec_new n JOIN elec_old o ON o.id = n.id
          CROSS JOIN LATERAL (VALUES (n.household_id, n.household_class, n.valid_from, n.valid_to),
                                     (o.household_id, o.household_class, o.valid_from, o.valid_to))
                AS r (household_id, household_class, valid_from, valid_to)
         WHERE r.household_class = 'poor'
           AND (n.household_id, n.household_class, n.valid_from, n.valid_to)
               IS DISTINCT FROM (o.household_id, o.household_class, o.valid_from, o.valid_to)""",
}
PAYMENT_ROWS = {
    "INSERT": "SELECT household_id, programme_id, period_year, period_quarter FROM elec_new "
    "WHERE period_quarter IS NOT NULL",
    "DELETE": "SELECT household_id, programme_id, period_year, period_quarter FROM elec_old "
    "WHERE period_quarter IS NOT NULL",
    "UPDATE": """SELECT r.household_id, r.programme_id, r.period_year, r.period_quarter FROM elec_new n
          JOIN elec_old o ON o.id = n.id
          CROSS JOIN LATERAL (VALUES (n.household_id, n.programme_id, n.period_year, n.period_quarter),
                                     (o.household_id, o.programme_id, o.period_year, o.period_quarter))
                AS r (household_id, programme_id, period_year, period_quarter)
         WHERE r.period_quarter IS NOT NULL
           AND (n.household_id, n.programme_id, n.period_year, n.period_quarter, n.cancelled_at IS NULL)
               IS DISTINCT FROM
               (o.household_id, o.programme_id, o.period_year, o.period_quarter, o.cancelled_at IS NULL)""",
}
RECORD_PAIRS = """SELECT DISTINCT r.household_id, q.id AS quarter_id FROM ({rows}) r
          JOIN programs_electricityquarter q ON r.valid_from <= q.day AND (r.valid_to IS NULL OR r.valid_to >= q.day)"""
PAYMENT_PAIRS = """SELECT DISTINCT r.household_id, q.id AS quarter_id FROM ({rows}) r
          JOIN programs_electricityquarter q ON q.programme_id = r.programme_id AND q.period_year = r.period_year
           AND q.period_quarter = r.period_quarter"""

START = f"""
    PERFORM pg_advisory_xact_lock_shared({LOCK_KEY});
    IF NOT EXISTS (SELECT 1 FROM programs_electricityquarter) THEN
        RETURN NULL;
    END IF;"""


def _by_household(name: str, pairs: str, rows: dict, delta, before: dict) -> str:
    branches = []
    for op in ("INSERT", "DELETE", "UPDATE"):
        body = pairs.format(rows=rows[op])
        branches.append(f"""
    {"IF" if op == "INSERT" else "ELSIF"} TG_OP = '{op}' THEN
        SELECT array_agg(household_id), array_agg(quarter_id) INTO hh, qq FROM ({body}) pairs;
        IF hh IS NULL THEN
            RETURN NULL;
        END IF;
        -- writers of one household take turns (see the module's docstring), in one order against deadlocks; the
        -- difference is read by the next statement, which sees what the writers waited for committed
        PERFORM 1 FROM households_household WHERE id = ANY (hh) ORDER BY id FOR NO KEY UPDATE;
        {INSERT.format(rows=delta(before[op]))}""")
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hh integer[];
    qq bigint[];
BEGIN{START}{"".join(branches)}
    END IF;
    RETURN NULL;
END $$;
"""


CHANGED = (
    _households(CHANGED_HOUSEHOLDS.format(side="n"), "1")
    + " UNION ALL "
    + _households(CHANGED_HOUSEHOLDS.format(side="o"), "-1")
)
FUNCTIONS = f"""
CREATE FUNCTION programs_electricity_households() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{START}
    IF TG_OP = 'INSERT' THEN
        {INSERT.format(rows=_households("elec_new", "1"))}
    ELSIF TG_OP = 'DELETE' THEN
        {INSERT.format(rows=_households("elec_old", "-1"))}
    ELSE
        {INSERT.format(rows=CHANGED)}
    END IF;
    RETURN NULL;
END $$;
{_by_household("programs_electricity_records", RECORD_PAIRS, RECORD_ROWS, _records, RECORDS_BEFORE)}
{_by_household("programs_electricity_payments", PAYMENT_PAIRS, PAYMENT_ROWS, _payments, PAYMENTS_BEFORE)}
CREATE FUNCTION programs_electricity_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    DELETE FROM programs_electricitycount;
    DELETE FROM programs_electricityquarter;
    RETURN NULL;
END $$;
"""

TABLES = (
    ("households_household", "programs_electricity_households"),
    ("households_statusrecord", "programs_electricity_records"),
    ("programs_benefit", "programs_electricity_payments"),
)
TRIGGERS = "".join(
    f"""
CREATE TRIGGER {table}_elec_ins AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS elec_new FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_elec_upd AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS elec_old NEW TABLE AS elec_new FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_elec_del AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS elec_old FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_elec_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION programs_electricity_truncated();
"""
    for table, function in TABLES
)
DROP = "".join(
    f"DROP TRIGGER IF EXISTS {table}_elec_{event} ON {table};\n"
    for table, _function in TABLES
    for event in ("ins", "upd", "del", "truncate")
)
DROP += "".join(
    f"DROP FUNCTION IF EXISTS {function}();\n"
    for function in (*(function for _table, function in TABLES), "programs_electricity_truncated")
)

Migration.operations.append(migrations.RunSQL(FUNCTIONS + TRIGGERS, DROP))
