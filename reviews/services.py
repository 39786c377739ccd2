"""Write services of the review rounds (QĐ 24/2021/QĐ-TTg, Điều 4–5). Each one: keyword-only arguments,
one transaction, the optimistic lock on the round (or the case), the state check, a log row."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.scoping import unit_scope_q
from areas.models import AdministrativeUnit
from households.choices import HouseholdClass, HouseholdState
from households.classification import standard_on
from households.models import Household
from households.services import status_record_add

from . import calendar
from .choices import Action, CaseSource, CaseStatus, RoundKind, RoundState, SubmissionState
from .models import (
    Certificate,
    Complaint,
    HouseholdRequest,
    MeetingVote,
    Posting,
    RecognitionDecision,
    ReviewCase,
    ReviewRound,
    Submission,
    TransitionRefused,
    VillageMeeting,
)
from .snapshot import build_snapshot, certificate_snapshot

STALE_ROUND = _(
    "Đợt rà soát vừa được người khác cập nhật sau khi bạn mở trang. Thao tác của bạn chưa được thực hiện: "
    "hãy tải lại trang để xem thay đổi rồi làm lại."
)
STALE_CASE = _(
    "Phiếu của hộ này vừa được người khác lưu sau khi bạn mở trang. Những gì bạn nhập chưa được lưu và vẫn còn "
    "trên trang: hãy mở phiếu trong một thẻ mới để xem bản mới nhất, rồi nhập lại phần của bạn."
)


class StaleRoundError(ValidationError):
    """Someone changed the round (or the case) after this officer loaded it."""


def _claim(model, obj, expected_version: int | None, message: str) -> None:
    """Optimistic lock: bump the version only if nobody saved since ``expected_version`` was read."""
    if expected_version is None or not model.objects.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1
    ):
        raise StaleRoundError(message)
    obj.refresh_from_db()


def _claim_round(round: ReviewRound, expected_version: int | None) -> None:
    _claim(ReviewRound, round, expected_version, STALE_ROUND)


def _require_officer_of(user, round: ReviewRound) -> None:
    if user.role != Role.COMMUNE_OFFICER or user.unit_id != round.commune_id:
        raise TransitionRefused(_("Chỉ cán bộ của xã %(commune)s mới làm được việc này.") % {"commune": round.commune})


def _class_before(household: Household, day: date) -> str:
    """The official class in force on ``day`` (status history), or the registry's current class if none."""
    record = household.status_records.filter(valid_from__lte=day).order_by("-valid_from").first()
    if record and (record.valid_to is None or record.valid_to >= day):
        return record.household_class
    return "" if record else household.current_class


# --- opening a round, requests, the list of households (step 1) ----------------------------------------
@transaction.atomic
def review_round_open(
    *, commune: AdministrativeUnit, kind: str, year: int, month: int | None = None, user
) -> ReviewRound:
    """Open a round; a periodic one lists the commune's poor and near-poor households (QĐ 24/2021, Điều 4 bước 1)."""
    if user.role != Role.COMMUNE_OFFICER or user.unit_id != commune.pk:
        raise TransitionRefused(_("Chỉ cán bộ của xã mới mở được đợt rà soát của xã mình."))
    if kind == RoundKind.REGULAR and not month:
        raise ValidationError({"month": _("Rà soát thường xuyên cần chọn tháng.")})
    if kind == RoundKind.PERIODIC:
        month = None
    duplicate = ReviewRound.objects.filter(commune=commune, year=year, kind=kind, month=month)
    if duplicate.exists():
        raise ValidationError(_("Xã đã có đợt rà soát này rồi: mở đợt đã có để tiếp tục."))
    starts_on, due_on, reference = calendar.round_dates(commune, kind, year, month)
    try:
        standard = standard_on(reference)
    except ValueError as error:
        raise ValidationError(
            _("Chưa có chuẩn nghèo áp dụng cho ngày %(date)s: %(error)s")
            % {"date": reference.strftime("%d/%m/%Y"), "error": error}
        ) from error
    round = ReviewRound(
        commune=commune,
        year=year,
        kind=kind,
        month=month,
        starts_on=starts_on,
        due_on=due_on,
        reference_date=reference,
        standard_code=standard.code,
        opened_by=user,
    )
    round.full_clean()
    round.save()
    round.log(action=Action.OPEN, user=user)
    if kind == RoundKind.PERIODIC:
        # QĐ 24/2021, Điều 4 bước 1 điểm a: hộ nghèo, hộ cận nghèo đang quản lý
        for household in Household.objects.filter(commune=commune, state=HouseholdState.ACTIVE):
            previous = _class_before(household, starts_on)
            if previous in (HouseholdClass.POOR, HouseholdClass.NEAR_POOR):
                ReviewCase.objects.create(
                    round=round, household=household, source=CaseSource.CURRENT_LIST, previous_class=previous
                )
    pending = HouseholdRequest.objects.filter(household__commune=commune, round__isnull=True)
    for request in pending.select_related("household"):
        if request.round_kind == kind:
            _attach_request(request, round)
    return round


def _attach_request(request: HouseholdRequest, round: ReviewRound) -> None:
    """QĐ 24/2021, Điều 4 bước 1 điểm b and Điều 5: a request puts the household on the round's list."""
    request.round = round
    request.save(update_fields=["round"])
    case, created = ReviewCase.objects.get_or_create(
        round=round,
        household=request.household,
        defaults={
            "source": CaseSource.REQUEST,
            "request": request,
            "previous_class": _class_before(request.household, round.starts_on),
        },
    )
    if not created and case.request_id is None:
        case.request = request
        case.save(update_fields=["request"])


@transaction.atomic
def household_request_register(
    *, household: Household, form: str, received_on: date, channel: str, content: str, user
) -> HouseholdRequest:
    """Register a Mẫu số 01/04 request and attach it to the commune's next open round of the matching kind."""
    request = HouseholdRequest(
        household=household, form=form, received_on=received_on, channel=channel, content=content, created_by=user
    )
    request.full_clean()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("Ngày nhận không được sau hôm nay.")})
    request.save()
    open_round = (
        ReviewRound.objects.filter(
            commune=household.commune, kind=request.round_kind, state=RoundState.OPEN, due_on__gte=received_on
        )
        .order_by("starts_on")
        .first()
    )
    if open_round:
        _attach_request(request, open_round)
    return request


@transaction.atomic
def review_case_add(
    *, round: ReviewRound, household: Household, reason: str, user, expected_version: int
) -> ReviewCase:
    """Add a household the officer judges should be reviewed, with the reason (QĐ 24/2021, Điều 4 bước 1)."""
    _require_officer_of(user, round)
    round.require(Action.CASE_ADD)
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do bổ sung hộ vào danh sách rà soát.")})
    if household.commune_id != round.commune_id or household.is_archived:
        raise ValidationError({"household": _("Hộ này không thuộc xã hoặc đã lưu trữ.")})
    if round.cases.filter(household=household).exists():
        raise ValidationError({"household": _("Hộ %(code)s đã có trong danh sách rà soát.") % {"code": household.code}})
    _claim_round(round, expected_version)
    case = ReviewCase.objects.create(
        round=round,
        household=household,
        source=CaseSource.ADDED,
        reason=reason.strip(),
        previous_class=_class_before(household, round.starts_on),
    )
    round.log(action=Action.CASE_ADD, user=user, comment=reason.strip(), case=case)
    return case


# --- survey (step 2) ------------------------------------------------------------------------------------
@transaction.atomic
def review_case_save(
    *,
    case: ReviewCase,
    facts: dict,
    answers: dict,
    final: bool,
    user,
    expected_version: int,
    members: dict | None = None,
) -> ReviewCase:
    """Save the survey as a draft, or as the result with a proposed class (TT 07/2021, Phụ lục III–IV)."""
    from .survey import case_assess

    round = case.round
    _require_officer_of(user, round)
    round.require(Action.CASE_SAVE)
    for code, answer in answers.items():
        if not (answer.get("reason") or "").strip():
            raise ValidationError(_("Hãy ghi lý do cho kết luận của cán bộ ở chỉ số “%(code)s”.") % {"code": code})
    members = members if members is not None else case.survey.get("members", {})
    assessment = case_assess(case, facts, answers, members)
    if final and not assessment.get("household_class"):
        raise ValidationError(
            _("Chưa phân loại được hộ: %(why)s Phiếu đã được giữ lại trên trang, hãy bổ sung rồi lưu lại.")
            % {"why": assessment.get("summary") or ""}
        )
    _claim(ReviewCase, case, expected_version, STALE_CASE)
    case.survey = {"facts": facts, "answers": answers, "members": members}
    case.assessment = assessment
    case.score_a = facts.get("score_a")
    case.score_b = assessment.get("score_b")
    case.surveyed_by, case.surveyed_at = user, timezone.now()
    was = case.status
    if final:
        case.proposed_class = assessment["household_class"]
        case.status = CaseStatus.SURVEYED
    elif was == CaseStatus.LISTED:
        case.status = CaseStatus.DRAFT
    case.full_clean()
    case.save()
    if final:
        round.log(action=Action.CASE_SAVE, user=user, case=case, comment=str(case.get_proposed_class_display()))
    return case


# --- village meeting (step 3) ---------------------------------------------------------------------------
@transaction.atomic
def village_meeting_record(
    *, round: ReviewRound, meeting: VillageMeeting, agreeing: dict[int, int], user, expected_version: int
) -> VillageMeeting:
    """Record a village meeting; a household with < 50 % of attendees agreeing goes back to the survey
    (QĐ 24/2021/QĐ-TTg, Điều 4 bước 3)."""
    _require_officer_of(user, round)
    round.require(Action.MEETING)
    meeting.round, meeting.recorded_by = round, user
    if meeting.village_id is None or meeting.village.parent_id != round.commune_id:
        raise ValidationError({"village": _("Hãy chọn thôn, buôn của xã.")})
    if meeting.held_at and meeting.held_at > timezone.now():
        raise ValidationError(
            {"held_at": _("Chỉ ghi kết quả cuộc họp đã diễn ra: thời gian họp không được sau bây giờ.")}
        )
    cases = {c.pk: c for c in round.cases.filter(household__village=meeting.village)}
    if not agreeing:
        raise ValidationError(_("Cuộc họp phải thảo luận ít nhất một hộ."))
    errors = []
    for case_id, count in agreeing.items():
        case = cases.get(case_id)
        if case is None:
            errors.append(_("Có hộ không thuộc thôn này."))
        elif case.needs_survey:
            errors.append(
                _("Hộ %(code)s chưa có kết quả rà soát: chưa thể đưa ra họp.") % {"code": case.household.code}
            )
        elif count is None or count < 0 or count > (meeting.attendees or 0):
            errors.append(
                _("Số người đồng ý với hộ %(code)s phải từ 0 đến số người dự họp.") % {"code": case.household.code}
            )
    if errors:
        raise ValidationError(errors)
    _claim_round(round, expected_version)
    meeting.full_clean(exclude=["round"])
    meeting.save()
    for case_id, count in agreeing.items():
        case = cases[case_id]
        vote = MeetingVote.objects.create(
            meeting=meeting, case=case, proposed_class=case.proposed_class, agreeing=count
        )
        agreed = case.apply_vote(vote.share)
        case.save(update_fields=["status"])
        if not agreed:
            round.log(
                action=Action.RESURVEY,
                user=user,
                case=case,
                comment=_("%(share)s %% người dự họp đồng ý (dưới 50 %%).")
                % {"share": f"{vote.share:.1f}".replace(".", ",")},
            )
    round.log(
        action=Action.MEETING,
        user=user,
        comment=_("%(village)s, %(n)s hộ được thảo luận.") % {"village": meeting.village, "n": len(agreeing)},
    )
    return meeting


# --- posting and complaints (step 4) --------------------------------------------------------------------
@transaction.atomic
def posting_start(*, round: ReviewRound, starts_on: date, places: str, user, expected_version: int) -> Posting:
    """Start the public posting once every household has a result agreed at its village meeting
    (QĐ 24/2021, Điều 4 bước 4); the end date counts the province's working days."""
    _require_officer_of(user, round)
    round.require(Action.POSTING_START)
    cases = list(round.cases.select_related("household"))
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
    _claim_round(round, expected_version)
    window = calendar.window_for(round.commune, round.year)
    posting = Posting(
        round=round,
        revision=round.revision,
        starts_on=starts_on,
        ends_on=calendar.add_working_days(starts_on, window.posting_working_days),
        places=places.strip(),
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
    round.require(Action.COMPLAINT)
    posting = round.postings.first()
    if case.round_id != round.pk:
        raise ValidationError({"case": _("Hộ này không thuộc đợt rà soát.")})
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
    round.require(Action.RECHECK)
    if complaint.is_resolved:
        raise TransitionRefused(_("Khiếu nại này đã có kết quả phúc tra."))
    if not result.strip():
        raise ValidationError({"recheck_result": _("Hãy ghi kết quả phúc tra.")})
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


# --- submission and approval (step 5) -------------------------------------------------------------------
@transaction.atomic
def review_round_submit(*, round: ReviewRound, user, expected_version: int) -> Submission:
    """Send the commune's lists for approval as a new frozen version (QĐ 24/2021, Điều 4 bước 5)."""
    _require_officer_of(user, round)
    round.require(Action.SUBMIT)
    today = timezone.localdate()
    cases = list(round.cases.select_related("household__village"))
    waiting = [c.household.code for c in cases if c.status != CaseStatus.AGREED]
    if waiting:
        raise TransitionRefused(
            _("Chưa trình được: %(n)s hộ chưa được họp dân thống nhất (%(codes)s).")
            % {"n": len(waiting), "codes": ", ".join(waiting[:10])}
        )
    if round.state == RoundState.POSTING:
        posting = round.postings.first()
        if posting.ends_on >= today:
            raise TransitionRefused(
                _("Đang trong thời gian niêm yết (đến hết ngày %(end)s): chưa thể trình danh sách.")
                % {"end": posting.ends_on.strftime("%d/%m/%Y")}
            )
        if Complaint.objects.filter(posting=posting, rechecked_on__isnull=True).exists():
            raise TransitionRefused(_("Còn khiếu nại chưa có kết quả phúc tra: chưa thể trình danh sách."))
    _claim_round(round, expected_version)
    levels = calendar.required_levels(round.commune, today, round.kind)
    submission = Submission.objects.create(
        round=round,
        number=round.submissions.count() + 1,
        revision=round.revision,
        snapshot=build_snapshot(round),
        required_levels=levels,
        submitted_by=user,
    )
    round.submit(user=user, submission=submission)
    if not levels:
        submission.state = SubmissionState.APPROVED
        submission.save(update_fields=["state"])
        round.mark_approved(
            user=user,
            comment=_("Theo quy trình của tỉnh, danh sách của xã không cần cấp trên duyệt."),
            submission=submission,
            final=True,
        )
    return submission


def may_approve(user, submission: Submission) -> bool:
    """District staff approve their own communes at the district step; province staff at the province step.
    Commune officers never approve (QĐ 24/2021, Điều 4 bước 5; domain.md §4)."""
    level = submission.next_level
    role = {"district": Role.DISTRICT_STAFF, "province": Role.PROVINCE_STAFF}.get(level)
    if role is None or user.role != role:
        return False
    return ReviewRound.objects.filter(unit_scope_q(user, "commune"), pk=submission.round_id).exists()


def _approver_check(user, submission: Submission) -> None:
    if user.role == Role.COMMUNE_OFFICER:
        raise TransitionRefused(_("Cán bộ xã không duyệt danh sách: việc này do cấp trên thực hiện."))
    if submission.state != SubmissionState.PENDING or submission.round.submissions.first().pk != submission.pk:
        raise TransitionRefused(_("Lần trình này không còn chờ duyệt."))
    if not may_approve(user, submission):
        raise TransitionRefused(
            _("Bạn không có quyền duyệt lần trình này: đang chờ %(level)s của xã %(commune)s.")
            % {"level": submission.next_level_label.lower(), "commune": submission.round.commune}
        )


@transaction.atomic
def submission_approve(*, submission: Submission, user, comment: str = "", expected_version: int) -> Submission:
    """Approve at the user's level; the last required level approves the round."""
    round = submission.round
    round.require(Action.APPROVE)
    _approver_check(user, submission)
    _claim_round(round, expected_version)
    submission.approved_levels = [*submission.approved_levels, submission.next_level]
    final = submission.next_level is None
    if final:
        submission.state = SubmissionState.APPROVED
    submission.save(update_fields=["approved_levels", "state"])
    round.mark_approved(user=user, comment=comment.strip(), submission=submission, final=final)
    return submission


@transaction.atomic
def submission_return(*, submission: Submission, user, comment: str, expected_version: int) -> Submission:
    """Return the lists to the commune; the comment saying what to correct is mandatory."""
    round = submission.round
    round.require(Action.RETURN)
    _approver_check(user, submission)
    if not comment.strip():
        raise ValidationError({"comment": _("Hãy ghi rõ xã cần sửa gì khi trả lại danh sách.")})
    _claim_round(round, expected_version)
    submission.state = SubmissionState.RETURNED
    submission.save(update_fields=["state"])
    round.send_back(user=user, comment=comment.strip(), submission=submission)
    return submission


# --- recognition and reopening --------------------------------------------------------------------------
@transaction.atomic
def review_round_recognise(
    *, round: ReviewRound, number: str, signed_on: date, signer_name: str, signer_form: str, user, expected_version: int
) -> RecognitionDecision:
    """Record the commune chairman's decision, issue the certificates, write each household's status from the
    decision date, and lock the round (QĐ 24/2021, Điều 4 bước 5; Điều 5)."""
    _require_officer_of(user, round)
    round.require(Action.RECOGNISE)
    submission = round.submissions.filter(state=SubmissionState.APPROVED).first()
    number = number.strip()
    if not number.upper().endswith("/QĐ-UBND") or not number.split("/")[0].strip().isdigit():
        raise ValidationError({"number": _("Số quyết định phải có dạng “125/QĐ-UBND”.")})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("Ngày ký không được sau hôm nay.")})
    approved_at = submission.actions.filter(action=Action.APPROVE).order_by("-at").values_list("at", flat=True).first()
    if approved_at and signed_on < timezone.localtime(approved_at).date():
        raise ValidationError({"signed_on": _("Ngày ký quyết định không được trước ngày danh sách được duyệt.")})
    if not signer_name.strip():
        raise ValidationError({"signer_name": _("Hãy ghi họ tên người ký.")})
    _claim_round(round, expected_version)
    decision = RecognitionDecision(
        round=round,
        submission=submission,
        revision=round.revision,
        number=number,
        signed_on=signed_on,
        signer_name=signer_name.strip(),
        signer_form=signer_form,
        recorded_by=user,
    )
    decision.full_clean()
    decision.save()
    households = {
        h.pk: h for h in Household.objects.filter(pk__in=[r["household_id"] for r in submission.snapshot["rows"]])
    }
    issued = Certificate.objects.filter(
        decision__round__commune=round.commune, decision__signed_on__year=signed_on.year
    )
    serial = issued.count()
    errors = []
    for row in submission.snapshot["rows"]:
        household = households[row["household_id"]]
        try:
            status_record_add(
                household=household,
                household_class=row["proposed_class"],
                valid_from=signed_on,
                decision=_("Quyết định số %(number)s ngày %(date)s")
                % {"number": number, "date": signed_on.strftime("%d/%m/%Y")},
                user=user,
                note=str(round),
            )
        except ValidationError as error:
            errors.append(f"{household.code}: {' '.join(error.messages)}")
            continue
        if row["proposed_class"] in (HouseholdClass.POOR, HouseholdClass.NEAR_POOR):
            serial += 1
            Certificate.objects.create(
                decision=decision,
                household=household,
                number=f"{serial}/GCN-HN.HCN",
                household_class=row["proposed_class"],
                snapshot=certificate_snapshot(household),
            )
    if errors:
        raise ValidationError(errors)
    round.recognise(user=user, comment=_("Quyết định số %(number)s") % {"number": number})
    return decision


def may_reopen(user, round: ReviewRound) -> bool:
    """The approver of the commune's last step reopens; with no approval step, the province staff do."""
    levels = calendar.required_levels(round.commune, timezone.localdate())
    role = {"district": Role.DISTRICT_STAFF, "province": Role.PROVINCE_STAFF}[levels[-1] if levels else "province"]
    return user.role == role and ReviewRound.objects.filter(unit_scope_q(user, "commune"), pk=round.pk).exists()


@transaction.atomic
def review_round_reopen(*, round: ReviewRound, user, reason: str, expected_version: int) -> ReviewRound:
    """Reopen an approved or recognised round for a correction: a new revision, the old decision stays as it was."""
    round.require(Action.REOPEN)
    if not may_reopen(user, round):
        raise TransitionRefused(_("Chỉ cấp duyệt danh sách của xã mới mở lại được đợt rà soát."))
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do mở lại đợt rà soát.")})
    _claim_round(round, expected_version)
    round.reopen(user=user, reason=reason.strip())
    return round
