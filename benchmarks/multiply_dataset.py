"""Grow a benchmark database by copying its households in SQL: every household with its members, status records
and benefits, ``--times`` more times (codes suffixed ``~k``, card numbers replaced by a hash), in the same villages.

    DATABASE_URL=postgres://…/gn_big .venv/bin/python benchmarks/multiply_dataset.py --times 9

For measuring the figures at sizes the demo generator does not reach in minutes: the copies have the generator's
distributions (classes, histories, support) because they are its rows. Never run it on a real database: it refuses
one that has no demo account ``tinh.gialai``. Change history, reviews and registrations are not copied.

For a new database, ``manage.py generate_households --per-commune N`` now builds the same sizes directly and faster
(``households.demo_scale``: one statement per table for all copies, new codes instead of ``~k`` suffixes, recombined
names, members' own card numbers, snapshots naming the copy's members); this script stays for growing a database that
already holds generated households (gn_1m was built with it: the copies' names and snapshots repeat their originals').
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> 'id' "
        "AND is_generated = 'NEVER' ORDER BY ordinal_position",  # generated columns are computed, not copied
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def copy_statement(table: str, cols: list[str], replace: dict[str, str], source: str) -> str:
    target = ", ".join(f'"{c}"' for c in cols)
    values = ", ".join(replace.get(c, f'o."{c}"') for c in cols)
    return f"INSERT INTO {table} ({target}) SELECT {values} {source}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--times", type=int, default=1)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction

    from accounts.models import User

    if not User.objects.filter(username="tinh.gialai").exists():
        sys.exit("Not a demo database (no tinh.gialai): refusing to copy.")
    with connection.cursor() as cursor:
        household_cols = columns(cursor, "households_household")
        member_cols = columns(cursor, "households_member")
        status_cols = columns(cursor, "households_statusrecord")
        benefit_cols = columns(cursor, "programs_benefit")
        cursor.execute("SELECT max(id) FROM households_household WHERE code NOT LIKE '%%~%%'")
        originals = cursor.fetchone()[0]
        for k in range(1, args.times + 1):
            suffix = f"~{k}"
            cursor.execute("SELECT 1 FROM households_household WHERE code LIKE %s LIMIT 1", [f"%{suffix}"])
            if cursor.fetchone():
                print(f"copy {k}: already there")
                continue
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute(
                    copy_statement(
                        "households_household",
                        household_cols,
                        {"code": f"o.code || '{suffix}'"},
                        "FROM households_household o WHERE o.code NOT LIKE '%%~%%' AND o.id <= %s",
                    ),
                    [originals],
                )
                cursor.execute(
                    "CREATE TEMP TABLE hmap ON COMMIT DROP AS SELECT o.id AS old_id, n.id AS new_id "
                    "FROM households_household o JOIN households_household n "
                    "ON n.commune_id = o.commune_id AND n.code = o.code || %s WHERE o.code NOT LIKE '%%~%%'",
                    [suffix],
                )
                cursor.execute("CREATE INDEX ON hmap (old_id)")
                cursor.execute(
                    copy_statement(
                        "households_member",
                        member_cols,
                        {"household_id": "m.new_id"},
                        "FROM households_member o JOIN hmap m ON m.old_id = o.household_id ORDER BY o.id",
                    )
                )
                # Members of the originals and of this copy only: numbering every member of the database each
                # time made each copy slower than the last.
                cursor.execute(
                    "CREATE TEMP TABLE mmap ON COMMIT DROP AS "
                    "SELECT o.id AS old_id, n.id AS new_id FROM "
                    "(SELECT id, household_id, row_number() OVER (PARTITION BY household_id ORDER BY id) r "
                    " FROM households_member WHERE household_id IN (SELECT old_id FROM hmap)) o "
                    "JOIN hmap h ON h.old_id = o.household_id JOIN "
                    "(SELECT id, household_id, row_number() OVER (PARTITION BY household_id ORDER BY id) r "
                    " FROM households_member WHERE household_id IN (SELECT new_id FROM hmap)) n "
                    "ON n.household_id = h.new_id AND n.r = o.r"
                )
                cursor.execute("CREATE INDEX ON mmap (old_id)")
                cursor.execute(
                    copy_statement(
                        "households_statusrecord",
                        status_cols,
                        {"household_id": "m.new_id"},
                        "FROM households_statusrecord o JOIN hmap m ON m.old_id = o.household_id",
                    )
                )
                cursor.execute(
                    copy_statement(
                        "programs_benefit",
                        benefit_cols,
                        {
                            "household_id": "m.new_id",
                            "member_id": "mm.new_id",
                            # 15 characters: a hash of the original number and the copy's
                            "card_number": "CASE WHEN o.card_number = '' THEN '' "
                            f"ELSE upper(left(md5(o.card_number || '{suffix}'), 15)) END",
                        },
                        "FROM programs_benefit o JOIN hmap m ON m.old_id = o.household_id "
                        "LEFT JOIN mmap mm ON mm.old_id = o.member_id",
                    )
                )
            print(f"copy {k}: {time.perf_counter() - started:.1f} s", flush=True)
        cursor.execute("ANALYZE households_household, households_member, households_statusrecord, programs_benefit")
        cursor.execute("SELECT count(*) FROM households_household")
        print(f"households: {cursor.fetchone()[0]}")


if __name__ == "__main__":
    main()
