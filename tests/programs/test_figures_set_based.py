"""The set-based figures (one grouped pass over status records) equal the per-household forms they replaced, on
random status histories: the status denominators of programs.figures against ``status_q`` evaluated household by
household, and the movement counts of households.transitions against the correlated subqueries of
``with_transitions``. Each case also checks that the number of queries does not grow with the households."""

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from areas.choices import UnitLevel
from households.choices import HouseholdClass
from households.models import ChangeEntry, EscapeRegistration, EscapeRegistrationState, Household, StatusRecord
from households.targets import Outcome, registration_counts, registrations_with_outcome
from households.transitions import COUNT_FIELDS, ReportPeriod, transition_counts, with_transitions
from programs.choices import TargetStatus
from programs.figures import Period, households_in, status_counts, unit_figures
from programs.status import status_q
from tests.factories import VillageFactory

pytestmark = pytest.mark.django_db

CLASSES = [c.value for c in HouseholdClass]
_codes = iter(range(1, 1_000_000))


def random_records(rng: random.Random, household: Household) -> None:
    """Decisions 2016–2027 with gaps (off every list for a while) and, now and then, an overlapping record."""
    day = date(2016, 1, 1) + timedelta(days=rng.randint(0, 900))
    rows = []
    while day < date(2027, 6, 30) and len(rows) < 8:
        length = rng.randint(30, 1100)
        open_ended = rng.random() < 0.25 or day + timedelta(days=length) > date(2027, 6, 30)
        valid_to = None if open_ended else day + timedelta(days=length)
        rows.append(
            StatusRecord(household=household, household_class=rng.choice(CLASSES), valid_from=day, valid_to=valid_to)
        )
        if valid_to is None:
            break
        gap = rng.choice([1, 1, 1, rng.randint(2, 400)])
        day = valid_to + timedelta(days=gap)
    if rows and rows[-1].valid_to is not None and rng.random() < 0.1:  # an overlapping closed record
        last = rows[-1]
        rows.append(
            StatusRecord(
                household=household,
                household_class=rng.choice(CLASSES),
                valid_from=last.valid_from + timedelta(days=1),
                valid_to=last.valid_to,
            )
        )
    if rows and household.pk % 4 == 0:  # a unit's first list imported as its opening balance
        rows[0].opening_balance = True
    StatusRecord.objects.bulk_create(rows)


@pytest.fixture
def population(tree, users):
    """160 households in 6 villages of 4 communes, 2 districts and 2 provinces, random histories, a few archived."""
    rng = random.Random(11)
    villages = [
        tree.village,
        VillageFactory(parent=tree.commune),
        VillageFactory(parent=tree.sibling_commune),
        VillageFactory(parent=tree.sibling_commune),
        VillageFactory(parent=tree.other_district_commune),
        VillageFactory(parent=tree.other_province_commune),
    ]
    for index in range(160):
        village = villages[index % len(villages)]
        household = Household.objects.create(
            code=f"R-{next(_codes):05d}",
            village=village,
            commune_id=village.parent_id,
            area_type="rural",
            ethnic_minority=rng.random() < 0.6,
        )
        random_records(rng, household)
        if rng.random() < 0.05:
            ChangeEntry.objects.create(
                household=household, subject=household.code, action="archive", user=users.commune_officer
            )
            Household.objects.filter(pk=household.pk).update(state="archived")
    return rng


def per_household_status_counts(unit, day, user, years):
    """The former form: one correlated status lookup per household and status (programs.status.status_q)."""
    return households_in(unit, user).aggregate(
        **{
            status: Count("pk", filter=status_q(status, day, years))
            for status in TargetStatus.values
            if status != TargetStatus.UNKNOWN
        }
    )


def test_status_counts_equal_the_per_household_rule(population, tree, users):
    rng = population
    days = [date(2016, 6, 1), date(2020, 12, 31), date(2024, 2, 29), date(2026, 6, 30), date(2028, 1, 1)]
    days += [date(2016, 1, 1) + timedelta(days=rng.randint(0, 4200)) for _ in range(8)]
    cases = [
        (tree.province, None),
        (tree.district, None),
        (tree.commune, users.commune_officer),
        (tree.district, users.district_staff),
        (tree.province, users.province_staff),
    ]
    nonzero = Counter()
    for day in days:
        for years in (1, 3, 5):
            for unit, user in cases:
                expected = per_household_status_counts(unit, day, user, years)
                assert status_counts(unit, day, user, years) == expected, (unit, day, years, user)
                nonzero.update(k for k, v in expected.items() if v)
    assert set(nonzero) == {s for s in TargetStatus.values if s != TargetStatus.UNKNOWN}  # every status occurs


def per_household_movements(households, period: ReportPeriod, key: str) -> dict:
    """The former form: each household's classes and movement from correlated subqueries, counted in Python."""
    result: dict = {}
    rows = with_transitions(households, period).values(key, "ethnic_minority", "class_start", "class_end", "transition")
    poor, near = HouseholdClass.POOR, HouseholdClass.NEAR_POOR
    for row in rows:
        counts = result.setdefault(row[key], Counter())
        start, end, move, em = row["class_start"], row["class_end"], row["transition"], row["ethnic_minority"]
        counts["households"] += 1
        counts["poor_start"] += start == poor
        counts["poor_start_em"] += start == poor and em
        counts["escaped_poor"] += move == "escaped_poor"
        counts["poor_to_near"] += start == poor and end == near
        counts["relapsed_poor"] += move == "relapsed_poor"
        counts["new_poor"] += move in ("new_poor", "near_poor_to_poor")
        counts["near_to_poor"] += move == "near_poor_to_poor"
        counts["poor_end"] += end == poor
        counts["poor_end_em"] += end == poor and em
        counts["near_start"] += start == near
        counts["escaped_near"] += move == "escaped_near_poor"
        counts["relapsed_near"] += move == "relapsed_near_poor"
        counts["new_near"] += move == "new_near_poor"
        counts["near_end"] += end == near
        counts["near_start_em"] += start == near and em
        counts["near_end_em"] += end == near and em
        counts["new_poor_outside"] += move == "new_poor"
        counts["escaped_poor_outside"] += move == "escaped_poor" and end != near
    return {k: {f: v for f, v in c.items() if v} for k, c in result.items() if k is not None}


@pytest.mark.parametrize("level,key", [(UnitLevel.VILLAGE, "village_id"), (UnitLevel.COMMUNE, "commune_id")])
def test_movements_equal_the_per_household_subqueries(population, level, key):
    rng = population
    periods = [ReportPeriod(date(y, 1, 1), date(y, 12, 31)) for y in range(2016, 2028)]
    for _ in range(6):
        start = date(2016, 1, 1) + timedelta(days=rng.randint(0, 3800))
        periods.append(ReportPeriod(start, start + timedelta(days=rng.randint(0, 700))))
    for period in periods:
        expected = per_household_movements(Household.objects.all(), period, key)
        actual = transition_counts(Household.objects.all(), period, level)
        assert set(COUNT_FIELDS) == set(next(iter(actual.values())))
        assert {k: {f: v for f, v in row.items() if v} for k, row in actual.items()} == expected, period


def test_query_counts_do_not_grow_with_households(population, tree, users):
    period = ReportPeriod(date(2025, 1, 1), date(2025, 12, 31))

    def count(call):
        with CaptureQueriesContext(connection) as captured:
            call()
        return len(captured.captured_queries)

    def figures():
        return unit_figures(unit=tree.province, period=Period.year(2025), user=users.province_staff)

    def registrations():
        return registration_counts(EscapeRegistration.objects.all(), UnitLevel.COMMUNE, 2025)

    before = (
        count(lambda: status_counts(tree.province, period.end, users.province_staff, 3)),
        count(lambda: transition_counts(Household.objects.all(), period, UnitLevel.COMMUNE)),
        count(registrations),
        count(figures),
    )
    rng = random.Random(3)
    for index in range(80):
        household = Household.objects.create(
            code=f"M-{index:05d}", village=tree.village, commune_id=tree.village.parent_id, area_type="rural"
        )
        random_records(rng, household)
        EscapeRegistration.objects.create(
            household=household,
            year=2025,
            registered_on=date(2025, 1, 15),
            class_at_registration=HouseholdClass.POOR,
            cadre_name="Cán bộ",
        )
    after = (
        count(lambda: status_counts(tree.province, period.end, users.province_staff, 3)),
        count(lambda: transition_counts(Household.objects.all(), period, UnitLevel.COMMUNE)),
        count(registrations),
        count(figures),
    )
    assert before == after
    assert before[:3] == (1, 1, 1)


def test_registration_outcomes_equal_the_per_registration_subquery(population, tree):
    rng = population
    households = list(Household.objects.all())
    for household in rng.sample(households, 90):
        EscapeRegistration.objects.create(
            household=household,
            year=rng.choice([2023, 2024, 2025]),
            registered_on=date(2023, 1, 15),
            class_at_registration=rng.choice([HouseholdClass.POOR, HouseholdClass.NEAR_POOR]),
            cadre_name="Cán bộ",
            state=rng.choice([EscapeRegistrationState.REGISTERED] * 4 + [EscapeRegistrationState.WITHDRAWN]),
        )
    achieved = 0
    for year in (2023, 2024, 2025):
        for today in (date(year, 6, 30), date(year + 1, 3, 1)):
            for level, key in (
                (UnitLevel.VILLAGE, "household__village_id"),
                (UnitLevel.COMMUNE, "household__commune_id"),
            ):
                registrations = EscapeRegistration.objects.filter(year=year)
                expected = {
                    row[key]: {"registered": row["registered"], "achieved": row["achieved"]}
                    for row in registrations_with_outcome(registrations, today=today)
                    .values(key)
                    .order_by(key)
                    .annotate(registered=Count("pk"), achieved=Count("pk", filter=Q(outcome__in=Outcome.ACHIEVED)))
                }
                assert registration_counts(registrations, level, year, today=today) == expected, (year, today, level)
                achieved += sum(row["achieved"] for row in expected.values())
    assert achieved > 0
