"""Benchmark: the Excel import of N demo households, end to end, beside a plain django-import-export import.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/import_households.py --households 20000 [--workbook /tmp/ho-20000.xlsx]
        [--import-export-households 2000] [--only portal|import-export] [--database NAME]
        [--profile [--profile-out PREFIX]] [--memory]

It builds the workbook from the demo generator (exported through the portal's own export; kept in --workbook to be
reused), deletes the households and times, for an officer of Ia RSai in a benchmark database (--database, by default
DATABASE_URL's name suffixed "_bench"): reading the file, the dry run, the commit and a re-import of the same file
(which must change nothing), with the number of queries. "End to end" is what the officer waits for: read, parse
and dry run, keeping the parsed cells (the preview), then the commit from those cells (the confirmation). Then, on
the same rows, a plain django-import-export ``ModelResource`` import of the households and then of their members
(row by row, its defaults), and the ratio of the two rates. Each phase prints its wall time, this process's CPU
time and the PostgreSQL backend's CPU time (from /proc, when the server runs on the same machine); on a shared machine
the wall time grows with the load, the CPU times much less. The portal's phases are also given in milliseconds of
Python CPU per household. The machine's load
(``uptime``) is printed before and after. Results go to docs/performance.md by hand.
"""

import argparse
import cProfile
import os
import pstats
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.formatting import number  # noqa: E402 - after the project is on the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=500)
    parser.add_argument("--workbook", help="where the generated workbook is kept (reused when it exists)")
    parser.add_argument(
        "--import-export-households",
        type=int,
        default=None,
        help="import only the first N households with django-import-export (default: all); the rate is compared",
    )
    parser.add_argument(
        "--only", choices=["portal", "import-export"], help="run only the portal's import or only django-import-export"
    )
    parser.add_argument(
        "--portal-rate", type=float, help="with --only import-export: the portal's end-to-end rate, for the ratio"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile each phase (slows it down)")
    parser.add_argument("--profile-out", help="with --profile: also save each phase's stats to PREFIX-<phase>.prof")
    parser.add_argument("--memory", action="store_true", help="trace peak memory (slows it down)")
    parser.add_argument("--database", help="the benchmark database's name (default: DATABASE_URL's name + _bench)")
    args = parser.parse_args()
    base_url = os.environ["DATABASE_URL"].rsplit("/", 1)
    os.environ["DATABASE_URL"] = f"{base_url[0]}/{args.database or base_url[1] + '_bench'}"

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
    from households.excel import export_queryset, export_workbook, read_sheet
    from households.models import ChangeEntry, Household, Member

    def purge(commune):
        ChangeEntry.objects.filter(household__commune=commune).delete()
        Member.objects.filter(household__commune=commune).delete()
        Household.objects.filter(commune=commune).delete()

    officer = User.objects.get(username="xa.iarsai")
    commune = officer.unit
    purge(commune)
    path = Path(args.workbook) if args.workbook else None
    if path is not None and path.exists():
        content = path.read_bytes()
    else:  # generate into Ia RSai, export, then delete so that the import creates them again
        households_generate(communes=[commune], per_commune=args.households, seed=7)
        households = Household.objects.filter(commune=commune).order_by("code")
        content = export_workbook(export_queryset(households))
        purge(commune)
        if path is not None:
            path.write_bytes(content)

    def backend_cpu() -> float | None:
        """The PostgreSQL backend's CPU time so far (user + system, from /proc: same machine only)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")

    def phase(label, func):
        server = backend_cpu()
        if args.memory:
            tracemalloc.start()
        profiler = cProfile.Profile() if args.profile else None
        counted = [0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            result = func()
            if profiler:
                profiler.disable()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        server_after = backend_cpu()
        server = "" if server is None or server_after is None else f"  backend CPU {number(server_after - server, 2)} s"
        totals[label] = (seconds, cpu)
        memory = ""
        if args.memory:
            memory = f"  peak {number(tracemalloc.get_traced_memory()[1] / 2**20, 1):>6} MiB"
            tracemalloc.stop()
        print(
            f"{label:<28} {number(seconds, 2):>8} s (Python CPU {number(cpu, 2):>6} s)  {number(counted[0]):>7} queries"
            f"{server}{memory}",
            flush=True,
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            if args.profile_out:
                profiler.dump_stats(f"{args.profile_out}-{re.sub(r'[^a-z]+', '-', label).strip('-')}.prof")
        return result, seconds

    totals: dict[str, tuple[float, float]] = {}
    print(f"load before: {uptime()}", flush=True)
    sheet, read_seconds = phase("read", lambda: read_sheet(content))
    rate = args.portal_rate
    if args.only != "import-export":
        rate = portal_run(sheet, officer, read_seconds, len(content), phase)
        households = len({row.raw["code"] for row in sheet.rows})
        for label, (_seconds, cpu) in totals.items():
            print(f"  {label:<26} {number(cpu * 1000 / households, 3):>7} ms of Python CPU per household", flush=True)
        cpu = sum(cpu for label, (_seconds, cpu) in totals.items() if not label.startswith(("re-import", "update")))
        print(
            f"  end to end: {number(cpu * 1000 / households, 3)} ms of Python CPU per household = "
            f"{number(households / cpu)} households per second of CPU",
            flush=True,
        )
    if args.only != "portal":
        # The same rows through django-import-export's ModelResource, row by row (its defaults), into an empty commune.
        purge(commune)
        limit = args.import_export_households or len({row.raw["code"] for row in sheet.rows})
        ie_seconds, ie_households = import_export_run(sheet, commune, limit, phase)
        ie_rate = ie_households / ie_seconds
        ratio = f"; the portal's import is {number(rate / ie_rate, 1)} × faster end to end" if rate else ""
        print(
            f"django-import-export: {number(ie_households)} households in {number(ie_seconds, 1)} s = "
            f"{number(ie_rate, 1)} households/s{ratio}",
            flush=True,
        )
    purge(commune)
    print(f"load after: {uptime()}", flush=True)


def portal_run(sheet, officer, read_seconds: float, size: int, phase) -> float:
    """The dry run, the commit and a re-import of the same file, as the two jobs run them, then the same for a file
    that updates every household; returns the new file's end-to-end rate. The dry run parses the cells and keeps
    them beside the upload; the commit starts from them (it loads, checks the signature and looks the villages and
    ethnic groups up again), as ``households.jobs`` does."""
    from households.excel import household_import

    (dry, done), (seconds, commit_seconds) = preview_and_confirm(sheet, officer, phase, "")
    total = dry.households
    assert done.committed and len(done.created) == total
    again, _seconds = phase("re-import (no change)", lambda: household_import(sheet=sheet, user=officer, commit=True))
    assert len(again.unchanged) == total
    end_to_end = read_seconds + seconds
    rate = total / end_to_end
    print(
        f"{number(total)} households, {number(done.members)} members, file {number(size / 2**20, 1)} MiB; "
        f"end to end (read + dry run + keeping the cells, commit from them) {number(end_to_end, 1)} s = "
        f"{number(rate)} households/s; commit alone {number(total / commit_seconds)} households/s",
        flush=True,
    )
    # The annual review's file: the same households, each with a new income and its members' cards renewed.
    (dry, done), (seconds, _commit) = preview_and_confirm(renewed(sheet), officer, phase, "update: ")
    assert len(done.updated) == total
    end_to_end = read_seconds + seconds
    print(
        f"update of every household (income, cards): end to end {number(end_to_end, 1)} s = "
        f"{number(total / end_to_end)} households/s (the read counted as for the new file)",
        flush=True,
    )
    return rate


def preview_and_confirm(sheet, officer, phase, prefix: str) -> tuple[tuple, tuple[float, float]]:
    """The dry run, keeping its parsed cells, and the commit from them, as the two jobs run them; the two reports,
    the seconds of the three phases and those of the commit."""
    import tempfile

    from households.excel import household_import, parse_sheet, parsed_dumps, parsed_loads

    def dry_run():
        parsed = parse_sheet(sheet)
        return parsed, household_import(sheet=parsed, user=officer, commit=False)

    (parsed, dry), dry_seconds = phase(f"{prefix}dry run", dry_run)
    assert dry.ok, dry.sorted_errors()[:5]
    stored = Path(tempfile.mkstemp(suffix=".rows")[1])
    _none, keep_seconds = phase(
        f"{prefix}keep parsed cells", lambda: stored.write_bytes(parsed_dumps(parsed, sha256="bench", job=1))
    )
    if not prefix:
        print(f"parsed cells kept: {number(stored.stat().st_size / 2**20, 1)} MiB", flush=True)

    def commit():
        kept = parsed_loads(stored.read_bytes(), sha256="bench", job=1)
        assert kept is not None
        return household_import(sheet=kept, user=officer, commit=True, expected_versions=dry.versions)

    done, commit_seconds = phase(f"{prefix}commit (kept cells)", commit)
    stored.unlink()
    assert done.committed
    return (dry, done), (dry_seconds + keep_seconds + commit_seconds, commit_seconds)


def renewed(sheet):
    """The sheet a year later: every household's income 100.000 đồng higher, every health-insurance card one more
    year (so every household and nearly every member changes)."""
    from households.excel.workbooks import Sheet, SheetRow

    rows = []
    for row in sheet.rows:
        raw = dict(row.raw)
        if isinstance(raw.get("income_per_capita"), (int, float)):
            raw["income_per_capita"] += 100_000
        valid_to = raw.get("health_insurance_valid_to")
        if valid_to is not None and hasattr(valid_to, "year"):
            try:
                raw["health_insurance_valid_to"] = valid_to.replace(year=valid_to.year + 1)
            except ValueError:  # 29/02 → 28/02 of the next year
                raw["health_insurance_valid_to"] = valid_to.replace(year=valid_to.year + 1, day=28)
        rows.append(SheetRow(row.number, raw))
    return Sheet(sheet.columns, rows)


def import_export_run(sheet, commune, limit: int, phase) -> tuple[float, int]:
    """Households, then members, as two plain ``ModelResource`` imports of the parsed rows (model values)."""
    import tablib
    from import_export import fields, resources, widgets

    from accounts.models import User
    from households.excel.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, Lookups, parse_cell
    from households.models import EthnicGroup, Household, Member

    lookups = Lookups.for_user(User.objects.get(username="xa.iarsai"))
    household_fields = [c.key for c in HOUSEHOLD_COLUMNS]
    member_fields = [c.key for c in MEMBER_COLUMNS]

    def value(column, raw):
        parsed = parse_cell(column, raw, lookups)
        if hasattr(parsed, "pk"):
            return parsed.pk
        return "" if parsed is None else parsed

    households, members, seen = tablib.Dataset(), tablib.Dataset(), {}
    households.headers = [*household_fields, "commune", "head_name"]
    members.headers = ["id", "household", *member_fields]
    for row in sheet.rows:
        code = str(row.raw["code"]).strip().upper()
        if code not in seen:
            if len(seen) == limit:
                break
            cells = [value(c, row.raw.get(c.key)) for c in HOUSEHOLD_COLUMNS]
            cells[household_fields.index("area_type")] = cells[household_fields.index("area_type")] or "rural"
            seen[code] = len(seen)
            households.append([*cells, commune.pk, row.raw["full_name"]])
        members.append(["", code, *[value(c, row.raw.get(c.key)) for c in MEMBER_COLUMNS]])

    class HouseholdResource(resources.ModelResource):
        class Meta:
            model = Household
            fields = (*household_fields, "commune", "head_name")
            import_id_fields = ("code",)

    class MemberResource(resources.ModelResource):
        household = fields.Field("household", "household", widgets.ForeignKeyWidget(Household, "code"))
        ethnic_group = fields.Field("ethnic_group", "ethnic_group", widgets.ForeignKeyWidget(EthnicGroup, "pk"))

        class Meta:
            model = Member
            fields = ("id", "household", *member_fields)

    def run():
        first = HouseholdResource().import_data(households, dry_run=False, raise_errors=True)
        second = MemberResource().import_data(members, dry_run=False, raise_errors=True)
        return first, second

    _result, seconds = phase(f"import-export {len(seen)} households", run)
    assert Household.objects.filter(commune=commune).count() == len(seen)
    assert Member.objects.filter(household__commune=commune).count() == len(members)
    return seconds, len(seen)


if __name__ == "__main__":
    main()
