"""The year-end report of a year not yet finished (drafted from 15/11, its period 01/01–31/12) reads this year's
summary rows, counted to today, for every commune without a status record dated after today, and counts the others
live for the whole year: its movement section and appendix rows equal the live count key for key, after every kind
of change, on 15/11, 04/12, 31/12 and the next 01/01, and a record dated after today is counted to 31/12, not to
today (docs/adr/0041, second amendment)."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from households import services, summary, transitions
from households.models import StatusRecord
from households.transitions import ReportPeriod, transition_table
from reports.content import child_rows, movement_figures

from .test_summary import officers, villages  # noqa: F401 - fixtures
from .test_summary_movements import each_kind_of_change, live, populations, random_households  # noqa: F401

pytestmark = pytest.mark.django_db
YEAR = 2026
WHOLE = ReportPeriod(date(YEAR, 1, 1), date(YEAR, 12, 31))
DAYS = [date(YEAR, 11, 15), date(YEAR, 12, 4), date(YEAR, 12, 31), date(YEAR + 1, 1, 1)]


def on(day: date):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False
    )


def year_end(unit) -> tuple[dict, list]:
    """The year-end report's movement section and its appendix rows' movements, as the report's job computes them."""
    section = movement_figures(unit, WHOLE.start, WHOLE.end)
    rows = [(row["id"], row["movements"]) for row in child_rows(unit, WHOLE.start, WHOLE.end)]
    return section, rows


def assert_year_end_equals_live(*units) -> None:
    for unit in units:
        assert year_end(unit) == live(lambda u=unit: year_end(u)), unit


def counted_live(monkeypatch) -> list[list[int]]:
    """Record the communes ``summary_compute`` counts live (each call's ids) and forbid the live statement over a
    whole unit (``transitions._aggregate``, the path of a period the rows do not answer)."""
    calls = []
    compute = summary.summary_compute

    def spy(commune_ids, **kwargs):
        calls.append(sorted(commune_ids))
        return compute(commune_ids, **kwargs)

    def forbidden(*args, **kwargs):
        raise AssertionError("the year-end report counted a whole unit live")

    monkeypatch.setattr(summary, "summary_compute", spy)
    monkeypatch.setattr(transitions, "_aggregate", forbidden)
    return calls


@pytest.mark.parametrize("today", DAYS)
def test_the_year_end_report_reads_the_rows_and_equals_the_live_count(
    today,
    tree,
    users,
    villages,  # noqa: F811
    officers,  # noqa: F811
    populations,  # noqa: F811
    monkeypatch,
):
    with on(today):
        random_households(random.Random(70), villages, officers, 60)
        summary.summaries_rebuild()
        assert not summary.communes_with_records_after(
            [tree.commune.pk, tree.sibling_commune.pk, tree.other_district_commune.pk], today, WHOLE.end
        )
        expected = {unit.pk: live(lambda u=unit: year_end(u)) for unit in (tree.province, tree.district, tree.commune)}
        calls = counted_live(monkeypatch)
        for unit in (tree.province, tree.district, tree.commune):
            table = transition_table(users.admin, period=WHOLE, level=unit.level, scope=unit, exact=True)
            assert table.figures is not None and not table.figures.pending
            assert year_end(unit) == expected[unit.pk]
        assert calls == [], "every commune read from its stored row"


def poor_since_last_year(make_household, officer, code: str):
    """A household recognised poor on 01/03 of last year, still poor (its record open)."""
    household = make_household(code=code)
    services.status_record_add(
        household=household, household_class="poor", valid_from=date(YEAR - 1, 3, 1), decision="1/QĐ", user=officer
    )
    return household


@pytest.mark.parametrize("today", DAYS[:3])
def test_the_year_end_report_equals_the_live_count_after_each_kind_of_change(
    today,
    tree,
    users,
    make_household,
    villages,  # noqa: F811
    officers,  # noqa: F811
    populations,  # noqa: F811
):
    """Each change marks the commune: the report (``exact``) counts it live at once, then reads the refreshed row;
    a status record dated after today (possible until 31/12) is one more kind of change."""
    with on(today):
        officer = users.commune_officer
        random_households(random.Random(71), villages, officers, 40)
        household = make_household(code="Y-1")
        summary.summaries_rebuild()
        assert_year_end_equals_live(tree.province, tree.district, tree.commune)

        def check() -> None:
            assert_year_end_equals_live(tree.province, tree.district)
            summary.summaries_sweep()
            assert_year_end_equals_live(tree.province, tree.district, tree.commune)

        services.status_record_add(
            household=household, household_class="poor", valid_from=date(YEAR, 1, 10), decision="1/QĐ", user=officer
        )
        check()
        if today < WHOLE.end:
            services.status_record_add(
                household=household,
                household_class="non_poor",
                valid_from=today + timedelta(days=1),
                decision="3/QĐ",
                user=officer,
            )
            check()
            StatusRecord.objects.filter(household=household, valid_from__gt=today).delete()
            StatusRecord.objects.filter(household=household, valid_to=today).update(valid_to=None)
            check()
        each_kind_of_change(household, officer=officer, today=today, check=check, village=villages[1])


@pytest.mark.parametrize("today", DAYS[:2])
def test_a_record_dated_after_today_is_counted_to_31_december(
    today,
    tree,
    users,
    make_household,
    villages,  # noqa: F811
    officers,  # noqa: F811
    populations,  # noqa: F811
    monkeypatch,
):
    """A poor household whose near-poor decision takes effect on 15/12 has escaped poverty in the year, though this
    year's row (counted to today) still has it poor: its commune is counted live for the whole year, the other
    communes are read from their rows, and the report gives the live count. Likewise a record that ends before
    31/12 without a successor (written outside the services)."""
    with on(today):
        officer = users.commune_officer
        random_households(random.Random(72), villages, officers, 40)
        household = poor_since_last_year(make_household, officer, "Y-2")
        summary.summaries_rebuild()
        before = year_end(tree.district)
        services.status_record_add(
            household=household,
            household_class="near_poor",
            valid_from=date(YEAR, 12, 15),
            decision="5/QĐ",
            user=officer,
        )
        summary.summaries_sweep()
        rows = summary.summary_figures_for(users.admin, tree.district)  # this year's rows, counted to today
        escaped_to_today = sum(group["escaped_poor"] for group in rows.grouped(tree.district.level))
        assert escaped_to_today == before[0]["counts"]["escaped_poor"], "read as it is, the row would miss it"

        assert summary.communes_with_records_after([tree.commune.pk, tree.sibling_commune.pk], today, WHOLE.end) == {
            tree.commune.pk
        }
        calls = counted_live(monkeypatch)
        after = year_end(tree.district)
        assert calls and all(ids == [tree.commune.pk] for ids in calls), "only the commune with the record, live"
        monkeypatch.undo()
        assert after == live(lambda: year_end(tree.district))
        assert after[0]["counts"]["escaped_poor"] == before[0]["counts"]["escaped_poor"] + 1
        assert after[0]["counts"]["poor_to_near"] == before[0]["counts"]["poor_to_near"] + 1
        assert_year_end_equals_live(tree.province, tree.commune)

        # an open record closed on 20/12 by hand, nothing after it: no class on 31/12
        StatusRecord.objects.filter(household=household, valid_from__gt=today).delete()
        StatusRecord.objects.filter(household=household, valid_from=date(YEAR - 1, 3, 1)).update(
            valid_to=date(YEAR, 12, 20)
        )
        summary.summaries_sweep()
        assert summary.communes_with_records_after([tree.commune.pk], today, WHOLE.end) == {tree.commune.pk}
        assert_year_end_equals_live(tree.province, tree.district, tree.commune)
        assert year_end(tree.district)[0]["counts"]["escaped_poor"] == before[0]["counts"]["escaped_poor"] + 1

    # the next 01/01: the whole of last year, read from last year's rows, still counts the 20/12 end
    with on(date(YEAR + 1, 1, 1)):
        summary.summaries_sweep()
        assert_year_end_equals_live(tree.province, tree.district, tree.commune)
        assert year_end(tree.district)[0]["counts"]["escaped_poor"] == before[0]["counts"]["escaped_poor"] + 1


def test_every_commune_with_a_record_after_today_is_one_live_statement(
    tree,
    users,
    make_household,
    villages,  # noqa: F811
    officers,  # noqa: F811
    populations,  # noqa: F811
):
    """When no stored row would be read, the figures are counted live in one statement over the unit, not commune by
    commune."""
    with on(date(YEAR, 12, 4)):
        officer = users.commune_officer
        household = poor_since_last_year(make_household, officer, "Y-3")
        summary.summaries_rebuild()
        services.status_record_add(
            household=household,
            household_class="near_poor",
            valid_from=date(YEAR, 12, 10),
            decision="2/QĐ",
            user=officer,
        )
        summary.summaries_sweep()
        assert summary.summary_figures_for_period(users.admin, tree.commune, WHOLE, exact=True) is None
        assert summary.summary_figures_for_period(users.admin, tree.district, WHOLE, exact=True) is not None
        assert_year_end_equals_live(tree.commune, tree.district)


def test_a_report_reads_the_rows_once_for_its_section_and_appendix(
    tree,
    users,
    make_household,
    villages,  # noqa: F811
    officers,  # noqa: F811
    populations,  # noqa: F811
    monkeypatch,
):
    """The year-end report's figures: the commune with a record dated after today is counted live once for the
    movement section and the appendix rows together, and both equal the live count."""
    from reports.content import compute_figures
    from reports.models import ReportKind

    def figures() -> dict:
        return compute_figures(
            unit=tree.district, kind=ReportKind.YEAR_END, period_start=WHOLE.start, period_end=WHOLE.end
        )

    with on(date(YEAR, 11, 15)):
        officer = users.commune_officer
        random_households(random.Random(73), villages, officers, 30)
        household = poor_since_last_year(make_household, officer, "Y-4")
        services.status_record_add(
            household=household,
            household_class="near_poor",
            valid_from=date(YEAR, 12, 1),
            decision="2/QĐ",
            user=officer,
        )
        summary.summaries_rebuild()
        calls = []
        compute = summary.summary_compute

        def spy(commune_ids, **kwargs):
            calls.append((sorted(commune_ids), kwargs.get("stored")))
            return compute(commune_ids, **kwargs)

        monkeypatch.setattr(summary, "summary_compute", spy)
        from_rows = figures()
        monkeypatch.undo()
        whole = summary.StoredPeriod(WHOLE.start, WHOLE.end, WHOLE.end)
        assert [ids for ids, stored in calls if stored == whole] == [[tree.commune.pk]]
        counted = live(figures)
        assert from_rows["movements"] == counted["movements"]
        assert [row["movements"] for row in from_rows["children"]] == [row["movements"] for row in counted["children"]]
