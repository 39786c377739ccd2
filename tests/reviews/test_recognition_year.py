"""The annual review's results count toward the year reviewed, and a new standard does not undo the year's escapes.

The 2026 review makes the 2027 lists by NĐ 351/2025 (from 01/01/2027), while 2026 keeps NĐ 07/2021, Điều 3. Its
escapes count toward 2026 from the decision (03/12/2026); a household it puts back on a list by the new, higher
line is on that list from 01/01/2027, so the escape recognised in the year stays in 2026's progress.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from households.models import StatusRecord
from households.services import status_record_add
from households.targets import target_progress
from reviews import services
from reviews.choices import RoundKind
from tests.households.conftest import POOR_FACTS

DECISION_DAY = date(2026, 12, 3)
REVIEWED = {k: v for k, v in POOR_FACTS.items() if k != "reference_date"}
BETTER_OFF = {
    **REVIEWED,
    "income_per_capita": 5_000_000,
    "floor_area_m2": 60,
    "non_durable_main_parts": 0,
    "water_source": "piped",
    "latrine": "septic",
}


@pytest.fixture(autouse=True)
def december_2026():
    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False):
        yield


@pytest.fixture
def history(users, households):
    """Both households poor on the 2026 lists (decision of 15/12/2025); IRS-001 escaped in the year (04/10/2026)."""
    escaped_in_year, reviewed = households
    for household in households:
        StatusRecord.objects.create(
            household=household, household_class="poor", valid_from=date(2025, 12, 15), decision="90/QĐ-UBND"
        )
    status_record_add(
        household=escaped_in_year,
        household_class="near_poor",
        valid_from=date(2026, 10, 4),
        decision="300/QĐ-UBND ngày 04/10/2026",
        user=users.commune_officer,
    )
    return escaped_in_year, reviewed


def _escaped_2026(users, tree) -> int:
    return target_progress(users.commune_officer, scope=tree.commune, year=2026).total.escaped


def _take_the_review_to_approval(tree, users, facts_by_code):
    from reviews.models import VillageMeeting

    officer = users.commune_officer
    round = services.review_round_open(commune=tree.commune, kind=RoundKind.PERIODIC, year=2026, user=officer)
    assert round.standard_code == "ND351_2025"
    for case in round.cases.select_related("household"):
        services.review_case_save(
            case=case,
            facts={**facts_by_code[case.household.code], "agricultural": True},
            answers={},
            final=True,
            user=officer,
            expected_version=case.version,
        )
    round.refresh_from_db()
    meeting = VillageMeeting(
        village=tree.village,
        held_at=timezone.now() - timedelta(days=14),
        location="Nhà văn hoá buôn",
        chair="Ksor Y Phen",
        secretary="Rơ Mah H'Bia",
        attendees=40,
        supervisors="Ủy ban MTTQ xã",
    )
    for name in ("front_representative",):  # present once the minutes carry the Front's signature line
        if hasattr(meeting, name):
            setattr(meeting, name, "Nay H'Blơk")
    services.village_meeting_record(
        round=round,
        meeting=meeting,
        agreeing={case.pk: 30 for case in round.cases.all()},
        user=officer,
        expected_version=round.version,
    )
    round.refresh_from_db()
    services.posting_start(
        round=round,
        starts_on=DECISION_DAY - timedelta(days=10),
        places="Trụ sở UBND xã; nhà văn hoá buôn",
        signer_name="Nguyễn Văn Hùng",
        signer_form="TM.",
        user=officer,
        expected_version=round.version,
    )
    round.refresh_from_db()
    services.review_round_submit(round=round, user=officer, expected_version=round.version)
    round.refresh_from_db()
    services.submission_approve(
        submission=round.submissions.first(), user=users.district_staff, expected_version=round.version
    )
    round.refresh_from_db()
    return round


def test_the_decision_adds_the_reviews_escapes_and_keeps_the_years_own(tree, users, history):
    escaped_in_year, reviewed = history
    assert _escaped_2026(users, tree) == 1  # IRS-001, recognised in October

    round = _take_the_review_to_approval(tree, users, {escaped_in_year.code: REVIEWED, reviewed.code: BETTER_OFF})
    services.review_round_recognise(
        round=round,
        number="125/QĐ-UBND",
        signed_on=DECISION_DAY,
        signer_name="Nguyễn Văn Hùng",
        signer_form="TM.",
        user=users.commune_officer,
        expected_version=round.version,
    )

    # IRS-002 escaped by the annual review: counted for 2026. IRS-001, poor again by the 2027 line, stays escaped.
    assert _escaped_2026(users, tree) == 2
    relisted = escaped_in_year.status_records.order_by("-valid_from").first()
    assert (relisted.household_class, relisted.valid_from) == ("poor", date(2027, 1, 1))
    assert relisted.standard_code == "ND351_2025"  # the review's standard, not the registry's
    assert escaped_in_year.status_records.get(household_class="near_poor").valid_to == date(2026, 12, 31)
    escape = reviewed.status_records.order_by("-valid_from").first()
    assert (escape.household_class, escape.valid_from) == ("non_poor", DECISION_DAY)


def test_a_review_under_the_standard_already_in_force_dates_every_result_from_the_decision(tree, users, history):
    # The 2025 review (lists for 2026 by NĐ 07/2021, already in force): a household it puts back on the list is
    # on it from the decision, as before.
    from households.classification import standard_on
    from reviews.services.approval import _new_standard_starts

    round = type("Round", (), {"reference_date": date(2026, 1, 1), "standard_code": "ND07_2021"})()
    assert standard_on(date(2025, 12, 15)).code == "ND07_2021"
    assert _new_standard_starts(round, date(2025, 12, 15)) is None
    first_review_of_new_decree = type(
        "Round", (), {"reference_date": date(2027, 1, 1), "standard_code": "ND351_2025"}
    )()
    assert _new_standard_starts(first_review_of_new_decree, DECISION_DAY) == date(2027, 1, 1)
    assert _new_standard_starts(first_review_of_new_decree, date(2027, 1, 5)) is None  # signed in January
