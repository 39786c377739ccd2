"""A decision with its lists, its certificates and a commune's posted list printed by a background job: started by a
POST (from the round page, or from the page a large document's link opens), scoped (another commune's decision is a
404 and starts nothing), rendered in batches into one PDF that the job page offers, and a failure that ends
retryable."""

import subprocess

import pytest
from django.urls import reverse

from core.jobs import job_run_execute
from core.models import JobRun, JobStatus
from reports.documents import batches
from reviews import documents as documents_module
from reviews import jobs
from reviews.models import Certificate

from ..factories import UserFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def recognised(walk):
    decision = walk.to_recognised()
    return walk.fresh(), decision


def pdf_pages(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in out.split("\f")[:-1]]


def started_job(response) -> JobRun:
    assert response.status_code == 302, response.status_code
    job = JobRun.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    return job


def test_the_round_page_starts_the_certificates_job_and_its_page_offers_the_joined_pdf(
    client_for, users, recognised, monkeypatch, tmp_path
):
    monkeypatch.setattr(batches, "CERTIFICATES_PER_BATCH", 1)  # one WeasyPrint call per certificate: joined
    round, decision = recognised
    client = client_for(users.commune_officer)
    page = client.get(reverse("reviews:detail", args=[round.pk])).content.decode()
    assert reverse("reviews:certificates_pdf_job", args=[decision.pk]) in page and "submit_token" in page
    job = started_job(client.post(reverse("reviews:certificates_pdf_job", args=[decision.pk])))
    assert job.kind == jobs.CERTIFICATES_JOB and job.params == {"decision": decision.pk}
    assert job.status == JobStatus.QUEUED
    waiting = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "Tệp PDF đang được chuẩn bị" in waiting

    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    certificates = list(Certificate.objects.filter(decision=decision).order_by("pk"))
    assert len(certificates) >= 2 and job.result["pages"] == len(certificates)
    done = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "Tải tệp PDF" in done and f"{len(certificates)} trang" in done
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="giay-chung-nhan-125-qd-ubnd.pdf"' in response["Content-Disposition"]
    pages = pdf_pages(b"".join(response.streaming_content), tmp_path)
    assert len(pages) == len(certificates)
    for page, certificate in zip(pages, certificates, strict=True):
        assert f"Số: {certificate.number}" in page and "GIẤY CHỨNG NHẬN HỘ NGHÈO, HỘ CẬN NGHÈO" in page
        assert certificate.snapshot["head_name"] in page


def test_another_communes_decision_is_a_404_and_starts_nothing(client_for, users, tree, recognised):
    round, decision = recognised
    outsider = UserFactory(username="xa.phutuc", role="commune_officer", unit=tree.sibling_commune)
    client = client_for(outsider)
    assert client.post(reverse("reviews:certificates_pdf_job", args=[decision.pk])).status_code == 404
    assert client.post(reverse("reviews:posting_pdf_job", args=[round.pk])).status_code == 404
    assert client.get(reverse("reviews:certificates_pdf", args=[decision.pk])).status_code == 404
    assert client.post(reverse("reviews:decision_pdf_job", args=[decision.pk])).status_code == 404
    assert client.get(reverse("reviews:decision_pdf", args=[decision.pk])).status_code == 404
    assert not JobRun.objects.exists()


def test_the_posted_list_job_prints_the_whole_commune_in_batches(client_for, users, recognised, monkeypatch, tmp_path):
    monkeypatch.setattr(batches, "POSTING_ROWS_PER_BATCH", 1)
    round, _decision = recognised
    client = client_for(users.district_staff)  # the district may print a commune's list too
    job = started_job(client.post(reverse("reviews:posting_pdf_job", args=[round.pk])))
    assert job.params == {"round": round.pk, "village": None}
    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    response = client.get(reverse("core:job_download", args=[job.pk]))
    text = " ".join(pdf_pages(b"".join(response.streaming_content), tmp_path))
    assert "NIÊM YẾT CÔNG KHAI" in text.upper() and "IRS-001" in text and "IRS-002" in text
    assert text.count("Số: ") <= 1 and text.count("TM. ỦY BAN NHÂN DÂN") == 1  # one header, one closing
    assert 'filename="niem-yet-xa-ia-rsai.pdf"' in response["Content-Disposition"]


def test_a_village_of_another_commune_is_a_404(client_for, users, tree, recognised):
    round, _decision = recognised
    client = client_for(users.commune_officer)
    foreign = tree.sibling_commune.pk
    assert client.post(reverse("reviews:posting_pdf_job", args=[round.pk]), {"thon": foreign}).status_code == 404
    assert client.get(reverse("reviews:posting_pdf", args=[round.pk]) + f"?thon={foreign}").status_code == 404


def test_a_large_document_asks_to_print_in_the_background_instead_of_rendering(
    client_for, users, tree, recognised, monkeypatch
):
    monkeypatch.setattr(jobs, "IMMEDIATE_CERTIFICATES", 1)
    monkeypatch.setattr(jobs, "IMMEDIATE_POSTING_ROWS", 1)
    round, decision = recognised
    client = client_for(users.commune_officer)
    page = client.get(reverse("reviews:certificates_pdf", args=[decision.pk]))
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "quá lớn để in ngay" in html and reverse("reviews:certificates_pdf_job", args=[decision.pk]) in html
    village = client.get(reverse("reviews:posting_pdf", args=[round.pk]) + f"?thon={tree.village.pk}")
    html = village.content.decode()
    assert 'name="thon"' in html and reverse("reviews:posting_pdf_job", args=[round.pk]) in html
    assert not JobRun.objects.exists()  # a GET starts nothing
    job = started_job(client.post(reverse("reviews:posting_pdf_job", args=[round.pk]), {"thon": tree.village.pk}))
    assert job.params == {"round": round.pk, "village": tree.village.pk}


def test_a_failed_print_is_explained_and_can_be_run_again(client_for, users, recognised, monkeypatch):
    round, decision = recognised
    client = client_for(users.commune_officer)
    job = started_job(client.post(reverse("reviews:certificates_pdf_job", args=[decision.pk])))

    def broken(*args, **kwargs):
        raise ValueError("hết bộ nhớ")

    monkeypatch.setattr(jobs, "write_certificates_pdf", broken)
    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.FAILED and "hết bộ nhớ" in job.error
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert 'data-testid="retry"' in page and 'data-testid="job-download"' not in page
    assert not list((jobs.new_export_path(job, "pdf").parent).glob(f"{job.pk}-*.pdf"))  # nothing half-written

    monkeypatch.undo()
    assert client.post(reverse("core:job_retry", args=[job.pk])).status_code == 302
    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED and job.result["format"] == "pdf"


def test_a_requester_who_lost_the_decision_gets_a_vietnamese_reason(users, tree, recognised):
    round, decision = recognised
    moved = UserFactory(username="xa.khac", role="commune_officer", unit=tree.commune)
    job = jobs.certificates_job_start(user=moved, decision=decision)
    moved.unit = tree.sibling_commune
    moved.save()
    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.FAILED
    assert job.error == "Bạn không còn quyền xem quyết định này, nên tệp không được tạo."


def test_a_large_decision_asks_to_print_in_the_background_and_the_job_prints_it_in_batches(
    client_for, users, recognised, monkeypatch, tmp_path
):
    monkeypatch.setattr(jobs, "IMMEDIATE_DECISION_ROWS", 1)
    monkeypatch.setattr(batches, "DECISION_ROWS_PER_BATCH", 1)  # one WeasyPrint call per row: joined
    round, decision = recognised
    client = client_for(users.commune_officer)
    rows = sum(decision.submission.counts["lists"][key] for key in ("poor", "near_poor", "escaped_poor"))
    assert rows >= 2
    page = client.get(reverse("reviews:decision_pdf", args=[decision.pk]))
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert f"danh sách kèm theo {rows} hộ, quá lớn để in ngay" in html
    assert reverse("reviews:decision_pdf_job", args=[decision.pk]) in html
    assert not JobRun.objects.exists()  # a GET starts nothing

    job = started_job(client.post(reverse("reviews:decision_pdf_job", args=[decision.pk])))
    assert job.kind == jobs.DECISION_JOB and job.params == {"decision": decision.pk}
    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["households"] == rows
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert 'filename="quyet-dinh-125-qd-ubnd.pdf"' in response["Content-Disposition"]
    text = " ".join(pdf_pages(b"".join(response.streaming_content), tmp_path))
    assert text.count("Số: 125/QĐ-UBND") == 1 and text.count("Điều 1.") == 1
    assert "IRS-001" in text and "IRS-002" in text and text.count("(Kèm theo Quyết định") >= 1

    monkeypatch.setattr(jobs, "IMMEDIATE_DECISION_ROWS", rows)  # small enough: the PDF at once
    direct = client.get(reverse("reviews:decision_pdf", args=[decision.pk]))
    assert direct["Content-Type"] == "application/pdf"
    direct_text = " ".join(pdf_pages(direct.content, tmp_path))
    assert direct_text.count("Số: 125/QĐ-UBND") == 1 and "IRS-001" in direct_text and "IRS-002" in direct_text
    assert JobRun.objects.count() == 1


def test_a_village_snapshot_is_the_communes_rows_of_that_village(tree, walk, make_household):
    from reviews.snapshot import build_snapshot
    from tests.factories import VillageFactory

    other = VillageFactory(code="24079-02", name="Buôn Ia Ring", parent=tree.commune)
    make_household("IRS-003", village=other)
    walk.open()
    walk.survey_all()
    whole = build_snapshot(walk.fresh())
    village = build_snapshot(walk.round, village=tree.village)
    assert {row["village"] for row in whole["rows"]} == {"Buôn Chư Tê", "Buôn Ia Ring"}
    assert village["rows"] == [row for row in whole["rows"] if row["village_id"] == tree.village.pk]
    ids = {row["household_id"] for row in village["rows"]}
    assert village["lists"] == {key: [pk for pk in pks if pk in ids] for key, pks in whole["lists"].items()}
    assert village["total_households"] == whole["total_households"]


def test_a_posted_list_of_many_reviewed_households_is_not_worked_out_to_ask(client_for, users, recognised, monkeypatch):
    monkeypatch.setattr(jobs, "IMMEDIATE_POSTING_ROWS", 1)
    monkeypatch.setattr(jobs, "POSTING_CASES_WORKED_OUT", 1)

    def not_needed(*args, **kwargs):
        raise AssertionError("the lists are not worked out to say they are too long")

    monkeypatch.setattr(documents_module, "posting_data", not_needed)
    round, _decision = recognised
    page = client_for(users.commune_officer).get(reverse("reviews:posting_pdf", args=[round.pk]))
    assert page.status_code == 200 and "danh sách của 2 hộ được rà soát, quá lớn để in ngay" in page.content.decode()


def test_a_large_meetings_minutes_ask_to_print_in_the_background_and_the_job_prints_them(
    client_for, users, tree, walk, monkeypatch, tmp_path
):
    monkeypatch.setattr(jobs, "IMMEDIATE_MINUTES_ROWS", 1)
    monkeypatch.setattr(batches, "DECISION_ROWS_PER_BATCH", 1)  # the minutes' batches: one row each, joined
    walk.open()
    walk.survey_all()
    meeting = walk.meet()
    client = client_for(users.commune_officer)
    page = client.get(reverse("reviews:minutes_pdf", args=[meeting.pk]))
    assert page.status_code == 200 and "kết quả biểu quyết của 2 hộ, quá lớn để in ngay" in page.content.decode()
    assert not JobRun.objects.exists()  # a GET starts nothing
    job = started_job(client.post(reverse("reviews:minutes_pdf_job", args=[meeting.pk])))
    assert job.kind == jobs.MINUTES_JOB and job.params == {"meeting": meeting.pk}
    job = job_run_execute(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert 'filename="bien-ban-hop-dan-buon-chu-te.pdf"' in response["Content-Disposition"]
    text = " ".join(pdf_pages(b"".join(response.streaming_content), tmp_path))
    assert "IRS-001" not in text  # the minutes' table leaves the code out (portrait)
    assert text.count("I. Thành phần tham dự") == 1 and text.count("III. Kết luận") == 1
    assert text.count("Tổng cộng: 2 hộ") == 1

    outsider = UserFactory(username="xa.phutuc", role="commune_officer", unit=tree.sibling_commune)
    client = client_for(outsider)
    assert client.post(reverse("reviews:minutes_pdf_job", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("reviews:minutes_pdf", args=[meeting.pk])).status_code == 404
    assert JobRun.objects.count() == 1


def test_a_posted_list_shorter_than_the_households_reviewed_prints_at_once(
    client_for, users, walk, make_household, monkeypatch
):
    """A household reviewed and found not poor, as before, is on none of the posted lists: the page counts the
    lists' rows, not the reviewed households, while they are few enough to work out."""
    from households.choices import HouseholdClass
    from reviews import services
    from reviews.models import ReviewCase

    well_off = make_household("IRS-900", income_per_capita=9_000_000)
    walk.open()
    services.review_case_add(  # a household the officer adds to the review (QĐ 24/2021, Điều 4 bước 1)
        round=walk.round,
        household=well_off,
        reason="Hộ đề nghị",
        user=walk.officer,
        expected_version=walk.round.version,
    )
    walk.survey_all()
    ReviewCase.objects.filter(household=well_off).update(proposed_class=HouseholdClass.NON_POOR)
    walk.meet()
    walk.post()
    round = walk.fresh()
    assert round.cases.count() == 3
    monkeypatch.setattr(jobs, "IMMEDIATE_POSTING_ROWS", 2)
    response = client_for(users.commune_officer).get(reverse("reviews:posting_pdf", args=[round.pk]))
    assert response["Content-Type"] == "application/pdf"
