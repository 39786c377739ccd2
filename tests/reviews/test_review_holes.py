"""Holes found in review (QĐ 24/2021/QĐ-TTg, Điều 4; bad input and safety): a step done twice,
two officers interleaving on one round, and the class "before" of a submission read from another day than its
transition."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from households.choices import HouseholdClass, Transition
from households.services import status_record_add
from reviews import services
from reviews.choices import CaseStatus, RoundState
from reviews.models import Complaint, ReviewCase, ReviewRound, TransitionRefused, VillageMeeting

from .conftest import YEAR, today

pytestmark = pytest.mark.django_db


def meeting_for(walk, **extra) -> VillageMeeting:
    return VillageMeeting(
        village=walk.tree.village,
        held_at=timezone.now(),
        location="Nhà văn hoá buôn",
        chair="Ksor Y Phen",
        secretary="Rơ Mah H'Bia",
        attendees=40,
        supervisors="Ủy ban MTTQ xã",
        **extra,
    )


# --- the class "before" and the transition come from the same day (the demo's IRS-0093) -----------------------
def test_before_class_and_transition_read_the_same_day(walk, households, users):
    """Poor when the round opened, escaped by an in-year decision, poor again in the annual review: the submission
    says before = non-poor and relapsed (domain.md §2.8), not before = poor next to "tái nghèo"."""
    household = households[0]
    status_record_add(
        household=household,
        household_class="poor",
        valid_from=date(YEAR - 1, 6, 1),
        decision="QĐ 1",
        user=users.commune_officer,
    )
    round = walk.open()
    assert round.cases.get(household=household).previous_class == HouseholdClass.POOR
    status_record_add(
        household=household,
        household_class="non_poor",
        valid_from=today() - timedelta(days=1),
        decision="QĐ 2 (rà soát thường xuyên)",
        user=users.commune_officer,
    )
    walk.survey_all()
    walk.meet()
    walk.post()
    row = next(r for r in walk.submit().snapshot["rows"] if r["household_id"] == household.pk)
    assert (row["previous_class"], row["proposed_class"], row["transition"]) == (
        HouseholdClass.NON_POOR,
        HouseholdClass.POOR,
        Transition.RELAPSED_POOR,
    )


def test_before_class_falls_back_to_the_class_when_listed_without_history(walk, households):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    rows = walk.submit().snapshot["rows"]
    assert {(r["previous_class"], r["transition"]) for r in rows} == {(HouseholdClass.POOR, Transition.REMAINS)}


# --- no step twice ---------------------------------------------------------------------------------------------
def test_an_agreed_household_is_not_voted_on_again(walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    with pytest.raises(ValidationError, match="đã được họp dân thống nhất"):
        walk.meet(agreeing=5)  # a second meeting would have sent them back to the survey
    assert set(walk.fresh().cases.values_list("status", flat=True)) == {CaseStatus.AGREED}
    assert VillageMeeting.objects.filter(round=walk.round).count() == 1


def test_step_pages_say_why_when_the_state_does_not_allow_them(client_for, users, walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    walk.submit()
    client = client_for(users.commune_officer)
    for name in ("meeting", "posting", "recognise", "case_add"):
        page = client.get(reverse(f"reviews:{name}", args=[walk.round.pk])).content.decode()
        assert 'data-testid="step-refused"' in page and "Đã trình, chờ duyệt" in page, name
        assert '<form method="post" novalidate' not in page, name  # no form that could only be refused


# --- two officers on one round ----------------------------------------------------------------------------------
def test_vote_on_a_result_changed_after_the_page_opened_is_refused(walk):
    walk.open()
    walk.survey_all()
    round = walk.fresh()
    cases = list(round.cases.all())
    seen = {c.pk: c.version for c in cases}
    # another officer changes the first household's result while the meeting form is open
    changed = cases[0]
    services.review_case_save(
        case=changed,
        facts={**changed.survey["facts"], "income_per_capita": 5_000_000},
        answers={},
        final=True,
        user=walk.officer,
        expected_version=changed.version,
    )
    with pytest.raises(services.StaleRoundError, match="vừa được sửa"):
        services.village_meeting_record(
            round=walk.fresh(),
            meeting=meeting_for(walk),
            agreeing={c.pk: 30 for c in cases},
            case_versions=seen,
            user=walk.officer,
            expected_version=walk.round.version,
        )
    assert not VillageMeeting.objects.exists()


def test_survey_form_opened_before_the_meeting_cannot_overwrite_its_result(walk):
    walk.open()
    walk.survey_all()
    case = walk.round.cases.first()
    opened = ReviewCase.objects.get(pk=case.pk)  # the form another officer still has open
    walk.meet()
    with pytest.raises(services.StaleRoundError):
        services.review_case_save(
            case=opened,
            facts=opened.survey["facts"],
            answers={},
            final=True,
            user=walk.officer,
            expected_version=opened.version,
        )
    assert ReviewCase.objects.get(pk=case.pk).status == CaseStatus.AGREED


def test_case_saved_from_a_page_loaded_before_posting_started_is_refused(walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    case = ReviewCase.objects.select_related("round").get(pk=walk.round.cases.first().pk)
    assert case.round.state == RoundState.OPEN  # what the officer's request loaded
    walk.post()  # meanwhile a colleague starts the posting
    with pytest.raises(TransitionRefused, match="Đang niêm yết"):
        services.review_case_save(
            case=case,
            facts=case.survey["facts"],
            answers={},
            final=True,
            user=walk.officer,
            expected_version=case.version,
        )
    assert ReviewCase.objects.get(pk=case.pk).status == CaseStatus.AGREED


def test_second_recheck_of_one_complaint_does_not_overwrite_the_first(walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    posting = walk.post()
    complaint = services.complaint_record(
        round=walk.fresh(),
        case=walk.round.cases.first(),
        received_on=posting.starts_on,
        complainant="Ksor Y Lin",
        content="Hộ có xe máy mới",
        user=walk.officer,
    )
    first, second = (Complaint.objects.select_related("posting__round").get(pk=complaint.pk) for _ in range(2))
    services.complaint_recheck(
        complaint=first, rechecked_on=posting.ends_on, result="Đúng", result_class="near_poor", user=walk.officer
    )
    with pytest.raises(TransitionRefused, match="đã có kết quả phúc tra"):
        services.complaint_recheck(
            complaint=second, rechecked_on=posting.ends_on, result="Sai", result_class="", user=walk.officer
        )
    complaint.refresh_from_db()
    assert (complaint.recheck_result, complaint.result_class) == ("Đúng", "near_poor")


def test_round_rows_are_locked_in_the_services(walk):
    """The lock helper re-reads the state: a round object loaded before another officer's step is corrected."""
    walk.open()
    stale = ReviewRound.objects.get(pk=walk.round.pk)
    ReviewRound.objects.filter(pk=stale.pk).update(state=RoundState.POSTING)
    with pytest.raises(TransitionRefused):
        services.review_case_add(
            round=stale,
            household=walk.round.cases.first().household,
            reason="x",
            user=walk.officer,
            expected_version=stale.version,
        )


# --- steps in the order of QĐ 24/2021, Điều 4 -----------------------------------------------------------------
def test_posting_cannot_start_before_the_village_meeting(walk):
    walk.open()
    walk.survey_all()
    meeting = walk.meet()
    held = timezone.localtime(meeting.held_at).date()
    with pytest.raises(ValidationError, match="không được trước ngày họp dân"):
        walk.post(starts_on=held - timedelta(days=1))
    assert walk.fresh().state == RoundState.OPEN
    assert walk.post(starts_on=held).starts_on == held


def test_complaint_and_recheck_cannot_be_dated_in_the_future(walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    posting = walk.post(starts_on=today())
    case = walk.round.cases.first()
    tomorrow = today() + timedelta(days=1)
    with pytest.raises(ValidationError, match="không được sau hôm nay"):
        services.complaint_record(
            round=walk.fresh(), case=case, received_on=tomorrow, complainant="A", content="B", user=walk.officer
        )
    complaint = services.complaint_record(
        round=walk.fresh(), case=case, received_on=posting.starts_on, complainant="A", content="B", user=walk.officer
    )
    with pytest.raises(ValidationError, match="không được sau hôm nay"):
        services.complaint_recheck(
            complaint=complaint, rechecked_on=tomorrow, result="Đúng", result_class="", user=walk.officer
        )


def test_round_page_shows_a_class_changed_since_the_household_was_listed(client_for, walk, households, users):
    status_record_add(
        household=households[0],
        household_class="poor",
        valid_from=date(YEAR - 1, 6, 1),
        decision="QĐ 1",
        user=users.commune_officer,
    )
    round = walk.open()
    status_record_add(
        household=households[0],
        household_class="near_poor",
        valid_from=today() - timedelta(days=1),
        decision="QĐ 2 (rà soát thường xuyên)",
        user=users.commune_officer,
    )
    page = client_for(users.commune_officer).get(reverse("reviews:detail", args=[round.pk])).content.decode()
    row = page.split(f'data-case="{households[0].code}"')[1].split("</tr>")[0]
    assert 'data-testid="class-now"' in row and "Nay: Hộ cận nghèo" in row
    other = page.split(f'data-case="{households[1].code}"')[1].split("</tr>")[0]
    assert 'data-testid="class-now"' not in other


def test_posting_list_reprinted_after_the_decision_still_lists_the_escaped(walk, users):
    from django.db.models import F

    from reviews.documents import posting_data
    from reviews.models import ApprovalAction

    walk.open()
    walk.survey_all()
    escaping = walk.round.cases.first()
    escaping.refresh_from_db()
    services.review_case_save(
        case=escaping,
        facts={**escaping.survey["facts"], "income_per_capita": 9_000_000},
        answers={},
        final=True,
        user=walk.officer,
        expected_version=escaping.version,
    )
    escaping.refresh_from_db()
    assert escaping.proposed_class not in (HouseholdClass.POOR, HouseholdClass.NEAR_POOR)
    walk.meet()
    walk.post()
    walk.submit()
    walk.approve()
    ApprovalAction.objects.filter(action="approve").update(at=F("at") - timedelta(days=7))
    walk.recognise(signed_on=today() - timedelta(days=5))  # the decision's status rows are now in the past
    titles = [(lst.title, [r.code for r in lst.rows]) for lst in posting_data(walk.fresh()).lists]
    assert ("Danh sách hộ thoát nghèo", [escaping.household.code]) in titles


def test_read_only_survey_says_why(client_for, users, walk):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    url = reverse("reviews:case", args=[walk.round.cases.first().pk])
    officer = client_for(users.commune_officer).get(url).content.decode()
    assert 'data-testid="survey-readonly"' in officer and "Đang niêm yết" in officer
    district = client_for(users.district_staff).get(url).content.decode()
    assert "cán bộ xã ghi và sửa phiếu" in district


def test_a_result_never_posted_cannot_be_submitted(client_for, walk, users, make_household):
    """After a return the commune adds a household: it is surveyed and agreed, but must be posted before the
    lists go up again (QĐ 24/2021, Điều 4 bước 4)."""
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    submission = walk.submit()
    services.submission_return(
        submission=submission,
        user=users.district_staff,
        comment="Bổ sung hộ IRS-003",
        expected_version=walk.fresh().version,
    )
    added = make_household("IRS-003")
    services.review_case_add(
        round=walk.fresh(),
        household=added,
        reason="Cấp huyện đề nghị",
        user=walk.officer,
        expected_version=walk.round.version,
    )
    walk.survey_all()
    walk.meet()
    with pytest.raises(TransitionRefused, match="chưa được niêm yết.*IRS-003"):
        walk.submit()
    page = client_for(users.commune_officer).get(reverse("reviews:detail", args=[walk.round.pk])).content.decode()
    assert 'data-testid="start-posting"' in page and "1 hộ có kết quả chưa được niêm yết (IRS-003)" in page
    assert walk.fresh().state == RoundState.RETURNED
    walk.post()  # posted again, from the returned state
    assert walk.fresh().state == RoundState.POSTING
    second = walk.submit()
    assert second.number == 2 and added.pk in second.snapshot["lists"]["poor"]


def test_unchanged_results_after_a_return_are_resubmitted_without_posting_again(client_for, walk, users):
    walk.open()
    walk.survey_all()
    walk.meet()
    walk.post()
    submission = walk.submit()
    services.submission_return(
        submission=submission, user=users.district_staff, comment="Xem lại", expected_version=walk.fresh().version
    )
    walk.survey_all()  # the same answers: the same classes
    walk.meet()
    page = client_for(users.commune_officer).get(reverse("reviews:detail", args=[walk.round.pk])).content.decode()
    assert 'data-testid="start-posting"' not in page  # nothing new to post
    assert walk.submit().number == 2


def test_reopened_round_compares_with_the_lists_before_its_own_decision(walk, users):
    """The corrected lists of a reopened round still say who escaped: the first decision's own status rows are
    not taken as the class before the review."""
    from django.db.models import F

    from reviews.models import ApprovalAction

    walk.open()
    walk.survey_all()
    escaping = walk.round.cases.first()
    escaping.refresh_from_db()
    services.review_case_save(
        case=escaping,
        facts={**escaping.survey["facts"], "income_per_capita": 9_000_000},
        answers={},
        final=True,
        user=walk.officer,
        expected_version=escaping.version,
    )
    walk.meet()
    walk.post()
    walk.submit()
    walk.approve()
    ApprovalAction.objects.filter(action="approve").update(at=F("at") - timedelta(days=7))
    walk.recognise(signed_on=today() - timedelta(days=5))
    services.review_round_reopen(
        round=walk.fresh(), user=users.district_staff, reason="Sửa tên chủ hộ", expected_version=walk.round.version
    )
    second = walk.submit()  # nothing changed: no new posting needed
    assert escaping.household_id in second.snapshot["lists"]["escaped_poor"]
    row = next(r for r in second.snapshot["rows"] if r["household_id"] == escaping.household_id)
    assert row["previous_class"] == HouseholdClass.POOR
