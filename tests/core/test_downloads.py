"""Every download is named by core.downloads: ASCII, hyphens only, Đ kept as D. The exports are read from the URL
configuration (tests.core.test_spreadsheets), so a new export without a case fails there, and no module but
core/downloads.py may write a Content-Disposition header."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.downloads import download_name
from tests.core.test_spreadsheets import CASES, poisoned  # noqa: F401 - poisoned is the fixture the cases need
from tests.export_jobs import fetch_export
from tests.programs.conftest import catalogue  # noqa: F401 - autouse there: the programmes the cases export

PROJECT_APPS = ("accounts", "areas", "core", "dashboards", "households", "programs", "reviews", "reports", "emulation")
NAME = re.compile(r'^attachment; filename="(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*\.xlsx)"$')


def test_only_core_downloads_writes_the_download_header():
    writers = []
    for app in PROJECT_APPS:
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            if "migrations" in path.parts or path == Path(settings.BASE_DIR, "core", "downloads.py"):
                continue
            if "Content-Disposition" in path.read_text(encoding="utf-8"):
                writers.append(str(path.relative_to(settings.BASE_DIR)))
    assert writers == [], f"set their own file name instead of core.downloads: {writers}"


@pytest.mark.parametrize(
    ("parts", "name"),
    [
        (("ho-tro-housing_support", "03-12-2026"), "ho-tro-housing-support-03-12-2026.xlsx"),
        (("Danh sách", "Buôn Đăk Đoa", "Đợt 2"), "danh-sach-buon-dak-doa-dot-2.xlsx"),
    ],
)
def test_export_names_are_ascii_with_hyphens(parts, name):
    assert download_name(*parts, ext="xlsx") == name


@pytest.mark.django_db
def test_every_export_is_named_by_core_downloads(client_for, users, poisoned):  # noqa: F811
    failures = []
    for url_name, (role, query, needs, _has_text) in CASES.items():
        url = reverse(url_name, args=[poisoned[needs].pk] if needs else [])
        response, _content = fetch_export(client_for(users.by_role(role)), f"{url}?{query}" if query else url)
        header = response.get("Content-Disposition", "")
        match = NAME.match(header)
        if response.status_code != 200 or not match:
            failures.append(f"{url_name}: {response.status_code} {header!r}")
            continue
        name = match["name"]
        if download_name(name.rsplit(".", 1)[0], ext="xlsx") != name:
            failures.append(f"{url_name}: {name} is not what core.downloads makes of it")
    assert not failures, "\n".join(failures)
