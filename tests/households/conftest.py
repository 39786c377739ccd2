"""Registry fixtures: households built through the real service, so every derived field is right."""

from datetime import date

import pytest

from households import services
from households.models import EthnicGroup, Household, Member

CARD = {"health_insurance_valid_from": date(2026, 1, 1), "health_insurance_valid_to": date(2026, 12, 31)}


def member(name, relationship, born, sex="male", ethnic="10", **facts) -> Member:
    facts = {**CARD, **facts}
    return Member(
        full_name=name,
        relationship=relationship,
        sex=sex,
        date_of_birth=born,
        ethnic_group=EthnicGroup.objects.get(code=ethnic),
        **facts,
    )


def family(**overrides) -> list[Member]:
    """A Jrai family of four: head, spouse, two children."""
    people = [
        member("Ksor Y Bhin", "head", date(1980, 3, 1)),
        member("Rơ Mah H'Nga", "spouse", date(1983, 5, 1), sex="female"),
        member("Ksor Y Thuận", "child", date(2015, 5, 1), in_school=True),
        member("Ksor H'Lan", "child", date(2019, 5, 1), sex="female", in_school=True),
    ]
    for person in people:
        for key, value in overrides.items():
            setattr(person, key, value)
    return people


POOR_FACTS = {
    "income_per_capita": 1_200_000,
    "floor_area_m2": 20,
    "non_durable_main_parts": 2,
    "water_source": "surface_water",
    "latrine": "none",
    "uses_telecom": True,
    "has_information_device": True,
    "reference_date": date(2026, 1, 1),
}


@pytest.fixture
def make_household(tree, users):
    def make(code="IRS-001", village=None, members=None, user=None, **facts) -> Household:
        household = Household(code=code, village=village or tree.village, **{**POOR_FACTS, **facts})
        return services.household_save(
            household=household, members=members or family(), user=user or users.commune_officer, expected_version=None
        )

    return make
