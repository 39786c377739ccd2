"""Selectors for poverty movements (biến động hộ nghèo, hộ cận nghèo) derived from the status history.

A household's movement in a period compares its official class on the day before the period starts (the list
in force after the previous review, usually at 31/12 of the previous year) with its class on the last day
(domain.md §2.8 [P]; TT 07/2021, Phụ lục VII; TT 17/2016, Mẫu số 3: "số hộ nghèo đầu năm — diễn biến trong
năm — số hộ nghèo cuối năm"). The classes come from ``StatusRecord`` rows only: transitions are derived,
never typed. The rule is the one of ``households.history.transition``; this module restates it as one SQL
``CASE`` so that a whole district is counted by PostgreSQL in one grouped query per level (the tests check
both give the same answer on random histories).

Rates: tỷ lệ hộ nghèo (%) = số hộ nghèo / tổng số hộ dân cư × 100 (domain.md §3.1 [P]). The total number of
resident households comes from ``UnitPopulation`` (the latest record of a year not after the reported day);
a district or province without its own record adds up its communes' records when every commune has one;
otherwise the end of the period falls back on the number of households in the registry and the row says so. The
start of the period never does: its denominator is the population in force at the start (the latest record of a
year not after the day before the period) or nothing ("chưa có số hộ dân cư đầu kỳ"), never the registry of today,
which holds households that arrived later (domain.md §3.1: "Số hộ nghèo đầu năm" over the households of that time).

Balances (TT 17/2016, Mẫu số 3; domain.md §2.8 and §3.1). Every household counted in a row is in exactly one start
class and one end class, so both lists balance with the columns the row exposes:

    poor_start + new_poor_outside + relapsed_poor + near_to_poor − escaped_poor_outside − poor_to_near = poor_end
    near_start + new_near + relapsed_near + poor_to_near − escaped_near − near_to_poor = near_end

``new_poor`` (nghèo phát sinh) includes the near-poor households that became poor (``near_to_poor``) and
``escaped_poor`` (thoát nghèo) the poor households that became near-poor (``poor_to_near``), as the forms count
them; ``new_poor_outside`` and ``escaped_poor_outside`` are the same movements without the other list.
``POOR_BALANCE`` and ``NEAR_BALANCE`` name the columns of each identity.

Opening balance. The first list a unit imports when it starts using the portal (``StatusRecord.opening_balance``)
is the list approved before that day, not a movement: the unit did not review those households in the portal's
period, it inherited them (QĐ 24/2021/QĐ-TTg, Điều 3: the list approved at the last periodic review stays in force
until the next one; domain.md §2.2, §2.8 "the list in force after the previous periodic review"). So a household
whose first status record is an opening balance is read as if that record had started before any period: it is
counted in the start-of-period balance of the period in which the record begins (and after), never as newly poor
or newly near-poor. An opening-balance record that is not the household's first record changes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import unit_scope_q
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit

from .choices import HouseholdClass, Transition
from .models import ChangeEntry, Household, StatusRecord, UnitPopulation

POOR, NEAR = HouseholdClass.POOR.value, HouseholdClass.NEAR_POOR.value
EARLIEST_YEAR = 2016  # QĐ 59/2015/QĐ-TTg: the first multidimensional standard, applied from 2016

LEVELS = [
    (UnitLevel.VILLAGE.value, gettext_lazy("Theo thôn, buôn, tổ dân phố")),
    (UnitLevel.COMMUNE.value, gettext_lazy("Theo xã, phường, thị trấn")),
    (UnitLevel.DISTRICT.value, gettext_lazy("Theo huyện, thị xã, thành phố")),
    (UnitLevel.PROVINCE.value, gettext_lazy("Theo tỉnh, thành phố")),
]
LEVEL_ORDER = [UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE, UnitLevel.VILLAGE]


@dataclass(frozen=True)
class ReportPeriod:
    """The days counted: movements between the list in force on ``start - 1`` and the one in force on ``end``."""

    start: date
    end: date

    @property
    def before(self) -> date:
        return self.start - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.start.month == 1 and self.start.day == 1 and self.start.year == self.end.year:
            year_end = date(self.start.year, 12, 31)
            if self.end == year_end:
                return _("Năm %(year)s") % {"year": self.start.year}
            return _("Năm %(year)s (đến ngày %(end)s)") % {
                "year": self.start.year,
                "end": self.end.strftime("%d/%m/%Y"),
            }
        return _("Từ %(start)s đến %(end)s") % {
            "start": self.start.strftime("%d/%m/%Y"),
            "end": self.end.strftime("%d/%m/%Y"),
        }


def period_for_year(year: int, today: date | None = None) -> ReportPeriod:
    """The calendar year; the current year runs to today (its movements so far)."""
    today = today or timezone.localdate()
    if year > today.year:
        raise ValidationError(_("Năm %(year)s chưa bắt đầu.") % {"year": year})
    if year < EARLIEST_YEAR:
        raise ValidationError(_("Chỉ có số liệu từ năm %(year)s.") % {"year": EARLIEST_YEAR})
    return ReportPeriod(date(year, 1, 1), min(date(year, 12, 31), today))


def period_between(start: date, end: date, today: date | None = None) -> ReportPeriod:
    today = today or timezone.localdate()
    if end < start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    if start > today:
        raise ValidationError(_("Khoảng thời gian chưa bắt đầu."))
    return ReportPeriod(start, min(end, today))


# --- the SQL form of households.history.transition ----------------------------------------------------------------


def _opening_q(until: date) -> Q:
    """A household's first record marked as its opening balance, begun by ``until`` (the period's last day): read
    as started before the period."""
    earlier = StatusRecord.objects.filter(household=OuterRef("household"), valid_from__lt=OuterRef("valid_from"))
    return Q(opening_balance=True, valid_from__lte=until) & ~Q(Exists(earlier))


def _class_on(day: date, until: date) -> Subquery:
    records = StatusRecord.objects.filter(household=OuterRef("pk"))
    records = records.filter(Q(valid_from__lte=day) | _opening_q(until))
    records = records.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    return Subquery(records.order_by("-valid_from").values("household_class")[:1], output_field=CharField())


def _had_class_before(household_class: str, day: date, until: date) -> Exists:
    records = StatusRecord.objects.filter(household=OuterRef("pk"), household_class=household_class)
    return Exists(records.filter(Q(valid_from__lt=day) | _opening_q(until)))


TRANSITION_CASE = Case(
    # Same rules, same order as households.history.transition (domain.md §2.8).
    When(Q(class_start=POOR, class_end=POOR) | Q(class_start=NEAR, class_end=NEAR), then=Value(Transition.REMAINS)),
    When(class_end=POOR, class_start=NEAR, then=Value(Transition.NEAR_POOR_TO_POOR)),
    When(class_end=POOR, was_poor=True, then=Value(Transition.RELAPSED_POOR)),
    When(class_end=POOR, then=Value(Transition.NEW_POOR)),
    When(class_end=NEAR, class_start=POOR, then=Value(Transition.ESCAPED_POOR)),
    When(class_end=NEAR, was_near=True, then=Value(Transition.RELAPSED_NEAR_POOR)),
    When(class_end=NEAR, then=Value(Transition.NEW_NEAR_POOR)),
    When(class_start=POOR, then=Value(Transition.ESCAPED_POOR)),
    When(class_start=NEAR, then=Value(Transition.ESCAPED_NEAR_POOR)),
    default=Value(None),
    output_field=CharField(),
)


def with_transitions(households: QuerySet, period: ReportPeriod) -> QuerySet:
    """Households counted in the period, each annotated with its class at the start and end and its movement.

    A household archived (moved away, merged) before the end of the period is left out of the period altogether,
    so that start + arrivals − departures = end holds in every row.
    """
    return _with_classes(households, period).annotate(transition=TRANSITION_CASE)


def _with_classes(households: QuerySet, period: ReportPeriod) -> QuerySet:
    archived = ChangeEntry.objects.filter(household=OuterRef("pk"), action="archive", at__date__lte=period.end)
    return households.exclude(Exists(archived)).annotate(
        class_start=_class_on(period.before, period.end),
        class_end=_class_on(period.end, period.end),
        was_poor=_had_class_before(POOR, period.before, period.end),
        was_near=_had_class_before(NEAR, period.before, period.end),
    )


# Each figure as a PostgreSQL aggregate FILTER over the derived rows (one row per household, see _aggregate).
COUNT_FILTERS = {
    "households": ("TRUE", []),
    "poor_start": ("class_start = %s", [POOR]),
    "poor_start_em": ("class_start = %s AND ethnic_minority", [POOR]),
    # thoát nghèo: every poor household off the poor list, including those that became near-poor (domain.md §2.8)
    "escaped_poor": ("transition = %s", [Transition.ESCAPED_POOR]),
    "poor_to_near": ("class_start = %s AND class_end = %s", [POOR, NEAR]),
    "escaped_poor_outside": ("transition = %s AND class_end IS DISTINCT FROM %s", [Transition.ESCAPED_POOR, NEAR]),
    "relapsed_poor": ("transition = %s", [Transition.RELAPSED_POOR]),
    # near → poor is counted as "phát sinh" too (domain.md §2.8), and shown again on its own below
    "new_poor": ("transition IN (%s, %s)", [Transition.NEW_POOR, Transition.NEAR_POOR_TO_POOR]),
    "new_poor_outside": ("transition = %s", [Transition.NEW_POOR]),
    "near_to_poor": ("transition = %s", [Transition.NEAR_POOR_TO_POOR]),
    "poor_end": ("class_end = %s", [POOR]),
    "poor_end_em": ("class_end = %s AND ethnic_minority", [POOR]),
    "near_start": ("class_start = %s", [NEAR]),
    "near_start_em": ("class_start = %s AND ethnic_minority", [NEAR]),
    "escaped_near": ("transition = %s", [Transition.ESCAPED_NEAR_POOR]),
    "relapsed_near": ("transition = %s", [Transition.RELAPSED_NEAR_POOR]),
    "new_near": ("transition = %s", [Transition.NEW_NEAR_POOR]),
    "near_end": ("class_end = %s", [NEAR]),
    "near_end_em": ("class_end = %s AND ethnic_minority", [NEAR]),
}
# The two stock identities of the module docstring: (start, arrivals, departures, end) column names.
POOR_BALANCE = (
    "poor_start",
    ("new_poor_outside", "relapsed_poor", "near_to_poor"),
    ("escaped_poor_outside", "poor_to_near"),
    "poor_end",
)
NEAR_BALANCE = (
    "near_start",
    ("new_near", "relapsed_near", "poor_to_near"),
    ("escaped_near", "near_to_poor"),
    "near_end",
)


def balance_gap(counts: dict[str, int], balance=POOR_BALANCE) -> int:
    """start + arrivals − departures − end: zero when the row balances."""
    start, arrivals, departures, end = balance
    return counts[start] + sum(counts[k] for k in arrivals) - sum(counts[k] for k in departures) - counts[end]


COUNT_FIELDS = list(COUNT_FILTERS)


# The rule of TRANSITION_CASE (and of households.history.transition) over already computed columns, for the
# grouped count: written out once more because the ORM would inline the status subqueries into every WHEN.
# The tests check all three forms agree on random histories.
TRANSITION_SQL = """
    CASE
        WHEN (class_start = %s AND class_end = %s) OR (class_start = %s AND class_end = %s) THEN %s
        WHEN class_end = %s AND class_start = %s THEN %s
        WHEN class_end = %s AND was_poor THEN %s
        WHEN class_end = %s THEN %s
        WHEN class_end = %s AND class_start = %s THEN %s
        WHEN class_end = %s AND was_near THEN %s
        WHEN class_end = %s THEN %s
        WHEN class_start = %s THEN %s
        WHEN class_start = %s THEN %s
    END
"""
TRANSITION_SQL_PARAMS = [
    *(POOR, POOR, NEAR, NEAR, Transition.REMAINS),
    *(POOR, NEAR, Transition.NEAR_POOR_TO_POOR),
    *(POOR, Transition.RELAPSED_POOR),
    *(POOR, Transition.NEW_POOR),
    *(NEAR, POOR, Transition.ESCAPED_POOR),
    *(NEAR, Transition.RELAPSED_NEAR_POOR),
    *(NEAR, Transition.NEW_NEAR_POOR),
    *(POOR, Transition.ESCAPED_POOR),
    *(NEAR, Transition.ESCAPED_NEAR_POOR),
]


# Each household's classes on the day before each period and on its last day (the record in force with the latest
# start, like _class_on) and whether it was ever poor / near-poor before the period (like _had_class_before), from its
# status records in one grouped pass instead of four correlated lookups per household: one group per household, with
# these four columns per period counted (``{i}``), each over the records begun by the period's last day.
# ``counted_from`` is the record's start, or -infinity for a household's first record when it is an opening balance
# (module docstring): one window over the same rows, not a lookup per household (the first record begun by a period's
# last day is the household's first record, so one window serves every period).
RECORDS_SQL = """
    SELECT r.id, r.household_id, r.household_class, r.valid_from, r.valid_to,
           CASE WHEN r.opening_balance AND r.valid_from = min(r.valid_from) OVER (PARTITION BY r.household_id)
                THEN DATE '-infinity' ELSE r.valid_from END AS counted_from
      FROM {table} r JOIN base ON base.pk = r.household_id
     WHERE r.valid_from <= %s
"""
CLASSES_SQL = """
    (array_agg(sr.household_class ORDER BY sr.counted_from DESC, sr.id DESC) FILTER (
         WHERE sr.valid_from <= %s AND sr.counted_from <= %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)
    ))[1] AS class_start_{i},
    (array_agg(sr.household_class ORDER BY sr.counted_from DESC, sr.id DESC) FILTER (
         WHERE sr.valid_from <= %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)
    ))[1] AS class_end_{i},
    bool_or(sr.household_class = %s AND sr.counted_from < %s) FILTER (WHERE sr.valid_from <= %s) AS was_poor_{i},
    bool_or(sr.household_class = %s AND sr.counted_from < %s) FILTER (WHERE sr.valid_from <= %s) AS was_near_{i}
"""


def _aggregate(households: QuerySet, period: ReportPeriod, level: str | None, also_by: str | None = None) -> list[dict]:
    """The figures of one period (``_aggregate_periods``)."""
    return _aggregate_periods(households, [period], level, also_by)[0]


def _aggregate_periods(
    households: QuerySet, periods: list[ReportPeriod], level: str | None, also_by: str | None = None
) -> list[list[dict]]:
    """One statement for every period of ``periods``: the households counted (scoping from the ORM), their classes
    in each period from one grouped pass over their status records, their movement derived from them, then every
    figure counted with a FILTER, grouped by period and by the unit of ``level`` (and, with ``also_by``, by the unit
    of that level inside it as well: each line then has a ``sub_key``; the summary table counts a commune's
    villages this way). Returns each period's lines, in the order of ``periods``.

    The household part is materialised so PostgreSQL reads it once for the joins and for the final count; a
    household without status records is still counted (``households``), with no class; a household archived on or
    before a period's last day is not counted in that period. The summaries' three periods in one statement read the
    households and their records once instead of three times (docs/performance.md, "Tenth pass").
    """
    if not periods:
        return []
    base = households
    if level is not None:
        base = base.annotate(unit_key=_group_key(level))
    else:
        base = base.annotate(unit_key=Value(0, output_field=IntegerField()))
    keys = ["unit_key"]
    if also_by is not None:
        base = base.annotate(sub_key=_group_key(also_by))
        keys.append("sub_key")
    base_sql, base_params = base.values("pk", *keys, "ethnic_minority").order_by().query.sql_with_params()
    classes, classes_params = [], []
    values, values_params = [], []
    for i, period in enumerate(periods):
        before, end = period.before, period.end
        classes.append(CLASSES_SQL.format(i=i))
        classes_params += [end, before, before, end, end, POOR, before, end, NEAR, before, end]
        values.append(f"({i}, c.class_start_{i}, c.class_end_{i}, c.was_poor_{i}, c.was_near_{i}, %s::date)")
        values_params.append(end)
    # the archive's day as the ORM's ``at__date`` reads it (the current time zone's date)
    archived_on, archived_params = connection.ops.datetime_cast_date_sql(
        'u."at"', (), timezone.get_current_timezone_name()
    )
    filters, filter_params = [], []
    for name, (condition, values_of) in COUNT_FILTERS.items():
        filters.append(f'COUNT(*) FILTER (WHERE {condition}) AS "{name}"')
        filter_params += [str(value) for value in values_of]
    sql = (
        f"WITH base AS MATERIALIZED ({base_sql}), "
        f"records AS ({RECORDS_SQL.format(table=StatusRecord._meta.db_table)}), "
        f"classes AS (SELECT sr.household_id, {', '.join(classes)} FROM records sr GROUP BY sr.household_id), "
        f"movements AS (SELECT v.period, {', '.join('base.' + key for key in keys)}, base.ethnic_minority, "
        f"v.class_start, v.class_end, {TRANSITION_SQL} AS transition "
        f"FROM base LEFT JOIN classes c ON c.household_id = base.pk "
        f"CROSS JOIN LATERAL (VALUES {', '.join(values)}) v(period, class_start, class_end, was_poor, was_near, last) "
        f"WHERE NOT EXISTS (SELECT 1 FROM {ChangeEntry._meta.db_table} u WHERE u.household_id = base.pk "
        f"AND u.action = 'archive' AND {archived_on} <= v.last)) "
        f"SELECT period, {', '.join(keys)}, {', '.join(filters)} FROM movements GROUP BY period, {', '.join(keys)}"
    )
    params = [
        *base_params,
        max(period.end for period in periods),
        *classes_params,
        *(str(value) for value in TRANSITION_SQL_PARAMS),
        *values_params,
        *archived_params,
        *filter_params,
    ]
    lines: list[list[dict]] = [[] for _period in periods]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        for row in cursor.fetchall():
            line = dict(zip(columns, row, strict=True))
            lines[line.pop("period")].append(line)
    return lines


def _group_key(level: str):
    """The unit of ``level`` a household belongs to, as a column of the household row (no extra join per row)."""
    if level == UnitLevel.VILLAGE:
        return F("village_id")
    if level == UnitLevel.COMMUNE:
        return F("commune_id")
    if level == UnitLevel.DISTRICT:
        return Case(When(commune__parent__level=UnitLevel.DISTRICT, then=F("commune__parent_id")), default=None)
    return Case(
        When(commune__parent__level=UnitLevel.PROVINCE, then=F("commune__parent_id")),
        default=F("commune__parent__parent_id"),
        output_field=IntegerField(),
    )


def transition_counts(households: QuerySet, period: ReportPeriod, level: str) -> dict[int, dict[str, int]]:
    """Counts of every movement per unit of ``level``, in one grouped query: {unit id: {field: count}}."""
    return transition_counts_of_periods(households, [period], level)[0]


def transition_counts_of_periods(
    households: QuerySet, periods: list[ReportPeriod], level: str
) -> list[dict[int, dict[str, int]]]:
    """``transition_counts`` of each of ``periods``, in their order, from one statement (``_aggregate_periods``: the
    households and their records read once)."""
    return [
        {row.pop("unit_key"): row for row in rows if row["unit_key"] is not None}
        for rows in _aggregate_periods(households, periods, level)
    ]


# --- rows with rates -------------------------------------------------------------------------------------------


def percent(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Denominator:
    households: int | None
    source: str  # "population", "communes", "registry", "missing"
    note: str = ""


@dataclass
class TransitionRow:
    unit: AdministrativeUnit | None
    counts: dict[str, int]
    start_total: Denominator
    end_total: Denominator
    rates: dict[str, Decimal | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        start, end = self.start_total.households, self.end_total.households
        c = self.counts
        self.rates = {
            "poor_start": percent(c["poor_start"], start),
            "poor_start_em": percent(c["poor_start_em"], start),
            "escaped_poor": percent(c["escaped_poor"], start),
            "escaped_poor_outside": percent(c["escaped_poor_outside"], start),
            "poor_to_near": percent(c["poor_to_near"], start),
            "relapsed_poor": percent(c["relapsed_poor"], end),
            "new_poor": percent(c["new_poor"], end),
            "new_poor_outside": percent(c["new_poor_outside"], end),
            "near_to_poor": percent(c["near_to_poor"], end),
            "poor_end": percent(c["poor_end"], end),
            "poor_end_em": percent(c["poor_end_em"], end),
            "near_start": percent(c["near_start"], start),
            "near_start_em": percent(c["near_start_em"], start),
            "escaped_near": percent(c["escaped_near"], start),
            "relapsed_near": percent(c["relapsed_near"], end),
            "new_near": percent(c["new_near"], end),
            "near_end": percent(c["near_end"], end),
            "near_end_em": percent(c["near_end_em"], end),
        }
        before, after = self.rates["poor_start"], self.rates["poor_end"]
        self.rates["poor_reduction"] = before - after if before is not None and after is not None else None

    @property
    def net_poor_reduction(self) -> int:
        return self.counts["poor_start"] - self.counts["poor_end"]


@dataclass
class TransitionTable:
    period: ReportPeriod
    level: str
    scope: AdministrativeUnit | None
    rows: list[TransitionRow]
    total: TransitionRow
    # the summary rows the counts came from (households.summary.DashboardFigures), None when counted live: the page
    # says when they were computed and which communes are being updated
    figures: object | None = None


class Populations:
    """The population records in the scope, read once (one query), answering "how many households (or persons,
    ``field="persons"``) in U in Y": the unit's own record, else the sum of its communes' when every one has one."""

    def __init__(self, scope_q: Q, years: set[int], field: str = "households"):
        self.field = field
        records = (
            UnitPopulation.objects.filter(scope_q, year__lte=max(years))
            .order_by("unit_id", "-year")
            .values("unit_id", "unit__path", "unit__level", "year", "households", "persons", "source")
        )
        self.by_unit: dict[int, list[dict]] = defaultdict(list)
        for record in records:
            self.by_unit[record["unit_id"]].append(record)

    def own(self, unit_id: int, year: int) -> dict | None:
        record = next((r for r in self.by_unit.get(unit_id, []) if r["year"] <= year), None)
        return record if record and record[self.field] else None  # the record in force, if it has the figure

    def for_unit(
        self, unit: AdministrativeUnit, year: int, registry: int | None, communes: list[tuple[int, str]]
    ) -> Denominator:
        """The unit's figure in force in ``year``; ``registry`` is the fallback (None: no fallback, the row says the
        figure is missing)."""
        record = self.own(unit.pk, year)
        if record:
            return Denominator(record[self.field], "population", f"{record['source']} ({record['year']})")
        if unit.level in (UnitLevel.DISTRICT, UnitLevel.PROVINCE):
            inside = [pk for pk, path in communes if path.startswith(unit.path)]
            found = [self.own(pk, year) for pk in inside]
            if inside and all(found):
                note = (
                    _("Cộng số hộ dân cư của %(n)s xã") if self.field == "households" else _("Cộng số dân của %(n)s xã")
                )
                return Denominator(sum(r[self.field] for r in found), "communes", note % {"n": len(inside)})
        if registry is None:
            if self.field == "persons":
                return Denominator(None, "missing", _("Chưa có số dân"))
            return Denominator(None, "missing", _("Chưa có số hộ dân cư đầu kỳ"))
        return Denominator(registry or None, "registry", _("Số hộ trong sổ theo dõi"))


def unit_population(unit: AdministrativeUnit, year: int, field: str = "households") -> Denominator:
    """The official population (UnitPopulation) of one unit in force in ``year``: its own record, else its communes'
    records added up when every commune has one, else missing ("Chưa có số dân") — never the registry. Two queries."""
    communes = []
    if unit.level in (UnitLevel.DISTRICT, UnitLevel.PROVINCE):
        communes = list(
            AdministrativeUnit.objects.filter(path__startswith=unit.path, level=UnitLevel.COMMUNE)
            .valid_on(date(year, 12, 31))
            .values_list("pk", "path")
        )
    populations = Populations(Q(unit__path__startswith=unit.path), {year}, field)
    return populations.for_unit(unit, year, None, communes)


def units_of_level(user, level: str, within: AdministrativeUnit | None = None) -> list[AdministrativeUnit]:
    """The units of ``level`` the user may see (inside ``within`` if given), in official code order."""
    units = AdministrativeUnit.objects.visible_to(user).valid_on().filter(level=level).select_related("parent")
    if within is not None:
        units = units.filter(path__startswith=within.path)
    return sorted(units, key=lambda u: (u.parent.code if u.parent_id else "", u.code))


def levels_for(unit: AdministrativeUnit | None) -> list[tuple[str, str]]:
    """The levels a table can be grouped by below (or at) ``unit``: a commune by village, a district by both…"""
    if unit is None:
        return LEVELS
    allowed = LEVEL_ORDER[LEVEL_ORDER.index(unit.level) :] if unit.level in LEVEL_ORDER else []
    return [(value, label) for value, label in LEVELS if value in allowed]


def transition_table(
    user,
    *,
    period: ReportPeriod,
    level: str,
    scope: AdministrativeUnit | None,
    grouped: list[dict] | None = None,
    exact: bool = False,
) -> TransitionTable:
    """One row per unit of ``level`` inside ``scope`` (the user's unit by default), and a total row.

    The counts come from the communes' summary rows (households.summary, docs/adr/0036 and 0041) when the period is
    one the table holds — this year up to today (the page's default), the whole of last year, or a period of the
    report calendar such as the 6-month report's 01/01–30/06 — and are counted live otherwise. A few stale
    communes are counted live in the request; more are shown from their last rows and ``figures.pending`` names
    them, unless ``exact`` (a report's snapshot), which counts every one of them live.

    Queries: the units, the grouped counts (the total is their sum; from the summary: the communes and their rows),
    the population records and (when a district or province is summed from communes that are not the rows) the
    communes — at most five whatever the number of units and households. ``grouped`` gives the counts already
    grouped by unit (``_aggregate``'s shape) instead of counting them.
    """
    households = Household.objects.visible_to(user)
    visible_units = unit_scope_q(user)
    if scope is not None:
        households = households.filter(village__path__startswith=scope.path)
        visible_units &= Q(path__startswith=scope.path)
    units = units_of_level(user, level, scope)
    figures = None
    if grouped is None:
        from .summary import summary_figures_for_period  # the summary module reads this one

        figures = summary_figures_for_period(user, scope, period, exact=exact, villages=level == UnitLevel.VILLAGE)
        grouped = figures.grouped(level) if figures is not None else _aggregate(households, period, level)
    counts = {row["unit_key"]: row for row in grouped if row["unit_key"] is not None}
    # Every household falls in exactly one group (the None group: no unit of that level), so the total is a sum.
    total_counts = {name: sum(row[name] for row in grouped) for name in COUNT_FIELDS}
    population_scope = unit_scope_q(user, "unit")
    if scope is not None:
        population_scope &= Q(unit__path__startswith=scope.path)
    populations = Populations(population_scope, {period.end.year})
    summed = {UnitLevel.DISTRICT, UnitLevel.PROVINCE}
    needs_communes = level in summed or (scope is not None and scope.level in summed)
    if level == UnitLevel.COMMUNE:
        communes = [(unit.pk, unit.path) for unit in units]  # the rows are the communes: no second read
    elif needs_communes:
        communes = list(
            AdministrativeUnit.objects.filter(visible_units, level=UnitLevel.COMMUNE)
            .valid_on()
            .values_list("pk", "path")
        )
    else:
        communes = []
    empty = dict.fromkeys(COUNT_FIELDS, 0)
    rows = []
    for unit in units:
        row_counts = counts.get(unit.pk, empty)
        rows.append(
            TransitionRow(
                unit=unit,
                counts=row_counts,
                # the start: the population in force then, never the registry of today (module docstring)
                start_total=populations.for_unit(unit, period.before.year, None, communes),
                end_total=populations.for_unit(unit, period.end.year, row_counts["households"], communes),
            )
        )
    if scope is not None:
        start_total = populations.for_unit(scope, period.before.year, None, communes)
        end_total = populations.for_unit(scope, period.end.year, total_counts["households"], communes)
    else:
        start_total = _sum_denominators([r.start_total for r in rows], None)
        end_total = _sum_denominators([r.end_total for r in rows], total_counts["households"])
    total = TransitionRow(unit=scope, counts=total_counts, start_total=start_total, end_total=end_total)
    return TransitionTable(period=period, level=level, scope=scope, rows=rows, total=total, figures=figures)


def _sum_denominators(parts: list[Denominator], registry: int | None) -> Denominator:
    if parts and all(p.source in ("population", "communes") for p in parts):
        return Denominator(sum(p.households or 0 for p in parts), "communes", _("Cộng các đơn vị"))
    if registry is None:
        return Denominator(None, "missing", _("Chưa có số hộ dân cư đầu kỳ"))
    return Denominator(registry or None, "registry", _("Số hộ trong sổ theo dõi"))
