"""Which administrative unit issues the periodic reports of a period: the district, or the commune.

Under the three-tier government a district People's Committee reports on its communes (report 209/BC-UBND of
Krông Pa is the model). Districts ended on 01/07/2025 (Luật Tổ chức chính quyền địa phương 16/06/2025;
domain.md §4): for periods ending on or after that day the commune reports directly to the province, unless the
province's data still keeps its districts in force on the period's last day (a province whose two-tier list is
not loaded yet), where the district goes on reporting. A district whose record ends before the period's end is
no longer an issuer; its communes then report themselves.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit


def _in_force(unit: AdministrativeUnit, day: date) -> bool:
    return unit.is_valid_on(day)


def _district_reports(district: AdministrativeUnit, period_end: date) -> bool:
    """Whether this district still issues reports for a period ending on ``period_end``: while its record is in
    force on that day. The loaded lists close districts on 30/06/2025 (two-tier government from 01/07/2025), so
    this is every district for periods ending before that day, and afterwards only in a province whose data
    still keeps them."""
    return _in_force(district, period_end)


def reporting_unit_for(unit: AdministrativeUnit, period_end: date) -> AdministrativeUnit | None:
    """The unit whose report covers ``unit`` for a period ending on ``period_end``: a village's or commune's
    district while districts report, otherwise the commune itself; a district is its own reporting unit while it
    reports; a province is the unit of its own roll-up. None for a district that no longer reports."""
    if unit.level == UnitLevel.PROVINCE:
        return unit
    if unit.level == UnitLevel.VILLAGE:
        unit = unit.parent
    if unit.level == UnitLevel.DISTRICT:
        return unit if _district_reports(unit, period_end) else None
    parent = unit.parent
    if parent is not None and parent.level == UnitLevel.DISTRICT and _district_reports(parent, period_end):
        return parent
    return unit


def reporting_units(scope_unit: AdministrativeUnit, period_end: date) -> list[AdministrativeUnit]:
    """The reporting units inside ``scope_unit`` for a period ending on ``period_end``, in tree order: for a
    province every district that reports and every commune that reports itself; for a district or commune the
    unit itself when it reports (a commune of a reporting district has none of its own)."""
    if scope_unit.level == UnitLevel.VILLAGE:
        return []
    candidates = (
        AdministrativeUnit.objects.filter(path__startswith=scope_unit.path)
        .filter(level__in=[UnitLevel.DISTRICT, UnitLevel.COMMUNE])
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=period_end))
        .select_related("parent")
        .order_by("path")
    )
    units = []
    for unit in candidates:
        if unit.level == UnitLevel.COMMUNE and not _in_force(unit, period_end):
            continue  # a commune merged away before the period ended has no report of its own
        if reporting_unit_for(unit, period_end) == unit:
            units.append(unit)
    return units


def reporting_units_visible_to(user, period_end: date) -> list[AdministrativeUnit]:
    """The reporting units an officer works with: those inside the user's unit; a commune officer of a
    reporting district has none (the district reports for the commune)."""
    if user is None or not user.is_authenticated or user.unit_id is None:
        return []
    return reporting_units(user.unit, period_end)
