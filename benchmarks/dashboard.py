"""Benchmark: the landing dashboard (GET /) for a province, a district and a commune officer, and its parts.

    DATABASE_URL=postgres://…/gn_big REDIS_URL=redis://127.0.0.1:63799/N \\
        .venv/bin/python benchmarks/dashboard.py [--samples 20] [--parts] [--live] [--rebuild]

Whole requests through Django's test client (middleware, session, view, template), p50/p95 over ``--samples``
requests after one warm-up, with the query count and the SQL share. ``--parts`` times each part of the page
separately (the household totals, the child table's counts, the targets card, the review and report cards) as the
live aggregate computes them and as the summary table answers them. ``--live`` times the page with the summary
switched off (``households.summary.LIVE`` patched), which is what the page cost before the summary table.
``--rebuild`` runs ``rebuild_summaries`` first and times it (this writes the summary rows: use a database of your
own). The machine's load average is printed before and after.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

OFFICERS = [("province", "tinh.gialai"), ("district", "huyen.krongpa"), ("commune", "xa.iarsai")]


def load() -> str:
    return " / ".join(f"{v:.2f}".replace(".", ",") for v in os.getloadavg())


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}".replace(",", ".")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--parts", action="store_true")
    parser.add_argument("--live", action="store_true", help="also time the page without the summary table")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the summaries first and time it")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from households import summary
    from households.models import Household

    settings.ALLOWED_HOSTS = ["*"]
    print(f"database {connection.settings_dict['NAME']}: {Household.objects.count():,} households".replace(",", "."))
    print(f"load average before: {load()}")
    if args.rebuild:
        started = time.perf_counter()
        communes = summary.summaries_rebuild()
        print(f"rebuild_summaries: {communes} communes in {time.perf_counter() - started:.1f} s".replace(".", ","))

    def timed(func, samples):
        func()  # warm-up (connection, caches, templates)
        times, sql, queries = [], [], 0
        for _ in range(samples):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                func()
                times.append(time.perf_counter() - started)
            queries = len(captured)
            sql.append(sum(float(q["time"]) for q in captured.captured_queries))
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        return statistics.median(times), p95, statistics.median(sql), queries

    def page(user):
        client = Client()
        client.force_login(user)

        def get():
            response = client.get("/")
            assert response.status_code == 200, response.status_code

        return get

    modes = [("summary", False)] + ([("live", True)] if args.live else [])
    for role, username in OFFICERS:
        user = User.objects.select_related("unit").get(username=username)
        for mode, live in modes:
            summary.LIVE = live
            p50, p95, sql, queries = timed(page(user), args.samples if not live else max(3, args.samples // 5))
            print(
                f"GET / {role:8} {mode:7} p50 {ms(p50):>6} ms  p95 {ms(p95):>6} ms  "
                f"SQL p50 {ms(sql):>6} ms  {queries} queries"
            )
        summary.LIVE = False
        if args.parts:
            for label, func in parts(user).items():
                p50, _p95, sql, queries = timed(func, 3)
                print(f"    {label:45} {ms(p50):>7} ms  {queries} queries")
    print(f"load average after: {load()}")


def parts(user) -> dict:
    from django.utils import timezone

    from areas.selectors import unit_children_with_counts
    from dashboards.selectors import target_widget_for, unit_totals_for
    from households import summary
    from households.selectors import household_counts_under, household_totals_for
    from households.targets import target_dashboard_for
    from reports.selectors import new_drafts, upcoming_deadlines
    from reviews.selectors import overdue_for

    def children_live():
        household_counts_under(user.unit, unit_children_with_counts(user.unit))

    def live(func):
        def run():
            summary.LIVE = True
            try:
                func()
            finally:
                summary.LIVE = False

        return run

    return {
        "units and officers (unit_totals_for)": lambda: unit_totals_for(user),
        "child units (unit_children_with_counts)": lambda: unit_children_with_counts(user.unit),
        "live: household totals (household_totals_for)": lambda: household_totals_for(user),
        "live: child table counts (household_counts_under)": children_live,
        "live: targets card (target_dashboard_for)": lambda: target_dashboard_for(user),
        "summary: the rows in scope (dashboard_figures_for)": lambda: summary.dashboard_figures_for(user),
        "summary: targets card (target_widget_for)": lambda: target_widget_for(
            user, summary.dashboard_figures_for(user)
        ),
        "live: targets card as the page (target_widget_for)": live(lambda: target_widget_for(user)),
        "review deadlines (overdue_for)": lambda: overdue_for(user),
        "report cards (deadlines, drafts)": lambda: (
            upcoming_deadlines(user, timezone.localdate()),
            list(new_drafts(user)[:5]),
        ),
    }


if __name__ == "__main__":
    main()
