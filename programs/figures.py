"""Report figures on support delivered, for any unit and period — one module the reports call.

Every number is aggregated in PostgreSQL from ``Benefit`` rows of the unit's households (the unit and below,
through the materialised path), belonging to the period, optionally narrowed to what a user may see. The layout
follows sections 3.1–3.8 of report 209/BC-UBND of Krông Pa (seed 004): credit, health insurance, education, housing,
water and sanitation, production, vocational training, extension/resettlement, rice relief, electricity and other aid.

A record belongs to the period by its date (disbursement, card, payment), except a record paid for a quarter
(electricity, the only kind that carries ``period_year``/``period_quarter``): it belongs to the period in which the
quarter begins, whatever day it was paid ("chi trả tiền điện hỗ trợ quý I, quý II năm 2021 cho 1.997 hộ": the
six-month report counts the quarters of the half-year, a second-quarter payment made in July included).

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

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Case, Count, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from households.models import Household, Member, StatusRecord
from households.transitions import unit_population

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
    qs = Benefit.objects.active().filter(in_period_q(period), household__village__path__startswith=unit.path)
    return qs.visible_to(user) if user is not None else qs


def households_in(unit, user=None):
    qs = Household.objects.filter(village__path__startswith=unit.path).active()
    return qs.visible_to(user) if user is not None else qs


MEASURES = {
    "records": Count("pk"),
    "households": Count("household", distinct=True),
    "members": Count("member", distinct=True),
    "amount": Coalesce(Sum("amount"), 0),
    "quantity": Coalesce(Sum("quantity"), None),
    "persons": Coalesce(Sum("persons"), 0),
    "overridden": Count("pk", filter=~Q(override_reason="")),
    # distinct decisions: the number of projects or models behind a programme's records (report 209/BC-UBND, 3.8)
    "decisions": Count("decision", distinct=True, filter=~Q(decision="")),
}


def programme_rows(benefits) -> list[dict]:
    """Per programme: records, households, members, money, quantity, persons (khẩu), and the same per target
    group (two grouped queries, plus one for the people living in the households reached)."""
    programmes = {p.pk: p for p in Programme.objects.all()}
    totals = {row["programme"]: row for row in benefits.values("programme").annotate(**MEASURES).order_by()}
    groups: dict[int, dict] = {}
    for row in benefits.values("programme", "household_status").annotate(**MEASURES).order_by():
        groups.setdefault(row["programme"], {})[row["household_status"]] = row
    people = {
        row["household__benefits__programme"]: row["n"]
        for row in Member.objects.filter(left_at__isnull=True, household__benefits__in=benefits)
        .values("household__benefits__programme")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    }
    rows = []
    for pk, total in totals.items():
        programme = programmes[pk]
        if programme.is_member_level:
            reached = total["members"]
        elif programme.kind == ProgrammeKind.IN_KIND:
            reached = total["persons"]
        else:
            reached = people.get(pk, 0)
        if programme.kind != ProgrammeKind.IN_KIND:  # mixed items (cows, kg of seed): see in_kind_items instead
            total["quantity"] = None
            for sub in groups.get(pk, {}).values():
                sub["quantity"] = None
        rows.append(
            {
                "programme": programme,
                "code": programme.code,
                **{k: total[k] for k in MEASURES},
                "people_reached": reached,
                "by_status": groups.get(pk, {}),
            }
        )
    return sorted(rows, key=lambda r: (r["programme"].order, r["code"]))


# Official status on ``day`` (programs.status.status_q, row for row) from each household's status records in one
# grouped pass: which classes are in force on the day, and whether a list period ended recently. A household is
# "recently escaped" when such a period ended and it is on no list that day; its class in force is then not
# counted, like status_q does for every status but the two lists.
STATUS_FLAGS_SQL = """
    SELECT sr.household_id,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_poor,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_near_poor,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_average_living,
           bool_or(sr.household_class = %s AND (sr.valid_to IS NULL OR sr.valid_to >= %s)) AS on_non_poor,
           bool_or(sr.household_class IN (%s, %s) AND sr.valid_to >= %s AND sr.valid_to < %s) AS ended
      FROM {table} sr
     WHERE sr.valid_from <= %s AND sr.household_id IN ({households})
     GROUP BY sr.household_id
"""
STATUS_COUNTS_SQL = """
    SELECT COUNT(*) FILTER (WHERE on_poor) AS poor,
           COUNT(*) FILTER (WHERE on_near_poor) AS near_poor,
           COUNT(*) FILTER (WHERE ended AND NOT (on_poor OR on_near_poor)) AS recently_escaped,
           COUNT(*) FILTER (WHERE on_average_living AND NOT (ended AND NOT (on_poor OR on_near_poor)))
               AS average_living,
           COUNT(*) FILTER (WHERE on_non_poor AND NOT (ended AND NOT (on_poor OR on_near_poor))) AS non_poor
      FROM ({flags}) flags
"""


def status_counts(unit, day: date, user=None, years: int = 3) -> dict[str, int]:
    """Households of the unit by official status on ``day`` (the denominators of the shares), in one statement:
    the status records of the unit's households grouped once, whatever the number of households."""
    households_sql, households_params = households_in(unit, user).values("pk").order_by().query.sql_with_params()
    threshold = escaped_since(day, years) - timedelta(days=1)  # valid_to = the day before leaving the list
    flags = STATUS_FLAGS_SQL.format(table=StatusRecord._meta.db_table, households=households_sql)
    params = []
    for household_class in (TargetStatus.POOR, TargetStatus.NEAR_POOR, TargetStatus.AVERAGE_LIVING):
        params += [str(household_class), day]
    params += [str(TargetStatus.NON_POOR), day, *LISTS, threshold, day, day, *households_params]
    with connection.cursor() as cursor:
        cursor.execute(STATUS_COUNTS_SQL.format(flags=flags), params)
        columns = [column.name for column in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def target_group_of(programme: Programme) -> str | None:
    """The one target group a credit programme lends to (poor, near-poor, recently escaped), read from the
    catalogue's eligible statuses; None for programmes open to several groups or to anyone (water, jobs…)."""
    groups = [status for status in programme.eligible_statuses or [] if status in BORROWER_GROUPS]
    return groups[0] if len(groups) == 1 and len(programme.eligible_statuses) == 1 else None


def programme_shares(loans, denominators: dict[str, int], period: Period | None = None) -> list[dict]:
    """Per credit programme, in catalogue order: loans, borrowers, money, and for the three target-group
    programmes how many borrowers were of that group and what share of all households of the group (seed 004 §3.1;
    module docstring). One grouped query and the programmes."""
    measures = {
        "loans": Count("pk"),
        "households": Count("household", distinct=True),
        "amount": Coalesce(Sum("amount"), 0),
        "outstanding": Coalesce(Sum("outstanding"), 0),
        "overdue": Coalesce(Sum("overdue"), 0),
        **{f"of_{g}": Count("household", distinct=True, filter=Q(household_status=g)) for g in BORROWER_GROUPS},
    }
    grouped = {row["programme"]: row for row in loans.values("programme").annotate(**measures).order_by()}
    programmes = Programme.objects.filter(kind=ProgrammeKind.CREDIT).order_by("order", "code")
    rows = []
    for programme in programmes:
        in_force = period is not None and (
            programme.valid_from <= period.end and (programme.valid_to is None or programme.valid_to >= period.start)
        )
        if programme.pk not in grouped and not in_force:
            continue
        row = grouped.get(programme.pk) or dict.fromkeys(measures, 0)
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


def credit_figures(benefits, denominators: dict[str, int], period: Period | None = None) -> dict:
    loans = benefits.filter(programme__kind=ProgrammeKind.CREDIT)
    totals = loans.aggregate(
        loans=Count("pk"),
        households=Count("household", distinct=True),
        amount=Coalesce(Sum("amount"), 0),
        outstanding=Coalesce(Sum("outstanding"), 0),
        overdue=Coalesce(Sum("overdue"), 0),
        **{f"borrowers_{g}": Count("household", distinct=True, filter=Q(household_status=g)) for g in BORROWER_GROUPS},
    )
    shares = {
        g: {
            "borrowers": totals[f"borrowers_{g}"],
            "households": denominators.get(g, 0),
            "share": _share(totals[f"borrowers_{g}"], denominators.get(g, 0)),
        }
        for g in BORROWER_GROUPS
    }
    by_programme = {
        row["programme__code"]: row
        for row in loans.values("programme__code")
        .annotate(households=Count("household", distinct=True), amount=Coalesce(Sum("amount"), 0), loans=Count("pk"))
        .order_by()
    }
    return {
        **{k: v for k, v in totals.items() if not k.startswith("borrowers_")},
        "groups": shares,
        "by_programme": by_programme,
        "programme_shares": programme_shares(loans, denominators, period),
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


def health_insurance_figures(benefits, unit, day: date, user=None) -> dict:
    cards = benefits.filter(programme__kind=ProgrammeKind.HEALTH_INSURANCE)
    by_group = dict.fromkeys(CARD_GROUPS, 0)
    for row in cards.annotate(group=card_group()).values("group").annotate(n=Count("pk")).order_by():
        by_group[row["group"]] = row["n"]
    people = Member.objects.filter(left_at__isnull=True, household__in=households_in(unit, user))
    valid_registry = Q(health_insurance_valid_from__lte=day) | Q(health_insurance_valid_from__isnull=True)
    valid_registry &= Q(health_insurance_valid_to__gte=day)
    # A card recorded as a benefit, valid on the day: one set the whole count probes (a hashed subplan), not a join
    # that multiplies members by their cards and must be made distinct again.
    carded = Benefit.objects.filter(
        programme__kind=ProgrammeKind.HEALTH_INSURANCE,
        card_valid_from__lte=day,
        card_valid_to__gte=day,
        cancelled_at__isnull=True,
        member__isnull=False,
        household__village__path__startswith=unit.path,
    ).values("member_id")
    counted = people.aggregate(members=Count("pk"), insured=Count("pk", filter=valid_registry | Q(pk__in=carded)))
    insured = counted["insured"]
    # The official population, never the registry's members (seed 004 §3.2: "… so với dân số của huyện").
    population = unit_population(unit, day.year, field="persons")
    return {
        "cards": sum(by_group.values()),
        "by_group": by_group,
        "groups": [{"key": key, "label": str(CARD_GROUP_LABELS[key]), "cards": by_group[key]} for key in CARD_GROUPS],
        "population": population.households,
        "population_source": population.source,
        "population_note": population.note,
        "registry_members": counted["members"],
        "insured": insured,
        "rate": _share(insured, population.households),
        "budget_amount": cards.aggregate(a=Coalesce(Sum("amount"), 0))["a"],
    }


def housing_figures(benefits, unit, day: date, user=None) -> dict:
    works = benefits.filter(programme__kind=ProgrammeKind.HOUSING)
    totals = works.aggregate(
        households=Count("household", distinct=True),
        new=Count("pk", filter=Q(housing_work=HousingWork.NEW)),
        repair=Count("pk", filter=Q(housing_work=HousingWork.REPAIR)),
        finished=Count("pk", filter=Q(finished_on__isnull=False, finished_on__lte=day)),
        accepted=Count("pk", filter=Q(accepted_on__isnull=False, accepted_on__lte=day)),
        central=Coalesce(Sum("amount_central"), 0),
        local=Coalesce(Sum("amount_local"), 0),
        mobilised=Coalesce(Sum("amount_mobilised"), 0),
        household=Coalesce(Sum("amount_household"), 0),
        new_amount=Coalesce(Sum("amount", filter=Q(housing_work=HousingWork.NEW)), 0),
        repair_amount=Coalesce(Sum("amount", filter=Q(housing_work=HousingWork.REPAIR)), 0),
    )
    totals["total"] = totals["central"] + totals["local"] + totals["mobilised"] + totals["household"]
    totals["deprived_poor"] = (
        households_in(unit, user).filter(status_q("poor", day), deprived_indicators__overlap=HOUSING_INDICATORS).count()
    )
    return totals


def training_figures(benefits) -> dict:
    trainees = benefits.filter(programme__kind=ProgrammeKind.TRAINING)
    return trainees.aggregate(
        trainees=Count("member", distinct=True),
        employed=Count("member", distinct=True, filter=Q(employed_after=True)),
        certified=Count("member", distinct=True, filter=~Q(certificate="")),
        poor=Count("member", distinct=True, filter=Q(household_status="poor")),
        near_poor=Count("member", distinct=True, filter=Q(household_status="near_poor")),
        courses=Count("course_name", distinct=True),
        amount=Coalesce(Sum("amount"), 0),
    )


def kind_totals(benefits, kind: str) -> dict:
    return benefits.filter(programme__kind=kind).aggregate(
        records=Count("pk"),
        households=Count("household", distinct=True),
        members=Count("member", distinct=True),
        amount=Coalesce(Sum("amount"), 0),
        quantity=Coalesce(Sum("quantity"), None),
        persons=Coalesce(Sum("persons"), 0),
        poor_households=Count("household", distinct=True, filter=Q(household_status="poor")),
        near_poor_households=Count("household", distinct=True, filter=Q(household_status="near_poor")),
    )


def electricity_figures(benefits) -> dict:
    """Electricity support by the quarter paid for (module docstring): the kind's totals and one row per quarter."""
    payments = benefits.filter(programme__kind=ProgrammeKind.ELECTRICITY)
    quarters = [
        {"year": row["period_year"], "quarter": row["period_quarter"], "households": row["h"], "amount": row["a"]}
        for row in payments.values("period_year", "period_quarter")
        .annotate(h=Count("household", distinct=True), a=Coalesce(Sum("amount"), 0))
        .order_by("period_year", "period_quarter")
    ]
    return {**kind_totals(benefits, ProgrammeKind.ELECTRICITY), "quarters": quarters}


def in_kind_items(benefits) -> list[dict]:
    """Items handed over (livelihood and in-kind): what, how many households, what quantity."""
    return list(
        benefits.filter(programme__kind__in=[ProgrammeKind.LIVELIHOOD, ProgrammeKind.IN_KIND])
        .exclude(item_description="")
        .values("programme__code", "programme__short_name", "item_description")
        .annotate(households=Count("household", distinct=True), quantity=Coalesce(Sum("quantity"), None))
        .order_by("programme__code", "programme__short_name", "item_description")
    )


def funder_rows(benefits) -> list[dict]:
    """Per kind of support and funder (fund, association, budget): households, records, money (as report
    209/BC-UBND, 3.4–3.6: "Quỹ cứu trợ thiên tai của tỉnh … 7 hộ, 350 triệu đồng; Quỹ vì người nghèo huyện …
    120 triệu đồng")."""
    return list(
        benefits.exclude(funder="")
        .values("programme__kind", "funder")
        .annotate(households=Count("household", distinct=True), records=Count("pk"), amount=Coalesce(Sum("amount"), 0))
        .order_by("programme__kind", "funder")
    )


def unit_figures(*, unit, period: Period, user=None) -> dict:
    """All the support figures of a unit (province, district, commune or village) for a period."""
    benefits = benefits_in(unit, period, user)
    escaped = Programme.objects.filter(code="VBSP_ESCAPED").values_list("recently_escaped_years", flat=True).first()
    denominators = status_counts(unit, period.end, user, escaped or 3)
    overall = benefits.aggregate(
        records=Count("pk"),
        households=Count("household", distinct=True),
        amount=Coalesce(Sum("amount"), 0),
        overridden=Count("pk", filter=~Q(override_reason="")),
    )
    return {
        "unit": unit,
        "period": period,
        "overall": overall,
        "households_by_status": denominators,
        "programmes": programme_rows(benefits),
        "credit": credit_figures(benefits, denominators, period),
        "health_insurance": health_insurance_figures(benefits, unit, period.end, user),
        "education": kind_totals(benefits, ProgrammeKind.EDUCATION),
        "housing": housing_figures(benefits, unit, period.end, user),
        "water_sanitation": kind_totals(benefits, ProgrammeKind.WATER_SANITATION),
        "livelihood": kind_totals(benefits, ProgrammeKind.LIVELIHOOD),
        "training": training_figures(benefits),
        "electricity": electricity_figures(benefits),
        "in_kind": kind_totals(benefits, ProgrammeKind.IN_KIND),
        "other": kind_totals(benefits, ProgrammeKind.OTHER),
        "items": in_kind_items(benefits),
        "funders": funder_rows(benefits),
    }


def child_rollup(*, unit, children, period: Period, user=None) -> list[dict]:
    """For each child unit: households reached, records, money, loans, cards, houses — one grouped query."""
    depth = unit.path.count("/")
    rows = {child.path: {"unit": child, "households": 0, "records": 0, "amount": 0} for child in children}
    benefits = benefits_in(unit, period, user)
    grouped = (
        benefits.values("household__village__path")
        .annotate(records=Count("pk"), amount=Coalesce(Sum("amount"), 0))
        .order_by()
    )
    households = benefits.values("household__village__path", "household").distinct().order_by()
    for row in grouped:
        key = "/".join(row["household__village__path"].split("/")[: depth + 1]) + "/"
        if key in rows:
            rows[key]["records"] += row["records"]
            rows[key]["amount"] += row["amount"]
    for row in households:
        key = "/".join(row["household__village__path"].split("/")[: depth + 1]) + "/"
        if key in rows:
            rows[key]["households"] += 1
    return list(rows.values())
