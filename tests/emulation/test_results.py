"""Movement results: who records them, the checks of the year and the unit, the roll-up per unit beside the housing
benefits, and the screens (roles, scoping, the Vietnamese way of typing money, a mistake kept on the form)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.choices import Role
from emulation.models import Level, Movement, MovementResult
from emulation.results import housing_beside, movement_result_save, result_rollup, results_for_phase
from programs.models import Benefit
from programs.services import benefit_record
from tests.programs.conftest import make_household, programme  # noqa: F401 - fixture

YEAR = 2024


@pytest.fixture
def movement(tree):
    return Movement.objects.create(
        name="Krông Pa chung tay vì người nghèo – Không để ai bị bỏ lại phía sau",
        phase_start=2021,
        phase_end=2025,
        unit=tree.district,
        launch_number="45/KH-UBND",
        launch_date=date(2022, 7, 1),
        levels=[Level.COMMUNE, Level.HOUSEHOLD],
    )


def values(**changes):
    base = {
        "fund_raised": Decimal("150000000"),
        "houses_built": 2,
        "houses_repaired": 1,
        "volunteers": 40,
        "working_days": 120,
        "models_replicated": 1,
        "source": "Báo cáo của Ủy ban MTTQ xã",
        "note": "",
    }
    return {**base, **changes}


def test_commune_records_its_own_results_once_a_year(movement, tree, users):
    first = movement_result_save(
        movement=movement, unit=tree.commune, year=YEAR, values=values(), user=users.commune_officer
    )
    again = movement_result_save(
        movement=movement, unit=tree.commune, year=YEAR, values=values(volunteers=55), user=users.commune_officer
    )
    assert first.pk == again.pk and MovementResult.objects.count() == 1
    assert MovementResult.objects.get().volunteers == 55
    assert again.entered_by == users.commune_officer


@pytest.mark.parametrize(
    "role,unit_attr,allowed",
    [
        (Role.COMMUNE_OFFICER, "commune", True),
        (Role.COMMUNE_OFFICER, "sibling_commune", False),
        (Role.DISTRICT_STAFF, "commune", True),
        (Role.DISTRICT_STAFF, "district", True),
        (Role.PROVINCE_STAFF, "commune", False),
        (Role.SYSTEM_ADMIN, "commune", False),
    ],
)
def test_who_records_results(movement, tree, users, role, unit_attr, allowed):
    unit = getattr(tree, unit_attr)
    save = lambda: movement_result_save(  # noqa: E731
        movement=movement, unit=unit, year=YEAR, values=values(), user=users.by_role(role)
    )
    if allowed:
        assert save().unit == unit
    else:
        with pytest.raises(PermissionDenied):
            save()


def test_year_outside_the_phase_and_unit_outside_the_movement_are_refused(movement, tree, users):
    with pytest.raises(ValidationError) as error:
        movement_result_save(
            movement=movement, unit=tree.commune, year=2026, values=values(), user=users.commune_officer
        )
    assert "ngoài giai đoạn 2021–2025" in str(error.value.message_dict["year"])
    other = Movement.objects.create(
        name="Ia Pa",
        phase_start=2021,
        phase_end=2025,
        unit=tree.other_district,
        launch_number="1",
        launch_date=date(2022, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        movement_result_save(movement=other, unit=tree.commune, year=YEAR, values=values(), user=users.district_staff)
    assert "unit" in error.value.message_dict


def test_rollup_sums_each_commune_and_the_total_beside_the_housing_benefits(movement, tree, users, make_household):  # noqa: F811
    movement_result_save(movement=movement, unit=tree.commune, year=YEAR, values=values(), user=users.commune_officer)
    movement_result_save(
        movement=movement,
        unit=tree.sibling_commune,
        year=YEAR,
        values=values(fund_raised=Decimal("20000000"), houses_built=0, volunteers=5),
        user=users.district_staff,
    )
    movement_result_save(
        movement=movement,
        unit=tree.district,
        year=YEAR,
        values=values(fund_raised=Decimal("1000000")),
        user=users.district_staff,
    )
    household = make_household(status=("poor", date(2023, 1, 1), None))
    benefit_record(
        benefit=Benefit(
            programme=programme("HOUSING_SUPPORT"),
            household=household,
            date=date(YEAR, 4, 1),
            housing_work="new",
            amount_central=40_000_000,
            amount_mobilised=8_000_000,
            funder="Quỹ Vì người nghèo huyện",
        ),
        user=users.commune_officer,
    )
    rollup = result_rollup(user=users.district_staff, movement=movement, year=YEAR, scope=tree.district)
    by_unit = {row.unit.pk: row for row in rollup.rows}
    assert by_unit[tree.commune.pk].values["fund_raised"] == Decimal("150000000")
    assert by_unit[tree.commune.pk].housing["new"] == 1 and by_unit[tree.commune.pk].housing["mobilised"] == 8_000_000
    assert by_unit[tree.sibling_commune.pk].values["volunteers"] == 5
    assert by_unit[tree.sibling_commune.pk].housing["new"] == 0
    assert rollup.own.values["fund_raised"] == Decimal("1000000")
    assert rollup.total.values["fund_raised"] == Decimal("171000000")
    assert rollup.total.values["volunteers"] == 40 + 5 + 40
    assert rollup.total.entered == 3 and rollup.total.housing["new"] == 1
    assert housing_beside(unit=tree.commune, year=YEAR)["funders"][0]["funder"] == "Quỹ Vì người nghèo huyện"
    # The commune sees its own row only.
    own = result_rollup(user=users.commune_officer, movement=movement, year=YEAR, scope=tree.commune)
    assert [row.unit for row in own.rows] == [tree.commune] and own.total.entered == 1
    phase = results_for_phase(movement=movement, unit=tree.district, start_year=2021, end_year=2025)
    assert phase["fund_raised"] == Decimal("171000000") and phase["units"] == 3


@pytest.mark.parametrize(
    "role,status",
    [(Role.COMMUNE_OFFICER, 200), (Role.DISTRICT_STAFF, 200), (Role.PROVINCE_STAFF, 200), (Role.SYSTEM_ADMIN, 200)],
)
def test_rollup_page_by_role(client_for, movement, users, role, status):
    response = client_for(users.by_role(role)).get(reverse("emulation:results", args=[movement.pk]), {"nam": YEAR})
    assert response.status_code == status


def test_movement_of_another_district_is_404(client_for, tree, users):
    other = Movement.objects.create(
        name="Ia Pa",
        phase_start=2021,
        phase_end=2025,
        unit=tree.other_district,
        launch_number="1",
        launch_date=date(2022, 1, 1),
    )
    client = client_for(users.commune_officer)
    assert client.get(reverse("emulation:results", args=[other.pk])).status_code == 404
    url = reverse("emulation:result_edit", args=[other.pk, tree.other_district_commune.pk, YEAR])
    assert client.get(url).status_code == 404


def test_edit_page_scoping(client_for, movement, tree, users):
    officer = client_for(users.commune_officer)
    assert officer.get(reverse("emulation:result_edit", args=[movement.pk, tree.commune.pk, YEAR])).status_code == 200
    assert (
        officer.get(reverse("emulation:result_edit", args=[movement.pk, tree.sibling_commune.pk, YEAR])).status_code
        == 404
    )
    assert officer.get(reverse("emulation:result_edit", args=[movement.pk, tree.commune.pk, 2030])).status_code == 404
    province = client_for(users.province_staff)
    assert province.get(reverse("emulation:result_edit", args=[movement.pk, tree.commune.pk, YEAR])).status_code == 403


def test_money_typed_the_vietnamese_way_and_a_mistake_keeps_what_was_typed(client_for, movement, tree, users):
    client = client_for(users.commune_officer)
    url = reverse("emulation:result_edit", args=[movement.pk, tree.commune.pk, YEAR])
    typed = {k: str(v) for k, v in values().items()}
    response = client.post(url, {**typed, "fund_raised": "150.000.000", "volunteers": "-3"})
    assert response.status_code == 200 and MovementResult.objects.count() == 0
    assert "150.000.000" in response.content.decode()
    response = client.post(url, {**typed, "fund_raised": "150.000.000"})
    assert response.status_code == 302
    assert MovementResult.objects.get().fund_raised == Decimal("150000000")
    page = client.get(reverse("emulation:results", args=[movement.pk]), {"nam": YEAR}).content.decode()
    assert "150.000.000" in page and "Báo cáo của Ủy ban MTTQ xã" in page


def test_movement_page_links_to_its_results(client_for, movement, users):
    page = client_for(users.district_staff).get(reverse("emulation:movement_detail", args=[movement.pk]))
    assert reverse("emulation:results", args=[movement.pk]) in page.content.decode()


def test_the_rollups_housing_per_unit_equals_each_units_own_in_statements_that_do_not_grow_with_units(
    movement,
    tree,
    users,
    make_household,  # noqa: F811
):
    """Each unit's housing beside its results is what ``housing_beside`` gives that unit alone (houses, money,
    funders in their order), read in grouped passes: more communes, not more statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CommuneFactory, VillageFactory

    def house(household, work, funder, mobilised):
        benefit_record(
            benefit=Benefit(
                programme=programme("HOUSING_SUPPORT"),
                household=household,
                date=date(YEAR, 5, 1),
                housing_work=work,
                amount_central=40_000_000,
                amount_mobilised=mobilised,
                funder=funder,
            ),
            user=users.district_staff,
        )

    poor = ("poor", date(2023, 1, 1), None)
    house(make_household("H-1", status=poor), "new", "Quỹ Vì người nghèo huyện", 8_000_000)
    house(make_household("H-2", status=poor), "repair", "Doanh nghiệp A", 3_000_000)
    house(make_household("H-3", village=VillageFactory(parent=tree.sibling_commune), status=poor), "new", "", 1_000_000)

    def rollup_statements():
        with CaptureQueriesContext(connection) as context:
            rollup = result_rollup(user=users.district_staff, movement=movement, year=YEAR, scope=tree.district)
        for row in rollup.rows:
            assert row.housing == housing_beside(unit=row.unit, year=YEAR), row.unit
        return len(context.captured_queries)

    few = rollup_statements()
    for index in range(3):
        commune = CommuneFactory(parent=tree.district, code=f"2419{index}", name=f"Xã Thêm {index}")
        village = VillageFactory(parent=commune)
        house(make_household(f"T-{index}", village=village, status=poor), "repair", "Hội Chữ thập đỏ", 500_000)
    assert rollup_statements() == few
