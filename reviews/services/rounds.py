"""Opening a round, households' requests, the list of households and their survey (QĐ 24/2021, Điều 4 bước 1–2)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from areas.models import AdministrativeUnit
from core.integrity import integrity_as_validation
from households.choices import HouseholdClass, HouseholdState
from households.classification import standard_on
from households.models import Household

from .. import calendar
from ..choices import Action, CaseSource, CaseStatus, RoundKind, RoundState
from ..models import (
    HouseholdRequest,
    ReviewCase,
    ReviewRound,
    TransitionRefused,
)
from .common import (
    STALE_CASE,
    _claim,
    _claim_round,
    _class_before,
    _classes_before,
    _lock_round,
    _require_officer_of,
)


# --- opening a round, requests, the list of households (step 1) ----------------------------------------
@integrity_as_validation
@transaction.atomic
def review_round_open(
    *, commune: AdministrativeUnit, kind: str, year: int, month: int | None = None, user, today: date | None = None
) -> ReviewRound:
    """Open a round; a periodic one lists the commune's poor and near-poor households (QĐ 24/2021, Điều 4 bước 1).

    A round is never opened ahead of its time: a periodic round for a later year, a regular one for a later month.
    Opening a periodic round before the province's window is allowed (the form warns about it).
    """
    if user.role != Role.COMMUNE_OFFICER or user.unit_id != commune.pk:
        raise TransitionRefused(_("Chỉ cán bộ của xã mới mở được đợt rà soát của xã mình."))
    if kind == RoundKind.REGULAR and not month:
        raise ValidationError({"month": _("Rà soát thường xuyên cần chọn tháng.")})
    if kind == RoundKind.PERIODIC:
        month = None
    _refuse_future_round(kind, year, month, today or timezone.localdate())
    duplicate = ReviewRound.objects.filter(commune=commune, year=year, kind=kind, month=month)
    if duplicate.exists():  # beside the year (periodic) or the month (regular): the field that makes it a repeat
        raise ValidationError(
            {"month" if month else "year": _("Xã đã có đợt rà soát này rồi: mở đợt đã có để tiếp tục.")}
        )
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
        active = Household.objects.filter(commune=commune, state=HouseholdState.ACTIVE)
        listed = [
            (pk, previous)
            for pk, previous in _classes_before(active, starts_on).items()
            if previous in (HouseholdClass.POOR, HouseholdClass.NEAR_POOR)
        ]
        ReviewCase.objects.bulk_create(
            [
                ReviewCase(round=round, household_id=pk, source=CaseSource.CURRENT_LIST, previous_class=previous)
                for pk, previous in listed
            ],
            batch_size=2_000,
        )
    pending = HouseholdRequest.objects.filter(household__commune=commune, round__isnull=True)
    for request in pending.select_related("household"):
        if request.round_kind == kind:
            _attach_request(request, round)
    return round


def _refuse_future_round(kind: str, year: int, month: int | None, today: date) -> None:
    """QĐ 24/2021/QĐ-TTg, Điều 3–5: the periodic review is held each year for that year's situation (Điều 3 khoản 1,
    Điều 4), the regular review each month for the households that applied that month (Điều 3 khoản 2, Điều 5).
    Neither can be done for a year or a month that has not come yet."""
    if kind == RoundKind.PERIODIC and year > today.year:
        raise ValidationError(
            {
                "year": _(
                    "Chưa mở được đợt rà soát định kỳ năm %(year)s: rà soát định kỳ được tổ chức hằng năm, trong "
                    "năm rà soát, theo kế hoạch của tỉnh (Quyết định 24/2021/QĐ-TTg, Điều 3 khoản 1 và Điều 4). "
                    "Năm nay là năm %(now)s."
                )
                % {"year": year, "now": today.year}
            }
        )
    if kind == RoundKind.REGULAR and (year, month) > (today.year, today.month):
        raise ValidationError(
            {
                "month": _(
                    "Chưa mở được đợt rà soát thường xuyên tháng %(month)02d/%(year)s: rà soát thường xuyên được tổ "
                    "chức hằng tháng cho các hộ đề nghị trong tháng đó (Quyết định 24/2021/QĐ-TTg, Điều 3 khoản 2 "
                    "và Điều 5). Tháng này là tháng %(now)s."
                )
                % {"month": month, "year": year, "now": today.strftime("%m/%Y")}
            }
        )


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


@integrity_as_validation
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
        .select_for_update()
        .order_by("starts_on")
        .first()
    )
    if open_round:
        _attach_request(request, open_round)
    return request


@integrity_as_validation
@transaction.atomic
def review_case_add(
    *, round: ReviewRound, household: Household, reason: str, user, expected_version: int
) -> ReviewCase:
    """Add a household the officer judges should be reviewed, with the reason (QĐ 24/2021, Điều 4 bước 1)."""
    _require_officer_of(user, round)
    _lock_round(round)
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
    from ..survey import case_assess

    round = case.round
    _require_officer_of(user, round)
    _lock_round(round)  # waits for a posting or submission being started, then refuses (QĐ 24/2021, Điều 4)
    round.require(Action.CASE_SAVE)
    for code, answer in answers.items():
        if not (answer.get("reason") or "").strip():
            raise ValidationError(_("Hãy ghi lý do cho kết luận của cán bộ ở chỉ số “%(code)s”.") % {"code": code})
    _check_survey_day(round, facts.get("surveyed_on"))
    if not facts.get("surveyed_on"):  # kept with the sheet, so that reading it again later judges the same day
        facts = {**facts, "surveyed_on": timezone.localdate().isoformat()}
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


def _check_survey_day(round: ReviewRound, surveyed_on) -> None:
    """The survey day lies in the round's own time: the annual review is held in the year reviewed, a regular one
    from the first day of its month (QĐ 24/2021/QĐ-TTg, Điều 3), and never after today."""
    if not surveyed_on:
        return
    day = surveyed_on if isinstance(surveyed_on, date) else date.fromisoformat(str(surveyed_on))
    earliest = date(round.year, round.month or 1, 1)
    if day < earliest:
        raise ValidationError(
            {
                "surveyed_on": _("Ngày rà soát phải từ ngày %(date)s trở đi (thời gian của đợt rà soát này).")
                % {"date": earliest.strftime("%d/%m/%Y")}
            }
        )
    if day > timezone.localdate():
        raise ValidationError({"surveyed_on": _("Ngày rà soát không được sau hôm nay.")})
