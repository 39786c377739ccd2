"""The movement figures with the meanings of the summary forms: both lists balance with the columns the rows
expose (TT 17/2016, Mẫu số 3; domain.md §2.8, §3.1), a unit's first list imported as an opening balance is the
start of its history and not "newly poor", and the start-of-period rate is read over the population in force at
the start, never over today's registry."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from areas.choices import UnitLevel
from households.choices import HouseholdClass, Transition
from households.history import Period, class_on, transition
from households.models import Household, StatusRecord, UnitPopulation
from households.transitions import (
    NEAR_BALANCE,
    POOR_BALANCE,
    ReportPeriod,
    balance_gap,
    transition_counts,
    transition_table,
    with_transitions,
)
from tests.factories import VillageFactory

P, N, A, X = (
    HouseholdClass.POOR.value,
    HouseholdClass.NEAR_POOR.value,
    HouseholdClass.AVERAGE_LIVING.value,
    HouseholdClass.NON_POOR.value,
)
YEAR_2025 = ReportPeriod(date(2025, 1, 1), date(2025, 12, 31))
_codes = iter(range(1, 10_000_000))


def household_with(village, *steps, opening: bool = False, ethnic_minority: bool = False) -> Household:
    """A household whose status records follow (class, from) steps, each closed the day before the next; the first
    is marked as the unit's opening balance when ``opening``."""
    household = Household.objects.create(
        code=f"B-{next(_codes):06d}",
        village=village,
        commune_id=village.parent_id,
        area_type="rural",
        ethnic_minority=ethnic_minority,
    )
    for index, (household_class, valid_from) in enumerate(steps):
        valid_to = steps[index + 1][1] - timedelta(days=1) if index + 1 < len(steps) else None
        StatusRecord.objects.create(
            household=household,
            household_class=household_class,
            valid_from=valid_from,
            valid_to=valid_to,
            opening_balance=opening and index == 0,
        )
    return household


def one_row(households, period=YEAR_2025) -> dict:
    rows = transition_counts(Household.objects.filter(pk__in=[h.pk for h in households]), period, UnitLevel.COMMUNE)
    assert len(rows) == 1
    return next(iter(rows.values()))


# --- the near-poor list balances, and the row shows every column of it --------------------------------------------


def test_near_poor_balance_by_hand(tree):
    village = tree.village
    households = [
        household_with(village, (N, date(2024, 12, 10))),  # remains near-poor
        household_with(village, (N, date(2024, 12, 10)), (P, date(2025, 12, 10))),  # near-poor → poor
        household_with(village, (N, date(2024, 12, 10)), (P, date(2025, 6, 20))),  # near-poor → poor (in-year)
        household_with(village, (N, date(2024, 12, 10)), (X, date(2025, 12, 10))),  # escaped near-poverty
        household_with(village, (P, date(2024, 12, 10)), (N, date(2025, 12, 10))),  # poor → near-poor
        household_with(village, (P, date(2024, 12, 10)), (A, date(2025, 12, 10))),  # escaped poverty, off the lists
        household_with(village, (X, date(2024, 12, 10)), (N, date(2025, 12, 10))),  # newly near-poor
        household_with(village, (N, date(2022, 12, 10)), (X, date(2023, 12, 10)), (N, date(2025, 12, 10))),  # relapse
        household_with(village, (X, date(2024, 12, 10)), (P, date(2025, 12, 10))),  # newly poor
    ]
    row = one_row(households)
    assert (row["near_start"], row["new_near"], row["relapsed_near"], row["poor_to_near"]) == (4, 1, 1, 1)
    assert (row["escaped_near"], row["near_to_poor"], row["near_end"]) == (1, 2, 4)
    # 4 + 1 + 1 + 1 − 1 − 2 = 4: the two moves between the lists are columns of their own
    assert balance_gap(row, NEAR_BALANCE) == 0
    # Without the move from the poor list and to it, the near-poor columns the page showed did not add up.
    assert row["near_start"] + row["new_near"] + row["relapsed_near"] - row["escaped_near"] != row["near_end"]

    # The poor list: thoát nghèo counts poor → near-poor too (domain.md §2.8), the "outside" columns do not.
    assert (row["poor_start"], row["escaped_poor"], row["poor_to_near"], row["escaped_poor_outside"]) == (2, 2, 1, 1)
    assert (row["new_poor"], row["near_to_poor"], row["new_poor_outside"], row["poor_end"]) == (3, 2, 1, 3)
    assert balance_gap(row, POOR_BALANCE) == 0
    assert row["poor_start"] + row["new_poor"] + row["relapsed_poor"] - row["escaped_poor"] == row["poor_end"]


CLASSES = st.sampled_from([P, N, A, X])
STEP = st.tuples(CLASSES, st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 6, 30)))
HISTORY = st.tuples(
    st.lists(STEP, max_size=5, unique_by=lambda s: s[1]), st.booleans(), st.booleans(), st.integers(0, 2)
)
PERIODS = st.sampled_from(
    [
        ReportPeriod(date(2021, 1, 1), date(2021, 12, 31)),
        ReportPeriod(date(2023, 1, 1), date(2023, 6, 30)),
        ReportPeriod(date(2025, 7, 1), date(2025, 12, 31)),
        ReportPeriod(date(2024, 3, 1), date(2026, 2, 28)),
    ]
)


def python_periods(steps: list[tuple[str, date]], opening: bool, period: ReportPeriod) -> list[Period]:
    """The rule of the module docstring, written independently: a first record that is an opening balance and
    begins by the period's end is read as in force since before the period."""
    periods = []
    for index, (household_class, valid_from) in enumerate(steps):
        valid_to = steps[index + 1][1] - timedelta(days=1) if index + 1 < len(steps) else None
        extended = opening and index == 0 and valid_from <= period.end
        periods.append(Period(household_class, date.min if extended else valid_from, valid_to))
    return periods


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(histories=st.lists(HISTORY, min_size=1, max_size=8), period=PERIODS)
def test_both_lists_balance_on_random_histories(tree, histories, period):
    villages = [tree.village, VillageFactory(parent=tree.sibling_commune)]
    made, expected = [], {}
    try:
        for steps, opening, minority, where in histories:
            steps = sorted(steps, key=lambda s: s[1])
            village = villages[where % 2]
            household = household_with(village, *steps, opening=opening, ethnic_minority=minority)
            made.append(household)
            periods = python_periods(steps, opening, period)
            before, after = class_on(periods, period.before), class_on(periods, period.end)
            row = expected.setdefault(village.parent_id, {"poor_start": 0, "poor_end": 0, "new": 0, "new_near": 0})
            row["poor_start"] += before == P
            row["poor_end"] += after == P
            row["new"] += transition(periods, period.before, period.end) == Transition.NEW_POOR
            row["new_near"] += transition(periods, period.before, period.end) == Transition.NEW_NEAR_POOR
        counted = transition_counts(Household.objects.filter(pk__in=[h.pk for h in made]), period, UnitLevel.COMMUNE)
        for unit, row in counted.items():
            assert balance_gap(row, POOR_BALANCE) == 0, row
            assert balance_gap(row, NEAR_BALANCE) == 0, row
            assert row["new_poor"] == row["new_poor_outside"] + row["near_to_poor"]
            assert row["escaped_poor"] == row["escaped_poor_outside"] + row["poor_to_near"]
            assert row["near_start_em"] <= row["near_start"] and row["near_end_em"] <= row["near_end"]
            mine = expected[unit]
            assert (row["poor_start"], row["poor_end"]) == (mine["poor_start"], mine["poor_end"])
            assert (row["new_poor_outside"], row["new_near"]) == (mine["new"], mine["new_near"])
        # the per-household form gives the same movements
        for household, (steps, opening, _m, _w) in zip(made, histories, strict=True):
            periods = python_periods(sorted(steps, key=lambda s: s[1]), opening, period)
            got = with_transitions(Household.objects.filter(pk=household.pk), period).get().transition
            assert got == transition(periods, period.before, period.end)
    finally:
        Household.objects.filter(pk__in=[h.pk for h in made]).delete()
        for village in villages[1:]:
            village.delete()


# --- a unit's first list is an opening balance ---------------------------------------------------------------------


def test_first_list_imported_as_opening_balance_is_the_start_not_newly_poor(tree):
    # The province starts using the portal on 01/03/2025 and imports the lists approved at the 2024 review.
    imported = [
        household_with(tree.village, (P, date(2025, 3, 1)), opening=True),
        household_with(tree.village, (P, date(2025, 3, 1)), (X, date(2025, 12, 10)), opening=True),
        household_with(tree.village, (N, date(2025, 3, 1)), opening=True),
    ]
    row = one_row(imported)
    assert (row["poor_start"], row["escaped_poor"], row["poor_end"]) == (2, 1, 1)
    assert (row["new_poor"], row["new_near"], row["near_start"], row["near_end"]) == (0, 0, 1, 1)
    assert balance_gap(row, POOR_BALANCE) == balance_gap(row, NEAR_BALANCE) == 0
    assert [with_transitions(Household.objects.filter(pk=h.pk), YEAR_2025).get().transition for h in imported] == [
        Transition.REMAINS,
        Transition.ESCAPED_POOR,
        Transition.REMAINS,
    ]

    # The same records typed in the portal as a decision of the year are newly poor / newly near-poor.
    StatusRecord.objects.filter(household__in=imported).update(opening_balance=False)
    row = one_row(imported)
    # (the second one, poor from 01/03 to 09/12 only, then moves nowhere: no list at the start nor at the end)
    assert (row["poor_start"], row["new_poor"], row["new_near"], row["near_start"]) == (0, 1, 1, 0)

    # An opening balance that is not the household's first record is no start of history: it changes nothing.
    later = household_with(tree.village, (X, date(2024, 12, 10)), (P, date(2025, 3, 1)))
    StatusRecord.objects.filter(household=later, household_class=P).update(opening_balance=True)
    assert one_row([later])["new_poor"] == 1
    # In the next period the imported household is simply on the list at the start.
    assert one_row([imported[0]], ReportPeriod(date(2026, 1, 1), date(2026, 6, 30)))["poor_start"] == 1


# --- the start-of-period denominator -------------------------------------------------------------------------------


def test_start_rate_uses_the_population_at_the_start_never_the_registry(tree, users):
    for index in range(4):
        household_with(tree.village, (P, date(2024, 12, 10)), *([(X, date(2025, 12, 10))] if index else []))
    UnitPopulation.objects.create(unit=tree.commune, year=2025, households=400, source="Thống kê 31/12/2025")

    table = transition_table(users.commune_officer, period=YEAR_2025, level=UnitLevel.COMMUNE, scope=None)
    row = next(r for r in table.rows if r.unit == tree.commune)
    # The only record is of 2025: nothing was in force at 31/12/2024, so the start rate is unknown, not 4 / 4 (the
    # registry of today) = 100 %.
    assert row.start_total.households is None and row.start_total.source == "missing"
    assert row.rates["poor_start"] is None and row.rates["poor_reduction"] is None
    assert row.end_total.households == 400 and str(row.rates["poor_end"]) == "0.25"

    UnitPopulation.objects.create(unit=tree.commune, year=2024, households=380, source="Thống kê 31/12/2024")
    table = transition_table(users.commune_officer, period=YEAR_2025, level=UnitLevel.COMMUNE, scope=None)
    row = next(r for r in table.rows if r.unit == tree.commune)
    assert row.start_total.households == 380  # in force at the start; the end uses 2025's 400
    assert str(row.rates["poor_start"]) == "1.05" and str(row.rates["poor_end"]) == "0.25"

    # A village has no population of its own: its start is missing, its end keeps the marked registry fallback.
    villages = transition_table(users.commune_officer, period=YEAR_2025, level=UnitLevel.VILLAGE, scope=tree.commune)
    village_row = next(r for r in villages.rows if r.unit == tree.village)
    assert village_row.start_total.source == "missing" and village_row.rates["poor_start"] is None
    assert village_row.end_total.source == "registry" and village_row.end_total.households == 4


@pytest.mark.parametrize("balance", [POOR_BALANCE, NEAR_BALANCE])
def test_balances_name_existing_columns(balance):
    from households.transitions import COUNT_FIELDS

    start, arrivals, departures, end = balance
    assert {start, end, *arrivals, *departures} <= set(COUNT_FIELDS)
