"""The support figures' summary table (programs.summary): every kind of change marks its communes stale in the same
transaction; once the marked communes are recomputed, the figures read from the rows are exactly the live pass's
for a province, a district and a commune on random data; the refresh clears only the marks it read; the figures
page reads the rows with a number of queries that does not grow with the communes or households, and says that the
figures are being prepared when computing them would be too long for the request."""

import random
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.models import JobRun
from core.pgcopy import copy_objects
from households import excel
from households import services as household_services
from households.models import Household, Member, StatusRecord
from programs import summary
from programs.figures import Grouping, Period, child_rollup, empty_parts, grouped_figures, grouped_parts
from programs.jobs import PREPARE_JOB
from programs.models import Benefit, Programme, SupportStale, SupportSummary
from programs.services import benefit_cancel
from tests.factories import CommuneFactory, VillageFactory
from tests.households.test_excel import xlsx
from tests.households.test_excel_bulk import households as sheet_households

from .test_figures import PERIOD, make_benefit, world  # noqa: F401 - the fixture is used below
from .test_figures_grouped import add_households, children_of, spread  # noqa: F401 - the fixture too

pytestmark = pytest.mark.django_db
PERIODS = [PERIOD, Period.year(2026), Period(date(2025, 12, 1), date(2026, 12, 31))]


def stale() -> set[int]:
    return set(SupportStale.objects.values_list("commune_id", flat=True))


def communes() -> list[int]:
    return list(AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).values_list("pk", flat=True))


def live(**kwargs) -> dict:
    summary.LIVE = True
    try:
        return grouped_figures(**kwargs)
    finally:
        summary.LIVE = False


def no_live_pass(monkeypatch):
    """Fail if a reader computes a commune live instead of reading its row."""

    def refuse(ids, period, programmes=None):
        if ids:
            raise AssertionError(f"communes computed live: {ids}")
        return {}

    monkeypatch.setattr(summary, "support_compute", refuse)


def assert_rows_equal_live(tree, monkeypatch) -> None:
    """Refresh the marked communes, then compare the figures read from the rows only with the live pass."""
    summary.support_sweep()
    assert stale() == set()
    scopes = [
        (tree.province, children_of(tree.province)),
        (tree.district, children_of(tree.district)),
        (tree.commune, [tree.commune]),
    ]
    expected = {
        (unit.pk, period): live(unit=unit, children=children, period=period)
        for unit, children in scopes
        for period in PERIODS
    }
    with monkeypatch.context() as patch:
        no_live_pass(patch)
        for unit, children in scopes:
            for period in PERIODS:
                assert grouped_figures(unit=unit, children=children, period=period) == expected[(unit.pk, period)], (
                    unit.name,
                    period,
                )


def test_a_group_without_rows_has_the_empty_parts(spread, tree):  # noqa: F811
    assert grouped_parts(Grouping.of_communes([spread.pk]), PERIOD)[spread.pk] == empty_parts()


def test_rows_equal_the_live_figures_after_every_kind_of_change(
    spread,  # noqa: F811
    tree,
    users,
    make_household,
    monkeypatch,
):
    rng = random.Random(11)
    summary.support_refresh(communes(), PERIODS)
    assert_rows_equal_live(tree, monkeypatch)
    programmes = {p.code: p for p in Programme.objects.all()}
    other_village = VillageFactory(parent=tree.sibling_commune)

    # a household added, with benefits
    add_households(make_household, tree.village, rng, 2, "NEW")
    assert stale() == {tree.commune.pk}
    assert_rows_equal_live(tree, monkeypatch)

    # a household moved to another commune: both are marked
    household = Household.objects.filter(commune=tree.commune).order_by("pk").first()
    household.village = other_village
    household.commune = tree.sibling_commune
    household.save(update_fields=["village", "commune"])
    assert stale() == {tree.commune.pk, tree.sibling_commune.pk}
    assert_rows_equal_live(tree, monkeypatch)

    # a household archived
    household = Household.objects.filter(commune=tree.commune, state="active").order_by("pk").last()
    household_services.household_archive(
        household=household, reason="Chuyển đi", user=users.commune_officer, expected_version=household.version
    )
    assert tree.commune.pk in stale()
    assert_rows_equal_live(tree, monkeypatch)

    # a member added, a member leaving; an edit that changes nothing counted marks nothing
    household = Household.objects.filter(commune=tree.sibling_commune, state="active").order_by("pk").first()
    first = household.members.order_by("pk").first()
    newborn = Member.objects.get(pk=first.pk)
    newborn.pk, newborn.full_name, newborn.relationship, newborn.personal_id = None, "Ksor H'Linh", "child", ""
    newborn.date_of_birth = date(2019, 5, 1)
    newborn.save()
    assert stale() == {tree.sibling_commune.pk}
    assert_rows_equal_live(tree, monkeypatch)
    Member.objects.filter(pk=first.pk).update(full_name="Ksor Tên Khác")
    assert stale() == set()
    Member.objects.filter(pk=household.members.order_by("pk").last().pk).update(left_at=date(2026, 3, 1))
    assert stale() == {tree.sibling_commune.pk}
    assert_rows_equal_live(tree, monkeypatch)

    # a status record
    household = Household.objects.filter(commune=tree.commune, state="active").order_by("pk").first()
    StatusRecord.objects.filter(household=household, valid_to__isnull=True).update(valid_to=date(2026, 2, 28))
    StatusRecord.objects.create(
        household=household, household_class="near_poor", valid_from=date(2026, 3, 1), decision="QĐ 01/03/2026"
    )
    assert stale() == {tree.commune.pk}
    assert_rows_equal_live(tree, monkeypatch)

    # a benefit added, edited, cancelled
    member = household.members.order_by("pk").first()
    make_benefit(programmes["VBSP_POOR"], household, member, date(2026, 4, 2), "poor", rng)
    assert stale() == {tree.commune.pk}
    assert_rows_equal_live(tree, monkeypatch)
    benefit = Benefit.objects.active().filter(household__commune=tree.sibling_commune).order_by("pk").first()
    Benefit.objects.filter(pk=benefit.pk).update(amount=(benefit.amount or 0) + 1_000_000, decision="QĐ mới")
    assert stale() == {tree.sibling_commune.pk}
    assert_rows_equal_live(tree, monkeypatch)
    benefit.refresh_from_db()
    benefit_cancel(benefit=benefit, reason="Ghi nhầm", user=users.admin, expected_version=benefit.version)
    assert stale() == {tree.sibling_commune.pk}
    assert_rows_equal_live(tree, monkeypatch)

    # a COPY of benefits (the bulk loaders' path)
    households = list(Household.objects.filter(commune=tree.other_district_commune).order_by("pk")[:3])
    copied = [
        Benefit(
            programme=programmes["RICE_TET"],
            household=h,
            date=date(2026, 1, 20 + index),
            household_status="poor",
            quantity=45,
            persons=3,
            item_description="Gạo cứu đói Tết",
            funder="Ngân sách tỉnh",
            amount=0,
        )
        for index, h in enumerate(households)
    ]
    copy_objects(Benefit, copied)
    assert stale() == {tree.other_district_commune.pk}
    assert_rows_equal_live(tree, monkeypatch)

    # an edit of the catalogue marks every commune
    programme = programmes["VBSP_ESCAPED"]
    programme.recently_escaped_years = 2
    programme.save(update_fields=["recently_escaped_years"])
    assert stale() == set(communes())
    assert_rows_equal_live(tree, monkeypatch)

    # an Excel import of households
    report = excel.household_import(
        sheet=excel.read_sheet(xlsx(sheet_households(3, 60))), user=users.commune_officer, commit=True
    )
    assert report.committed
    assert tree.commune.pk in stale()
    assert_rows_equal_live(tree, monkeypatch)
    assert SupportSummary.objects.filter(period_start=PERIOD.start, period_end=PERIOD.end).count() == len(communes())


def test_the_refresh_clears_only_the_marks_it_read(spread, tree, monkeypatch):  # noqa: F811
    summary.support_refresh(communes(), [PERIOD])
    SupportStale.objects.all().delete()
    SupportStale.objects.create(commune=tree.commune)
    compute = summary.support_compute

    def compute_while_a_change_commits(ids, period, programmes=None):
        # another officer's change committed while the refresh computes: its mark must stay
        SupportStale.objects.create(commune=tree.commune)
        return compute(ids, period, programmes)

    monkeypatch.setattr(summary, "support_compute", compute_while_a_change_commits)
    summary.support_refresh([tree.commune.pk])
    assert SupportStale.objects.filter(commune=tree.commune).count() >= 1
    monkeypatch.setattr(summary, "support_compute", compute)
    summary.support_refresh([tree.commune.pk])
    assert stale() == set()


def test_the_sweep_builds_the_default_periods_and_the_command_rebuilds(spread, tree):  # noqa: F811
    summary.support_sweep()
    year = timezone.localdate().year
    for period in (Period.year(year), Period.half_year(year, 1), Period.half_year(year, 2)):
        have = SupportSummary.objects.filter(period_start=period.start, period_end=period.end)
        assert set(have.values_list("commune_id", flat=True)) == set(communes())
    SupportSummary.objects.all().delete()
    call_command("rebuild_support_summaries", "--unit", tree.district.code)
    assert set(SupportSummary.objects.values_list("commune_id", flat=True)) == {
        c.pk for c in children_of(tree.district)
    }
    assert "support-summaries-sweep" in settings.CELERY_BEAT_SCHEDULE


def test_a_custom_period_is_kept_a_week_then_left_to_be_computed_again(spread, tree):  # noqa: F811
    custom = Period(date(2026, 2, 3), date(2026, 5, 4))
    summary.support_refresh([tree.commune.pk], [custom])
    SupportStale.objects.create(commune=tree.commune)
    summary.support_refresh([tree.commune.pk])
    assert SupportSummary.objects.filter(commune=tree.commune, period_start=custom.start).exists()
    SupportSummary.objects.filter(period_start=custom.start).update(created_at=timezone.now() - timedelta(days=8))
    SupportStale.objects.create(commune=tree.commune)
    summary.support_refresh([tree.commune.pk])
    assert not SupportSummary.objects.filter(period_start=custom.start).exists()


def test_a_user_reads_only_the_rows_of_their_communes(spread, tree, users):  # noqa: F811
    summary.support_refresh(communes(), [PERIOD])
    children = children_of(tree.district)
    mine = grouped_figures(unit=tree.district, children=children, period=PERIOD, user=users.commune_officer)
    assert mine == live(unit=tree.district, children=children, period=PERIOD, user=users.commune_officer)
    assert all(mine[c.pk]["overall"]["records"] == 0 for c in children if c.pk != tree.commune.pk)
    rollup = child_rollup(unit=tree.district, children=children, period=PERIOD, user=users.commune_officer)
    assert [row["records"] for row in rollup] == [mine[c.pk]["overall"]["records"] for c in children]


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("programs:figures"), {"year": 2026})
    assert response.status_code == 200 and b"figures-preparing" not in response.content
    return len(captured.captured_queries)


@pytest.mark.parametrize("officer", ["province_staff", "district_staff"])
def test_figures_page_queries_do_not_grow_with_communes_or_households(
    spread,  # noqa: F811
    tree,
    users,
    client_for,
    make_household,
    officer,
):
    client = client_for(getattr(users, officer))
    summary.support_sweep()
    summary.support_refresh(communes(), [Period.year(2026)])
    before = page_queries(client)
    rng = random.Random(5)
    for index in range(3):
        commune = CommuneFactory(parent=tree.district, code=f"2409{index}", name=f"Xã Thử {index}")
        add_households(make_household, VillageFactory(parent=commune), rng, 2, f"Q{index}")
    summary.support_sweep()
    summary.support_refresh(communes(), [Period.year(2026)])
    assert page_queries(client) == before


def test_figures_page_says_the_figures_are_being_prepared(spread, tree, users, client_for, monkeypatch):  # noqa: F811
    """Rows missing for more communes than a request may compute: a background job, a Vietnamese message, the
    progress box that reloads the page, and no figure; once the rows exist the figures are shown."""
    monkeypatch.setattr(summary, "LIVE_FALLBACK_COMMUNES", 1)
    client = client_for(users.province_staff)
    response = client.get(reverse("programs:figures"), {"year": 2026, "half": 1})
    text = response.content.decode()
    assert response.status_code == 200
    assert "đang được tổng hợp" in text and "data-job-progress-url" in text and 'data-testid="fig-credit"' not in text
    job = JobRun.objects.get(kind=PREPARE_JOB)
    assert job.unit == tree.province and job.params["start"] == "2026-01-01"
    client.get(reverse("programs:figures"), {"year": 2026, "half": 1})
    assert JobRun.objects.filter(kind=PREPARE_JOB).count() == 1  # the same job, not a second one
    from programs.jobs import support_prepare_job

    support_prepare_job(job, lambda percent, message: None)
    response = client.get(reverse("programs:figures"), {"year": 2026, "half": 1})
    assert 'data-testid="fig-credit"' in response.content.decode()


def test_a_communes_export_waits_for_its_stale_rows_in_the_background(spread, tree, users, client_for, monkeypatch):  # noqa: F811
    """A commune officer's figures workbook is written at once from ready rows; while the commune's rows are stale
    and too long to compute in the request (as the page decides, ``support_pending``), it becomes a background
    job instead of holding the request (10 s for a commune of 43.479 households)."""
    client = client_for(users.commune_officer)
    summary.support_sweep()
    summary.support_refresh([tree.commune.pk], [Period.year(2026)])
    query = {"year": 2026, "half": 0, "xuat": "xlsx"}
    response = client.get(reverse("programs:figures"), query)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    SupportStale.objects.create(commune=tree.commune)
    monkeypatch.setattr(summary, "LIVE_FALLBACK_HOUSEHOLDS", 0)
    response = client.get(reverse("programs:figures"), query)
    assert response.status_code == 302 and JobRun.objects.filter(requested_by=users.commune_officer).exists()
    monkeypatch.setattr(summary, "LIVE_FALLBACK_HOUSEHOLDS", 3_000)  # few households: computed live at once
    response = client.get(reverse("programs:figures"), query)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("outsider", ["district", "commune"])
def test_the_preparing_job_is_a_404_for_an_officer_of_another_unit(
    spread,  # noqa: F811
    tree,
    users,
    client_for,
    monkeypatch,
    outsider,
):
    """The job a district's figures page queued is its district's: staff of another district, and a commune
    officer below it, do not see its page, its progress or its file; the district's own staff do."""
    from accounts.choices import Role
    from tests.factories import UserFactory

    monkeypatch.setattr(summary, "LIVE_FALLBACK_COMMUNES", 1)
    client_for(users.district_staff).get(reverse("programs:figures"), {"year": 2026, "half": 1})
    job = JobRun.objects.get(kind=PREPARE_JOB)
    assert job.unit == tree.district
    other = {
        "district": UserFactory(username="huyen.iapa", role=Role.DISTRICT_STAFF, unit=tree.other_district),
        "commune": users.commune_officer,
    }[outsider]
    client = client_for(other)
    for name in ("core:job_detail", "core:job_progress", "core:job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert client_for(users.district_staff).get(reverse("core:job_progress", args=[job.pk])).status_code == 200


def test_the_catalogue_shows_this_years_figures_from_the_rows_or_says_they_are_being_prepared(
    spread,  # noqa: F811
    tree,
    users,
    client_for,
    monkeypatch,
):
    """The catalogue's figures are this year's, the period the background keeps (not "from 1/1 to today", a new
    period every day counted live over the whole unit): read from the rows, equal to the live count; when more
    communes lack them than a request may count, a background job and no figure, not even a zero."""
    today = timezone.localdate()
    year = Period.year(today.year)
    monkeypatch.setattr(summary, "LIVE_FALLBACK_COMMUNES", 1)
    client = client_for(users.province_staff)
    text = client.get(reverse("programs:index")).content.decode()
    assert "đang được tổng hợp" in text and "data-job-progress-url" in text and 'data-testid="overall"' not in text
    assert f"trong năm {today.year}" in text and "…" in text
    job = JobRun.objects.get(kind=PREPARE_JOB)
    assert (job.unit, job.params["start"], job.params["end"]) == (tree.province, str(year.start), str(year.end))
    from programs.jobs import support_prepare_job

    support_prepare_job(job, lambda percent, message: None)
    response = client.get(reverse("programs:index"))
    assert (
        'data-testid="overall"' in response.content.decode() and "đang được tổng hợp" not in response.content.decode()
    )
    expected = live(unit=tree.province, children=[tree.province], period=year, user=users.province_staff)
    assert response.context["figures"]["overall"] == expected[tree.province.pk]["overall"]
