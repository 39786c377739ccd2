"""Read-side queries: benefit lists, a household's support history, coverage views and the yearly bulk lists.

Everything starts from ``visible_to(user)``; "official status on a date" comes from programs.status (SQL).
"""

import re
from datetime import date

from django.apps import apps
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Col, RawSQL, ResolvedOuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from households.choices import HouseholdState
from households.models import Household, Member
from households.selectors import AnyOf, households_named_all, personal_id_typed

from .choices import ProgrammeKind
from .figures import HOUSING_INDICATORS
from .models import Benefit, Programme
from .status import records_in_force, status_q

# A BHYT card number as printed on the card: two letters, then digits (HN2640012345678; programs.models checks it).
CARD = re.compile(r"[A-Z]{2}[0-9]{8,13}")


def benefit_list_for(user, *, filters: dict) -> QuerySet:
    """Benefits the user may see, filtered as on the programme and support pages, newest first."""
    qs = Benefit.objects.visible_to(user).select_related(
        "programme", "household__village", "household__commune", "member", "override_by", "created_by"
    )
    if filters.get("programme"):
        qs = qs.filter(programme=filters["programme"])
    if filters.get("kind"):
        qs = qs.filter(programme__kind=filters["kind"])
    if filters.get("year"):
        qs = qs.filter(date__year=filters["year"])
    if filters.get("village"):
        qs = qs.filter(household__village=filters["village"])
    if filters.get("status"):
        qs = qs.filter(household_status=filters["status"])
    if not filters.get("include_cancelled"):
        qs = qs.active()
    if filters.get("overridden"):
        qs = qs.exclude(override_reason="")
    query = " ".join((filters.get("q") or "").split())
    if query:
        # The households the text names through the registry's indexed search: the page passes the ones it ranked
        # (at most SEARCH_CAP, among the households with a record of the programme, "households"); an export takes
        # every one (``households_named_all``). Or the record's own person by ID number (a member who has left the
        # household too), or a BHYT card by its whole number (the cards' index). An unindexed ``icontains`` over the
        # records' households and members read every record of the programme (3,3-5,0 s for a province's 1,3
        # million cards).
        households = filters.get("households")
        if households is None:
            match = Q(household__in=households_named_all(user, query))
        else:
            match = Q(AnyOf("household_id", households))
        personal_id = personal_id_typed(query)
        if personal_id:  # the people of that number first, along their index (an OR through the join read every card)
            # (a record names a member of its own household, so the officer's members hold every person it names)
            people = Member.objects.visible_to(user).filter(personal_id=personal_id).values_list("pk", flat=True)
            people = list(people[:100])
            match |= Q(AnyOf("member_id", people))
        card = query.replace(" ", "").upper()
        if CARD.fullmatch(card):
            match |= Q(card_number__in=[card, card.lower()])  # the form keeps a card as typed
        qs = qs.filter(match)
        if households is not None:
            # At most a thousand households: their records read along the households' index and sorted, not the
            # programme's records walked by date until fifty belong to them (0,65 s for "nay" in a province). The
            # date in an expression keeps PostgreSQL from choosing that walk; the order is the same.
            by_date = ExpressionWrapper(F("date") + Value(0), output_field=DateField())
            return qs.order_by(by_date.desc(), "-pk")
    return qs.order_by("-date", "-pk")


def household_benefits(user, household: Household) -> QuerySet:
    return (
        Benefit.objects.visible_to(user)
        .filter(household=household)
        .select_related("programme", "member", "override_by")
        .order_by("-date", "-pk")
    )


def household_support_summary(user, household: Household) -> dict:
    """Counts for the household page: records, money, and the last date, per kind."""
    return (
        Benefit.objects.visible_to(user)
        .active()
        .filter(household=household)
        .aggregate(records=Count("pk"), amount=Coalesce(Sum("amount"), 0))
    )


def programmes_in_force(day: date | None = None) -> QuerySet:
    return Programme.objects.in_force(day).order_by("order", "code")


def programmes_ended(day: date | None = None) -> QuerySet:
    """Programme versions no longer in force (NĐ 86/2015 tuition, NĐ 136/2013 rice…): support of those years is
    still recorded under them, each benefit checked against the version of its own date."""
    return Programme.objects.filter(valid_to__lt=day or timezone.localdate()).order_by("order", "code")


# --- coverage (what inspectors ask: who is covered, who is not) -----------------------------------------------------

# The coverage and bulk lists' order: by commune, village and household code (then the member's date of birth),
# the primary key last so that a page boundary never splits ties differently from one request to the next.
# programs.listing reads their pages village by village in this order; WITHIN_VILLAGE is the part after the village.
HOUSEHOLD_WITHIN_VILLAGE = ("code", "pk")
HOUSEHOLD_ORDER = ("commune__name", "village__name", *HOUSEHOLD_WITHIN_VILLAGE)
MEMBER_WITHIN_VILLAGE = ("household__code", "date_of_birth", "pk")
MEMBER_ORDER = ("household__commune__name", "household__village__name", *MEMBER_WITHIN_VILLAGE)
REGISTRATION_ORDER = ("household__commune__name", "household__village__name", "household__code", "pk")


class _ResolvedJoinedPk(ResolvedOuterRef):
    def resolve_expression(self, *args, **kwargs):
        col = super().resolve_expression(*args, **kwargs)
        pk = col.target.model._meta.pk
        return Col(col.alias, pk, pk)


class joined_household_pk(OuterRef):  # noqa: N801 (used as OuterRef is)
    """``OuterRef(f"{relation}__pk")`` read from the joined household's row, not from the outer row's foreign key.

    Django reads ``household__pk`` of a member from the member's ``household_id``, so PostgreSQL can only check a
    subquery correlated with it on each member row. Correlated with the household's own ``id`` (the household being
    joined for its state), the check runs once per household, before its members are read."""

    def resolve_expression(self, *args, **kwargs):
        return _ResolvedJoinedPk(f"{self.name}__state")


def unsupported_poor(user, *, year: int, day: date) -> QuerySet:
    """Poor households (official status on ``day``) that received no support dated in ``year``."""
    supported = Benefit.objects.active().filter(household=OuterRef("pk"), date__year=year)
    # Counted for each row read (a page's, or the export's), not grouped over the province's households.
    current_members = (
        Member.objects.current()
        .filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Household.objects.visible_to(user)
        .active()
        .filter(status_q("poor", day))
        .filter(~Exists(supported))
        .select_related("village", "commune")
        .annotate(member_count=Coalesce(Subquery(current_members), 0))
        .order_by(*HOUSEHOLD_ORDER)
    )


# "Has support dated in the year" read from the year's range of ``programs_support_year`` (programs.support_year),
# ordered by household in a subquery of its own: merged with the poor periods' index in household order, both read
# once (a merge anti-join), instead of one look-up per poor household. Written as SQL because the order must be the
# subquery's: PostgreSQL does not take the year's equality below an anti-join as fixing the primary key's first
# column, so without it the year's rows would be sorted or hashed (docs/performance.md).
SUPPORTED_IN_YEAR = (
    "EXISTS (SELECT 1 FROM (SELECT y.household_id FROM programs_support_year y WHERE y.year = %s "
    "ORDER BY y.household_id OFFSET 0) AS supported "
    "WHERE supported.household_id = households_statusrecord.household_id)"
)


def unsupported_poor_candidates(*, year: int, day: date) -> QuerySet:
    """The ids of the households poor on ``day`` without support dated in ``year``, of every unit: a superset of
    ``unsupported_poor``'s rows read from the poor periods' index (programs migration 0011) and the year's supported
    households (``programs_support_year``, migration 0016), without the households' and the benefits' tables. The
    page narrows the list to them when they are few (most poor households receive some support in a year), so that
    the list's own conditions (the support checked on the benefits themselves) are checked on those rows only."""
    supported = RawSQL(SUPPORTED_IN_YEAR, [year], output_field=BooleanField())
    return records_in_force(day, ["poor"]).filter(~Q(supported)).values_list("household_id", flat=True)


def valid_card_q(day: date, prefix: str = "") -> Q:
    """A member holds a card valid on ``day``: in the registry or as a recorded BHYT benefit."""
    registry = Q(**{f"{prefix}health_insurance_valid_to__gte": day}) & (
        Q(**{f"{prefix}health_insurance_valid_from__isnull": True})
        | Q(**{f"{prefix}health_insurance_valid_from__lte": day})
    )
    cards = Benefit.objects.active().filter(
        member=OuterRef(f"{prefix}pk" if not prefix else prefix.rstrip("_")),
        programme__kind=ProgrammeKind.HEALTH_INSURANCE,
        card_valid_from__lte=day,
        card_valid_to__gte=day,
    )
    return registry | Q(Exists(cards))


def age_cutoff(day: date, years: int) -> date:
    """Born on or before this date = at least ``years`` old on ``day``."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def uninsured_members(user, *, day: date, status: str = "", walked: bool = False) -> QuerySet:
    """Members aged 6+ without a valid card on ``day`` — the health-insurance deprivation (NĐ 07/2021, chỉ số 4).

    ``walked``: the same rows, for a page read village by village (programs.listing), which checks the status of the
    households before the page only. The export, which reads every household of the group, keeps PostgreSQL's
    semi-join with a hash of them (1,2–1,4 s for the poor of a million households, against 2,1–3,4 s looked up
    household by household)."""
    qs = (
        Member.objects.visible_to(user)
        .current()
        .filter(household__state="active", date_of_birth__lte=age_cutoff(day, 6))
        .exclude(valid_card_q(day))
        .select_related("household__village", "household__commune", "ethnic_group")
    )
    if status and walked:
        # Looked up on the joined household's row (``joined_household_pk``), once per household walked before its
        # members are read, and household by household (``per_row``) rather than joined with a hash of every
        # household of the status for each village walked.
        qs = qs.filter(status_q(status, day, household_ref=joined_household_pk("household"), per_row=True))
    elif status:
        qs = qs.filter(status_q(status, day, household_ref="household__id"))
    return qs.order_by(*MEMBER_ORDER)


def housing_gap(user, *, day: date) -> QuerySet:
    """Poor households deprived on a housing indicator that never received housing support."""
    # The housing programmes' ids are read first (a few catalogue rows), so that "no housing support" of a household
    # is one look-up in the benefits' index (programs migration 0012) without joining the catalogue for each benefit.
    housing = list(Programme.objects.filter(kind=ProgrammeKind.HOUSING).values_list("pk", flat=True))
    housed = Benefit.objects.active().filter(household=OuterRef("pk"), programme_id__in=housing)
    return (
        Household.objects.visible_to(user)
        .active()
        .filter(status_q("poor", day), deprived_indicators__overlap=HOUSING_INDICATORS)
        .filter(~Exists(housed))
        .select_related("village", "commune")
        .order_by(*HOUSEHOLD_ORDER)
    )


def escape_model():
    """households.EscapeRegistration when the registry has it (escape registrations), else None."""
    try:
        return apps.get_model("households", "EscapeRegistration")
    except LookupError:
        return None


def escape_registrations(user, *, year: int) -> QuerySet | None:
    """Households registered to escape poverty in ``year`` and the support each received that year."""
    model = escape_model()
    if model is None:
        return None
    from households.targets import registrations_with_outcome

    # What a row shows of each benefit (views_bulk.support_summary: the programme's short name, the day, the amount):
    # about ten benefits a household, so their other columns (the programme's JSON parameters…) are not read.
    benefits = (
        Benefit.objects.active()
        .filter(date__year=year)
        .select_related("programme")
        .only("household_id", "programme_id", "date", "amount", "programme__short_name")
        .order_by("date")
    )
    return (
        registrations_with_outcome(model.objects.visible_to(user).filter(year=year, state="registered"))
        .select_related("household__village", "household__commune")
        .prefetch_related(Prefetch("household__benefits", queryset=benefits, to_attr="year_benefits"))
        .order_by(*REGISTRATION_ORDER)
    )


# How the escape registrations' page walks its villages (programs.listing): the household's village and code copied
# on the registration by triggers (households migration 0021), then the registration's id, as REGISTRATION_ORDER.
REGISTRATION_VILLAGE = "household_village"
REGISTRATION_WITHIN_VILLAGE = ("household_code", "pk")


def escape_village_rows(user, *, year: int) -> dict[int, int] | None:
    """The number of ``escape_registrations(user, year=year)`` rows in each village the user sees, read from the
    registrations' copies of their household's village (one index range of the year, without the households): the
    list's page skips the villages before its first row by these counts, and their sum is its exact total."""
    model = escape_model()
    if model is None:
        return None
    villages = AdministrativeUnit.objects.visible_to(user).filter(level=UnitLevel.VILLAGE).values("pk")
    counts = (
        model.objects.filter(year=year, state="registered", household_village__in=villages)
        .order_by()
        .values_list("household_village_id")
        .annotate(rows=Count("pk"))
    )
    return dict(counts)


# --- yearly bulk lists -------------------------------------------------------------------------------------------


def bhyt_candidates(user, *, year: int, day: date) -> QuerySet:
    """Members of poor, near-poor and average-living households (status on ``day``) whose card is missing or ends
    before 31/12 of ``year``: the list the commune sends to the social-insurance agency."""
    end = date(year, 12, 31)
    covered = Benefit.objects.active().filter(
        member=OuterRef("pk"), programme__kind=ProgrammeKind.HEALTH_INSURANCE, card_valid_to__gte=end
    )
    bhyt = ("poor", "near_poor", "average_living")  # NĐ 146/2018/NĐ-CP, Điều 3 khoản 9 (groups of the BHYT list)
    # In each of the three groups a household counts by its class in force on ``day`` (``group_q``: the list has no
    # recently-escaped group), so the groups are the households with a record of one of the three classes in force:
    # one look-up in the status records' index per household walked (programs.listing), made on the joined
    # household's row before its members are read (``joined_household_pk``), instead of three per member read.
    household = joined_household_pk("household")
    in_groups = records_in_force(day, bhyt).filter(household=household, household_id__gte=household)
    return (
        Member.objects.visible_to(user)
        .current()
        .filter(Exists(in_groups), household__state=HouseholdState.ACTIVE)
        .exclude(health_insurance_valid_to__gte=end)
        .exclude(Exists(covered))
        .select_related("household__village", "household__commune", "ethnic_group")
        .order_by(*MEMBER_ORDER)
    )


def electricity_candidates(user, *, day: date, walked: bool = False) -> QuerySet:
    """Households entitled to the electricity subsidy on ``day``: poor, or with a social-protection beneficiary
    (QĐ 28/2014, Điều 3 khoản 7; QĐ 60/2014).

    ``walked``: the same rows, for a page read village by village (programs.listing), which checks a few hundred
    households. PostgreSQL would otherwise build a hash of every household poor on the day for the ``OR`` (≈ 120 ms at
    a million households) where one look-up per household walked is enough: the redundant ``>=`` beside the
    correlation keeps it from turning the look-up into a hashed set (it hashes equalities only). The export and the
    payment, which read every entitled household, keep the hash."""
    poor = status_q("poor", day)
    if walked:
        probe = records_in_force(day, ["poor"]).filter(household=OuterRef("pk"), household_id__gte=OuterRef("pk"))
        poor = Q(Exists(probe))
    return (
        Household.objects.visible_to(user)
        .active()
        .filter(poor | Q(social_protection=True))
        .annotate(is_poor=Case(When(status_q("poor", day), then=Value(True)), default=Value(False)))
        .select_related("village", "commune")
        .order_by(*HOUSEHOLD_ORDER)
    )


def electricity_payments(programme: Programme, year: int, quarter: int) -> QuerySet:
    """The quarter's recorded payments of the programme (one per household and quarter, not cancelled)."""
    return Benefit.objects.active().filter(programme=programme, period_year=year, period_quarter=quarter)


def electricity_quarter(
    user, *, programme: Programme, year: int, quarter: int, day: date, walked: bool = False
) -> QuerySet:
    """The quarter's electricity list: the households entitled on ``day`` (the quarter's last day), each with
    ``paid`` (the quarter's payment already recorded). ``walked`` as for ``electricity_candidates``."""
    paid = electricity_payments(programme, year, quarter).filter(household=OuterRef("pk"))
    return electricity_candidates(user, day=day, walked=walked).annotate(paid=Exists(paid))


def electricity_totals(user, *, programme: Programme, year: int, quarter: int, day: date) -> dict[str, int]:
    """How many households the quarter's list (``electricity_quarter``) holds and how many are not yet paid, exact
    (the payment button pays that many), in one query.

    The list is read as two disjoint parts, each from indexes without the households' table (programs migration
    0012): the active households with a social-protection beneficiary (their own partial index, with the village for
    the scope), and the households poor on ``day`` without one (the poor periods' index of migration 0011, met with
    the active households' index, which carries the village and the flag). Their ids are counted together, the paid
    ones by a join with the quarter's payments read from their own index.

    A quarter kept counted per village (programs.electricity: the quarter before today's, today's and the next) is
    read from its counts instead, exact in the same snapshot: one index range of a few rows per village."""
    from .electricity import counted_totals

    counted = counted_totals(user, programme=programme, year=year, quarter=quarter, day=day)
    if counted is not None:
        return counted
    return electricity_totals_live(user, programme=programme, year=year, quarter=quarter, day=day)


def electricity_page_counts(
    user, *, programme: Programme, year: int, quarter: int, day: date
) -> tuple[dict[str, int], dict[int, int] | None]:
    """``electricity_totals`` and, for a counted quarter, the list's households in each village the user sees (the
    page skips the villages before its first row by them, programs.listing); None for a quarter counted live."""
    from .electricity import counted_by_village

    villages = counted_by_village(user, programme=programme, year=year, quarter=quarter, day=day)
    if villages is None:
        return electricity_totals_live(user, programme=programme, year=year, quarter=quarter, day=day), None
    households = sum(counts[0] for counts in villages.values())
    paid = sum(counts[1] for counts in villages.values())
    return {"households": households, "unpaid": households - paid}, {
        village: counts[0] for village, counts in villages.items()
    }


def electricity_totals_live(user, *, programme: Programme, year: int, quarter: int, day: date) -> dict[str, int]:
    """``electricity_totals`` counted from the households, status records and payments (any quarter)."""
    paid = electricity_payments(programme, year, quarter).order_by().values("household_id")
    poor = records_in_force(day, ["poor"]).values("household_id")
    scoped = Household.objects.visible_to(user).active().order_by()
    parts = [scoped.filter(social_protection=True), scoped.filter(social_protection=False, pk__in=poor)]
    selects, params = [], []
    for part in parts:
        sql, part_params = part.values("pk").query.sql_with_params()
        selects.append(sql)
        params.extend(part_params)
    paid_sql, paid_params = paid.query.sql_with_params()
    with connection.cursor() as cursor:
        # A household has one payment of the programme in a quarter at most (programs_one_payment_per_quarter): the
        # join does not repeat a household.
        cursor.execute(
            f"SELECT count(*), count(paid.household_id) FROM (({selects[0]}) UNION ALL ({selects[1]})) AS entitled "
            f"LEFT JOIN ({paid_sql}) AS paid ON paid.household_id = entitled.pk",
            [*params, *paid_params],
        )
        households, paid_households = cursor.fetchone()
    return {"households": households, "unpaid": households - paid_households}
