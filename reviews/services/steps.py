"""Village meetings, public posting, complaints and re-checks (QĐ 24/2021, Điều 4 bước 3–4)."""

from datetime import date, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import formatting

from .. import calendar
from ..choices import Action, CaseStatus
from ..models import (
    Complaint,
    MeetingVote,
    Posting,
    ReviewCase,
    ReviewRound,
    TransitionRefused,
    VillageMeeting,
)
from .common import StaleRoundError, _claim_round, _lock_round, _require_officer_of


# --- village meeting (step 3) ---------------------------------------------------------------------------
@transaction.atomic
def village_meeting_record(
    *,
    round: ReviewRound,
    meeting: VillageMeeting,
    agreeing: dict[int, int],
    user,
    expected_version: int,
    case_versions: dict[int, int] | None = None,
) -> VillageMeeting:
    """Record a village meeting; a household with < 50 % of attendees agreeing goes back to the survey
    (QĐ 24/2021/QĐ-TTg, Điều 4 bước 3). Each household is voted on once per result: one already agreed is not
    put to the vote again, and ``case_versions`` (the versions the officer saw) refuses a vote on a result that
    another officer changed after the page was opened."""
    _require_officer_of(user, round)
    _lock_round(round)
    round.require(Action.MEETING)
    meeting.round, meeting.recorded_by = round, user
    cases = {c.pk: c for c in round.cases.select_for_update().filter(household__village_id=meeting.village_id)}
    for case_id in agreeing:
        case = cases.get(case_id)
        if case is not None and case_versions is not None and case_versions.get(case_id) != case.version:
            raise StaleRoundError(
                _(
                    "Kết quả rà soát của hộ %(code)s vừa được sửa sau khi bạn mở trang, nên số người đồng ý đã nhập "
                    "có thể không ứng với kết quả mới. Chưa lưu gì: hãy tải lại trang, xem kết quả mới rồi ghi lại."
                )
                % {"code": case.household.code}
            )
    problems = village_meeting_problems(round=round, meeting=meeting, agreeing=agreeing, cases=cases)
    if problems:
        raise ValidationError(problems)
    _claim_round(round, expected_version)
    meeting.save()
    for case_id, count in agreeing.items():
        case = cases[case_id]
        vote = MeetingVote.objects.create(
            meeting=meeting, case=case, proposed_class=case.proposed_class, agreeing=count
        )
        agreed = case.apply_vote(vote.share)
        case.version += 1  # a survey form opened before the meeting is now stale (see review_case_save)
        case.save(update_fields=["status", "version"])
        if not agreed:
            round.log(
                action=Action.RESURVEY,
                user=user,
                case=case,
                comment=_("%(share)s %% người dự họp đồng ý (dưới 50 %%).")
                % {"share": formatting.number(vote.share, 1)},
            )
    round.log(
        action=Action.MEETING,
        user=user,
        comment=_("%(village)s, %(n)s hộ được thảo luận.") % {"village": meeting.village, "n": len(agreeing)},
    )
    return meeting


def village_meeting_problems(
    *, round: ReviewRound, meeting: VillageMeeting, agreeing: dict[int, int | None], cases: dict | None = None
) -> dict[str, list[str]]:
    """Every reason the meeting cannot be recorded as typed, all at once (field name or NON_FIELD_ERRORS -> messages),
    so that the officer corrects the form in one round. A vote that is not a whole number is passed as ``None``."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if meeting.village_id is None or meeting.village.parent_id != round.commune_id:
        add("village", _("Hãy chọn thôn, buôn của xã."))
    if meeting.held_at and meeting.held_at > timezone.now():
        add("held_at", _("Chỉ ghi kết quả cuộc họp đã diễn ra: thời gian họp không được sau bây giờ."))
    try:
        meeting.full_clean(exclude=["round", *problems])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                add(field, message)
    if not agreeing:
        add(NON_FIELD_ERRORS, _("Cuộc họp phải thảo luận ít nhất một hộ."))
    if cases is None:
        cases = {c.pk: c for c in round.cases.filter(household__village_id=meeting.village_id)}
    attendees = meeting.attendees if isinstance(meeting.attendees, int) and meeting.attendees > 0 else None
    for case_id, count in agreeing.items():
        case = cases.get(case_id)
        if case is None:
            add(NON_FIELD_ERRORS, _("Có hộ không thuộc thôn này."))
        elif case.needs_survey:
            add(
                NON_FIELD_ERRORS,
                _("Hộ %(code)s chưa có kết quả rà soát: chưa thể đưa ra họp.") % {"code": case.household.code},
            )
        elif case.status == CaseStatus.AGREED:
            add(
                NON_FIELD_ERRORS,
                _("Hộ %(code)s đã được họp dân thống nhất: không biểu quyết lại.") % {"code": case.household.code},
            )
        elif count is None or count < 0 or (attendees is not None and count > attendees):
            add(
                NON_FIELD_ERRORS,
                _("Số người đồng ý với hộ %(code)s phải từ 0 đến số người dự họp.") % {"code": case.household.code},
            )
    return problems


# --- posting and complaints (step 4) --------------------------------------------------------------------
@transaction.atomic
def posting_start(
    *,
    round: ReviewRound,
    starts_on: date,
    places: str,
    signer_name: str,
    signer_form: str,
    user,
    expected_version: int,
) -> Posting:
    """Start the public posting once every household has a result agreed at its village meeting
    (QĐ 24/2021, Điều 4 bước 4), with who signs the posted list; the end date counts the province's working
    days."""
    _require_officer_of(user, round)
    _lock_round(round)
    round.require(Action.POSTING_START)
    cases = list(round.cases.select_related("household").only("round", "status", "household__code"))  # what is checked
    if not cases:
        raise TransitionRefused(_("Danh sách rà soát chưa có hộ nào."))
    waiting = [c.household.code for c in cases if c.status != CaseStatus.AGREED]
    if waiting:
        raise TransitionRefused(
            _("Chưa niêm yết được: %(n)s hộ chưa được họp dân thống nhất (%(codes)s).")
            % {"n": len(waiting), "codes": ", ".join(waiting[:10])}
        )
    if not places.strip():
        raise ValidationError({"places": _("Hãy ghi nơi niêm yết.")})
    # QĐ 24/2021, Điều 4: bước 4 (niêm yết) công khai kết quả đã được họp dân (bước 3) thống nhất
    last_meeting = round.meetings.order_by("-held_at").values_list("held_at", flat=True).first()
    if last_meeting and starts_on < timezone.localtime(last_meeting).date():
        raise ValidationError(
            {
                "starts_on": _(
                    "Niêm yết kết quả đã được họp dân thống nhất: ngày bắt đầu không được trước ngày họp dân "
                    "cuối cùng (%(date)s)."
                )
                % {"date": timezone.localtime(last_meeting).strftime("%d/%m/%Y")}
            }
        )
    _claim_round(round, expected_version)
    window = calendar.window_for(round.commune, round.year)
    posting = Posting(
        round=round,
        revision=round.revision,
        starts_on=starts_on,
        ends_on=calendar.add_working_days(starts_on, window.posting_working_days),
        places=places.strip(),
        signer_name=signer_name.strip(),
        signer_form=signer_form,
        started_by=user,
    )
    posting.full_clean()
    posting.save()
    round.start_posting(
        user=user,
        comment=_("Từ %(start)s đến %(end)s.")
        % {"start": posting.starts_on.strftime("%d/%m/%Y"), "end": posting.ends_on.strftime("%d/%m/%Y")},
    )
    return posting


@transaction.atomic
def complaint_record(
    *, round: ReviewRound, case: ReviewCase, received_on: date, complainant: str, content: str, user
) -> Complaint:
    """Register a complaint received during the posting; the re-check is due in the province's working days."""
    _require_officer_of(user, round)
    _lock_round(round)
    round.require(Action.COMPLAINT)
    posting = round.postings.first()
    if case.round_id != round.pk:
        raise ValidationError({"case": _("Hộ này không thuộc đợt rà soát.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("Ngày nhận không được sau hôm nay.")})
    if not (posting.starts_on <= received_on <= posting.ends_on):
        raise ValidationError(
            {
                "received_on": _("Khiếu nại phải nhận trong thời gian niêm yết (%(start)s – %(end)s).")
                % {"start": posting.starts_on.strftime("%d/%m/%Y"), "end": posting.ends_on.strftime("%d/%m/%Y")}
            }
        )
    window = calendar.window_for(round.commune, round.year)
    complaint = Complaint(
        posting=posting,
        case=case,
        received_on=received_on,
        complainant=complainant.strip(),
        content=content.strip(),
        recheck_due=calendar.add_working_days(received_on + timedelta(days=1), window.recheck_working_days),
        recorded_by=user,
    )
    complaint.full_clean()
    complaint.save()
    round.log(action=Action.COMPLAINT, user=user, case=case, comment=complaint.content)
    return complaint


@transaction.atomic
def complaint_recheck(*, complaint: Complaint, rechecked_on: date, result: str, result_class: str, user) -> Complaint:
    """Record the re-check (phúc tra); a changed class replaces the case's proposed class, with a log row."""
    round = complaint.posting.round
    _require_officer_of(user, round)
    _lock_round(round)
    round.require(Action.RECHECK)
    complaint.refresh_from_db()  # another officer may have recorded the re-check while this one was typing
    if complaint.is_resolved:
        raise TransitionRefused(_("Khiếu nại này đã có kết quả phúc tra."))
    if not result.strip():
        raise ValidationError({"recheck_result": _("Hãy ghi kết quả phúc tra.")})
    if rechecked_on > timezone.localdate():
        raise ValidationError({"rechecked_on": _("Ngày phúc tra không được sau hôm nay.")})
    if rechecked_on < complaint.received_on:
        raise ValidationError({"rechecked_on": _("Ngày phúc tra không được trước ngày nhận khiếu nại.")})
    complaint.rechecked_on, complaint.recheck_result, complaint.result_class = (
        rechecked_on,
        result.strip(),
        result_class,
    )
    complaint.full_clean()
    complaint.save()
    case = complaint.case
    if result_class and result_class != case.proposed_class:
        case.proposed_class = result_class
        case.save(update_fields=["proposed_class"])
    round.log(action=Action.RECHECK, user=user, case=case, comment=complaint.recheck_result)
    return complaint
