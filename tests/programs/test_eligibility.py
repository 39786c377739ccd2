"""Eligibility table tests: each seeded programme against each status, the 3-year rule and its boundary.

The pure rule (programs.eligibility) is fed with the rule built from the seeded catalogue row, so a change of
the catalogue that changes who is eligible fails here.
"""

from datetime import date

import pytest

from programs import eligibility as el
from programs.catalogue import catalogue_entries


def rule_of(code: str) -> el.Rule:
    entry = next(e for e in catalogue_entries() if e["code"] == code)
    return el.Rule(
        code=code,
        name=entry["name"],
        legal_basis=entry["legal_basis"],
        valid_from=date.fromisoformat(entry["valid_from"]),
        valid_to=date.fromisoformat(entry["valid_to"]) if entry.get("valid_to") else None,
        eligible_statuses=frozenset(entry.get("eligible_statuses", [])),
        recently_escaped_years=entry.get("recently_escaped_years", 3),
        also_flags=frozenset(entry.get("also_eligible_flags", [])),
        once_per_beneficiary=entry.get("once_per_beneficiary", False),
    )


DAY = date(2026, 6, 15)
# Status histories as they would be on DAY.
POOR = [el.Period("poor", date(2022, 1, 1))]
NEAR = [el.Period("near_poor", date(2022, 1, 1))]
AVG = [el.Period("average_living", date(2022, 1, 1))]
NON = [el.Period("non_poor", date(2022, 1, 1))]
# Left the poor list on 01/01/2024 (decision of 31/12/2023): recently escaped on DAY.
ESCAPED = [el.Period("poor", date(2022, 1, 1), date(2023, 12, 31)), el.Period("non_poor", date(2024, 1, 1))]
# Left the near-poor list on 01/01/2025 into average living: recently escaped AND an average-living household.
ESCAPED_AVG = [
    el.Period("near_poor", date(2022, 1, 1), date(2024, 12, 31)),
    el.Period("average_living", date(2025, 1, 1)),
]
# Left the near-poor list on 01/01/2022: more than 3 years before DAY.
LONG_AGO = [el.Period("near_poor", date(2019, 1, 1), date(2021, 12, 31)), el.Period("average_living", date(2022, 1, 1))]
NONE: list = []

HISTORIES = {
    "poor": POOR,
    "near": NEAR,
    "avg": AVG,
    "non": NON,
    "escaped": ESCAPED,
    "escaped_avg": ESCAPED_AVG,
    "long_ago": LONG_AGO,
    "none": NONE,
}

# programme code -> statuses (keys of HISTORIES) that are eligible on DAY; every other status is refused.
# Sources: domain.md §7 and the legal basis cited in programs/data/catalogue.json.
TABLE = {
    "VBSP_POOR": {"poor"},  # NĐ 78/2002: poor households
    "VBSP_NEAR_POOR": {"near"},  # QĐ 15/2013: near-poor households
    "VBSP_ESCAPED": {"escaped", "escaped_avg"},  # QĐ 28/2015: off the lists ≤ 3 years
    "VBSP_STUDENTS": {"poor", "near", "avg", "long_ago", "escaped_avg"},  # QĐ 157/2007: poor, near-poor, average-living
    "VBSP_WATER": set(HISTORIES),
    "VBSP_JOBS": set(HISTORIES),
    "VBSP_PRODUCTION": set(HISTORIES),
    # NĐ 146/2018 as amended; NĐ 188/2025 (long_ago and escaped_avg are average-living households, 30 %)
    "BHYT": {"poor", "near", "avg", "long_ago", "escaped_avg"},
    "HOUSING_SUPPORT": {"poor", "near"},
    "TRAINING_46": set(HISTORIES),  # QĐ 46/2015: rural workers; priority groups, not a condition
    "ELECTRICITY": {"poor"},  # QĐ 28/2014 Art. 3(7): poor households (+ social-protection households)
    "EDU_TUITION": {"poor", "near"},
    "EDU_LEARNING_COST": {"poor"},  # NĐ 81/2021, Điều 18
    "EDU_BOARDING": set(HISTORIES),
    "EDU_LUNCH": {"poor", "near"},  # NĐ 105/2020, Điều 7 (+ ethnic-minority households)
    "AGRI_EXTENSION": set(HISTORIES),
    "NTP_2026_LIVELIHOOD": {"poor", "near", "escaped", "escaped_avg"},
    "WATER_SANITATION": {"poor", "near"},
    "RICE_TET": set(HISTORIES),
    "RICE_LEAN": set(HISTORIES),
    "EMERGENCY": set(HISTORIES),
}


@pytest.mark.parametrize("code,eligible", TABLE.items())
@pytest.mark.parametrize("status", HISTORIES)
def test_programme_by_status(code, eligible, status):
    verdict = el.check(rule_of(code), HISTORIES[status], DAY)
    assert verdict.eligible == (status in eligible), verdict.message
    assert verdict.message and "%(" not in verdict.message


def test_every_catalogue_programme_is_in_the_table_or_has_ended():
    for entry in catalogue_entries():
        assert entry["code"] in TABLE or entry.get("valid_to"), entry["code"]


@pytest.mark.parametrize(
    "day,expected",
    [
        (date(2026, 12, 31), "recently_escaped"),  # left the lists on 01/01/2024: ... 3 years later is 01/01/2027
        (date(2027, 1, 1), "recently_escaped"),  # exactly 3 years: still eligible ("no more than 3 years")
        (date(2027, 1, 2), "non_poor"),  # one day more: no longer
    ],
)
def test_three_year_boundary(day, expected):
    verdict = el.check(rule_of("VBSP_ESCAPED"), ESCAPED, day)
    assert verdict.status == expected
    assert verdict.eligible == (expected == "recently_escaped")
    if not verdict.eligible:
        assert "01/01/2024" in verdict.message and "đã quá 3 năm" in verdict.message


def test_escape_from_near_poor_counts_and_leap_day():
    history = [el.Period("near_poor", date(2020, 1, 1), date(2024, 2, 28)), el.Period("non_poor", date(2024, 2, 29))]
    assert el.standing_on(history, date(2027, 2, 28)).status == "recently_escaped"
    assert el.standing_on(history, date(2027, 3, 1)).status == "non_poor"


def test_poor_to_near_poor_is_near_poor_not_escaped():
    history = [el.Period("poor", date(2022, 1, 1), date(2024, 12, 31)), el.Period("near_poor", date(2025, 1, 1))]
    assert el.standing_on(history, DAY).status == "near_poor"
    assert not el.check(rule_of("VBSP_ESCAPED"), history, DAY).eligible
    assert el.check(rule_of("VBSP_NEAR_POOR"), history, DAY).eligible


def test_household_on_no_list_after_its_period_ended_is_off_the_lists():
    history = [el.Period("poor", date(2018, 1, 1), date(2020, 12, 31))]
    assert el.standing_on(history, DAY).status == "non_poor"
    assert el.standing_on(history, date(2022, 6, 1)).status == "recently_escaped"


def test_status_is_read_on_the_benefit_date_not_today():
    assert el.check(rule_of("VBSP_POOR"), ESCAPED, date(2023, 6, 1)).eligible
    assert not el.check(rule_of("VBSP_POOR"), ESCAPED, DAY).eligible


def test_flags_qualify_whatever_the_status():
    rule = rule_of("ELECTRICITY")  # QĐ 60/2014: social-policy households
    assert not el.check(rule, NON, DAY).eligible
    verdict = el.check(rule, NON, DAY, flags={"social_protection"}, labels={"social_protection": "Hộ BTXH"})
    assert verdict.eligible and verdict.message.startswith("Hộ BTXH")


def test_programme_outside_its_period_is_refused():
    rule = rule_of("HOUSING_TEMP_2024")  # the 2024–2025 campaign
    assert el.check(rule, POOR, date(2025, 6, 1)).eligible
    verdict = el.check(rule, POOR, DAY)
    assert not verdict.eligible and "31/12/2025" in verdict.message


def test_training_is_once_per_person():
    rule = rule_of("TRAINING_46")  # QĐ 46/2015: each person supported once
    assert el.check(rule, POOR, DAY, prior_count=0).eligible
    verdict = el.check(rule, POOR, DAY, prior_count=1)
    assert not verdict.eligible and "một lần" in verdict.message


def test_messages_cite_the_rule_and_use_labels():
    labels = {"non_poor": "Hộ không nghèo", "poor": "Hộ nghèo"}
    verdict = el.check(rule_of("VBSP_POOR"), NON, DAY, labels=labels)
    assert verdict.message == (
        "Ngày 15/06/2026 hộ là hộ không nghèo; Cho vay hộ nghèo (NHCSXH) chỉ dành cho: hộ nghèo "
        "(Nghị định 78/2002/NĐ-CP; Nghị định 06/2026/NĐ-CP)."
    )
    unknown = el.check(rule_of("VBSP_POOR"), NONE, DAY)
    assert "chưa có quyết định công nhận" in unknown.message


def test_translate_is_applied_before_formatting():
    verdict = el.check(rule_of("VBSP_JOBS"), NON, DAY, translate=lambda s: "EN " + s)
    assert verdict.message.startswith("EN ")


def test_recently_escaped_average_living_household_is_counted_as_average_living_where_that_is_the_group():
    bhyt = el.check(rule_of("BHYT"), ESCAPED_AVG, DAY)
    assert bhyt.eligible and bhyt.status == "average_living"
    loan = el.check(rule_of("VBSP_ESCAPED"), ESCAPED_AVG, DAY)
    assert loan.eligible and loan.status == "recently_escaped"  # the credit programme of that group keeps it
