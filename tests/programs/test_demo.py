"""The demo support: idempotent, the same for the same seed, every record accepted by the programme's rule."""

import pytest

from households.demo import households_generate
from programs.demo import support_generate
from programs.figures import Period, unit_figures
from programs.models import Benefit
from tests.factories import VillageFactory

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(Benefit.objects.values_list("household__code", "programme__code", "date", "amount"))


def test_demo_support_is_repeatable_and_eligible(tree):
    VillageFactory(parent=tree.commune)
    households_generate(communes=[tree.commune], per_commune=120, seed=7)
    first = support_generate(communes=[tree.commune], seed=7)
    assert first.benefits > 100 and first.statuses >= 120
    rows = snapshot()
    again = support_generate(communes=[tree.commune], seed=7)
    assert again.benefits == 0 and again.statuses == 0 and snapshot() == rows
    assert not Benefit.objects.filter(eligible=False).exists()
    kinds = set(Benefit.objects.values_list("programme__kind", flat=True))
    assert {"credit", "health_insurance", "electricity", "in_kind"} <= kinds
    figures = unit_figures(unit=tree.commune, period=Period.year(2026))
    assert figures["credit"]["groups"]["poor"]["households"] > 0
    Benefit.objects.all().delete()
    support_generate(communes=[tree.commune], seed=7)
    assert snapshot() == rows  # the same seed draws the same support
