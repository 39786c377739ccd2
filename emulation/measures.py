"""Quantitative measures of the emulation criteria, computed from the portal's records (seed 002, §6; domain.md §6.1).

Each measure is registered under a code (``Criterion.measure``) and takes the criterion's ``parameters`` (thresholds
and years are data, so a plan's numbers are corrected without a release). It evaluates every subject of one level
inside the evaluation's scope at once: the movements come from ``households.transitions`` (one grouped pass per
level and period, with the reports' meanings: opening balances count as the start, archived households leave),
the denominators from ``UnitPopulation`` (a missing population gives "chưa đủ số liệu", ``met=None``, never a
guess), the escape registrations from ``households.targets`` and the loans from ``programs`` benefit records.

A verdict keeps the figures behind it as plain JSON (numbers as strings for decimals) so that an evaluation is a
snapshot that reads the same after the records change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import unit_scope_q
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from households.models import EscapeRegistration, Household
from households.targets import registration_counts
from households.transitions import EARLIEST_YEAR, Populations, ReportPeriod, percent, transition_counts

UNIT_LEVELS = {"district": UnitLevel.DISTRICT, "commune": UnitLevel.COMMUNE, "village": UnitLevel.VILLAGE}
HOUSEHOLD = "household"

MISSING_POPULATION = _("Chưa đủ số liệu: chưa có số hộ dân cư")
NO_HOUSEHOLDS_AT_START = _("Chưa đủ số liệu: đầu kỳ không có hộ nghèo, hộ cận nghèo nào")
NO_REGISTRATIONS = _("Chưa đủ số liệu: không có hộ đăng ký thoát nghèo trong năm")
NO_LOAN_FIGURES = _("Chưa đủ số liệu: khoản vay chưa ghi nợ quá hạn")
TOO_EARLY = _("Chưa đủ số liệu: cổng chỉ có số liệu từ năm %(year)s") % {"year": EARLIEST_YEAR}

# Labels of the figures a verdict keeps, shown beside it (keys of ``Verdict.figures``).
FIGURE_LABELS = {
    "period": _("Kỳ so sánh"),
    "poor_start": _("Số hộ nghèo đầu kỳ"),
    "poor_end": _("Số hộ nghèo cuối kỳ"),
    "near_start": _("Số hộ cận nghèo đầu kỳ"),
    "near_end": _("Số hộ cận nghèo cuối kỳ"),
    "poor_start_em": _("Số hộ nghèo dân tộc thiểu số đầu kỳ"),
    "poor_end_em": _("Số hộ nghèo dân tộc thiểu số cuối kỳ"),
    "population_start": _("Tổng số hộ dân cư đầu kỳ"),
    "population_end": _("Tổng số hộ dân cư cuối kỳ"),
    "rate_start": _("Tỷ lệ đầu kỳ (%)"),
    "rate_end": _("Tỷ lệ cuối kỳ (%)"),
    "reduction_points": _("Mức giảm (điểm %)"),
    "threshold_points": _("Ngưỡng (điểm %)"),
    "scale_start": _("Quy mô hộ nghèo và cận nghèo đầu kỳ"),
    "scale_end": _("Quy mô hộ nghèo và cận nghèo cuối kỳ"),
    "reduction_percent": _("Mức giảm (%)"),
    "threshold_percent": _("Ngưỡng (%)"),
    "registered": _("Số hộ đăng ký thoát nghèo"),
    "achieved": _("Số hộ đã thoát nghèo"),
    "share_percent": _("Tỷ lệ thoát nghèo trên số đăng ký (%)"),
    "loans": _("Số khoản vay"),
    "outstanding": _("Dư nợ (đồng)"),
    "overdue": _("Nợ quá hạn (đồng)"),
    "rule": _("Cách đánh giá"),
    "missing": _("Ghi chú"),
}


@dataclass
class Verdict:
    """Met (True/False) or not decidable (None, the reason in ``figures["missing"]``), with the figures behind it."""

    met: bool | None
    figures: dict = field(default_factory=dict)


@dataclass
class Measure:
    code: str
    label: str
    levels: tuple[str, ...]
    defaults: dict
    compute: Callable[[EvaluationContext, str, dict], dict[int, Verdict]]


REGISTRY: dict[str, Measure] = {}


def measure(code: str, label, levels: tuple[str, ...], **defaults):
    def register(function):
        REGISTRY[code] = Measure(code, label, levels, defaults, function)
        return function

    return register


def measure_choices() -> list[tuple[str, str]]:
    return [(m.code, m.label) for m in REGISTRY.values()]


class EvaluationContext:
    """What every measure of one evaluation reads, each read once: the households and units in the scope the user
    may see, the grouped movements per (period, level), the population records and the communes that sum up."""

    def __init__(self, *, movement, scope: AdministrativeUnit, year: int, user, today: date | None = None):
        self.movement, self.scope, self.year, self.user = movement, scope, year, user
        self.today = today or timezone.localdate()
        self._counts: dict = {}
        self._units: dict = {}
        self._populations: Populations | None = None
        self._communes: list | None = None

    def households(self):
        return Household.objects.visible_to(self.user).filter(village__path__startswith=self.scope.path)

    def units(self, level: str) -> list[AdministrativeUnit]:
        """The units of ``level`` in force in the scope (the scope itself when it is of that level)."""
        if level not in self._units:
            units = (
                AdministrativeUnit.objects.visible_to(self.user)
                .valid_on(min(date(self.year, 12, 31), self.today))
                .filter(level=UNIT_LEVELS[level], path__startswith=self.scope.path)
                .select_related("parent")
                .order_by("path")
            )
            self._units[level] = list(units)
        return self._units[level]

    def counts(self, period: ReportPeriod, level: str) -> dict[int, dict]:
        key = (period, level)
        if key not in self._counts:
            self._counts[key] = transition_counts(self.households(), period, UNIT_LEVELS[level])
        return self._counts[key]

    def population(self, unit: AdministrativeUnit, year: int) -> int | None:
        if self._populations is None:
            scope_q = unit_scope_q(self.user, "unit") & Q(unit__path__startswith=self.scope.path)
            self._populations = Populations(scope_q, {self.year})
            self._communes = [(u.pk, u.path) for u in self._commune_units()]
        return self._populations.for_unit(unit, year, None, self._communes).households

    def _commune_units(self) -> list[AdministrativeUnit]:
        if self.scope.level == UnitLevel.COMMUNE:
            return [self.scope]
        return self.units("commune")

    def year_period(self, year: int) -> ReportPeriod:
        return ReportPeriod(date(year, 1, 1), min(date(year, 12, 31), self.today))


EMPTY = {"poor_start": 0, "poor_end": 0, "near_start": 0, "near_end": 0, "poor_start_em": 0, "poor_end_em": 0}


def number(value, default: str) -> Decimal:
    try:
        return Decimal(str(value if value is not None else default).replace(",", "."))
    except InvalidOperation:
        return Decimal(default)


def _period_label(period: ReportPeriod) -> str:
    return f"{period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}"


def _rate_change(ctx, level: str, period: ReportPeriod, threshold: Decimal, *, ethnic: bool, strict: bool):
    """The poverty rate (or the ethnic-minority poverty rate) at the start and end of ``period`` over the resident
    households then, per unit; met when it fell by ``threshold`` points or more (more than, when ``strict``)."""
    if period.start.year < EARLIEST_YEAR:
        return {unit.pk: Verdict(None, {"missing": str(TOO_EARLY)}) for unit in ctx.units(level)}
    counts = ctx.counts(period, level)
    start_key, end_key = ("poor_start_em", "poor_end_em") if ethnic else ("poor_start", "poor_end")
    verdicts = {}
    for unit in ctx.units(level):
        row = counts.get(unit.pk, EMPTY)
        start_households = ctx.population(unit, period.before.year)
        end_households = ctx.population(unit, period.end.year)
        figures = {
            "period": _period_label(period),
            start_key: row[start_key],
            end_key: row[end_key],
            "population_start": start_households,
            "population_end": end_households,
            "threshold_points": str(threshold),
        }
        if not start_households or not end_households:
            verdicts[unit.pk] = Verdict(None, {**figures, "missing": str(MISSING_POPULATION)})
            continue
        rate_start, rate_end = percent(row[start_key], start_households), percent(row[end_key], end_households)
        reduction = rate_start - rate_end
        met = reduction > threshold if strict else reduction >= threshold
        figures.update(rate_start=str(rate_start), rate_end=str(rate_end), reduction_points=str(reduction))
        verdicts[unit.pk] = Verdict(met, figures)
    return verdicts


@measure(
    "poverty_rate_down_over_years",
    _("Tỷ lệ nghèo đa chiều giảm từ N điểm % trở lên trong K năm liên tục trước năm trình khen thưởng"),
    ("district", "commune", "village"),
    points="4",
    years=3,
)
def poverty_rate_down_over_years(ctx, level, params):
    """Seed 002, §6.1: "Tỷ lệ nghèo đa chiều giảm từ 4% trở lên trong 3 năm liên tục trước khi trình khen thưởng":
    the rate on 31/12 of the year before the K years against the rate on 31/12 of the year before the proposal."""
    years = int(params.get("years", 3))
    period = ReportPeriod(date(ctx.year - years, 1, 1), date(ctx.year - 1, 12, 31))
    return _rate_change(ctx, level, period, number(params.get("points"), "4"), ethnic=False, strict=False)


@measure(
    "poverty_rate_down_yearly",
    _("Tỷ lệ nghèo đa chiều giảm từ N điểm % trở lên trong năm"),
    ("district", "commune", "village"),
    points="1.5",
)
def poverty_rate_down_yearly(ctx, level, params):
    """QĐ 666/QĐ-TTg; seed 002, §1: "Tỷ lệ nghèo đa chiều duy trì mức giảm 1,5%/năm" (the year evaluated)."""
    return _rate_change(
        ctx, level, ctx.year_period(ctx.year), number(params.get("points"), "1.5"), ethnic=False, strict=False
    )


@measure(
    "ethnic_minority_rate_down_yearly",
    _("Tỷ lệ hộ nghèo dân tộc thiểu số giảm trên N điểm % trong năm"),
    ("district", "commune", "village"),
    points="3",
)
def ethnic_minority_rate_down_yearly(ctx, level, params):
    """QĐ 666/QĐ-TTg; seed 002, §1: "tỷ lệ nghèo dân tộc thiểu số giảm trên 3%/năm" — poor ethnic-minority
    households over the resident households, as the periodic reports count them."""
    return _rate_change(
        ctx, level, ctx.year_period(ctx.year), number(params.get("points"), "3"), ethnic=True, strict=True
    )


@measure(
    "poor_near_down_since_phase_start",
    _("Quy mô hộ nghèo và hộ cận nghèo giảm trên P phần trăm so với đầu kỳ"),
    ("district", "commune", "village"),
    percent="50",
)
def poor_near_down_since_phase_start(ctx, level, params):
    """Seed 002, §6.1–6.3: "quy mô hộ nghèo và hộ cận nghèo đa chiều giảm trên 50% so với đầu kỳ": the poor and
    near-poor households in force before the phase began (an opening balance counts as that start) against those
    at the end of the year evaluated (today while it runs)."""
    threshold = number(params.get("percent"), "50")
    start_year = max(ctx.movement.phase_start, EARLIEST_YEAR)
    period = ReportPeriod(date(start_year, 1, 1), min(date(ctx.year, 12, 31), ctx.today))
    counts = ctx.counts(period, level)
    verdicts = {}
    for unit in ctx.units(level):
        row = counts.get(unit.pk, EMPTY)
        start, end = row["poor_start"] + row["near_start"], row["poor_end"] + row["near_end"]
        figures = {
            "period": _period_label(period),
            "poor_start": row["poor_start"],
            "near_start": row["near_start"],
            "poor_end": row["poor_end"],
            "near_end": row["near_end"],
            "scale_start": start,
            "scale_end": end,
            "threshold_percent": str(threshold),
        }
        if not start:
            verdicts[unit.pk] = Verdict(None, {**figures, "missing": str(NO_HOUSEHOLDS_AT_START)})
            continue
        reduction = percent(start - end, start)
        verdicts[unit.pk] = Verdict(reduction > threshold, {**figures, "reduction_percent": str(reduction)})
    return verdicts


@measure(
    "escape_registrations_achieved",
    _("Tỷ lệ hộ đăng ký thoát nghèo đã thoát nghèo đạt từ P % trở lên"),
    ("district", "commune", "village"),
    percent="50",
)
def escape_registrations_achieved(ctx, level, params):
    """Seed 002, §6.4 (hộ "tự nguyện đăng ký thoát nghèo"): of the households registered to escape in the year, the
    share that escaped by its end (the outcome rule of ``households.targets``)."""
    threshold = number(params.get("percent"), "50")
    registrations = EscapeRegistration.objects.visible_to(ctx.user).filter(
        household__village__path__startswith=ctx.scope.path
    )
    counts = registration_counts(registrations, UNIT_LEVELS[level], ctx.year, ctx.today)
    verdicts = {}
    for unit in ctx.units(level):
        row = counts.get(unit.pk, {"registered": 0, "achieved": 0})
        figures = {"registered": row["registered"], "achieved": row["achieved"], "threshold_percent": str(threshold)}
        if not row["registered"]:
            verdicts[unit.pk] = Verdict(None, {**figures, "missing": str(NO_REGISTRATIONS)})
            continue
        share = percent(row["achieved"], row["registered"])
        verdicts[unit.pk] = Verdict(share >= threshold, {**figures, "share_percent": str(share)})
    return verdicts


@measure("loans_repaid_on_time", _("Hộ trả nợ vay Ngân hàng Chính sách xã hội đúng hạn"), (HOUSEHOLD,))
def loans_repaid_on_time(ctx, level, params):
    """Seed 002, §6.4: "sử dụng vốn vay từ Ngân hàng Chính sách xã hội đúng mục đích, trả lãi, trả gốc đúng hạn":
    every preferential loan of the household disbursed by the end of the year has no overdue amount. Households
    without such a loan are not judged on it. One grouped query for the whole scope."""
    from programs.choices import ProgrammeKind
    from programs.models import Benefit

    loans = (
        Benefit.objects.visible_to(ctx.user)
        .active()
        .filter(
            programme__kind=ProgrammeKind.CREDIT,
            household__village__path__startswith=ctx.scope.path,
            date__lte=date(ctx.year, 12, 31),
        )
        .values("household_id")
        .annotate(
            loans=Count("pk"),
            total_outstanding=Sum("outstanding"),
            total_overdue=Sum("overdue"),
            unknown=Count("pk", filter=Q(overdue__isnull=True)),
        )
        .order_by()
    )
    verdicts = {}
    for row in loans:
        figures = {
            "loans": row["loans"],
            "outstanding": row["total_outstanding"] or 0,
            "overdue": row["total_overdue"] or 0,
        }
        if row["total_overdue"]:
            verdicts[row["household_id"]] = Verdict(False, figures)
        elif row["unknown"]:
            verdicts[row["household_id"]] = Verdict(None, {**figures, "missing": str(NO_LOAN_FIGURES)})
        else:
            verdicts[row["household_id"]] = Verdict(True, figures)
    return verdicts


def compute(ctx: EvaluationContext, level: str, code: str, params: dict) -> dict[int, Verdict]:
    """The verdicts of measure ``code`` for every subject of ``level`` (units by pk, or households by pk)."""
    found = REGISTRY.get(code)
    if found is None or level not in found.levels:
        return {}
    return found.compute(ctx, level, {**found.defaults, **(params or {})})


@measure(
    "any_of",
    _("Đạt một trong các cách tính"),
    ("district", "commune", "village", HOUSEHOLD),
)
def any_of(ctx, level, params):
    """Seed 002, §6.1: "… giảm từ 4% trở lên trong 3 năm liên tục … hoặc quy mô … giảm trên 50% so với đầu kỳ":
    met when one of the listed measures is met, not met when all are not, otherwise undecided."""
    parts = [compute(ctx, level, p["measure"], p.get("parameters", {})) for p in params.get("measures", [])]
    subjects = {key for part in parts for key in part}
    verdicts = {}
    for key in subjects:
        found = [part[key] for part in parts if key in part]
        if any(v.met for v in found):
            met = True
        elif found and all(v.met is False for v in found):
            met = False
        else:
            met = None
        verdicts[key] = Verdict(met, {"parts": [v.figures | {"met": v.met} for v in found]})
    return verdicts


@measure(
    "own_target_for_named_units",
    _("Đơn vị được chỉ định đánh giá theo mục tiêu riêng, đơn vị khác theo mức chung"),
    ("district", "commune", "village"),
)
def own_target_for_named_units(ctx, level, params):
    """Seed 002, §6.2: "Đối với xã Vĩnh An (Khu vực III) … quy mô hộ nghèo và hộ cận nghèo đa chiều giảm trên 50% so
    với đầu kỳ": the units named by code in ``own`` are judged on their own measure, every other one on
    ``standard``."""
    standard = params.get("standard") or {}
    verdicts = compute(ctx, level, standard.get("measure", ""), standard.get("parameters", {}))
    own = params.get("own") or {}
    codes = {unit.pk: unit.code for unit in ctx.units(level)}
    named = {pk for pk, code in codes.items() if code in own}
    for code, rule in own.items():
        result = compute(ctx, level, rule.get("measure", ""), rule.get("parameters", {}))
        for pk in named:
            if codes[pk] == code and pk in result:
                verdict = result[pk]
                note = rule.get("note") or str(_("Đánh giá theo mục tiêu riêng của đơn vị"))
                verdicts[pk] = Verdict(verdict.met, {**verdict.figures, "rule": note})
    return verdicts
