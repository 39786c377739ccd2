"""Write services for the registry. Every change is validated, versioned, reclassified and logged."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.choices import UnitLevel
from core.integrity import check_unique_rules, integrity_as_validation

from .choices import HouseholdState, Relationship
from .classification import assess
from .history import record_changes, snapshot_of
from .models import Household, IndicatorOverride, Member, StatusRecord
from .validation import (
    normalise_name,
    validate_date_of_birth,
    validate_household_members,
    validate_personal_id,
    validate_personal_id_issued_on,
)


class StaleEditError(ValidationError):
    """Someone else saved the household after this officer opened it."""


STALE_MESSAGE = _(
    "Hộ này vừa được %(user)s cập nhật lúc %(when)s, sau khi bạn mở trang. Những gì bạn nhập chưa được lưu và "
    "vẫn còn trên trang: hãy mở hộ trong một thẻ mới để xem thay đổi, rồi nhập lại phần của bạn."
)


def _claim_version(household: Household, expected_version: int | None) -> None:
    """Optimistic lock: bump the version only if nobody saved since ``expected_version`` was read."""
    if household.pk is None:
        return
    updated = Household.objects.filter(pk=household.pk, version=expected_version).update(version=F("version") + 1)
    if not updated:
        latest = household.changes.select_related("user").first()
        raise StaleEditError(
            STALE_MESSAGE
            % {
                "user": latest.user if latest and latest.user else _("người khác"),
                "when": timezone.localtime(latest.at).strftime("%H:%M %d/%m/%Y") if latest else "?",
            }
        )
    household.version = (expected_version or 0) + 1


def duplicate_person_errors(*, members: list[Member], household: Household, user) -> list[str]:
    """One person may live in only one active household of the province (matched on the personal ID)."""
    ids = {m.personal_id: m for m in members if m.personal_id}
    if not ids:
        return []
    province_path = "/" + household.village.path.strip("/").split("/")[0] + "/"
    clashes = (
        Member.objects.current()
        .filter(
            personal_id__in=ids,
            household__state=HouseholdState.ACTIVE,
            household__village__path__startswith=province_path,
        )
        .exclude(household_id=household.pk)
        .select_related("household__village")
    )
    visible = set(
        Household.objects.visible_to(user).filter(pk__in=[c.household_id for c in clashes]).values_list("pk", flat=True)
    )
    errors = []
    for clash in clashes:
        if clash.household_id in visible:
            where = _("hộ %(code)s (%(village)s)") % {"code": clash.household.code, "village": clash.household.village}
        else:
            where = _("một hộ thuộc đơn vị khác trong tỉnh")
        errors.append(
            _("Số định danh %(pid)s của %(name)s đã có trong %(where)s.")
            % {"pid": clash.personal_id, "name": ids[clash.personal_id].full_name, "where": where}
        )
    seen, repeated = set(), set()
    for member in members:
        if member.personal_id in seen:
            repeated.add(member.personal_id)
        seen.add(member.personal_id)
    errors += [_("Số định danh %(pid)s bị nhập hai lần trong hộ.") % {"pid": pid} for pid in repeated if pid]
    return errors


def _validate(household: Household, members: list[Member], user, *, duplicates=None, today=None) -> None:
    """The rules across a household's members; ``duplicates`` (members -> messages) lets a bulk import check the
    one-person-one-household rule against the whole file at once instead of one query per household, and ``today``
    saves it reading the clock for each of them."""
    today = today or timezone.localdate()
    errors = []
    if household.village_id and household.village.level != UnitLevel.VILLAGE:
        errors.append(_("Hãy chọn thôn, buôn, tổ dân phố nơi hộ sinh sống."))
    for member in members:
        member.full_name = normalise_name(member.full_name)
        messages = validate_date_of_birth(member.date_of_birth, today=today)
        messages += validate_personal_id(member.personal_id, sex=member.sex, date_of_birth=member.date_of_birth)
        messages += validate_personal_id_issued_on(
            member.personal_id_issued_on,
            personal_id=member.personal_id,
            date_of_birth=member.date_of_birth,
            today=today,
        )
        for message in messages:
            errors.append(f"{member.full_name}: {message}")
    reference = household.reference_date
    errors += [
        _("%(name)s sinh sau ngày tham chiếu %(date)s của hộ.")
        % {"name": m.full_name, "date": reference.strftime("%d/%m/%Y")}
        for m in members
        if reference and m.date_of_birth and m.date_of_birth > reference
    ]
    errors += validate_household_members(
        [{"full_name": m.full_name, "relationship": m.relationship, "date_of_birth": m.date_of_birth} for m in members]
    )
    if duplicates is None:
        errors += duplicate_person_errors(members=members, household=household, user=user)
    else:
        errors += duplicates(members)
    if errors:
        raise ValidationError(errors)


def _refresh_derived(household: Household, members: list[Member], **context) -> None:
    """Fields computed from the members and facts: head, ethnic-minority flag, current classification.

    ``context`` (``standard``, ``local_line``, ``today``, ``overrides``) lets a bulk loader hand over what
    ``assess`` would otherwise read from the database and the clock for each household."""
    head = next((m for m in members if m.relationship == Relationship.HEAD), None)
    household.head_name = head.full_name if head else ""
    # Hộ DTTS: the head or the head's spouse belongs to an ethnic minority [U] (docs/adr/0007).
    household.ethnic_minority = any(
        m.ethnic_group.is_minority for m in members if m.relationship in (Relationship.HEAD, Relationship.SPOUSE)
    )
    snapshot = assess(household, members, **context)
    household.classification = snapshot
    household.current_class = snapshot["household_class"]
    household.deprived_indicators = snapshot["deprived"]


@integrity_as_validation
@transaction.atomic
def household_save(
    *, household: Household, members: list[Member], removed: list[Member] = (), user, expected_version: int | None
) -> Household:
    """Create or update a household with its members; refused if someone else saved it in the meantime."""
    before = snapshot_of(household.pk)
    _claim_version(household, expected_version)
    household.commune = household.village.parent
    if not household.area_type:
        household.area_type = household.village.area_type or "rural"
    staying = [m for m in members if m not in removed]
    _validate(household, staying, user)
    is_new = household.pk is None
    if is_new:
        household.created_by = user
    household.full_clean(exclude=["commune"])
    check_unique_rules(household)  # the commune is not a form field, so full_clean leaves its constraint out
    _refresh_derived(household, staying)  # from the members as they will be saved: one write of the household
    household.save()
    today = timezone.localdate()
    for member in removed:
        if member.pk:
            member.left_at = today
            member.save(update_fields=["left_at", "updated_at"])
    # One head per household is a unique index checked at each save (households_one_head_per_household): the members
    # already saved who are not head (a head stepping down among them) go first; new members keep their order (and so
    # their keys' order, which the history follows).
    for member in sorted(staying, key=lambda m: not (m.pk and m.relationship != Relationship.HEAD)):
        member.household = household
        member.full_clean(exclude=["household"])
        member.save()
    record_changes(household=household, before=before, user=user, action="create" if is_new else "update")
    return household


@transaction.atomic
def household_reclassify(*, household: Household, user=None) -> Household:
    """Recompute the classification after a standard or an override changed (no version bump: no user edit)."""
    members = list(household.members.current().select_related("ethnic_group"))
    _refresh_derived(household, members)
    household.save(
        update_fields=[
            "head_name",
            "ethnic_minority",
            "classification",
            "current_class",
            "deprived_indicators",
            "updated_at",
        ]
    )
    return household


@transaction.atomic
def household_archive(*, household: Household, reason: str, user, expected_version: int) -> Household:
    """Stop tracking a household (moved away, merged, dissolved); nothing is deleted and it can be found again."""
    if household.is_archived:
        raise ValidationError(_("Hộ này đã được lưu trữ trước đó."))
    if not reason.strip():
        raise ValidationError(_("Hãy ghi lý do lưu trữ."))
    before = snapshot_of(household.pk)
    _claim_version(household, expected_version)
    household.state, household.archived_reason = HouseholdState.ARCHIVED, reason.strip()
    household.save(update_fields=["state", "archived_reason", "version", "updated_at"])
    record_changes(household=household, before=before, user=user, action="archive", note=reason.strip())
    return household


@integrity_as_validation
@transaction.atomic
def member_move(*, member: Member, target: Household, relationship: str, user) -> Member:
    """Move a person to another household of the commune (marriage, split): both households are reclassified."""
    source = member.household
    if target.pk == source.pk:
        raise ValidationError(_("Hãy chọn một hộ khác."))
    if target.is_archived:
        raise ValidationError(_("Không thể chuyển vào hộ đã lưu trữ."))
    if member.relationship == Relationship.HEAD and source.members.current().count() > 1:
        raise ValidationError(
            _("Hãy chọn chủ hộ mới cho hộ %(code)s trước khi chuyển chủ hộ đi.") % {"code": source.code}
        )
    before_source, before_target = snapshot_of(source.pk), snapshot_of(target.pk)
    moved = Member.objects.get(pk=member.pk)  # the row, not the caller's edited copy
    moved.left_at = timezone.localdate()
    moved.save(update_fields=["left_at", "updated_at"])
    newcomer = Member.objects.get(pk=member.pk)
    newcomer.pk, newcomer.household, newcomer.relationship, newcomer.left_at = None, target, relationship, None
    target_members = [*target.members.current().select_related("ethnic_group"), newcomer]
    _validate(target, target_members, user)
    newcomer.save()
    Household.objects.filter(pk__in=[source.pk, target.pk]).update(version=F("version") + 1)
    for household, before in ((source, before_source), (target, before_target)):
        household.refresh_from_db()
        household_reclassify(household=household)
        record_changes(
            household=household,
            before=before,
            user=user,
            action="move_member",
            note=_("%(name)s chuyển từ hộ %(source)s sang hộ %(target)s")
            % {"name": member.full_name, "source": source.code, "target": target.code},
        )
    return newcomer


@integrity_as_validation
@transaction.atomic
def indicator_override_set(*, household: Household, code: str, deprived: bool | None, reason: str, user) -> None:
    """Record (or clear, with ``deprived=None``) an officer's judgement on one indicator, with a reason."""
    before = snapshot_of(household.pk)
    if deprived is None:
        household.indicator_overrides.filter(code=code).delete()
    else:
        if not reason.strip():
            raise ValidationError(_("Hãy ghi lý do điều chỉnh chỉ số."))
        IndicatorOverride.objects.update_or_create(
            household=household,
            code=code,
            defaults={"deprived": deprived, "reason": reason.strip(), "created_by": user},
        )
    Household.objects.filter(pk=household.pk).update(version=F("version") + 1)
    household.refresh_from_db()
    household_reclassify(household=household)
    record_changes(household=household, before=before, user=user, action="override", note=reason.strip())


@integrity_as_validation
@transaction.atomic
def status_record_add(
    *,
    household: Household,
    household_class: str,
    valid_from,
    decision: str,
    user,
    note: str = "",
    standard_code: str | None = None,
    opening_balance: bool = False,
) -> StatusRecord:
    """Record the official class from a date (a commune decision); the open period before it is closed.

    ``standard_code`` is the standard the class was judged by (a review's own); by default the registry's.
    ``opening_balance`` marks the list a unit was on when it started using the portal (households.opening)."""
    open_record = household.status_records.filter(valid_to__isnull=True).first()
    if open_record:
        if valid_from <= open_record.valid_from:
            raise ValidationError(_not_after_open(valid_from, open_record.valid_from))
        open_record.valid_to = valid_from - timedelta(days=1)
        open_record.save(update_fields=["valid_to"])
    if standard_code is None:
        standard_code = household.classification.get("standard", "")
    record = _new_status(household, household_class, valid_from, decision, user, note, standard_code, opening_balance)
    record.full_clean()
    record.save()
    return record


def _new_status(
    household, household_class, valid_from, decision, user, note, standard_code, opening_balance=False
) -> StatusRecord:
    """A status record as ``status_record_add`` and ``status_records_add`` write it (not saved)."""
    return StatusRecord(
        household=household,
        household_class=household_class,
        valid_from=valid_from,
        decision=decision.strip(),
        note=note,
        opening_balance=opening_balance,
        created_by=user,
        standard_code=standard_code,
    )


def _not_after_open(valid_from, open_from) -> str:
    return _("Ngày %(date)s phải sau ngày bắt đầu của trạng thái hiện tại (%(current)s).") % {
        "date": valid_from.strftime("%d/%m/%Y"),
        "current": open_from.strftime("%d/%m/%Y"),
    }


def status_records_add(
    *, entries: list[tuple[Household, str, date]], decision: str, user, note: str, standard_code: str
) -> list[str]:
    """``status_record_add`` for many households at once (a commune's recognition decision lists thousands): each
    entry is a household, its class and the day it starts. The open periods are read in one statement and closed in
    one per start day, the new records written in one. Returns "code: reason" for each household refused, in the
    entries' order, and then writes nothing."""
    households = [household.pk for household, _class, _day in entries]
    open_from = dict(
        StatusRecord.objects.filter(household__in=households, valid_to__isnull=True).values_list(
            "household_id", "valid_from"
        )
    )
    errors, records, closing = [], [], {}
    for household, household_class, valid_from in entries:
        record = _new_status(household, household_class, valid_from, decision, user, note, standard_code)
        problems = []
        if household.pk in open_from and valid_from <= open_from[household.pk]:
            problems.append(_not_after_open(valid_from, open_from[household.pk]))
        try:  # the fields' own rules; the household exists and its open period is closed just below
            record.full_clean(exclude=["household", "created_by"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems.extend(error.messages)
        if problems:
            errors.append(f"{household.code}: {' '.join(problems)}")
        elif household.pk in open_from:
            closing.setdefault(valid_from - timedelta(days=1), []).append(household.pk)
        records.append(record)
    if errors:
        return errors
    for valid_to, closed in closing.items():
        StatusRecord.objects.filter(household__in=closed, valid_to__isnull=True).update(valid_to=valid_to)
    StatusRecord.objects.bulk_create(records, batch_size=2_000)
    # bulk statements send no signal: the dashboards' and the support figures' refresh are queued here
    from programs.summary import support_refresh_on_commit

    from .summary import summaries_refresh_on_commit

    summaries_refresh_on_commit()
    support_refresh_on_commit()
    return []
