"""Benchmark: peak memory and time of the province-wide household export as a background job (core/exports.py).

    eval "$(bash scripts/services.sh env)"
    # a database of its own, filled once (about 100.000 households with --per-commune 4300):
    DATABASE_URL=postgres://…/giamngheo_export .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://…/giamngheo_export .venv/bin/python manage.py load_demo
    DATABASE_URL=postgres://…/giamngheo_export .venv/bin/python manage.py generate_households --per-commune 4300
    DATABASE_URL=postgres://…/giamngheo_export .venv/bin/python benchmarks/export_households.py --sizes 10000 50000 0

Each size runs in a fresh process (so one run's peak does not hide another's) as the province officer `tinh.gialai`:
size 0 is the real thing, a JobRun of kind ``excel_export`` for the whole province driven by the runner
(``job_run_execute``: the replayed request, the scoped selector, the streamed write-only workbook into
MEDIA_ROOT/exports); other sizes write the first N households of the same list with the same writer. Printed: rows
(one per member), households, seconds, the process's resident memory before the export and at its peak
(``ru_maxrss``), and the file's size. The peak minus the baseline, against the rows, is what docs/performance.md
extrapolates to 1.000.000 households.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(size: int) -> dict:
    import django

    django.setup()
    from openpyxl import load_workbook

    from accounts.models import User
    from core.exports import EXPORT_JOB, export_file, no_progress
    from core.jobs import job_run_execute
    from core.models import JobRun
    from households import excel
    from households.selectors import household_list_for

    user = User.objects.select_related("unit").get(username="tinh.gialai")
    households = household_list_for(user, filters={})
    households.exists()
    baseline = rss_mb()
    started = time.perf_counter()
    if size == 0:
        job = JobRun.objects.create(
            kind=EXPORT_JOB,
            requested_by=user,
            unit=user.unit,
            params={"url_name": "households:export", "args": [], "query": "", "language": "vi"},
        )
        job = job_run_execute(job_id=job.pk)
        if job.status != "succeeded":
            raise SystemExit(f"job failed: {job.error}")
        path = export_file(job)
        count = households.count()
    else:
        path = ROOT / "media" / "exports" / f"bench-{size}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        subset = households.filter(pk__in=list(households.values_list("pk", flat=True)[:size]))
        count = subset.count()
        excel.export_workbook(excel.export_queryset(subset), target=path, progress=no_progress, total=count)
    seconds = time.perf_counter() - started
    peak = peak_mb()
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = sum(1 for _row in sheet.iter_rows(min_col=1, max_col=1, values_only=True)) - 1  # minus the header
    result = {
        "households": count,
        "rows": rows,
        "seconds": round(seconds, 1),
        "baseline_mb": round(baseline, 1),
        "peak_mb": round(peak, 1),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }
    path.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 0], help="households; 0 = the whole job")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one)))
        return
    print(f"{'hộ':>9} {'dòng':>9} {'giây':>7} {'RSS trước (MB)':>15} {'RSS đỉnh (MB)':>14} {'tệp (MB)':>9}")
    for size in args.sizes:
        output = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], check=True, capture_output=True, text=True
        ).stdout
        r = json.loads(output.strip().splitlines()[-1])
        print(
            f"{r['households']:>9} {r['rows']:>9} {r['seconds']:>7} {r['baseline_mb']:>15} {r['peak_mb']:>14} "
            f"{r['file_mb']:>9}" + ("  (job)" if size == 0 else "")
        )


if __name__ == "__main__":
    main()
