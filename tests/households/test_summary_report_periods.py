"""The commune summary keeps rows for the report calendar's 6-month period (01/01–30/06) as well as for the two years,
from the day the period begins to the end of its year: the rows equal the live aggregate after every kind of change,
a 6-month report's movement sections read them and give what the live count gives, the dashboard and the pages of
"this year" are unchanged, and the periods kept follow the clock across 30/06 and 01/01 (docs/adr/0041, amendment)."""

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households import services, summary
from households.models import CommuneSummary, Household, SummaryStale
from households.transitions import ReportPeriod, transition_table
from reports.content import child_rows, movement_figures, target_figures
from reports.models import ReportDeadline
from tests.factories import CommuneFactory, VillageFactory

from .test_summary import FIELDS, assert_dashboard_equals_live, officers, villages  # noqa: F401 - fixtures
from .test_summary_movements import assert_tables_equal_live, each_kind_of_change, live, populations, random_households  # noqa: F401

pytestmark = pytest.mark.django_db
YEAR = 2026
HALF = ReportPeriod(date(YEAR, 1, 1), date(YEAR, 6, 30))


def on(day: date):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False
    )


def kept(today: date) -> list[tuple[date, date, date]]:
    return [(p.start, p.end, p.counted_to) for p in summary.summary_periods(today)]


def half_rows() -> dict[int, dict]:
    rows = CommuneSummary.objects.filter(period_start=HALF.start, period_end=HALF.end)
    return {row.commune_id: {name: getattr(row, name) for name in FIELDS} for row in rows}


def half_live(commune_ids) -> dict[int, dict]:
    stored = summary.StoredPeriod(HALF.start, HALF.end, HALF.end)
    rows = summary.summary_compute(sorted(commune_ids), stored=stored)
    return {pk: {name: getattr(row, name) for name in FIELDS} for pk, row in rows.items()}


def assert_half_rows_equal_live() -> None:
    stored = half_rows()
    assert stored and stored == half_live(stored)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # 01/01: a new year; last year's 6-month period is no longer kept, this year's has begun
        (
            date(YEAR, 1, 1),
            [
                (date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR, 1, 1)),
                (date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31), date(YEAR - 1, 12, 31)),
                (HALF.start, HALF.end, HALF.end),
            ],
        ),
        # the draft is prepared in May, before the period ends: its row is counted to 30/06 already
        (
            date(YEAR, 5, 15),
            [
                (date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR, 5, 15)),
                (date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31), date(YEAR - 1, 12, 31)),
                (HALF.start, HALF.end, HALF.end),
            ],
        ),
        (
            date(YEAR, 6, 30),
            [
                (date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR, 6, 30)),
                (date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31), date(YEAR - 1, 12, 31)),
                (HALF.start, HALF.end, HALF.end),
            ],
        ),
        (
            date(YEAR, 7, 1),
            [
                (date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR, 7, 1)),
                (date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31), date(YEAR - 1, 12, 31)),
                (HALF.start, HALF.end, HALF.end),
            ],
        ),
        (
            date(YEAR, 12, 31),
            [
                (date(YEAR, 1, 1), date(YEAR, 12, 31), date(YEAR, 12, 31)),
                (date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31), date(YEAR - 1, 12, 31)),
                (HALF.start, HALF.end, HALF.end),
            ],
        ),
    ],
)
def test_the_periods_kept_on_each_side_of_30_june_and_on_1_january(today, expected):
    assert kept(today) == expected


def test_the_calendar_decides_the_periods_kept():
    """A second half-year added to the calendar is kept from 01/07; a period that is a whole year is the year's row,
    and an inactive deadline adds nothing."""
    ReportDeadline.objects.create(
        kind="six_month",
        name="Báo cáo 6 tháng cuối năm",
        period_start_month=7,
        period_end_month=12,
        due_month=12,
        due_day=20,
        prepare_month=12,
        prepare_day=5,
        legal_basis="Thử nghiệm",
        is_active=True,
    )
    second = (date(YEAR, 7, 1), date(YEAR, 12, 31), date(YEAR, 12, 31))
    assert second not in kept(date(YEAR, 6, 30))
    assert second in kept(date(YEAR, 7, 1))
    assert len(kept(date(YEAR, 7, 1))) == 4
    ReportDeadline.objects.filter(kind="six_month").update(is_active=False)
    assert len(kept(date(YEAR, 7, 1))) == 2


@pytest.mark.parametrize("today", [date(YEAR, 5, 15), date(YEAR, 7, 15)])
def test_the_six_month_rows_equal_the_live_aggregate_after_each_kind_of_change(
    today,
    tree,
    users,
    make_household,
    villages,  # noqa: F811
    officers,  # noqa: F811
    populations,  # noqa: F811
):
    """Before 30/06 (the draft in May) and after it (the finalised report): every kind of change marks the commune,
    a report (``exact``) counts it live at once, and after the sweep every stored 6-month row equals a fresh live
    computation of its commune."""
    with on(today):
        officer = users.commune_officer
        random_households(random.Random(60), villages, officers, 40)
        household = make_household(code="H-1")
        summary.summaries_rebuild()
        assert_half_rows_equal_live()

        def check() -> None:
            assert SummaryStale.objects.filter(commune=tree.commune).exists()
            for unit in (tree.district, tree.province):
                assert movement_figures(unit, HALF.start, HALF.end) == live(
                    lambda u=unit: movement_figures(u, HALF.start, HALF.end)
                )
            summary.summaries_sweep()
            assert not SummaryStale.objects.exists()
            assert_half_rows_equal_live()
            assert_tables_equal_live(users.province_staff, tree.province)

        services.status_record_add(
            household=household, household_class="poor", valid_from=date(YEAR, 1, 10), decision="1/QĐ", user=officer
        )
        check()
        each_kind_of_change(household, officer=officer, today=today, check=check, village=villages[1])


@pytest.mark.parametrize("today", [date(YEAR, 5, 15), date(YEAR, 6, 30), date(YEAR, 7, 15), date(YEAR + 1, 1, 1)])
def test_a_six_month_report_read_from_the_rows_equals_the_live_count(
    today,
    tree,
    users,
    villages,  # noqa: F811
    officers,  # noqa: F811
    populations,  # noqa: F811
):
    with on(today):
        random_households(random.Random(61), villages, officers, 60)
        summary.summaries_rebuild()
        half = next(p.movements for p in summary.calendar_periods() if p.start.year == today.year)
        for unit in (tree.province, tree.district, tree.commune):
            table = transition_table(
                users.admin, period=half, level=unit.level, scope=unit, exact=True
            )  # the report's path reads the rows
            assert table.figures is not None and not table.figures.pending
            assert movement_figures(unit, half.start, half.end) == live(
                lambda u=unit: movement_figures(u, half.start, half.end)
            )
            rows = [row["movements"] for row in child_rows(unit, half.start, half.end)]
            assert rows == live(lambda u=unit: [r["movements"] for r in child_rows(u, half.start, half.end)])
            assert target_figures(unit, half.end.year) == live(lambda u=unit: target_figures(u, half.end.year))
        # the dashboard and the pages of this year read this year's rows, as before
        for user in (users.commune_officer, users.district_staff, users.province_staff):
            assert_dashboard_equals_live(user)
            figures = summary.dashboard_figures_for(user)
            assert figures.rows and all(row.period_end == date(today.year, 12, 31) for row in figures.rows.values())


def test_a_report_counts_communes_without_a_six_month_row_live(tree, users, villages, officers, populations):  # noqa: F811
    """More communes than the page computes live, none with a 6-month row (the sweep has not run since 01/01): the
    report's sections still count every one of them."""
    extra = [
        VillageFactory(parent=CommuneFactory(parent=tree.district, code=f"2409{index}", name=f"Xã Thêm {index}"))
        for index in range(summary.LIVE_FALLBACK_COMMUNES + 1)
    ]
    with on(date(YEAR, 7, 15)):
        random_households(random.Random(62), villages, officers, 40)
        random_households(random.Random(63), extra, officers, 7)
        summary.summaries_rebuild()
        CommuneSummary.objects.filter(period_end=HALF.end).exclude(commune=tree.commune).delete()
        for unit in (tree.province, tree.district):
            assert movement_figures(unit, HALF.start, HALF.end) == live(
                lambda u=unit: movement_figures(u, HALF.start, HALF.end)
            )


def test_the_sweep_keeps_the_new_periods_and_drops_the_old_ones(tree, make_household):
    with on(date(YEAR, 7, 1)):
        make_household(code="S-1")
        summary.summaries_rebuild()
        assert CommuneSummary.objects.filter(commune=tree.commune).count() == 3
        assert summary.communes_needing_refresh() == []
    with on(date(YEAR + 1, 1, 1)):
        assert tree.commune.pk in summary.communes_needing_refresh()
        summary.summaries_sweep()
        assert summary.communes_needing_refresh() == []
        periods = set(CommuneSummary.objects.filter(commune=tree.commune).values_list("period_start", "period_end"))
        assert periods == {
            (date(YEAR + 1, 1, 1), date(YEAR + 1, 12, 31)),
            (date(YEAR, 1, 1), date(YEAR, 12, 31)),
            (date(YEAR + 1, 1, 1), date(YEAR + 1, 6, 30)),
        }


def test_the_movement_page_reads_the_rows_for_the_six_month_period(
    tree, users, client_for, make_household, monkeypatch
):
    from households import views_targets

    with on(date(YEAR, 8, 1)):
        make_household(code="P-1")
        summary.summaries_rebuild()
        client = client_for(users.province_staff)
        half = {"tu_ngay": "2026-01-01", "den_ngay": "2026-06-30"}
        monkeypatch.setattr(views_targets, "LIVE_PAGE_HOUSEHOLDS", -1)  # a period not held would go to the background
        page = client.get(reverse("households:transitions"), half)
        assert page.status_code == 200
        table = page.context["table"]
        assert table is not None and table.figures is not None and table.period == HALF

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("households:transitions"), half).status_code == 200
            return len(queries)

        before = count()
        for n in range(4):
            make_household(code=f"P-{n + 2}", village=VillageFactory(parent=tree.sibling_commune))
            CommuneFactory(parent=tree.other_district, code=f"97{n:03}")
        summary.summaries_rebuild()
        assert count() == before
        assert Household.objects.count() == 5
