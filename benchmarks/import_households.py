"""Benchmark: Excel import of N demo households (dry run, then commit) into a throw-away commune.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/import_households.py --households 500 [--profile]

It builds the workbook from the demo generator (exported through the portal's own export), imports it into a
fresh commune of a benchmark database (DATABASE_URL with the name suffixed "_bench"), and prints wall time,
queries and peak memory for each phase. Results go to docs/performance.md by hand.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.formatting import number  # noqa: E402 - after the project is on the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
base_url = os.environ["DATABASE_URL"].rsplit("/", 1)
os.environ["DATABASE_URL"] = f"{base_url[0]}/{base_url[1]}_bench"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="cProfile each phase (slows it down)")
    parser.add_argument("--memory", action="store_true", help="trace peak memory (slows it down)")
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
    from households.demo import households_generate
    from households.excel import export_queryset, export_workbook, household_import, read_sheet
    from households.models import Household, Member

    def purge(commune):
        Member.objects.filter(household__commune=commune).delete()
        Household.objects.filter(commune=commune).delete()

    # Generate into Ia RSai, export, then delete so that the import creates them again.
    officer = User.objects.get(username="xa.iarsai")
    commune = officer.unit
    purge(commune)
    households_generate(communes=[commune], per_commune=args.households, seed=7)
    households = Household.objects.filter(commune=commune).order_by("code")
    content = export_workbook(export_queryset(households))
    purge(commune)

    def phase(label, func):
        if args.memory:
            tracemalloc.start()
        profiler = cProfile.Profile() if args.profile else None
        counted = [0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            result = func()
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - started
        memory = ""
        if args.memory:
            memory = f"  peak {number(tracemalloc.get_traced_memory()[1] / 2**20, 1):>6} MiB"
            tracemalloc.stop()
        print(f"{label:<12} {number(seconds, 2):>7} s  {number(counted[0]):>6} queries{memory}")
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return result

    sheet = phase("read", lambda: read_sheet(content))
    if os.environ.get("BENCH_QUERIES"):
        sys.path.insert(0, "/tmp")
        import qcount

        qcount.top(lambda: household_import(sheet=sheet, user=officer, commit=False))
    dry = phase("dry run", lambda: household_import(sheet=sheet, user=officer, commit=False))
    assert dry.ok, dry.sorted_errors()[:5]
    done = phase("commit", lambda: household_import(sheet=sheet, user=officer, commit=True))
    assert done.committed and len(done.created) == args.households
    again = phase("re-import", lambda: household_import(sheet=sheet, user=officer, commit=True))
    assert len(again.unchanged) == args.households
    print(
        f"{number(args.households)} households, {number(done.members)} members, file {number(len(content) / 1024)} KiB"
    )


if __name__ == "__main__":
    main()
