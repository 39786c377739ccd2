"""Benchmark: the movement table (households.transitions) and target progress on a province of demo households.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/transitions.py --per-commune 1000

Uses a benchmark database (DATABASE_URL with the name suffixed "_bench_transitions"), fills every demo commune
(14 of Krông Pa, 9 of Ia Pa) with N households and their status history since 2021 (households.demo_targets),
then times each level of the table for province staff and the targets page selector, with the number of
queries. Target: a whole province's table in well under a second; queries constant.

Measured 26/11/2026 (23,000 households, 31,402 status records, best of 3, local PostgreSQL):
province table by village, commune, district or province 133–139 ms (3–4 queries); district table by village
92 ms; district targets page selector with last year 201 ms (9 queries). Before the materialised CTE and with
PostgreSQL's JIT on, the same tables took 6.6–7.6 s.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.formatting import number  # noqa: E402 - after the project is on the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
base_url = os.environ["DATABASE_URL"].rsplit("/", 1)
os.environ["DATABASE_URL"] = f"{base_url[0]}/{base_url[1]}_bench_transitions"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-commune", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django
    from django.core.management import call_command
    from django.db import connection
    from django.db.utils import OperationalError

    try:
        django.setup()
        connection.ensure_connection()
    except OperationalError:
        import psycopg2

        dsn = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        admin = psycopg2.connect(dsn)
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{connection.settings_dict["NAME"]}"')
        admin.close()
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)

    from accounts.models import User
    from households.demo import demo_communes, households_generate
    from households.demo_targets import demo_targets_load
    from households.models import Household, StatusRecord
    from households.targets import target_progress
    from households.transitions import period_for_year, transition_table

    started = time.perf_counter()
    households_generate(communes=demo_communes(), per_commune=args.per_commune, seed=2021)
    loaded = demo_targets_load(seed=2021)
    print(
        f"data: {number(Household.objects.count())} households, {number(StatusRecord.objects.count())} status "
        f"records ({number(loaded.histories)} new histories, {number(time.perf_counter() - started, 1)} s)"
    )

    province_staff = User.objects.get(username="tinh.gialai")
    district_staff = User.objects.get(username="huyen.krongpa")
    period = period_for_year(2025)

    def timed(label, func):
        counted = [0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        best = None
        for _index in range(args.repeat):
            counted[0] = 0
            with connection.execute_wrapper(count):
                begin = time.perf_counter()
                result = func()
                seconds = time.perf_counter() - begin
            best = seconds if best is None else min(best, seconds)
        print(f"{label:<40} {number(best * 1000, 1):>8} ms  {number(counted[0]):>3} queries")
        return result

    for level in ("village", "commune", "district", "province"):
        table = timed(
            f"province table by {level}",
            lambda level=level: transition_table(province_staff, period=period, level=level, scope=province_staff.unit),
        )
        assert table.total.counts["households"] > 0
    timed(
        "district table by village",
        lambda: transition_table(district_staff, period=period, level="village", scope=district_staff.unit),
    )
    timed(
        "district targets page (with last year)",
        lambda: target_progress(district_staff, scope=district_staff.unit, year=2026, with_last_year=True),
    )


if __name__ == "__main__":
    main()
