"""Movements of poor and near-poor households derived from the status history (domain.md §2.8), counted per
village, commune, district and province by PostgreSQL, checked against the Python rule in households.history."""

import io
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.choices import Role
from areas.choices import UnitLevel
from households.choices import HouseholdClass, Transition
from households.history import Period, class_on, transition
from households.models import ChangeEntry, Household, StatusRecord, UnitPopulation
from households.transitions import (
    ReportPeriod,
    period_between,
    period_for_year,
    transition_counts,
    transition_table,
    with_transitions,
)
from tests.export_jobs import fetch_export
from tests.factories import UserFactory, VillageFactory

P, N, A, X = (
    HouseholdClass.POOR,
    HouseholdClass.NEAR_POOR,
    HouseholdClass.AVERAGE_LIVING,
    HouseholdClass.NON_POOR,
)
TODAY = date(2026, 11, 26)


def history(household: Household, *steps: tuple[str, date]) -> None:
    """Status records from (class, from) steps; each closes the day before the next starts."""
    for index, (household_class, valid_from) in enumerate(steps):
        valid_to = steps[index + 1][1] - timedelta(days=1) if index + 1 < len(steps) else None
        StatusRecord.objects.create(
            household=household, household_class=household_class, valid_from=valid_from, valid_to=valid_to
        )


_codes = iter(range(1, 1_000_000))


def bare_household(village, **fields) -> Household:
    return Household.objects.create(
        code=f"T-{next(_codes):05d}", village=village, commune_id=village.parent_id, area_type="rural", **fields
    )


def year(y: int) -> ReportPeriod:
    return ReportPeriod(date(y, 1, 1), date(y, 12, 31))


def movement(household: Household, period: ReportPeriod) -> str | None:
    return with_transitions(Household.objects.filter(pk=household.pk), period).get().transition


# --- the table of §2.8 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "steps,expected",
    [
        # domain.md §2.8: start of period → end of period → counted as
        ([(P, date(2024, 12, 15))], Transition.REMAINS),
        ([(P, date(2024, 12, 15)), (N, date(2025, 12, 10))], Transition.ESCAPED_POOR),
        ([(P, date(2024, 12, 15)), (X, date(2025, 12, 10))], Transition.ESCAPED_POOR),
        ([(P, date(2024, 12, 15)), (A, date(2025, 6, 20))], Transition.ESCAPED_POOR),
        ([(N, date(2024, 12, 15)), (X, date(2025, 12, 10))], Transition.ESCAPED_NEAR_POOR),
        ([(N, date(2024, 12, 15)), (P, date(2025, 12, 10))], Transition.NEAR_POOR_TO_POOR),
        ([(X, date(2024, 12, 15)), (P, date(2025, 12, 10))], Transition.NEW_POOR),
        ([(P, date(2025, 12, 10))], Transition.NEW_POOR),  # not on any list before
        ([(X, date(2024, 12, 15)), (N, date(2025, 12, 10))], Transition.NEW_NEAR_POOR),
        ([(P, date(2022, 1, 1)), (X, date(2023, 12, 1)), (P, date(2025, 12, 10))], Transition.RELAPSED_POOR),
        ([(N, date(2022, 1, 1)), (X, date(2023, 12, 1)), (N, date(2025, 12, 10))], Transition.RELAPSED_NEAR_POOR),
        ([(X, date(2024, 12, 15))], None),
        # Several decisions in the year: only the start and the end count.
        ([(P, date(2024, 12, 15)), (N, date(2025, 5, 1)), (P, date(2025, 11, 1))], Transition.REMAINS),
    ],
)
def test_movement_in_2025(tree, steps, expected):
    household = bare_household(tree.village)
    history(household, *steps)
    assert movement(household, year(2025)) == expected
    periods = [Period(r.household_class, r.valid_from, r.valid_to) for r in household.status_records.all()]
    assert transition(periods, date(2024, 12, 31), date(2025, 12, 31)) == expected


def test_poor_2024_escaped_2025_poor_again_2027_is_relapsed_in_2027(tree):
    """Relapse (domain.md §2.8): poor last year, escaped this year, poor again two years later is relapsed."""
    household = bare_household(tree.village)
    history(household, (P, date(2023, 12, 14)), (X, date(2025, 12, 12)), (P, date(2027, 12, 10)))
    today = date(2028, 3, 1)
    assert movement(household, period_for_year(2024, today)) == Transition.REMAINS
    assert movement(household, period_for_year(2025, today)) == Transition.ESCAPED_POOR
    assert movement(household, period_for_year(2026, today)) is None
    assert movement(household, period_for_year(2027, today)) == Transition.RELAPSED_POOR
    counts = transition_counts(Household.objects.all(), period_for_year(2027, today), UnitLevel.COMMUNE)
    assert counts[tree.commune.pk]["relapsed_poor"] == 1
    assert counts[tree.commune.pk]["new_poor"] == 0


def test_archived_household_leaves_the_period_it_was_archived_in(tree, users):
    household = bare_household(tree.village)
    history(household, (P, date(2024, 12, 15)))
    ChangeEntry.objects.create(household=household, subject="x", action="archive", user=users.commune_officer)
    archived_on = timezone.localdate(ChangeEntry.objects.get(household=household).at)  # the day in Vietnam, not UTC
    gone = ReportPeriod(date(archived_on.year, 1, 1), archived_on)
    earlier = ReportPeriod(date(2025, 1, 1), date(2025, 12, 31))
    assert not with_transitions(Household.objects.all(), gone).exists()
    assert with_transitions(Household.objects.all(), earlier).get().transition == Transition.REMAINS


def test_periods():
    assert period_for_year(2026, TODAY) == ReportPeriod(date(2026, 1, 1), TODAY)
    assert period_for_year(2025, TODAY).label == "Năm 2025"
    assert period_for_year(2026, TODAY).label == "Năm 2026 (đến ngày 26/11/2026)"
    assert period_between(date(2025, 7, 1), date(2026, 6, 30), TODAY).label == "Từ 01/07/2025 đến 30/06/2026"
    with pytest.raises(ValidationError):
        period_for_year(2027, TODAY)
    with pytest.raises(ValidationError):
        period_between(date(2026, 2, 1), date(2026, 1, 1), TODAY)


# --- SQL equals the Python rule, per village, commune, district and province ---------------------------------------


def random_history(rng: random.Random, household: Household) -> list[Period]:
    """Yearly decisions 2019–2026 (sometimes an in-year one), each class drawn with a bias to stay."""
    classes = [P, N, A, X]
    current = rng.choice(classes + [None])
    steps = []
    for y in range(2019, 2027):
        if current is not None and (not steps or rng.random() < 0.55):
            steps.append((current, date(y, 12, rng.randint(1, 20))))
        if rng.random() < 0.15:
            steps.append((rng.choice(classes), date(y, rng.randint(3, 10), 15)))
        current = rng.choice(classes) if rng.random() < 0.5 else (current or rng.choice(classes))
    steps.sort(key=lambda s: s[1])
    history(household, *steps)
    return [Period(r.household_class, r.valid_from, r.valid_to) for r in household.status_records.all()]


@pytest.fixture
def many(tree):
    """70 households with random histories in 5 villages of 4 communes in 2 districts."""
    rng = random.Random(2021)
    villages = [
        tree.village,
        VillageFactory(parent=tree.commune, code="24079-02"),
        VillageFactory(parent=tree.sibling_commune, code="24076-01"),
        VillageFactory(parent=tree.other_district_commune, code="24121-01"),
        VillageFactory(parent=tree.other_province_commune, code="23284-01"),
    ]
    periods = {}
    for index in range(70):
        household = bare_household(villages[index % 5], ethnic_minority=rng.random() < 0.7)
        periods[household.pk] = random_history(rng, household)
    return villages, periods


def python_counts(households, periods, period: ReportPeriod, key) -> dict:
    result: dict = {}
    for household in households:
        moves = periods[household.pk]
        row = result.setdefault(key(household), Counter())
        before, after = class_on(moves, period.before), class_on(moves, period.end)
        move = transition(moves, period.before, period.end)
        row["households"] += 1
        row["poor_start"] += before == P
        row["poor_end"] += after == P
        row["near_start"] += before == N
        row["near_end"] += after == N
        row["escaped_poor"] += move == Transition.ESCAPED_POOR
        row["poor_to_near"] += before == P and after == N
        row["relapsed_poor"] += move == Transition.RELAPSED_POOR
        row["new_poor"] += move in (Transition.NEW_POOR, Transition.NEAR_POOR_TO_POOR)
        row["near_to_poor"] += move == Transition.NEAR_POOR_TO_POOR
        row["escaped_near"] += move == Transition.ESCAPED_NEAR_POOR
        row["relapsed_near"] += move == Transition.RELAPSED_NEAR_POOR
        row["new_near"] += move == Transition.NEW_NEAR_POOR
        row["poor_start_em"] += before == P and household.ethnic_minority
        row["poor_end_em"] += after == P and household.ethnic_minority
        row["near_start_em"] += before == N and household.ethnic_minority
        row["near_end_em"] += after == N and household.ethnic_minority
        row["new_poor_outside"] += move == Transition.NEW_POOR
        row["escaped_poor_outside"] += move == Transition.ESCAPED_POOR and after != N
    return result


@pytest.mark.parametrize(
    "period",
    [year(2021), year(2023), year(2025), ReportPeriod(date(2024, 7, 1), date(2026, 6, 30))],
    ids=str,
)
def test_counts_per_level_equal_the_python_rule(many, tree, period):
    _villages, periods = many
    households = list(Household.objects.select_related("commune__parent__parent"))

    def district(h):
        return h.commune.parent_id

    def province(h):
        return h.commune.parent.parent_id

    keys = {
        UnitLevel.VILLAGE: lambda h: h.village_id,
        UnitLevel.COMMUNE: lambda h: h.commune_id,
        UnitLevel.DISTRICT: district,
        UnitLevel.PROVINCE: province,
    }
    moved = 0
    for level, key in keys.items():
        expected = python_counts(households, periods, period, key)
        actual = transition_counts(Household.objects.all(), period, level)
        assert {k: {f: v for f, v in row.items() if v} for k, row in actual.items()} == {
            k: {f: v for f, v in row.items() if v} for k, row in expected.items()
        }, level
        moved = sum(row["escaped_poor"] + row["new_poor"] + row["relapsed_poor"] for row in actual.values())
    assert moved > 0  # the random histories do move


def sorted_lines(lines: list[dict]) -> list[list]:
    return sorted(sorted(line.items()) for line in lines)


def test_periods_counted_in_one_statement_each_equal_their_own_count_and_the_python_rule(many, tree):
    """The summaries count their periods in one statement (``_aggregate_periods``): each period's lines are what that
    period counted alone gives, and the Python rule's counts; a household archived by a period's last day (the day in
    the portal's time zone: 00:30 on 01/01/2024 there is still 31/12/2023 in UTC) is left out of that period only, and
    an opening balance counts as the balance at the start of the periods it falls in."""
    from datetime import UTC, datetime

    from households.transitions import _aggregate, _aggregate_periods

    # Every date here is history (the fixture's records run 2019–2026): nothing compares them with today, so the
    # test reads the same on any day.
    _villages, periods_of = many
    households = list(Household.objects.order_by("pk"))
    archived_on = {households[0].pk: date(2024, 1, 1), households[1].pk: date(2025, 6, 15)}
    for pk, moment in zip(
        archived_on, [datetime(2023, 12, 31, 17, 30, tzinfo=UTC), datetime(2025, 6, 15, 3, 0, tzinfo=UTC)], strict=True
    ):
        entry = ChangeEntry.objects.create(household_id=pk, subject="lưu trữ", action="archive")
        ChangeEntry.objects.filter(pk=entry.pk).update(at=moment)
    # an opening balance: the household's first record, begun in the middle of the periods below
    opening = households[2]
    first = opening.status_records.order_by("valid_from").first()
    StatusRecord.objects.filter(pk=first.pk).update(opening_balance=True)
    periods = [year(2023), year(2024), ReportPeriod(date(2024, 7, 1), date(2026, 6, 30)), year(2025), year(2026)]
    for level in (UnitLevel.COMMUNE, UnitLevel.DISTRICT):
        together = _aggregate_periods(Household.objects.all(), periods, level, also_by=UnitLevel.VILLAGE)
        assert [sorted_lines(lines) for lines in together] == [
            sorted_lines(_aggregate(Household.objects.all(), period, level, also_by=UnitLevel.VILLAGE))
            for period in periods
        ]
    plain = [h for h in households if h.pk != opening.pk]
    alone = _aggregate_periods(Household.objects.exclude(pk=opening.pk), periods, UnitLevel.COMMUNE)
    for period, lines in zip(periods, alone, strict=True):
        counted = [h for h in plain if h.pk not in archived_on or archived_on[h.pk] > period.end]
        expected = python_counts(counted, periods_of, period, lambda h: h.commune_id)
        assert {line.pop("unit_key"): {f: v for f, v in line.items() if v} for line in lines} == {
            key: {f: v for f, v in row.items() if v} for key, row in expected.items()
        }, period
    assert len({tuple(sorted(line.items())) for lines in together for line in lines}) > len(periods)


def test_stock_identity_holds_in_every_row(many):
    for period in (year(2022), year(2024), year(2026)):
        for row in transition_counts(Household.objects.all(), period, UnitLevel.VILLAGE).values():
            arrivals = row["new_poor"] + row["relapsed_poor"]  # new_poor includes near → poor
            assert row["poor_start"] - row["escaped_poor"] + arrivals == row["poor_end"]
            near_in = row["new_near"] + row["relapsed_near"] + row["poor_to_near"]
            near_out = row["escaped_near"] + row["near_to_poor"]
            assert row["near_start"] + near_in - near_out == row["near_end"]


# --- the table: scoping, rates, queries -----------------------------------------------------------------------


def test_table_is_scoped_to_the_users_unit(many, tree, users):
    table = transition_table(users.district_staff, period=year(2025), level=UnitLevel.COMMUNE, scope=tree.district)
    names = [row.unit.name for row in table.rows]
    assert names == ["Thị trấn Phú Túc", "Xã Ia RSai"]  # official code order; no commune of Ia Pa or Kon Tum
    assert table.total.counts["households"] == sum(r.counts["households"] for r in table.rows) == 42

    officer = transition_table(users.commune_officer, period=year(2025), level=UnitLevel.VILLAGE, scope=tree.commune)
    assert {row.unit.parent_id for row in officer.rows} == {tree.commune.pk}
    province = transition_table(users.province_staff, period=year(2025), level=UnitLevel.DISTRICT, scope=tree.province)
    assert [row.unit.name for row in province.rows] == ["Huyện Ia Pa", "Huyện Krông Pa"]
    assert province.total.counts["households"] == 56


def test_rates_use_the_population_records(tree, users):
    village2 = VillageFactory(parent=tree.commune)
    for index in range(3):
        history(bare_household(tree.village), (P, date(2024, 12, 15)), *([(X, date(2025, 12, 10))] if index else []))
    history(bare_household(village2), (N, date(2024, 12, 15)))
    UnitPopulation.objects.create(unit=tree.commune, year=2024, households=200, source="Thống kê 2024")
    UnitPopulation.objects.create(unit=tree.commune, year=2025, households=250, source="Thống kê 2025")
    UnitPopulation.objects.create(unit=tree.sibling_commune, year=2020, households=1000, source="Thống kê 2020")

    table = transition_table(users.district_staff, period=year(2025), level=UnitLevel.COMMUNE, scope=tree.district)
    row = next(r for r in table.rows if r.unit == tree.commune)
    assert (row.counts["poor_start"], row.counts["escaped_poor"], row.counts["poor_end"]) == (3, 2, 1)
    assert row.start_total.households == 200 and row.end_total.households == 250
    assert str(row.rates["poor_start"]) == "1.50" and str(row.rates["poor_end"]) == "0.40"
    assert str(row.rates["poor_reduction"]) == "1.10"
    # The district has no record of its own: its two communes are added up (the 2020 record still applies).
    assert table.total.end_total.households == 1250 and table.total.end_total.source == "communes"

    villages = transition_table(users.commune_officer, period=year(2025), level=UnitLevel.VILLAGE, scope=tree.commune)
    first = next(r for r in villages.rows if r.unit == tree.village)
    assert first.end_total.source == "registry" and first.end_total.households == 3
    assert villages.total.end_total.households == 250


@pytest.mark.parametrize("level", [UnitLevel.VILLAGE, UnitLevel.COMMUNE, UnitLevel.DISTRICT])
def test_table_queries_do_not_grow_with_units_or_households(many, tree, users, level, django_assert_max_num_queries):
    user = users.province_staff
    # four, and two more when the period may come from the summary table (the communes, their rows)
    with django_assert_max_num_queries(6):
        table = transition_table(user, period=year(2025), level=level, scope=tree.province)
    assert table.rows
    for index in range(30):
        village = VillageFactory(parent=tree.sibling_commune)
        history(bare_household(village), (P, date(2024, 1, 1 + index % 20)))
    with django_assert_max_num_queries(6):
        transition_table(user, period=year(2025), level=level, scope=tree.province)


# --- the page and its export ----------------------------------------------------------------------------------

PAGE = "households:transitions"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_opens_the_page_for_its_own_unit(client_for, users, tree, role):
    response = client_for(users.by_role(role)).get(reverse(PAGE), {"nam": 2025})
    assert response.status_code == 200
    assert "Biến động hộ nghèo" in response.content.decode()


@pytest.mark.parametrize(
    "role,unit_attr,expected",
    [
        (Role.COMMUNE_OFFICER, "commune", 200),
        (Role.COMMUNE_OFFICER, "sibling_commune", 404),
        (Role.COMMUNE_OFFICER, "district", 404),
        (Role.DISTRICT_STAFF, "sibling_commune", 200),
        (Role.DISTRICT_STAFF, "other_district_commune", 404),
        (Role.DISTRICT_STAFF, "province", 404),
        (Role.PROVINCE_STAFF, "other_district_commune", 200),
        (Role.PROVINCE_STAFF, "other_province_commune", 404),
        (Role.SYSTEM_ADMIN, "other_province_commune", 200),
    ],
)
@pytest.mark.parametrize("url_name", [PAGE, "households:transitions_export"])
def test_another_units_figures_are_404(client_for, users, tree, role, unit_attr, expected, url_name):
    unit = getattr(tree, unit_attr)
    response = client_for(users.by_role(role)).get(reverse(url_name), {"don_vi": unit.pk, "nam": 2025})
    assert response.status_code == expected


def test_page_shows_counts_and_bad_input_is_explained(client_for, many, tree, users):
    client = client_for(users.district_staff)
    response = client.get(reverse(PAGE), {"nam": 2025, "cap": "village"})
    page = response.content.decode()
    expected = transition_table(users.district_staff, period=year(2025), level="village", scope=tree.district)
    assert response.context["table"].total.counts == expected.total.counts
    assert "Xã Ia RSai" in page and "Tái nghèo" in page
    bad = client.get(reverse(PAGE), {"nam": "abc", "cap": "tinh"})
    assert bad.status_code == 200
    assert bad.context["form"].errors


def test_page_query_count_is_constant(client_for, many, tree, users, django_assert_max_num_queries):
    client = client_for(users.province_staff)
    with django_assert_max_num_queries(16):  # two of them: the summary's communes and rows when it holds the year
        client.get(reverse(PAGE), {"nam": 2025, "cap": "village"})


def test_excel_export_has_the_same_figures(client_for, many, tree, users):
    response, content = fetch_export(
        client_for(users.district_staff), reverse("households:transitions_export"), {"nam": 2025, "cap": "commune"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    text = " ".join(str(v) for row in values for v in row if v is not None)
    assert "BIẾN ĐỘNG HỘ NGHÈO, HỘ CẬN NGHÈO" in text and "Huyện Krông Pa" in text
    table = transition_table(users.district_staff, period=year(2025), level="commune", scope=tree.district)
    total_row = next(row for row in values if row and row[1] == "Tổng cộng")
    assert table.total.counts["poor_end"] in total_row
    assert table.total.counts["escaped_poor"] in total_row


def test_commune_officer_of_another_province_sees_nothing_of_ours(client_for, many, tree):
    stranger = UserFactory(role=Role.COMMUNE_OFFICER, unit=tree.other_province_commune)
    response = client_for(stranger).get(reverse(PAGE), {"nam": 2025})
    assert all(
        row.unit.pk == tree.other_province_commune.pk or row.unit.parent_id == tree.other_province_commune.pk
        for row in response.context["table"].rows
    )
