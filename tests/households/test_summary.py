"""The dashboards' summary table (households.summary): every kind of change marks its commune stale in the same
transaction, recomputing the marked communes makes every stored row equal the live aggregate again, and the
dashboard read from the rows shows what the live selectors show for every role."""

import io
import random
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from areas.selectors import unit_children_with_counts
from dashboards.selectors import target_widget_for
from households import excel, services, summary
from households.models import CommuneSummary, EscapeRegistration, Household, StatusRecord, SummaryStale
from households.selectors import household_counts_under, household_totals_for
from households.targets import escape_registration_add, escape_registration_withdraw
from tests.factories import CommuneFactory, UserFactory, VillageFactory

from .test_excel import xlsx
from .test_excel_bulk import households as sheet_households

pytestmark = pytest.mark.django_db
FIELDS = ("households", "poor", "near_poor", "villages", "movements", "registered", "achieved")


def stale() -> set[int]:
    return set(SummaryStale.objects.values_list("commune_id", flat=True))


def stored_row(commune_id: int, year: int | None = None) -> CommuneSummary:
    return CommuneSummary.objects.of_year(year or timezone.localdate().year).get(commune_id=commune_id)


def stored(commune_id: int) -> dict:
    row = stored_row(commune_id)
    return {name: getattr(row, name) for name in FIELDS}


def live(commune_id: int) -> dict:
    row = summary.summary_compute([commune_id])[commune_id]
    return {name: getattr(row, name) for name in FIELDS}


def assert_rows_equal_live(communes) -> None:
    for commune in communes:
        assert stored(commune.pk) == live(commune.pk), commune.name
    # every period kept (last year, the report calendar's 6-month period) as well as this year
    for period in summary.summary_periods():
        for commune in communes:
            row = CommuneSummary.objects.get(commune=commune, period_start=period.start, period_end=period.end)
            fresh = summary.summary_compute([commune.pk], stored=period)[commune.pk]
            assert {f: getattr(row, f) for f in FIELDS} == {f: getattr(fresh, f) for f in FIELDS}, (commune, period)


def assert_dashboard_equals_live(user) -> None:
    """The page's figures from the summary rows against the live selectors it used before."""
    figures = summary.dashboard_figures_for(user)
    assert figures is not None and not figures.pending
    assert figures.totals() == household_totals_for(user)
    children = unit_children_with_counts(user.unit)
    assert figures.counts_under(children) == household_counts_under(user.unit, children)
    from_rows, from_live = target_widget_for(user, figures), target_widget_for(user)
    assert [(r.unit.pk, r.escaped, r.row.registered, r.row.achieved, r.goal) for r in from_rows["rows"]] == [
        (r.unit.pk, r.escaped, r.row.registered, r.row.achieved, r.goal) for r in from_live["rows"]
    ]
    for a, b in zip([from_rows["total"], *from_rows["rows"]], [from_live["total"], *from_live["rows"]], strict=True):
        assert a.row.movement.counts == b.row.movement.counts
        assert a.row.movement.rates == b.row.movement.rates
        assert a.row.registered == b.row.registered and a.row.achieved == b.row.achieved


@pytest.fixture
def villages(tree):
    return [
        tree.village,
        VillageFactory(parent=tree.commune, code="24079-02", name="Buôn Ma Rai"),
        VillageFactory(parent=tree.sibling_commune, code="24076-01", name="Tổ dân phố 1"),
        VillageFactory(parent=tree.other_district_commune, code="24121-01", name="Buôn Tông Sê"),
    ]


@pytest.fixture
def officers(tree, users):
    """A commune officer for each commune of the villages above (a household is saved by its own commune)."""
    return {
        tree.commune.pk: users.commune_officer,
        tree.sibling_commune.pk: UserFactory(role=Role.COMMUNE_OFFICER, unit=tree.sibling_commune),
        tree.other_district_commune.pk: UserFactory(role=Role.COMMUNE_OFFICER, unit=tree.other_district_commune),
    }


def test_each_service_marks_its_commune_stale(tree, users, make_household, villages, officers):
    today = timezone.localdate()
    household = make_household(code="S-1")
    assert stale() == {tree.commune.pk}, "household_save (create)"
    summary.summaries_rebuild()
    assert stale() == set()

    services.household_save(
        household=household,
        members=list(household.members.current()),
        user=users.commune_officer,
        expected_version=household.version,
    )
    assert stale() == set(), "a save that changes nothing the dashboard counts marks nothing"
    household.refresh_from_db()
    household.village = villages[1]
    household.income_per_capita = 9_000_000
    services.household_save(
        household=household,
        members=list(household.members.current()),
        user=users.commune_officer,
        expected_version=household.version,
    )
    assert stale() == {tree.commune.pk}, "household_save (edit: village and class)"
    summary.summaries_sweep()

    services.status_record_add(
        household=household,
        household_class="poor",
        valid_from=today - timedelta(days=40),
        decision="1/QĐ",
        user=users.commune_officer,
    )
    assert stale() == {tree.commune.pk}, "status_record_add"
    summary.summaries_sweep()

    registration = escape_registration_add(
        household=household, year=today.year, registered_on=today, user=users.commune_officer, cadre_name="A"
    )
    assert stale() == {tree.commune.pk}, "escape_registration_add"
    summary.summaries_sweep()
    escape_registration_withdraw(registration=registration, reason="Chuyển đi", user=users.commune_officer)
    assert stale() == {tree.commune.pk}, "escape_registration_withdraw"
    summary.summaries_sweep()

    household.refresh_from_db()
    services.household_archive(
        household=household, reason="Chuyển đi", user=users.commune_officer, expected_version=household.version
    )
    assert stale() == {tree.commune.pk}, "household_archive"
    summary.summaries_sweep()

    report = excel.household_import(
        sheet=excel.read_sheet(xlsx(sheet_households(3, 1))), user=users.commune_officer, commit=True
    )
    assert report.committed and not report.errors
    assert stale() == {tree.commune.pk}, "Excel import (written with COPY)"
    summary.summaries_sweep()
    assert stale() == set()
    assert_rows_equal_live([tree.commune, tree.sibling_commune])


def test_a_household_moved_to_another_commune_marks_both(tree, make_household, villages):
    household = make_household(code="S-2")
    summary.summaries_rebuild()
    Household.objects.filter(pk=household.pk).update(village=villages[2], commune=tree.sibling_commune)
    assert stale() == {tree.commune.pk, tree.sibling_commune.pk}


def test_random_changes_then_refresh_equal_the_live_aggregate(tree, users, make_household, villages, officers):
    """After a random sequence of the services' changes, recomputing the marked communes makes every commune's row
    equal to the live aggregate, and the dashboard of every role equal to the live selectors."""
    rng = random.Random(2026)
    today = timezone.localdate()
    summary.summaries_rebuild()
    households = []
    for step in range(70):
        action = rng.choice(
            ["create", "create", "edit", "status", "status", "status", "archive", "register", "withdraw"]
        )
        if action == "create" or not households:
            village = rng.choice(villages)
            officer = officers[village.parent_id]
            facts = {"income_per_capita": rng.choice([900_000, 1_400_000, 2_500_000, 6_000_000])}
            household = make_household(code=f"R-{step:03}", village=village, user=officer, **facts)
            households.append(household)
            if rng.random() < 0.7:  # on last year's list (the review at the end of the year)
                services.status_record_add(
                    household=household,
                    household_class=rng.choice(["poor", "poor", "near_poor"]),
                    valid_from=date(today.year - 1, 12, rng.randint(1, 20)),
                    decision=f"{step}/QĐ",
                    user=officer,
                )
            expected = {village.parent_id}
        else:
            household = Household.objects.get(pk=rng.choice(households).pk)
            officer = officers[household.commune_id]
            expected = {household.commune_id}
            if household.is_archived and action != "status":
                continue
            if action == "edit":
                household.income_per_capita = rng.choice([900_000, 1_400_000, 2_500_000, 6_000_000])
                household.village = rng.choice([v for v in villages if v.parent_id == household.commune_id])
                services.household_save(
                    household=household,
                    members=list(household.members.current()),
                    user=officer,
                    expected_version=household.version,
                )
                expected = stale() | expected  # an edit that changes nothing counted marks nothing
            elif action == "status":
                last = household.status_records.order_by("-valid_from").first()
                start = today - timedelta(days=rng.randint(0, 300))
                if last is not None and start <= last.valid_from:
                    start = last.valid_from + timedelta(days=1)
                if start > today:
                    continue
                services.status_record_add(
                    household=household,
                    household_class=rng.choice(["poor", "near_poor", "non_poor"]),
                    valid_from=start,
                    decision=f"{step}/QĐ-UBND",
                    user=officer,
                )
            elif action == "archive":
                services.household_archive(
                    household=household, reason="Chuyển đi", user=officer, expected_version=household.version
                )
            elif action == "register":
                if EscapeRegistration.objects.active().filter(household=household, year=today.year).exists():
                    continue
                if not StatusRecord.objects.filter(
                    household=household,
                    household_class__in=["poor", "near_poor"],
                    valid_to__isnull=True,
                    valid_from__lte=today,
                ).exists():
                    continue
                escape_registration_add(
                    household=household, year=today.year, registered_on=today, user=officer, cadre_name="A"
                )
            elif action == "withdraw":
                registration = EscapeRegistration.objects.active().filter(household=household).first()
                if registration is None:
                    continue
                escape_registration_withdraw(registration=registration, reason="Rút", user=officer)
        assert expected <= stale() or action == "edit", action
        if rng.random() < 0.3:
            summary.summaries_sweep()  # the worker catches up now and then
    report = excel.household_import(
        sheet=excel.read_sheet(xlsx(sheet_households(4, 50))), user=users.commune_officer, commit=True
    )
    assert report.committed
    summary.summaries_sweep()
    assert stale() == set()
    assert_rows_equal_live([tree.commune, tree.sibling_commune, tree.other_district_commune])
    rows = CommuneSummary.objects.all()
    assert sum(r.poor for r in rows) and sum(r.movements["new_poor"] + r.movements["escaped_poor"] for r in rows)
    assert EscapeRegistration.objects.exists() and Household.objects.filter(state="archived").exists()
    for user in (users.commune_officer, users.district_staff, users.province_staff):
        assert_dashboard_equals_live(user)


def test_the_command_rebuilds_every_commune_or_one_unit(tree, make_household):
    make_household(code="C-1")
    out = io.StringIO()
    call_command("rebuild_summaries", stdout=out)
    written = CommuneSummary.objects.count()  # one row per commune and period kept
    assert f"Đã tổng hợp lại {written} dòng số liệu" in out.getvalue()
    year = timezone.localdate().year
    assert CommuneSummary.objects.of_year(year).filter(commune=tree.commune).get().households == 1
    assert CommuneSummary.objects.of_year(year).count() == 4  # every commune, empty ones with zeros
    assert stale() == set()
    CommuneSummary.objects.all().delete()
    call_command("rebuild_summaries", unit=tree.district.code)
    assert set(CommuneSummary.objects.values_list("commune_id", flat=True)) == {
        tree.commune.pk,
        tree.sibling_commune.pk,
    }
    make_household(code="C-2")
    call_command("rebuild_summaries", stale=True)
    assert stored(tree.commune.pk)["households"] == 2 and stale() == set()


def test_a_row_counted_up_to_an_earlier_day_is_refreshed_by_the_sweep(tree, make_household):
    make_household(code="D-1")
    summary.summaries_rebuild()
    CommuneSummary.objects.update(counted_to=timezone.localdate() - timedelta(days=1))
    assert tree.commune.pk in summary.communes_needing_refresh()
    summary.summaries_sweep()
    assert summary.communes_needing_refresh() == []


def test_dashboard_shows_when_the_figures_were_computed_and_communes_being_updated(
    tree, users, client_for, make_household, monkeypatch
):
    make_household(code="N-1")
    summary.summaries_rebuild()
    page = client_for(users.district_staff).get(reverse("dashboards:index"))
    computed = timezone.localtime(stored_row(tree.commune.pk).computed_at)
    assert f"Số liệu tổng hợp lúc {computed:%H:%M %d/%m/%Y}" in page.content.decode()
    assert page.context["totals"]["households"] == 1
    assert 'data-testid="summary-pending"' not in page.content.decode()

    # a few stale communes are computed live in the request: the new household is counted at once
    make_household(code="N-2")
    page = client_for(users.district_staff).get(reverse("dashboards:index"))
    assert page.context["totals"]["households"] == 2
    assert 'data-testid="summary-pending"' not in page.content.decode()

    # more stale communes, or more households in them, than the request computes live: their last rows, and the page
    # says so
    for name in ("LIVE_FALLBACK_COMMUNES", "LIVE_FALLBACK_HOUSEHOLDS"):
        with monkeypatch.context() as patch:
            patch.setattr(summary, name, 0)
            page = client_for(users.district_staff).get(reverse("dashboards:index"))
        assert page.context["totals"]["households"] == 1, name
        assert "Đang cập nhật số liệu của 1 xã" in page.content.decode(), name


def test_dashboard_queries_do_not_grow_with_communes_or_households(tree, users, client_for, make_household):
    summary.summaries_rebuild()
    client = client_for(users.province_staff)
    client.get(reverse("dashboards:index"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboards:index")).status_code == 200
        return len(queries)

    before = count()
    for n in range(6):
        commune = tree.sibling_commune if n % 2 else tree.commune
        village = VillageFactory(parent=commune)
        make_household(code=f"Q-{n}", village=village)
        CommuneFactory(parent=tree.other_district, code=f"99{n:03}")
    summary.summaries_rebuild()
    assert count() == before


def test_a_commit_queues_one_refresh_that_the_task_runs(
    tree, users, make_household, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """After the commit of a transaction that changed counted rows, one sweep task is sent (not one per row); the task,
    run eagerly here, brings the rows up to date. A rolled-back transaction sends nothing."""
    from households.tasks import summaries_sweep_task

    settings.SUMMARY_REFRESH_AFTER_COMMIT = True
    sent = []
    monkeypatch.setattr(summaries_sweep_task, "delay", lambda: sent.append(summaries_sweep_task.apply()))
    summary.summaries_rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        household = make_household(code="T-1")  # a household, its members, change entries: one task
        services.status_record_add(
            household=household,
            household_class="poor",
            valid_from=timezone.localdate(),
            decision="2/QĐ",
            user=users.commune_officer,
        )
    assert len(sent) == 1
    assert stale() == set() and stored(tree.commune.pk)["households"] == 1

    def broker_down():
        raise ConnectionError("redis down")

    monkeypatch.setattr(summaries_sweep_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        make_household(code="T-2")  # the save succeeds; beat's sweep will catch up
    assert stale() == {tree.commune.pk}


def test_beat_sweeps_the_summaries_every_few_minutes():
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["summaries-sweep"]
    assert entry["task"] == "households.tasks.summaries_sweep_task" and entry["schedule"] <= 5 * 60
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
