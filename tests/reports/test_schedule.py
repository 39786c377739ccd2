"""Reporting units by date, the reporting calendar (its seeded rows, the daily beat task), and the dashboard's
selectors of upcoming deadlines and new drafts."""

from datetime import date

import pytest
from django.conf import settings

from reports import services
from reports.models import PeriodicReport, ReportDeadline, ReportKind, ReportStatus
from reports.schedule import deadline_in_year, open_deadlines, report_deadlines_prepare
from reports.selectors import new_drafts, upcoming_deadlines
from reports.units import reporting_unit_for, reporting_units

from ..factories import CommuneFactory, DistrictFactory, ProvinceFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR = 2027  # any year: the calendar repeats; dates below are built from it, never from today


@pytest.fixture
def no_jobs(monkeypatch):
    """The schedule's drafts without their generation (tested in test_workflow.py)."""
    monkeypatch.setattr(services, "_generation_queue", lambda report, *, user, refresh: None)


# --- reporting units -------------------------------------------------------------------------------------------
def test_a_district_in_force_reports_for_its_communes_before_and_after_1_7_2025(tree):
    # A province whose data keeps its districts (the demo's three-tier Gia Lai) goes on reporting by district.
    for day in (date(2021, 6, 30), date(2025, 6, 30), date(2026, 12, 31)):
        assert reporting_unit_for(tree.commune, day) == tree.district
        assert reporting_unit_for(tree.village, day) == tree.district
        assert reporting_unit_for(tree.district, day) == tree.district
    assert reporting_unit_for(tree.province, date(2026, 6, 30)) == tree.province
    assert reporting_units(tree.province, date(2026, 6, 30)) == [tree.district, tree.other_district]
    assert reporting_units(tree.district, date(2026, 6, 30)) == [tree.district]
    assert reporting_units(tree.commune, date(2026, 6, 30)) == []


def test_after_the_districts_ended_the_commune_reports_to_the_province():
    # Two-tier local government from 01/07/2025 (Luật Tổ chức chính quyền địa phương 16/06/2025, domain.md §4).
    province = ProvinceFactory(code="91")
    old_district = DistrictFactory(code="900", parent=province, valid_to=date(2025, 6, 30))
    old_commune = CommuneFactory(code="90001", parent=old_district, valid_to=date(2025, 6, 30))
    new_commune = CommuneFactory(code="90101", parent=province, valid_from=date(2025, 7, 1))
    assert reporting_unit_for(old_commune, date(2025, 6, 30)) == old_district
    assert reporting_units(province, date(2025, 6, 30)) == [old_district]
    assert reporting_unit_for(new_commune, date(2025, 12, 31)) == new_commune
    assert reporting_unit_for(old_district, date(2025, 12, 31)) is None
    assert reporting_units(province, date(2025, 12, 31)) == [new_commune]
    assert reporting_units(new_commune, date(2026, 6, 30)) == [new_commune]


# --- the calendar ----------------------------------------------------------------------------------------------
def test_the_deadlines_of_tt_10_2022_are_seeded():
    # TT 10/2022/TT-BLĐTBXH, Điều 5 [P]: 6-month report before 1 June, annual report before 1 December.
    rows = {row.kind: row for row in ReportDeadline.objects.filter(is_active=True)}
    six, year = rows[ReportKind.SIX_MONTH], rows[ReportKind.YEAR_END]
    assert (six.due_day, six.due_month, six.prepare_day, six.prepare_month) == (1, 6, 15, 5)
    assert (year.due_day, year.due_month, year.prepare_day, year.prepare_month) == (1, 12, 15, 11)
    assert "10/2022/TT-BLĐTBXH" in six.legal_basis
    occurrence = deadline_in_year(six, YEAR)
    assert (occurrence.period_start, occurrence.period_end) == (date(YEAR, 1, 1), date(YEAR, 6, 30))
    assert (occurrence.prepare_on, occurrence.due_on) == (date(YEAR, 5, 15), date(YEAR, 6, 1))


@pytest.mark.parametrize(
    "day,kinds",
    [
        (date(YEAR, 5, 14), set()),
        (date(YEAR, 5, 15), {ReportKind.SIX_MONTH}),
        (date(YEAR, 5, 31), {ReportKind.SIX_MONTH}),
        (date(YEAR, 6, 1), set()),  # due: too late to prepare a draft automatically
        (date(YEAR, 11, 20), {ReportKind.YEAR_END}),
    ],
)
def test_open_deadlines(day, kinds):
    assert {occurrence.kind for occurrence in open_deadlines(day)} == kinds


def test_a_deadline_edited_in_the_admin_moves_the_window():
    ReportDeadline.objects.filter(kind=ReportKind.SIX_MONTH).update(prepare_day=1, prepare_month=5)
    assert {o.kind for o in open_deadlines(date(YEAR, 5, 2))} == {ReportKind.SIX_MONTH}
    ReportDeadline.objects.filter(kind=ReportKind.SIX_MONTH).update(is_active=False)
    assert open_deadlines(date(YEAR, 5, 20)) == []


def test_the_daily_task_prepares_each_missing_draft_once(tree, users, no_jobs):
    assert report_deadlines_prepare(date(YEAR, 5, 10)) == 0  # before the preparation day
    assert report_deadlines_prepare(date(YEAR, 5, 16)) == 3  # Krông Pa, Ia Pa and the Kon Tum district
    drafts = PeriodicReport.objects.filter(kind=ReportKind.SIX_MONTH, status=ReportStatus.DRAFT)
    assert {r.unit for r in drafts} == {tree.district, tree.other_district, tree.other_province_commune.parent}
    assert {(r.period_start, r.period_end) for r in drafts} == {(date(YEAR, 1, 1), date(YEAR, 6, 30))}
    assert all(r.created_by is None for r in drafts)
    assert report_deadlines_prepare(date(YEAR, 5, 17)) == 0  # idempotent
    assert drafts.count() == 3


def test_the_daily_task_is_on_the_beat_schedule():
    from config.celery import app

    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"].startswith("reports.")]
    assert [entry["task"] for entry in entries] == ["reports.tasks.report_deadlines_prepare_task"]
    schedule = entries[0]["schedule"]
    assert schedule.hour == {1} and schedule.minute == {30}  # once a day
    app.loader.import_default_modules()
    assert "reports.tasks.report_deadlines_prepare_task" in app.tasks


# --- the dashboard's selectors ---------------------------------------------------------------------------------
def test_upcoming_deadlines_for_the_district_and_the_province(tree, users, no_jobs):
    day = date(YEAR, 5, 10)
    [item] = upcoming_deadlines(users.district_staff, day)
    assert item.unit == tree.district and item.kind == ReportKind.SIX_MONTH
    assert item.due_on == date(YEAR, 6, 1) and item.days_left == 22 and item.report is None and not item.done
    assert [i.unit for i in upcoming_deadlines(users.province_staff, day)] == [tree.province]
    assert upcoming_deadlines(users.commune_officer, day) == []  # the district reports for the commune
    assert upcoming_deadlines(users.district_staff, date(YEAR, 3, 1)) == []  # more than 45 days ahead

    report_deadlines_prepare(date(YEAR, 5, 16))
    [item] = upcoming_deadlines(users.district_staff, date(YEAR, 5, 16))
    assert item.report is not None and item.report.status == ReportStatus.DRAFT


def test_new_drafts_are_those_in_the_users_scope(tree, users, no_jobs):
    report_deadlines_prepare(date(YEAR, 5, 16))
    assert {r.unit for r in new_drafts(users.district_staff)} == {tree.district}
    assert {r.unit for r in new_drafts(users.province_staff)} == {tree.district, tree.other_district}
    assert not new_drafts(users.commune_officer).exists()
    assert not new_drafts(UserFactory(role="province_staff", unit=ProvinceFactory(code="01"))).exists()
