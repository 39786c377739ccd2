"""The movement table, the targets page and the reports' movement sections read from the communes' summary rows
(households.summary) for the periods the table holds — this year up to today, the whole of last year and the report
calendar's 6-month period — and give exactly what the live aggregates give, for every level and role, after every
kind of change."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from areas.choices import UnitLevel
from households import services, summary
from households.models import CommuneSummary, EscapeRegistration, Household, StatusRecord, UnitPopulation
from households.targets import escape_registration_add, escape_registration_withdraw, target_progress
from households.transitions import ReportPeriod, period_for_year, transition_table
from reports.content import child_rows, movement_figures, target_figures
from tests.factories import CommuneFactory, VillageFactory

from .test_summary import officers, villages  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
CLASSES = ["poor", "near_poor", "non_poor"]


def periods() -> list[ReportPeriod]:
    today = timezone.localdate()
    calendar = [stored.movements for stored in summary.calendar_periods()]
    assert calendar, "the seeded report calendar's 6-month period has begun on any day of the year"
    return [period_for_year(today.year), period_for_year(today.year - 1), *calendar]


def table_values(table) -> list:
    return [
        (row.unit.pk if row.unit else None, row.counts, row.rates, row.start_total, row.end_total)
        for row in [*table.rows, table.total]
    ]


def progress_values(progress) -> list:
    return [
        (
            row.unit.pk if row.unit else None,
            row.movement.counts,
            row.movement.rates,
            row.movement.start_total,
            row.movement.end_total,
            row.registered,
            row.achieved,
            row.last_movement.counts if row.last_movement else None,
            row.last_movement.rates if row.last_movement else None,
        )
        for row in [*progress.rows, progress.total]
    ]


def live(func):
    summary.LIVE = True
    try:
        return func()
    finally:
        summary.LIVE = False


def assert_tables_equal_live(user, scope, *, exact=False) -> None:
    for period in periods():
        assert summary.period_held(period)
        for level in [lvl for lvl in UnitLevel.values if scope is None or lvl in _levels_below(scope)]:

            def table(period=period, level=level):
                return transition_table(user, period=period, level=level, scope=scope, exact=exact)

            from_rows = table()
            assert from_rows.figures is not None, (period, level)
            assert not from_rows.figures.pending
            assert table_values(from_rows) == table_values(live(table)), (period.label, level)
    for year in (timezone.localdate().year, timezone.localdate().year - 1):

        def progress(year=year):
            return target_progress(user, scope=scope, year=year, with_last_year=True, exact=exact)

        from_rows = progress()
        assert from_rows.figures is not None
        assert progress_values(from_rows) == progress_values(live(progress)), year


def _levels_below(scope) -> list[str]:
    order = [UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE, UnitLevel.VILLAGE]
    return order[order.index(scope.level) :]


def random_households(rng, villages, officers, n):  # noqa: F811 - the fixtures' values
    """Households with histories over last year and this year (every record starts by today), some archived, some
    registered to escape this year or last year."""
    today = timezone.localdate()
    start = date(today.year - 2, 6, 1)
    made = []
    for index in range(n):
        village = rng.choice(villages)
        household = Household.objects.create(
            code=f"M-{index:04d}",
            village=village,
            commune_id=village.parent_id,
            area_type="rural",
            ethnic_minority=rng.random() < 0.6,
        )
        day = start + timedelta(days=rng.randint(0, 200))
        steps = []
        while day <= today and len(steps) < 4:
            steps.append((rng.choice(CLASSES), day, rng.random() < 0.1 and not steps))
            day += timedelta(days=rng.randint(60, 400))
        for position, (household_class, valid_from, opening) in enumerate(steps):
            valid_to = steps[position + 1][1] - timedelta(days=1) if position + 1 < len(steps) else None
            StatusRecord.objects.create(
                household=household,
                household_class=household_class,
                valid_from=valid_from,
                valid_to=valid_to,
                opening_balance=opening,
            )
        for year in (today.year - 1, today.year):
            registered_on = date(year, 1, 1)
            in_force = [s for s in steps if s[1] <= registered_on]
            if in_force and in_force[-1][0] in ("poor", "near_poor") and rng.random() < 0.5:
                EscapeRegistration.objects.create(
                    household=household,
                    year=year,
                    registered_on=registered_on,
                    class_at_registration=in_force[-1][0],
                    cadre_name="Cán bộ",
                    state="withdrawn" if rng.random() < 0.2 else "registered",
                )
        made.append(household)
    for household in rng.sample(made, n // 8):
        services.household_archive(
            household=household,
            reason="Chuyển đi",
            user=officers[household.commune_id],
            expected_version=household.version,
        )
    return made


@pytest.fixture
def populations(tree):
    """Population records for some units only, so rates use records, sums of communes and the registry."""
    today = timezone.localdate()
    for unit, households in ((tree.commune, 400), (tree.sibling_commune, 300), (tree.other_district, 500)):
        for year in (today.year - 2, today.year):
            UnitPopulation.objects.create(unit=unit, year=year, households=households, persons=households * 4)


def test_the_summary_gives_the_live_tables_on_random_data(tree, users, villages, officers, populations):  # noqa: F811
    rng = random.Random(40)
    extra = VillageFactory(parent=tree.sibling_commune, code="24076-02")
    random_households(rng, [*villages, extra], officers, 90)
    summary.summaries_rebuild()
    assert CommuneSummary.objects.of_year(timezone.localdate().year - 1).exists()
    for user in (users.province_staff, users.district_staff, users.commune_officer):
        assert_tables_equal_live(user, user.unit)
    assert_tables_equal_live(users.province_staff, tree.district)  # a drill-down below the officer's unit
    assert_tables_equal_live(users.admin, None)


def test_the_reports_sections_equal_the_live_ones(tree, users, villages, officers, populations):  # noqa: F811
    random_households(random.Random(41), villages, officers, 60)
    summary.summaries_rebuild()
    today = timezone.localdate()
    for unit in (tree.province, tree.district, tree.commune):
        for start, end in (
            (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
            (date(today.year, 1, 1), today),
            (date(today.year, 1, 1), date(today.year, 6, 30)),  # the 6-month report, from the calendar's rows
        ):
            assert movement_figures(unit, start, end) == live(lambda u=unit, s=start, e=end: movement_figures(u, s, e))
            rows = [row["movements"] for row in child_rows(unit, start, end)]
            assert rows == live(lambda u=unit, s=start, e=end: [r["movements"] for r in child_rows(u, s, e)])
            assert target_figures(unit, end.year) == live(lambda u=unit, y=end.year: target_figures(u, y))


def test_the_reports_sections_are_exact_when_many_communes_have_no_row(tree, users, villages, officers, populations):  # noqa: F811
    """More communes than the page computes live, none with a row yet (a new year before the sweep, a fresh
    database): a report's target section still counts every one of them, it never shows the note's zeros."""
    extra = [
        VillageFactory(parent=CommuneFactory(parent=tree.district, code=f"2409{index}", name=f"Xã Thêm {index}"))
        for index in range(summary.LIVE_FALLBACK_COMMUNES + 1)
    ]
    random_households(random.Random(42), villages, officers, 60)
    random_households(random.Random(43), extra, officers, 7)  # fewer than 8: none archived (no officer there)
    CommuneSummary.objects.all().delete()
    today = timezone.localdate()
    for unit in (tree.province, tree.district):
        figures = target_figures(unit, today.year)
        assert figures == live(lambda u=unit: target_figures(u, today.year))
        assert movement_figures(unit, date(today.year, 1, 1), today) == live(
            lambda u=unit: movement_figures(u, date(today.year, 1, 1), today)
        )


def test_after_each_kind_of_change_the_page_path_equals_live(tree, users, make_household, villages, officers):  # noqa: F811
    """Each service's change marks the commune; a report (``exact``) counts the marked commune live at once, the page
    does too while few communes are marked, and once the worker has refreshed the rows they equal the live tables."""
    today = timezone.localdate()
    officer = users.commune_officer
    household = make_household(code="K-1")
    services.status_record_add(
        household=household,
        household_class="poor",
        valid_from=date(today.year - 1, 12, 1),
        decision="1/QĐ",
        user=officer,
    )
    summary.summaries_rebuild()

    def check() -> None:
        for user in (users.district_staff, users.province_staff):
            assert_tables_equal_live(user, user.unit, exact=True)
            assert_tables_equal_live(user, user.unit)
        summary.summaries_sweep()
        assert_tables_equal_live(users.province_staff, users.province_staff.unit)

    each_kind_of_change(
        household, officer=officer, today=today, check=check, village=villages[1], income_per_capita=9_000_000
    )


def each_kind_of_change(household, *, officer, today, check, **fields) -> None:
    """The services' changes one after the other, ``check()`` after each: the household saved with ``fields`` (a
    move to another village), a status record, an escape registration added and withdrawn, the household archived."""
    household.refresh_from_db()
    for name, value in fields.items():
        setattr(household, name, value)
    services.household_save(
        household=household, members=list(household.members.current()), user=officer, expected_version=household.version
    )
    check()
    services.status_record_add(
        household=household, household_class="near_poor", valid_from=today, decision="2/QĐ", user=officer
    )
    check()
    registration = escape_registration_add(
        household=household, year=today.year, registered_on=today, user=officer, cadre_name="A"
    )
    check()
    escape_registration_withdraw(registration=registration, reason="Chuyển đi", user=officer)
    check()
    household.refresh_from_db()
    services.household_archive(
        household=household, reason="Chuyển đi", user=officer, expected_version=household.version
    )
    check()


def test_pages_say_which_communes_are_being_updated(tree, users, client_for, villages, officers, monkeypatch):  # noqa: F811
    random_households(random.Random(42), villages, officers, 20)
    summary.summaries_rebuild()
    client = client_for(users.district_staff)
    page = client.get(reverse("households:transitions"))
    assert page.context["table"].figures is not None
    computed = timezone.localtime(CommuneSummary.objects.filter(commune=tree.commune).first().computed_at)
    assert f"Số liệu tổng hợp lúc {computed:%H:%M %d/%m/%Y}" in page.content.decode()
    before = page.context["table"].total.counts

    household = Household.objects.filter(commune=tree.commune, state="active").first()
    services.status_record_add(
        household=household,
        household_class="poor",
        valid_from=timezone.localdate(),
        decision="9/QĐ",
        user=users.commune_officer,
    )
    # more stale communes than the request counts live: their last rows, and the pages say so in Vietnamese
    monkeypatch.setattr(summary, "LIVE_FALLBACK_COMMUNES", 0)
    for url in (reverse("households:transitions"), reverse("households:targets")):
        page = client.get(url)
        assert page.status_code == 200
        assert "Đang cập nhật số liệu của 1 xã; các xã này đang hiển thị số liệu của lần tổng hợp trước." in (
            page.content.decode()
        ), url
    assert client.get(reverse("households:transitions")).context["table"].total.counts == before
    # a report's snapshot is never taken from a stale row
    assert movement_figures(tree.district, date(timezone.localdate().year, 1, 1), timezone.localdate()) == live(
        lambda: movement_figures(tree.district, date(timezone.localdate().year, 1, 1), timezone.localdate())
    )
    monkeypatch.setattr(summary, "LIVE_FALLBACK_COMMUNES", 3)
    page = client.get(reverse("households:transitions"))
    assert 'data-testid="summary-pending"' not in page.content.decode()
    table = page.context["table"]
    assert table_values(table) == table_values(
        live(
            lambda: transition_table(users.district_staff, period=table.period, level=table.level, scope=tree.district)
        )
    )


def test_a_period_the_summary_does_not_hold_goes_to_the_background_above_a_size(tree, users, client_for, monkeypatch):
    from households import views_targets

    summary.summaries_rebuild()
    client = client_for(users.province_staff)
    earlier = {"nam": timezone.localdate().year - 2}
    page = client.get(reverse("households:transitions"), earlier)
    assert page.context["table"] is not None and page.context["table"].figures is None  # small: counted live
    monkeypatch.setattr(views_targets, "LIVE_PAGE_HOUSEHOLDS", -1)
    page = client.get(reverse("households:transitions"), earlier)
    text = page.content.decode()
    assert page.status_code == 200 and page.context["table"] is None
    assert "Số liệu của khoảng thời gian này chưa được tổng hợp sẵn" in text
    assert 'data-testid="export-transitions"' in text
    # this year and last year are read from the rows whatever the size
    page = client.get(reverse("households:transitions"))
    assert page.context["table"] is not None and page.context["table"].figures is not None
    # a commune officer's own commune is always counted on the page
    page = client_for(users.commune_officer).get(reverse("households:transitions"), earlier)
    assert page.context["table"] is not None


@pytest.mark.parametrize("url_name", ["households:transitions", "households:targets"])
def test_page_queries_do_not_grow_with_communes_or_households(tree, users, client_for, make_household, url_name):
    summary.summaries_rebuild()
    client = client_for(users.province_staff)
    client.get(reverse(url_name))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name)).status_code == 200
        return len(queries)

    before = count()
    for n in range(5):
        commune = tree.sibling_commune if n % 2 else tree.commune
        make_household(code=f"Q-{n}", village=VillageFactory(parent=commune))
        CommuneFactory(parent=tree.other_district, code=f"98{n:03}")
    summary.summaries_rebuild()
    assert count() == before
