"""Benchmark: the machine's CPU that each request kind of the load test costs, alone, signed in.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/scenario_cost.py --database gn_1m
    .venv/bin/python benchmarks/scenario_cost.py --database gn_1m --only "xem hộ" --profile
    .venv/bin/python benchmarks/scenario_cost.py --database gn_1m --calls   # and the Python calls of each kind

Plays every request kind of benchmarks/locustfile.py, one request at a time, through Django's test client in this
process (middleware, session, the view, the template; no gunicorn, no network), with the accounts the scenario uses
(the commune officers of Krông Pa in turn; the two districts and the province for the staff's pages). For each kind
it prints the requests timed, the wall time (p50), this process's CPU per request (``time.process_time``: Python, the
template, psycopg2), the CPU of the PostgreSQL backend that served them (``/proc/<backend pid>/schedstat``: parsing,
planning and executing the statements, in nanoseconds), the statements per request and the HTML size. The sum of the
two CPU times is what a request costs the machine whoever runs it; on a shared machine it is the number to compare,
the wall time waits for a core.

Then it weighs the kinds as the scenario does (commune officers 14 of every 20 users, tasks 5:2:4:1; district and
province staff 6 of 20, tasks 3:1:3:2:2; a save is two requests, the form and its POST; a POST that redirects is
timed with the page it redirects to, as Locust's client follows it) and prints the CPU of the average request and how
many requests a second two cores give at that cost, against the ≈ 100 a second that 200 users waiting 1–3 s ask for.

A sign-in and a household save write rows (session, lockout log, last login; the household's history): run it on a
copy, not on a database that others read. The numbers are in docs/performance.md ("Load test").
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
from pathlib import Path
from urllib.parse import urlencode

from load_scenario import COMMUNE_OFFICERS, DISTRICT_STAFF, NAMES, PASSWORD, PROVINCE_STAFF, form_fields

FORM = "application/x-www-form-urlencoded"  # as a browser and Locust's client post a form without files
HOUSEHOLD_LINK = re.compile(r'href="/ho-gia-dinh/(\d+)/"')


def backend_cpu_ns(pid: int) -> int:
    """The CPU time (ns) a PostgreSQL backend has run so far: the first field of /proc/<pid>/schedstat."""
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="database name on DATABASE_URL's server (default: DATABASE_URL's own)")
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent), help="the project tree to time")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per kind (sign-ins: a quarter)")
    parser.add_argument("--deep-page", type=int, default=int(os.environ.get("LOCUST_DEEP_PAGE", "500")))
    parser.add_argument("--only", action="append", default=[], help="run only kinds whose label contains this")
    parser.add_argument("--profile", action="store_true", help="cProfile (CPU clock) of each kind's requests")
    parser.add_argument("--profile-top", type=int, default=25, help="functions printed per profile")
    parser.add_argument(
        "--calls", action="store_true",
        help="also count the Python calls of one more request per kind (the machine's load does not change them)",
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
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from core.formatting import number
    from households.models import Household

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"database {connection.settings_dict['NAME']}: {number(Household.objects.count())} households")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    rng = random.Random(2021)
    results: dict[str, tuple[float, float]] = {}  # label -> (Python CPU ms, PostgreSQL CPU ms) per request

    def backend_pid() -> int:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    def measure(label: str, call, times: int, prepare=None) -> None:
        """Time `call()` (one request; returns the response) `times` times after one untimed warm-up; `prepare()`,
        if given, runs untimed before each call."""
        if args.only and not any(text in label for text in args.only):
            return
        counted = [0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        if prepare:
            prepare()
        call()  # warm-up: the connection, the process's kept page parts, the index's first pages
        pid, link = backend_pid(), connection.connection
        walls, cpus, pg_cpus, statements, sizes = [], [], [], [], []
        profile = cProfile.Profile(time.process_time) if args.profile else None
        for _ in range(times):
            if prepare:
                prepare()
            counted[0] = 0
            pg_before = backend_cpu_ns(pid)
            with connection.execute_wrapper(count):
                if profile:
                    profile.enable()
                begin, begin_cpu = time.perf_counter(), time.process_time()
                response = call()
                cpus.append((time.process_time() - begin_cpu) * 1000)
                walls.append((time.perf_counter() - begin) * 1000)
                if profile:
                    profile.disable()
            if connection.connection is not link:  # a new backend: its CPU is not comparable, start again
                raise SystemExit(f"{label}: the database connection changed during the request")
            pg_cpus.append((backend_cpu_ns(pid) - pg_before) / 1e6)
            statements.append(counted[0])
            sizes.append(len(response.content))
            assert response.status_code == 200, (label, response.status_code)
        calls = [0]
        if args.calls:  # one more request, untimed: counting slows it down

            def count_call(frame, event, arg):
                if event == "call":
                    calls[0] += 1

            if prepare:
                prepare()
            sys.setprofile(count_call)
            call()
            sys.setprofile(None)
        results[label] = (statistics.fmean(cpus), statistics.fmean(pg_cpus))
        print(
            f"{label:<34} n={len(walls):<3} wall p50 {statistics.median(walls):>7.1f} ms   "
            f"CPU: Python {statistics.fmean(cpus):>6.1f} + PostgreSQL {statistics.fmean(pg_cpus):>6.1f} = "
            f"{statistics.fmean(cpus) + statistics.fmean(pg_cpus):>6.1f} ms (mean)   "
            f"{min(statements)}–{max(statements)} statements   {statistics.fmean(sizes) / 1024:>5.0f} KiB"
            + (f"   {calls[0]:,} Python calls".replace(",", ".") if args.calls else ""),
            flush=True,
        )
        if profile:
            for order in ("tottime", "cumulative"):
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.profile_top)
                print(f"--- {label}: CPU profile by {order}")
                print("\n".join(line for line in out.getvalue().splitlines() if line.strip()), flush=True)

    def sign_in(client: Client, username: str):
        client.get("/dang-nhap/")
        fields = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
        return client.post("/dang-nhap/", urlencode(fields), content_type=FORM, follow=True)

    # --- sign-in: the page, and the POST with the page it redirects to (the dashboard), as Locust times it
    anonymous = Client(enforce_csrf_checks=True)
    measure("đăng nhập (trang)", lambda: Client(enforce_csrf_checks=True).get("/dang-nhap/"), args.repeat)
    officers = iter(rng.choice(COMMUNE_OFFICERS) for _ in range(10_000))

    def sign_in_post():
        anonymous.cookies.clear()
        anonymous.get("/dang-nhap/")
        response = sign_in(anonymous, next(officers))
        assert response.redirect_chain, "the sign-in was refused"
        return response

    # the GET of the page inside the call is untimed in Locust's POST entry but runs here: subtract its own cost
    measure("đăng nhập (gửi, và tổng quan)", sign_in_post, max(3, args.repeat // 4))
    if "đăng nhập (gửi, và tổng quan)" in results and "đăng nhập (trang)" in results:
        post, page = results["đăng nhập (gửi, và tổng quan)"], results["đăng nhập (trang)"]
        results["đăng nhập (gửi, và tổng quan)"] = (post[0] - 2 * page[0], post[1] - 2 * page[1])
        print(f"{'':<34} less its two sign-in pages: {sum(results['đăng nhập (gửi, và tổng quan)']):.1f} ms")

    # --- a commune officer, signed in once; the households they open come from their searches, as in Locust
    commune = Client()
    sign_in(commune, COMMUNE_OFFICERS[1])
    names = iter(rng.choice(NAMES) for _ in range(10_000))
    digits = iter(str(rng.randint(1, 9)) for _ in range(10_000))
    found: list[str] = []

    def list_page(client, query: str):
        response = client.get(f"/ho-gia-dinh/{query}")
        ids = HOUSEHOLD_LINK.findall(response.content.decode())
        if ids:
            found[:] = ids[:20]
        return response

    measure("tìm theo tên", lambda: list_page(commune, f"?q={next(names)}"), args.repeat)
    measure("tìm theo mã", lambda: list_page(commune, f"?q={next(digits)}"), args.repeat)
    measure("danh sách hộ (xã)", lambda: list_page(commune, ""), args.repeat)
    if not found:
        list_page(commune, "")
    measure("xem hộ", lambda: commune.get(f"/ho-gia-dinh/{rng.choice(found)}/"), args.repeat)
    measure("mở phiếu hộ", lambda: commune.get(f"/ho-gia-dinh/{rng.choice(found)}/sua/"), args.repeat)
    forms: list[tuple[str, dict]] = []

    def open_form():
        url = f"/ho-gia-dinh/{rng.choice(found)}/sua/"
        forms.append((url, form_fields(commune.get(url).content.decode())))

    def save_form():  # the form opened just before (untimed): a form opened earlier may meet a newer version
        url, fields = forms.pop()
        response = commune.post(url, urlencode(fields), content_type=FORM, follow=True)
        assert response.redirect_chain, f"the unchanged form of {url} was refused"
        return response

    measure("lưu phiếu hộ", save_form, args.repeat, prepare=open_form)

    # --- district and province staff, each signed in once, taking turns
    staff = [Client() for _ in DISTRICT_STAFF + PROVINCE_STAFF]
    for client, username in zip(staff, DISTRICT_STAFF + PROVINCE_STAFF, strict=True):
        sign_in(client, username)
    turns = iter(staff[i % len(staff)] for i in range(10_000))
    measure("danh sách hộ trang 1", lambda: list_page(next(turns), ""), args.repeat)
    measure("danh sách hộ trang sâu", lambda: list_page(next(turns), f"?page={args.deep_page}"), args.repeat)
    measure("tổng quan", lambda: next(turns).get("/"), args.repeat)
    measure("biến động", lambda: next(turns).get("/ho-gia-dinh/bien-dong/"), args.repeat)
    measure("số liệu hỗ trợ", lambda: next(turns).get("/chuong-trinh/so-lieu/"), args.repeat)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    # --- the scenario's mix: requests per second of each kind for one user of each role, at one task a wait
    mix = {
        # commune officers: 14 of 20 users; tasks search name 5, code 2, open 4, save 1 (form + POST) of 12
        "tìm theo tên": 14 / 20 * 5 / 12,
        "tìm theo mã": 14 / 20 * 2 / 12,
        "xem hộ": 14 / 20 * 4 / 12,
        "mở phiếu hộ": 14 / 20 * 1 / 12,
        "lưu phiếu hộ": 14 / 20 * 1 / 12,
        # district and province staff: 6 of 20; list page 1 3, deep page 1, dashboard 3, movements 2, figures 2 of 11
        "danh sách hộ trang 1": 6 / 20 * 3 / 11,
        "danh sách hộ trang sâu": 6 / 20 * 1 / 11,
        "tổng quan": 6 / 20 * 3 / 11,
        "biến động": 6 / 20 * 2 / 11,
        "số liệu hỗ trợ": 6 / 20 * 2 / 11,
    }
    if all(label in results for label in mix):
        weight = sum(mix.values())
        python = sum(results[label][0] * share for label, share in mix.items()) / weight
        postgres = sum(results[label][1] * share for label, share in mix.items()) / weight
        per_task = (python + postgres) * weight  # a save task is two requests
        print(
            f"signed-in mix: {python:.1f} ms Python + {postgres:.1f} ms PostgreSQL = {python + postgres:.1f} ms of CPU "
            f"per request; {per_task:.1f} ms per task. Two cores at that cost: {2000 / (python + postgres):.0f} "
            f"requests a second. 200 users with 1–3 s waits ask for ≈ {200 / 2 * weight:.0f} requests a second "
            f"(≈ {200 / 2 * weight * (python + postgres) / 1000:.2f} cores)."
        )


if __name__ == "__main__":
    main()
