"""The demo history, targets and registrations: plausible, valid through the services, idempotent."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from areas.models import AdministrativeUnit
from core.demo import demo_load
from households.demo import demo_communes, households_generate
from households.demo_targets import demo_targets_load
from households.models import EscapeRegistration, Household, PovertyTarget, StatusRecord, UnitPopulation
from households.transitions import period_for_year, transition_counts

TODAY = date(2026, 11, 26)


@pytest.fixture
def frozen():
    """The whole demo is made on TODAY: the registry, the history and the registration service read the clock."""
    with time_machine.travel(datetime(2026, 11, 26, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False):
        yield


@pytest.fixture
def demo(db, frozen):
    demo_load()
    ia_pa = AdministrativeUnit.objects.filter(level="commune", parent__code="635").order_by("code").first()
    communes = demo_communes(["24079", "24076", ia_pa.code])  # two of Krông Pa, one of Ia Pa
    households_generate(communes=communes, per_commune=60, seed=2021)
    return communes


def test_demo_targets_are_plausible_and_idempotent(demo):
    first = demo_targets_load(seed=2021, today=TODAY)
    assert first.histories == Household.objects.count() == 180
    assert first.targets == 3 * 5  # 2022–2026 for each commune, by the district accounts
    assert first.registrations > 5
    assert UnitPopulation.objects.count() == 3 * 6
    # Every household's history ends in its current class, and periods never overlap (the model's constraint).
    for household in Household.objects.prefetch_related("status_records"):
        records = list(household.status_records.all())
        assert records[-1].household_class == household.current_class and records[-1].valid_to is None
    counts = transition_counts(Household.objects.all(), period_for_year(2025, TODAY), "commune")
    moved = {name: sum(row[name] for row in counts.values()) for name in ("escaped_poor", "new_poor", "relapsed_poor")}
    assert moved["escaped_poor"] > 0 and moved["new_poor"] > 0
    ia_rsai = AdministrativeUnit.objects.get(level="commune", code="24079")
    target = PovertyTarget.objects.get(unit=ia_rsai, year=2026)
    assert target.set_by.username == "huyen.krongpa" and "QĐ-UBND" in target.legal_basis
    assert not EscapeRegistration.objects.filter(household__commune__parent__code="635").exists()  # no officer
    # each year's target is a third of the commune's poor households at the start of that year (the years' counts
    # come from one statement)
    for target in PovertyTarget.objects.all():
        period = period_for_year(target.year, TODAY)
        poor = transition_counts(Household.objects.filter(commune=target.unit), period, "commune")[target.unit_id]
        assert target.households_to_escape == max(1, round(poor["poor_start"] / 3)), target.year

    again = demo_targets_load(seed=2021, today=TODAY)
    assert (again.histories, again.targets, again.registrations, again.populations) == (0, 0, 0, 0)
    assert StatusRecord.objects.count() == sum(1 for _ in StatusRecord.objects.all())


def test_command_refuses_an_empty_registry_then_loads(db):
    from io import StringIO

    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Chưa có hộ nào"):
        call_command("load_demo_targets")
    demo_load()
    households_generate(communes=demo_communes(["24079"]), per_commune=20, seed=2021)
    out = StringIO()
    call_command("load_demo_targets", stdout=out)
    assert "Lịch sử phân loại: 20 hộ" in out.getvalue()
