"""Benchmark: the portal's hot queries on a declaratively partitioned copy of the registry, beside the plain copy.

    eval "$(bash scripts/services.sh env)"       # or DATABASE_URL pointing at the server holding the copies
    psql … -c "CREATE DATABASE gn_e_plain TEMPLATE gn_h2_big"             # 138.000 households, nobody writes it
    .venv/bin/python benchmarks/partitioned_copy.py build --source gn_e_plain --target gn_e_part
    .venv/bin/python benchmarks/partitioned_copy.py measure --plain gn_e_plain --part gn_e_part

ADR 0027 partitions by province. The data holds one province, so each commune stands for a "province" here: the
four big tables (households, members, status records, benefits) become ``PARTITION BY LIST (commune_id)`` with one
partition per commune (23 partitions of 6.000 households, close to the 34 provinces of the country) and a default
partition. The child tables get the household's ``commune_id`` as a new column, since a partitioned table's
primary key and every unique index must contain the partition key.

``build`` copies the source database (CREATE DATABASE … TEMPLATE), then in the copy renames each big table, creates
the partitioned table with the same columns (plus the key), copies the rows, drops the plain table (with the
foreign keys that pointed at it from other tables) and re-creates every index, constraint and trigger of the plain
table on the partitioned one, adding the key where PostgreSQL requires it. What could not be re-created, and why,
is printed: that is the schema cost of partitioning, from this schema.

``measure`` runs the portal's own code on the plain copy (Django, the real selectors and views) and captures the
SQL each scenario emits, then runs that same SQL on both databases with EXPLAIN (ANALYZE, BUFFERS): planning and
execution time (median of ``--repeat`` runs), shared buffers touched, and how many partitions each plan read. A
second, "partition-aware" variant adds the partition key to the SQL the way an ORM that knew the key would have to
(``households_household.commune_id`` restricted to the scope's communes, the children joined on the key too), to
show what pruning gives once the key is in the query. Also: index sizes, and a COPY of 1.000 households with their
members into each (rolled back). Numbers are in docs/performance.md, "Partitioned copy".
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
HOUSEHOLD = "households_household"
# The big tables, parents first: each child is copied with its household's commune as the partition key.
CHILDREN = ["households_member", "households_statusrecord", "programs_benefit"]
TABLES = [HOUSEHOLD, *CHILDREN]
KEY = "commune_id"


def connect(name: str, autocommit: bool = False):
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
    connection = psycopg2.connect(url, options="-c jit=off")
    connection.autocommit = autocommit
    return connection


def rows(cursor, sql: str, params=None) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


# --- build --------------------------------------------------------------------------------------------------------


def build(args) -> None:
    admin = connect("postgres", autocommit=True)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.target}"')
        started = time.perf_counter()
        cursor.execute(f'CREATE DATABASE "{args.target}" TEMPLATE "{args.source}"')
        print(f"copied {args.source} to {args.target} in {time.perf_counter() - started:.1f} s")
    admin.close()
    connection = connect(args.target)
    connection.autocommit = True
    lost: list[str] = []
    with connection.cursor() as cursor:
        communes = [r[0] for r in rows(cursor, f"SELECT DISTINCT {KEY} FROM {HOUSEHOLD} ORDER BY 1")]
        saved = {}
        for table in TABLES:
            saved[table] = {
                "indexes": rows(
                    cursor,
                    """SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisunique, x.indisprimary
                       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass""",
                    [table],
                ),
                "constraints": rows(
                    cursor,
                    """SELECT conname, contype, pg_get_constraintdef(oid), confrelid::regclass::text
                       FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'x')""",
                    [table],
                ),
                "triggers": rows(
                    cursor,
                    "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                    " WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                    [table],
                ),
            }
        incoming = rows(
            cursor,
            """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE contype = 'f' AND confrelid = ANY(%s::regclass[]) AND NOT conrelid = ANY(%s::regclass[])""",
            [TABLES, TABLES],
        )
        for table in TABLES:
            started = time.perf_counter()
            cursor.execute(f"ALTER TABLE {table} RENAME TO {table}__plain")
            extra = "" if table == HOUSEHOLD else f", {KEY} bigint NOT NULL"
            cursor.execute(
                f"CREATE TABLE {table} (LIKE {table}__plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                f"INCLUDING STORAGE INCLUDING COMPRESSION{extra}) PARTITION BY LIST ({KEY})"
            )
            # LIKE does not copy the identity: a sequence of the copy's own, set past the copied ids below.
            cursor.execute(f"CREATE SEQUENCE {table}_id_seq__part")
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq__part')")
            for commune in communes:
                cursor.execute(f"CREATE TABLE {table}_c{commune} PARTITION OF {table} FOR VALUES IN ({commune})")
            cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
            if table == HOUSEHOLD:
                cursor.execute(f"INSERT INTO {table} SELECT * FROM {table}__plain")
            else:
                cursor.execute(
                    f"INSERT INTO {table} SELECT p.*, h.{KEY} FROM {table}__plain p "
                    f"JOIN {HOUSEHOLD} h ON h.id = p.household_id"
                )
            copied = cursor.rowcount
            cursor.execute(f"SELECT setval('{table}_id_seq__part', (SELECT max(id) FROM {table}))")
            print(
                f"{table}: {copied} rows copied into {len(communes) + 1} partitions "
                f"in {time.perf_counter() - started:.1f} s"
            )
        for table in reversed(TABLES):
            cursor.execute(f"DROP TABLE {table}__plain CASCADE")
        for table, name, definition in incoming:
            lost.append(
                f"foreign key {table}.{name} {definition}: dropped (its target's only unique key now "
                f"includes {KEY}, which {table} does not carry)"
            )
        for table in TABLES:
            started = time.perf_counter()
            for name, definition, unique, primary in saved[table]["indexes"]:
                if primary:
                    statement = f"ALTER TABLE {table} ADD CONSTRAINT {name} PRIMARY KEY (id, {KEY})"
                    note = f"primary key {name}: (id) became (id, {KEY})"
                else:
                    statement, note = definition, None
                try:
                    cursor.execute(statement)
                    if note:
                        lost.append(note)
                except psycopg2.Error as error:
                    message = error.pgerror.strip().splitlines()[0]
                    if unique and KEY not in definition:
                        widened = definition.replace(" USING btree (", f" USING btree ({KEY}, ", 1)
                        try:
                            cursor.execute(widened)
                            lost.append(
                                f"unique index {name}: {message} — re-created per {KEY}: {widened.split(' USING ')[1]}"
                            )
                            continue
                        except psycopg2.Error as second:
                            message += " / widened: " + second.pgerror.strip().splitlines()[0]
                    lost.append(f"index {name}: not re-created ({message}): {definition.split(' USING ')[1]}")
            for name, contype, definition, target in saved[table]["constraints"]:
                if contype == "f" and target in TABLES:
                    column = re.search(r"FOREIGN KEY \((\w+)\)", definition).group(1)
                    definition = re.sub(
                        r"FOREIGN KEY \((\w+)\) REFERENCES (\w+)\(id\)",
                        rf"FOREIGN KEY (\1, {KEY}) REFERENCES \2(id, {KEY})",
                        definition,
                    )
                    lost.append(f"foreign key {table}.{column}: now ({column}, {KEY}) -> {target}(id, {KEY})")
                try:
                    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
                except psycopg2.Error as error:
                    lost.append(f"constraint {table}.{name}: not re-created ({error.pgerror.strip().splitlines()[0]})")
            for name, definition in saved[table]["triggers"]:
                try:
                    cursor.execute(definition)
                except psycopg2.Error as error:
                    lost.append(f"trigger {table}.{name}: not re-created ({error.pgerror.strip().splitlines()[0]})")
            print(f"{table}: indexes, constraints and triggers in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"vacuum analyze in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        # What a duplicate looks like to core/integrity.py, which maps the constraint's name to a Vietnamese message.
        cursor.execute("BEGIN")
        try:
            cursor.execute(
                "UPDATE households_statusrecord SET valid_to = NULL WHERE id = ("
                "SELECT s.id FROM households_statusrecord s JOIN households_statusrecord o"
                " ON o.household_id = s.household_id AND o.valid_to IS NULL"
                " WHERE s.valid_to IS NOT NULL LIMIT 1)"
            )
        except psycopg2.Error as error:
            lost.append(
                f"a second open status record is refused as {error.pgcode} on constraint "
                f"{error.diag.constraint_name!r} of table {error.diag.table_name!r}: the partition's index, not "
                "households_one_open_status (the name core/integrity.py UNIQUE_RULES knows)"
            )
        cursor.execute("ROLLBACK")
    print("\nwhat partitioning changed in the schema:")
    for line in lost:
        print(f"  - {line}")
    connection.close()
    plain = connect(args.source, autocommit=True)
    with plain.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")  # both copies measured with fresh statistics and visibility
    plain.close()


# --- the SQL the portal emits -----------------------------------------------------------------------------------


def capture(database: str, root: str) -> list[dict]:
    """Run each scenario through the portal's own code (the tree at ``root``) on ``database`` and keep the
    statements that read the big tables, as PostgreSQL received them, with the communes the scenario covers."""
    sys.path.insert(0, root)
    os.chdir(root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + database
    import logging
    import warnings

    import django

    django.setup()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import User
    from areas.models import AdministrativeUnit
    from households.models import Household
    from households.summary import summary_compute
    from households.transitions import period_for_year, transition_table
    from programs.figures import Period, grouped_figures, unit_figures

    setup_test_environment()
    today = timezone.localdate()
    commune_user = User.objects.select_related("unit").get(username="xa.iarsai")
    district_user = User.objects.select_related("unit").get(username="huyen.krongpa")
    province_user = User.objects.select_related("unit").get(username="tinh.gialai")
    commune, district, province = commune_user.unit, district_user.unit, province_user.unit

    def communes_in(unit) -> list[int]:
        return list(
            AdministrativeUnit.objects.filter(path__startswith=unit.path, level="commune").values_list("pk", flat=True)
        )

    def children_of(unit) -> list:
        return list(AdministrativeUnit.objects.valid_on().filter(parent=unit).order_by("pk"))

    name = (
        Household.objects.visible_to(commune_user)
        .filter(state="active")
        .order_by("pk")
        .values_list("head_name", flat=True)[500]
    )

    def page(user, query: dict):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("households:list"), query)
        assert response.status_code == 200, response.status_code

    figure_period = Period.year(today.year)
    movement_period = period_for_year(today.year, today)
    scenarios = [
        ("commune officer: household list, page 1", commune, lambda: page(commune_user, {})),
        (f"commune officer: search '{name}'", commune, lambda: page(commune_user, {"q": name})),
        ("commune: dashboard summary recompute", commune, lambda: summary_compute([commune.pk], today=today)),
        (
            "commune: support figures (unit_figures)",
            commune,
            lambda: unit_figures(unit=commune, period=figure_period, user=commune_user),
        ),
        (
            "district: support figures of its communes (grouped_figures)",
            district,
            lambda: grouped_figures(
                unit=district, children=children_of(district), period=figure_period, user=district_user
            ),
        ),
        (
            "district: movement table by commune",
            district,
            lambda: transition_table(district_user, period=movement_period, level="commune", scope=district),
        ),
        (
            "whole 'country': support figures by district (grouped_figures)",
            province,
            lambda: grouped_figures(
                unit=province, children=children_of(province), period=figure_period, user=province_user
            ),
        ),
        (
            "whole 'country': movement table by commune",
            province,
            lambda: transition_table(province_user, period=movement_period, level="commune", scope=province),
        ),
    ]
    captured = []
    for title, scope, run in scenarios:
        run()  # warm the caches of Django and the session
        with CaptureQueriesContext(connection) as queries:
            run()
        statements = [q["sql"] for q in queries.captured_queries if any(f'"{t}"' in q["sql"] for t in TABLES)]
        captured.append({"title": title, "communes": communes_in(scope), "statements": statements})
    connection.close()
    return captured


# --- the partition key added where the ORM would have to add it -------------------------------------------------

NOT_ALIAS = {
    "ON",
    "WHERE",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "CROSS",
    "JOIN",
    "GROUP",
    "ORDER",
    "LIMIT",
    "UNION",
    "HAVING",
    "OFFSET",
    "FOR",
    "AS",
}
REFERENCE = re.compile(r'\b(FROM|JOIN)\s+("?)(' + "|".join(TABLES) + r")\2(\s+(\w+))?", re.IGNORECASE)


def partition_aware(sql: str, communes: list[int], *, children: bool = True) -> str:
    """The same statement with the partition key in it, as an ORM that knew the key would have to write it: every
    reference to a big table reads only the scope's communes (``… WHERE commune_id IN (…)``), so PostgreSQL can
    prune every table of the join, not only the households. On the plain copy (``children=False``) only the
    households are restricted: its child tables have no key column, and the join restricts them anyway."""
    keys = ", ".join(str(c) for c in communes)

    def scoped(match: re.Match) -> str:
        keyword, _quote, table, tail, word = match.groups()
        if table != HOUSEHOLD and not children:
            return match.group(0)
        alias = word if word and word.upper() not in NOT_ALIAS else None
        rest = tail if tail and alias is None else ""
        return f"{keyword} (SELECT * FROM {table} WHERE {KEY} IN ({keys})) {alias or chr(34) + table + chr(34)}{rest}"

    return REFERENCE.sub(scoped, sql)


# --- measuring ----------------------------------------------------------------------------------------------------


def explain(cursor, sql: str) -> dict:
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
    result = cursor.fetchone()[0][0]
    partitions, removed = set(), 0

    def walk(node: dict) -> None:
        nonlocal removed
        relation = node.get("Relation Name", "")
        if re.search(r"_(c\d+|default)$", relation):
            partitions.add(relation)
        removed += node.get("Subplans Removed", 0)
        for child in node.get("Plans", []):
            walk(child)

    walk(result["Plan"])
    plan = result["Plan"]
    return {
        "planning": result["Planning Time"],
        "execution": result["Execution Time"],
        "buffers": plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0),
        "partitions": len(partitions),
        "removed": removed,
    }


def timed(connection, sql: str, repeat: int, settings: str = "") -> dict:
    with connection.cursor() as cursor:
        cursor.execute("RESET ALL; SET jit = off;" + settings)
        explain(cursor, sql)  # warm
        runs = [explain(cursor, sql) for _ in range(repeat)]
    connection.rollback()
    return {
        "planning": statistics.median(r["planning"] for r in runs),
        "execution": statistics.median(r["execution"] for r in runs),
        "buffers": runs[-1]["buffers"],
        "partitions": runs[-1]["partitions"],
        "removed": runs[-1]["removed"],
    }


def sizes(connection) -> dict:
    with connection.cursor() as cursor:
        out = {}
        for table in TABLES:
            cursor.execute(
                """SELECT coalesce(sum(pg_relation_size(c.oid)) FILTER (WHERE c.relkind IN ('r', 'p')), 0),
                          coalesce(sum(pg_indexes_size(c.oid)) FILTER (WHERE c.relkind IN ('r', 'p')), 0),
                          count(*) FILTER (WHERE c.relkind = 'r')
                   FROM pg_class c WHERE c.oid IN (SELECT relid FROM pg_partition_tree(%s::regclass))
                      OR c.oid = %s::regclass""",
                [table, table],
            )
            heap, index, leaves = cursor.fetchone()
            out[table] = {"heap_mb": heap / 2**20, "index_mb": index / 2**20, "leaves": leaves}
    connection.rollback()
    return out


def copy_insert(plain, part, repeat: int) -> dict:
    """1.000 households of one commune and their members written again with new ids by COPY, in each database,
    foreign keys and the summary triggers included (SET CONSTRAINTS ALL IMMEDIATE), then rolled back."""
    import io

    offset = 10**9
    results = {}
    with plain.cursor() as cursor:
        columns = {}
        for table in (HOUSEHOLD, "households_member"):
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
                [table],
            )
            columns[table] = [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT {KEY} FROM {HOUSEHOLD} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
        commune = cursor.fetchone()[0]
        picked = f"SELECT id FROM {HOUSEHOLD} WHERE {KEY} = {commune} ORDER BY id LIMIT 1000"
        household_select = ", ".join(
            {"id": f"id + {offset}", "code": f"'P' || (id + {offset})::text"}.get(c, c) for c in columns[HOUSEHOLD]
        )
        member_select = ", ".join(
            {"id": f"id + {offset}", "household_id": f"household_id + {offset}"}.get(c, c)
            for c in columns["households_member"]
        )
        data = {}
        for name, select, source, where in (
            ("households", household_select, HOUSEHOLD, f"id IN ({picked})"),
            ("members", member_select, "households_member", f"household_id IN ({picked})"),
            ("members_keyed", member_select + f", {commune}", "households_member", f"household_id IN ({picked})"),
        ):
            buffer = io.StringIO()
            cursor.copy_expert(f"COPY (SELECT {select} FROM {source} WHERE {where}) TO STDOUT", buffer)
            data[name] = buffer.getvalue()
    plain.rollback()
    for label, connection, member_data, member_columns in (
        ("plain", plain, "members", columns["households_member"]),
        ("partitioned", part, "members_keyed", [*columns["households_member"], KEY]),
    ):
        runs = []
        for _ in range(repeat):
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.copy_expert(
                    f"COPY {HOUSEHOLD} ({', '.join(columns[HOUSEHOLD])}) FROM STDIN", io.StringIO(data["households"])
                )
                cursor.copy_expert(
                    f"COPY households_member ({', '.join(member_columns)}) FROM STDIN", io.StringIO(data[member_data])
                )
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                runs.append(time.perf_counter() - started)
            connection.rollback()
        results[label] = statistics.median(runs) * 1000
    results["members"] = data["members"].count("\n")
    return results


def load() -> str:
    """UTC time and load average (Django sets TZ to Vietnam's in this process, so not `uptime`)."""
    one, five, fifteen = os.getloadavg()
    return f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def measure(args) -> None:
    captured = capture(args.plain, args.root)
    load_before = load()
    plain, part = connect(args.plain), connect(args.part)
    partitionwise = "SET enable_partitionwise_join = on; SET enable_partitionwise_aggregate = on;"
    report = {"load_before": load_before, "scenarios": []}
    print(f"load before: {load_before}")
    print("per scenario, summed over its statements: planning + execution ms (buffers, partitions read)")
    for scenario in captured:
        totals = {}
        for sql in scenario["statements"]:
            keyed = partition_aware(sql, scenario["communes"])
            for variant, connection, statement, settings in (
                ("plain as emitted", plain, sql, ""),
                ("plain, key added", plain, partition_aware(sql, scenario["communes"], children=False), ""),
                ("partitioned as emitted", part, sql, ""),
                ("partitioned, key added", part, keyed, partitionwise),
            ):
                result = timed(connection, statement, args.repeat, settings)
                total = totals.setdefault(variant, dict.fromkeys(result, 0))
                for key, value in result.items():
                    total[key] += value
        report["scenarios"].append({**scenario, "totals": totals})
        print(f"\n{scenario['title']} ({len(scenario['statements'])} statements, {len(scenario['communes'])} communes)")
        for variant, total in totals.items():
            print(
                f"  {variant:24} {total['planning']:8.1f} + {total['execution']:9.1f} ms"
                f"  ({total['buffers']:>8} buffers, {total['partitions']:>3} partitions read, "
                f"{total['removed']} pruned at run time)"
            )
    copied = copy_insert(plain, part, args.repeat)
    report["copy"] = copied
    print(
        f"\nCOPY of 1.000 households and {copied['members']} members (FKs and triggers checked, rolled back): "
        f"plain {copied['plain']:.0f} ms, partitioned {copied['partitioned']:.0f} ms"
    )
    report["sizes"] = {"plain": sizes(plain), "partitioned": sizes(part)}
    print("\nsizes (MB): table heap / indexes")
    for table in TABLES:
        a, b = report["sizes"]["plain"][table], report["sizes"]["partitioned"][table]
        print(
            f"  {table:26} plain {a['heap_mb']:7.1f} / {a['index_mb']:7.1f}   "
            f"partitioned ({b['leaves']} leaves) {b['heap_mb']:7.1f} / {b['index_mb']:7.1f}"
        )
    report["load_after"] = load()
    print(f"load after: {report['load_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("build", help="make the partitioned copy")
    command.add_argument("--source", required=True)
    command.add_argument("--target", required=True)
    command = commands.add_parser("measure", help="the same SQL on both copies")
    command.add_argument("--plain", required=True)
    command.add_argument("--part", required=True)
    command.add_argument("--repeat", type=int, default=3)
    command.add_argument(
        "--root",
        default=str(ROOT),
        help="the project tree whose SQL is measured (e.g. a git archive "
        "of a commit whose migrations the copies are at)",
    )
    command.add_argument("--json", help="write the measurements here too")
    args = parser.parse_args()
    {"build": build, "measure": measure}[args.command](args)


if __name__ == "__main__":
    main()
