"""Deriving each deprivation indicator from member and household facts (NĐ 07/2021, Phụ lục; QĐ 59/2015)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from households.criteria import age_on, derive_indicators, no_labour_capacity

from .helpers import REF, born, by_code, household, member

ND07 = by_code("ND07_2021")
QD59 = by_code("QD59_2015")
ND351 = by_code("ND351_2025")


def result(code, home, standard=ND07, day=REF):
    return derive_indicators(home, standard, day)[code]


# --- age -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dob", "day", "age"),
    [
        (date(2018, 7, 1), date(2024, 6, 30), 5),  # the day before the 6th birthday
        (date(2018, 7, 1), date(2024, 7, 1), 6),  # "đủ 6 tuổi" on the birthday itself
        (date(2008, 3, 15), date(2024, 3, 14), 15),
        (date(2008, 3, 15), date(2024, 3, 15), 16),
        (date(2024, 7, 1), date(2024, 7, 1), 0),
        # 29 February: the birthday is 28 February in a non-leap year (BLDS 2015, Điều 148, by analogy).
        (date(2016, 2, 29), date(2022, 2, 27), 5),
        (date(2016, 2, 29), date(2022, 2, 28), 6),
        (date(2016, 2, 29), date(2024, 2, 28), 7),
        (date(2016, 2, 29), date(2024, 2, 29), 8),
    ],
)
def test_age_on(dob, day, age):
    assert age_on(dob, day) == age


def test_age_before_birth_is_an_error():
    with pytest.raises(ValueError, match="trước ngày sinh"):
        age_on(date(2025, 1, 2), date(2025, 1, 1))


def test_member_born_after_the_reference_date_is_an_error():
    with pytest.raises(ValueError, match="trước ngày sinh"):
        derive_indicators(household(member(dob=REF + timedelta(days=1))), ND07, REF)


def test_results_follow_the_standard_order():
    home = household(member(dob=born(40)))
    for standard in (QD59, ND07, ND351):
        results = derive_indicators(home, standard, REF)
        assert tuple(results) == standard.indicator_codes
        assert all(results[code].name == standard.indicator(code).name for code in results)


# --- health insurance (NĐ 07/2021, Phụ lục, chỉ số 4; QĐ 59/2015) ------------------------------------------------


@pytest.mark.parametrize("standard", [ND07, QD59])
@pytest.mark.parametrize(("days", "deprived"), [(1, False), (0, True)])
def test_health_insurance_from_the_6th_birthday(standard, days, deprived):
    child = member("Nguyễn Văn A", born(6, days=days), has_health_insurance=False)
    outcome = result("health_insurance", household(child), standard)
    assert outcome.deprived is deprived
    if deprived:
        assert outcome.triggered_by == ("Nguyễn Văn A",)
        assert outcome.reason == "Nguyễn Văn A (6 tuổi) không có thẻ BHYT còn hạn vào ngày 01/07/2024."


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "deprived", "says"),
    [
        (date(2024, 1, 1), REF, False, ""),  # valid through the reference date itself
        (REF, None, False, ""),
        (None, REF - timedelta(days=1), True, "hết hạn ngày 30/06/2024"),
        (REF + timedelta(days=1), date(2024, 12, 31), True, "có giá trị từ ngày 02/07/2024"),
    ],
)
def test_health_insurance_card_dates(valid_from, valid_to, deprived, says):
    adult = member(
        "Trần Thị B",
        born(40),
        health_insurance_valid_from=valid_from,
        health_insurance_valid_to=valid_to,
        has_health_insurance=True,  # ignored once card dates are known
    )
    outcome = result("health_insurance", household(adult))
    assert outcome.deprived is deprived
    assert says in outcome.reason


def test_health_insurance_is_judged_on_the_survey_day_not_on_the_first_day_of_the_lists_year():
    # NĐ 07/2021, Phụ lục, chỉ số 4: "hiện không có" a card; TT 07/2021, Phụ lục IV records the household when
    # surveyed. A card valid to 31/12/2026 covers a member surveyed on 20/11/2026 for the 2027 lists.
    adult = member(
        "Ksor H'Lan",
        date(1990, 5, 1),
        health_insurance_valid_from=date(2026, 1, 1),
        health_insurance_valid_to=date(2026, 12, 31),
    )
    surveyed = derive_indicators(household(adult), ND351, date(2026, 11, 20))["health_insurance"]
    assert surveyed.deprived is False
    # Judged on 01/01/2027 the same card had lapsed: the mistake of reading the lists' first day.
    lapsed = derive_indicators(household(adult), ND351, date(2027, 1, 1))["health_insurance"]
    assert lapsed.deprived is True and "hết hạn ngày 31/12/2026" in lapsed.reason


@pytest.mark.parametrize(
    ("code", "dob", "facts", "on_survey_day"),
    [
        # Ages on the survey day (20/11/2026), not on 01/01/2027 (NĐ 07/2021, Phụ lục, chỉ số 3, 4, 6).
        ("child_schooling", date(2023, 12, 15), {"in_school": False}, False),  # 2 on the survey day, 3 later
        ("health_insurance", date(2020, 12, 10), {"has_health_insurance": False}, False),  # 5, then 6
        ("nutrition", date(2010, 12, 1), {"stunted_or_underweight": True}, True),  # 15 on the day, 16 later
    ],
)
def test_age_thresholds_are_read_on_the_survey_day(code, dob, facts, on_survey_day):
    home = household(member("Rơ Mah Y", dob, **facts))
    assert derive_indicators(home, ND351, date(2026, 11, 20))[code].deprived is on_survey_day
    assert derive_indicators(home, ND351, date(2027, 1, 1))[code].deprived is (not on_survey_day)


def test_health_insurance_unknown():
    assert result("health_insurance", household(member(dob=born(30)))).deprived is None
    no_dob = result("health_insurance", household(member("Lò Văn C", None, has_health_insurance=False)))
    assert no_dob.deprived is None
    assert "chưa rõ ngày sinh của Lò Văn C" in no_dob.reason
    # A valid card settles it whatever the age.
    assert result("health_insurance", household(member(dob=None, has_health_insurance=True))).deprived is False


# --- school attendance of children (chỉ số 6; QĐ 59/2015: 5 to under 15) ---------------------------------------------


@pytest.mark.parametrize(
    ("standard", "age", "days", "deprived"),
    [
        (ND07, 3, 1, False),  # the day before the 3rd birthday
        (ND07, 3, 0, True),
        (ND07, 16, 1, True),  # still 15
        (ND07, 16, 0, False),  # "dưới 16 tuổi" ends on the 16th birthday
        (QD59, 5, 1, False),
        (QD59, 5, 0, True),
        (QD59, 15, 1, True),
        (QD59, 15, 0, False),
    ],
)
def test_child_schooling_age_band(standard, age, days, deprived):
    child = member("Hà Thị D", born(age, days=days), in_school=False)
    assert result("child_schooling", household(child), standard).deprived is deprived


def test_child_schooling_in_school_and_unknown():
    assert result("child_schooling", household(member(dob=born(10), in_school=True))).deprived is False
    outcome = result("child_schooling", household(member("Hà Thị D", born(10))))
    assert outcome.deprived is None
    assert outcome.reason == "Chưa đủ thông tin: chưa rõ Hà Thị D (10 tuổi) có đang đi học không."


# --- adult education (chỉ số 5; QĐ 59/2015: 15 to under 30 without lower secondary) ----------------------------------


@pytest.mark.parametrize(
    ("standard", "age", "days", "level", "deprived"),
    [
        (ND07, 16, 1, "primary", False),  # 15: outside the band
        (ND07, 16, 0, "primary", True),
        (ND07, 17, 0, "lower_secondary", False),  # 16–<18 needs lower secondary
        (ND07, 18, 1, "lower_secondary", False),
        (ND07, 18, 0, "lower_secondary", True),  # 18–30 needs upper secondary or vocational
        (ND07, 25, 0, "vocational", False),
        (ND07, 25, 0, "college_or_higher", False),
        (ND07, 31, 1, "lower_secondary", True),  # still 30: "đến 30 tuổi" includes the 30-year-olds
        (ND07, 31, 0, "lower_secondary", False),
        (QD59, 15, 1, "primary", False),
        (QD59, 15, 0, "primary", True),
        (QD59, 30, 1, "none", True),
        (QD59, 30, 0, "none", False),  # "dưới 30 tuổi"
        (QD59, 20, 0, "lower_secondary", False),
    ],
)
def test_adult_education_age_bands(standard, age, days, level, deprived):
    person = member("Đinh Văn E", born(age, days=days), in_school=False, education_level=level)
    outcome = result("adult_education", household(person), standard)
    assert outcome.deprived is deprived
    if deprived:
        assert outcome.triggered_by == ("Đinh Văn E",)
        assert "không đi học" in outcome.reason


def test_adult_education_in_school_and_unknown():
    student = member(dob=born(19), in_school=True, education_level="lower_secondary")
    assert result("adult_education", household(student)).deprived is False
    assert result("adult_education", household(member(dob=born(19), in_school=False))).deprived is None
    assert result("adult_education", household(member(dob=born(19), education_level="primary"))).deprived is None
    graduate = member(dob=None, education_level="college_or_higher")
    assert result("adult_education", household(graduate)).deprived is False


# --- dependants (chỉ số 2) --------------------------------------------------------------------------------------------


def test_dependants_exactly_half_is_not_deprived():
    # "trên 50%": 2 of 4 is not enough.
    home = household(member("Con 1", born(5)), member("Con 2", born(8)), member("Bố", born(35)), member("Mẹ", born(33)))
    outcome = result("dependants", home)
    assert outcome.deprived is False
    assert outcome.reason == "2/4 thành viên là người phụ thuộc (50 %), không quá 50 %."


def test_dependants_above_half():
    home = household(
        member("Con 1", born(5)),
        member("Bà", born(70), social_allowance=True),
        member("Chú", born(40), disability=True, social_allowance=True),
        member("Bố", born(35)),
        member("Mẹ", born(33)),
    )
    outcome = result("dependants", home)
    assert outcome.deprived is True
    assert outcome.triggered_by == ("Con 1", "Bà", "Chú")
    assert "3/5 thành viên là người phụ thuộc (60 %)" in outcome.reason
    assert "Bà (70 tuổi, người cao tuổi hưởng trợ cấp xã hội)" in outcome.reason


@pytest.mark.parametrize(
    ("facts", "is_dependant"),
    [
        ({"dob": born(16, days=1)}, True),  # child until the 16th birthday
        ({"dob": born(16)}, False),
        ({"dob": born(60), "social_allowance": True}, True),  # elderly = from the upper working age
        ({"dob": born(60, days=1), "social_allowance": True}, False),
        ({"dob": born(75)}, False),  # elderly without a monthly social allowance
        ({"dob": born(40), "disability": True}, False),  # disabled without an allowance
    ],
)
def test_who_is_a_dependant(facts, is_dependant):
    # A child plus the person under test: 1/2 is not above half, 2/2 is.
    home = household(member("Người xét", **facts), member("Con", born(3)))
    assert result("dependants", home).deprived is is_dependant


def test_dependants_unknown_only_when_it_could_tip():
    could_tip = household(member("Con", born(4)), member("Không rõ", None), member("Bố", born(30)))
    assert result("dependants", could_tip).deprived is None
    cannot_tip = household(member("Không rõ", None), member("Bố", born(30)), member("Mẹ", born(30)))
    assert result("dependants", cannot_tip).deprived is False
    assert result("dependants", household()).deprived is None


# --- nutrition (chỉ số 3) -----------------------------------------------------------------------------------------


def test_nutrition():
    assert result("nutrition", household(member("Bé", born(15), stunted_or_underweight=True))).deprived is True
    assert result("nutrition", household(member("Bé", born(16), stunted_or_underweight=True))).deprived is False
    assert result("nutrition", household(member("Bé", born(2), stunted_or_underweight=False))).deprived is False
    assert result("nutrition", household(member("Bé", born(2)))).deprived is None
    assert result("nutrition", household(member("Ông", born(70)))).deprived is False


# --- employment (chỉ số 1) ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "days", "able", "status", "deprived"),
    [
        (30, 0, True, "unemployed", True),
        (30, 0, True, "wage_without_contract", True),
        (30, 0, True, "wage_with_contract", False),
        (30, 0, True, "self_employed", False),
        (30, 0, False, "unemployed", False),  # no labour capacity
        (15, 1, True, "unemployed", False),  # 14: below working age
        (15, 0, True, "unemployed", True),
        (60, 1, True, "unemployed", True),  # 59
        (60, 0, True, "unemployed", False),  # working age is [15, 60) [U]
        (30, 0, None, "unemployed", None),
        (30, 0, True, None, None),
    ],
)
def test_employment(age, days, able, status, deprived):
    person = member("Vũ Văn G", born(age, days=days), able_to_work=able, employment=status)
    outcome = result("employment", household(person))
    assert outcome.deprived is deprived
    if deprived:
        assert outcome.triggered_by == ("Vũ Văn G",)


# --- housing, water, latrine ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("parts", "deprived"), [(0, False), (1, False), (2, True), (3, True), (None, None)])
def test_housing_quality(parts, deprived):
    # chỉ số 7: at least 2 of walls, columns, roof non-durable.
    assert result("housing_quality", household(non_durable_main_parts=parts)).deprived is deprived


def test_housing_quality_rejects_more_than_three_parts():
    with pytest.raises(ValueError, match="từ 0 đến 3"):
        household(non_durable_main_parts=4)


@pytest.mark.parametrize(("area", "deprived"), [("32", False), ("31.9", True), ("40", False), (None, None)])
def test_housing_area(area, deprived):
    # chỉ số 8: below 8 m² per person; 4 people.
    people = [member(f"Người {n}", born(30)) for n in range(4)]
    floor = Decimal(area) if area else None
    outcome = result("housing_area", household(*people, floor_area_m2=floor))
    assert outcome.deprived is deprived
    if deprived:
        assert outcome.reason == "Diện tích bình quân 7,97 m²/người (31,9 m² cho 4 người), dưới 8 m²."


def test_housing_area_without_members():
    assert result("housing_area", household(floor_area_m2=Decimal(30))).deprived is None


@pytest.mark.parametrize(
    ("source", "deprived"),
    [
        ("piped", False),
        ("drilled_well", False),
        ("protected_dug_well", False),
        ("protected_spring", False),
        ("rainwater", False),
        ("bottled", False),
        ("unprotected_well", True),
        ("surface_water", True),
        ("other", True),
        (None, None),
    ],
)
@pytest.mark.parametrize("standard", [ND07, QD59, ND351])
def test_water_source(standard, source, deprived):
    assert result("water_source", household(water_source=source), standard).deprived is deprived


@pytest.mark.parametrize(
    ("kind", "deprived"),
    [
        ("septic", False),
        ("semi_septic", False),
        ("pour_flush", False),
        ("ventilated_pit", False),
        ("double_vault", False),
        ("simple_pit", True),
        ("none", True),
        ("other", True),
        (None, None),
    ],
)
def test_latrine(kind, deprived):
    assert result("latrine", household(latrine=kind)).deprived is deprived


def test_unknown_codes_are_rejected():
    with pytest.raises(ValueError, match="Nguồn nước sinh hoạt không hợp lệ"):
        household(water_source="river")
    with pytest.raises(ValueError, match="Trình độ học vấn của A không hợp lệ"):
        member("A", born(20), education_level="phd")


# --- information, digital services, waste, health access ------------------------------------------------------------


@pytest.mark.parametrize(("uses", "deprived"), [(True, False), (False, True), (None, None)])
def test_telecom(uses, deprived):
    assert result("telecom", household(uses_telecom=uses)).deprived is deprived


@pytest.mark.parametrize(
    ("device", "loudspeaker", "deprived"),
    [
        (True, False, False),
        (False, True, False),
        (True, None, False),
        (False, False, True),
        (False, None, None),
        (None, None, None),
    ],
)
def test_information_devices(device, loudspeaker, deprived):
    home = household(has_information_device=device, has_loudspeaker_access=loudspeaker)
    assert result("information_devices", home).deprived is deprived


@pytest.mark.parametrize(("uses", "deprived"), [(True, False), (False, True), (None, None)])
def test_digital_services_nd351(uses, deprived):
    assert result("digital_services", household(uses_digital_services=uses), ND351).deprived is deprived


@pytest.mark.parametrize(("handles", "deprived"), [(True, False), (False, True), (None, None)])
def test_waste_nd351(handles, deprived):
    assert result("waste", household(handles_waste=handles), ND351).deprived is deprived


@pytest.mark.parametrize(("untreated", "deprived"), [(True, True), (False, False), (None, None)])
def test_health_access_qd59(untreated, deprived):
    assert result("health_access", household(untreated_illness=untreated), QD59).deprived is deprived


def test_household_without_facts_is_unknown_not_deprived():
    results = derive_indicators(household(member(dob=born(40))), ND07, REF)
    household_level = ["housing_quality", "housing_area", "water_source", "latrine", "telecom", "information_devices"]
    for code in household_level + ["health_insurance", "employment"]:
        assert results[code].deprived is None, code
        assert results[code].reason.startswith("Chưa"), code
    assert not any(r.deprived for r in results.values())


# --- no labour capacity (domain.md §2.9, provisional) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        ([member("Ông", born(70)), member("Bà", born(68))], True),
        ([member("Bà", born(68)), member("Cháu", born(8))], True),
        ([member("Bà", born(68)), member("Con", born(40), able_to_work=False)], True),
        ([member("Bà", born(68)), member("Con", born(40), able_to_work=True)], False),
        ([member("Bà", born(68)), member("Con", born(40))], None),
        ([member("Bà", born(68)), member("Không rõ", None)], None),
        ([member("Không rõ", None, able_to_work=False)], True),
        ([], None),
    ],
)
def test_no_labour_capacity(members, expected):
    assert no_labour_capacity(household(*members), ND07, REF) is expected


def test_remembered_ages_equal_the_rule_for_random_days():
    """``age_on`` keeps its answers (every indicator asks it for every member): the remembered answer is the rule's,
    29 February included, and a day before the birth is refused every time, never remembered."""
    import random

    rng = random.Random(29)
    start = date(1920, 1, 1)
    for _index in range(5000):
        dob = start + timedelta(days=rng.randint(0, 40_000))
        day = dob + timedelta(days=rng.randint(0, 40_000))
        try:
            birthday = dob.replace(year=day.year)
        except ValueError:  # 29 February in a non-leap year: the birthday is 28 February
            birthday = date(day.year, 2, 28)
        expected = day.year - dob.year - (day < birthday)
        assert age_on(dob, day) == expected
        assert age_on(dob, day) == expected
    for _attempt in range(2):
        with pytest.raises(ValueError, match="trước ngày sinh"):
            age_on(date(2025, 1, 2), date(2025, 1, 1))
