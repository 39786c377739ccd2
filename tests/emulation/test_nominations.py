"""Nomination workflow (đề nghị khen thưởng): who may take which step from which status, with a log row each; the
level that decides each form before and after the districts ended (01/07/2025); evidence files."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from areas.models import AdministrativeUnit
from emulation import nominations as svc
from emulation.models import AwardForm, Nomination, NominationLog, NominationStatus, SubjectType

from .awards_setup import evidence_pdf, household_fixture, movement_fixture, nomination_data, others_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
BEFORE_REFORM = datetime.datetime(2025, 3, 10, 9, 0)
AFTER_REFORM = datetime.datetime(2025, 9, 10, 9, 0)


@pytest.fixture
def at_district_time():
    with time_machine.travel(BEFORE_REFORM, tick=False):
        yield


def _nomination_in(status, *, users, movement, household):
    """A commune nomination for the district's Giấy khen brought to ``status`` through the services."""
    n = svc.nomination_create(user=users.commune_officer, **nomination_data(movement, household))
    if status == NominationStatus.DRAFT:
        return n
    n = svc.nomination_submit(user=users.commune_officer, nomination=n, comment="Trình huyện")
    if status == NominationStatus.SUBMITTED:
        return n
    if status == NominationStatus.REJECTED:
        return svc.nomination_reject(user=users.district_staff, nomination=n, comment="Chưa đủ minh chứng")
    return svc.nomination_review(user=users.district_staff, nomination=n, comment="Hội đồng nhất trí 7/7")


def _do(action, user, n):
    if action == "submit":
        return svc.nomination_submit(user=user, nomination=n, comment="ý kiến")
    if action == "review":
        return svc.nomination_review(user=user, nomination=n, comment="ý kiến")
    if action == "reject":
        return svc.nomination_reject(user=user, nomination=n, comment="ý kiến")
    if action == "edit":
        return svc.nomination_update(user=user, nomination=n, achievements="Thành tích sửa lại.")
    raise AssertionError(action)


D, S, R, X = NominationStatus.DRAFT, NominationStatus.SUBMITTED, NominationStatus.REVIEWED, NominationStatus.REJECTED
OK, FORBIDDEN, WRONG_STATE = "ok", "403", "state"

# (status, action, actor, outcome, status after). Actors: the proposing commune, the deciding district, the province
# above (reads, does not decide a district's Giấy khen), a sibling commune, another district.
TABLE = [
    (D, "edit", "commune", OK, D),
    (D, "submit", "commune", OK, S),
    (D, "submit", "district", FORBIDDEN, D),
    (D, "submit", "sibling", FORBIDDEN, D),
    (D, "review", "district", WRONG_STATE, D),
    (D, "reject", "district", WRONG_STATE, D),
    (S, "edit", "commune", WRONG_STATE, S),
    (S, "submit", "commune", WRONG_STATE, S),
    (S, "review", "district", OK, R),
    (S, "review", "commune", FORBIDDEN, S),
    (S, "review", "province", FORBIDDEN, S),
    (S, "review", "other_district", FORBIDDEN, S),
    (S, "reject", "district", OK, X),
    (S, "reject", "commune", FORBIDDEN, S),
    (R, "review", "district", WRONG_STATE, R),
    (R, "reject", "district", OK, X),
    (R, "reject", "province", FORBIDDEN, R),
    (R, "edit", "commune", WRONG_STATE, R),
    (X, "review", "district", WRONG_STATE, X),
    (X, "reject", "district", WRONG_STATE, X),
    (X, "submit", "commune", WRONG_STATE, X),
]


@pytest.mark.parametrize(("status", "action", "actor", "outcome", "after"), TABLE)
def test_workflow_table(status, action, actor, outcome, after, users, others, movement, household, at_district_time):
    n = _nomination_in(status, users=users, movement=movement, household=household)
    user = {
        "commune": users.commune_officer,
        "district": users.district_staff,
        "province": users.province_staff,
        **others,
    }[actor]
    logs_before = NominationLog.objects.filter(nomination=n).count()
    if outcome == OK:
        _do(action, user, n)
    elif outcome == FORBIDDEN:
        with pytest.raises(PermissionDenied):
            _do(action, user, n)
    else:
        with pytest.raises(ValidationError) as refused:
            _do(action, user, n)
        assert "trạng thái" in str(refused.value)
    n.refresh_from_db()
    assert n.status == after
    logs = list(NominationLog.objects.filter(nomination=n).order_by("pk"))
    assert len(logs) == logs_before + (1 if outcome == OK else 0)
    if outcome == OK:
        last = logs[-1]
        assert (last.action, last.from_status, last.to_status, last.user) == (action, status, after, user)


def test_each_step_is_logged_with_its_comment(users, movement, household, at_district_time):
    n = _nomination_in(NominationStatus.REVIEWED, users=users, movement=movement, household=household)
    rows = list(n.log.values_list("action", "from_status", "to_status", "comment"))
    assert rows == [
        ("create", "", "draft", ""),
        ("submit", "draft", "submitted", "Trình huyện"),
        ("review", "submitted", "reviewed", "Hội đồng nhất trí 7/7"),
    ]


def test_household_nomination_takes_the_head_and_village(users, movement, household, at_district_time):
    n = svc.nomination_create(user=users.commune_officer, **nomination_data(movement, household))
    assert n.proposing_unit == users.commune_officer.unit
    assert n.subject_name == "Hộ ông/bà Ksor Y Bhin"
    assert n.subject_unit == household.village


def test_household_outside_the_unit_is_refused(users, others, movement, household, at_district_time):
    with pytest.raises(ValidationError) as refused:
        svc.nomination_create(user=others["sibling"], **nomination_data(movement, household))
    assert "thuộc địa bàn" in str(refused.value)


def test_review_and_reject_need_a_comment(users, movement, household, at_district_time):
    n = _nomination_in(NominationStatus.SUBMITTED, users=users, movement=movement, household=household)
    for service in (svc.nomination_review, svc.nomination_reject):
        with pytest.raises(ValidationError):
            service(user=users.district_staff, nomination=n, comment="  ")
    assert Nomination.objects.get(pk=n.pk).status == NominationStatus.SUBMITTED


# Luật Thi đua, khen thưởng 2022, Điều 74–76; from 01/07/2025 no district (domain.md §4).
@pytest.mark.parametrize(
    ("when", "form", "proposer", "decider"),
    [
        (BEFORE_REFORM, AwardForm.COMMUNE_CERTIFICATE, "commune", "commune"),
        (BEFORE_REFORM, AwardForm.DISTRICT_CERTIFICATE, "commune", "district"),
        (BEFORE_REFORM, AwardForm.DISTRICT_CERTIFICATE, "district", "district"),
        (BEFORE_REFORM, AwardForm.PROVINCE_MERIT, "commune", "province"),
        (BEFORE_REFORM, AwardForm.PROVINCE_MERIT, "district", "province"),
        (BEFORE_REFORM, AwardForm.HIGHER, "district", "province"),
        (AFTER_REFORM, AwardForm.COMMUNE_CERTIFICATE, "commune", "commune"),
        (AFTER_REFORM, AwardForm.PROVINCE_MERIT, "commune", "province"),
        (AFTER_REFORM, AwardForm.DISTRICT_CERTIFICATE, "commune", "district"),  # its district is still in force
        (BEFORE_REFORM, AwardForm.COMMUNE_CERTIFICATE, "district", None),
    ],
)
def test_deciding_level(when, form, proposer, decider, tree):
    """A district's Giấy khen is granted while the district is in force; see the next test for one that ended."""
    units = {"commune": tree.commune, "district": tree.district, "province": tree.province}
    if decider is None:
        with pytest.raises(ValidationError):
            svc.deciding_unit(proposing_unit=units[proposer], form=form, day=when.date())
    else:
        assert svc.deciding_unit(proposing_unit=units[proposer], form=form, day=when.date()) == units[decider]


def test_after_the_reform_a_district_certificate_is_refused_in_vietnamese(users, movement, household, tree):
    """The commune's district ended on 30/06/2025 (two-tier government): no district chairman grants a Giấy khen."""
    AdministrativeUnit.objects.filter(pk=tree.district.pk).update(valid_to=datetime.date(2025, 6, 30))
    with time_machine.travel(AFTER_REFORM, tick=False), pytest.raises(ValidationError) as refused:
        svc.nomination_create(user=users.commune_officer, **nomination_data(movement, household))
    assert "01/07/2025" in str(refused.value)


def test_after_the_reform_the_commune_council_reviews_its_giay_khen(users, movement, household):
    with time_machine.travel(AFTER_REFORM, tick=False):
        n = svc.nomination_create(
            user=users.commune_officer,
            **nomination_data(movement, household, requested_form=AwardForm.COMMUNE_CERTIFICATE),
        )
        svc.nomination_submit(user=users.commune_officer, nomination=n)
        with pytest.raises(PermissionDenied):
            svc.nomination_review(user=users.district_staff, nomination=n, comment="x")
        svc.nomination_review(user=users.commune_officer, nomination=n, comment="Hội đồng xã nhất trí")
    assert Nomination.objects.get(pk=n.pk).status == NominationStatus.REVIEWED


def test_collective_of_the_proposing_unit(users, tree, movement, at_district_time):
    n = svc.nomination_create(
        user=users.district_staff,
        movement=movement,
        year=2024,
        subject_type=SubjectType.COLLECTIVE,
        subject_unit=tree.commune,
        achievements="Giảm 4,2 điểm tỷ lệ hộ nghèo trong 3 năm.",
        requested_form=AwardForm.PROVINCE_MERIT,
    )
    assert n.subject_name == "Xã Ia RSai"
    with pytest.raises(ValidationError):
        svc.nomination_create(
            user=users.commune_officer,
            movement=movement,
            year=2024,
            subject_type=SubjectType.COLLECTIVE,
            subject_unit=tree.sibling_commune,
            achievements="x",
            requested_form=AwardForm.COMMUNE_CERTIFICATE,
        )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("chay.exe", b"MZ\x90\x00", "Chỉ nhận tệp"),
        ("gia-mao.pdf", b"MZ\x90\x00binary", "không đúng với loại tệp"),
        ("rong.pdf", b"", "rỗng"),
        ("lon.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "lớn hơn 10 MB"),
    ],
)
def test_evidence_checks(name, content, message, users, movement, household, at_district_time):
    n = svc.nomination_create(user=users.commune_officer, **nomination_data(movement, household))
    with pytest.raises(ValidationError) as refused:
        svc.nomination_evidence_add(
            user=users.commune_officer, nomination=n, upload=evidence_pdf(name, content), description="Biên bản"
        )
    assert message in str(refused.value)


def test_evidence_only_on_a_draft_of_ones_own_unit(users, movement, household, at_district_time, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    n = svc.nomination_create(user=users.commune_officer, **nomination_data(movement, household))
    evidence = svc.nomination_evidence_add(
        user=users.commune_officer, nomination=n, upload=evidence_pdf(), description="Báo cáo thành tích"
    )
    assert evidence.file.name.endswith(".pdf")
    with pytest.raises(PermissionDenied):
        svc.nomination_evidence_add(user=users.district_staff, nomination=n, upload=evidence_pdf(), description="x")
    svc.nomination_submit(user=users.commune_officer, nomination=n)
    with pytest.raises(ValidationError):
        svc.nomination_evidence_add(user=users.commune_officer, nomination=n, upload=evidence_pdf(), description="x")
