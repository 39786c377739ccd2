"""The grouped support figures (programs.figures.grouped_figures): for every child unit and every key, the same
values as the figures of that child computed alone, on random households and benefits; the additive figures of the
children add up to the parent's; the number of queries of a grouped pass, and of a district report's figures,
does not grow with the number of child units."""

import random
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households.models import UnitPopulation
from programs import eligibility as el
from programs.figures import Period, child_rollup, grouped_figures, unit_figures
from programs.models import Programme
from reports.content import compute_figures
from reports.models import ReportKind
from tests.factories import CommuneFactory, VillageFactory

from .conftest import family, set_status
from .test_figures import HISTORIES, PERIOD, make_benefit, world  # noqa: F401 - the fixture is used below

pytestmark = pytest.mark.django_db

PERIODS = [PERIOD, Period(date(2025, 12, 1), date(2026, 12, 31)), Period.year(2025)]
CODES = [
    "VBSP_POOR",
    "VBSP_NEAR_POOR",
    "VBSP_ESCAPED",
    "VBSP_WATER",
    "BHYT",
    "HOUSING_SUPPORT",
    "TRAINING_46",
    "ELECTRICITY",
    "RICE_TET",
    "EDU_LEARNING_COST",
    "NTP_2026_LIVELIHOOD",
]


def add_households(make_household, village, rng, count, prefix):
    """Households with a random history from HISTORIES and random benefits of random programmes in 2025–2026."""
    programmes = {p.code: p for p in Programme.objects.filter(code__in=CODES)}
    for number in range(count):
        household = make_household(code=f"{prefix}-{number:03d}", village=village, status=None, members=family())
        history = rng.choice(HISTORIES)
        set_status(household, *history)
        members = list(household.members.all())
        for _ in range(rng.randint(0, 7)):
            day = date(rng.choice([2025, 2026]), rng.randint(1, 12), rng.randint(1, 28))
            status = el.standing_on([el.Period(c, f, t) for c, f, t in history], day).status
            code = rng.choice(sorted(programmes))
            make_benefit(programmes[code], household, rng.choice(members), day, status, rng)


@pytest.fixture
def spread(world, tree, make_household):  # noqa: F811 - the imported fixture
    """The figures' world, plus a second village of the commune with random households, a commune of the district
    without any household, and official populations for some communes."""
    rng = random.Random(23)
    add_households(make_household, VillageFactory(parent=tree.commune), rng, 8, "V2")
    add_households(make_household, VillageFactory(parent=tree.other_district_commune), rng, 5, "OD")
    empty = CommuneFactory(parent=tree.district, code="24082", name="Xã Ia Sươm")
    for unit, persons in ((tree.commune, 5_120), (tree.sibling_commune, 7_340), (empty, 2_210)):
        UnitPopulation.objects.create(unit=unit, year=2025, households=persons // 4, persons=persons, source="Thống kê")
    return empty


def children_of(unit):
    return list(unit.children.order_by("code"))


ADDITIVE = {
    "overall": ("records", "households", "amount", "overridden"),
    "households_by_status": ("poor", "near_poor", "recently_escaped", "average_living", "non_poor"),
    "credit": ("loans", "households", "amount", "outstanding", "overdue"),
    "health_insurance": ("cards", "registry_members", "insured", "budget_amount"),
    "housing": ("households", "new", "repair", "finished", "total", "deprived_poor"),
    "training": ("trainees", "employed", "amount"),
    "education": ("records", "households", "amount"),
    "electricity": ("records", "households", "amount"),
    "in_kind": ("records", "households", "persons"),
}


@pytest.mark.parametrize("parent_attr", ["province", "district", "commune"])
@pytest.mark.parametrize("period", PERIODS)
def test_each_child_equals_its_figures_alone(spread, tree, parent_attr, period):
    parent = getattr(tree, parent_attr)
    children = children_of(parent)
    assert len(children) >= 2
    grouped = grouped_figures(unit=parent, children=children, period=period)
    assert list(grouped) == [child.pk for child in children]
    whole = unit_figures(unit=parent, period=period)
    for child in children:
        alone = unit_figures(unit=child, period=period)
        assert set(grouped[child.pk]) == set(alone)
        assert grouped[child.pk]["unit"] == child
        for key in alone:  # programme rows compare their Programme by primary key
            assert grouped[child.pk][key] == alone[key], (child.name, key)
    # every household falls in exactly one child, so the additive figures of the children make the parent's
    for family_key, fields in ADDITIVE.items():
        for field in fields:
            assert sum(grouped[c.pk][family_key][field] for c in children) == whole[family_key][field], (
                family_key,
                field,
            )
    assert (
        sum(row["records"] for row in child_rollup(unit=parent, children=children, period=period))
        == (whole["overall"]["records"])
    )


def test_something_is_counted(spread, tree):
    """The random world reaches every family the comparison above relies on."""
    figures = unit_figures(unit=tree.province, period=Period(date(2025, 1, 1), date(2026, 12, 31)))
    assert figures["overall"]["records"] > 50
    assert all(row["people_reached"] for row in figures["programmes"] if row["households"])
    assert figures["credit"]["loans"] and figures["health_insurance"]["cards"] and figures["housing"]["households"]
    district = unit_figures(unit=tree.district, period=PERIOD)
    assert district["health_insurance"]["population"] == 5_120 + 7_340 + 2_210
    assert district["households_by_status"]["poor"] and district["credit"]["programme_shares"]


def test_a_user_sees_only_their_commune_in_the_grouped_form(spread, tree, users):
    children = children_of(tree.district)
    grouped = grouped_figures(unit=tree.district, children=children, period=PERIOD, user=users.commune_officer)
    for child in children:
        mine = unit_figures(unit=child, period=PERIOD, user=users.commune_officer)
        assert grouped[child.pk] == mine
        if child.pk != tree.commune.pk:
            assert grouped[child.pk]["overall"]["records"] == 0
    assert grouped[tree.commune.pk]["overall"] == unit_figures(unit=tree.commune, period=PERIOD)["overall"]


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_the_children(spread, tree):
    def grouped():
        return grouped_figures(unit=tree.district, children=children_of(tree.district), period=PERIOD)

    def report():
        return compute_figures(
            unit=tree.district, kind=ReportKind.SIX_MONTH, period_start=PERIOD.start, period_end=PERIOD.end
        )

    before = (count_queries(grouped), count_queries(report))
    for index in range(4):
        commune = CommuneFactory(parent=tree.district, code=f"2409{index}", name=f"Xã Thử {index}")
        add_households_light(VillageFactory(parent=commune), index)
    after = (count_queries(grouped), count_queries(report))
    assert before == after
    # as many as the figures of one unit alone, plus the query that lists the children
    assert before[0] == count_queries(lambda: unit_figures(unit=tree.commune, period=PERIOD)) + 1


def add_households_light(village, index):
    """A household and a loan in the period, written directly (the query count is what is measured)."""
    from households.models import Household
    from programs.models import Benefit

    household = Household.objects.create(
        code=f"Q-{index:03d}", village=village, commune_id=village.parent_id, area_type="rural"
    )
    set_status(household, ("poor", date(2025, 1, 1), None))
    Benefit.objects.create(
        programme=Programme.objects.get(code="VBSP_POOR"),
        household=household,
        date=date(2026, 3, 1),
        household_status="poor",
        amount=50_000_000,
        outstanding=50_000_000,
        loan_term_months=36,
    )
