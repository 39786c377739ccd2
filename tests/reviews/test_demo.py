"""The demo round: surveyed from the registry, met, posted and submitted; loading it twice adds nothing."""

import pytest

from reviews.choices import CaseStatus, RoundState
from reviews.demo import review_demo_load
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
