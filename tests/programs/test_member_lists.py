"""The member lists (the yearly BHYT list, the members without a valid card of one group) read the households' status
once per household walked: on random data, with the clock frozen on several days (a year's last and first day, a leap
day, mid-year, and the day after each), for the current, the past and the next year's list, the rows and the walked
pages are exactly the former queries' (look-ups per member read), for a province, district and commune officer, after
each kind of change to the data the conditions read (status records beginning or ending around the day, the
household's state and village, a member leaving, the registry's card, BHYT cards recorded, cancelled or deleted)."""

import random
from datetime import date, timedelta

import pytest
from django.db.models import Exists, OuterRef
from django.utils import timezone

from households.models import Household, Member
from programs import selectors
from programs.listing import VillageOrderPaginator
from programs.models import Benefit, Programme
from programs.status import group_q, status_q
from programs.views_bulk import day_for

from .conftest import set_status
from .test_list_indexes import ROLES, at, frozen_days, spread_villages

pytestmark = pytest.mark.django_db

BHYT_GROUPS = ("poor", "near_poor", "average_living")


def former_bhyt(user, *, year: int, day: date):
    """The BHYT list's query before this change: each group looked up for each member read."""
    end = date(year, 12, 31)
    covered = Benefit.objects.active().filter(
        member=OuterRef("pk"), programme__kind="health_insurance", card_valid_to__gte=end
    )
    groups = [group_q(status, day, BHYT_GROUPS, household_ref="household__id") for status in BHYT_GROUPS]
    return (
        Member.objects.visible_to(user)
        .current()
        .filter(household__state="active")
        .filter(groups[0] | groups[1] | groups[2])
        .exclude(health_insurance_valid_to__gte=end)
        .exclude(Exists(covered))
        .order_by(*selectors.MEMBER_ORDER)
    )


def former_uninsured(user, *, day: date, status: str):
    """The members without a valid card of one group before this change: the status looked up per member read."""
    return (
        Member.objects.visible_to(user)
        .current()
        .filter(household__state="active", date_of_birth__lte=selectors.age_cutoff(day, 6))
        .exclude(selectors.valid_card_q(day))
        .filter(status_q(status, day, household_ref="household__id"))
        .order_by(*selectors.MEMBER_ORDER)
    )


GROUPS = ("poor", "near_poor", "average_living", "non_poor", "recently_escaped")


def periods_around(rng, today: date) -> list[tuple]:
    """A household's status history around ``today`` and around the year's ends."""
    year_end = date(today.year - 1, 12, 31)
    return rng.choice(
        [
            [("poor", today - timedelta(days=800), None)],
            [("average_living", today - timedelta(days=800), None)],
            [("poor", today - timedelta(days=800), today - timedelta(days=1)), ("near_poor", today, None)],
            [("near_poor", today - timedelta(days=800), today), ("non_poor", today + timedelta(days=1), None)],
            [("non_poor", today - timedelta(days=800), today), ("average_living", today + timedelta(days=1), None)],
            [("near_poor", today - timedelta(days=800), year_end), ("non_poor", year_end + timedelta(days=1), None)],
            [("non_poor", today - timedelta(days=800), year_end), ("poor", year_end + timedelta(days=1), None)],
            [("poor", today - timedelta(days=1200), today - timedelta(days=400))],  # recently escaped, no record now
            [("non_poor", today - timedelta(days=800), None)],
        ]
    )


def card(rng, today: date) -> dict:
    """The registry's card: none, ending before the year's end, on it, or after it."""
    end = date(today.year, 12, 31)
    valid_to = rng.choice(
        [None, today - timedelta(days=1), today, end - timedelta(days=1), end, end + timedelta(days=1)]
    )
    return {
        "health_insurance_valid_from": None if valid_to is None else today - timedelta(days=300),
        "health_insurance_valid_to": valid_to,
    }


def random_households(rng, tree, make_household, count=20):
    """Households in four villages of three communes and one of another province, each with four members whose cards
    vary, in random status histories."""
    today = timezone.localdate()
    villages = spread_villages(tree)
    households = []
    for index, code in enumerate(rng.sample(range(100, 999), count)):
        household = make_household(code=f"B-{code}", village=villages[index % len(villages)], status=None)
        set_status(household, *periods_around(rng, today))
        for member in Member.objects.filter(household=household):
            Member.objects.filter(pk=member.pk).update(**card(rng, today))
        households.append(household)
    return households


def record_card(member: Member, valid_to: date, user) -> Benefit:
    return Benefit.objects.create(
        programme=Programme.objects.get(code="BHYT"),
        household=member.household,
        member=member,
        date=timezone.localdate(),
        amount=0,
        household_status="poor",
        card_number=f"CN26400{member.pk:08}",
        card_valid_from=valid_to - timedelta(days=364),
        card_valid_to=valid_to,
        created_by=user,
    )


def walked(records, user, per_page=3):
    """Every row of the list, page by page, as the village walk reads them."""
    paginator = VillageOrderPaginator(
        records, per_page, user=user, village="household__village", within=selectors.MEMBER_WITHIN_VILLAGE
    )
    paginator.exact_up_to = paginator.deepest = 10_000
    return [row.pk for number in paginator.page_range for row in paginator.page(number).object_list]


def assert_lists_equal_former(users) -> list[int]:
    """The BHYT lists of last year, this year and next year, and this year's members without a valid card of each
    group, equal the former queries' rows for each role, read at once and page by page."""
    this_year = timezone.localdate().year
    shown = []
    for year in (this_year - 1, this_year, this_year + 1):  # day_for: 31/12, today, 01/01
        day = day_for(year)
        for role in ROLES:
            user = getattr(users, role)
            expected = [m.pk for m in former_bhyt(user, year=year, day=day)]
            records = selectors.bhyt_candidates(user, year=year, day=day)
            assert [m.pk for m in records] == expected, (year, role)
            assert walked(records, user) == expected, (year, role)
            if year == this_year and role == "province_staff":
                shown = expected
    day = day_for(this_year)
    for status in GROUPS:
        for role in ROLES:
            user = getattr(users, role)
            expected = [m.pk for m in former_uninsured(user, day=day, status=status)]
            records = selectors.uninsured_members(user, day=day, status=status, walked=True)
            assert [m.pk for m in records] == expected, (status, role)
            assert walked(records, user) == expected, (status, role)
            exported = selectors.uninsured_members(user, day=day, status=status)
            assert [m.pk for m in exported] == expected, (status, role)
    return shown


@pytest.mark.parametrize("day", frozen_days(), ids=str)
def test_the_member_lists_are_the_former_lists_after_every_change(tree, users, make_household, day):
    rng = random.Random(day.toordinal())
    with at(day):
        today = timezone.localdate()
        households = random_households(rng, tree, make_household)
        officer = users.commune_officer
        assert assert_lists_equal_former(users), "the random data hold members on the BHYT list"
        # BHYT cards recorded (ending before the year's end, on it, after it), one cancelled, one deleted.
        members = list(Member.objects.filter(household__in=households).select_related("household"))
        end = date(today.year, 12, 31)
        for member in rng.sample(members, 12):
            record_card(member, rng.choice([end - timedelta(days=1), end, end + timedelta(days=200)]), officer)
        Benefit.objects.filter(programme__code="BHYT").order_by("pk").first().delete()
        last = Benefit.objects.filter(programme__code="BHYT").order_by("-pk").first()
        Benefit.objects.filter(pk=last.pk).update(cancelled_at=timezone.now())
        assert_lists_equal_former(users)
        # The registry's cards rewritten, a member leaving, a household archived, another moved to another village.
        for member in rng.sample(members, 10):
            Member.objects.filter(pk=member.pk).update(**card(rng, today))
        Member.objects.filter(pk=members[0].pk).update(left_at=today)
        Household.objects.filter(pk=households[1].pk).update(state="archived")
        moved_to = households[3].village  # another commune's village: the household's commune moves with it
        Household.objects.filter(pk=households[2].pk).update(village=moved_to, commune=moved_to.parent)
        assert_lists_equal_former(users)
        # Status records ending yesterday, beginning today or tomorrow, the history emptied.
        set_status(households[4], ("near_poor", today - timedelta(days=90), today - timedelta(days=1)))
        set_status(
            households[5],
            ("non_poor", today - timedelta(days=90), today - timedelta(days=1)),
            ("average_living", today, None),
        )
        set_status(households[6], ("poor", today + timedelta(days=1), None))
        set_status(households[7])
        assert_lists_equal_former(users)
    # The same data a day later: the groups in force move with the clock.
    with at(day + timedelta(days=1)):
        assert_lists_equal_former(users)


@pytest.mark.parametrize("status", ["bhyt", *GROUPS])
def test_the_groups_are_looked_up_on_the_joined_household_row(tree, users, make_household, status):
    """The status look-ups are correlated with the joined household's id, not the member's foreign key: PostgreSQL
    checks them once per household walked, before reading its members, and household by household (no hashed set of
    the province's households of the group)."""
    random_households(random.Random(5), tree, make_household, count=3)
    day = timezone.localdate()
    user = users.province_staff
    if status == "bhyt":
        records = selectors.bhyt_candidates(user, year=day.year, day=day)
    else:
        records = selectors.uninsured_members(user, day=day, status=status, walked=True)
    sql = str(records.query)
    lookups = sql.split('FROM "households_statusrecord" U0 WHERE (')[1:]
    assert lookups
    for lookup in lookups:
        assert '"household_id" = ("households_household"."id")' in lookup
        assert '"household_id" >= ("households_household"."id")' in lookup
