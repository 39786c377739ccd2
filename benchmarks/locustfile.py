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
"""

import os
import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, task

PASSWORD = "GiamNgheo@2026"
COMMUNE_OFFICERS = [
    "xa.phutuc", "xa.iarsai", "xa.iarsuom", "xa.chugu", "xa.datbang", "xa.iamlah", "xa.chudrang",
    "xa.phucan", "xa.iahdreh", "xa.iarmok", "xa.chungoc", "xa.uar", "xa.churcam", "xa.krongnang",
]  # fmt: skip
DISTRICT_STAFF = ["huyen.krongpa", "huyen.iapa"]
PROVINCE_STAFF = ["tinh.gialai"]
# What officers type: clan and given names of the demo's Jrai and Kinh households, with and without diacritics.
NAMES = ["ksor", "rahlan", "siu", "h'linh", "hlinh", "nguyen van", "Nguyễn Thị", "rơ mah", "ro mah", "kpă", "nay"]
HOUSEHOLD_LINK = re.compile(r'href="/ho-gia-dinh/(\d+)/"')
# Page 500 of a province's list (1.000.000 households); a smaller database has fewer pages: LOCUST_DEEP_PAGE=20.
DEEP_PAGE = int(os.environ.get("LOCUST_DEEP_PAGE", "500"))


class FormFields(HTMLParser):
    """The named fields of the first <form method="post"> of a page, with the values the page shows."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = self._done = False
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._in_form = True
        elif not self._in_form:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self.fields[attrs["name"]] = attrs.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


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
        form = FormFields()
        form.feed(page.text)
        with self.client.post(
            url, form.fields, headers={"Referer": f"{self.host}{url}"}, name="lưu phiếu hộ", catch_response=True
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
