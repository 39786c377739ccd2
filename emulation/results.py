"""The movement's results per unit and year (kết quả phong trào): what a commune or district mobilised for the poor
— the "Vì người nghèo" fund, houses built or repaired from mobilised money, volunteers and working days, models
replicated — typed by its staff with the source of each figure, shown beside the housing benefits the programmes
recorded for the same unit and year, and summed per unit for the district and the province.

The fund and the volunteers are not in any other record of the portal: they are typed (MovementResult.source says
where from, e.g. the Fatherland Front's report). The housing benefits are records (programs.figures): the screen
shows both so a house counted twice, or a house mobilised but never recorded as a benefit, is seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.choices import Role
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from programs.choices import ProgrammeKind
from programs.figures import Grouping, Period, benefits_in, housing_figures
from programs.figures.grouping import _grouped
from programs.figures.housing import housing_by_group

from .models import Movement, MovementResult

# The figures a unit types, in the order of the form and of the roll-up table.
RESULT_FIELDS = ("fund_raised", "houses_built", "houses_repaired", "volunteers", "working_days", "models_replicated")
EDITABLE_FIELDS = (*RESULT_FIELDS, "source", "note")


def movement_result_may_record(user, unit: AdministrativeUnit) -> bool:
    """Commune officers record their own commune's results; district staff their district's and those of its
    communes (a commune that did not type them in time). Province staff read the roll-up only."""
    if user is None or not user.is_authenticated or not user.is_active or user.unit_id is None:
        return False
    if user.role == Role.COMMUNE_OFFICER:
        return unit.pk == user.unit_id
    if user.role == Role.DISTRICT_STAFF:
        return unit.level in (UnitLevel.DISTRICT, UnitLevel.COMMUNE) and unit.path.startswith(user.unit.path)
    return False


def movement_result_check(*, movement: Movement, unit: AdministrativeUnit, year: int) -> None:
    """A result belongs to a year of the movement's phase and to a unit inside the unit that runs it."""
    errors = {}
    if not (movement.phase_start <= year <= movement.phase_end):
        errors["year"] = _("Năm %(year)s nằm ngoài giai đoạn %(start)s–%(end)s của phong trào.") % {
            "year": year,
            "start": movement.phase_start,
            "end": movement.phase_end,
        }
    if not unit.path.startswith(movement.unit.path):
        errors["unit"] = _("%(unit)s không thuộc địa bàn của %(runner)s, đơn vị phát động phong trào.") % {
            "unit": unit.name,
            "runner": movement.unit.name,
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def movement_result_save(
    *, movement: Movement, unit: AdministrativeUnit, year: int, values: dict, user
) -> MovementResult:
    """Record (or correct) a unit's results of one year of the movement: one row per movement, unit and year."""
    if not movement_result_may_record(user, unit):
        raise PermissionDenied(_("Bạn không có quyền ghi kết quả phong trào của đơn vị này."))
    movement_result_check(movement=movement, unit=unit, year=year)
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(_("Trường không sửa được: %(names)s.") % {"names": ", ".join(unknown)})
    result = MovementResult.objects.select_for_update().filter(
        movement=movement, unit=unit, year=year
    ).first() or MovementResult(movement=movement, unit=unit, year=year)
    for name, value in values.items():
        setattr(result, name, value.strip() if isinstance(value, str) else value)
    result.entered_by = user
    result.full_clean()
    result.save()
    return result


def housings_beside(*, scope: AdministrativeUnit, units: list[AdministrativeUnit], year: int) -> dict[int, dict]:
    """``housing_beside`` of each of ``units`` (the units of one level a roll-up lists below ``scope``) in the
    figures' grouped passes, whatever their number: one unit at a time, a province's roll-up of a hundred communes
    ran four statements per commune."""
    period = Period.year(year)
    benefits = benefits_in(scope, period)
    grouping = Grouping(scope, units)
    figures = housing_by_group(benefits, grouping, period.end)
    funders: dict = {}
    per_funder = _grouped(
        benefits.filter(programme__kind=ProgrammeKind.HOUSING).exclude(funder=""),
        grouping,
        "funder",
        amount=Sum("amount"),
        mobilised=Sum("amount_mobilised"),
    ).order_by("unit_key", "funder")
    for row in per_funder:
        funders.setdefault(row["unit_key"], []).append(
            {"funder": row["funder"], "amount": row["amount"], "mobilised": row["mobilised"]}
        )
    return {unit.pk: _housing(figures[grouping.key(unit)], funders.get(grouping.key(unit), [])) for unit in units}


def _housing(figures: dict, funders: list[dict]) -> dict:
    return {
        "households": figures["households"],
        "new": figures["new"],
        "repair": figures["repair"],
        "mobilised": figures["mobilised"],
        "total": figures["total"],
        "funders": funders,
    }


def housing_beside(*, unit: AdministrativeUnit, year: int) -> dict:
    """The housing benefits the programmes recorded for the unit in the year (programs.figures.housing_figures,
    the meaning of the periodic reports' 3.4): houses new and repaired, money per source, and the housing money
    per funder (the "Vì người nghèo" fund among them)."""
    period = Period.year(year)
    benefits = benefits_in(unit, period)
    figures = housing_figures(benefits, unit, period.end)
    funders = list(
        benefits.filter(programme__kind=ProgrammeKind.HOUSING)
        .exclude(funder="")
        .values("funder")
        .annotate(amount=Sum("amount"), mobilised=Sum("amount_mobilised"))
        .order_by("funder")
    )
    return _housing(figures, funders)


@dataclass
class RollupRow:
    """One unit of the roll-up: its results (with those of the units below it) and the housing benefits."""

    unit: AdministrativeUnit
    values: dict = field(default_factory=dict)
    entered: int = 0  # how many result rows were summed (0: nothing typed yet)
    sources: list = field(default_factory=list)
    housing: dict = field(default_factory=dict)


@dataclass
class Rollup:
    scope: AdministrativeUnit
    year: int
    rows: list[RollupRow]
    own: RollupRow | None  # what the scope typed for itself (a district's own campaigns), if anything
    total: RollupRow


def row_level(scope: AdministrativeUnit) -> str:
    """A province's roll-up lists its districts (its communes where it has none), a district's its communes."""
    if scope.level == UnitLevel.PROVINCE:
        has_districts = AdministrativeUnit.objects.filter(parent=scope, level=UnitLevel.DISTRICT).exists()
        return UnitLevel.DISTRICT if has_districts else UnitLevel.COMMUNE
    return UnitLevel.COMMUNE


def _empty() -> dict:
    return {name: (Decimal(0) if name == "fund_raised" else 0) for name in RESULT_FIELDS}


def result_rollup(*, user, movement: Movement, year: int, scope: AdministrativeUnit) -> Rollup:
    """Per unit below ``scope`` and in total: the year's results typed in that unit and below it, beside the
    housing benefits recorded there. Only results the user may see (MovementResult.visible_to)."""
    results = list(
        MovementResult.objects.visible_to(user)
        .filter(movement=movement, year=year, unit__path__startswith=scope.path)
        .select_related("unit")
    )
    if scope.level == UnitLevel.COMMUNE:
        units = [scope]
    else:
        units = list(
            AdministrativeUnit.objects.filter(path__startswith=scope.path, level=row_level(scope))
            .exclude(pk=scope.pk)
            .valid_on(Period.year(year).end)
            .order_by("name")
        )
    rows = [RollupRow(unit=unit, values=_empty()) for unit in units]
    own = RollupRow(unit=scope, values=_empty()) if scope.level != UnitLevel.COMMUNE else None
    total = RollupRow(unit=scope, values=_empty())
    for result in results:
        target = next((row for row in rows if result.unit.path.startswith(row.unit.path)), None)
        if target is None and own is not None and result.unit_id == scope.pk:
            target = own
        for row in (target, total):
            if row is None:
                continue
            for name in RESULT_FIELDS:
                row.values[name] += getattr(result, name)
            row.entered += 1
            if result.source and result.source not in row.sources:
                row.sources.append(result.source)
    housing = housings_beside(scope=scope, units=units, year=year) if units else {}
    for row in rows:
        row.housing = housing[row.unit.pk]
    total.housing = housing_beside(unit=scope, year=year)
    if own is not None and own.entered:
        own.housing = {}
    return Rollup(scope=scope, year=year, rows=rows, own=own if own is not None and own.entered else None, total=total)


def results_for_phase(*, movement: Movement, unit: AdministrativeUnit, start_year: int, end_year: int) -> dict:
    """The results typed in ``unit`` and below it from ``start_year`` to ``end_year`` (the summary report's
    figures): the sums, how many units typed something, and the sources named."""
    rows = MovementResult.objects.filter(
        movement=movement, unit__path__startswith=unit.path, year__gte=start_year, year__lte=end_year
    )
    sums = rows.aggregate(**{name: Sum(name) for name in RESULT_FIELDS})
    return {
        **{name: (sums[name] or 0) for name in RESULT_FIELDS},
        "units": rows.values("unit").distinct().count(),
        "sources": sorted(set(rows.exclude(source="").values_list("source", flat=True))),
    }
