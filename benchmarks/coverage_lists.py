"""Benchmark: the coverage and bulk lists of a province officer (programs), page 1 and deep pages, read-only.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/coverage_lists.py --database gn_1m --pages 1,10,100

Calls each list view directly with a RequestFactory request as ``tinh.gialai`` (the view, its queries and its
template; no middleware, so no session or sign-in row is written: the database may be a shared, read-only one,
and the connection is set read-only). Prints, per list and page, the best and the median of ``--repeat`` timed
calls after one warm-up, the time spent in PostgreSQL, the CPU time of this process (the view and its template,
without PostgreSQL's), the number of queries and the rows shown, with the load average before and after. Lists:
poor households without support, members without a valid BHYT card, poor households with a housing gap, escape
registrations, the BHYT list and the electricity list of this quarter.

To time the code before a change, run this script from an export of the older commit with ``--root``
(``git archive <commit> | tar -x -C /tmp/before``). With ``--from-link``, each page after the first is requested as
its "Trang sau" link asks for it (the key of the page before's last row, read from an untimed call of that page), as
an officer paging forward reaches it. The measured numbers are in docs/performance.md.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

LISTS = {
    "unsupported": "programs:coverage_unsupported",
    "uninsured": "programs:coverage_uninsured",
    "housing": "programs:coverage_housing",
    "escape": "programs:coverage_escape",
    "bhyt": "programs:bhyt_list",
    "electricity": "programs:electricity",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="database name on DATABASE_URL's server (default: DATABASE_URL's own)")
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent), help="the project tree to time")
    parser.add_argument("--lists", default=",".join(LISTS), help="comma-separated: " + ", ".join(LISTS))
    parser.add_argument("--pages", default="1,100", help="comma-separated page numbers")
    parser.add_argument("--repeat", type=int, default=3, help="timed calls of each page")
    parser.add_argument("--timeout", type=int, default=300, help="statement timeout in seconds")
    parser.add_argument("--user", default="tinh.gialai")
    parser.add_argument("--query", default="", help="more GET parameters of every list, e.g. nhom=poor (a group)")
    parser.add_argument(
        "--from-link", action="store_true", help='request each page N > 1 from page N - 1\'s "Trang sau" link'
    )
    args = parser.parse_args()

    sys.path.insert(0, args.root)
    os.chdir(args.root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    if args.database:
        os.environ["DATABASE_URL"] = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[0]}/{args.database}"

    import logging
    import warnings

    import django

    django.setup()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import resolve, reverse

    from accounts.models import User
    from core.formatting import number
    from households.models import Household

    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
        cursor.execute(f"SET statement_timeout = '{args.timeout}s'")
        cursor.execute("SELECT max(name) FROM django_migrations WHERE app = 'households'")
        migration = cursor.fetchone()[0]
    user = User.objects.select_related("unit").get(username=args.user)
    print(f"tree {args.root}; database {connection.settings_dict['NAME']} (households at {migration})")
    print(f"data: {number(Household.objects.count())} households; user {user.username}; query {args.query!r}")
    print(f"load average before: {os.getloadavg()}")
    factory = RequestFactory()

    def call(path: str, page: str, after: str = ""):
        request = factory.get(path, {**dict(parse_qsl(args.query)), "page": page, **({"sau": after} if after else {})})
        request.user = user
        request.session = {}
        match = resolve(path)
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response.render()
        return response

    for name in args.lists.split(","):
        path = reverse(LISTS[name])
        for page in args.pages.split(","):
            try:
                after = ""
                if args.from_link and int(page) > 1:  # the key the page before's "Trang sau" link carries
                    after = getattr(call(path, str(int(page) - 1)).context_data["page_obj"], "next_key", "")
                call(path, page, after)  # warm-up: the plan cache, the catalogue, the buffers
                times, sql, cpu, queries = [], [], [], 0
                for _ in range(args.repeat):
                    with CaptureQueriesContext(connection) as context:
                        start, started = time.perf_counter(), time.process_time()
                        response = call(path, page, after)
                        times.append((time.perf_counter() - start) * 1000)
                        cpu.append((time.process_time() - started) * 1000)
                    sql.append(sum(float(q["time"]) for q in context.captured_queries) * 1000)
                    queries = len(context.captured_queries)
                rows = len(response.context_data["rows"]) if getattr(response, "context_data", None) else "?"
                shown = response.context_data["page_obj"].number
                print(
                    f"{name:12} page {page:>4}{' (link)' if after else ''} (shown {shown:>4}): "
                    f"best {min(times):9.1f} ms, "
                    f"median {statistics.median(times):9.1f} ms (SQL {statistics.median(sql):9.1f}, "
                    f"this process's CPU {statistics.median(cpu):7.1f}), "
                    f"{queries} queries, {rows} rows"
                )
            except Exception as error:  # a statement timeout on the older tree is a result, not a crash
                print(f"{name:12} page {page:>4}: {type(error).__name__}: {str(error).splitlines()[0]}")
                connection.close()
                with connection.cursor() as cursor:
                    cursor.execute("SET default_transaction_read_only = on")
                    cursor.execute(f"SET statement_timeout = '{args.timeout}s'")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
