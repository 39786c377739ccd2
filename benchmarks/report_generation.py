"""Benchmark: generating the periodic reports — figures, document and the three files — for a district and the
province roll-up, as the generation job does (reports/jobs.py), without the queue.

    eval "$(bash scripts/services.sh env)"      # or DATABASE_URL=… for a database of your own
    DATABASE_URL=postgres://…/gn_big .venv/bin/python benchmarks/report_generation.py [--year 2026] [--repeat 2] \
        [--live] [--live-movements] [--kinds six_month,year_end]

Reads an existing database as it is (nothing is written): build it with the demo commands (docs/performance.md).
For Krông Pa (district) and Gia Lai (province roll-up) and each kind — the 6-month report of the year's first
half, the year-end report and the review-results tables — it prints the best time and query count of each phase:
``compute_figures`` (every figure from the records), ``build_document`` (from the snapshot only: no query), the
PDF, the DOCX and the XLSX, with the number of PDF pages, the machine's load average before and after, and the
number of households in the database. For the figures it also prints the CPU seconds of the database backend that
ran them (read from /proc when PostgreSQL runs on this machine; parallel workers not included) and of this process:
on a machine shared with other work, CPU seconds vary less than wall time.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def backend_cpu() -> float | None:
    """CPU seconds (user + system) used so far by this connection's PostgreSQL backend, None when its process is
    not visible here (a database on another machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CPU = {}  # the CPU seconds of the best run of the last ``timed`` call: {"server": …, "client": …}


def timed(function, repeat: int):
    """The best wall time of ``repeat`` runs, the queries of the last run, and its result; the CPU seconds of the
    database backend and of this process during that best run go to ``CPU``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, result, queries = None, None, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            server, client = backend_cpu(), time.process_time()
            started = time.perf_counter()
            result = function()
            elapsed = time.perf_counter() - started
            client, server_after = time.process_time() - client, backend_cpu()
        if best is None or elapsed < best:
            best = elapsed
            CPU["client"] = client
            CPU["server"] = server_after - server if server is not None and server_after is not None else None
        queries = len(captured.captured_queries)
    return best, queries, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, help="the year reported (default: this year)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--live", action="store_true", help="support figures from the live pass instead of the summary rows"
    )
    parser.add_argument(
        "--live-movements",
        action="store_true",
        help="movement and target sections counted live instead of from the communes' summary rows",
    )
    parser.add_argument("--kinds", default="six_month,year_end,review_results", help="report kinds, comma-separated")
    args = parser.parse_args()

    import django

    django.setup()
    from households import summary as movement_summary
    from programs import summary

    summary.LIVE = args.live
    movement_summary.LIVE = args.live_movements
    from django.utils import timezone

    from areas.models import AdministrativeUnit
    from core.formatting import decimal, number, seconds
    from households.models import Household
    from reports.content import build_document, compute_figures
    from reports.documents.docx import periodic_report_docx
    from reports.documents.render import periodic_report_pdf
    from reports.documents.xlsx import periodic_report_xlsx
    from reports.models import PeriodicReport, ReportKind, ReportStatus
    from reports.services import periods_for

    year = args.year or timezone.localdate().year
    units = [
        ("Krông Pa (huyện)", AdministrativeUnit.objects.valid_on().get(level="district", code="637")),
        ("Gia Lai (tỉnh)", AdministrativeUnit.objects.valid_on().get(level="province", code="64")),
    ]
    print(f"Hộ trong cơ sở dữ liệu: {number(Household.objects.count())}; năm báo cáo {year}")
    print(f"Tải máy trước: {decimal(os.getloadavg()[0])}")
    print(
        f"{'Đơn vị':<18} {'Loại':<16} {'Số liệu':>14} {'CPU CSDL':>9} {'CPU py':>7} {'Văn bản':>9} {'PDF':>14}"
        f" {'DOCX':>8} {'XLSX':>8}"
    )
    for label, unit in units:
        for kind in [ReportKind(code) for code in args.kinds.split(",")]:
            start, end = periods_for(kind, year)
            figures_s, figures_q, figures = timed(
                lambda unit=unit, kind=kind, start=start, end=end: compute_figures(
                    unit=unit, kind=kind, period_start=start, period_end=end
                ),
                args.repeat,
            )
            figures_cpu = dict(CPU)
            report = PeriodicReport(
                unit=unit,
                kind=kind,
                period_start=start,
                period_end=end,
                status=ReportStatus.DRAFT,
                figures=figures,
                narrative={},
            )
            document_s, document_q, document = timed(lambda report=report: build_document(report), args.repeat)
            pdf_s, _q, pdf = timed(lambda document=document: periodic_report_pdf(document), 1)
            docx_s, _q, _docx = timed(lambda document=document: periodic_report_docx(document), 1)
            xlsx_s, _q, _xlsx = timed(lambda document=document: periodic_report_xlsx(document), 1)
            info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
            pages = next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
            print(
                f"{label:<18} {kind.label:<16.16} {seconds(figures_s, 2):>10} {figures_q:>4} q"
                f" {cpu(figures_cpu['server']):>9} {cpu(figures_cpu['client']):>7}"
                f" {seconds(document_s, 2):>9} {document_q} q {seconds(pdf_s, 2):>10} {pages:>2} tr"
                f" {seconds(docx_s, 2):>10} {seconds(xlsx_s, 2):>10}"
            )
    print(f"Tải máy sau: {decimal(os.getloadavg()[0])}")


def cpu(value: float | None) -> str:
    from core.formatting import seconds

    return "—" if value is None else seconds(value, 1)


if __name__ == "__main__":
    main()
