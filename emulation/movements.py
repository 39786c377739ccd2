"""Movements as data: who runs one, and the services that create and edit it with its milestones.

A district or province runs its own phase of the movement (seed 002: the district's plan 2021–2025 under
QĐ 666/QĐ-TTg; domain.md §6.1); communes take part and read it. The administrator may create one for any unit
(a 2026–2030 phase, for instance).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from areas.choices import UnitLevel

from .models import Milestone, Movement

RUNNING_LEVELS = (UnitLevel.PROVINCE, UnitLevel.DISTRICT)
RUNNING_ROLES = (Role.DISTRICT_STAFF, Role.PROVINCE_STAFF)


def movement_may_create(user) -> bool:
    return user.is_superuser or (user.role in RUNNING_ROLES and user.unit_id is not None)


def movement_may_edit(user, movement: Movement) -> bool:
    """The staff of the unit that runs the movement, or the administrator."""
    return user.is_superuser or (user.role in RUNNING_ROLES and user.unit_id == movement.unit_id)


def _check(movement: Movement) -> None:
    errors = {}
    if movement.unit_id and movement.unit.level not in RUNNING_LEVELS:
        errors["unit"] = _("Phong trào do tỉnh hoặc huyện phát động.")
    if movement.phase_start and movement.phase_end and movement.phase_end < movement.phase_start:
        errors["phase_end"] = _("Năm kết thúc phải từ năm bắt đầu trở đi.")
    if not movement.levels:
        errors["levels"] = _("Hãy chọn ít nhất một cấp được đánh giá.")
    if errors:
        raise ValidationError(errors)


def _save_milestones(movement: Movement, milestones: list[Milestone]) -> None:
    for milestone in milestones:
        milestone.movement = movement
        if milestone.due_on and not (movement.phase_start <= milestone.due_on.year <= movement.phase_end + 1):
            raise ValidationError(
                _("Mốc %(kind)s ngày %(day)s nằm ngoài giai đoạn %(start)s–%(end)s.")
                % {
                    "kind": milestone.get_kind_display(),
                    "day": milestone.due_on.strftime("%d/%m/%Y"),
                    "start": movement.phase_start,
                    "end": movement.phase_end,
                }
            )
        milestone.full_clean()
        milestone.save()


@transaction.atomic
def movement_create(*, movement: Movement, milestones: list[Milestone], user) -> Movement:
    """A new movement of the officer's unit (any unit for the administrator), with its milestones."""
    if not movement_may_create(user):
        raise ValidationError(_("Chỉ cán bộ huyện, tỉnh phát động phong trào."))
    if not user.is_superuser:
        movement.unit = user.unit
    movement.created_by = user
    _check(movement)
    movement.full_clean()
    movement.save()
    _save_milestones(movement, milestones)
    return movement


@transaction.atomic
def movement_update(*, movement: Movement, milestones: list[Milestone], user) -> Movement:
    """Edit a movement and its milestones; only the unit that runs it (or the administrator) may."""
    if not movement_may_edit(user, movement):
        raise ValidationError(_("Chỉ đơn vị phát động được sửa phong trào này."))
    _check(movement)
    movement.full_clean()
    movement.save()
    _save_milestones(movement, milestones)
    return movement
