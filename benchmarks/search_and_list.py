"""Benchmark: the household list page and its search box for a province officer, as the browser gets them.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python manage.py generate_households --per-commune 3000     # in the database named below
    .venv/bin/python benchmarks/search_and_list.py --database gn_w2_big

Times whole requests through Django's test client (middleware, session, the view, the template), so the
numbers are server time without the network. For the province officer (tinh.gialai): list page 1 and page
500, searches by full name with and without diacritics, by given name, by a full name whose last word has one or
two letters, by ID-card number, by household-code prefix and by a bare clan name (Ksor, thousands of matches);
for a commune officer (xa.iarsai) the same name searches. Prints p50 and p95 per scenario (whole request, and the
part spent waiting for PostgreSQL), this process's CPU time per request (``time.process_time``: Python, the template,
psycopg2; not PostgreSQL's own CPU), the queries each page ran, the rows shown, the data size and the load average.
On a shared machine the CPU time is what to compare between two trees: the wall time waits for a core.

``--only TEXT`` keeps the scenarios whose label contains TEXT (repeatable); ``--profile`` runs each kept scenario's
timed requests under cProfile with the CPU clock and prints the functions that took most CPU (``--profile-top``);
``--calls`` also counts the Python function calls of one extra, untimed request per sample (a measure of the page's
work that the machine's load does not change, unlike CPU time).

Templates are rendered as in production: the test client's template instrumentation (which copies every context
for ``response.context``, once per included template) is not installed, so the rows shown are counted in the HTML.

To measure the code before a change, run this script from an export of the older commit with ``--root``
(``git archive <commit> | tar -x -C /tmp/before``) against a database migrated to that commit.
The measured numbers are in docs/performance.md.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path


def plain(text: str) -> str:
    """'Đặng Văn Đức' -> 'dang van duc': how an officer types a name on a keyboard without Vietnamese input."""
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").lower()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="database name on DATABASE_URL's server (default: DATABASE_URL's own)")
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent), help="the project tree to time")
    parser.add_argument("--samples", type=int, default=20, help="households sampled per search scenario")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of each request")
    parser.add_argument("--only", action="append", default=[], help="run only scenarios whose label contains this")
    parser.add_argument("--profile", action="store_true", help="cProfile (CPU clock) of each scenario's requests")
    parser.add_argument("--profile-top", type=int, default=30, help="functions printed per profile")
    parser.add_argument("--profile-out", help="also keep each profile as PREFIX-<scenario>.prof (for pstats)")
    parser.add_argument(
        "--calls", action="store_true",
        help="also count the Python function calls per request (independent of the machine's load, unlike CPU time)",
    )  # fmt: skip
    parser.add_argument(
        "--rollback", action="store_true",
        help="run everything in one transaction rolled back at the end, so that a read-only database keeps no "
        "session row (each request still writes its session, as SESSION_SAVE_EVERY_REQUEST makes it)",
    )  # fmt: skip
    args = parser.parse_args()

    sys.path.insert(0, args.root)
    os.chdir(args.root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"  # no query log or debug pages: what production runs
    if args.database:
        os.environ["DATABASE_URL"] = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[0]}/{args.database}"

    import logging
    import warnings

    import django

    django.setup()
    logging.disable(logging.WARNING)  # sign-in records and 404 warnings are not what is measured
    warnings.filterwarnings("ignore", message="No directory at")
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from core.formatting import number
    from households.models import Household, Member

    # The test client's host is allowed; templates are not instrumented (setup_test_environment would make the
    # client copy every template's context, once per row's include: CPU that production does not spend).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    households = Household.objects.count()
    members = Member.objects.count()
    if not households:
        sys.exit("No households: run manage.py load_demo and generate_households in this database first.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(name) FROM django_migrations WHERE app = 'households'")
        migration = cursor.fetchone()[0]
    print(f"tree {args.root}; database {connection.settings_dict['NAME']} (households at {migration})")
    print(f"data: {number(households)} households, {number(members)} members")

    rng = random.Random(2021)
    ids = list(Household.objects.filter(state="active").values_list("pk", flat=True))
    sample = Household.objects.filter(pk__in=rng.sample(ids, min(args.samples, len(ids)))).order_by("pk")
    names = [h.head_name for h in sample if h.head_name]
    # Full names whose last word has one or two letters ("Rơ Mah Thị Ly"): a trigram index has nothing to narrow
    # that word by, so before the whole-word index these rechecked every name holding the other words.
    short_ids = list(
        Household.objects.filter(state="active", head_name__regex=r" [^ ]{1,2}$").values_list("pk", flat=True)[:20_000]
    )
    short_names = list(
        Household.objects.filter(pk__in=rng.sample(short_ids, min(args.samples, len(short_ids))))
        .order_by("pk")
        .values_list("head_name", flat=True)
    )
    codes = [h.code[:-1] for h in sample]
    personal_ids = list(
        Member.objects.filter(left_at__isnull=True, household__in=sample)
        .exclude(personal_id="")
        .values_list("personal_id", flat=True)[: args.samples]
    )
    province, commune = Client(), Client()
    url = reverse("households:list")

    row_cell = re.compile(rb'<tr>\s*<td><a href="')

    def measure(label, client, params_list):
        if args.only and not any(text in label for text in args.only):
            return
        timings, cpu_timings, sql_timings, queries, rows = [], [], [], set(), 0
        counted, in_sql = [0], [0.0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            begin = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                in_sql[0] += time.perf_counter() - begin

        client.get(url, params_list[0])  # warm-up: connection, caches, the index's first pages
        profile = cProfile.Profile(time.process_time) if args.profile else None
        calls = [0]

        def count_call(frame, event, arg):
            if event == "call":
                calls[0] += 1

        for params in params_list:
            if args.calls:  # in a request of its own, not timed: counting slows it down
                sys.setprofile(count_call)
                client.get(url, params)
                sys.setprofile(None)
            for _run in range(args.repeat):
                counted[0], in_sql[0] = 0, 0.0
                with connection.execute_wrapper(count):
                    if profile:
                        profile.enable()
                    begin, begin_cpu = time.perf_counter(), time.process_time()
                    response = client.get(url, params)
                    cpu_timings.append((time.process_time() - begin_cpu) * 1000)
                    timings.append((time.perf_counter() - begin) * 1000)
                    if profile:
                        profile.disable()
                sql_timings.append(in_sql[0] * 1000)
                assert response.status_code == 200, (label, params, response.status_code)
                queries.add(counted[0])
                rows += len(row_cell.findall(response.content))

        def p95(values):
            return sorted(values)[min(len(values) - 1, round(0.95 * (len(values) - 1)))]

        print(
            f"{label:<44} p50 {statistics.median(timings):>7.1f} ms  p95 {p95(timings):>7.1f} ms  "
            f"(SQL p50 {statistics.median(sql_timings):>6.1f} p95 {p95(sql_timings):>6.1f})  "
            f"CPU p50 {statistics.median(cpu_timings):>6.1f} mean {statistics.fmean(cpu_timings):>6.1f} ms  "
            f"{'/'.join(map(str, sorted(queries))):>5} queries   {rows / len(timings):>5.1f} rows/page   "
            f"n={len(timings)}"
            + (f"   {calls[0] / len(params_list):,.0f} Python calls/request".replace(",", ".") if args.calls else "")
        )
        if profile:
            if args.profile_out:
                profile.dump_stats(f"{args.profile_out}-{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}.prof")
            for order in ("tottime", "cumulative"):
                out = io.StringIO()
                stats = pstats.Stats(profile, stream=out)
                stats.sort_stats(order).print_stats(args.profile_top)
                print(f"--- {label}: CPU profile by {order}, {len(timings)} requests")
                print("\n".join(line for line in out.getvalue().splitlines() if line.strip()), flush=True)

    def sign_in_and_run():
        province.force_login(User.objects.get(username="tinh.gialai"))
        commune.force_login(User.objects.get(username="xa.iarsai"))
        run_scenarios(measure, province, commune, names, short_names, personal_ids, codes)

    if args.rollback:
        with transaction.atomic():  # the sign-ins' and every request's session writes are undone at the end
            sign_in_and_run()
            transaction.set_rollback(True)
    else:
        sign_in_and_run()


def run_scenarios(measure, province, commune, names, short_names, personal_ids, codes) -> None:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    measure("province: list page 1", province, [{}])
    measure("province: list page 500", province, [{"page": 500}])
    measure("province: list page 1, poor households", province, [{"household_class": "poor"}])
    measure("province: search full name (diacritics)", province, [{"q": n} for n in names])
    measure("province: search full name (no diacritics)", province, [{"q": plain(n)} for n in names])
    measure("province: search given name (last word)", province, [{"q": plain(n).split()[-1]} for n in names])
    if short_names:
        measure("province: search full name, short last word", province, [{"q": plain(n)} for n in short_names])
    measure("province: search ID-card number", province, [{"q": p} for p in personal_ids])
    measure("province: search household code prefix", province, [{"q": c} for c in codes])
    measure("province: search clan name 'ksor' (broad)", province, [{"q": "ksor"}])
    measure("commune: search full name (no diacritics)", commune, [{"q": plain(n)} for n in names])
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
