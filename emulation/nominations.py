"""Nominations for an award (đề nghị khen thưởng) and their workflow: draft → submitted → reviewed by the emulation
council (Hội đồng thi đua – khen thưởng) of the deciding level → decided (only through an award decision,
emulation.awards) or rejected. Each step has a comment and a ``NominationLog`` row.

Who grants each form is data with its legal basis (``GRANTING_LEVELS``): the council of that level reviews the
nomination and its chairman's decision closes it. The proposing unit's staff write and submit; the deciding unit's
staff review and reject. A refusal is a ``PermissionDenied`` (wrong role or unit) or a ``ValidationError`` with a
Vietnamese message (wrong state, missing or wrong data).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import OFFICER_ROLES
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from households.models import Household

from .models import AwardForm, Movement, Nomination, NominationEvidence, NominationLog, NominationStatus, SubjectType

# Two-tier local government from 01/07/2025 (Luật Tổ chức chính quyền địa phương 2025; domain.md §4): districts end.
TWO_TIER_FROM = datetime.date(2025, 7, 1)


@dataclass(frozen=True)
class GrantingLevel:
    """Which level's chairman grants a form in a period, and the legal basis (STYLE rule 5: rules as data)."""

    form: str
    level: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    basis: str


# Luật Thi đua, khen thưởng 2022, Điều 9 (forms) and Điều 74–76 [P] (who grants them); NĐ 152/2025/NĐ-CP on the
# two-tier government: from 01/07/2025 the commune chairman grants the Giấy khen a district chairman granted.
GRANTING_LEVELS: tuple[GrantingLevel, ...] = (
    GrantingLevel(
        AwardForm.COMMUNE_CERTIFICATE, UnitLevel.COMMUNE, None, None, "Luật Thi đua, khen thưởng 2022, Điều 76"
    ),
    # Granted by the chairman of a district in force on the day: a province that still has districts keeps them
    # (the portal serves both shapes by date, like the reporting units); a two-tier province's communes have none.
    GrantingLevel(
        AwardForm.DISTRICT_CERTIFICATE, UnitLevel.DISTRICT, None, None, "Luật Thi đua, khen thưởng 2022, Điều 76"
    ),
    GrantingLevel(AwardForm.PROVINCE_MERIT, UnitLevel.PROVINCE, None, None, "Luật Thi đua, khen thưởng 2022, Điều 74"),
    # Higher forms (Bằng khen of the Prime Minister, orders…) are proposed onward by the province's council.
    GrantingLevel(AwardForm.HIGHER, UnitLevel.PROVINCE, None, None, "Luật Thi đua, khen thưởng 2022, Điều 73"),
)

# Evidence files: documents and scans an officer attaches (Báo cáo thành tích, biên bản, photos).
EVIDENCE_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# What each file kind starts with, so a renamed executable is not accepted as a PDF or a picture.
_MAGIC = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}

ACTION_LABELS = {
    "create": gettext_lazy("Lập đề nghị"),
    "edit": gettext_lazy("Sửa đề nghị"),
    "submit": gettext_lazy("Trình đề nghị"),
    "review": gettext_lazy("Hội đồng thi đua – khen thưởng xét"),
    "reject": gettext_lazy("Không khen thưởng"),
    "decide": gettext_lazy("Quyết định khen thưởng"),
}

# Which action may start from which status (django-oscar style explicit transitions).
ALLOWED_FROM = {
    "edit": {NominationStatus.DRAFT},
    "submit": {NominationStatus.DRAFT},
    "review": {NominationStatus.SUBMITTED},
    "reject": {NominationStatus.SUBMITTED, NominationStatus.REVIEWED},
    "decide": {NominationStatus.REVIEWED},
}
TARGET = {
    "submit": NominationStatus.SUBMITTED,
    "review": NominationStatus.REVIEWED,
    "reject": NominationStatus.REJECTED,
    "decide": NominationStatus.DECIDED,
}


def granting_level(form: str, day: datetime.date) -> GrantingLevel | None:
    """The level whose chairman grants ``form`` on ``day``; None when no level does (a district's Giấy khen after
    the districts ended)."""
    for rule in GRANTING_LEVELS:
        starts = rule.valid_from is None or rule.valid_from <= day
        if rule.form == form and starts and (rule.valid_to is None or day <= rule.valid_to):
            return rule
    return None


def deciding_unit(*, proposing_unit: AdministrativeUnit, form: str, day: datetime.date | None = None):
    """The unit whose council reviews and whose chairman decides: the proposing unit or the unit above it at the
    granting level. Raises ``ValidationError`` when the form cannot be granted for this unit on this day."""
    day = day or timezone.localdate()
    rule = granting_level(form, day)
    if rule is None:
        raise ValidationError(
            {
                "requested_form": _(
                    "Từ ngày 01/07/2025 không còn cấp huyện: Giấy khen do Chủ tịch UBND xã tặng, Bằng khen do Chủ "
                    "tịch UBND tỉnh tặng. Hãy chọn hình thức khác."
                )
            }
        )
    if proposing_unit.level == rule.level:
        return proposing_unit
    unit = AdministrativeUnit.objects.valid_on(day).filter(pk__in=proposing_unit.ancestor_ids, level=rule.level).first()
    if unit is None and rule.level == UnitLevel.DISTRICT and day >= TWO_TIER_FROM:
        raise ValidationError(
            {
                "requested_form": _(
                    "Từ ngày 01/07/2025 không còn cấp huyện: Giấy khen do Chủ tịch UBND xã tặng, Bằng khen do Chủ "
                    "tịch UBND tỉnh tặng. Hãy chọn hình thức khác."
                )
            }
        )
    if unit is None:
        raise ValidationError(
            {
                "requested_form": _("Đơn vị %(unit)s không đề nghị được hình thức “%(form)s”.")
                % {"unit": proposing_unit.name, "form": AwardForm(form).label}
            }
        )
    return unit


def deciding_unit_of(nomination: Nomination, day: datetime.date | None = None):
    return deciding_unit(proposing_unit=nomination.proposing_unit, form=nomination.requested_form, day=day)


# --- who may do what --------------------------------------------------------------------------------------------


def _is_officer(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in OFFICER_ROLES and user.unit_id)


def can_propose(user, nomination: Nomination | None = None) -> bool:
    """Staff of the proposing unit write and submit its nominations."""
    if not _is_officer(user):
        return False
    return nomination is None or nomination.proposing_unit_id == user.unit_id


def can_review(user, nomination: Nomination) -> bool:
    """Staff of the deciding unit act for its emulation council."""
    if not _is_officer(user):
        return False
    try:
        return deciding_unit_of(nomination).pk == user.unit_id
    except ValidationError:
        return False


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với đề nghị này."))


def _require_state(nomination: Nomination, action: str) -> None:
    if nomination.status not in ALLOWED_FROM[action]:
        raise ValidationError(
            _("Không thể “%(action)s” khi đề nghị đang ở trạng thái “%(status)s”.")
            % {"action": ACTION_LABELS[action], "status": nomination.get_status_display()}
        )


def _log(nomination: Nomination, *, action: str, from_status: str, user, comment: str = "") -> NominationLog:
    return NominationLog.objects.create(
        nomination=nomination,
        action=action,
        from_status=from_status,
        to_status=nomination.status,
        comment=comment.strip(),
        user=user,
    )


# --- writing a nomination ---------------------------------------------------------------------------------------


def _subject_checks(
    *, user, proposing_unit, subject_type: str, subject_unit, household, subject_name: str
) -> tuple[str, AdministrativeUnit | None, Household | None]:
    """A collective is a unit in the proposing unit's area; a household is a registry household of that area; the
    name of a household is its head's when none is typed."""
    errors = {}
    if subject_type == SubjectType.COLLECTIVE:
        if subject_unit is None:
            errors["subject_unit"] = _("Hãy chọn tập thể (đơn vị) được đề nghị.")
        elif not subject_unit.path.startswith(proposing_unit.path):
            errors["subject_unit"] = _("Tập thể được đề nghị phải thuộc địa bàn của đơn vị đề nghị.")
        elif not subject_name:
            subject_name = subject_unit.name
        household = None
    elif subject_type == SubjectType.HOUSEHOLD:
        if household is None:
            errors["household"] = _("Hãy chọn hộ gia đình trong sổ quản lý hộ.")
        elif not household.village.path.startswith(proposing_unit.path):
            errors["household"] = _("Hộ gia đình được đề nghị phải thuộc địa bàn của đơn vị đề nghị.")
        else:
            subject_name = subject_name or f"Hộ ông/bà {household.head_name}".strip()
            subject_unit = household.village
    else:
        household = None
    if not subject_name:
        errors["subject_name"] = _("Hãy nhập tên tập thể, cá nhân hoặc hộ được đề nghị.")
    if errors:
        raise ValidationError(errors)
    return subject_name, subject_unit, household


@transaction.atomic
def nomination_create(
    *,
    user,
    movement: Movement,
    year: int,
    subject_type: str,
    subject_name: str = "",
    subject_unit: AdministrativeUnit | None = None,
    household: Household | None = None,
    position: str = "",
    achievements: str,
    requested_form: str,
) -> Nomination:
    """A draft nomination proposed by the user's own unit for a form that unit may propose."""
    _require(can_propose(user))
    proposing_unit = user.unit
    deciding_unit(proposing_unit=proposing_unit, form=requested_form)
    name, subject_unit, household = _subject_checks(
        user=user,
        proposing_unit=proposing_unit,
        subject_type=subject_type,
        subject_unit=subject_unit,
        household=household,
        subject_name=subject_name.strip(),
    )
    if not movement.phase_start <= year <= movement.phase_end:
        raise ValidationError(
            {
                "year": _("Năm phải nằm trong giai đoạn %(start)s–%(end)s của phong trào.")
                % {"start": movement.phase_start, "end": movement.phase_end}
            }
        )
    nomination = Nomination(
        movement=movement,
        year=year,
        proposing_unit=proposing_unit,
        subject_type=subject_type,
        subject_name=name,
        subject_unit=subject_unit,
        household=household,
        position=position.strip(),
        achievements=achievements.strip(),
        requested_form=requested_form,
        created_by=user,
    )
    nomination.full_clean()
    nomination.save()
    _log(nomination, action="create", from_status="", user=user)
    return nomination


@transaction.atomic
def nomination_update(*, user, nomination: Nomination, **fields) -> Nomination:
    """Only a draft is edited, and only by its proposing unit."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    _require(can_propose(user, nomination))
    _require_state(nomination, "edit")
    form = fields.get("requested_form", nomination.requested_form)
    deciding_unit(proposing_unit=nomination.proposing_unit, form=form)
    name, subject_unit, household = _subject_checks(
        user=user,
        proposing_unit=nomination.proposing_unit,
        subject_type=fields.get("subject_type", nomination.subject_type),
        subject_unit=fields.get("subject_unit", nomination.subject_unit),
        household=fields.get("household", nomination.household),
        subject_name=fields.get("subject_name", nomination.subject_name).strip(),
    )
    for key in ("year", "subject_type", "position", "achievements", "requested_form"):
        if key in fields:
            setattr(nomination, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    nomination.subject_name, nomination.subject_unit, nomination.household = name, subject_unit, household
    movement = nomination.movement
    if not movement.phase_start <= nomination.year <= movement.phase_end:
        raise ValidationError(
            {
                "year": _("Năm phải nằm trong giai đoạn %(start)s–%(end)s của phong trào.")
                % {"start": movement.phase_start, "end": movement.phase_end}
            }
        )
    nomination.full_clean()
    nomination.save()
    _log(nomination, action="edit", from_status=nomination.status, user=user)
    return nomination


def check_evidence_file(upload) -> None:
    """Evidence is a PDF, a picture or an Office document of at most 10 MB whose content matches its name."""
    name = PurePath(upload.name or "").name
    ext = PurePath(name).suffix.lower()
    if ext not in EVIDENCE_EXTENSIONS:
        raise ValidationError(
            {
                "file": _("Chỉ nhận tệp PDF, ảnh (JPG, PNG), Word hoặc Excel; tệp “%(name)s” không thuộc các loại này.")
                % {"name": name}
            }
        )
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("Tệp minh chứng lớn hơn %(size)s MB; hãy nén hoặc chia nhỏ tệp.")
                % {"size": EVIDENCE_MAX_BYTES // 2**20}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("Tệp minh chứng rỗng.")})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in _MAGIC[ext]):
        raise ValidationError({"file": _("Nội dung tệp “%(name)s” không đúng với loại tệp của nó.") % {"name": name}})


@transaction.atomic
def nomination_evidence_add(*, user, nomination: Nomination, upload, description: str) -> NominationEvidence:
    """The proposing unit attaches evidence while the nomination is a draft."""
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    _require(can_propose(user, nomination))
    _require_state(nomination, "edit")
    check_evidence_file(upload)
    evidence = NominationEvidence(nomination=nomination, file=upload, description=description.strip(), uploaded_by=user)
    evidence.full_clean()
    evidence.save()
    return evidence


@transaction.atomic
def nomination_evidence_remove(*, user, evidence: NominationEvidence) -> None:
    """Evidence is removed only from a draft, by its proposing unit."""
    nomination = Nomination.objects.select_for_update().get(pk=evidence.nomination_id)
    _require(can_propose(user, nomination))
    _require_state(nomination, "edit")
    evidence.file.delete(save=False)
    evidence.delete()


# --- the workflow -------------------------------------------------------------------------------------------------


def _transition(*, user, nomination: Nomination, action: str, comment: str, allowed) -> Nomination:
    nomination = Nomination.objects.select_for_update().select_related("proposing_unit").get(pk=nomination.pk)
    _require(allowed(user, nomination))
    _require_state(nomination, action)
    from_status = nomination.status
    nomination.status = TARGET[action]
    nomination.save(update_fields=["status", "updated_at"])
    _log(nomination, action=action, from_status=from_status, user=user, comment=comment)
    return nomination


@transaction.atomic
def nomination_submit(*, user, nomination: Nomination, comment: str = "") -> Nomination:
    """The proposing unit submits a draft that has achievements to the deciding level's council."""
    if not (nomination.achievements or "").strip():
        raise ValidationError(_("Hãy nhập thành tích trước khi trình đề nghị."))
    return _transition(user=user, nomination=nomination, action="submit", comment=comment, allowed=can_propose)


@transaction.atomic
def nomination_review(*, user, nomination: Nomination, comment: str) -> Nomination:
    """The deciding level's emulation council has examined the nomination and agrees to propose it for decision."""
    if not comment.strip():
        raise ValidationError({"comment": _("Hãy ghi ý kiến của Hội đồng thi đua – khen thưởng.")})
    return _transition(user=user, nomination=nomination, action="review", comment=comment, allowed=can_review)


@transaction.atomic
def nomination_reject(*, user, nomination: Nomination, comment: str) -> Nomination:
    """The deciding level refuses the nomination, saying why."""
    if not comment.strip():
        raise ValidationError({"comment": _("Hãy ghi lý do không khen thưởng.")})
    return _transition(user=user, nomination=nomination, action="reject", comment=comment, allowed=can_review)


def nomination_decide(*, user, nomination: Nomination, comment: str) -> Nomination:
    """Called only by ``award_decision_create`` inside its transaction: the decision closes the nomination."""
    return _transition(user=user, nomination=nomination, action="decide", comment=comment, allowed=can_review)


def nomination_actions_for(user, nomination: Nomination) -> list[str]:
    """The actions the page offers this user (the services check again)."""
    actions = []
    if can_propose(user, nomination) and nomination.status == NominationStatus.DRAFT:
        actions += ["edit", "submit"]
    if can_review(user, nomination):
        if nomination.status == NominationStatus.SUBMITTED:
            actions += ["review", "reject"]
        elif nomination.status == NominationStatus.REVIEWED:
            # A higher form stays reviewed: the province forwards it, the decision is taken above it.
            actions += ["reject"] if nomination.requested_form == AwardForm.HIGHER else ["decide", "reject"]
    return actions


def nominations_to_decide_for(user, *, form: str | None = None):
    """Reviewed nominations whose deciding unit is the user's unit (the ones an award decision may group)."""
    qs = (
        Nomination.objects.visible_to(user)
        .filter(status=NominationStatus.REVIEWED)
        .select_related("proposing_unit", "movement", "subject_unit")
        .order_by("requested_form", "proposing_unit__path", "subject_name")
    )
    if form:
        qs = qs.filter(requested_form=form)
    return [n for n in qs.exclude(requested_form=AwardForm.HIGHER) if can_review(user, n)]


def nomination_list_for(user, *, status: str = "", year: int | None = None, form: str = ""):
    qs = Nomination.objects.visible_to(user).select_related("proposing_unit", "movement")
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    if form:
        qs = qs.filter(requested_form=form)
    return qs.order_by("-year", "-created_at", "-pk")
