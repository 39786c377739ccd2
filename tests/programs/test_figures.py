"""The report figures (programs.figures) equal aggregates computed here in Python from the raw rows, for a
commune, a district and a period; the status denominators equal the pure rule applied household by household."""

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from households.models import Household, StatusRecord
from programs import eligibility as el
from programs.figures import Period, child_rollup, unit_figures
from programs.models import Benefit, Programme
from tests.factories import VillageFactory

from .conftest import family, set_status

pytestmark = pytest.mark.django_db

PERIOD = Period.half_year(2026, 1)
HISTORIES = [
    [("poor", date(2025, 1, 1), None)],
    [("near_poor", date(2025, 1, 1), None)],
    [("poor", date(2022, 1, 1), date(2024, 12, 31)), ("non_poor", date(2025, 1, 1), None)],  # recently escaped
    [("near_poor", date(2019, 1, 1), date(2022, 12, 31)), ("average_living", date(2023, 1, 1), None)],  # > 3 y
    [("average_living", date(2025, 1, 1), None)],
    [("poor", date(2025, 1, 1), date(2026, 3, 31)), ("near_poor", date(2026, 4, 1), None)],  # moved mid-period
    [],
]


@pytest.fixture
def world(tree, make_household):
    """Households in two communes of the district and one in another district, each with benefits of every kind,
    some inside the first half of 2026, some outside it."""
    rng = random.Random(7)
    villages = [
        tree.village,
        VillageFactory(parent=tree.sibling_commune),
        VillageFactory(parent=tree.other_district_commune),
    ]
    programmes = {p.code: p for p in Programme.objects.all()}
    number = 0
    for village in villages:
        for history in HISTORIES:
            number += 1
            household = make_household(code=f"H-{number:03d}", village=village, status=None, members=family())
            set_status(household, *history)
            members = list(household.members.all())
            for _ in range(6):
                day = date(2026, rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.8 else date(2025, 12, 31)
                code = rng.choice(
                    [
                        "VBSP_POOR",
                        "VBSP_ESCAPED",
                        "BHYT",
                        "HOUSING_SUPPORT",
                        "TRAINING_46",
                        "ELECTRICITY",
                        "RICE_TET",
                        "EDU_LEARNING_COST",
                        "NTP_2026_LIVELIHOOD",
                    ]
                )
                periods = [el.Period(c, f, t) for c, f, t in history]
                status = el.standing_on(periods, day).status
                make_benefit(programmes[code], household, rng.choice(members), day, status, rng)
    # every seventh record was entered by mistake and cancelled: it stays in the table but must count nowhere
    cancelled = [
        pk for index, pk in enumerate(Benefit.objects.order_by("pk").values_list("pk", flat=True)) if index % 7 == 3
    ]
    Benefit.objects.filter(pk__in=cancelled).update(cancelled_at=timezone.now(), cancel_reason="Ghi nhầm hộ")
    return villages


def make_benefit(programme, household, member, day, status, rng):
    fields = {"programme": programme, "household": household, "date": day, "household_status": status}
    kind = programme.kind
    if programme.is_member_level:
        fields["member"] = member
    if kind == "credit":
        amount = rng.choice([30, 50, 80]) * 1_000_000
        fields.update(
            amount=amount,
            loan_term_months=36,
            interest_rate=Decimal("6.6"),
            outstanding=amount,
            overdue=rng.choice([0, 5_000_000]),
        )
    elif kind == "health_insurance":
        fields.update(
            card_number=f"HN{rng.randint(10**12, 10**13 - 1)}",
            card_valid_from=day,
            card_valid_to=date(2026, 12, 31),
            funding_share=100,
            amount=rng.choice([0, 1_053_000]),
        )
    elif kind == "housing":
        work = rng.choice(["new", "repair"])
        fields.update(
            housing_work=work,
            amount_central=40_000_000 if work == "new" else 0,
            amount_local=rng.choice([5, 10]) * 1_000_000,
            amount_mobilised=3_000_000,
            amount_household=rng.choice([0, 2_000_000]),
            finished_on=rng.choice([None, date(2026, 5, 1)]),
        )
        fields["amount"] = sum(
            fields[k] for k in ("amount_central", "amount_local", "amount_mobilised", "amount_household")
        )
    elif kind == "training":
        fields.update(
            course_name=rng.choice(["May K1", "Chăn nuôi K2"]),
            occupation="Nghề",
            course_start=day,
            course_end=day,
            amount=3_000_000,
            employed_after=rng.choice([True, False, None]),
            certificate=rng.choice(["", "CC-01"]),
        )
    elif kind == "electricity":
        fields.update(period_year=day.year, period_quarter=(day.month - 1) // 3 + 1, amount=178_560)
    elif kind == "in_kind":
        fields.update(quantity=Decimal(rng.choice([45, 60, 75])), persons=rng.choice([3, 4, 5]), item_description="Gạo")
    else:
        fields.update(amount=rng.choice([1, 2]) * 1_000_000)
    fields["funder"] = rng.choice(["", "", "Quỹ Vì người nghèo huyện", "Hội Liên hiệp Phụ nữ huyện"])
    if rng.random() < 0.1:
        fields["override_reason"] = "Quyết định riêng của UBND xã"
    try:
        with transaction.atomic():
            Benefit.objects.create(**fields)
    except IntegrityError:  # a repeated quarter by chance: skip that draw
        pass


def in_period(b, period) -> bool:
    """A record by its date; an electricity payment by the quarter paid for (the quarter's first day)."""
    if b.period_quarter:
        return period.start <= date(b.period_year, 3 * b.period_quarter - 2, 1) <= period.end
    return period.start <= b.date <= period.end


def rows_in(unit, period):
    return [
        b
        for b in Benefit.objects.select_related("programme", "household__village", "member__ethnic_group")
        if b.household.village.path.startswith(unit.path) and in_period(b, period) and b.cancelled_at is None
    ]


def python_denominators(unit, day):
    counts = defaultdict(int)
    for household in Household.objects.filter(village__path__startswith=unit.path):
        periods = [
            el.Period(r.household_class, r.valid_from, r.valid_to)
            for r in StatusRecord.objects.filter(household=household)
        ]
        counts[el.standing_on(periods, day).status] += 1
    return counts


@pytest.mark.parametrize(
    "unit_attr,period",
    [
        ("commune", PERIOD),
        ("district", PERIOD),
        ("district", Period(date(2025, 12, 1), date(2026, 12, 31))),
    ],
)
def test_figures_equal_python_aggregates(world, tree, unit_attr, period):
    unit = getattr(tree, unit_attr)
    rows = rows_in(unit, period)
    assert rows, "the fixture must put benefits in the period"
    assert any(in_period(b, period) for b in Benefit.objects.filter(cancelled_at__isnull=False))
    figures = unit_figures(unit=unit, period=period)

    assert figures["overall"]["records"] == len(rows)
    assert figures["overall"]["households"] == len({b.household_id for b in rows})
    assert figures["overall"]["amount"] == sum(b.amount or 0 for b in rows)
    assert figures["overall"]["overridden"] == sum(1 for b in rows if b.override_reason)

    by_programme = defaultdict(list)
    for b in rows:
        by_programme[b.programme.code].append(b)
    assert {r["code"] for r in figures["programmes"]} == set(by_programme)
    for row in figures["programmes"]:
        mine = by_programme[row["code"]]
        assert row["records"] == len(mine)
        assert row["households"] == len({b.household_id for b in mine})
        assert row["amount"] == sum(b.amount or 0 for b in mine)
        if row["programme"].is_member_level:
            assert row["people_reached"] == len({b.member_id for b in mine})
        elif row["programme"].kind == "in_kind":
            assert row["people_reached"] == sum(b.persons for b in mine)
            assert row["quantity"] == sum(b.quantity for b in mine)
        else:
            assert row["people_reached"] == sum(
                Household.objects.get(pk=pk).members.filter(left_at__isnull=True).count()
                for pk in {b.household_id for b in mine}
            )
        for status, sub in row["by_status"].items():
            group = [b for b in mine if b.household_status == status]
            assert sub["households"] == len({b.household_id for b in group})
            assert sub["amount"] == sum(b.amount or 0 for b in group)

    denominators = python_denominators(unit, period.end)
    for status in ("poor", "near_poor", "recently_escaped", "average_living", "non_poor"):
        assert figures["households_by_status"][status] == denominators[status], status

    loans = [b for b in rows if b.programme.kind == "credit"]
    credit = figures["credit"]
    assert credit["amount"] == sum(b.amount for b in loans)
    assert credit["outstanding"] == sum(b.outstanding for b in loans)
    assert credit["overdue"] == sum(b.overdue for b in loans)
    for group in ("poor", "near_poor", "recently_escaped"):
        borrowers = len({b.household_id for b in loans if b.household_status == group})
        assert credit["groups"][group]["borrowers"] == borrowers
        assert credit["groups"][group]["households"] == denominators[group]

    cards = [b for b in rows if b.programme.kind == "health_insurance"]
    expected = defaultdict(int)
    for b in cards:  # report 209/BC-UBND, 3.2: minority first, then (no region III list here) poor, near-poor, other
        if b.member.ethnic_group.is_minority:
            expected["ethnic_minority"] += 1
        elif b.household_status in ("poor", "near_poor"):
            expected[b.household_status] += 1
        else:
            expected["other"] += 1
    assert {k: v for k, v in figures["health_insurance"]["by_group"].items() if v} == dict(expected)

    houses = [b for b in rows if b.programme.kind == "housing"]
    housing = figures["housing"]
    assert housing["new"] == sum(1 for b in houses if b.housing_work == "new")
    assert housing["repair"] == sum(1 for b in houses if b.housing_work == "repair")
    for source in ("central", "local", "mobilised", "household"):
        assert housing[source] == sum(getattr(b, f"amount_{source}") for b in houses)
    assert housing["finished"] == sum(1 for b in houses if b.finished_on and b.finished_on <= period.end)

    trainees = [b for b in rows if b.programme.kind == "training"]
    assert figures["training"]["trainees"] == len({b.member_id for b in trainees})
    assert figures["training"]["employed"] == len({b.member_id for b in trainees if b.employed_after})

    power = [b for b in rows if b.programme.kind == "electricity"]
    assert figures["electricity"]["households"] == len({b.household_id for b in power})
    assert figures["electricity"]["amount"] == sum(b.amount for b in power)

    rice = [b for b in rows if b.programme.kind == "in_kind"]
    assert figures["in_kind"]["persons"] == sum(b.persons for b in rice)
    assert (figures["in_kind"]["quantity"] or 0) == sum((b.quantity for b in rice), Decimal(0))


def test_rollup_by_child_unit_adds_up(world, tree):
    rows = child_rollup(unit=tree.district, children=[tree.commune, tree.sibling_commune], period=PERIOD)
    for row in rows:
        mine = rows_in(row["unit"], PERIOD)
        assert row["records"] == len(mine) and row["amount"] == sum(b.amount or 0 for b in mine)
        assert row["households"] == len({b.household_id for b in mine})
    district = unit_figures(unit=tree.district, period=PERIOD)
    assert sum(r["records"] for r in rows) == district["overall"]["records"]


def test_figures_for_a_user_only_count_what_they_may_see(world, tree, users):
    mine = unit_figures(unit=tree.district, period=PERIOD, user=users.commune_officer)
    commune = unit_figures(unit=tree.commune, period=PERIOD)
    assert mine["overall"] == commune["overall"]


def test_decisions_count_projects(world, tree):
    rows = rows_in(tree.district, PERIOD)
    figures = unit_figures(unit=tree.district, period=PERIOD)
    for row in figures["programmes"]:
        mine = [b for b in rows if b.programme.code == row["code"] and b.decision]
        assert row["decisions"] == len({b.decision for b in mine})


def test_funders_add_up(world, tree):
    rows = rows_in(tree.district, PERIOD)
    figures = unit_figures(unit=tree.district, period=PERIOD)
    expected = defaultdict(lambda: {"households": set(), "records": 0, "amount": 0})
    for b in rows:
        if b.funder:
            group = expected[(b.programme.kind, b.funder)]
            group["households"].add(b.household_id)
            group["records"] += 1
            group["amount"] += b.amount or 0
    got = {(r["programme__kind"], r["funder"]): r for r in figures["funders"]}
    assert set(got) == set(expected)
    for key, group in expected.items():
        assert got[key]["households"] == len(group["households"])
        assert (got[key]["records"], got[key]["amount"]) == (group["records"], group["amount"])
