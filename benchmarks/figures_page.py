"""Benchmark: the support figures page (/chuong-trinh/so-lieu/) as a province and a district officer, p50 and p95
of N requests through Django's test client (server time, template included), from the summary rows.

    DATABASE_URL=postgres://…/gn_1m_a .venv/bin/python benchmarks/figures_page.py [--requests 10] [--year 2026]
        [--half 0|1|2] [--live]

Build the rows first (``manage.py rebuild_support_summaries``); a period whose rows are missing makes the page queue
a background job and answer "being prepared" (counted and reported as such). ``--live`` times the former page,
computed in the request from the live grouped pass. Prints the load average before and after.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--year", type=int)
    parser.add_argument("--half", type=int, default=0)
    parser.add_argument("--live", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from core.formatting import number
    from households.models import Household
    from programs import summary

    summary.LIVE = args.live
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    year = args.year or timezone.localdate().year
    print(f"{number(Household.objects.count())} households; year {year}, half {args.half}; live={args.live}")
    print(f"load average before: {' '.join(number(x, 2) for x in os.getloadavg())}")
    for username in ("tinh.gialai", "huyen.krongpa"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        times, queries, preparing = [], 0, 0
        for _index in range(args.requests):
            counted = [0]

            def count(execute, sql, params, many, context, counted=counted):
                counted[0] += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                begin = time.perf_counter()
                response = client.get("/chuong-trinh/so-lieu/", {"year": year, "half": args.half})
                times.append(time.perf_counter() - begin)
            assert response.status_code == 200, response.status_code
            preparing += b"figures-preparing" in response.content
            queries = counted[0]
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        print(
            f"{username:<14} p50 {number(statistics.median(times) * 1000, 0):>7} ms  p95 {number(p95 * 1000, 0):>7} ms"
            f"  {queries} queries  being prepared {preparing}/{len(times)}"
        )
    print(f"load average after: {' '.join(number(x, 2) for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
