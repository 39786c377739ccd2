"""Benchmark: the movement table page and the targets page, and the reports' movement and target sections.

    DATABASE_URL=postgres://…/gn_1m REDIS_URL=redis://127.0.0.1:63799/N \\
        .venv/bin/python -u benchmarks/movements.py [--samples 10] [--sections] [--live]

Whole requests through Django's test client (middleware, session, view, template) as a province and a district
officer: GET /ho-gia-dinh/bien-dong/ (this year to today, the page's default) and GET /ho-gia-dinh/muc-tieu/, p50/p95
over ``--samples`` requests after one warm-up, with the query count and the SQL share. ``--live`` also times them
with the summary switched off (``households.summary.LIVE``), which is what they cost before they read the summary
table. ``--sections`` times the report's movement and target sections (``reports.content.movement_figures``,
``target_figures`` and the movement table of ``child_rows``) for the district and the province, for the first half-
year, for this year to today and for the whole of last year. ``--rebuild`` first recomputes the summary rows (both
years) inside the transaction, for a database whose rows predate them. Everything runs inside one transaction that
is rolled back at the end, so the sessions the test client writes are never kept: the benchmark can run on a shared
database. The machine's load average is printed before and after.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

OFFICERS = [("province", "tinh.gialai"), ("district", "huyen.krongpa")]
PAGES = [("movements", "/ho-gia-dinh/bien-dong/"), ("targets", "/ho-gia-dinh/muc-tieu/")]


def load() -> str:
    return " / ".join(f"{v:.2f}".replace(".", ",") for v in os.getloadavg())


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}".replace(",", ".")


def timed(func, samples, warm=True):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if warm:
        func()  # warm-up (connection, caches, templates)
    times, sql, queries = [], [], 0
    for _ in range(samples):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            func()
            times.append(time.perf_counter() - started)
        queries = len(captured)
        sql.append(sum(float(q["time"]) for q in captured.captured_queries))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, statistics.median(sql), queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--live", action="store_true", help="also time the pages without the summary table")
    parser.add_argument("--live-samples", type=int, default=3)
    parser.add_argument("--sections", action="store_true", help="time the reports' movement and target sections")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="first recompute every commune's rows (this year and last year) inside the rolled-back transaction, timed",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from households import summary
    from households.models import Household

    settings.ALLOWED_HOSTS = ["*"]
    print(f"database {connection.settings_dict['NAME']}: {Household.objects.count():,} households".replace(",", "."))
    print(f"load average before: {load()}")
    with transaction.atomic():
        if args.rebuild:
            started = time.perf_counter()
            written = summary.summaries_rebuild()
            print(f"rows recomputed: {written} in {time.perf_counter() - started:.1f} s".replace(".", ","), flush=True)
        if not args.skip_pages:
            modes = [("summary", False)] + ([("live", True)] if args.live else [])
            for role, username in OFFICERS:
                user = User.objects.select_related("unit").get(username=username)
                client = Client()
                client.force_login(user)
                for name, url in PAGES:
                    for mode, live in modes:
                        summary.LIVE = live

                        def get(url=url, client=client):
                            response = client.get(url)
                            assert response.status_code == 200, response.status_code

                        samples = args.samples if not live else args.live_samples
                        p50, p95, sql, queries = timed(get, samples)
                        print(
                            f"GET {name:9} {role:8} {mode:7} p50 {ms(p50):>7} ms  p95 {ms(p95):>7} ms  "
                            f"SQL p50 {ms(sql):>7} ms  {queries} queries  ({samples} requests)",
                            flush=True,
                        )
                    summary.LIVE = False
        if args.sections:
            from households.transitions import ReportPeriod, transition_table
            from reports.content import UnitReader, child_level, movement_figures, target_figures

            today = timezone.localdate()
            periods = [("first half-year", date(today.year, 1, 1), date(today.year, 6, 30))]
            periods.append(("this year to today", date(today.year, 1, 1), today))
            periods.append(("last year", date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)))
            for role, username in OFFICERS:
                unit = User.objects.select_related("unit").get(username=username).unit
                for label, start, end in periods:
                    parts = {
                        "movement_figures": lambda u=unit, s=start, e=end: movement_figures(u, s, e),
                        "target_figures": lambda u=unit, e=end: target_figures(u, e.year),
                        "child_rows (movements)": lambda u=unit, s=start, e=end: transition_table(
                            UnitReader(u), period=ReportPeriod(s, e), level=child_level(u), scope=u
                        ),
                    }
                    for part, func in parts.items():
                        p50, _p95, sql, queries = timed(func, 1, warm=False)
                        print(
                            f"{role:8} {label:18} {part:24} {ms(p50):>7} ms  SQL {ms(sql):>7} ms  {queries} queries",
                            flush=True,
                        )
        transaction.set_rollback(True)  # the sessions written by force_login: nothing is kept
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
