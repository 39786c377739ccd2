"""Typed indicators (chỉ tiêu nhập tay): figures of a report that no household record gives — budgets and quotas,
classes opened, jobs created, broadcasts, insured medical visits, capital entrusted to the social-policy bank…
(report 209/BC-UBND has many). Each value belongs to a unit and a report period, carries its source and who
entered it, and is shown in the report as entered, never as computed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import AdministrativeUnit
from core.integrity import integrity_as_validation

from .documents.formatting import number
from .models import IndicatorDefinition, IndicatorValue, ReportSection


def active_definitions():
    """Every definition in use, in the report's order (section I.1–I.3.8, then their own order)."""
    section_order = {value: index for index, value in enumerate(ReportSection.values)}
    definitions = list(IndicatorDefinition.objects.filter(is_active=True))
    return sorted(definitions, key=lambda d: (section_order.get(d.section, 99), d.order, d.code))


def indicator_values_for(*, unit: AdministrativeUnit, period_start: datetime.date, period_end: datetime.date):
    """The values typed for exactly this unit and report period, with their definition and who entered them."""
    return (
        IndicatorValue.objects.filter(unit=unit, period_start=period_start, period_end=period_end)
        .select_related("definition", "entered_by")
        .order_by("definition__section", "definition__order", "definition__code")
    )


def indicator_may_enter(user, unit: AdministrativeUnit) -> bool:
    """Staff enter the figures of their own unit; system administrators of any unit (accounts.scoping)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_system_admin:
        return True
    return user.unit_id is not None and user.unit_id == unit.pk


@dataclass(frozen=True)
class Entry:
    """One line of the form: a value (None: nothing typed), where it comes from, a note."""

    definition: IndicatorDefinition
    value: Decimal | None
    source: str = ""
    note: str = ""


@integrity_as_validation
@transaction.atomic
def indicator_values_save(
    *,
    unit: AdministrativeUnit,
    period_start: datetime.date,
    period_end: datetime.date,
    entries: list[Entry],
    user,
) -> int:
    """Save a unit's typed figures for a period, all or nothing: every value has its source; an emptied value is
    removed; an unchanged one keeps who entered it and when. Returns how many rows changed."""
    if not indicator_may_enter(user, unit):
        raise PermissionDenied(_("Bạn chỉ nhập được số liệu của đơn vị mình."))
    if period_end < period_start:
        raise ValidationError(_("Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu."))
    existing = {
        value.definition_id: value
        for value in IndicatorValue.objects.select_for_update().filter(
            unit=unit, period_start=period_start, period_end=period_end
        )
    }
    errors: dict[str, list[str]] = {}
    changed = 0
    for entry in entries:
        definition, source, note = entry.definition, entry.source.strip(), entry.note.strip()
        current = existing.get(definition.pk)
        if entry.value is None:
            if source or note:
                errors.setdefault(definition.code, []).append(_("Hãy nhập số liệu hoặc xoá nguồn và ghi chú."))
            elif current is not None:
                current.delete()
                changed += 1
            continue
        problems = _value_problems(definition, entry.value)
        if not source:
            problems.append(_("Hãy ghi nguồn số liệu (cơ quan, văn bản cung cấp số liệu)."))
        if problems:
            errors.setdefault(definition.code, []).extend(problems)
            continue
        if current is not None and (current.value, current.source, current.note) == (entry.value, source, note):
            continue
        row = current or IndicatorValue(
            definition=definition, unit=unit, period_start=period_start, period_end=period_end
        )
        row.value, row.source, row.note, row.entered_by = entry.value, source, note, user
        row.full_clean()
        row.save()
        changed += 1
    if errors:
        raise ValidationError(errors)
    return changed


def _value_problems(definition: IndicatorDefinition, value: Decimal) -> list[str]:
    problems = []
    if value < 0:
        problems.append(_("Số liệu không được âm."))
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > definition.decimals:
        if definition.decimals:
            problems.append(_("Chỉ tiêu này chỉ lấy %(n)s chữ số sau dấu phẩy.") % {"n": definition.decimals})
        else:
            problems.append(_("Chỉ tiêu này là số nguyên, không có phần thập phân."))
    if value >= Decimal(10) ** 16:
        problems.append(_("Số liệu quá lớn."))
    return problems


def indicator_snapshot(*, unit: AdministrativeUnit, period_start: datetime.date, period_end: datetime.date):
    """The typed figures as plain data for the report's snapshot: label, measure, section, value (a string, as
    typed), formatted value, source, note, who entered it and when."""
    rows = []
    for value in indicator_values_for(unit=unit, period_start=period_start, period_end=period_end):
        definition = value.definition
        entered_by = value.entered_by.get_full_name() or value.entered_by.username if value.entered_by else ""
        rows.append(
            {
                "code": definition.code,
                "label": definition.label,
                "measure": definition.measure,
                "section": definition.section,
                "order": definition.order,
                "value": str(value.value.quantize(Decimal(1).scaleb(-definition.decimals))),
                "display": number(value.value, definition.decimals),
                "source": value.source,
                "note": value.note,
                "entered_by": entered_by,
                "entered_at": value.entered_at.isoformat(),
            }
        )
    return rows
