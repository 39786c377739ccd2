"""The report screens: who sees which reports (scoping, 404 outside), creating a draft, saving the text, issuing,
a corrected version, every download logged, the download centre with its unit table and ZIP, the download log,
and list pages whose number of queries does not grow with the rows."""

import datetime
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from accounts.choices import Role
from core.models import JobRun, JobStatus
from reports import bundles
from reports.models import FileKind, PeriodicReport, ReportDownload, ReportKind, ReportStatus
from reports.services import periods_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def this_year() -> int:
    return timezone.localdate().year - 1  # a whole period that has ended, whatever today is


def make_report(unit, *, kind=ReportKind.SIX_MONTH, year=None, status=ReportStatus.DRAFT, version=1, files=True):
    year = year or this_year()
    start, end = periods_for(kind, year)
    report = PeriodicReport(
        unit=unit,
        kind=kind,
        period_start=start,
        period_end=end,
        version=version,
        status=status,
        signer_name="Nguyễn Tiến Đăng",
    )
    if status != ReportStatus.DRAFT:
        report.number = f"{version + 10:02d}/BC-UBND"
        report.issued_on = end
    report.save()
    if files:
        for ext, field in bundles.FILE_FIELDS:
            getattr(report, field).save(
                f"r{report.pk}.{ext}", ContentFile(f"{ext} of {report.pk}".encode()), save=False
            )
        report.save()
    return report


@pytest.fixture
def reports(tree):
    """A district's 6-month report (finalised), a commune's review-results table (draft), another district's
    report (finalised) and another province's (finalised)."""
    return {
        "district": make_report(tree.district, status=ReportStatus.FINALISED),
        "commune": make_report(tree.commune, kind=ReportKind.REVIEW_RESULTS),
        "other_district": make_report(tree.other_district, status=ReportStatus.FINALISED),
        "other_province": make_report(tree.other_province_commune.parent, status=ReportStatus.FINALISED),
    }


# --- who sees what ---------------------------------------------------------------------------------------------

VISIBLE = {
    Role.COMMUNE_OFFICER: {"commune"},
    Role.DISTRICT_STAFF: {"district", "commune"},
    Role.PROVINCE_STAFF: {"district", "commune", "other_district"},
    Role.SYSTEM_ADMIN: {"district", "commune", "other_district", "other_province"},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lists_and_opens_only_the_reports_of_its_unit(client_for, users, reports, role):
    client = client_for(users.by_role(role))
    listed = client.get(reverse("reports:list")).content.decode()
    for name, report in reports.items():
        shown = f'data-testid="report-row-{report.pk}"' in listed
        assert shown == (name in VISIBLE[role]), (role, name)
        detail = client.get(reverse("reports:detail", args=[report.pk]))
        download = client.get(reverse("reports:download", args=[report.pk, "pdf"]))
        expected = 200 if name in VISIBLE[role] else 404
        assert (detail.status_code, download.status_code) == (expected, expected), (role, name)


@pytest.mark.parametrize(
    "role,status",
    [(Role.COMMUNE_OFFICER, 403), (Role.DISTRICT_STAFF, 200), (Role.PROVINCE_STAFF, 200), (Role.SYSTEM_ADMIN, 200)],
)
def test_the_download_centre_is_for_district_and_province_staff(client_for, users, reports, role, status):
    assert client_for(users.by_role(role)).get(reverse("reports:centre")).status_code == status


@pytest.mark.parametrize("role", list(Role))
def test_the_centre_lists_what_the_role_may_see(client_for, users, reports, role):
    if role == Role.COMMUNE_OFFICER:
        return
    page = client_for(users.by_role(role)).get(reverse("reports:centre")).content.decode()
    for name, report in reports.items():
        assert (f'data-testid="report-row-{report.pk}"' in page) == (name in VISIBLE[role]), (role, name)


def test_a_unit_outside_the_scope_cannot_be_chosen_in_the_centre(client_for, users, reports, tree):
    response = client_for(users.district_staff).get(reverse("reports:centre"), {"unit": tree.other_district.pk})
    assert response.status_code == 200
    assert response.context["filter_form"].errors["unit"]
    assert f'data-testid="report-row-{reports["other_district"].pk}"' not in response.content.decode()


def test_the_navigation_offers_the_reports(client_for, users):
    for role in (Role.COMMUNE_OFFICER, Role.DISTRICT_STAFF, Role.PROVINCE_STAFF):
        page = client_for(users.by_role(role)).get(reverse("dashboards:index")).content.decode()
        assert reverse("reports:list") in page
        assert (reverse("reports:centre") in page) == (role != Role.COMMUNE_OFFICER)


# --- creating and writing a report -----------------------------------------------------------------------------


def test_district_staff_create_a_draft_once(client_for, users, tree, django_capture_on_commit_callbacks):
    client = client_for(users.district_staff)
    form = client.get(reverse("reports:create"))
    assert form.status_code == 200
    data = {"kind": ReportKind.SIX_MONTH, "year": this_year()}
    first = client.post(reverse("reports:create"), data)
    report = PeriodicReport.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse("reports:detail", args=[report.pk])
    assert (report.unit, report.status, report.job.kind) == (tree.district, ReportStatus.DRAFT, "report_generate")
    again = client.post(reverse("reports:create"), data)  # a refreshed POST or a second click
    assert again["Location"] == first["Location"]
    assert PeriodicReport.objects.count() == 1


def test_a_commune_of_a_reporting_district_is_told_who_reports(client_for, users, tree):
    data = {"kind": ReportKind.SIX_MONTH, "year": this_year()}
    response = client_for(users.commune_officer).post(reverse("reports:create"), data)
    assert response.status_code == 200
    assert "Huyện Krông Pa" in response.context["form"].errors["kind"][0]
    assert response.context["form"]["year"].value() == str(this_year())  # what was typed is kept
    assert not PeriodicReport.objects.exists()


def test_a_commune_makes_its_own_review_results_table(client_for, users, tree):
    data = {"kind": ReportKind.REVIEW_RESULTS, "year": this_year()}
    response = client_for(users.commune_officer).post(reverse("reports:create"), data)
    assert response.status_code == 302
    assert PeriodicReport.objects.get().unit == tree.commune


def test_province_staff_prepare_the_province_roll_up(client_for, users, tree):
    data = {"kind": ReportKind.YEAR_END, "year": this_year()}
    client_for(users.province_staff).post(reverse("reports:create"), data)
    assert PeriodicReport.objects.get().unit == tree.province


def test_a_queue_that_is_down_loses_nothing(client_for, users, monkeypatch, django_capture_on_commit_callbacks):
    from core.tasks import job_run_task

    def refuse(*args, **kwargs):
        raise BrokerError("Redis is down")

    monkeypatch.setattr(job_run_task, "apply_async", refuse)
    client = client_for(users.district_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:create"), {"kind": ReportKind.SIX_MONTH, "year": this_year()})
    report = PeriodicReport.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert report.job.__class__.objects.get(pk=report.job_id).status == JobStatus.FAILED
    text = page.content.decode()
    assert "Hàng đợi công việc nền (Redis) đang không hoạt động" in text
    assert 'data-testid="report-retry"' in text


def test_saving_the_text_of_a_draft(client_for, users, tree):
    report = make_report(tree.district)
    PeriodicReport.objects.filter(pk=report.pk).update(created_by=users.district_staff)
    client = client_for(users.district_staff)
    page = client.get(reverse("reports:detail", args=[report.pk]))
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(abstract="Kết quả 6 tháng", narrative_achievements="Đạt được nhiều kết quả.", signer_name="Nguyễn A")
    response = client.post(reverse("reports:detail", args=[report.pk]), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.narrative["achievements"] == "Đạt được nhiều kết quả."
    assert (report.abstract, report.signer_name) == ("Kết quả 6 tháng", "Nguyễn A")


def test_a_finalised_report_is_not_edited(client_for, users, tree):
    report = make_report(tree.district, status=ReportStatus.FINALISED)
    client = client_for(users.district_staff)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-testid="report-fields-form"' not in page and 'data-testid="report-new-version"' in page
    data = {"abstract": "Sửa sau khi ban hành", "narrative_achievements": "Đoạn mới"}
    response = client.post(reverse("reports:detail", args=[report.pk]), data)
    assert response.status_code == 200
    assert "không còn sửa được" in response.content.decode()
    assert response.context["form"]["abstract"].value() == "Sửa sau khi ban hành"
    report.refresh_from_db()
    assert report.abstract != "Sửa sau khi ban hành"


def test_staff_above_read_but_do_not_write_a_unit_report(client_for, users, tree):
    report = make_report(tree.district)
    client = client_for(users.province_staff)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'data-testid="report-fields-form"' not in page
    assert client.post(reverse("reports:detail", args=[report.pk]), {"abstract": "x"}).status_code == 403
    assert client.post(reverse("reports:finalise", args=[report.pk]), {"issued_on": "01/01/2020"}).status_code == 403


def test_issuing_asks_a_date_and_keeps_a_wrong_one(client_for, users, tree):
    report = make_report(tree.district)
    client = client_for(users.district_staff)
    assert client.get(reverse("reports:finalise", args=[report.pk])).status_code == 200
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    response = client.post(reverse("reports:finalise", args=[report.pk]), {"issued_on": tomorrow})
    assert response.status_code == 200
    assert "không được sau ngày hôm nay" in response.content.decode()
    assert response.context["form"]["issued_on"].value() == tomorrow
    today = timezone.localdate().strftime("%d/%m/%Y")
    response = client.post(reverse("reports:finalise", args=[report.pk]), {"issued_on": today})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.job.kind == "report_finalise" and report.job.params["issued_on"] == timezone.localdate().isoformat()


def test_a_report_without_the_signers_name_is_not_issued(client_for, users, tree):
    """NĐ 30/2020, Điều 8: the signatory's full name is part of the document; the date typed is kept."""
    report = make_report(tree.district)
    PeriodicReport.objects.filter(pk=report.pk).update(signer_name="")
    today = timezone.localdate().strftime("%d/%m/%Y")
    response = client_for(users.district_staff).post(
        reverse("reports:finalise", args=[report.pk]), {"issued_on": today}
    )
    assert response.status_code == 200
    assert "Chưa có họ tên người ký" in response.content.decode()
    assert response.context["form"]["issued_on"].value() == today
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.job is None


def test_a_corrected_version_after_confirmation(client_for, users, tree):
    report = make_report(tree.district, status=ReportStatus.FINALISED)
    client = client_for(users.district_staff)
    assert client.get(reverse("reports:new_version", args=[report.pk])).status_code == 200
    response = client.post(reverse("reports:new_version", args=[report.pk]), {})
    draft = PeriodicReport.objects.get(status=ReportStatus.DRAFT)
    assert response["Location"] == reverse("reports:detail", args=[draft.pk])
    assert (draft.version, draft.supersedes) == (2, report)
    page = client.get(response["Location"]).content.decode()
    assert reverse("reports:detail", args=[report.pk]) in page  # the link between versions
    again = client.post(reverse("reports:new_version", args=[report.pk]), {})
    assert again["Location"] == response["Location"]  # a second click finds the same draft


# --- downloads -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_kind", ["pdf", "docx", "xlsx"])
def test_every_download_is_logged_and_named(client_for, users, reports, file_kind):
    report = reports["district"]
    response = client_for(users.province_staff).get(reverse("reports:download", args=[report.pk, file_kind]))
    assert response.status_code == 200
    assert response.content == f"{file_kind} of {report.pk}".encode()
    year = report.period_end.year
    assert f'filename="bao-cao-6-thang-{year}-krong-pa-v1.{file_kind}"' in response["Content-Disposition"]
    logged = ReportDownload.objects.get()
    assert (logged.report, logged.file_kind, logged.user) == (report, file_kind, users.province_staff)
    assert logged.address == "127.0.0.1"


def test_a_file_not_rendered_yet_is_explained(client_for, users, tree):
    report = make_report(tree.district, files=False)
    response = client_for(users.district_staff).get(reverse("reports:download", args=[report.pk, "docx"]))
    assert response.status_code == 302
    assert not ReportDownload.objects.exists()
    assert client_for(users.district_staff).get(reverse("reports:download", args=[report.pk, "exe"])).status_code == 404


def test_the_download_log_is_scoped(client_for, users, reports):
    ReportDownload.objects.create(report=reports["district"], file_kind=FileKind.PDF, user=users.province_staff)
    ReportDownload.objects.create(report=reports["other_district"], file_kind=FileKind.XLSX, user=users.province_staff)
    district = client_for(users.district_staff).get(reverse("reports:downloads")).context["page"].rows
    assert [entry.report for entry in district] == [reports["district"]]
    commune = client_for(users.commune_officer).get(reverse("reports:downloads")).context["page"].rows
    assert commune == []
    province = client_for(users.province_staff).get(reverse("reports:downloads")).context["page"].rows
    assert len(province) == 2


# --- the centre: unit table and ZIP ----------------------------------------------------------------------------


def test_the_centre_shows_each_unit_of_the_period(client_for, users, reports, tree):
    query = {"kind": ReportKind.SIX_MONTH, "year": this_year()}
    response = client_for(users.province_staff).get(reverse("reports:centre"), query)
    statuses = {row.unit: row.report for row in response.context["statuses"]}
    assert statuses == {tree.district: reports["district"], tree.other_district: reports["other_district"]}
    no_report = make_report(tree.other_district, year=this_year() - 1)  # another period: not this table's
    response = client_for(users.province_staff).get(reverse("reports:centre"), {**query, "year": this_year() - 1})
    statuses = {row.unit: row.report for row in response.context["statuses"]}
    assert statuses == {tree.district: None, tree.other_district: no_report}
    assert "Chưa có báo cáo" in response.content.decode()


def test_the_review_results_table_lists_the_district_and_its_communes(client_for, users, reports, tree):
    query = {"kind": ReportKind.REVIEW_RESULTS, "year": this_year()}
    response = client_for(users.district_staff).get(reverse("reports:centre"), query)
    statuses = {row.unit: row.report for row in response.context["statuses"]}
    assert statuses == {tree.district: None, tree.commune: reports["commune"], tree.sibling_commune: None}


def zip_names(content: bytes) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(content)).namelist())


def test_the_zip_holds_the_three_files_of_every_finalised_report_of_the_period(client_for, users, reports, tree):
    make_report(tree.district, status=ReportStatus.SUPERSEDED, version=0)  # an older version: not in the ZIP
    client = client_for(users.province_staff)
    response = client.get(reverse("reports:bundle"), {"kind": ReportKind.SIX_MONTH, "year": this_year()})
    assert response.status_code == 200
    assert f'filename="bao-cao-6-thang-{this_year()}-tinh-gia-lai.zip"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    year = this_year()
    assert zip_names(content) == sorted(
        f"bao-cao-6-thang-{year}-{unit}-v1.{ext}" for unit in ("krong-pa", "ia-pa") for ext in ("pdf", "docx", "xlsx")
    )
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert archive.read(f"bao-cao-6-thang-{year}-krong-pa-v1.docx") == f"docx of {reports['district'].pk}".encode()
    logged = set(ReportDownload.objects.values_list("report", "file_kind", "user"))
    assert logged == {
        (reports["district"].pk, "zip", users.province_staff.pk),
        (reports["other_district"].pk, "zip", users.province_staff.pk),
    }


def test_the_zip_needs_a_period_and_finalised_reports(client_for, users, reports):
    client = client_for(users.province_staff)
    assert client.get(reverse("reports:bundle")).status_code == 302
    empty = client.get(reverse("reports:bundle"), {"kind": ReportKind.YEAR_END, "year": this_year()})
    assert empty.status_code == 302 and not ReportDownload.objects.exists()


def test_a_big_zip_is_built_by_a_background_job(client_for, users, reports, monkeypatch):
    monkeypatch.setattr("reports.views_centre.STREAM_MAX_REPORTS", 1)
    client = client_for(users.province_staff)
    query = {"kind": ReportKind.SIX_MONTH, "year": this_year()}
    response = client.get(reverse("reports:bundle"), query)
    job = JobRun.objects.get(kind=bundles.BUNDLE_JOB)
    assert response["Location"] == reverse("reports:bundle_job", args=[job.pk])
    client.get(reverse("reports:bundle"), query)  # a second click finds the same job
    assert JobRun.objects.filter(kind=bundles.BUNDLE_JOB).count() == 1
    assert not ReportDownload.objects.exists()  # nothing handed over yet
    job.mark_running()
    job.mark_succeeded(bundles.report_bundle_job(job, lambda percent, message: None))
    job.save()
    page = client.get(reverse("reports:bundle_job", args=[job.pk])).content.decode()
    assert 'data-testid="bundle-download"' in page
    download = client.get(reverse("reports:bundle_download", args=[job.pk]))
    assert len(zip_names(b"".join(download.streaming_content))) == 6
    assert ReportDownload.objects.filter(file_kind="zip").count() == 2
    # another officer who may not see the job's unit gets a 404
    assert client_for(users.district_staff).get(reverse("reports:bundle_download", args=[job.pk])).status_code == 404


# --- list pages do not grow in queries -------------------------------------------------------------------------


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["reports:list", "reports:centre", "reports:downloads"])
def test_list_pages_do_not_grow_with_rows(client_for, users, tree, url_name):
    client = client_for(users.province_staff)
    params = {"kind": ReportKind.SIX_MONTH, "year": this_year()} if url_name == "reports:centre" else {}
    first = make_report(tree.district, status=ReportStatus.FINALISED)
    ReportDownload.objects.create(report=first, file_kind=FileKind.PDF, user=users.province_staff)
    few = count_queries(client, reverse(url_name), params)
    for year in range(this_year() - 6, this_year()):
        for unit in (tree.district, tree.other_district, tree.commune):
            report = make_report(unit, year=year, status=ReportStatus.FINALISED)
            ReportDownload.objects.create(report=report, file_kind=FileKind.DOCX, user=users.district_staff)
    make_report(tree.other_district, status=ReportStatus.FINALISED)
    assert count_queries(client, reverse(url_name), params) == few
