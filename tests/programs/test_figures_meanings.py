"""The support figures with the meanings of report 209/BC-UBND of Krông Pa (seed 004), on a small hand-built
dataset where each former meaning gives another number: credit shares per programme (3.1), health-insurance cards
in the reported groups over the official population (3.2), electricity by the quarter paid for (3.8)."""

from datetime import date
from decimal import Decimal

import pytest

from households.models import EthnicGroup, UnitPopulation
from programs.figures import CARD_GROUPS, Period, unit_figures
from programs.models import Benefit, Programme
from tests.factories import VillageFactory

from .conftest import family, set_status

pytestmark = pytest.mark.django_db

H1 = Period.half_year(2026, 1)
H2 = Period.half_year(2026, 2)


def kinh_family():
    return family(ethnic_group=EthnicGroup.objects.get(code="01"))


@pytest.fixture
def dataset(tree, make_household):
    """Five households of the district: two poor (a Jrai one borrowing for water only, a Kinh one in the sibling
    commune borrowing from the poor-household programme), a near-poor, an average-living and a recently escaped
    Kinh household; a card for each head but the last; electricity paid after the quarter it is for."""
    programmes = {p.code: p for p in Programme.objects.all()}
    sibling_village = VillageFactory(parent=tree.sibling_commune)
    poor_jrai = make_household(code="M-001", village=tree.village, status=("poor", date(2025, 1, 1), None))
    poor_kinh = make_household(
        code="M-002", village=sibling_village, status=("poor", date(2025, 1, 1), None), members=kinh_family()
    )
    near = make_household(
        code="M-003", village=tree.village, status=("near_poor", date(2025, 1, 1), None), members=kinh_family()
    )
    average = make_household(
        code="M-004", village=tree.village, status=("average_living", date(2025, 1, 1), None), members=kinh_family()
    )
    escaped = make_household(code="M-005", village=tree.village, status=None, members=kinh_family())
    set_status(escaped, ("poor", date(2022, 1, 1), date(2024, 12, 31)), ("non_poor", date(2025, 1, 1), None))

    def loan(code, household, status, amount):
        Benefit.objects.create(
            programme=programmes[code],
            household=household,
            date=date(2026, 3, 1),
            household_status=status,
            amount=amount,
            loan_term_months=36,
            interest_rate=Decimal("6.6"),
            outstanding=amount,
            overdue=0,
        )

    loan("VBSP_WATER", poor_jrai, "poor", 20_000_000)
    loan("VBSP_POOR", poor_kinh, "poor", 50_000_000)
    loan("VBSP_NEAR_POOR", near, "near_poor", 40_000_000)
    loan("VBSP_ESCAPED", escaped, "recently_escaped", 60_000_000)

    for household, status in ((poor_jrai, "poor"), (poor_kinh, "poor"), (near, "near_poor"), (average, "other")):
        Benefit.objects.create(
            programme=programmes["BHYT"],
            household=household,
            member=household.members.get(relationship="head"),
            date=date(2026, 1, 15),
            household_status=status if status != "other" else "average_living",
            card_number=f"HN{household.pk:013d}",
            card_valid_from=date(2026, 1, 1),
            card_valid_to=date(2026, 12, 31),
            funding_share=100,
            amount=1_053_000,
        )

    def electricity(household, year, quarter, paid_on):
        Benefit.objects.create(
            programme=programmes["ELECTRICITY"],
            household=household,
            date=paid_on,
            household_status="poor",
            period_year=year,
            period_quarter=quarter,
            amount=178_560,
        )

    electricity(poor_jrai, 2026, 1, date(2026, 4, 2))  # Q1 paid in Q2: first half
    electricity(poor_jrai, 2026, 2, date(2026, 7, 5))  # Q2 paid in July: still the first half
    electricity(poor_kinh, 2025, 4, date(2026, 1, 10))  # Q4 2025 paid in January: the second half of 2025
    electricity(poor_kinh, 2026, 3, date(2026, 9, 30))  # Q3: second half
    return {"poor_jrai": poor_jrai, "poor_kinh": poor_kinh, "sibling_village": sibling_village}


def test_credit_shares_are_per_programme_and_target_group(dataset, tree):
    credit = unit_figures(unit=tree.district, period=H1)["credit"]
    rows = {row["code"]: row for row in credit["programme_shares"]}
    credit_codes = list(
        Programme.objects.filter(kind="credit").order_by("order", "code").values_list("code", flat=True)
    )
    assert [row["code"] for row in credit["programme_shares"]] == [c for c in credit_codes if c in rows]
    assert list(rows)[:3] == ["VBSP_POOR", "VBSP_NEAR_POOR", "VBSP_ESCAPED"]

    # "… hộ nghèo vay vốn, chiếm …% tổng số hộ nghèo": of the poor-household programme's borrowers, the poor ones,
    # over every poor household (2 at 30/06/2026).
    poor = rows["VBSP_POOR"]
    assert (poor["target_group"], poor["group_households"], poor["group_total"], poor["share"]) == ("poor", 1, 2, 50.0)
    assert (poor["households"], poor["loans"], poor["amount"]) == (1, 1, 50_000_000)
    near = rows["VBSP_NEAR_POOR"]
    assert (near["target_group"], near["group_households"], near["group_total"], near["share"]) == (
        "near_poor",
        1,
        1,
        100.0,
    )
    escaped = rows["VBSP_ESCAPED"]
    assert (escaped["target_group"], escaped["group_households"], escaped["group_total"]) == ("recently_escaped", 1, 1)
    # "… hộ vay vốn làm công trình vệ sinh, nước sinh hoạt": households and money, no target group or share.
    water = rows["VBSP_WATER"]
    assert (water["households"], water["amount"], water["target_group"], water["share"]) == (1, 20_000_000, None, None)
    # A programme in force without loans in the period is a row of zeros, not left out.
    assert rows["VBSP_JOBS"]["households"] == 0

    # The former meaning (any credit programme, by the borrower's status) counts the poor household that only
    # borrowed for water as a poor borrower: 2 of 2 poor households, 100 % instead of 50 %.
    assert credit["groups"]["poor"]["borrowers"] == 2 and credit["groups"]["poor"]["share"] == 100.0


def test_cards_in_the_reported_groups_over_the_official_population(dataset, tree):
    bhyt = Programme.objects.get(code="BHYT")
    health = unit_figures(unit=tree.district, period=H1)["health_insurance"]
    # No list of region III communes yet: the Kinh poor household's card is a poor person's card.
    assert health["by_group"] == {"ethnic_minority": 1, "kinh_region_iii": 0, "poor": 1, "near_poor": 1, "other": 1}

    parameters = dict(bhyt.parameters)
    parameters["region_iii_commune_codes"] = {
        **parameters["region_iii_commune_codes"],
        "value": [tree.sibling_commune.code],
    }
    Programme.objects.filter(pk=bhyt.pk).update(parameters=parameters)
    health = unit_figures(unit=tree.district, period=H1)["health_insurance"]
    # Seed 004 §3.2's order: the Jrai poor head is a minority card (formerly "poor"), the Kinh poor head in a
    # region III commune a "Kinh vùng III" card (formerly "poor"), the average-living head "other" (formerly a
    # group of its own); each card in one group, the total their sum.
    assert health["by_group"] == {"ethnic_minority": 1, "kinh_region_iii": 1, "poor": 0, "near_poor": 1, "other": 1}
    assert [g["key"] for g in health["groups"]] == list(CARD_GROUPS)
    assert [g["label"] for g in health["groups"]][:2] == ["Người DTTS", "Người Kinh vùng III"]
    assert health["cards"] == sum(health["by_group"].values()) == 4

    # No population figure: the rate is not invented from the registry.
    assert health["population"] is None and health["rate"] is None
    assert health["population_note"] == "Chưa có số dân"
    members = health["registry_members"]
    assert members == 20 and health["insured"] == 20  # every member of the five families holds a valid card

    UnitPopulation.objects.create(unit=tree.commune, year=2026, households=100, persons=400, source="Thống kê 2026")
    UnitPopulation.objects.create(unit=tree.sibling_commune, year=2025, households=80, source="Thống kê 2025")
    # A commune's record without persons is no population either: the district cannot be summed yet.
    assert unit_figures(unit=tree.district, period=H1)["health_insurance"]["population"] is None
    UnitPopulation.objects.filter(unit=tree.sibling_commune).update(persons=600)
    health = unit_figures(unit=tree.district, period=H1)["health_insurance"]
    assert health["population"] == 1000 and health["population_source"] == "communes"
    assert health["rate"] == 2.0  # 20 insured / 1.000 people, not 20 / 20 registry members = 100 %
    commune = unit_figures(unit=tree.commune, period=H1)["health_insurance"]
    assert (commune["population"], commune["population_source"]) == (400, "population")


def test_electricity_counts_the_quarter_paid_for(dataset, tree):
    first = unit_figures(unit=tree.district, period=H1)["electricity"]
    # Q1 and Q2 of 2026 (one paid in July); not Q4 2025 paid in January — by payment date it would be Q1, Q4 2025.
    assert first["records"] == 2 and first["amount"] == 2 * 178_560 and first["households"] == 1
    assert [(q["year"], q["quarter"], q["households"]) for q in first["quarters"]] == [(2026, 1, 1), (2026, 2, 1)]
    second = unit_figures(unit=tree.district, period=H2)["electricity"]
    assert [(q["year"], q["quarter"]) for q in second["quarters"]] == [(2026, 3)]
    late = unit_figures(unit=tree.district, period=Period.half_year(2025, 2))["electricity"]
    assert [(q["year"], q["quarter"]) for q in late["quarters"]] == [(2025, 4)]
    # The per-programme table reads the same records.
    row = next(r for r in unit_figures(unit=tree.district, period=H1)["programmes"] if r["code"] == "ELECTRICITY")
    assert row["records"] == 2
