"""Programme versions in force in earlier years: a record of those years is accepted under the version of its date
and refused under the other, with a Vietnamese message (NĐ 86/2015/NĐ-CP until 14/11/2021, then NĐ 81/2021/NĐ-CP;
NĐ 136/2013/NĐ-CP relief rice until 30/06/2021, then NĐ 20/2021/NĐ-CP)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from programs import services
from programs.catalogue import catalogue_entries
from programs.models import Benefit, Programme

from .conftest import programme, set_status

# earlier version -> the version that replaced it
VERSIONS = {
    "EDU_TUITION_86": "EDU_TUITION",
    "EDU_LEARNING_COST_86": "EDU_LEARNING_COST",
    "RICE_TET_136": "RICE_TET",
    "RICE_LEAN_136": "RICE_LEAN",
}


@pytest.mark.parametrize("old,new", VERSIONS.items())
def test_the_earlier_version_ends_the_day_before_its_successor_starts(old, new):
    entries = {e["code"]: e for e in catalogue_entries()}
    before, after = entries[old], entries[new]
    assert date.fromisoformat(before["valid_to"]) + timedelta(days=1) == date.fromisoformat(after["valid_from"])
    for key in ("kind", "beneficiary", "unit", "eligible_statuses", "order"):
        assert before[key] == after[key], key  # the same support, read in the same place of the reports
    assert before["source_tag"] in {"V", "P", "U"} and before["legal_basis"]


@pytest.mark.django_db
def test_the_data_migration_seeded_the_earlier_versions():
    seeded = dict(Programme.objects.filter(code__in=VERSIONS).values_list("code", "valid_to"))
    assert seeded == {
        "EDU_TUITION_86": date(2021, 11, 14),
        "EDU_LEARNING_COST_86": date(2021, 11, 14),
        "RICE_TET_136": date(2021, 6, 30),
        "RICE_LEAN_136": date(2021, 6, 30),
    }


def tuition(household, code: str, day: date) -> Benefit:
    child = household.members.get(full_name="Ksor Y Thuận")
    return Benefit(programme=programme(code), household=household, member=child, date=day, amount=450_000)


@pytest.mark.django_db
def test_tuition_of_2020_is_accepted_under_decree_86_and_refused_in_2022(make_household, users):
    household = make_household(status=None)
    set_status(household, ("poor", date(2019, 1, 1), None))
    benefit = services.benefit_record(
        benefit=tuition(household, "EDU_TUITION_86", date(2020, 9, 15)), user=users.commune_officer
    )
    assert benefit.eligible and benefit.household_status == "poor"
    assert "Nghị định 86/2015/NĐ-CP" in benefit.eligibility_note

    with pytest.raises(services.IneligibleError) as error:
        services.benefit_record(
            benefit=tuition(household, "EDU_TUITION_86", date(2022, 9, 15)), user=users.commune_officer
        )
    message = " ".join(error.value.messages)
    assert "chỉ áp dụng trong thời gian 01/12/2015 – 14/11/2021" in message and "15/09/2022" in message

    # and the other way round: the decree of 2021 does not reach back to 2020
    with pytest.raises(services.IneligibleError) as error:
        services.benefit_record(
            benefit=tuition(household, "EDU_TUITION", date(2020, 9, 15)), user=users.commune_officer
        )
    assert "Nghị định 81/2021/NĐ-CP" in " ".join(error.value.messages)
    assert services.benefit_record(
        benefit=tuition(household, "EDU_TUITION", date(2022, 9, 15)), user=users.commune_officer
    ).eligible


@pytest.mark.django_db
def test_learning_cost_support_follows_the_version_boundary(make_household, users):
    household = make_household(status=None)
    set_status(household, ("poor", date(2019, 1, 1), None))
    last_day, first_day = date(2021, 11, 14), date(2021, 11, 15)
    assert services.benefit_record(
        benefit=tuition(household, "EDU_LEARNING_COST_86", last_day), user=users.commune_officer
    ).eligible
    with pytest.raises(services.IneligibleError):
        services.benefit_record(
            benefit=tuition(household, "EDU_LEARNING_COST_86", first_day), user=users.commune_officer
        )
    assert services.benefit_record(
        benefit=tuition(household, "EDU_LEARNING_COST", first_day), user=users.commune_officer
    ).eligible


@pytest.mark.django_db
def test_tet_rice_of_early_2021_is_recorded_under_decree_136(make_household, users):
    """Report 209/BC-UBND: Tết rice of 2021 (15 kg per person) was handed out before NĐ 20/2021 took effect."""
    household = make_household(status=None)
    set_status(household, ("poor", date(2020, 12, 31), None))

    def rice(code, day):
        return Benefit(programme=programme(code), household=household, date=day, quantity=60, persons=4)

    assert services.benefit_record(benefit=rice("RICE_TET_136", date(2021, 2, 5)), user=users.commune_officer).eligible
    with pytest.raises(services.IneligibleError) as error:
        services.benefit_record(benefit=rice("RICE_TET", date(2021, 2, 5)), user=users.commune_officer)
    assert "01/07/2021" in " ".join(error.value.messages)
    with pytest.raises(services.IneligibleError):
        services.benefit_record(benefit=rice("RICE_LEAN_136", date(2022, 3, 1)), user=users.commune_officer)


@pytest.mark.django_db
def test_the_household_page_offers_the_ended_versions_for_support_of_earlier_years(make_household, users, client_for):
    household = make_household(status=None)
    set_status(household, ("poor", date(2019, 1, 1), None))
    client = client_for(users.commune_officer)
    page = client.get(reverse("programs:household", args=[household.pk])).content.decode()
    ended = page.split('data-testid="ended-programmes"')[1]
    assert "Miễn, giảm học phí (NĐ 86/2015)" in ended and "đến 14/11/2021" in ended
    assert "Gạo cứu đói dịp Tết (NĐ 136/2013)" in ended and "đến 30/06/2021" in ended
    tuition_86 = programme("EDU_TUITION_86")
    child = household.members.get(full_name="Ksor Y Thuận")
    response = client.post(
        f"{reverse('programs:benefit_create', args=[household.pk])}?ct={tuition_86.pk}",
        {
            "ct": tuition_86.pk,
            "member": child.pk,
            "date": "15/09/2020",
            "amount": "450.000",
            "school_year": "2020–2021",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Benefit.objects.get(programme=tuition_86).date == date(2020, 9, 15)
