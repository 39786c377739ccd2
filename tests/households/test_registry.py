"""Registry services: classification on save, validation, optimistic locking, archive, moves, overrides."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from households import services
from households.choices import HouseholdClass, HouseholdState
from households.models import ChangeEntry, Household

from ..factories import UserFactory
from .conftest import POOR_FACTS, family, member

pytestmark = pytest.mark.django_db


def test_saving_classifies_and_explains(make_household):
    household = make_household()
    assert household.current_class == HouseholdClass.POOR
    assert household.head_name == "Ksor Y Bhin" and household.ethnic_minority
    assert household.commune.code == "24079"
    assert set(household.deprived_indicators) >= {"housing_quality", "water_source", "latrine"}
    assert "Hộ nghèo theo Nghị định 07/2021/NĐ-CP" in household.classification["summary"]
    assert ChangeEntry.objects.filter(household=household, action="create").exists()


def test_names_are_normalised_to_nfc(make_household):
    decomposed = "Nguye\u0302\u0303n Va\u0306n A"  # NFD, as some keyboards type it
    household = make_household(members=[member(decomposed, "head", date(1970, 1, 1), ethnic="01")])
    assert household.members.get().full_name == "Nguyễn Văn A"


@pytest.mark.parametrize(
    "people,message",
    [
        (lambda: family()[1:], "đúng một chủ hộ"),
        (lambda: family() + [member("Ksor Y Ju", "head", date(1990, 1, 1))], "đúng một chủ hộ"),
        (lambda: family() + [member("Ksor Y Kơ", "parent", date(1990, 1, 1))], "không lớn tuổi hơn chủ hộ"),
        (lambda: family() + [member("Ksor Y Nai", "child", date(1970, 1, 1))], "không nhỏ tuổi hơn chủ hộ"),
        (lambda: family() + [member("Ksor Y Mai", "child", date(2099, 1, 1))], "ở tương lai"),
    ],
)
def test_household_rules_are_refused_in_vietnamese(tree, users, people, message):
    with pytest.raises(ValidationError) as excinfo:
        services.household_save(
            household=Household(code="X-1", village=tree.village, **POOR_FACTS),
            members=people(),
            user=users.commune_officer,
            expected_version=None,
        )
    assert message in " ".join(excinfo.value.messages)
    assert not Household.objects.filter(code="X-1").exists()


def test_a_person_lives_in_one_active_household_of_the_province(make_household, tree, users):
    pid = "064080012345"
    make_household(members=[member("Ksor Y Bhin", "head", date(1980, 3, 1), personal_id=pid)])
    with pytest.raises(ValidationError) as excinfo:
        make_household(code="IRS-002", members=[member("Ksor Y Bhin", "head", date(1980, 3, 1), personal_id=pid)])
    assert "đã có trong hộ IRS-001 (Buôn Chư Tê)" in " ".join(excinfo.value.messages)
    # From another district the officer does not see where the duplicate lives.
    with pytest.raises(ValidationError) as excinfo:
        services.household_save(
            household=Household(
                code="IMR-1",
                village=tree.other_district_commune.children.create(
                    code="24121-01", name="Thôn 1", level="village", kind="village"
                ),
                **POOR_FACTS,
            ),
            members=[member("Ksor Y Bhin", "head", date(1980, 3, 1), personal_id=pid)],
            user=UserFactory(unit=tree.other_district_commune),
            expected_version=None,
        )
    assert "một hộ thuộc đơn vị khác" in " ".join(excinfo.value.messages)


def test_two_officers_do_not_overwrite_each_other(make_household, users):
    household = make_household()
    seen_by_first = Household.objects.get(pk=household.pk)
    seen_by_second = Household.objects.get(pk=household.pk)
    seen_by_first.address = "Buôn Chư Tê, đường số 1"
    services.household_save(
        household=seen_by_first,
        members=list(seen_by_first.members.all()),
        user=users.commune_officer,
        expected_version=seen_by_first.version,
    )
    seen_by_second.address = "ghi đè"
    with pytest.raises(services.StaleEditError, match="vừa được"):
        services.household_save(
            household=seen_by_second,
            members=list(seen_by_second.members.all()),
            user=users.commune_officer,
            expected_version=seen_by_second.version,
        )
    assert Household.objects.get(pk=household.pk).address == "Buôn Chư Tê, đường số 1"


def test_change_history_records_old_and_new(make_household, users):
    household = make_household()
    people = list(household.members.all())
    next(p for p in people if p.relationship == "head").full_name = "Ksor Y Bhin Mới"
    services.household_save(
        household=household,
        members=people,
        user=users.commune_officer,
        expected_version=household.version,
    )
    entry = ChangeEntry.objects.filter(household=household, action="member_update").get()
    assert entry.changes["Họ và tên"] == ["Ksor Y Bhin", "Ksor Y Bhin Mới"] and entry.user == users.commune_officer


def test_archive_needs_a_reason_and_keeps_everything(make_household, users):
    household = make_household()
    with pytest.raises(ValidationError, match="lý do"):
        services.household_archive(
            household=household, reason=" ", user=users.commune_officer, expected_version=household.version
        )
    services.household_archive(
        household=household,
        reason="Chuyển đi tỉnh khác",
        user=users.commune_officer,
        expected_version=household.version,
    )
    household.refresh_from_db()
    assert household.state == HouseholdState.ARCHIVED and household.members.count() == 4


def test_moving_a_member_reclassifies_both_households(make_household, users):
    first = make_household()
    second = make_household(code="IRS-002", members=[member("Siu Y Bă", "head", date(1995, 1, 1))])
    daughter = first.members.get(full_name="Ksor H'Lan")
    with pytest.raises(ValidationError, match="chủ hộ mới"):
        services.member_move(
            member=first.members.get(relationship="head"),
            target=second,
            relationship="other",
            user=users.commune_officer,
        )
    services.member_move(member=daughter, target=second, relationship="grandchild", user=users.commune_officer)
    assert first.members.current().count() == 3 and second.members.current().count() == 2
    assert ChangeEntry.objects.filter(action="move_member").count() == 2


def test_an_override_with_reason_changes_the_class_and_is_flagged(make_household, users):
    household = make_household(water_source="piped", latrine="septic")  # 1 deprivation: near-poor
    assert household.current_class == HouseholdClass.NEAR_POOR
    with pytest.raises(ValidationError, match="lý do"):
        services.indicator_override_set(
            household=household, code="latrine", deprived=True, reason="", user=users.commune_officer
        )
    services.indicator_override_set(
        household=household,
        code="latrine",
        deprived=True,
        reason="Nhà tiêu hỏng, không dùng được",
        user=users.commune_officer,
    )
    services.indicator_override_set(
        household=household, code="water_source", deprived=True, reason="Giếng nhiễm phèn", user=users.commune_officer
    )
    household.refresh_from_db()
    assert household.current_class == HouseholdClass.POOR
    latrine = next(i for i in household.classification["indicators"] if i["code"] == "latrine")
    assert latrine["derived"] is False and latrine["final"] is True and latrine["contradiction"] is True


def test_status_records_close_the_previous_period(make_household, users):
    household = make_household()
    services.status_record_add(
        household=household,
        household_class="poor",
        valid_from=date(2022, 1, 1),
        decision="QĐ 12/QĐ-UBND",
        user=users.commune_officer,
    )
    services.status_record_add(
        household=household,
        household_class="non_poor",
        valid_from=date(2024, 1, 1),
        decision="QĐ 5/QĐ-UBND",
        user=users.commune_officer,
    )
    first, second = household.status_records.order_by("valid_from")
    assert first.valid_to == date(2023, 12, 31) and second.valid_to is None
    with pytest.raises(ValidationError, match="phải sau"):
        services.status_record_add(
            household=household,
            household_class="poor",
            valid_from=date(2023, 1, 1),
            decision="",
            user=users.commune_officer,
        )


def test_a_provinces_higher_line_applies_to_its_households(make_household, tree, users):
    from households.models import ProvinceIncomeLine

    household = make_household(income_per_capita=1_700_000)
    assert household.current_class == HouseholdClass.AVERAGE_LIVING  # an agricultural household above the line
    ProvinceIncomeLine.objects.create(
        province=tree.province,
        valid_from=date(2026, 1, 1),
        rural=1_800_000,
        urban=2_300_000,
        legal_basis="Nghị quyết của HĐND tỉnh Gia Lai (thử)",
    )
    services.household_reclassify(household=household)
    assert household.current_class == HouseholdClass.POOR
    assert "tỉnh" in household.classification["summary"]


def test_an_administrator_corrects_a_standard_and_bad_data_is_refused(make_household):
    from households.models import PovertyStandard

    row = PovertyStandard.objects.get(code="ND07_2021")
    row.definition["poverty_line"] = {"rural": 1_000_000, "urban": 1_500_000}
    row.full_clean()
    row.save()
    household = services.household_reclassify(household=make_household())
    assert household.current_class == HouseholdClass.AVERAGE_LIVING  # 1.200.000 is now above the corrected line
    row.definition["poverty_line"] = {"rural": "nhiều"}
    with pytest.raises(ValidationError):
        row.full_clean()


def test_standards_page_lists_every_period(client_for, users):
    from django.urls import reverse

    page = client_for(users.commune_officer).get(reverse("households:standards")).content.decode()
    for text in (
        "Quyết định 59/2015/QĐ-TTg",
        "Nghị định 07/2021/NĐ-CP",
        "Nghị định 351/2025/NĐ-CP",
        "1.500.000",
        "Tạm thời",
    ):
        assert text in page


def test_a_new_head_listed_before_the_old_one_is_saved(make_household, users):
    """One head per household is a unique index checked at each save: the member who stops being head is saved first,
    whatever the order the page sends the members in."""
    household = make_household()
    people = sorted(household.members.all(), key=lambda m: m.relationship != "spouse")  # the spouse first
    for person in people:
        person.relationship = {"head": "spouse", "spouse": "head"}.get(person.relationship, person.relationship)
    services.household_save(
        household=household, members=people, user=users.commune_officer, expected_version=household.version
    )
    household.refresh_from_db()
    assert household.head_name == "Rơ Mah H'Nga"
    assert list(household.members.filter(relationship="head").values_list("full_name", flat=True)) == ["Rơ Mah H'Nga"]
