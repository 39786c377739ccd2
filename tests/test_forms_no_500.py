"""No server error on an ordinary mistake: every form of the portal, posted twice and with a duplicate.

The list of forms is derived from the URL conf: every portal URL whose view accepts a POST needs a case here, so a
form added later without one fails ``test_every_form_has_a_case``. Each case names the page that shows the form,
the role that uses it and what the officer types; the test reads the form from that page as a browser would (its
hidden fields, the one-time submission token, the defaults), posts it, and posts exactly the same data again, as
a double click or Back-and-resubmit does. It fails on a server error (the test client raises it), on a first
post that does not save, and on a second object. Where the form writes a unique rule, a duplicate of an
existing object must come back as the form with the rule's Vietnamese message and nothing saved.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.permissions import RoleRequiredMixin
from areas.models import AdministrativeUnit
from core.integrity import UNIQUE_RULES, portal_unique_constraints
from core.models import JobRun
from core.submit_once import FIELD
from households.models import ChangeEntry, EscapeRegistration, Household, IndicatorOverride, Member, StatusRecord
from households.targets import escape_registration_add
from programs.catalogue import catalogue_load
from programs.models import Benefit, BenefitPhoto
from programs.services import benefit_record
from reviews.models import Complaint, HouseholdRequest, ReviewCase, ReviewRound, Submission, VillageMeeting
from tests.clock import on_the_day_of_import
from tests.factories import PASSWORD, VillageFactory
from tests.households.conftest import POOR_FACTS, family
from tests.programs.conftest import set_status
from tests.reviews.conftest import Walk
from tests.test_url_rules import OWN_RULE, PUBLIC, portal_patterns

TODAY = timezone.localdate()
_on_the_day_of_import = on_the_day_of_import()  # a run across midnight: tests.clock


# --- reading a form from its page, as the browser sends it ---------------------------------------------------


class FormReader(HTMLParser):
    """The POST forms of a page: action, the buttons' formactions and the values a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.current, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower()}
            self.current.update(fields=[], actions=[], selects={})
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.current["fields"].append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.current["fields"].append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("formaction"):
            self.current["actions"].append(a["formaction"])
        elif tag == "select" and a.get("name"):
            self.select = {"name": a["name"], "first": None, "chosen": None}
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in a:
                self.select["chosen"] = value
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None and self.current is not None:
            value = self.select["chosen"] if self.select["chosen"] is not None else self.select["first"]
            self.current["fields"].append((self.select["name"], value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            self.current["fields"].append((self.textarea[0], self.textarea[1].lstrip("\n")))
            self.textarea = None
        elif tag == "form":
            self.current = None


def form_on_page(client, page: str, action: str) -> dict:
    """The data of the POST form on ``page`` that posts to ``action``, with its submission token."""
    response = client.get(page)
    assert response.status_code == 200, f"{page} answered {response.status_code}"
    return form_in(response.content.decode(), page, action)


def form_in(html: str, page: str, action: str) -> dict:
    reader = FormReader()
    reader.feed(html)
    want = urlsplit(action).path
    for form in reader.forms:
        targets = [form["action"] or page, *form["actions"]]
        if form["method"] == "post" and want in {urlsplit(t).path for t in targets}:
            data: dict[str, list[str]] = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            assert data.get(FIELD), f"the form of {page} that posts to {action} has no submission token"
            return {k: v if len(v) > 1 else v[0] for k, v in data.items()}
    raise AssertionError(f"no form posting to {action} on {page}")


# --- the cases -----------------------------------------------------------------------------------------------


@dataclass
class Case:
    user: User
    page: str
    fill: dict = field(default_factory=dict)  # what the officer types over the page's defaults
    action: str = ""  # where the form posts (default: the page)
    reads: str = ""  # the form on the page that is read, by where it posts (default: ``action``)
    counted: Callable[[], int] | None = None  # the objects one saved form adds (must grow by exactly one)
    duplicate: dict | None = None  # values repeating an existing object's unique key
    duplicate_message: str = ""
    files: Callable[[], dict] | None = None  # fresh uploads for each post
    saves: bool = True  # the first post must be accepted (a redirect)


@dataclass
class Env:
    tree: object
    users: object
    monkeypatch: object = None  # for a form shown only past a size (undone after the test)

    @property
    def officer(self):
        return self.users.commune_officer

    def household(self, code="IRS-001", status=("poor", date(TODAY.year - 1, 1, 1), None), **facts) -> Household:
        from households.services import household_save

        household = household_save(
            household=Household(code=code, village=self.tree.village, **{**POOR_FACTS, **facts}),
            members=family(),
            user=self.officer,
            expected_version=None,
        )
        if status:
            set_status(household, status)
        return household

    def walk(self) -> Walk:
        self.household("IRS-001")
        self.household("IRS-002", income_per_capita=1_000_000)
        return Walk(self.tree, self.users)


CASES: dict[str, Callable[[Env], Case]] = {}
WITH_UNIQUE_RULE: set[str] = set()  # the cases that also post a duplicate


def case(name: str, unique: bool = False):
    def register(builder):
        CASES[name] = builder
        if unique:
            WITH_UNIQUE_RULE.add(name)
        return builder

    return register


def ymd(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# accounts


@case("accounts:password_change")
def _(env):
    return Case(
        env.officer,
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Buon-Chu-Te-2027!", "new_password2": "Buon-Chu-Te-2027!"},
    )


@case("accounts:user_create", unique=True)
def _(env):
    return Case(
        env.users.admin,
        reverse("accounts:user_create"),
        {
            "username": "xa.phutuc",
            "full_name": "Nguyễn Thị Lan",
            "role": "commune_officer",
            "unit": str(env.tree.sibling_commune.pk),
            "password1": "Phu-Tuc-2026-moi!",
            "password2": "Phu-Tuc-2026-moi!",
        },
        counted=lambda: User.objects.count(),
        duplicate={"username": "XA.IarSai"},
        duplicate_message="Tên đăng nhập này đã có",
    )


@case("accounts:user_update", unique=True)
def _(env):
    target = env.users.district_staff
    return Case(
        env.users.admin,
        reverse("accounts:user_update", args=[target.pk]),
        {"full_name": "Trần Văn Minh"},
        duplicate={"username": "Xa.IaRsai"},
        duplicate_message="Tên đăng nhập này đã có",
    )


@case("accounts:user_set_password")
def _(env):
    target = env.users.district_staff
    return Case(
        env.users.admin,
        reverse("accounts:user_set_password", args=[target.pk]),
        {"new_password1": "Tam-thoi-2026-moi!", "new_password2": "Tam-thoi-2026-moi!"},
    )


@case("accounts:user_set_active")
def _(env):
    target = env.users.district_staff
    return Case(env.users.admin, reverse("accounts:user_set_active", args=[target.pk]))


@case("accounts:user_unlock")
def _(env):
    from axes.models import AccessAttempt

    target = env.users.district_staff
    AccessAttempt.objects.create(username=target.username, ip_address="10.0.0.9", failures_since_start=5)
    return Case(env.users.admin, reverse("accounts:user_list"))


# areas


@case("areas:create", unique=True)
def _(env):
    VillageFactory(code="24079-02", name="Buôn Ma Giai", parent=env.tree.commune)
    return Case(
        env.users.admin,
        reverse("areas:create") + f"?parent={env.tree.commune.pk}",
        {"code": "24079-09", "name": "Buôn Bhă", "level": "village", "kind": "village"},
        action=reverse("areas:create"),
        counted=lambda: AdministrativeUnit.objects.count(),
        duplicate={"code": "24079-02"},
        duplicate_message="Đã có đơn vị cùng cấp mang mã này",
    )


@case("areas:update", unique=True)
def _(env):
    VillageFactory(code="24079-02", name="Buôn Ma Giai", parent=env.tree.commune)
    return Case(
        env.users.admin,
        reverse("areas:update", args=[env.tree.village.pk]),
        {"name": "Buôn Chư Tê (mới)"},
        duplicate={"code": "24079-02"},
        duplicate_message="Đã có đơn vị cùng cấp mang mã này",
    )


# core


@case("core:job_retry")
def _(env):
    job = JobRun.objects.create(
        kind="system_check", status="failed", error="Mất kết nối", requested_by=env.users.admin, unit=None
    )
    return Case(
        env.users.admin, reverse("core:job_detail", args=[job.pk]), action=reverse("core:job_retry", args=[job.pk])
    )


@case("core:system_check")
def _(env):
    return Case(
        env.users.admin,
        reverse("core:system_status"),
        action=reverse("core:system_check"),
        counted=lambda: JobRun.objects.count(),
    )


# households


def member_fill(prefix="members-0") -> dict:
    return {
        f"{prefix}-full_name": "Siu Y Blơ",
        f"{prefix}-relationship": "head",
        f"{prefix}-sex": "male",
        f"{prefix}-date_of_birth": "01/02/1975",
        f"{prefix}-ethnic_group": "",  # filled below with the page's first real choice
    }


@case("households:create", unique=True)
def _(env):
    env.household("IRS-001")
    from households.models import EthnicGroup

    fill = {
        "code": "IRS-050",
        "village": str(env.tree.village.pk),
        **member_fill(),
        "members-0-ethnic_group": str(EthnicGroup.objects.get(code="10").pk),
    }
    return Case(
        env.officer,
        reverse("households:create"),
        fill,
        counted=lambda: Household.objects.count(),
        duplicate={"code": "irs-001"},  # the existing IRS-001, typed in lower case
        duplicate_message="Xã đã có hộ mang mã này",
    )


@case("households:update", unique=True)
def _(env):
    env.household("IRS-001")
    household = env.household("IRS-002")
    return Case(
        env.officer,
        reverse("households:update", args=[household.pk]),
        {"address": "Buôn Chư Tê, xã Ia RSai"},
        duplicate={"code": "Irs-001"},
        duplicate_message="Xã đã có hộ mang mã này",
    )


@case("households:archive")
def _(env):
    household = env.household()
    return Case(
        env.officer,
        reverse("households:archive", args=[household.pk]),
        {"reason": "Cả hộ chuyển đến tỉnh Đắk Lắk."},
        counted=lambda: ChangeEntry.objects.filter(action="archive").count(),
    )


@case("households:override")
def _(env):
    household = env.household()
    return Case(
        env.officer,
        reverse("households:detail", args=[household.pk]),
        {"value": "true", "reason": "Nhà dột nát, cán bộ đã đến xem."},
        action=reverse("households:override", args=[household.pk]),
        counted=lambda: IndicatorOverride.objects.count(),
    )


@case("households:status_add")
def _(env):
    household = env.household()
    return Case(
        env.officer,
        reverse("households:detail", args=[household.pk]),
        {"household_class": "near_poor", "valid_from": ymd(TODAY - timedelta(days=3)), "decision": "QĐ 12/QĐ-UBND"},
        action=reverse("households:status_add", args=[household.pk]),
        counted=lambda: StatusRecord.objects.count(),
    )


@case("households:member_move")
def _(env):
    source = env.household("IRS-001")
    target = env.household("IRS-002")
    child = source.members.current().filter(relationship="child").first()
    return Case(
        env.officer,
        reverse("households:member_move", args=[child.pk]),
        {"target": target.code, "relationship": "other"},
        counted=lambda: Member.objects.filter(household=target, left_at__isnull=True).count(),
    )


@case("households:targets")
def _(env):
    page = reverse("households:targets") + f"?nam={TODAY.year}&don_vi={env.tree.district.pk}"
    return Case(
        env.users.district_staff,
        page,
        {
            "legal_basis": "Quyết định 15/QĐ-UBND của UBND huyện",
            f"u{env.tree.commune.pk}-households_to_escape": "6",
            f"u{env.tree.commune.pk}-rate_reduction": "1,5",
        },
        action=reverse("households:targets"),
    )


@case("households:escape_register", unique=True)
def _(env):
    household = env.household("IRS-001")
    other = env.household("IRS-002")
    escape_registration_add(
        household=other, year=TODAY.year, registered_on=TODAY, user=env.officer, cadre_name="Ksor Y Phen"
    )
    return Case(
        env.officer,
        reverse("households:escape_register"),
        {"household": household.code, "cadre_name": "Rơ Mah Y Dốt", "cadre_user": ""},
        counted=lambda: EscapeRegistration.objects.count(),
        duplicate={"household": other.code},
        duplicate_message="",  # the household is no longer offered: the choice itself is refused
    )


@case("households:escape_withdraw")
def _(env):
    household = env.household()
    registration = escape_registration_add(
        household=household, year=TODAY.year, registered_on=TODAY, user=env.officer, cadre_name="Ksor Y Phen"
    )
    return Case(
        env.officer,
        reverse("households:escape_withdraw", args=[registration.pk]),
        {"reason": "Hộ xin rút vì chuyển đi nơi khác."},
    )


def workbook_upload(name="ho.xlsx") -> dict:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Không phải mẫu nhập"])
    buffer = BytesIO()
    book.save(buffer)
    return {"file": SimpleUploadedFile(name, buffer.getvalue())}


@case("households:import")
def _(env):
    # An upload is checked in a background job; here the file is refused before that (not the import template).
    return Case(env.officer, reverse("households:import"), files=workbook_upload, saves=False)


@case("households:opening")
def _(env):
    # The opening-balance workbook is read in a background job; a file that is not a workbook is refused before.
    return Case(
        env.officer,
        reverse("households:opening"),
        files=lambda: {"file": SimpleUploadedFile("dau-ky.xlsx", b"x")},
        saves=False,
    )


# programs


@case("programs:benefit_create", unique=True)
def _(env):
    catalogue_load()
    from programs.models import Programme

    programme = Programme.objects.get(code="ELECTRICITY")
    household = env.household()
    quarter = (TODAY.month - 1) // 3 + 1
    paid = Benefit(programme=programme, household=household, date=TODAY, period_year=TODAY.year, amount=100_000)
    paid.period_quarter = quarter
    benefit_record(benefit=paid, user=env.officer)
    # another quarter already past: the one before (the last of the previous year in January–March)
    other_year, other_quarter = (TODAY.year, quarter - 1) if quarter > 1 else (TODAY.year - 1, 4)
    page = reverse("programs:benefit_create", args=[household.pk]) + f"?ct={programme.pk}"
    return Case(
        env.officer,
        page,
        {
            "period_year": str(other_year),
            "period_quarter": str(other_quarter),
            "ct": str(programme.pk),
            "date": ymd(TODAY),
        },
        counted=lambda: Benefit.objects.count(),
        duplicate={"period_year": str(TODAY.year), "period_quarter": str(quarter)},
        duplicate_message="Hộ đã được ghi nhận khoản chi trả của chính sách này trong quý đó.",
    )


def electricity_benefits(env):
    catalogue_load()
    from programs.models import Programme

    programme = Programme.objects.get(code="ELECTRICITY")
    household = env.household()
    made = []
    for quarter in (1, 2):
        benefit = Benefit(
            programme=programme, household=household, date=date(TODAY.year - 1, 3 * quarter, 1), amount=100_000
        )
        benefit.period_year, benefit.period_quarter = TODAY.year - 1, quarter
        made.append(benefit_record(benefit=benefit, user=env.officer))
    return made


@case("programs:benefit_update", unique=True)
def _(env):
    first, second = electricity_benefits(env)
    return Case(
        env.officer,
        reverse("programs:benefit_update", args=[second.pk]),
        {"amount": "120000"},
        duplicate={"period_quarter": "1"},
        duplicate_message="Hộ đã được ghi nhận khoản chi trả của chính sách này trong quý đó.",
    )


@case("programs:benefit_cancel")
def _(env):
    first, _second = electricity_benefits(env)
    return Case(
        env.officer,
        reverse("programs:benefit_cancel", args=[first.pk]),
        {"reason": "Ghi nhầm hộ."},
    )


def housing_benefit(env):
    catalogue_load()
    from programs.models import Programme

    programme = Programme.objects.get(code="HOUSING_SUPPORT")
    household = env.household()
    benefit = Benefit(
        programme=programme, household=household, date=TODAY, housing_work="new", amount_central=40_000_000
    )
    return benefit_record(benefit=benefit, user=env.officer, override_reason="Hộ nghèo có nhà dột nát")


def jpeg() -> dict:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "JPEG")
    return {"image": SimpleUploadedFile("nha.jpg", buffer.getvalue(), content_type="image/jpeg")}


@case("programs:benefit_photo")
def _(env):
    benefit = housing_benefit(env)
    return Case(
        env.officer,
        reverse("programs:benefit", args=[benefit.pk]),
        {"caption": "Nhà đã làm xong"},
        action=reverse("programs:benefit_photo", args=[benefit.pk]),
        files=jpeg,
        counted=lambda: BenefitPhoto.objects.count(),
    )


@case("programs:bhyt_import")
def _(env):
    return Case(env.officer, reverse("programs:bhyt_import"), files=workbook_upload, saves=False)


@case("programs:training_import")
def _(env):
    return Case(env.officer, reverse("programs:training_import"), files=workbook_upload, saves=False)


@case("programs:electricity_pay")
def _(env):
    catalogue_load()
    env.household()
    return Case(
        env.officer,
        reverse("programs:electricity"),
        action=reverse("programs:electricity_pay"),
        counted=lambda: Benefit.objects.count(),
    )


# reviews


@case("reviews:create", unique=True)
def _(env):
    env.household()
    previous = TODAY.year - 1
    Walk(env.tree, env.users)  # the officer's commune
    from reviews import services

    services.review_round_open(commune=env.tree.commune, kind="periodic", year=previous, user=env.officer)
    return Case(
        env.officer,
        reverse("reviews:create"),
        {"kind": "regular", "year": str(TODAY.year), "month": str(TODAY.month)},
        counted=lambda: ReviewRound.objects.count(),
        duplicate={"kind": "periodic", "year": str(previous), "month": ""},
        duplicate_message="Xã đã có đợt rà soát này rồi",
    )


@case("reviews:case_add")
def _(env):
    walk = env.walk()
    round = walk.open(kind="regular", month=TODAY.month)
    extra = env.household("IRS-003")
    return Case(
        env.officer,
        reverse("reviews:case_add", args=[round.pk]),
        {"household": extra.code, "reason": "Hộ có người ốm nặng."},
        counted=lambda: ReviewCase.objects.count(),
    )


@case("reviews:meeting")
def _(env):
    walk = env.walk()
    walk.open()
    walk.survey_all()
    cases = {f"agree-{c.pk}": "30" for c in walk.fresh().cases.all()}
    held = timezone.localtime() - timedelta(days=1)
    return Case(
        env.officer,
        reverse("reviews:meeting", args=[walk.round.pk]),
        {
            "held_at": held.strftime("%d/%m/%Y %H:%M"),
            "location": "Nhà văn hoá buôn",
            "chair": "Ksor Y Phen",
            "secretary": "Rơ Mah H'Bia",
            "attendees": "40",
            "front_representative": "Nay H'Ngăm",
            "supervisors": "Ủy ban MTTQ xã",
            **cases,
        },
        counted=lambda: VillageMeeting.objects.count(),
    )


@case("reviews:posting")
def _(env):
    walk = env.walk()
    walk.open()
    walk.survey_all()
    walk.meet()
    return Case(
        env.officer,
        reverse("reviews:posting", args=[walk.round.pk]),
        {"starts_on": ymd(TODAY), "places": "Trụ sở UBND xã", "signer_name": "Nguyễn Văn Hùng", "signer_form": "TM."},
    )


def posted(env, days_ago=1) -> Walk:
    walk = env.walk()
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post(starts_on=TODAY - timedelta(days=days_ago))
    return walk


@case("reviews:complaint")
def _(env):
    walk = posted(env)
    first = walk.fresh().cases.first()
    return Case(
        env.officer,
        reverse("reviews:detail", args=[walk.round.pk]),
        {"case": str(first.pk), "received_on": ymd(TODAY), "complainant": "Ksor Y Tlam", "content": "Hộ đã có xe máy."},
        action=reverse("reviews:complaint", args=[walk.round.pk]),
        counted=lambda: Complaint.objects.count(),
    )


@case("reviews:recheck")
def _(env):
    from reviews import services

    walk = posted(env)
    first = walk.fresh().cases.first()
    complaint = services.complaint_record(
        round=walk.fresh(),
        case=first,
        received_on=TODAY,
        complainant="Ksor Y Tlam",
        content="Hộ đã có xe máy.",
        user=env.officer,
    )
    return Case(
        env.officer,
        reverse("reviews:detail", args=[walk.round.pk]),
        {"rechecked_on": ymd(TODAY), "recheck_result": "Giữ nguyên kết quả.", "result_class": "poor"},
        action=reverse("reviews:recheck", args=[complaint.pk]),
    )


@case("reviews:submit")
def _(env):
    walk = posted(env, days_ago=10)
    return Case(
        env.officer,
        reverse("reviews:detail", args=[walk.round.pk]),
        action=reverse("reviews:submit", args=[walk.round.pk]),
        counted=lambda: Submission.objects.count(),
    )


def submitted(env):
    walk = posted(env, days_ago=10)
    return walk, walk.submit()


@case("reviews:approve")
def _(env):
    walk, submission = submitted(env)
    return Case(
        env.users.district_staff,
        reverse("reviews:submission", args=[submission.pk]),
        {"comment": "Đồng ý."},
        action=reverse("reviews:approve", args=[submission.pk]),
    )


@case("reviews:return")
def _(env):
    walk, submission = submitted(env)
    return Case(
        env.users.district_staff,
        reverse("reviews:submission", args=[submission.pk]),
        {"comment": "Thiếu biên bản họp buôn."},
        action=reverse("reviews:return", args=[submission.pk]),
    )


@case("reviews:recognise")
def _(env):
    walk, _submission = submitted(env)
    walk.approve()
    from reviews.models import RecognitionDecision

    return Case(
        env.officer,
        reverse("reviews:recognise", args=[walk.round.pk]),
        {"number": "125/QĐ-UBND", "signed_on": ymd(TODAY), "signer_name": "Nguyễn Văn Hùng"},
        counted=lambda: RecognitionDecision.objects.count(),
    )


@case("reviews:certificates_pdf_job")
def _(env):
    walk = env.walk()
    decision = walk.to_recognised()
    return Case(
        env.officer,
        reverse("reviews:detail", args=[walk.round.pk]),
        action=reverse("reviews:certificates_pdf_job", args=[decision.pk]),
        counted=lambda: JobRun.objects.filter(kind="certificates_pdf").count(),
    )


@case("reviews:decision_pdf_job")
def _(env):
    walk = env.walk()
    decision = walk.to_recognised()
    # The form is on the page that a large decision's link opens: its lists' kept count says it is large.
    Submission.objects.filter(pk=decision.submission_id).update(counts={"lists": {"poor": 1000}})
    return Case(
        env.officer,
        reverse("reviews:decision_pdf", args=[decision.pk]),
        action=reverse("reviews:decision_pdf_job", args=[decision.pk]),
        counted=lambda: JobRun.objects.filter(kind="decision_pdf").count(),
    )


@case("reviews:minutes_pdf_job")
def _(env):
    from reviews import jobs

    env.monkeypatch.setattr(jobs, "IMMEDIATE_MINUTES_ROWS", 0)  # the form is on a large meeting's page
    walk = env.walk()
    walk.open()
    walk.survey_all()
    meeting = walk.meet()
    return Case(
        env.officer,
        reverse("reviews:minutes_pdf", args=[meeting.pk]),
        action=reverse("reviews:minutes_pdf_job", args=[meeting.pk]),
        counted=lambda: JobRun.objects.filter(kind="minutes_pdf").count(),
    )


@case("reviews:posting_pdf_job")
def _(env):
    walk = posted(env)
    return Case(
        env.officer,
        reverse("reviews:detail", args=[walk.round.pk]),
        action=reverse("reviews:posting_pdf_job", args=[walk.round.pk]),
        counted=lambda: JobRun.objects.filter(kind="posting_pdf").count(),
    )


@case("reviews:reopen")
def _(env):
    walk = env.walk()
    walk.to_recognised()
    return Case(
        env.users.district_staff,
        reverse("reviews:detail", args=[walk.round.pk]),
        {"reason": "Bỏ sót một hộ có người khuyết tật."},
        action=reverse("reviews:reopen", args=[walk.round.pk]),
    )


@case("reviews:case")
def _(env):
    walk = env.walk()
    walk.open()
    first = walk.fresh().cases.first()
    return Case(env.officer, reverse("reviews:case", args=[first.pk]), {"surveyed_on": ymd(TODAY), "finish": "1"})


@case("reviews:case_preview")
def _(env):
    walk = env.walk()
    walk.open()
    first = walk.fresh().cases.first()
    # The survey page posts its form to the preview as the officer types; the answer is data, never a save.
    return Case(
        env.officer,
        reverse("reviews:case", args=[first.pk]),
        {"surveyed_on": ymd(TODAY)},
        reads=reverse("reviews:case", args=[first.pk]),
        action=reverse("reviews:case_preview", args=[first.pk]),
        saves=False,
    )


@case("reviews:request_create")
def _(env):
    household = env.household()
    return Case(
        env.officer,
        reverse("reviews:request_create"),
        {"household": household.code, "received_on": ymd(TODAY), "content": "Xin thoát nghèo."},
        counted=lambda: HouseholdRequest.objects.count(),
    )


# reports


def _report(env, status="draft"):
    from reports.models import PeriodicReport, ReportKind
    from reports.services import periods_for

    start, end = periods_for(ReportKind.SIX_MONTH, TODAY.year - 1)
    report = PeriodicReport(
        unit=env.tree.district,
        kind=ReportKind.SIX_MONTH,
        period_start=start,
        period_end=end,
        status=status,
        created_by=env.users.district_staff,
        signer_name="Nguyễn Tiến Đăng",
    )
    if status != "draft":
        report.number, report.issued_on = "07/BC-UBND", end
    report.save()
    return report


def _reports() -> int:
    from reports.models import PeriodicReport

    return PeriodicReport.objects.count()


@case("reports:create")
def _(env):
    fill = {"kind": "six_month", "year": str(TODAY.year - 1)}
    return Case(env.users.district_staff, reverse("reports:create"), fill, counted=_reports)


@case("reports:detail")
def _(env):
    page = reverse("reports:detail", args=[_report(env).pk])
    return Case(env.users.district_staff, page, {"abstract": "Kết quả 6 tháng", "narrative_achievements": "Đạt."})


@case("reports:regenerate")
def _(env):
    report = _report(env)
    return Case(
        env.users.district_staff,
        reverse("reports:detail", args=[report.pk]),
        action=reverse("reports:regenerate", args=[report.pk]),
    )


@case("reports:finalise")
def _(env):
    report = _report(env)
    return Case(
        env.users.district_staff,
        reverse("reports:detail", args=[report.pk]),
        {"issued_on": ymd(TODAY)},
        action=reverse("reports:finalise", args=[report.pk]),
    )


@case("reports:new_version")
def _(env):
    page = reverse("reports:new_version", args=[_report(env, status="finalised").pk])
    return Case(env.users.district_staff, page, counted=_reports)


@case("reports:indicators")
def _(env):
    from reports.models import IndicatorValue

    fill = {"v_articles": "50", "s_articles": "Đài truyền thanh huyện"}
    return Case(env.users.district_staff, reverse("reports:indicators"), fill, counted=IndicatorValue.objects.count)


@case("emulation:result_edit")
def _(env):
    from emulation.models import Movement, MovementResult

    movement = Movement.objects.create(
        name="Krông Pa chung tay vì người nghèo",
        phase_start=TODAY.year - 1,
        phase_end=TODAY.year + 1,
        unit=env.tree.district,
        launch_number="45/KH-UBND",
        launch_date=date(TODAY.year - 1, 3, 1),
    )
    fill = {"fund_raised": "150.000.000", "volunteers": "40", "source": "Báo cáo của Ủy ban MTTQ xã"}
    page = reverse("emulation:result_edit", args=[movement.pk, env.tree.commune.pk, TODAY.year])
    return Case(env.officer, page, fill, counted=MovementResult.objects.count)


def _movement(env, **extra):
    from emulation.models import Criterion, Movement

    movement = Movement.objects.create(
        name="Vì người nghèo – Không để ai bị bỏ lại phía sau",
        phase_start=TODAY.year - 2,
        phase_end=TODAY.year + 1,
        unit=env.tree.district,
        launch_number="03/KH-UBND",
        launch_date=date(TODAY.year - 2, 1, 3),
        levels=["commune", "village", "household"],
        **extra,
    )
    Criterion.objects.create(
        movement=movement, level="commune", code="ke-hoach", name="Triển khai có hiệu quả kế hoạch", kind="qualitative"
    )
    return movement


@case("emulation:movement_create")
def _(env):
    from emulation.models import Movement

    fill = {
        "name": "Phong trào Vì người nghèo giai đoạn mới",
        "phase_start": str(TODAY.year),
        "phase_end": str(TODAY.year + 4),
        "launch_number": "12/KH-UBND",
        "launch_date": ymd(TODAY),
    }
    return Case(env.users.district_staff, reverse("emulation:movement_create"), fill, counted=Movement.objects.count)


@case("emulation:movement_update")
def _(env):
    page = reverse("emulation:movement_update", args=[_movement(env).pk])
    return Case(env.users.district_staff, page, {"launch_signer": "Nguyễn Văn Hùng"})


@case("emulation:movement_criteria_template")
def _(env):
    movement = _movement(env)
    action = reverse("emulation:movement_criteria_template", args=[movement.pk])
    return Case(env.users.district_staff, reverse("emulation:movement_detail", args=[movement.pk]), action=action)


@case("emulation:movement_criterion", unique=True)
def _(env):
    from emulation.models import Criterion

    fill = {"level": "commune", "code": "tieu-chi-moi", "name": "Quản lý tốt cơ sở dữ liệu", "kind": "qualitative"}
    return Case(
        env.users.district_staff,
        reverse("emulation:movement_criterion", args=[_movement(env).pk]),
        fill,
        counted=Criterion.objects.count,
        duplicate={"code": "ke-hoach"},
        duplicate_message="Phong trào đã có tiêu chí mang mã này",
    )


@case("emulation:evaluation_list")
def _(env):
    from core.models import JobRun
    from emulation.jobs import EVALUATE_JOB

    page = reverse("emulation:evaluation_list", args=[_movement(env).pk])
    return Case(env.users.district_staff, page, counted=JobRun.objects.filter(kind=EVALUATE_JOB).count)


@case("emulation:evaluation_assessment")
def _(env):
    from emulation.evaluation import evaluate
    from emulation.models import Assessment

    movement = _movement(env)
    evaluation = evaluate(movement, env.tree.district, TODAY.year, env.users.district_staff)
    criterion = movement.criteria.get(code="ke-hoach")
    page = f"{reverse('emulation:evaluation_assessment', args=[evaluation.pk])}?don_vi={env.tree.commune.pk}"
    return Case(
        env.users.district_staff,
        page,
        {f"c{criterion.pk}-met": "1", f"c{criterion.pk}-note": "Biên bản kiểm tra"},
        action=page,
        reads=page.split("?")[0],
        counted=Assessment.objects.count,
        files=lambda: {
            f"c{criterion.pk}-evidence": SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 bien ban", "application/pdf")
        },
    )


# emulation: nominations, award decisions, typical examples


def _award_movement(env):
    from emulation.models import Movement

    return Movement.objects.create(
        name="Vì người nghèo – Không để ai bị bỏ lại phía sau",
        phase_start=TODAY.year - 2,
        phase_end=TODAY.year + 1,
        unit=env.tree.district,
        launch_number="45/KH-UBND",
        launch_date=date(TODAY.year - 2, 3, 1),
    )


def _nomination(env, status="draft", name="Hộ ông Ksor Y Bhin"):
    """A commune's nomination for its own Giấy khen (the commune's council reviews it on any day)."""
    from emulation import nominations

    movement = _award_movement(env)
    n = nominations.nomination_create(
        user=env.officer,
        movement=movement,
        year=TODAY.year,
        subject_type="individual",
        subject_name=name,
        achievements="Giúp 3 hộ thoát nghèo.",
        requested_form="commune_certificate",
    )
    if status in ("submitted", "reviewed"):
        nominations.nomination_submit(user=env.officer, nomination=n)
    if status == "reviewed":
        nominations.nomination_review(user=env.officer, nomination=n, comment="Hội đồng nhất trí")
    return n


@case("emulation:nomination_create")
def _(env):
    from emulation.models import Nomination

    fill = {
        "movement": str(_award_movement(env).pk),
        "year": str(TODAY.year),
        "subject_type": "individual",
        "subject_name": "Rơ Châm H'Bới",
        "achievements": "Vận động 12 hộ vay vốn đúng mục đích.",
        "requested_form": "commune_certificate",
    }
    return Case(env.officer, reverse("emulation:nomination_create"), fill, counted=Nomination.objects.count)


@case("emulation:nomination_update")
def _(env):
    page = reverse("emulation:nomination_update", args=[_nomination(env).pk])
    return Case(env.officer, page, {"achievements": "Giúp 4 hộ thoát nghèo."})


@case("emulation:nomination_evidence")
def _(env):
    from emulation.models import NominationEvidence

    page = reverse("emulation:nomination_evidence", args=[_nomination(env).pk])

    def files():
        return {"file": SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 bao cao", content_type="application/pdf")}

    return Case(
        env.officer, page, {"description": "Báo cáo thành tích"}, files=files, counted=NominationEvidence.objects.count
    )


@case("emulation:nomination_submit")
def _(env):
    return Case(env.officer, reverse("emulation:nomination_submit", args=[_nomination(env).pk]), {"comment": "Trình"})


@case("emulation:nomination_review")
def _(env):
    page = reverse("emulation:nomination_review", args=[_nomination(env, "submitted").pk])
    return Case(env.officer, page, {"comment": "Hội đồng thi đua – khen thưởng xã nhất trí 5/5"})


@case("emulation:nomination_reject")
def _(env):
    page = reverse("emulation:nomination_reject", args=[_nomination(env, "submitted").pk])
    return Case(env.officer, page, {"comment": "Chưa đủ minh chứng"})


@case("emulation:decision_create", unique=True)
def _(env):
    from emulation.awards import award_decision_create
    from emulation.models import AwardDecision

    award_decision_create(
        user=env.officer,
        nominations=[_nomination(env, "reviewed", name="Hộ bà Rơ Mah H'Nga")],
        number="12/QĐ-UBND",
        signed_on=TODAY,
        signer_name="Ksor Y Thuận",
        signer_title="Chủ tịch",
    )
    n = _nomination(env, "reviewed")
    fill = {
        "nominations": str(n.pk),
        "number": "15/QĐ-UBND",
        "signed_on": ymd(TODAY),
        "signer_name": "Ksor Y Thuận",
        "confirm": "on",
    }
    page = reverse("emulation:decision_create") + "?form=commune_certificate"
    return Case(
        env.officer,
        page,
        fill,
        counted=AwardDecision.objects.count,
        duplicate={"number": "12/QĐ-UBND"},
        duplicate_message="Cơ quan đã có quyết định khen thưởng số này cùng ngày.",
    )


@case("emulation:example_create")
def _(env):
    from emulation.models import TypicalExample

    fill = {
        "movement": str(_award_movement(env).pk),
        "year": str(TODAY.year),
        "subject_name": "Hộ ông Ksor Y Bhin",
        "story": "Từ hộ nghèo, gia đình nuôi bò sinh sản và thoát nghèo.",
    }
    return Case(env.officer, reverse("emulation:example_create"), fill, counted=TypicalExample.objects.count)


# --- the tests -----------------------------------------------------------------------------------------------


def post_urls() -> set[str]:
    names = set()
    for name, _route, entry in portal_patterns():
        view_class = getattr(entry.callback, "view_class", None)
        if name in PUBLIC | OWN_RULE or view_class is None or not issubclass(view_class, RoleRequiredMixin):
            continue
        if hasattr(view_class, "post") and "post" in view_class.http_method_names:
            names.add(name)
    return names


def test_every_form_has_a_case():
    assert post_urls() - set(CASES) == set(), "forms without a case in tests/test_forms_no_500.py"
    assert set(CASES) - post_urls() == set(), "cases for URLs that no longer take a POST"


def test_every_unique_constraint_has_a_rule():
    """Each unique constraint shows its own Vietnamese message beside a field (core.integrity.UNIQUE_RULES)."""
    missing = [f"{model.__name__}: {c.name}" for model, c in portal_unique_constraints() if c.name not in UNIQUE_RULES]
    assert missing == []


@pytest.fixture
def env(tree, users, monkeypatch) -> Env:
    return Env(tree, users, monkeypatch)


def prepared(client_for, env, name) -> tuple[Case, object, str, dict]:
    built = CASES[name](env)
    client = client_for(built.user)
    action = built.action or built.page.split("?")[0]
    if name == "accounts:user_unlock":
        action = reverse("accounts:user_unlock", args=[env.users.district_staff.pk])
    data = form_on_page(client, built.page, built.reads or action)
    data.update(built.fill)
    return built, client, action, data


def post(client, built: Case, action: str, data: dict):
    payload = {**data, **(built.files() if built.files else {})}
    return client.post(action, payload)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_post_twice_saves_once(client_for, env, name):
    built, client, action, data = prepared(client_for, env, name)
    before = built.counted() if built.counted else None
    first = post(client, built, action, data)
    assert first.status_code < 500
    if built.saves:
        assert first.status_code in (301, 302), f"{name}: the first post was not saved:\n{_errors(first)}"
    second = post(client, built, action, data)
    assert second.status_code < 500
    if built.saves:
        assert second.status_code == 302 and second["Location"] == first["Location"], name
    if built.counted:
        assert built.counted() - before == (1 if built.saves else 0), f"{name}: {built.counted() - before} saved"


def _errors(response) -> str:
    """The error messages on a page (for a failure report)."""
    html = response.content.decode(errors="replace")
    found = re.findall(
        r'class="[^"]*(?:invalid-feedback|errorlist|alert-danger|alert-warning)[^"]*"[^>]*>(.*?)</(?:div|ul|p)',
        html,
        re.S,
    )
    return " | ".join(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", f)).strip() for f in found) or html[:500]


@pytest.mark.parametrize("name", sorted(WITH_UNIQUE_RULE))
def test_duplicate_is_a_form_error(client_for, env, name):
    built, client, action, data = prepared(client_for, env, name)
    before = built.counted() if built.counted else None
    data.update(built.duplicate)
    response = post(client, built, action, data)
    assert response.status_code == 200, f"{name}: a duplicate was accepted"
    if built.duplicate_message:
        form = response.context["form"]
        beside = [str(e) for key in built.duplicate for e in form.errors.get(key, [])]
        assert any(built.duplicate_message in e for e in beside), f"{name}: not beside the field: {form.errors}"
    page = html.unescape(response.content.decode())
    typed = {**built.fill, **built.duplicate}
    for key, value in typed.items():  # what the officer typed is still on the page (passwords are not shown again)
        if "password" not in key and len(value) > 3 and not value.isdigit():
            assert value in page, f"{name}: {key} = {value!r} is lost"
    if built.counted:
        assert built.counted() == before


# --- the layers one by one ----------------------------------------------------------------------------------


def test_household_code_differing_in_case_is_refused_by_the_database(env):
    """The constraint itself is case-insensitive (Lower("code")), so an import or a race cannot slip past it."""
    from django.db import IntegrityError, transaction

    household = env.household("IRS-001")
    twin = Household.objects.get(pk=household.pk)
    twin.pk, twin.code = None, "irs-001"
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_a_duplicate_racing_past_validation_is_a_form_error(env, monkeypatch):
    """Two officers save the same new code at once: both pass the check, the database refuses the second, and
    the service answers with the form error instead of a server error."""
    from django.core.exceptions import ValidationError

    from core import integrity
    from households import services

    env.household("IRS-001")
    monkeypatch.setattr(services, "check_unique_rules", lambda instance, **kwargs: None)  # the check saw no twin
    with pytest.raises(ValidationError) as refused:
        services.household_save(
            household=Household(code="IRS-001", village=env.tree.village, **POOR_FACTS),
            members=family(),
            user=env.officer,
            expected_version=None,
        )
    assert refused.value.message_dict == {
        "code": [str(integrity.UNIQUE_RULES["households_code_unique_in_commune_ci"].message)]
    }
    assert Household.objects.filter(code__iexact="irs-001").count() == 1


def test_every_post_form_carries_a_submission_token(client_for, env):
    """``{% csrf_token %}`` writes the one-time token beside the CSRF token, on every form."""
    household = env.household()
    page = client_for(env.officer).get(reverse("households:detail", args=[household.pk])).content.decode()
    forms = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', page, re.S)
    assert forms and all(f'name="{FIELD}"' in form for form in forms)
    tokens = re.findall(rf'name="{FIELD}" value="([0-9a-f]+)"', page)
    assert len(tokens) == len(set(tokens)), "each form has its own token"


def test_a_repeat_waiting_for_the_first_post_is_sent_to_its_outcome(client_for, env, monkeypatch):
    """A double click: the second request arrives while the first still runs, waits, then follows it."""
    from django.core.cache import cache

    from core import submit_once

    env.household("IRS-001")
    client = client_for(env.officer)
    data = form_on_page(client, reverse("households:create"), reverse("households:create"))
    key = f"submit-once:{env.officer.pk}:{data[FIELD]}"
    cache.set(key, submit_once.PENDING, 60)  # the first request holds the token

    def first_request_finishes(seconds):
        cache.set(key, submit_once.DONE_PREFIX + "/ho-gia-dinh/1/", 60)

    monkeypatch.setattr(submit_once.time, "sleep", first_request_finishes)
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 302 and response["Location"] == "/ho-gia-dinh/1/"
    assert Household.objects.count() == 1


def test_a_refused_form_can_be_sent_again_with_the_same_token(client_for, env):
    """The token is kept only when the form was saved: after the errors are corrected, the same page saves."""
    client = client_for(env.officer)
    data = form_on_page(client, reverse("households:create"), reverse("households:create"))
    refused = client.post(reverse("households:create"), {**data, "code": ""})
    assert refused.status_code == 200
    built = CASES["households:create"](env)
    saved = client.post(reverse("households:create"), {**data, **built.fill})
    assert saved.status_code == 302
    assert Household.objects.filter(code="IRS-050").count() == 1


def test_without_redis_forms_are_still_saved(client_for, env, monkeypatch):
    """If the token store is down, the form is processed as before (the unique rules still hold)."""
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "add", down)
    built = CASES["households:create"](env)
    client = client_for(built.user)
    data = {**form_on_page(client, built.page, built.page), **built.fill}
    assert client.post(built.page, data).status_code == 302
    again = client.post(built.page, data)  # no token store: the code's unique rule refuses the repeat
    assert again.status_code == 200 and "Xã đã có hộ mang mã này" in again.content.decode()
    assert Household.objects.filter(code="IRS-050").count() == 1


# --- the administrator's change pages -----------------------------------------------------------------------


def admin_window(env):
    from reviews.models import ReviewWindow

    ReviewWindow.objects.create(
        province=env.tree.province,
        year=TODAY.year,
        periodic_start=date(TODAY.year, 9, 15),
        periodic_end=date(TODAY.year, 11, 30),
    )
    fill = {
        "province": str(env.tree.province.pk),
        "year": str(TODAY.year),
        "periodic_start": f"01/09/{TODAY.year}",
        "periodic_end": f"14/12/{TODAY.year}",
    }
    return reverse("admin:reviews_reviewwindow_add"), fill, "year", "Tỉnh đã có lịch rà soát của năm này."


def admin_population(env):
    from households.models import UnitPopulation

    UnitPopulation.objects.create(unit=env.tree.commune, year=TODAY.year, households=1_200, source="Thống kê xã")
    fill = {"unit": str(env.tree.commune.pk), "year": str(TODAY.year), "households": "1250", "source": "Báo cáo"}
    return reverse("admin:households_unitpopulation_add"), fill, "year", "Đơn vị đã có số hộ dân cư của năm này."


def admin_household(env):
    env.household("IRS-001")
    other = env.household("IRS-002")
    page = reverse("admin:households_household_change", args=[other.pk])
    return page, {"code": "irs-001"}, "code", "Xã đã có hộ mang mã này"


def admin_unit(env):
    VillageFactory(code="24079-02", name="Buôn Ma Giai", parent=env.tree.commune)
    page = reverse("admin:areas_administrativeunit_change", args=[env.tree.village.pk])
    return page, {"code": "24079-02"}, "code", "Đã có đơn vị cùng cấp mang mã này"


@pytest.mark.parametrize("builder", [admin_window, admin_population, admin_household, admin_unit])
def test_admin_duplicate_is_a_form_error_beside_the_field(client_for, env, builder):
    """The administrator's pages write the same tables: a duplicate is the same message beside the field."""
    page, fill, field_name, message = builder(env)
    client = client_for(env.users.admin)
    data = {**form_on_page(client, page, page), **fill}
    data.pop("_addanother", None), data.pop("_continue", None)
    response = client.post(page, data)
    assert response.status_code == 200, f"{page}: the duplicate was saved"
    errors = response.context["adminform"].form.errors
    assert any(message in str(e) for e in errors.get(field_name, [])), errors


def test_a_refusal_answered_by_a_redirect_keeps_the_token_usable(client_for, env):
    """The status form on the household page answers a mistake with a redirect and an error message: sending
    it again is processed again (refused again), not reported as already saved."""
    household = env.household()
    client = client_for(env.officer)
    page, action = (
        reverse("households:detail", args=[household.pk]),
        reverse("households:status_add", args=[household.pk]),
    )
    data = {**form_on_page(client, page, action), "household_class": "near_poor", "valid_from": "31/02/2026"}
    for _attempt in range(2):
        shown = [str(m) for m in client.post(action, data, follow=True).context["messages"]]
        assert any("Chưa ghi được trạng thái" in m for m in shown), shown
        assert not any("đã được gửi và lưu trước đó" in m for m in shown), shown
    data["valid_from"] = ymd(TODAY - timedelta(days=2))
    assert client.post(action, data).status_code == 302
    assert StatusRecord.objects.filter(household=household, household_class="near_poor").count() == 1


def test_confirming_a_bulk_import_twice_writes_its_rows_once(client_for, env, settings, tmp_path):
    """The import's confirm button pressed twice (or Back to the preview and confirm again): one set of rows."""
    from openpyxl import Workbook

    from programs import bulk

    settings.MEDIA_ROOT = tmp_path
    catalogue_load()
    env.household("IRS-001")
    header = [c.title for c in bulk.TRAINING_COLUMNS]
    book = Workbook()
    book.active.append(header)
    book.active.append(["IRS-001", "Ksor Y Bhin", "01/03/1980", None, "CC-1", "Có"])
    book.active.append(["IRS-001", "Rơ Mah H'Nga", None, None, None, "Không"])
    buffer = BytesIO()
    book.save(buffer)
    url = reverse("programs:training_import")
    client = client_for(env.officer)
    course = {
        "course_name": "Lớp may công nghiệp K1",
        "occupation": "May công nghiệp",
        "course_start": ymd(TODAY - timedelta(days=60)),
        "course_end": ymd(TODAY - timedelta(days=5)),
        "amount": "3000000",
        "decision": "QĐ 45/QĐ-UBND",
    }
    upload = {**form_on_page(client, url, url), **course, "file": SimpleUploadedFile("lop.xlsx", buffer.getvalue())}
    preview = client.post(url, {**upload, "action": "upload"})
    assert 'data-testid="import-ok"' in preview.content.decode(), _errors(preview)
    confirm = {**form_in(preview.content.decode(), url, url), "action": "confirm"}
    first, second = client.post(url, confirm), client.post(url, confirm)
    assert first.status_code == second.status_code == 302 and second["Location"] == first["Location"]
    assert Benefit.objects.filter(programme__code="TRAINING_46").count() == 2
