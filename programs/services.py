"""Write services for benefits: eligibility is checked on the date, the status is snapshotted, every change logged.

A benefit that the programme's rule refuses is saved only with an override reason given by a user holding the
``programs.override_eligibility`` permission; the reason, who and when are stored on the record, written to its
log and shown in the lists: support is never recorded for the wrong household without a logged reason.
"""

from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Prefetch, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.integrity import (
    UniqueRulesBatch,
    check_unique_rules,
    integrity_as_validation,
    known_references,
    unique_violations_as_errors,
)
from households.models import Household, Member, StatusRecord

from . import eligibility, summary
from .choices import HouseholdFlag, LogAction, ProgrammeKind, TargetStatus
from .models import KIND_SPECIFIC, Benefit, BenefitLog, BenefitPhoto, Programme

OVERRIDE_PERMISSION = "programs.override_eligibility"
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CANCEL_FIELDS = ["cancelled_at", "cancelled_by", "cancel_reason"]
LOGGED_FIELDS = ["programme", "household", "member", "date", "decision", "funder", *KIND_SPECIFIC, "note"]


class IneligibleError(ValidationError):
    """The rule refuses the benefit on that date; carries the verdict so that the screen can offer an override."""

    def __init__(self, verdict: eligibility.Verdict, message: str):
        super().__init__(message)
        self.verdict = verdict


def status_labels() -> dict[str, str]:
    return {**{k: str(v) for k, v in TargetStatus.choices}, **{k: str(v) for k, v in HouseholdFlag.choices}}


STATUS_RECORDS = "status_records"


def prefetch_status_periods(households: list[Household]) -> None:
    """Read the status periods of many households at once, for a bulk run that checks each of them: ``status_periods``
    and the decision of a benefit's status then use these rows instead of two queries a household. Only for a run
    that writes no status record meanwhile (a benefit never does)."""
    ordered = StatusRecord.objects.order_by("valid_from", "pk")
    prefetch_related_objects(households, Prefetch(STATUS_RECORDS, queryset=ordered))


def _status_records(household: Household) -> list[StatusRecord]:
    """The household's status records by start date: the prefetched ones when a bulk run read them."""
    if STATUS_RECORDS in getattr(household, "_prefetched_objects_cache", {}):
        return list(household.status_records.all())
    return list(StatusRecord.objects.filter(household=household).order_by("valid_from", "pk"))


def status_periods(household: Household) -> list[eligibility.Period]:
    return [eligibility.Period(r.household_class, r.valid_from, r.valid_to) for r in _status_records(household)]


def household_flags(household: Household) -> set[str]:
    return {flag for flag in HouseholdFlag.values if getattr(household, flag, False)}


def benefit_check(
    *,
    programme: Programme,
    household: Household,
    day: date,
    member: Member | None = None,
    exclude_pk=None,
    prior: int | None = None,
) -> eligibility.Verdict:
    """Ask the pure rule (programs.eligibility) whether this household or member may receive the programme.

    ``prior``: the beneficiary's earlier benefits of the programme when the caller read them for a whole batch."""
    if prior is None and programme.once_per_beneficiary:
        prior_qs = Benefit.objects.active().filter(programme=programme, household=household)
        prior_qs = prior_qs.filter(member=member) if member is not None else prior_qs
        prior = prior_qs.exclude(pk=exclude_pk).count()
    return eligibility.check(
        programme.rule(),
        status_periods(household),
        day,
        flags=household_flags(household),
        prior_count=prior or 0,
        labels=status_labels(),
        translate=_,
    )


SHARE_KEYS = {"poor": "share_poor", "near_poor": "share_near_poor", "average_living": "share_average_living"}


def bhyt_share(programme: Programme, status: str, ethnic_minority: bool, commune_code: str = "") -> int | None:
    """The budget's share of the BHYT contribution for the member's group, a catalogue parameter: poor 100 %,
    near-poor at least 70 %, or 100 % in the communes listed as poor (NĐ 188/2025/NĐ-CP, from 15/08/2025),
    average-living farming households at least 30 % (NĐ 146/2018/NĐ-CP, Điều 3 khoản 9, sửa đổi bởi
    NĐ 75/2023/NĐ-CP)."""
    key = SHARE_KEYS.get(status)
    if key == "share_near_poor" and commune_code and commune_code in (programme.parameter("poor_commune_codes") or []):
        key = "share_near_poor_poor_commune"
    if key is None and ethnic_minority:
        key = "share_ethnic_minority"
    value = programme.parameter(key) if key else None
    return int(value) if value is not None else None


def _check_bhyt_share(benefit: Benefit, status: str) -> None:
    """The share recorded on a card may not be below the budget's share for the household's group on its date
    (provinces may add more, never less: NĐ 146/2018/NĐ-CP, Điều 3 khoản 9; NĐ 188/2025/NĐ-CP)."""
    if benefit.programme.kind != ProgrammeKind.HEALTH_INSURANCE or benefit.funding_share is None:
        return
    minimum = bhyt_share(benefit.programme, status, False, benefit.household.commune.code)
    if minimum is not None and benefit.funding_share < minimum:
        raise ValidationError(
            {
                "funding_share": _(
                    "Người thuộc %(group)s được ngân sách hỗ trợ ít nhất %(minimum)s %% mức đóng (%(basis)s); "
                    "mức đã ghi là %(share)s %%."
                )
                % {
                    "group": status_labels().get(status, status).lower(),
                    "minimum": minimum,
                    "basis": benefit.programme.legal_basis,
                    "share": benefit.funding_share,
                }
            }
        )


def user_may_override(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(OVERRIDE_PERMISSION))


@lru_cache(maxsize=8)
def _logged_fields(language: str | None) -> tuple[tuple[str, bool, dict | None, str], ...]:
    """The logged fields (name, is a relation, choices, label) in a language, worked out once per language instead of
    once per benefit: a batch of 10.087 payments spent 5,3 of its 17 s on them."""
    fields = []
    for name in LOGGED_FIELDS:
        field = Benefit._meta.get_field(name)
        choices = {key: str(label) for key, label in field.flatchoices} if field.choices else None
        fields.append((name, field.is_relation, choices, str(field.verbose_name).capitalize()))
    return tuple(fields)


def _snapshot(benefit: Benefit) -> dict:
    values = {}
    for name, relation, choices, label in _logged_fields(translation.get_language()):
        value = getattr(benefit, name)
        if relation:
            value = str(value) if value is not None else ""
        elif choices is not None:
            value = str(choices.get(value, value)) if value not in (None, "") else ""
        elif isinstance(value, date):
            value = value.strftime("%d/%m/%Y")
        elif value is None:
            value = ""
        values[label] = value if isinstance(value, (str, int, bool)) else str(value)
    return values


def _apply_eligibility(
    benefit: Benefit, *, user, override_reason: str, prior: int | None = None
) -> eligibility.Verdict:
    verdict = benefit_check(
        programme=benefit.programme,
        household=benefit.household,
        member=benefit.member,
        day=benefit.date,
        exclude_pk=benefit.pk,
        prior=prior,
    )
    record = _status_record_on(benefit.household, benefit.date)
    _check_bhyt_share(benefit, verdict.status)
    benefit.household_status = verdict.status
    benefit.status_decision = record.decision if record and verdict.status != TargetStatus.UNKNOWN else ""
    benefit.eligible = verdict.eligible
    benefit.eligibility_note = verdict.message
    reason = (override_reason or "").strip()
    if verdict.eligible:
        return verdict
    if not reason:
        hint = (
            _("Nếu vẫn cần ghi nhận, hãy ghi lý do ghi nhận ngoài điều kiện.")
            if user_may_override(user)
            else _("Chỉ cán bộ được giao quyền mới ghi nhận được ngoài điều kiện, kèm lý do.")
        )
        raise IneligibleError(verdict, f"{_('Không đúng đối tượng:')} {verdict.message} {hint}")
    if not user_may_override(user):
        raise IneligibleError(
            verdict,
            _("Bạn chưa được giao quyền ghi nhận hỗ trợ ngoài điều kiện. %(reason)s") % {"reason": verdict.message},
        )
    if reason != benefit.override_reason:
        benefit.override_reason, benefit.override_by, benefit.override_at = reason, user, timezone.now()
    return verdict


def _status_record_on(household: Household, day: date) -> StatusRecord | None:
    """The status record in force on ``day`` (the latest begun by then), from the prefetched rows when there are."""
    if STATUS_RECORDS in getattr(household, "_prefetched_objects_cache", {}):
        begun = [r for r in household.status_records.all() if r.valid_from <= day]
        return begun[-1] if begun else None
    return StatusRecord.objects.filter(household=household, valid_from__lte=day).order_by("-valid_from", "-pk").first()


def _sync_card(benefit: Benefit, user) -> None:
    """A BHYT card recorded here is also the member's card in the registry (the household is reclassified)."""
    if benefit.programme.kind != ProgrammeKind.HEALTH_INSURANCE or benefit.member_id is None:
        return
    from households.services import household_save

    household = Household.objects.select_for_update().get(pk=benefit.household_id)
    members = list(household.members.current().select_related("ethnic_group"))
    target = next((m for m in members if m.pk == benefit.member_id), None)
    if target is None:
        return
    current_to, new_to = target.health_insurance_valid_to, benefit.card_valid_to
    if current_to and new_to and current_to > new_to:
        return  # the registry already holds a later card
    if (target.health_insurance_number, target.health_insurance_valid_from, target.health_insurance_valid_to) == (
        benefit.card_number,
        benefit.card_valid_from,
        benefit.card_valid_to,
    ):
        return
    target.health_insurance_number = benefit.card_number
    target.health_insurance_valid_from = benefit.card_valid_from
    target.health_insurance_valid_to = benefit.card_valid_to
    try:
        household_save(household=household, members=members, user=user, expected_version=household.version)
    except ValidationError as error:
        raise ValidationError(
            _("Chưa cập nhật được thẻ vào sổ hộ %(code)s: %(errors)s")
            % {"code": household.code, "errors": " ".join(error.messages)}
        ) from error


def _prepare(benefit: Benefit) -> None:
    programme = benefit.programme
    if programme.kind == ProgrammeKind.HOUSING:
        benefit.amount = benefit.housing_total
    if programme.kind == ProgrammeKind.CREDIT and benefit.interest_rate is None:
        rate = programme.parameter("interest_rate")
        benefit.interest_rate = Decimal(str(rate)) if rate is not None else None
    if programme.kind == ProgrammeKind.CREDIT and benefit.outstanding is None and benefit.pk is None:
        benefit.outstanding = benefit.amount
    if programme.kind == ProgrammeKind.IN_KIND and not benefit.item_description:
        benefit.item_description = _("Gạo")


# Benefits a batch inserts per statement: the statement-level triggers on the benefits (ADR 0036/0040, 0053, 0054)
# then run once per 1.000 payments instead of once per payment, and no statement grows past a few hundred kB.
INSERT_BATCH = 1000
# Benefits checked between two progress reports of a batch (programs.bulk_jobs): a few writes a second at most.
PROGRESS_EVERY = 100


class _Batch:
    """What the checks of a batch of new benefits read once for the whole batch instead of once a benefit: which
    programmes, households and members exist (``full_clean``'s foreign keys), the keys of the unique rules already
    taken (one payment a quarter, one card), the earlier benefits of once-per-beneficiary programmes. A benefit the
    batch accepts counts for the ones after it, as it did when each was saved before the next was checked. The
    households' status periods are the caller's to prefetch (``prefetch_status_periods``)."""

    def __init__(self, benefits: list[Benefit]):
        self.unique = UniqueRulesBatch(Benefit, benefits)
        self.known = known_references(Benefit, benefits)
        # earlier benefits of once-per-beneficiary programmes: by (programme, household, member), and by (programme,
        # household) for a benefit that names no member, which counts every benefit of the household (benefit_check)
        self.by_member: Counter = Counter()
        self.by_household: Counter = Counter()
        once = [b for b in benefits if b.programme.once_per_beneficiary]
        if once:
            earlier = Benefit.objects.active().filter(
                programme__in={b.programme_id for b in once}, household__in={b.household_id for b in once}
            )
            for programme_id, household_id, member_id in earlier.values_list(
                "programme_id", "household_id", "member_id"
            ):
                self.by_member[(programme_id, household_id, member_id)] += 1
                self.by_household[(programme_id, household_id)] += 1

    def prior_count(self, benefit: Benefit) -> int | None:
        """The beneficiary's earlier benefits of a once-per-beneficiary programme; None for other programmes."""
        if not benefit.programme.once_per_beneficiary:
            return None
        if benefit.member_id is not None:
            return self.by_member[(benefit.programme_id, benefit.household_id, benefit.member_id)]
        return self.by_household[(benefit.programme_id, benefit.household_id)]

    def known_keys(self, benefit: Benefit) -> list[str]:
        """The foreign keys of the benefit whose rows exist: ``full_clean`` need not look each of them up again."""
        return [
            name
            for name, values in self.known.items()
            if getattr(benefit, Benefit._meta.get_field(name).attname) in values
        ]

    def accept(self, benefit: Benefit) -> None:
        self.unique.add(benefit)
        if benefit.programme.once_per_beneficiary:
            self.by_member[(benefit.programme_id, benefit.household_id, benefit.member_id)] += 1
            self.by_household[(benefit.programme_id, benefit.household_id)] += 1


def _check_new(benefit: Benefit, *, user, override_reason: str, batch: _Batch) -> None:
    """The rules a new benefit must pass, in the order the officer reads their messages."""
    if benefit.household_id and benefit.household.is_archived:
        raise ValidationError(_("Hộ đã lưu trữ, không ghi nhận hỗ trợ được."))
    _prepare(benefit)
    batch.unique.check(benefit)  # one payment a quarter, one card: the message beside the quarter or card field
    # The unique rules were checked just above, and Benefit has no other constraint (``full_clean`` would read each
    # rule again per benefit; a test fails if Benefit gains a constraint the batch does not check).
    benefit.full_clean(exclude=["household_status", *batch.known_keys(benefit)], validate_constraints=False)
    _apply_eligibility(benefit, user=user, override_reason=override_reason, prior=batch.prior_count(benefit))
    benefit.created_by = user


def _override_log(benefit: Benefit, user) -> BenefitLog:
    """The log row of a benefit recorded outside the programme's conditions: the reason and the check's result."""
    return BenefitLog(
        benefit=benefit,
        action=LogAction.OVERRIDE,
        note=benefit.override_reason,
        user=user,
        changes={_("Kết quả kiểm tra"): benefit.eligibility_note},
    )


def _logs(benefit: Benefit, *, user, action: str) -> list[BenefitLog]:
    logs = [BenefitLog(benefit=benefit, action=action, changes=_snapshot(benefit), user=user)]
    if benefit.override_reason:
        logs.append(_override_log(benefit, user))
    return logs


def _check_batch(
    benefits: list[Benefit], *, user, override_reason: str, progress: Callable[[int, int], None] | None = None
) -> list[tuple[int, ValidationError]]:
    """Check every benefit against what ``_Batch`` read, each accepted one counting for the ones after it."""
    batch = _Batch(benefits)
    refused = []
    total = len(benefits)
    for done, benefit in enumerate(benefits):
        if progress is not None and done and done % PROGRESS_EVERY == 0:
            progress(done, total)
        try:
            _check_new(benefit, user=user, override_reason=override_reason, batch=batch)
        except ValidationError as error:
            refused.append((done, error))
            continue
        batch.accept(benefit)
    if progress is not None and total:
        progress(total, total)  # every benefit checked: the writes that follow take a few seconds at most
    return refused


@transaction.atomic
def benefits_record(
    *,
    benefits: list[Benefit],
    user,
    action: str = LogAction.IMPORT,
    override_reason: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[int, ValidationError]]:
    """Record new benefits, each under the rules of ``benefit_record``: returns the refused ones (their index and
    error) and writes nothing if one is refused; else inserts them and their log rows a thousand per statement.

    What the rules read is read once for the batch (``_Batch``; the status periods prefetched by the caller), so the
    statements do not grow with the benefits. A duplicate written by someone else after the batch read what was
    taken (a payment recorded through the form meanwhile) is refused by the database: the rules are then checked
    again against what is taken now, so that it is refused on its own row, as the row loop refused it."""
    refused = _check_batch(benefits, user=user, override_reason=override_reason, progress=progress)
    if refused or not benefits:
        return refused
    try:
        with unique_violations_as_errors():
            Benefit.objects.bulk_create(benefits, batch_size=INSERT_BATCH)
    except ValidationError:
        for benefit in benefits:  # the insert was rolled back: every benefit is new again
            benefit.pk, benefit._state.adding = None, True
        refused = _check_batch(benefits, user=user, override_reason=override_reason)
        if refused:
            return refused
        # the duplicate is gone again (cancelled meanwhile): insert once more; a second race is the database's refusal
        with unique_violations_as_errors():
            Benefit.objects.bulk_create(benefits, batch_size=INSERT_BATCH)
    # bulk_create sends no post_save: queue the support figures' refresh of the communes the triggers marked, as
    # the signal did for each benefit saved alone (programs.summary.connect_signals).
    summary.support_refresh_on_commit()
    logs = [log for benefit in benefits for log in _logs(benefit, user=user, action=action)]
    BenefitLog.objects.bulk_create(logs, batch_size=INSERT_BATCH)
    for index, benefit in enumerate(benefits):
        try:
            _sync_card(benefit, user)
        except ValidationError as error:
            refused.append((index, error))
    if refused:  # a card the registry refused: nothing of the batch stays
        transaction.set_rollback(True)
    return refused


@integrity_as_validation
@transaction.atomic
def benefit_record(*, benefit: Benefit, user, override_reason: str = "", action: str = LogAction.CREATE) -> Benefit:
    """Record a benefit: valid fields for the programme's kind, eligible on its date or overridden with a reason."""
    refused = benefits_record(benefits=[benefit], user=user, action=action, override_reason=override_reason)
    if refused:
        raise refused[0][1]
    return benefit


class StaleBenefitError(ValidationError):
    """Another officer saved the record after this one opened it."""


@integrity_as_validation
@transaction.atomic
def benefit_update(*, benefit: Benefit, user, expected_version: int, override_reason: str = "") -> Benefit:
    """Save changes to a benefit: eligibility is checked again; refused if someone saved it in the meantime."""
    stored = Benefit.objects.select_related("programme", "household", "member").get(pk=benefit.pk)
    if stored.is_cancelled:
        raise ValidationError(_("Bản ghi này đã bị huỷ, không sửa được nữa."))
    if stored.programme.kind == ProgrammeKind.HEALTH_INSURANCE:
        # A card's households before the card (``_sync_card`` locks the household after the save): a save that moves
        # the card to another year or household removes that year's support rows (ADR 0054), which an electricity
        # payment's cancellation, having locked the household first (ADR 0053), would then wait for while this save
        # waited for its household — a deadlock. Household first, as every other writer of benefits takes them.
        households = sorted({stored.household_id, benefit.household_id} - {None})
        list(Household.objects.filter(pk__in=households).order_by("pk").select_for_update().values_list("pk"))
    before = _snapshot(stored)
    updated = Benefit.objects.filter(pk=benefit.pk, version=expected_version).update(version=F("version") + 1)
    if not updated:
        raise StaleBenefitError(
            _("Khoản hỗ trợ này vừa được người khác cập nhật sau khi bạn mở trang. Hãy mở lại trang để xem thay đổi.")
        )
    benefit.version = expected_version + 1
    _prepare(benefit)
    check_unique_rules(benefit)  # one payment a quarter, one card: the message beside the quarter or card field
    benefit.full_clean(exclude=["household_status"])
    was_overridden = bool(benefit.override_reason)
    _apply_eligibility(benefit, user=user, override_reason=override_reason or benefit.override_reason)
    if benefit.eligible and was_overridden:
        benefit.override_reason, benefit.override_by, benefit.override_at = "", None, None
    benefit.save()
    after = _snapshot(benefit)
    diff = {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k, "") != v}
    BenefitLog.objects.create(benefit=benefit, action=LogAction.UPDATE, changes=diff, user=user)
    if benefit.override_reason and (not was_overridden or override_reason.strip()):
        _override_log(benefit, user).save()
    _sync_card(benefit, user)
    return benefit


def validate_photo(upload: UploadedFile) -> str:
    """A real JPEG, PNG or WebP image of at most 5 MB; returns the file extension to store it under."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("Ảnh lớn hơn 5 MB; hãy chụp lại với độ phân giải thấp hơn hoặc nén ảnh."))
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("Tệp không phải ảnh hợp lệ. Chỉ nhận ảnh JPEG, PNG hoặc WebP.")) from error
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(_("Chỉ nhận ảnh JPEG, PNG hoặc WebP (tệp này là %(kind)s).") % {"kind": kind})
    return PHOTO_FORMATS[kind]


@transaction.atomic
def benefit_photo_add(*, benefit: Benefit, image: UploadedFile, caption: str, user) -> BenefitPhoto:
    """Attach a photo of the work (housing) after checking it is a real image of an accepted type and size."""
    if benefit.programme.kind != ProgrammeKind.HOUSING:
        raise ValidationError(_("Chỉ khoản hỗ trợ nhà ở mới có ảnh công trình."))
    if benefit.is_cancelled:
        raise ValidationError(_("Bản ghi này đã bị huỷ, không thêm ảnh được nữa."))
    extension = validate_photo(image)
    image.name = f"anh.{extension}"
    photo = BenefitPhoto(benefit=benefit, image=image, caption=caption.strip()[:150], uploaded_by=user)
    photo.full_clean()
    photo.save()
    BenefitLog.objects.create(benefit=benefit, action=LogAction.PHOTO, note=photo.caption, user=user)
    return photo


def card_on_member(benefit: Benefit) -> bool:
    """Whether the member's registry record still holds this benefit's BHYT card (written there by _sync_card)."""
    if benefit.programme.kind != ProgrammeKind.HEALTH_INSURANCE or benefit.member_id is None:
        return False
    member = Member.objects.filter(pk=benefit.member_id).first()
    return bool(
        member
        and benefit.card_number
        and (member.health_insurance_number, member.health_insurance_valid_from, member.health_insurance_valid_to)
        == (benefit.card_number, benefit.card_valid_from, benefit.card_valid_to)
    )


@transaction.atomic
def benefit_cancel(*, benefit: Benefit, reason: str, user, expected_version: int) -> Benefit:
    """Void a wrongly recorded benefit with a mandatory reason: the row stays (no hard delete), is stamped with
    who, when and why, logged, and left out of every figure, list and uniqueness rule from then on.

    The member's BHYT card in the registry is NOT cleared here: the officer corrects it in the household form.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do huỷ bản ghi.")})
    stored = Benefit.objects.select_for_update().get(pk=benefit.pk)
    if stored.is_cancelled:
        raise ValidationError(_("Bản ghi này đã được huỷ trước đó."))
    updated = Benefit.objects.filter(pk=benefit.pk, version=expected_version).update(version=F("version") + 1)
    if not updated:
        raise StaleBenefitError(
            _("Khoản hỗ trợ này vừa được người khác cập nhật sau khi bạn mở trang. Hãy mở lại trang để xem thay đổi.")
        )
    benefit.refresh_from_db()
    benefit.cancelled_at, benefit.cancelled_by, benefit.cancel_reason = timezone.now(), user, reason
    # Only the cancellation fields are validated: a wrong record may no longer pass today's rules (a lowered loan
    # ceiling, a changed catalogue), and that must not stop an officer from voiding it.
    benefit.clean_fields(exclude=[f.name for f in Benefit._meta.fields if f.name not in CANCEL_FIELDS])
    benefit.save(update_fields=[*CANCEL_FIELDS, "updated_at"])
    BenefitLog.objects.create(
        benefit=benefit, action=LogAction.CANCEL, note=reason, user=user, changes=_snapshot(benefit)
    )
    return benefit
