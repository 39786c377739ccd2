"""The housing gaps read village by village along their own index, and the electricity totals counted from indexes
(programs migration 0012, docs/adr/0043): on random data, with the clock frozen on several days (a year's last and
first day, a leap day, mid-year, and the day after each), the pages hold exactly the former query's rows in its order
and the totals are the list's rows', for a province, district and commune officer, after each kind of change to the
data the conditions read (deprivations, the social-protection flag, the household's state and village, status records
beginning or ending around the day, support recorded, cancelled or deleted)."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from households.models import Household
from programs import bulk, selectors
from programs.figures import HOUSING_INDICATORS
from programs.listing import VillageOrderPaginator
from programs.models import Benefit, Programme
from programs.status import status_q
from programs.views_bulk import day_for
from tests.factories import VillageFactory

from .conftest import pay, set_status

pytestmark = pytest.mark.django_db

ROLES = ("province_staff", "district_staff", "commune_officer")
INDICATORS = ("housing_quality", "housing_area", "health_insurance", "schooling", "water", "information_access")


def frozen_days():
    """31/12 and 01/01 around this year's end, 29/02 of the next leap year and a day in mid-year."""
    year = timezone.localdate().year
    leap = next(y for y in range(year, year + 4) if y % 4 == 0 and (y % 100 or y % 400 == 0))
    return [date(year, 12, 31), date(year + 1, 1, 1), date(leap, 2, 29), date(year + 1, 7, 1)]


def at(day: date):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False
    )


def spread_villages(tree) -> list:
    """Five villages: two of one commune with the same name, one of a sibling commune, one of another district and
    one of another province (outside every role's unit but the province's)."""
    return [
        tree.village,
        VillageFactory(code="24079-02", name="Buôn Chư Tê", parent=tree.commune),
        VillageFactory(code="24082-01", name="Thôn 1", parent=tree.sibling_commune),
        VillageFactory(code="24121-01", name="Buôn Ia Mrơn", parent=tree.other_district_commune),
        VillageFactory(code="40001-01", name="Xóm Đông", parent=tree.other_province_commune),
    ]


def random_households(rng, tree, make_household, count=30):
    """Households in five villages of three communes and one of another province, with random deprivations and status
    periods around today: poor since long ago, poor until yesterday or today, poor from tomorrow, other classes."""
    today = timezone.localdate()
    villages = spread_villages(tree)
    households = []
    for index, code in enumerate(rng.sample(range(100, 999), count)):
        household = make_household(code=f"N-{code}", village=villages[index % len(villages)], status=None)
        periods = rng.choice(
            [
                [("poor", today - timedelta(days=800), None)],
                [("poor", today - timedelta(days=800), today - timedelta(days=1)), ("near_poor", today, None)],
                [("poor", today - timedelta(days=800), today), ("near_poor", today + timedelta(days=1), None)],
                [("near_poor", today - timedelta(days=800), today), ("poor", today + timedelta(days=1), None)],
                [("not_poor", today - timedelta(days=800), None)],
            ]
        )
        set_status(household, *periods)
        households.append(household)
    deprive(rng, households)
    return households


def deprive(rng, households):
    for household in households:
        Household.objects.filter(pk=household.pk).update(deprived_indicators=rng.sample(INDICATORS, rng.randint(0, 3)))


def add_benefit(household, code: str, day: date, user) -> Benefit:
    programme = Programme.objects.get(code=code)
    return Benefit.objects.create(
        programme=programme,
        household=household,
        date=day,
        amount=40_000_000,
        household_status="poor",
        created_by=user,
    )


def former_housing_gap(user, day):
    """The housing gaps' query as it was before the walk: the catalogue joined for each benefit, the plain ORDER BY."""
    housed = Benefit.objects.active().filter(household=OuterRef("pk"), programme__kind="housing")
    return (
        Household.objects.visible_to(user)
        .active()
        .filter(status_q("poor", day), deprived_indicators__overlap=HOUSING_INDICATORS)
        .filter(~Exists(housed))
        .order_by(*selectors.HOUSEHOLD_ORDER)
    )


def walked(records, user, per_page=2):
    """Every row of the list, page by page, as the village walk reads them."""
    paginator = VillageOrderPaginator(
        records, per_page, user=user, village="village", within=selectors.HOUSEHOLD_WITHIN_VILLAGE
    )
    paginator.exact_up_to = paginator.deepest = 10_000
    return [row.pk for number in paginator.page_range for row in paginator.page(number).object_list]


def assert_walk_equals_former(users):
    day = day_for(timezone.localdate().year)
    shown = {}
    for role in ROLES:
        user = getattr(users, role)
        expected = [h.pk for h in former_housing_gap(user, day)]
        assert [h.pk for h in selectors.housing_gap(user, day=day)] == expected, role
        assert walked(selectors.housing_gap(user, day=day), user) == expected, role
        shown[role] = expected
    return shown["province_staff"]


@pytest.mark.parametrize("day", frozen_days(), ids=str)
def test_the_housing_gaps_walked_village_by_village_are_the_former_list_after_every_change(
    tree, users, make_household, day
):
    rng = random.Random(day.toordinal())
    with at(day):
        today = timezone.localdate()
        households = random_households(rng, tree, make_household)
        officer = users.commune_officer
        shown = assert_walk_equals_former(users)
        assert shown, "the random data hold housing gaps"
        # Housing support recorded (before today, today, after today), one cancelled, other support that does not count.
        for household in rng.sample(households, 8):
            add_benefit(household, rng.choice(["HOUSING_SUPPORT", "HOUSING_NTP_DA5"]), today, officer)
        cancelled = add_benefit(households[0], "HOUSING_SUPPORT", today - timedelta(days=30), officer)
        Benefit.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
        add_benefit(households[1], "RICE_TET", today, officer)
        assert_walk_equals_former(users)
        # Support deleted, deprivations recomputed, a household archived, another moved to another village.
        Benefit.objects.filter(programme__kind="housing").order_by("pk").first().delete()
        deprive(rng, households)
        Household.objects.filter(pk=households[2].pk).update(state="archived")
        Household.objects.filter(pk=households[3].pk).update(village=households[4].village)
        assert_walk_equals_former(users)
        # A status record's end moved to yesterday, another household's decision beginning today.
        household = households[5]
        set_status(household, ("poor", today - timedelta(days=90), today - timedelta(days=1)))
        set_status(households[6], ("near_poor", today - timedelta(days=90), today - timedelta(days=1)))
        set_status(households[6], ("poor", today, None))
        assert_walk_equals_former(users)
    # The same data a day later: the statuses in force move with the clock, the candidates with them.
    with at(day + timedelta(days=1)):
        assert_walk_equals_former(users)


def test_the_housing_gaps_page_shows_the_former_list_s_rows(client_for, tree, users, make_household):
    random_households(random.Random(11), tree, make_household)
    user = users.province_staff
    expected = [h.code for h in former_housing_gap(user, day_for(timezone.localdate().year))]
    response = client_for(user).get(reverse("programs:coverage_housing"))
    assert response.status_code == 200 and expected
    assert [row["household"] for row in response.context["rows"]] == expected[:100]
    assert response.context["total"] == len(expected)


def test_the_housing_gaps_walk_can_read_the_housing_deprived_households_from_their_index(tree, users, make_household):
    """The partial index's condition (programs migration 0012) is implied by the list's filter as Django writes it:
    PostgreSQL may walk a village's housing-deprived households along the index (here forced: the table is tiny)."""
    random_households(random.Random(5), tree, make_household, count=5)
    user = users.province_staff
    records = selectors.housing_gap(user, day=timezone.localdate())
    paginator = VillageOrderPaginator(
        records, 2, user=user, village="village", within=selectors.HOUSEHOLD_WITHIN_VILLAGE
    )
    sql, params = paginator._walk_sql(2, ordered=True)
    with connection.cursor() as cursor:
        # On a table of a few rows every index by village costs the same and the planner's tie-break decides (it took
        # the households' village index on one machine): the other village indexes are dropped inside the test's
        # transaction, so the partial index is used if, and only if, the list's filter implies its condition.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'households_household'"
            " AND indexname <> 'programs_household_housing_gap_idx' AND indexdef LIKE '%%(village_id%%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "programs_household_housing_gap_idx" in plan, plan
    # Which of the benefits' indexes answers "no housing support" on a table of a few rows is the planner's whim of
    # the moment (it took another one when the statistics differed): the million-household plans are in
    # docs/performance.md ("The housing gaps walked along their own index…"), not asserted here.


def assert_electricity_totals_equal_rows(users, electricity):
    """For last quarter and this one (its last day may lie after today), every role: the totals are the rows'."""
    today = timezone.localdate()
    this_quarter = (today.year, (today.month - 1) // 3 + 1)
    last_quarter = (today.year, this_quarter[1] - 1) if this_quarter[1] > 1 else (today.year - 1, 4)
    counted = {}
    for year, quarter in (last_quarter, this_quarter):
        day = bulk.quarter_end(year, quarter)
        for role in ROLES:
            user = getattr(users, role)
            rows = list(selectors.electricity_quarter(user, programme=electricity, year=year, quarter=quarter, day=day))
            totals = selectors.electricity_totals(user, programme=electricity, year=year, quarter=quarter, day=day)
            assert totals == {"households": len(rows), "unpaid": sum(1 for h in rows if not h.paid)}, (role, quarter)
            # The page's walk checks the status household by household: the same rows, in the list's order.
            walk = selectors.electricity_quarter(
                user, programme=electricity, year=year, quarter=quarter, day=day, walked=True
            )
            assert walked(walk, user) == [h.pk for h in rows], (role, quarter)
            counted[(role, quarter)] = totals
    return counted


@pytest.mark.parametrize("day", frozen_days(), ids=str)
def test_the_electricity_totals_and_walked_pages_equal_the_rows_after_every_change(tree, users, make_household, day):
    """The two parts (social protection; poor without it) and their paid households add up to the list's rows, and
    the page's walk (the status checked household by household) holds those rows in their order, with
    the clock on a year's last and first day and a leap day, after payments (one cancelled, one deleted, one of
    another quarter), a flag set and cleared, a household archived or moved, and decisions around the quarter's end."""
    rng = random.Random(day.toordinal() + 1)
    electricity = Programme.objects.get(code="ELECTRICITY")
    with at(day):
        today = timezone.localdate()
        households = random_households(rng, tree, make_household)
        officer = users.commune_officer
        for household in households:
            Household.objects.filter(pk=household.pk).update(social_protection=rng.random() < 0.4)
        counted = assert_electricity_totals_equal_rows(users, electricity)
        assert any(totals["households"] for totals in counted.values())
        year, quarter = today.year, (today.month - 1) // 3 + 1
        payments = [pay(h, electricity, year, quarter, officer) for h in rng.sample(households, 12)]
        Benefit.objects.filter(pk=payments[0].pk).update(cancelled_at=timezone.now())
        payments[1].delete()
        pay(households[-1], electricity, year - 1, 4, officer)
        assert_electricity_totals_equal_rows(users, electricity)
        flagged = [h for h in households if rng.random() < 0.5]
        Household.objects.filter(pk__in=[h.pk for h in flagged]).update(social_protection=True)
        Household.objects.filter(pk=households[0].pk).update(social_protection=False)
        Household.objects.filter(pk=households[2].pk).update(state="archived")
        Household.objects.filter(pk=households[3].pk).update(village=households[4].village)
        assert_electricity_totals_equal_rows(users, electricity)
        end = bulk.quarter_end(year, quarter)
        set_status(households[5], ("poor", today - timedelta(days=90), end - timedelta(days=1)))
        set_status(
            households[6], ("near_poor", today - timedelta(days=90), end - timedelta(days=1)), ("poor", end, None)
        )
        set_status(households[7], ("poor", end + timedelta(days=1), None))
        assert_electricity_totals_equal_rows(users, electricity)
    with at(day + timedelta(days=1)):
        assert_electricity_totals_equal_rows(users, electricity)


def test_the_electricity_walk_looks_the_status_up_household_by_household(tree, users, make_household):
    """The walked list's poor check cannot become a hashed set of every poor household (the redundant ``>=`` beside
    the correlation): the plan looks it up for each household walked."""
    random_households(random.Random(3), tree, make_household, count=5)
    user = users.province_staff
    day = timezone.localdate()
    records = selectors.electricity_quarter(
        user,
        programme=Programme.objects.get(code="ELECTRICITY"),
        year=day.year,
        quarter=(day.month - 1) // 3 + 1,
        day=day,
        walked=True,
    )
    paginator = VillageOrderPaginator(
        records, 2, user=user, village="village", within=selectors.HOUSEHOLD_WITHIN_VILLAGE
    )
    sql, params = paginator._walk_sql(2, ordered=True)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "SubPlan" in plan and "hashed SubPlan" not in plan
