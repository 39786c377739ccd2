"""The survey judges a household's facts on the day it was surveyed, the standard on the lists' first day.

NĐ 07/2021, Phụ lục, chỉ số 4: a member aged 6+ who "hiện không có" a health-insurance card; TT 07/2021, Phụ lục IV
records the household when surveyed. The annual review of 2026 chooses the standard of 01/01/2027 (the lists are
for 2027), but a card valid to 31/12/2026 covers a member surveyed in November 2026.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import services
from reviews.choices import RoundKind
from tests.households.conftest import POOR_FACTS, family

SURVEY_DAY = date(2026, 11, 20)
CARD = {"health_insurance_valid_from": date(2026, 1, 1), "health_insurance_valid_to": date(2026, 12, 31)}
FACTS = {**{k: v for k, v in POOR_FACTS.items() if k != "reference_date"}, "agricultural": True}


@pytest.fixture(autouse=True)
def november_2026():
    with time_machine.travel(datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False):
        yield


@pytest.fixture
def case(tree, users, make_household):
    make_household("IRS-001", members=family(health_insurance_number="GD4646421234567", **CARD))
    round = services.review_round_open(
        commune=tree.commune, kind=RoundKind.PERIODIC, year=2026, user=users.commune_officer
    )
    assert round.reference_date == date(2027, 1, 1) and round.standard_code == "ND351_2025"
    return round.cases.get()


def _save(case, user, **facts):
    return services.review_case_save(
        case=case, facts={**FACTS, **facts}, answers={}, final=True, user=user, expected_version=case.version
    )


def _insurance(case) -> dict:
    return next(i for i in case.assessment["indicators"] if i["code"] == "health_insurance")


def test_a_card_valid_to_31_december_covers_a_member_surveyed_in_november(case, users):
    case = _save(case, users.commune_officer)
    assert case.assessment["standard"] == "ND351_2025"  # the standard of the year the lists are for
    assert case.assessment["survey_date"] == "2026-11-20"  # the facts of the day of the survey
    assert case.survey["facts"]["surveyed_on"] == "2026-11-20"  # kept, so reading it again judges the same day
    assert _insurance(case)["derived"] is False
    assert "health_insurance" not in case.assessment["deprived"]


def test_the_survey_day_typed_on_the_sheet_is_the_day_judged(case, users):
    case = _save(case, users.commune_officer, surveyed_on="2026-10-05")
    assert case.assessment["survey_date"] == "2026-10-05"
    assert _insurance(case)["derived"] is False


def test_a_card_that_lapsed_before_the_survey_day_is_a_deprivation(tree, users, make_household):
    lapsed = {"health_insurance_valid_from": date(2025, 1, 1), "health_insurance_valid_to": date(2026, 10, 31)}
    make_household("IRS-009", members=family(health_insurance_number="GD4646421234567", **lapsed))
    round = services.review_round_open(
        commune=tree.commune, kind=RoundKind.PERIODIC, year=2026, user=users.commune_officer
    )
    case = _save(round.cases.get(), users.commune_officer)
    insurance = _insurance(case)
    assert insurance["derived"] is True
    assert "vào ngày 20/11/2026" in insurance["reason"] and "hết hạn ngày 31/10/2026" in insurance["reason"]


@pytest.mark.parametrize(
    ("day", "message"),
    [("2025-12-31", "từ ngày 01/01/2026"), ("2026-11-21", "không được sau hôm nay")],
)
def test_a_survey_day_outside_the_round_is_refused(case, users, day, message):
    with pytest.raises(ValidationError, match=message):
        _save(case, users.commune_officer, surveyed_on=day)


def test_the_survey_page_asks_for_the_survey_day_and_keeps_it(client, case, users):
    client.force_login(users.commune_officer)
    url = reverse("reviews:case", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'name="surveyed_on"' in page and 'value="20/11/2026"' in page
    assert "hạn thẻ BHYT được xét tại ngày này" in page
    data = {"version": case.version, "surveyed_on": "15/11/2026", "finish": "1"}
    for name, value in FACTS.items():
        data[name] = {True: "true", False: "false"}.get(value, value)
    for member in case.household.members.all():
        data[f"m{member.pk}-health_insurance_valid_to"] = "31/12/2026"
        data[f"m{member.pk}-in_school"] = "true" if member.in_school else "unknown"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.assessment["survey_date"] == "2026-11-15" and _insurance(case)["derived"] is False
