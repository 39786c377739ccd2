"""Report figures on support delivered, for any unit and period — one module the reports call.

Every number is aggregated in PostgreSQL from ``Benefit`` rows of the unit's households (the unit and below,
through the materialised path), belonging to the period, optionally narrowed to what a user may see. The layout
follows sections 3.1–3.8 of report 209/BC-UBND of Krông Pa (seed 004): credit, health insurance, education, housing,
water and sanitation, production, vocational training, extension/resettlement, rice relief, electricity and other aid.

A record belongs to the period by its date (disbursement, card, payment), except a record paid for a quarter
(electricity, the only kind that carries ``period_year``/``period_quarter``): it belongs to the period in which the
quarter begins, whatever day it was paid ("chi trả tiền điện hỗ trợ quý I, quý II năm 2021 cho 1.997 hộ": the
six-month report counts the quarters of the half-year, a second-quarter payment made in July included).

``grouped_figures`` gives the same figures for each of a list of child units (a district's communes, a commune's
villages, a province's districts) from one grouped pass per figure family, the child being a grouping key;
``unit_figures`` is that form with the unit as its only group, so each figure has one implementation.

Target groups are the household's official status on the benefit's date (``Benefit.household_status``);
denominators ("share of poor households borrowing") are the households with that status at the period's end.

Keys of ``unit_figures`` the periodic reports read (besides the per-programme table ``programmes``):

- ``credit["programme_shares"]``: one row per credit programme of the catalogue, in its order (``Programme.order``),
  that has loans in the period or is in force during it — seed 004 §3.1: "269 hộ nghèo vay vốn, chiếm 11,5% tổng
  số hộ nghèo (2.342 hộ); 366 hộ cận nghèo vay vốn, chiếm 12,9% …; 429 hộ mới thoát nghèo vay vốn, chiếm 22,9% …;
  258 hộ vay vốn làm công trình vệ sinh, nước sinh hoạt; 329 hộ … sản xuất kinh doanh; … việc làm cho 117 hộ".
  Each row: ``code``, ``name`` (short name), ``loans``, ``households`` (distinct borrowers), ``amount``,
  ``outstanding``, ``overdue``; and for a programme whose catalogue entry names exactly one of the three target
  groups (VBSP_POOR → poor, VBSP_NEAR_POOR → near_poor, VBSP_ESCAPED → recently_escaped): ``target_group``,
  ``group_households`` (its borrowers whose status on the loan date was that group), ``group_total`` (households of
  that status at the period's end) and ``share`` (% with one decimal, None without a denominator). Other
  programmes have ``target_group`` None and those three None. The older ``credit["groups"]`` counts borrowers of
  any credit programme by status, which is not the seed's meaning; it stays for the support-figures page.
- ``health_insurance``: cards issued in the period in the groups and order of seed 004 §3.2 ("Người DTTS …;
  Người kinh vùng III …; Người nghèo …; Người thuộc hộ cận nghèo …; các đối tượng khác …"), each card in exactly
  one group, the first that applies: ``ethnic_minority`` (the member belongs to an ethnic minority),
  ``kinh_region_iii`` (not a minority, and the household's commune is on the card's programme's list of region III
  communes, parameter ``region_iii_commune_codes``), ``poor``, ``near_poor`` (status on the card's date), ``other``.
  ``by_group`` maps those keys to counts, ``groups`` lists ``{"key", "label", "cards"}`` in that order,
  ``cards`` = their sum. ``population`` is the official number of persons (``UnitPopulation.persons`` of the unit in
  force at the period's end, or its communes' added up when every commune has it), None when missing, with
  ``population_note`` ("Chưa có số dân" then); ``insured`` the people of the registry with a card valid on the
  period's last day; ``rate`` = insured / population (None without a population). ``registry_members`` is the
  number of people in the registry, never a denominator.
- ``electricity``: the totals of ``kind_totals`` by the quarter paid for, and ``quarters``: one row per
  (``year``, ``quarter``) with ``households`` and ``amount``.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Func, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from households.choices import HouseholdState
from households.models import Household, Member, StatusRecord
from households.transitions import Populations

from .choices import HousingWork, ProgrammeKind, TargetStatus
from .models import Benefit, Programme
from .status import LISTS, escaped_since, status_q

HOUSING_INDICATORS = ["housing_quality", "housing_area"]  # NĐ 07/2021: the two housing indicators
BORROWER_GROUPS = (TargetStatus.POOR, TargetStatus.NEAR_POOR, TargetStatus.RECENTLY_ESCAPED)
# Seed 004 §3.2, in its order; a card falls in the first group that applies (card_group).
CARD_GROUPS = ("ethnic_minority", "kinh_region_iii", "poor", "near_poor", "other")
CARD_GROUP_LABELS = {
    "ethnic_minority": gettext_lazy("Người DTTS"),
    "kinh_region_iii": gettext_lazy("Người Kinh vùng III"),
    "poor": gettext_lazy("Người thuộc hộ nghèo"),
    "near_poor": gettext_lazy("Người thuộc hộ cận nghèo"),
    "other": gettext_lazy("Các đối tượng khác"),
}
REGION_III_KEY = "region_iii_commune_codes"


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @classmethod
    def half_year(cls, year: int, half: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 6, 30)) if half == 1 else cls(date(year, 7, 1), date(year, 12, 31))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def quarters_in(period: Period) -> list[tuple[int, int]]:
    """The (year, quarter) pairs whose first day falls within the period."""
    pairs = []
    for year in range(period.start.year, period.end.year + 1):
        for quarter in range(1, 5):
            if period.start <= date(year, 3 * quarter - 2, 1) <= period.end:
                pairs.append((year, quarter))
    return pairs


def in_period_q(period: Period) -> Q:
    """A record belongs to the period by its date, a record paid for a quarter by the quarter (module docstring)."""
    by_quarter = Q(pk__in=[])
    for year in {year for year, _quarter in quarters_in(period)}:
        quarters = [q for y, q in quarters_in(period) if y == year]
        by_quarter |= Q(period_year=year, period_quarter__in=quarters)
    dated = Q(period_quarter__isnull=True, date__gte=period.start, date__lte=period.end)
    return dated | (Q(period_quarter__isnull=False) & by_quarter)


def benefits_in(unit, period: Period, user=None):
    """The benefits of the unit's households that belong to the period (and visible to ``user`` if given)."""
    return benefits_of(Grouping(unit), period, user)


def households_in(unit, user=None):
    return households_of(Grouping(unit), user)


def benefits_of(grouping: "Grouping", period: Period, user=None):
    """The benefits of the grouping's scope (a unit and below, or a list of communes) belonging to the period."""
    qs = Benefit.objects.active().filter(in_period_q(period), grouping.scope_q("household__"))
    return qs.visible_to(user) if user is not None else qs


def households_of(grouping: "Grouping", user=None):
    qs = Household.objects.filter(grouping.scope_q()).active()
    return qs.visible_to(user) if user is not None else qs


class Grouping:
    """The units a grouped pass reports on (children of ``unit``, or ``unit`` alone) and how a row falls into one:
    by its household's commune or village (columns of the household), else by the prefix of its village's
    materialised path (a province's districts); ``unit`` alone is one group. Every household of the scope falls in
    at most one group, so distinct counts per group add up to the scope's. ``Grouping.of_communes`` is a scope of
    chosen communes, each its own group, read through the households' commune column (the summary's refresh)."""

    def __init__(self, unit, children=None):
        self.unit = unit
        self.communes: list[int] | None = None
        self.children = list(children) if children is not None else [unit]
        levels = {child.level for child in self.children}
        depths = {child.path.count("/") for child in self.children}
        if not self.children or [child.pk for child in self.children] == [unit.pk]:
            self.mode = "one"
        elif levels == {UnitLevel.COMMUNE}:
            self.mode = "commune"
        elif levels == {UnitLevel.VILLAGE}:
            self.mode = "village"
        elif len(depths) == 1:
            self.mode = "path"
            # the child's path is the first segments of its villages' paths: "/1/12/" of "/1/12/13/27/"
            self.pattern = f"^((?:[^/]*/){{{depths.pop()}}})"
        else:
            raise ValueError("children of one grouped pass must be of one level")

    @classmethod
    def of_communes(cls, commune_ids) -> "Grouping":
        """The households of these communes (and nothing else), grouped by commune, keyed by the commune's pk."""
        grouping = cls.__new__(cls)
        grouping.unit, grouping.children, grouping.mode = None, [], "commune"
        grouping.communes = sorted(commune_ids)
        return grouping

    def scope_q(self, household: str = "") -> Q:
        """The rows whose household (reached through ``household``) is in the scope."""
        if self.communes is not None:
            return Q(**{f"{household}commune_id__in": self.communes})
        return Q(**{f"{household}village__path__startswith": self.unit.path})

    def key(self, child):
        return child.path if self.mode == "path" else child.pk

    def expression(self, household: str = "household__"):
        """The group key of a row reaching its household through ``household`` ("" for a household itself)."""
        if self.mode == "one":
            return Value(self.unit.pk, output_field=IntegerField())
        if self.mode == "commune":
            return F(f"{household}commune")
        if self.mode == "village":
            return F(f"{household}village")
        return Func(F(f"{household}village__path"), Value(self.pattern), function="substring", output_field=CharField())

    def group_keys(self):
        if self.communes is not None:
            return list(self.communes)
        return [self.key(child) for child in self.children]


def _grouped(queryset, grouping: Grouping, *fields, household: str = "household__", **measures):
    """``queryset`` aggregated by group (and ``fields``): rows with ``unit_key``, the fields and the measures."""
    return (
        queryset.annotate(unit_key=grouping.expression(household))
        .values("unit_key", *fields)
        .annotate(**measures)
        .order_by()
    )


def _empty(measures: dict) -> dict:
    """What ``aggregate`` gives for no rows: 0 for counts, a Coalesce's fallback for sums."""
    empty = {}
    for name, measure in measures.items():
        if isinstance(measure, Coalesce):
            empty[name] = measure.get_source_expressions()[1].value
        else:
            empty[name] = 0
    return empty


def _by_group(rows, grouping: Grouping, measures: dict) -> dict:
    """One dict of measures per group key, the empty aggregate for a group without rows."""
    found = {row["unit_key"]: {k: row[k] for k in measures} for row in rows}
    return {key: found.get(key) or _empty(measures) for key in grouping.group_keys()}


def of_kind(programmes: dict | None, *kinds) -> Q:
    """Benefits of programmes of ``kinds``, named by primary key: the planner then estimates from the statistics of
    ``programme_id`` how many rows a kind has (a join to the catalogue is estimated as an average programme, which
    made it probe a district's households once per health-insurance card)."""
    if programmes is None:
        pks = list(Programme.objects.filter(kind__in=kinds).values_list("pk", flat=True))
    else:
        pks = [pk for pk, programme in programmes.items() if programme.kind in kinds]
    return Q(programme_id__in=pks)


MEASURES = {
    "records": Count("pk"),
    "households": Count("household", distinct=True),
    "members": Count("member", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
    "quantity": Coalesce(Sum("quantity"), None),
    "persons": Coalesce(Sum("persons"), 0),
    "overridden": Count("pk", filter=~Q(override_reason="")),
    # distinct decisions: the number of projects or models behind a programme's records (report 209/BC-UBND, 3.8).
    # A decision may cover several communes, so the parts keep the decisions themselves and the count is taken
    # once the communes are combined.
    "decisions": ArrayAgg("decision", distinct=True, filter=~Q(decision="")),
}


def programme_parts(benefits, grouping: Grouping, programmes: dict) -> dict:
    """Per group and programme (by str(pk)): the additive parts of MEASURES in total and per target group, and the
    people living in the households reached (two grouped queries, plus one for those people)."""
    parts: dict = {key: {} for key in grouping.group_keys()}

    def entry(key, pk):
        return parts.setdefault(key, {}).setdefault(str(pk), {"total": None, "by_status": {}, "people": 0})

    for row in _grouped(benefits, grouping, "programme", **MEASURES):
        entry(row["unit_key"], row["programme"])["total"] = {k: row[k] for k in MEASURES}
    for row in _grouped(benefits, grouping, "programme", "household_status", **MEASURES):
        entry(row["unit_key"], row["programme"])["by_status"][row["household_status"]] = {k: row[k] for k in MEASURES}
    for row in people_reached(benefits, grouping, programmes):
        entry(row["unit_key"], row["programme"])["people"] = row["n"]
    return parts


def programme_finish(part: dict, programmes: dict) -> list[dict]:
    """The per-programme rows of one unit from its parts: people reached by the programme's kind, decisions
    counted, quantities only where they are of one item (in kind)."""
    rows = []
    for spk, entry in part.items():
        programme = programmes.get(int(spk))
        if programme is None or entry["total"] is None:
            continue
        total = _measures_finish(entry["total"])
        if programme.is_member_level:
            reached = total["members"]
        elif programme.kind == ProgrammeKind.IN_KIND:
            reached = total["persons"]
        else:
            reached = entry["people"]
        by_status = {
            status: {"programme": programme.pk, "household_status": status, **_measures_finish(sub)}
            for status, sub in entry["by_status"].items()
        }
        if programme.kind != ProgrammeKind.IN_KIND:  # mixed items (cows, kg of seed): see in_kind_items instead
            total["quantity"] = None
            for sub in by_status.values():
                sub["quantity"] = None
        rows.append(
            {
                "programme": programme,
                "code": programme.code,
                **{k: total[k] for k in MEASURES},
                "people_reached": reached,
                "by_status": by_status,
            }
        )
    return sorted(rows, key=lambda r: (r["programme"].order, r["code"]))


def _measures_finish(measures: dict) -> dict:
    """Parts of MEASURES as figures: decisions counted, a quantity back to a Decimal."""
    return {
        **measures,
        "decisions": len(measures.get("decisions") or []),
        "quantity": _decimal(measures.get("quantity")),
    }


def people_reached(benefits, grouping: Grouping, programmes: dict):
    """Per group and household-level programme (neither member-level nor in kind, which count their own people): the
    people living in the households the programme reached. One pass: the distinct (programme, household) pairs,
    each weighted by the household's present members, instead of a join of every member with every benefit."""
    household_level = [pk for pk, p in programmes.items() if not p.is_member_level and p.kind != ProgrammeKind.IN_KIND]
    pairs = (
        benefits.filter(programme__in=household_level)
        .annotate(unit_key=grouping.expression())
        .values("unit_key", "programme", "household")
        .distinct()
        .order_by()
    )
    pairs_sql, pairs_params = pairs.query.sql_with_params()
    sql = f"""
        WITH pairs (unit_key, programme, household) AS MATERIALIZED ({pairs_sql})
        SELECT pairs.unit_key, pairs.programme, SUM(present.n)
          FROM pairs
          JOIN (SELECT m.household_id, COUNT(*) AS n FROM {Member._meta.db_table} m
                 WHERE m.left_at IS NULL AND m.household_id IN (SELECT household FROM pairs)
                 GROUP BY m.household_id) present ON present.household_id = pairs.household
         GROUP BY pairs.unit_key, pairs.programme
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, pairs_params)
        return [{"unit_key": key, "programme": pk, "n": int(n)} for key, pk, n in cursor.fetchall()]


# Official status on ``day`` (programs.status.status_q, row for row) from each household's status records in one
# grouped pass: which classes are in force on the day, and whether a list period ended recently. A household is
# "recently escaped" when such a period ended and it is on no list that day; its class in force is then not
# counted, like status_q does for every status but the two lists.
STATUS_FLAGS_SQL = """
    SELECT hh.unit_key,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_poor,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_near_poor,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_average_living,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_non_poor,
           bool_or(sr.household_class IN (%s, %s) AND sr.valid_to >= %s AND sr.valid_to < %s) AS ended
      FROM {table} sr
      JOIN ({households}) hh ON hh.pk = sr.household_id
     WHERE sr.valid_from <= %s
     GROUP BY sr.household_id, hh.unit_key
"""
STATUS_COUNTS_SQL = """
    SELECT unit_key,
           COUNT(*) FILTER (WHERE on_poor) AS poor,
           COUNT(*) FILTER (WHERE on_near_poor) AS near_poor,
           COUNT(*) FILTER (WHERE ended AND NOT (on_poor OR on_near_poor)) AS recently_escaped,
           COUNT(*) FILTER (WHERE on_average_living AND NOT (ended AND NOT (on_poor OR on_near_poor)))
               AS average_living,
           COUNT(*) FILTER (WHERE on_non_poor AND NOT (ended AND NOT (on_poor OR on_near_poor))) AS non_poor
      FROM ({flags}) flags
     GROUP BY unit_key
"""
STATUS_KEYS = ("poor", "near_poor", "recently_escaped", "average_living", "non_poor")


def grouped_status_counts(grouping: Grouping, day: date, user=None, years: int = 3) -> dict:
    """Households of each group by official status on ``day`` (the denominators of the shares), in one statement:
    the status records of the scope's households grouped once, whatever the number of households and groups."""
    households = households_of(grouping, user).annotate(unit_key=grouping.expression(""))
    households_sql, households_params = households.values("pk", "unit_key").order_by().query.sql_with_params()
    threshold = escaped_since(day, years) - timedelta(days=1)  # valid_to = the day before leaving the list
    flags = STATUS_FLAGS_SQL.format(table=StatusRecord._meta.db_table, households=households_sql)
    params = []
    for household_class in (TargetStatus.POOR, TargetStatus.NEAR_POOR, TargetStatus.AVERAGE_LIVING):
        params += [str(household_class), day]
    params += [str(TargetStatus.NON_POOR), day, *LISTS, threshold, day, *households_params, day]
    with connection.cursor() as cursor:
        cursor.execute(STATUS_COUNTS_SQL.format(flags=flags), params)
        found = {row[0]: dict(zip(STATUS_KEYS, row[1:], strict=True)) for row in cursor.fetchall()}
    return {key: found.get(key) or dict.fromkeys(STATUS_KEYS, 0) for key in grouping.group_keys()}


def status_counts(unit, day: date, user=None, years: int = 3) -> dict[str, int]:
    """Households of the unit by official status on ``day`` (grouped_status_counts with one group)."""
    return grouped_status_counts(Grouping(unit), day, user, years)[unit.pk]


def target_group_of(programme: Programme) -> str | None:
    """The one target group a credit programme lends to (poor, near-poor, recently escaped), read from the
    catalogue's eligible statuses; None for programmes open to several groups or to anyone (water, jobs…)."""
    groups = [status for status in programme.eligible_statuses or [] if status in BORROWER_GROUPS]
    return groups[0] if len(groups) == 1 and len(programme.eligible_statuses) == 1 else None


SHARE_MEASURES = {
    "loans": Count("pk"),
    "households": Count("household", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
    "outstanding": Coalesce(Sum("outstanding"), 0),
    "overdue": Coalesce(Sum("overdue"), 0),
    **{f"of_{g}": Count("household", distinct=True, filter=Q(household_status=g)) for g in BORROWER_GROUPS},
}


def programme_shares(grouped: dict, programmes: dict, denominators: dict[str, int], period: Period | None) -> list:
    """Per credit programme, in catalogue order: loans, borrowers, money, and for the three target-group
    programmes how many borrowers were of that group and what share of all households of the group (seed 004 §3.1;
    module docstring), from one group's rows of SHARE_MEASURES by programme."""
    credit = sorted((p for p in programmes.values() if p.kind == ProgrammeKind.CREDIT), key=lambda p: (p.order, p.code))
    rows = []
    for programme in credit:
        in_force = period is not None and (
            programme.valid_from <= period.end and (programme.valid_to is None or programme.valid_to >= period.start)
        )
        if programme.pk not in grouped and not in_force:
            continue
        row = grouped.get(programme.pk) or dict.fromkeys(SHARE_MEASURES, 0)
        group = target_group_of(programme)
        whole = denominators.get(group, 0) if group else None
        part = row[f"of_{group}"] if group else None
        rows.append(
            {
                "code": programme.code,
                "name": programme.short_name,
                **{k: row[k] for k in ("loans", "households", "amount", "outstanding", "overdue")},
                "target_group": group,
                "group_households": part,
                "group_total": whole,
                "share": _share(part, whole) if group else None,
            }
        )
    return rows


CREDIT_MEASURES = {
    "loans": Count("pk"),
    "households": Count("household", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
    "outstanding": Coalesce(Sum("outstanding"), 0),
    "overdue": Coalesce(Sum("overdue"), 0),
    **{f"borrowers_{g}": Count("household", distinct=True, filter=Q(household_status=g)) for g in BORROWER_GROUPS},
}


def credit_parts(benefits, grouping: Grouping, programmes: dict) -> dict:
    """Per group: the additive parts of the credit figures — CREDIT_MEASURES in total and SHARE_MEASURES per
    programme (two grouped queries)."""
    loans = benefits.filter(of_kind(programmes, ProgrammeKind.CREDIT))
    totals = _by_group(_grouped(loans, grouping, **CREDIT_MEASURES), grouping, CREDIT_MEASURES)
    per_programme: dict = {key: {} for key in grouping.group_keys()}
    for row in _grouped(loans, grouping, "programme", **SHARE_MEASURES):
        per_programme.setdefault(row["unit_key"], {})[str(row["programme"])] = {k: row[k] for k in SHARE_MEASURES}
    return {key: {"total": totals[key], "programmes": per_programme[key]} for key in grouping.group_keys()}


def credit_finish(part: dict, programmes: dict, denominators: dict, period: Period | None) -> dict:
    """The credit figures of one unit: loans, borrowers, money, borrowers per target group with their shares of the
    households of that group, per programme."""
    total = part["total"]
    mine = {int(spk): row for spk, row in part["programmes"].items() if int(spk) in programmes}
    shares = {
        g: {
            "borrowers": total[f"borrowers_{g}"],
            "households": denominators.get(g, 0),
            "share": _share(total[f"borrowers_{g}"], denominators.get(g, 0)),
        }
        for g in BORROWER_GROUPS
    }
    by_programme = {
        programmes[pk].code: {
            "programme__code": programmes[pk].code,
            "households": row["households"],
            "amount": row["amount"],
            "loans": row["loans"],
        }
        for pk, row in mine.items()
    }
    return {
        **{k: v for k, v in total.items() if not k.startswith("borrowers_")},
        "groups": shares,
        "by_programme": by_programme,
        "programme_shares": programme_shares(mine, programmes, denominators, period),
    }


def region_iii_q() -> Q:
    """Cards of a household whose commune is on its programme's list of region III communes (xã khu vực III vùng
    đồng bào DTTS và miền núi: QĐ 582/QĐ-TTg ngày 28/4/2017 for 2016–2020, QĐ 861/QĐ-TTg ngày 04/6/2021 for
    2021–2025), a catalogue parameter an administrator fills in; each programme version carries its own list."""
    q = Q(pk__in=[])
    for pk, parameters in Programme.objects.filter(kind=ProgrammeKind.HEALTH_INSURANCE).values_list("pk", "parameters"):
        item = (parameters or {}).get(REGION_III_KEY)
        codes = item.get("value") if isinstance(item, dict) else None
        if codes:
            q |= Q(programme_id=pk, household__commune__code__in=list(codes))
    return q


def card_group(region_iii: Q | None = None):
    """The reported group of a card (seed 004 §3.2), the first that applies: ethnic minority, Kinh in a region III
    commune, poor, near-poor, other (average-living households included)."""
    return Case(
        When(member__ethnic_group__is_minority=True, then=Value("ethnic_minority")),
        When(region_iii if region_iii is not None else region_iii_q(), then=Value("kinh_region_iii")),
        When(household_status="poor", then=Value("poor")),
        When(household_status="near_poor", then=Value("near_poor")),
        default=Value("other"),
    )


def health_insurance_parts(benefits, grouping: Grouping, day: date, user=None, programmes: dict | None = None) -> dict:
    """Per group: cards issued by reported group and their money (one grouped query), the registry's people and
    those insured on ``day`` (one)."""
    card_programmes = of_kind(programmes, ProgrammeKind.HEALTH_INSURANCE)
    cards = benefits.filter(card_programmes)
    by_group = {key: dict.fromkeys(CARD_GROUPS, 0) for key in grouping.group_keys()}
    budget = dict.fromkeys(grouping.group_keys(), 0)
    for row in _grouped(
        cards.annotate(group=card_group()), grouping, "group", n=Count("pk"), a=Coalesce(Sum("amount"), 0)
    ):
        if row["unit_key"] in by_group:
            by_group[row["unit_key"]][row["group"]] = row["n"]
            budget[row["unit_key"]] += row["a"]
    people = Member.objects.filter(
        grouping.scope_q("household__"), left_at__isnull=True, household__state=HouseholdState.ACTIVE
    )
    if user is not None:  # households_in's scope, through the join the group key reads anyway
        people = people.filter(household__in=households_of(grouping, user))
    valid_registry = Q(health_insurance_valid_from__lte=day) | Q(health_insurance_valid_from__isnull=True)
    valid_registry &= Q(health_insurance_valid_to__gte=day)
    # A card recorded as a benefit, valid on the day: one set the whole count probes (a hashed subplan), not a join
    # that multiplies members by their cards and must be made distinct again.
    carded = Benefit.objects.filter(
        card_programmes,
        grouping.scope_q("household__"),
        card_valid_from__lte=day,
        card_valid_to__gte=day,
        cancelled_at__isnull=True,
        member__isnull=False,
    ).values("member_id")
    measures = {"members": Count("pk"), "insured": Count("pk", filter=valid_registry | Q(pk__in=carded))}
    with transaction.atomic(), connection.cursor() as cursor:
        # The carded set is probed as a hashed subplan only while it fits in work_mem: a province's ≈ 1,4 million
        # cards outgrow PostgreSQL's default 4 MB, and the planner then rescans the cards for every member (a
        # statement of hours at 1.000.000 households, 8 s with the hash; docs/performance.md, "Periodic reports").
        # SET LOCAL lasts until the enclosing transaction ends.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        counted = _by_group(_grouped(people, grouping, **measures), grouping, measures)
    return {key: {"by_group": by_group[key], "budget": budget[key], **counted[key]} for key in grouping.group_keys()}


def health_insurance_finish(part: dict, population) -> dict:
    """The health-insurance figures of one unit; the rate over the official population, never the registry's
    members (seed 004 §3.2: "… so với dân số của huyện")."""
    by_group = part["by_group"]
    return {
        "cards": sum(by_group.values()),
        "by_group": by_group,
        "groups": [
            {"key": group, "label": str(CARD_GROUP_LABELS[group]), "cards": by_group[group]} for group in CARD_GROUPS
        ],
        "population": population.households,
        "population_source": population.source,
        "population_note": population.note,
        "registry_members": part["members"],
        "insured": part["insured"],
        "rate": _share(part["insured"], population.households),
        "budget_amount": part["budget"],
    }


def grouped_population(grouping: Grouping, year: int) -> dict:
    """The official number of persons of each group's unit in force in ``year`` (households.transitions'
    unit_population, row for row): the population records and the communes of the scope read once."""
    unit = grouping.unit
    communes = []
    if any(child.level in (UnitLevel.DISTRICT, UnitLevel.PROVINCE) for child in grouping.children):
        communes = list(
            AdministrativeUnit.objects.filter(path__startswith=unit.path, level=UnitLevel.COMMUNE)
            .valid_on(date(year, 12, 31))
            .values_list("pk", "path")
        )
    populations = Populations(Q(unit__path__startswith=unit.path), {year}, "persons")
    return {grouping.key(child): populations.for_unit(child, year, None, communes) for child in grouping.children}


def housing_measures(day: date) -> dict:
    return {
        "households": Count("household", distinct=True),
        "new": Count("pk", filter=Q(housing_work=HousingWork.NEW)),
        "repair": Count("pk", filter=Q(housing_work=HousingWork.REPAIR)),
        "finished": Count("pk", filter=Q(finished_on__isnull=False, finished_on__lte=day)),
        "accepted": Count("pk", filter=Q(accepted_on__isnull=False, accepted_on__lte=day)),
        "central": Coalesce(Sum("amount_central"), 0),
        "local": Coalesce(Sum("amount_local"), 0),
        "mobilised": Coalesce(Sum("amount_mobilised"), 0),
        "household_part": Coalesce(Sum("amount_household"), 0),  # "household" below: a field's name in a grouped query
        "new_amount": Coalesce(Sum("amount", filter=Q(housing_work=HousingWork.NEW)), 0),
        "repair_amount": Coalesce(Sum("amount", filter=Q(housing_work=HousingWork.REPAIR)), 0),
    }


def housing_parts(benefits, grouping: Grouping, day: date, user=None, programmes: dict | None = None) -> dict:
    """Per group: houses new and repaired, finished and accepted by ``day``, money per source, and the poor
    households deprived in housing on ``day`` (two grouped queries)."""
    works = benefits.filter(of_kind(programmes, ProgrammeKind.HOUSING))
    measures = housing_measures(day)
    totals = _by_group(_grouped(works, grouping, **measures), grouping, measures)
    deprived = households_of(grouping, user).filter(
        status_q("poor", day), deprived_indicators__overlap=HOUSING_INDICATORS
    )
    deprived_by_group = {row["unit_key"]: row["n"] for row in _grouped(deprived, grouping, household="", n=Count("pk"))}
    return {key: {**totals[key], "deprived_poor": deprived_by_group.get(key, 0)} for key in grouping.group_keys()}


def housing_finish(part: dict) -> dict:
    totals = {k if k != "household_part" else "household": v for k, v in part.items() if k != "deprived_poor"}
    totals["total"] = totals["central"] + totals["local"] + totals["mobilised"] + totals["household"]
    totals["deprived_poor"] = part["deprived_poor"]
    return totals


def housing_by_group(benefits, grouping: Grouping, day: date, user=None, programmes: dict | None = None) -> dict:
    """Housing figures per group (housing_parts finished)."""
    return {key: housing_finish(part) for key, part in housing_parts(benefits, grouping, day, user, programmes).items()}


def housing_figures(benefits, unit, day: date, user=None) -> dict:
    """Housing figures of one unit (housing_by_group with one group)."""
    return housing_by_group(benefits, Grouping(unit), day, user)[unit.pk]


TRAINING_MEASURES = {
    "trainees": Count("member", distinct=True),
    "employed": Count("member", distinct=True, filter=Q(employed_after=True)),
    "certified": Count("member", distinct=True, filter=~Q(certificate="")),
    "poor": Count("member", distinct=True, filter=Q(household_status="poor")),
    "near_poor": Count("member", distinct=True, filter=Q(household_status="near_poor")),
    # the same course may run for several communes: the parts keep the names, counted once combined
    "courses": ArrayAgg("course_name", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
}


def training_parts(benefits, grouping: Grouping, programmes: dict) -> dict:
    trainees = benefits.filter(of_kind(programmes, ProgrammeKind.TRAINING))
    parts = _by_group(_grouped(trainees, grouping, **TRAINING_MEASURES), grouping, TRAINING_MEASURES)
    for part in parts.values():
        part["courses"] = part["courses"] or []
    return parts


def training_finish(part: dict) -> dict:
    return {**part, "courses": len(part["courses"])}


KIND_MEASURES = {
    **{name: MEASURES[name] for name in ("records", "households", "members", "amount", "quantity", "persons")},
    "poor_households": Count("household", distinct=True, filter=Q(household_status="poor")),
    "near_poor_households": Count("household", distinct=True, filter=Q(household_status="near_poor")),
}
TOTALLED_KINDS = (
    ProgrammeKind.EDUCATION,
    ProgrammeKind.WATER_SANITATION,
    ProgrammeKind.LIVELIHOOD,
    ProgrammeKind.ELECTRICITY,
    ProgrammeKind.IN_KIND,
    ProgrammeKind.OTHER,
)


def kind_totals(benefits, grouping: Grouping, programmes: dict) -> dict:
    """Per group and kind of support (TOTALLED_KINDS): records, households, members, money, quantity, persons and
    the poor and near-poor households among them — one grouped query for every kind."""
    rows = _grouped(benefits.filter(of_kind(programmes, *TOTALLED_KINDS)), grouping, "programme__kind", **KIND_MEASURES)
    found = {(row["unit_key"], row["programme__kind"]): row for row in rows}
    return {
        key: {
            str(kind): {k: (found.get((key, kind)) or _empty(KIND_MEASURES))[k] for k in KIND_MEASURES}
            for kind in TOTALLED_KINDS
        }
        for key in grouping.group_keys()
    }


def _kind_finish(part: dict) -> dict:
    return {**part, "quantity": _decimal(part["quantity"])}


def electricity_parts(benefits, grouping: Grouping, programmes: dict) -> dict:
    """Electricity support by the quarter paid for (module docstring): per group, the households and money of each
    (year, quarter), keyed by ``_row_key``."""
    payments = benefits.filter(of_kind(programmes, ProgrammeKind.ELECTRICITY))
    quarters = {key: {} for key in grouping.group_keys()}
    rows = _grouped(
        payments,
        grouping,
        "period_year",
        "period_quarter",
        h=Count("household", distinct=True),
        a=Coalesce(Sum("amount"), 0),
    )
    for row in rows:
        if row["unit_key"] in quarters:
            key = _row_key(row["period_year"], row["period_quarter"])
            quarters[row["unit_key"]][key] = {"households": row["h"], "amount": row["a"]}
    return quarters


def electricity_finish(part: dict) -> list[dict]:
    rows = []
    for key, measures in part.items():
        year, quarter = json.loads(key)
        rows.append({"year": year, "quarter": quarter, **measures})
    # as ORDER BY period_year, period_quarter: a missing year or quarter last
    return sorted(rows, key=lambda r: (r["year"] is None, r["year"] or 0, r["quarter"] is None, r["quarter"] or 0))


ITEM_FIELDS = ("programme__code", "programme__short_name", "item_description")


def item_parts(benefits, grouping: Grouping, programmes: dict) -> dict:
    """Items handed over (livelihood and in-kind) per group: what, how many households, what quantity."""
    items = {key: {} for key in grouping.group_keys()}
    rows = _grouped(
        benefits.filter(of_kind(programmes, ProgrammeKind.LIVELIHOOD, ProgrammeKind.IN_KIND)).exclude(
            item_description=""
        ),
        grouping,
        *ITEM_FIELDS,
        households=Count("household", distinct=True),
        quantity=Coalesce(Sum("quantity"), None),
    )
    for row in rows:
        if row["unit_key"] in items:
            items[row["unit_key"]][_row_key(*(row[f] for f in ITEM_FIELDS))] = {
                "households": row["households"],
                "quantity": row["quantity"],
            }
    return items


FUNDER_FIELDS = ("programme__kind", "funder")


def funder_parts(benefits, grouping: Grouping) -> dict:
    """Per group, kind of support and funder (fund, association, budget): households, records, money (as report
    209/BC-UBND, 3.4–3.6: "Quỹ cứu trợ thiên tai của tỉnh … 7 hộ, 350 triệu đồng; Quỹ vì người nghèo huyện …
    120 triệu đồng")."""
    funders = {key: {} for key in grouping.group_keys()}
    rows = _grouped(
        benefits.exclude(funder=""),
        grouping,
        *FUNDER_FIELDS,
        households=Count("household", distinct=True),
        records=Count("pk"),
        amount=Coalesce(Sum("amount"), 0),
    )
    for row in rows:
        if row["unit_key"] in funders:
            funders[row["unit_key"]][_row_key(*(row[f] for f in FUNDER_FIELDS))] = {
                "households": row["households"],
                "records": row["records"],
                "amount": row["amount"],
            }
    return funders


def _labelled_rows(part: dict, fields: tuple, ranks: dict) -> list[dict]:
    """Rows of a part keyed by ``_row_key`` of ``fields``, in the database's order of those fields (its collation,
    as the lists were always ordered): ``ranks`` gives each text's place in that order."""
    rows = [{**dict(zip(fields, json.loads(key), strict=True)), **measures} for key, measures in part.items()]
    for row in rows:
        if "quantity" in row:
            row["quantity"] = _decimal(row["quantity"])
    return sorted(rows, key=lambda row: tuple(ranks[row[f]] for f in fields))


def collation_ranks(texts) -> dict[str, int]:
    """Each text's place in the database's ORDER BY (one query, none without texts)."""
    texts = sorted(set(texts))
    if not texts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT t FROM unnest(%s::text[]) AS t ORDER BY t", [texts])
        return {text: place for place, (text,) in enumerate(cursor.fetchall())}


OVERALL_MEASURES = {
    "records": Count("pk"),
    "households": Count("household", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
    "overridden": Count("pk", filter=~Q(override_reason="")),
}


# --- additive parts and the one step that finishes them -------------------------------------------------------------
# A grouped pass gives each group its *parts*: counts and sums (distinct counts too: every household, member and
# record is in one commune), and the sets behind the two distinct counts a commune does not own (decisions, course
# names). Parts are plain JSON (keys are strings, a quantity a decimal string), so they can be stored per commune
# (programs.summary) and added up for a district or a province; ``figures_finish`` derives every share, rate,
# coverage and list from the added parts, for the live pass and the stored rows alike (docs/adr/0040).


def _decimal(value):
    return None if value is None else Decimal(value)


def _row_key(*values) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _jsonable(value):
    """Parts as JSON: decimals as strings, sets as sorted lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return sorted(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def add_parts(a, b):
    """Two units' parts added: numbers add, a decimal string adds as a decimal, sets unite, maps add key by key."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        out = dict(a)
        for key, value in b.items():
            out[key] = add_parts(out.get(key), value)
        return out
    if isinstance(a, list):
        return sorted(set(a) | set(b))
    if isinstance(a, str):
        return str(Decimal(a) + Decimal(b))
    return a + b


def empty_parts() -> dict:
    """The parts of a group without any row (what ``grouped_parts`` gives such a group)."""
    return {
        "overall": _empty(OVERALL_MEASURES),
        "status": dict.fromkeys(STATUS_KEYS, 0),
        "programmes": {},
        "credit": {"total": _empty(CREDIT_MEASURES), "programmes": {}},
        "health": {"by_group": dict.fromkeys(CARD_GROUPS, 0), "budget": 0, "members": 0, "insured": 0},
        "kinds": {str(kind): _empty(KIND_MEASURES) for kind in TOTALLED_KINDS},
        "housing": {**_empty(housing_measures(date(2000, 1, 1))), "deprived_poor": 0},
        "training": {**_empty(TRAINING_MEASURES), "courses": []},
        "quarters": {},
        "items": {},
        "funders": {},
    }


def catalogue() -> dict:
    """The programme catalogue by primary key (one query)."""
    return {p.pk: p for p in Programme.objects.all()}


def grouped_parts(grouping: Grouping, period: Period, user=None, programmes: dict | None = None) -> dict:
    """The additive parts of every support figure for each group of ``grouping``, keyed by the group key, from one
    grouped pass per figure family over the records of the grouping's scope (the number of queries does not depend
    on the number of groups or households)."""
    programmes = programmes if programmes is not None else catalogue()
    benefits = benefits_of(grouping, period, user)
    escaped = next((p.recently_escaped_years for p in programmes.values() if p.code == "VBSP_ESCAPED"), None)
    status = grouped_status_counts(grouping, period.end, user, escaped or 3)
    overall = _by_group(_grouped(benefits, grouping, **OVERALL_MEASURES), grouping, OVERALL_MEASURES)
    rows = programme_parts(benefits, grouping, programmes)
    credit = credit_parts(benefits, grouping, programmes)
    health = health_insurance_parts(benefits, grouping, period.end, user, programmes)
    kinds = kind_totals(benefits, grouping, programmes)
    housing = housing_parts(benefits, grouping, period.end, user, programmes)
    training = training_parts(benefits, grouping, programmes)
    quarters = electricity_parts(benefits, grouping, programmes)
    items = item_parts(benefits, grouping, programmes)
    funders = funder_parts(benefits, grouping)
    return {
        key: _jsonable(
            {
                "overall": overall[key],
                "status": status[key],
                "programmes": rows.get(key, {}),
                "credit": credit[key],
                "health": health[key],
                "kinds": kinds[key],
                "housing": housing[key],
                "training": training[key],
                "quarters": quarters[key],
                "items": items[key],
                "funders": funders[key],
            }
        )
        for key in grouping.group_keys()
    }


def figures_finish(parts: dict, *, unit, children, period: Period, programmes: dict) -> dict:
    """The figures of each child from its parts (``parts`` by the child's pk): the shares, rates, coverage, counts
    of distinct decisions and courses and the ordered lists, with the official population read live (one query for
    the populations, one to order the item and funder names)."""
    grouping = Grouping(unit, children)
    populations = grouped_population(grouping, period.end.year)
    texts = []
    for child in grouping.children:
        for name in ("items", "funders"):
            for key in parts[child.pk][name]:
                texts += [text for text in json.loads(key) if text is not None]
    ranks = collation_ranks(texts)
    result = {}
    for child in grouping.children:
        part = parts[child.pk]
        denominators = part["status"]
        kinds = {kind: _kind_finish(measures) for kind, measures in part["kinds"].items()}
        result[child.pk] = {
            "unit": child,
            "period": period,
            "overall": part["overall"],
            "households_by_status": denominators,
            "programmes": programme_finish(part["programmes"], programmes),
            "credit": credit_finish(part["credit"], programmes, denominators, period),
            "health_insurance": health_insurance_finish(part["health"], populations[grouping.key(child)]),
            "education": kinds[str(ProgrammeKind.EDUCATION)],
            "housing": housing_finish(part["housing"]),
            "water_sanitation": kinds[str(ProgrammeKind.WATER_SANITATION)],
            "livelihood": kinds[str(ProgrammeKind.LIVELIHOOD)],
            "training": training_finish(part["training"]),
            "electricity": {
                **kinds[str(ProgrammeKind.ELECTRICITY)],
                "quarters": electricity_finish(part["quarters"]),
            },
            "in_kind": kinds[str(ProgrammeKind.IN_KIND)],
            "other": kinds[str(ProgrammeKind.OTHER)],
            "items": _labelled_rows(part["items"], ITEM_FIELDS, ranks),
            "funders": _labelled_rows(part["funders"], FUNDER_FIELDS, ranks),
        }
    return result


def live_parts(*, unit, children, period: Period, user=None, programmes: dict | None = None) -> dict:
    """The parts of each child (by pk) from one live grouped pass over the unit's records."""
    grouping = Grouping(unit, children)
    by_key = grouped_parts(grouping, period, user, programmes)
    return {child.pk: by_key[grouping.key(child)] for child in grouping.children}


def grouped_figures(*, unit, children, period: Period, user=None) -> dict:
    """All the support figures of each of ``children`` (units of one level inside ``unit``: a district's
    communes, a commune's villages, a province's districts or communes) for a period, keyed by the child's pk:
    the same dict ``unit_figures`` gives for that child alone. The parts come from the communes' summary rows
    (programs.summary: fresh rows read, the missing or stale communes computed live in one pass over them), or,
    below a commune and while ``programs.summary.LIVE`` is set, from one grouped pass over the records of
    ``unit``; the number of queries does not depend on the number of children or households."""
    from .summary import summary_parts

    children = list(children)
    programmes = catalogue()
    parts = summary_parts(unit=unit, children=children, period=period, user=user, programmes=programmes)
    if parts is None:
        parts = live_parts(unit=unit, children=children, period=period, user=user, programmes=programmes)
    return figures_finish(parts, unit=unit, children=children, period=period, programmes=programmes)


def unit_figures(*, unit, period: Period, user=None) -> dict:
    """All the support figures of a unit (province, district, commune or village) for a period: the grouped form
    with the unit as its only group, so both give the same numbers by construction."""
    return grouped_figures(unit=unit, children=[unit], period=period, user=user)[unit.pk]


def child_rollup(*, unit, children, period: Period, user=None) -> list[dict]:
    """For each child unit: households reached, records, money — from the summary rows, or one grouped query."""
    from .summary import summary_parts

    children = list(children)
    parts = summary_parts(unit=unit, children=children, period=period, user=user)
    if parts is not None:
        overall = {child.pk: parts[child.pk]["overall"] for child in children}
    else:
        grouping = Grouping(unit, children)
        grouped = _by_group(
            _grouped(benefits_in(unit, period, user), grouping, **OVERALL_MEASURES), grouping, OVERALL_MEASURES
        )
        overall = {child.pk: grouped[grouping.key(child)] for child in children}
    return [
        {"unit": child, **{k: overall[child.pk][k] for k in ("households", "records", "amount")}} for child in children
    ]
