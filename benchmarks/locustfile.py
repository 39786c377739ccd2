"""Load test: officers of a province using the portal at the same time (Locust).

    python3 -m venv .local/locust && .local/locust/bin/pip install 'locust>=2.31,<3'
    # the portal under gunicorn with the compose settings (3 workers, 60 s timeout), on the database to test:
    DJANGO_SETTINGS_MODULE=config.settings.local .venv/bin/gunicorn config.wsgi:application \
        --bind 127.0.0.1:8001 --workers 3 --timeout 60
    .local/locust/bin/locust -f benchmarks/locustfile.py --host http://127.0.0.1:8001 --headless \
        --users 200 --spawn-rate 10 --run-time 5m --csv .local/locust/run200

The demo accounts (password GiamNgheo@2026) play the parts of issue "province scale", point 7: commune
officers search by name, code and ID number, open households and save a household form unchanged (the write
path of a survey: CSRF and the one-time submission token, validation, history); district and province staff
open the household list (page 1 and a deep page), the dashboard, the movements table and the support figures.
Every response that is not 200/302 counts as an error. Results go to docs/performance.md (p95 against users).

Every user signs in once, on start (PBKDF2, deliberately costly), and the other requests queue behind those sign-ins,
whereas officers sign in once a working day: with LOCUST_SIGNED_IN_CSV=path the run also writes a second reading,
in Locust's CSV columns, of the requests that started after every user of the run had signed in (the steady state of
officers already at work), with the moment that happened and the window it covers. Locust's own CSV keeps the whole
run, sign-ins included. LOCUST_SIGNED_IN_SECONDS=N ends the run N seconds after every user has signed in (give
--run-time as an upper bound), so that the second reading covers N seconds however long the sign-ins took.
"""

import csv
import os
import random
import re
import time
from collections import defaultdict

import gevent
from load_scenario import (  # benchmarks/: Locust puts the locustfile's folder on sys.path
    COMMUNE_OFFICERS,
    DISTRICT_STAFF,
    NAMES,
    PASSWORD,
    PROVINCE_STAFF,
    form_fields,
)
from locust import HttpUser, between, events, task

HOUSEHOLD_LINK = re.compile(r'href="/ho-gia-dinh/(\d+)/"')
# Page 500 of a province's list (1.000.000 households); a smaller database has fewer pages: LOCUST_DEEP_PAGE=20.
DEEP_PAGE = int(os.environ.get("LOCUST_DEEP_PAGE", "500"))
SIGNED_IN_CSV = os.environ.get("LOCUST_SIGNED_IN_CSV")
SIGNED_IN_SECONDS = float(os.environ.get("LOCUST_SIGNED_IN_SECONDS") or 0)


class SignedInReading:
    """The response times of the requests started once every user of the run had signed in, per request kind."""

    def __init__(self) -> None:
        self.started = time.time()
        self.signed_in = 0
        self.since: float | None = None  # when the last user's sign-in answered
        self.times: dict[tuple[str, str], list[float]] = defaultdict(list)  # (method, name) -> milliseconds
        self.failures: dict[tuple[str, str], int] = defaultdict(int)

    def user_signed_in(self, runner) -> None:
        self.signed_in += 1
        if self.since is None and self.signed_in >= runner.target_user_count:
            self.since = time.time()
            if SIGNED_IN_SECONDS:
                gevent.spawn_later(SIGNED_IN_SECONDS, runner.quit)

    def record(self, kind: tuple[str, str], response_time: float, failed: bool) -> None:
        if self.since is not None and time.time() - response_time / 1000 >= self.since:
            self.times[kind].append(response_time)
            self.failures[kind] += failed

    def write(self, path: str) -> None:
        """Locust's columns (Type, Name, Request Count, Failure Count, percentiles, Requests/s) and the window."""
        end = time.time()
        window = end - self.since if self.since is not None else 0.0
        rows = sorted(self.times.items(), key=lambda row: (row[0][1], row[0][0]))
        rows.append((("", "Aggregated"), [t for _, times in rows for t in times]))
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(
                ["Type", "Name", "Request Count", "Failure Count", "50%", "95%", "99%", "Requests/s",
                 "Signed in after s", "Window s"]
            )  # fmt: skip
            for kind, times in rows:
                times = sorted(times)

                def percentile(share: float, times=times) -> str:
                    return f"{times[min(len(times) - 1, round(share * (len(times) - 1)))]:.0f}" if times else ""

                failures = sum(self.failures.values()) if kind[1] == "Aggregated" else self.failures[kind]
                writer.writerow(
                    [*kind, len(times), failures, percentile(0.5), percentile(0.95), percentile(0.99),
                     f"{len(times) / window:.2f}" if window else "0",
                     f"{self.since - self.started:.0f}" if self.since is not None else "", f"{window:.0f}"]
                )  # fmt: skip


reading = SignedInReading()


@events.request.add_listener
def _signed_in_reading(request_type, name, response_time, exception=None, **kwargs) -> None:
    reading.record((request_type, name), response_time, exception is not None)


@events.test_start.add_listener
def _start_signed_in_reading(**kwargs) -> None:
    reading.started = time.time()


@events.test_stop.add_listener
def _write_signed_in_reading(**kwargs) -> None:
    if SIGNED_IN_CSV:
        reading.write(SIGNED_IN_CSV)


class Officer(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    accounts: list[str] = []

    def on_start(self) -> None:
        self.client.get("/dang-nhap/", name="đăng nhập")
        token = self.client.cookies.get("csrftoken", "")
        username = random.choice(self.accounts)
        response = self.client.post(
            "/dang-nhap/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/dang-nhap/"},
            name="đăng nhập",
        )
        if "/dang-nhap/" in response.url:
            raise RuntimeError(f"{username} could not sign in")
        reading.user_signed_in(self.environment.runner)
        self.household_ids: list[str] = []

    def list_page(self, query: str, name: str) -> None:
        with self.client.get(f"/ho-gia-dinh/{query}", name=name, catch_response=True) as response:
            if response.status_code == 200:
                found = HOUSEHOLD_LINK.findall(response.text)
                if found:
                    self.household_ids = found[:20]
                response.success()


class CommuneOfficer(Officer):
    weight = 14
    accounts = COMMUNE_OFFICERS

    @task(5)
    def search_name(self) -> None:
        self.list_page(f"?q={random.choice(NAMES)}", "tìm theo tên")

    @task(2)
    def search_code(self) -> None:
        self.list_page(f"?q={random.randint(1, 9)}", "tìm theo mã")

    @task(4)
    def open_household(self) -> None:
        if not self.household_ids:
            self.list_page("", "danh sách hộ (xã)")
            return
        self.client.get(f"/ho-gia-dinh/{random.choice(self.household_ids)}/", name="xem hộ")

    @task(1)
    def save_household(self) -> None:
        if not self.household_ids:
            return
        url = f"/ho-gia-dinh/{random.choice(self.household_ids)}/sua/"
        page = self.client.get(url, name="mở phiếu hộ")
        if page.status_code != 200:
            return
        with self.client.post(
            url,
            form_fields(page.text),
            headers={"Referer": f"{self.host}{url}"},
            name="lưu phiếu hộ",
            catch_response=True,
        ) as response:
            if response.status_code in (200, 302):
                response.success()


class DistrictOrProvinceStaff(Officer):
    weight = 6
    accounts = DISTRICT_STAFF + PROVINCE_STAFF

    @task(3)
    def households_first_page(self) -> None:
        self.list_page("", "danh sách hộ trang 1")

    @task(1)
    def households_deep_page(self) -> None:
        self.list_page(f"?page={DEEP_PAGE}", "danh sách hộ trang sâu")

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/", name="tổng quan")

    @task(2)
    def movements(self) -> None:
        self.client.get("/ho-gia-dinh/bien-dong/", name="biến động")

    @task(2)
    def support_figures(self) -> None:
        self.client.get("/chuong-trinh/so-lieu/", name="số liệu hỗ trợ")
