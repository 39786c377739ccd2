"""The demo round: surveyed from the registry, met, posted and submitted; loading it twice adds nothing."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from reviews.choices import CaseStatus, RoundState
from reviews.demo import demo_review_year, review_demo_load
from reviews.models import ReviewRound

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_demo_round_waits_for_the_district_and_is_idempotent(tree, users, households):
    round = review_demo_load(commune=tree.commune, year=YEAR)
    assert round.state == RoundState.SUBMITTED
    assert set(round.cases.values_list("status", flat=True)) == {CaseStatus.AGREED}
    assert round.submissions.get().next_level == "district"
    assert review_demo_load(commune=tree.commune, year=YEAR) == round
    assert ReviewRound.objects.count() == 1


def test_demo_without_officer_does_nothing(tree):
    assert review_demo_load(commune=tree.sibling_commune, year=YEAR) is None


@pytest.mark.parametrize(
    "today, year",
    [
        (date(2026, 8, 31), 2025),  # before the window of 01/9 opens, last year's lists still wait
        (date(2026, 9, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2028, 2, 29), 2027),
        (date(2030, 7, 1), 2029),
    ],
)
def test_demo_review_year_follows_the_review_window(tree, today, year):
    assert demo_review_year(tree.commune, today) == year


@pytest.mark.parametrize("day", [date(2026, 12, 31), date(2027, 1, 1), date(2028, 2, 29), date(2030, 7, 1)])
def test_demo_round_loads_on_any_day(request, tree, users, day):
    """Households, meeting, posting and submission all lie before the day, in the reviewed year's window."""
    with time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))):
        request.getfixturevalue("households")
        round = review_demo_load(commune=tree.commune)
        assert round.state == RoundState.SUBMITTED
        assert round.year == demo_review_year(tree.commune, day)
        meeting_day = timezone.localtime(round.meetings.get().held_at).date()
        posting = round.postings.get()
        assert meeting_day <= posting.starts_on < posting.ends_on < day
        assert meeting_day.year == round.year
