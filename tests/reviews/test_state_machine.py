"""The round's state machine: every allowed and forbidden transition, with the log rows it writes
(QĐ 24/2021/QĐ-TTg, Điều 4–5)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from households.choices import HouseholdClass
from reviews import services
from reviews.choices import Action, CaseSource, CaseStatus, RoundKind, RoundState, SubmissionState
from reviews.models import ApprovalAction, ApprovalChainRule, Certificate, ReviewRound, TransitionRefused

from .conftest import YEAR, today

pytestmark = pytest.mark.django_db


def actions(round):
    return list(round.actions.order_by("at", "pk").values_list("action", flat=True))


def test_opening_a_periodic_round_lists_current_poor_households_and_logs(walk, households):
    round = walk.open()
    assert round.state == RoundState.OPEN
    assert round.standard_code and round.due_on.month == 12 and round.due_on.day == 14
    assert {c.household_id for c in round.cases.all()} == {h.pk for h in households}
    assert set(round.cases.values_list("source", flat=True)) == {CaseSource.CURRENT_LIST}
    assert actions(round) == [Action.OPEN]


def test_the_same_round_cannot_be_opened_twice(walk):
    walk.open()
    with pytest.raises(ValidationError, match="đã có đợt rà soát"):
        walk.open()


def test_only_the_communes_officer_opens(tree, users, households, sibling_officer):
    for user in (users.district_staff, sibling_officer):
        with pytest.raises(TransitionRefused):
            services.review_round_open(commune=tree.commune, kind=RoundKind.PERIODIC, year=YEAR, user=user)


def test_full_walk_writes_one_log_row_per_step(walk):
    decision = walk.to_recognised()
    round = walk.fresh()
    assert round.state == RoundState.RECOGNISED and round.is_locked
    assert actions(round) == [
        Action.OPEN,
        Action.CASE_SAVE,
        Action.CASE_SAVE,
        Action.MEETING,
        Action.POSTING_START,
        Action.SUBMIT,
        Action.APPROVE,
        Action.RECOGNISE,
    ]
    assert decision.certificates.count() == 2
    assert sorted(Certificate.objects.values_list("number", flat=True)) == ["1/GCN-HN.HCN", "2/GCN-HN.HCN"]
    for case in round.cases.all():
        record = case.household.status_records.get(valid_to__isnull=True)
        assert record.valid_from == decision.signed_on and "125/QĐ-UBND" in record.decision


@pytest.mark.parametrize("step", ["post", "submit", "approve", "recognise"])
def test_no_step_can_be_skipped_from_open(walk, step):
    walk.open()
    with pytest.raises((TransitionRefused, ValidationError)):
        if step == "approve":
            walk.round.require(Action.APPROVE)
        getattr(walk, step)()
    assert walk.fresh().state == RoundState.OPEN
    assert actions(walk.round) == [Action.OPEN]


def test_posting_refused_until_every_case_agreed(walk):
    walk.open()
    walk.survey_all()
    with pytest.raises(TransitionRefused, match="chưa được họp dân thống nhất"):
        walk.post()


def test_meeting_below_half_sends_case_back_to_survey(walk):
    walk.open()
    walk.survey_all()
    walk.meet(agreeing=19, attendees=40)  # 47,5 % < 50 %
    round = walk.fresh()
    assert set(round.cases.values_list("status", flat=True)) == {CaseStatus.RESURVEY}
    assert actions(round).count(Action.RESURVEY) == 2
    assert "47,5" in round.actions.filter(action=Action.RESURVEY).first().comment
    walk.survey_all()
    walk.meet(agreeing=20, attendees=40)  # exactly 50 % is enough
    assert set(walk.fresh().cases.values_list("status", flat=True)) == {CaseStatus.AGREED}


def test_meeting_refuses_unsurveyed_case(walk):
    walk.open()
    with pytest.raises(ValidationError, match="chưa có kết quả rà soát"):
        walk.meet()


def test_submit_refused_while_posting_runs_and_with_open_complaint(walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post(starts_on=today())
    with pytest.raises(TransitionRefused, match="Đang trong thời gian niêm yết"):
        walk.submit()


def test_complaint_must_be_rechecked_before_submit(walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    posting = walk.post()
    case = walk.round.cases.first()
    complaint = services.complaint_record(
        round=walk.fresh(),
        case=case,
        received_on=posting.starts_on,
        complainant="Ksor Y Lin",
        content="Hộ có xe máy mới",
        user=walk.officer,
    )
    with pytest.raises(TransitionRefused, match="khiếu nại chưa có kết quả phúc tra"):
        walk.submit()
    services.complaint_recheck(
        complaint=complaint,
        rechecked_on=posting.ends_on,
        result="Đúng, hộ thoát nghèo",
        result_class=HouseholdClass.NEAR_POOR,
        user=walk.officer,
    )
    case.refresh_from_db()
    assert case.proposed_class == HouseholdClass.NEAR_POOR
    walk.submit()
    assert actions(walk.fresh())[-3:] == [Action.COMPLAINT, Action.RECHECK, Action.SUBMIT]


def test_complaint_outside_posting_period_refused(walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    posting = walk.post()
    with pytest.raises(ValidationError, match="trong thời gian niêm yết"):
        services.complaint_record(
            round=walk.fresh(),
            case=walk.round.cases.first(),
            received_on=posting.ends_on + timedelta(days=1),
            complainant="A",
            content="B",
            user=walk.officer,
        )


def test_posting_end_counts_working_days(walk):
    walk.open()
    walk.survey_all()
    meeting_day = timezone.localtime(walk.meet().held_at).date()
    # the first Friday on or after the meeting (the posting may not start before it): Fri, Mon, Tue = 3 working days
    friday = meeting_day + timedelta(days=(4 - meeting_day.weekday()) % 7)
    posting = walk.post(starts_on=friday)
    assert posting.ends_on == friday + timedelta(days=4)


def test_return_needs_a_comment_and_goes_back_to_commune(walk, users):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    submission = walk.submit()
    with pytest.raises(ValidationError, match="xã cần sửa gì"):
        services.submission_return(
            submission=submission, user=users.district_staff, comment="  ", expected_version=walk.fresh().version
        )
    services.submission_return(
        submission=submission,
        user=users.district_staff,
        comment="Kiểm tra lại hộ IRS-002",
        expected_version=walk.fresh().version,
    )
    round = walk.fresh()
    assert round.state == RoundState.RETURNED
    log = round.actions.first()
    assert (log.action, log.user, log.comment) == (Action.RETURN, users.district_staff, "Kiểm tra lại hộ IRS-002")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.RETURNED
    # the commune corrects a case, re-meets and resubmits: a second version
    walk.survey_all()
    walk.meet()
    second = walk.submit()
    assert second.number == 2 and walk.fresh().state == RoundState.SUBMITTED
    walk.approve()
    assert walk.fresh().state == RoundState.APPROVED


def test_commune_officer_and_other_district_cannot_approve(walk, users, other_district_staff):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    submission = walk.submit()
    with pytest.raises(TransitionRefused, match="Cán bộ xã không duyệt"):
        walk.approve(users.commune_officer)
    with pytest.raises(TransitionRefused, match="không có quyền duyệt"):
        walk.approve(other_district_staff)
    with pytest.raises(TransitionRefused, match="không có quyền duyệt"):
        walk.approve(users.province_staff)  # no province step configured
    assert walk.fresh().state == RoundState.SUBMITTED
    assert submission.actions.filter(action=Action.APPROVE).count() == 0


def test_province_step_switched_on_needs_both_levels(walk, tree, users):
    ApprovalChainRule.objects.create(
        province=tree.province, valid_from=today() - timedelta(days=30), province_step=True, legal_basis="KH tỉnh"
    )
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    submission = walk.submit()
    assert submission.required_levels == ["district", "province"]
    walk.approve(users.district_staff)
    assert walk.fresh().state == RoundState.SUBMITTED
    with pytest.raises(TransitionRefused):
        walk.approve(users.district_staff)
    walk.approve(users.province_staff)
    assert walk.fresh().state == RoundState.APPROVED
    assert actions(walk.round).count(Action.APPROVE) == 2


def test_two_tier_commune_needs_no_approval(tree, users, make_household):
    from accounts.choices import Role
    from tests.factories import CommuneFactory, UserFactory, VillageFactory

    commune = CommuneFactory(code="99001", name="Xã Hai Cấp", parent=tree.province)
    village = VillageFactory(code="99001-01", parent=commune)
    officer = UserFactory(username="xa.haicap", role=Role.COMMUNE_OFFICER, unit=commune)
    from households import services as hs
    from households.models import Household
    from tests.households.conftest import POOR_FACTS, family

    hs.household_save(
        household=Household(code="HC-1", village=village, **POOR_FACTS),
        members=family(),
        user=officer,
        expected_version=None,
    )
    round = services.review_round_open(commune=commune, kind=RoundKind.PERIODIC, year=YEAR, user=officer)
    from .conftest import Walk

    w = Walk(tree, users)
    w.officer, w.round = officer, round
    w.tree = type("T", (), {"village": village, "commune": commune})
    w.survey_all()
    w.meet()
    w.post()
    submission = w.submit()
    assert submission.required_levels == [] and submission.state == SubmissionState.APPROVED
    assert w.fresh().state == RoundState.APPROVED


def test_locked_round_refuses_every_edit(walk, users):
    walk.to_recognised()
    round = walk.fresh()
    case = round.cases.first()
    with pytest.raises(TransitionRefused, match="đã khoá"):
        services.review_case_save(
            case=case, facts={}, answers={}, final=False, user=walk.officer, expected_version=case.version
        )
    with pytest.raises(TransitionRefused, match="đã khoá"):
        walk.meet()
    with pytest.raises(TransitionRefused, match="đã khoá"):
        walk.submit()


def test_reopen_needs_the_approver_and_a_reason_and_makes_a_new_revision(walk, users):
    decision = walk.to_recognised()
    round = walk.fresh()
    with pytest.raises(TransitionRefused):
        services.review_round_reopen(
            round=round, user=users.commune_officer, reason="Sai", expected_version=round.version
        )
    with pytest.raises(ValidationError, match="lý do"):
        services.review_round_reopen(round=round, user=users.district_staff, reason="", expected_version=round.version)
    services.review_round_reopen(
        round=round, user=users.district_staff, reason="Hộ IRS-001 khai thiếu", expected_version=round.version
    )
    round = walk.fresh()
    assert round.state == RoundState.RETURNED and round.revision == 2
    assert round.actions.first().action == Action.REOPEN
    # the earlier decision and its certificates are kept as they were
    decision.refresh_from_db()
    assert decision.revision == 1 and decision.certificates.count() == 2


def test_stale_version_is_refused(walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    stale = walk.fresh().version
    walk.post()
    round = ReviewRound.objects.get(pk=walk.round.pk)
    with pytest.raises(services.StaleRoundError):
        services.review_round_submit(round=round, user=walk.officer, expected_version=stale)


def test_two_officers_on_one_case_do_not_overwrite(walk):
    walk.open()
    case = walk.round.cases.first()
    opened = case.version
    services.review_case_save(
        case=case, facts={"income_per_capita": 1}, answers={}, final=False, user=walk.officer, expected_version=opened
    )
    other_copy = type(case).objects.get(pk=case.pk)
    with pytest.raises(services.StaleRoundError):
        services.review_case_save(
            case=other_copy,
            facts={"income_per_capita": 2},
            answers={},
            final=False,
            user=walk.officer,
            expected_version=opened,
        )
    other_copy.refresh_from_db()
    assert other_copy.survey["facts"]["income_per_capita"] == 1


def test_added_household_needs_reason_and_is_logged(walk, make_household):
    rich = make_household("IRS-009", income_per_capita=5_000_000)
    round = walk.open()
    assert not round.cases.filter(household=rich).exists()
    with pytest.raises(ValidationError, match="lý do"):
        services.review_case_add(
            round=round, household=rich, reason=" ", user=walk.officer, expected_version=round.version
        )
    case = services.review_case_add(
        round=round, household=rich, reason="Hộ bị lũ cuốn nhà", user=walk.officer, expected_version=round.version
    )
    assert case.source == CaseSource.ADDED
    assert walk.fresh().actions.first().action == Action.CASE_ADD


def test_request_attaches_to_next_open_round(walk, make_household, users):
    from reviews.choices import RequestChannel, RequestForm

    other = make_household("IRS-010", income_per_capita=5_000_000)
    early = services.household_request_register(
        household=other,
        form=RequestForm.FORM_01,
        received_on=today(),
        channel=RequestChannel.DIRECT,
        content="",
        user=users.commune_officer,
    )
    assert early.round is None
    round = walk.open()
    early.refresh_from_db()
    assert early.round == round
    assert round.cases.get(household=other).source == CaseSource.REQUEST


def test_regular_round_dates_and_request(walk, make_household, users):
    from reviews.choices import RequestChannel, RequestForm

    round = walk.open(kind=RoundKind.REGULAR, month=today().month)
    assert round.starts_on.day == 15 and (round.due_on - round.starts_on).days == 15
    assert round.cases.count() == 0  # a regular round reviews only the households that asked
    other = make_household("IRS-011", income_per_capita=5_000_000)
    request = services.household_request_register(
        household=other,
        form=RequestForm.FORM_04,
        received_on=min(today(), round.due_on),  # on the 31st the month's round is already due
        channel=RequestChannel.POST,
        content="Xin thoát nghèo",
        user=users.commune_officer,
    )
    assert request.round == round and round.cases.count() == 1


def test_relapsed_household_is_listed_as_relapsed(walk, households, users):
    from datetime import date

    from households.services import status_record_add

    household = households[0]
    status_record_add(
        household=household,
        household_class="poor",
        valid_from=date(2023, 1, 1),
        decision="QĐ 1",
        user=users.commune_officer,
    )
    status_record_add(
        household=household,
        household_class="non_poor",
        valid_from=date(2024, 1, 1),
        decision="QĐ 2",
        user=users.commune_officer,
    )
    round = walk.open()
    services.review_case_add(
        round=round, household=household, reason="Tái nghèo", user=walk.officer, expected_version=round.version
    ) if not round.cases.filter(household=household).exists() else None
    walk.survey_all()
    walk.meet()
    walk.post()
    submission = walk.submit()
    assert household.pk in submission.snapshot["lists"]["relapsed"]
    assert household.pk in submission.snapshot["lists"]["poor"]


def test_regular_round_is_decided_by_the_commune_without_approval(walk, make_household, users):
    # QĐ 24/2021/QĐ-TTg, Điều 5: the commune chairman decides the in-year review within 15 days
    from reviews.choices import RequestChannel, RequestForm

    round = walk.open(kind=RoundKind.REGULAR, month=today().month)
    household = make_household("IRS-012", income_per_capita=900_000)
    services.household_request_register(
        household=household,
        form=RequestForm.FORM_04,
        received_on=min(today(), round.due_on),
        channel=RequestChannel.DIRECT,
        content="",
        user=users.commune_officer,
    )
    walk.survey_all()
    walk.meet()
    walk.post()
    submission = walk.submit()
    assert submission.required_levels == [] and walk.fresh().state == RoundState.APPROVED
    decision = walk.recognise()
    assert decision.certificates.count() == 1


# The whole table: for each state, which actions are allowed (QĐ 24/2021, Điều 4: no step skipped or repeated).
EXPECTED = {
    RoundState.OPEN: {Action.CASE_ADD, Action.CASE_SAVE, Action.MEETING, Action.POSTING_START},
    RoundState.POSTING: {Action.COMPLAINT, Action.RECHECK, Action.SUBMIT},
    RoundState.SUBMITTED: {Action.APPROVE, Action.RETURN},
    RoundState.RETURNED: {Action.CASE_ADD, Action.CASE_SAVE, Action.MEETING, Action.POSTING_START, Action.SUBMIT},
    RoundState.APPROVED: {Action.RECOGNISE, Action.REOPEN},
    RoundState.RECOGNISED: {Action.REOPEN},
}


@pytest.mark.parametrize("state", list(RoundState))
@pytest.mark.parametrize(
    "action",
    [a for a in Action if a not in (Action.OPEN, Action.RESURVEY)],  # not checked against a state
)
def test_state_action_table(state, action):
    round = ReviewRound(state=state)
    if action in EXPECTED[state]:
        round.require(action)
    else:
        with pytest.raises(TransitionRefused) as refused:
            round.require(action)
        message = refused.value.messages[0]
        assert ("đã khoá" in message) if state == RoundState.RECOGNISED else (str(Action(action).label) in message)


def test_reopened_round_gets_a_second_decision_and_keeps_the_first(walk, users):
    from datetime import timedelta

    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    walk.submit()
    walk.approve()
    # the approval was given a week ago, the first decision signed five days ago
    ApprovalAction.objects.filter(action=Action.APPROVE).update(at=F("at") - timedelta(days=7))
    first = walk.recognise(signed_on=today() - timedelta(days=5))
    round = walk.fresh()
    services.review_round_reopen(
        round=round, user=users.district_staff, reason="Sai tên chủ hộ", expected_version=round.version
    )
    walk.submit()
    walk.approve()
    second = services.review_round_recognise(
        round=walk.fresh(),
        number="140/QĐ-UBND",
        signed_on=today(),
        signer_name="Trần Văn Bình",
        signer_form="KT.",
        user=walk.officer,
        expected_version=walk.round.version,
    )
    first.refresh_from_db()
    assert (first.revision, first.number, first.certificates.count()) == (1, "125/QĐ-UBND", 2)
    assert second.revision == 2 and second.submission.number == 2
    # certificates are numbered in the commune's yearly register: a new year (first decision in late December,
    # the second on 1/1) starts again at 1
    same_year = (today() - timedelta(days=5)).year == today().year
    expected = ["3/GCN-HN.HCN", "4/GCN-HN.HCN"] if same_year else ["1/GCN-HN.HCN", "2/GCN-HN.HCN"]
    assert sorted(second.certificates.values_list("number", flat=True)) == expected
    household = walk.fresh().cases.first().household
    records = list(household.status_records.order_by("valid_from"))
    assert [r.valid_to for r in records] == [today() - timedelta(days=1), None]
    assert "140/QĐ-UBND" in records[-1].decision
    assert walk.fresh().state == RoundState.RECOGNISED


def test_decision_number_and_date_are_checked(walk):
    from datetime import timedelta

    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    walk.submit()
    walk.approve()
    round = walk.fresh()
    for number, signed_on, message in (
        ("125/QĐ-UBND-X", today(), "125/QĐ-UBND"),
        ("125/QĐ-UBND", today() + timedelta(days=1), "sau hôm nay"),
        ("125/QĐ-UBND", today() - timedelta(days=1), "trước ngày danh sách được duyệt"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.review_round_recognise(
                round=round,
                number=number,
                signed_on=signed_on,
                signer_name="A",
                signer_form="TM.",
                user=walk.officer,
                expected_version=round.version,
            )
    assert walk.fresh().state == RoundState.APPROVED


def test_meeting_in_the_future_is_refused(walk):
    from datetime import timedelta

    from django.utils import timezone

    from reviews.models import VillageMeeting

    walk.open()
    walk.survey_all()
    meeting = VillageMeeting(
        village=walk.tree.village,
        held_at=timezone.now() + timedelta(days=1),
        location="Nhà văn hoá",
        chair="A",
        secretary="B",
        attendees=10,
        supervisors="MTTQ",
    )
    round = walk.fresh()
    with pytest.raises(ValidationError, match="không được sau bây giờ"):
        services.village_meeting_record(
            round=round,
            meeting=meeting,
            agreeing={c.pk: 8 for c in round.cases.all()},
            user=walk.officer,
            expected_version=round.version,
        )
