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

``--writer`` chooses how the direct mode reads and writes: ``instances`` is the model-instance writer
(``workbooks.export_workbook`` over ``export_queryset``, the export before 03/12/2026), ``openpyxl`` and ``xlsxwriter``
read tuples (households/excel/export.py) and write with openpyxl write-only or xlsxwriter ``constant_memory``.
Size -1 writes the whole province in the direct mode. The direct mode only reads the database (the file goes
under media/exports/ and is removed); size 0 creates a JobRun row, so never point size 0 at a read-only database.
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


def count_rows(path: Path) -> int:
    """Rows under the header: the number of the sheet's last row, read from its XML as it is inflated (loading a
    million rows with openpyxl takes longer than writing them)."""
    import re
    import zipfile

    last, tail = 0, b""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            data = tail + chunk
            numbers = re.findall(rb'<row r="(\d+)"', data)
            if numbers:
                last = max(last, int(numbers[-1]))
            tail = data[-32:]
    return last - 1


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(size: int, writer: str) -> dict:
    import django

    django.setup()

    from accounts.models import User
    from core.exports import EXPORT_JOB, export_file, no_progress
    from core.jobs import job_run_execute
    from core.models import JobRun
    from households import excel
    from households.excel.export import write_households
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
        if size < 0:
            subset = households
        else:
            subset = households.filter(pk__in=list(households.values_list("pk", flat=True)[:size]))
        count = subset.count()
        if writer == "instances":
            excel.export_workbook(excel.export_queryset(subset), target=path, progress=no_progress, total=count)
        else:
            write_households(subset, target=path, progress=no_progress, total=count, writer=writer)
    seconds = time.perf_counter() - started
    cpu = time.process_time()
    peak = peak_mb()
    rows = count_rows(path)
    result = {
        "households": count,
        "rows": rows,
        "seconds": round(seconds, 1),
        "cpu": round(cpu, 1),
        "baseline_mb": round(baseline, 1),
        "peak_mb": round(peak, 1),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }
    path.unlink()
    return result


def synthetic(rows: int, writer: str) -> dict:
    """The writer alone, without the database: ``rows`` copies of one household's four members' rows."""
    import datetime

    import django

    django.setup()
    from households.excel import export

    base = rss_mb()
    head = ["IRS-0001", "Buôn Chư Tê", "Buôn Chư Tê, xã Ia RSai", "0912345678", "Nông thôn", "Có", 1_200_000, None]
    head += [30.5, 2, "Giếng khoan", "Tự hoại, bán tự hoại"]
    person = ["Ksor Y Bhin", "Chủ hộ", "Nam", datetime.date(1985, 3, 5), "Gia-rai", "064085012345"]
    person += [datetime.date(2021, 4, 12), "HN2640012345678", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)]
    person += ["Không", "Tiểu học", "Tự làm", "Không"]
    groups = ([[*head, *person] for _member in range(4)] for _household in range(rows // 4))
    path = ROOT / "media" / "exports" / f"bench-synthetic-{writer}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    started, cpu = time.perf_counter(), time.process_time()
    if writer == "openpyxl":
        export._write_openpyxl(groups, path)
    else:
        export._write_xlsxwriter(groups, path)
    result = {
        "households": rows // 4,
        "rows": count_rows(path),
        "seconds": round(time.perf_counter() - started, 1),
        "cpu": round(time.process_time() - cpu, 1),
        "baseline_mb": round(base, 1),
        "peak_mb": round(peak_mb(), 1),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }
    path.unlink()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 0], help="households; 0 = the whole job")
    parser.add_argument("--writer", choices=["instances", "openpyxl", "xlsxwriter"], nargs="+", default=["xlsxwriter"])
    parser.add_argument("--synthetic", type=int, help="rows: time the writers alone, without the database")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.synthetic and args.one is None:
        for writer in args.writer:
            command = [sys.executable, __file__, "--synthetic", str(args.synthetic), "--one", "0", "--writer", writer]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            print(writer, output.strip().splitlines()[-1], flush=True)
        return
    if args.synthetic:
        print(json.dumps(synthetic(args.synthetic, args.writer[0])))
        return
    if args.one is not None:
        print(json.dumps(one(args.one, args.writer[0])))
        return
    print(f"load average before: {os.getloadavg()}", flush=True)
    print(
        f"{'writer':<11} {'hộ':>9} {'dòng':>9} {'giây':>7} {'CPU giây':>9} {'dòng/giây':>10} {'RSS trước (MB)':>15} "
        f"{'RSS đỉnh (MB)':>14} {'tệp (MB)':>9}",
        flush=True,
    )
    for size in args.sizes:
        for writer in args.writer:
            output = subprocess.run(
                [sys.executable, __file__, "--one", str(size), "--writer", writer],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(output.strip().splitlines()[-1])
            rate = r["rows"] / r["seconds"] if r["seconds"] else 0
            print(
                f"{writer if size else 'job':<11} {r['households']:>9} {r['rows']:>9} {r['seconds']:>7} {r['cpu']:>9} "
                f"{rate:>10.0f} {r['baseline_mb']:>15} {r['peak_mb']:>14} {r['file_mb']:>9}",
                flush=True,
            )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
