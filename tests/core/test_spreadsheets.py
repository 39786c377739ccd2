"""Exported workbooks carry what officers typed as text, never as a live formula, and every sheet has a real name.

The list of exports is read from the URL configuration (every view whose code writes a workbook), so a new export
without a case here fails ``test_every_export_has_a_case``.
"""

import inspect
import io
import re
from datetime import date, timedelta

import pytest
import tablib
from django.urls import resolve, reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from accounts.choices import Role
from core.exports import EXPORT_JOB, BackgroundExportMixin
from core.models import JobRun
from core.spreadsheets import FORMULA_TRIGGERS, is_formula_like, sheet_title
from households.models import EscapeRegistration
from programs import services as programme_services
from programs.models import Benefit
from tests.export_jobs import fetch_export, in_request_up_to
from tests.households.conftest import family
from tests.programs.conftest import catalogue, programme, set_status  # noqa: F401 - catalogue is autouse there
from tests.reviews.conftest import Walk
from tests.test_url_rules import portal_patterns

EVIL_NAME = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'
EVIL_UNIT = '=HYPERLINK("http://evil.example/u","Xã Ia RSai")'
EVIL_VILLAGE = "@Buôn Chư Tê"
EVIL_TEXTS = {EVIL_NAME, EVIL_UNIT, EVIL_VILLAGE, "+84 912 345 678", "-QĐ 12/UBND", "\tCông văn"}
PROJECT_APPS = {"accounts", "areas", "core", "dashboards", "households", "programs", "reviews", "reports", "emulation"}
WRITES_WORKBOOK = re.compile(r"xlsx_response|\.export\(|XLSX_CONTENT_TYPE|_workbook\(")

# Exports decided by the scope (tables of units whose figures add up every household of a district), not by rows.
SCOPE_DECIDES = {"households:transitions_export", "households:targets", "programs:figures"}

# Views whose code path reaches a workbook writer but that are not an export of their own.
NOT_EXPORTS = {"programs:electricity_pay": "GET goes back to the electricity list, whose export it inherits"}

# URL name -> (role, query string, object the URL needs, whether officers' text must appear in the file)
CASES = {
    "areas:export": (Role.DISTRICT_STAFF, "", None, True),
    "households:export": (Role.DISTRICT_STAFF, "", None, True),
    "households:import_template": (Role.COMMUNE_OFFICER, "", None, True),  # the example row names a real village
    "households:opening_template": (Role.DISTRICT_STAFF, "", None, False),  # headers and instructions only
    "households:transitions_export": (Role.DISTRICT_STAFF, "", None, True),
    "households:targets": (Role.DISTRICT_STAFF, "xuat=xlsx", None, True),
    "programs:figures": (Role.DISTRICT_STAFF, "xuat=xlsx", None, True),
    "programs:programme": (Role.DISTRICT_STAFF, "xuat=xlsx", "programme", True),
    "programs:coverage_unsupported": (Role.DISTRICT_STAFF, "xuat=xlsx", None, True),
    "programs:coverage_uninsured": (Role.DISTRICT_STAFF, "xuat=xlsx", None, True),
    "programs:coverage_housing": (Role.DISTRICT_STAFF, "xuat=xlsx", None, True),
    "programs:coverage_escape": (Role.DISTRICT_STAFF, "xuat=xlsx", None, True),
    "programs:bhyt_list": (Role.COMMUNE_OFFICER, "xuat=xlsx", None, True),
    "programs:electricity": (Role.DISTRICT_STAFF, "xuat=xlsx", None, True),
    "programs:training_import": (Role.COMMUNE_OFFICER, "mau=1", None, False),  # a fixed example, no registry data
    "reviews:submission_xlsx": (Role.DISTRICT_STAFF, "", "submission", True),
    "emulation:register_export": (Role.DISTRICT_STAFF, "", None, False),  # the award register: none in this fixture
}


def export_url_names() -> set[str]:
    """Every portal URL whose view (or a project class it inherits from) writes a workbook."""
    names = set()
    for name, _route, entry in portal_patterns():
        view_class = getattr(entry.callback, "view_class", None)
        if view_class is None:
            continue
        source = "".join(
            inspect.getsource(klass) for klass in view_class.__mro__ if klass.__module__.split(".")[0] in PROJECT_APPS
        )
        if WRITES_WORKBOOK.search(source):
            names.add(name)
    return names


def test_every_export_has_a_case():
    exports = export_url_names() - set(NOT_EXPORTS)
    assert exports == set(CASES), f"exports without a case: {exports - set(CASES)}; stale cases: {set(CASES) - exports}"


def formula_cells(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def quoted_texts(content: bytes) -> dict[str, bool]:
    """Formula-like text cells -> whether Excel keeps them as text when the cell is edited (quote prefix)."""
    workbook = load_workbook(io.BytesIO(content))
    return {
        cell.value: bool(cell.quotePrefix)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if is_formula_like(cell.value)
    }


# --- the shared writer ---------------------------------------------------------------------------------------------


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("text", sorted(EVIL_TEXTS))
def test_formula_like_text_is_written_as_quoted_text_in_every_writing_mode(text):
    normal = Workbook()
    normal.active.append([text, -12, -3.5, "Ksor Y Bhin"])
    streamed = Workbook(write_only=True)
    sheet = streamed.create_sheet("Hộ")
    sheet.append([text, -12, WriteOnlyCell(sheet, value=text)])
    dataset = tablib.Dataset(headers=["Họ và tên"], title="Thành viên")
    dataset.append([text])
    for content in (_save(normal), _save(streamed), dataset.export("xlsx")):
        assert formula_cells(content) == []
        assert quoted_texts(content) == {text: True}
    cells = list(load_workbook(io.BytesIO(_save(normal))).active.iter_rows(values_only=True))[0]
    assert cells == (text, -12, -3.5, "Ksor Y Bhin")  # numbers, negative ones included, stay numbers


def test_formula_triggers_are_the_owasp_list():
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}
    assert not is_formula_like(-5)
    assert not is_formula_like("Ksor Y Bhin")


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Hộ nghèo chưa nhận hỗ trợ nào trong năm", "Hộ nghèo chưa nhận hỗ trợ nào t"),
        ("BHYT/Thẻ: [2026]?", "BHYT-Thẻ- -2026--"),
        ("   ", "Trang 1"),
    ],
)
def test_sheet_title_is_one_excel_accepts(raw, expected):
    assert sheet_title(raw) == expected
    Workbook().create_sheet(sheet_title(raw))  # openpyxl refuses an invalid name


# --- every export ---------------------------------------------------------------------------------------------------


@pytest.fixture
def poisoned(tree, users, settings, tmp_path):
    """A commune, village, households, members, benefits, an escape registration and a submitted review whose
    officer-typed text starts with a formula character."""
    settings.MEDIA_ROOT = tmp_path
    from households import services as household_services
    from households.models import Household
    from tests.households.conftest import POOR_FACTS

    tree.commune.name = EVIL_UNIT
    tree.commune.save()
    tree.village.name = EVIL_VILLAGE
    tree.village.save()
    today = timezone.localdate()

    def make(code, phone=""):
        members = family()
        members[0].full_name = EVIL_NAME
        members[1].health_insurance_valid_from = members[1].health_insurance_valid_to = None  # uninsured
        household = Household(code=code, village=tree.village, phone=phone, **POOR_FACTS)
        household = household_services.household_save(
            household=household, members=members, user=users.commune_officer, expected_version=None
        )
        return set_status(household, ("poor", date(today.year - 1, 1, 1), None))

    unsupported, supported = make("IRS-001", phone="0912345678"), make("IRS-002")
    programme_services.benefit_record(
        benefit=Benefit(
            programme=programme("HOUSING_SUPPORT"),
            household=supported,
            date=today - timedelta(days=1),
            housing_work="repair",
            amount_local=30_000_000,
            decision="-QĐ 12/UBND",
            funder=EVIL_NAME,
        ),
        user=users.admin,
    )
    EscapeRegistration.objects.create(
        household=unsupported,
        year=today.year,
        registered_on=today - timedelta(days=1),
        class_at_registration="poor",
        cadre_name=EVIL_NAME,
        created_by=users.commune_officer,
    )
    walk = Walk(tree, users)
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    walk.submit()
    return {"programme": programme("HOUSING_SUPPORT"), "submission": walk.fresh().submissions.first()}


@pytest.mark.django_db
@pytest.mark.parametrize("written", ["in the request", "by the job"])
def test_every_export_writes_officers_text_as_text(client_for, users, poisoned, monkeypatch, written):
    """Each export as the request writes it, then as its job does (every list past the rows written inside the
    request; the tables of units of a district are jobs anyway)."""
    if written == "by the job":
        in_request_up_to(monkeypatch, 0)
    failures, background = [], set()
    for name, (role, query, needs, has_text) in CASES.items():
        url = reverse(name, args=[poisoned[needs].pk] if needs else [])
        if issubclass(resolve(url).func.view_class, BackgroundExportMixin):
            background.add(name)
        response, content = fetch_export(client_for(users.by_role(role)), f"{url}?{query}" if query else url)
        if response.status_code != 200 or not response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml"
        ):
            failures.append(f"{name}: answered {response.status_code} {response['Content-Type']}")
            continue
        if formulas := formula_cells(content):
            failures.append(f"{name}: live formulas {formulas[:3]}")
        texts = quoted_texts(content)
        if unquoted := [text for text, quoted in texts.items() if not quoted]:
            failures.append(f"{name}: formula-like text without the quote prefix {unquoted[:3]}")
        if has_text and not set(texts) & EVIL_TEXTS:
            failures.append(f"{name}: none of the officers' formula-like text reached the file")
        titles = load_workbook(io.BytesIO(content)).sheetnames
        if generic := [t for t in titles if t == "Tablib Dataset" or re.fullmatch(r"Sheet\d*", t)]:
            failures.append(f"{name}: sheets without a real name {generic}")
    assert not failures, "\n".join(failures)
    jobs = set(JobRun.objects.filter(kind=EXPORT_JOB).values_list("params__url_name", flat=True))
    # a district's tables of units are jobs by its scope; every list of the fixture, a job once past the limit
    assert jobs == (background if written == "by the job" else SCOPE_DECIDES)


@pytest.mark.django_db
def test_unit_export_sheet_has_a_vietnamese_name(client_for, users):
    response = client_for(users.district_staff).get(reverse("areas:export"))
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Đơn vị hành chính"]
