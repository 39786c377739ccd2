"""Report figures on support delivered, for any unit and period — one module the reports call.

Every number is aggregated in PostgreSQL from ``Benefit`` rows of the unit's households (the unit and below,
through the materialised path), dated within the period, optionally narrowed to what a user may see. The layout
follows sections 3.1–3.8 of report 209/BC-UBND of Krông Pa: credit, health insurance, education, housing, water and
sanitation, production, vocational training, extension/resettlement, rice relief, electricity and other aid.

Target groups are the household's official status on the benefit's date (``Benefit.household_status``);
denominators ("share of poor households borrowing") are the households with that status at the period's end.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Case, Count, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from households.models import Household, Member, StatusRecord

from .choices import HousingWork, ProgrammeKind, TargetStatus
from .models import Benefit, Programme
from .status import LISTS, escaped_since, status_q

HOUSING_INDICATORS = ["housing_quality", "housing_area"]  # NĐ 07/2021: the two housing indicators
BORROWER_GROUPS = (TargetStatus.POOR, TargetStatus.NEAR_POOR, TargetStatus.RECENTLY_ESCAPED)
CARD_GROUPS = ("poor", "near_poor", "average_living", "ethnic_minority", "other")


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


def benefits_in(unit, period: Period, user=None):
    """The benefits of the unit's households dated within the period (and visible to ``user`` if given)."""
    qs = Benefit.objects.active().filter(household__village__path__startswith=unit.path, date__gte=period.start)
    qs = qs.filter(date__lte=period.end)
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


def credit_figures(benefits, denominators: dict[str, int]) -> dict:
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
    }


def card_group():
    return Case(
        When(household_status__in=["poor", "near_poor", "average_living"], then="household_status"),
        When(member__ethnic_group__is_minority=True, then=Value("ethnic_minority")),
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
    counted = people.aggregate(population=Count("pk"), insured=Count("pk", filter=valid_registry | Q(pk__in=carded)))
    population, insured = counted["population"], counted["insured"]
    return {
        "cards": sum(by_group.values()),
        "by_group": by_group,
        "population": population,
        "insured": insured,
        "rate": _share(insured, population),
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
        "credit": credit_figures(benefits, denominators),
        "health_insurance": health_insurance_figures(benefits, unit, period.end, user),
        "education": kind_totals(benefits, ProgrammeKind.EDUCATION),
        "housing": housing_figures(benefits, unit, period.end, user),
        "water_sanitation": kind_totals(benefits, ProgrammeKind.WATER_SANITATION),
        "livelihood": kind_totals(benefits, ProgrammeKind.LIVELIHOOD),
        "training": training_figures(benefits),
        "electricity": kind_totals(benefits, ProgrammeKind.ELECTRICITY),
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
