"""Submission, approval along the province's chain, recognition and reopening (QĐ 24/2021, Điều 4 bước 5)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.scoping import unit_scope_q
from areas.models import AdministrativeUnit
from households.choices import CLASS_RANK, HouseholdClass
from households.classification import standard_on
from households.models import Household
from households.services import status_records_add

from .. import calendar, selectors
from ..choices import Action, CaseStatus, RoundState, SubmissionState
from ..models import (
    Certificate,
    Complaint,
    RecognitionDecision,
    ReviewRound,
    Submission,
    TransitionRefused,
)
from ..snapshot import build_snapshot, certificate_members, certificate_snapshot
from .common import _claim_round, _classes_before, _lock_round, _require_officer_of


# --- submission and approval (step 5) -------------------------------------------------------------------
@transaction.atomic
def review_round_submit(*, round: ReviewRound, user, expected_version: int) -> Submission:
    """Send the commune's lists for approval as a new frozen version (QĐ 24/2021, Điều 4 bước 5)."""
    _require_officer_of(user, round)
    _lock_round(round)
    round.require(Action.SUBMIT)
    today = timezone.localdate()
    # what the checks read of each case (a commune's round holds thousands, each with its survey and result)
    cases = list(round.cases.select_related("household").only("round", "status", "proposed_class", "household__code"))
    waiting = [c.household.code for c in cases if c.status != CaseStatus.AGREED]
    if waiting:
        raise TransitionRefused(
            _("Chưa trình được: %(n)s hộ chưa được họp dân thống nhất (%(codes)s).")
            % {"n": len(waiting), "codes": ", ".join(waiting[:10])}
        )
    unposted = selectors.unposted_codes(round, cases)  # QĐ 24/2021, Điều 4 bước 4: only posted results go up
    if unposted:
        raise TransitionRefused(selectors.unposted_message(unposted))
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
    decision date, and lock the round (QĐ 24/2021, Điều 4 bước 5; Điều 5).

    The results count toward the year reviewed: an escape is recorded from the decision date. A household the
    review puts lower by a standard not yet in force (the first review under a new decree) is recorded from that
    standard's first day, so that the new, higher line does not undo the year's escapes (_new_standard_starts).
    """
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
    rows = submission.snapshot["rows"]
    # Every household of the lists read at once, with what its certificate prints: a commune's decision lists
    # thousands, and one look-up, one status write and one certificate each outlasted the web request.
    households = Household.objects.filter(pk__in=[row["household_id"] for row in rows])
    new_period_starts = _new_standard_starts(round, signed_on)
    before = _classes_before(households, signed_on) if new_period_starts else {}
    households = {
        h.pk: h
        for h in households.select_related("village", "commune").prefetch_related(
            Prefetch("members", queryset=certificate_members(), to_attr="certificate_members")
        )
    }
    # Certificates are numbered per commune and year: lock the commune's row so that two decisions recorded at the
    # same time (the annual round and an in-year one) cannot take the same numbers.
    AdministrativeUnit.objects.select_for_update().filter(pk=round.commune_id).values_list("pk", flat=True).first()
    serial = Certificate.objects.filter(
        decision__round__commune=round.commune, decision__signed_on__year=signed_on.year
    ).count()
    entries = []
    for row in rows:
        valid_from = signed_on
        if new_period_starts and _ranks_lower(row["proposed_class"], before[row["household_id"]]):
            valid_from = new_period_starts
        entries.append((households[row["household_id"]], row["proposed_class"], valid_from))
    errors = status_records_add(
        entries=entries,
        decision=_("Quyết định số %(number)s ngày %(date)s")
        % {"number": number, "date": signed_on.strftime("%d/%m/%Y")},
        user=user,
        note=str(round),
        standard_code=round.standard_code,
    )
    if errors:
        raise ValidationError(errors)
    certificates = []
    for row in rows:
        if row["proposed_class"] in (HouseholdClass.POOR, HouseholdClass.NEAR_POOR):
            household = households[row["household_id"]]
            serial += 1
            certificates.append(
                Certificate(
                    decision=decision,
                    household=household,
                    number=f"{serial}/GCN-HN.HCN",
                    household_class=row["proposed_class"],
                    snapshot=certificate_snapshot(household, household.certificate_members),
                )
            )
    Certificate.objects.bulk_create(certificates, batch_size=1_000)
    round.recognise(user=user, comment=_("Quyết định số %(number)s") % {"number": number})
    return decision


def _new_standard_starts(round: ReviewRound, signed_on: date) -> date | None:
    """The first day of the round's standard when the decision is signed before that standard is in force.

    The annual review of year N makes the lists for N+1 by the standard of 1/1/N+1 (reviews.calendar); when that
    is a new standard (the 2026 review by NĐ 351/2025, whose lines apply from 01/01/2027 while 2026 keeps the
    standard of NĐ 07/2021, Điều 3), its results still count toward the year reviewed, but a list it makes by the
    new, higher line cannot apply before the line does.
    """
    if round.reference_date <= signed_on:
        return None
    try:
        in_force = standard_on(signed_on).code
    except ValueError:
        return None
    return round.reference_date if in_force != round.standard_code else None


def _ranks_lower(proposed: str, official: str) -> bool:
    """The proposed class is lower on the ladder poor < near-poor < average < non-poor than the official one."""
    return proposed in CLASS_RANK and official in CLASS_RANK and CLASS_RANK[proposed] < CLASS_RANK[official]


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
