"""The review-results report's three files (reports.documents renderers): the PDF holds the text and both tables
on landscape pages, the XLSX totals are formulas over the commune rows that give the figures' totals."""

import io
import shutil
from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from reports.documents.render import periodic_report_pdf
from reports.documents.xlsx import periodic_report_xlsx
from reports.models import PeriodicReport, ReportStatus
from reports.review_tables import compute_review_figures, review_document

from .test_documents import A4_LANDSCAPE, A4_PORTRAIT, Pdf
from .test_review_tables import END, START, build_dataset, report_for


@pytest.fixture
def dataset(tree):
    return build_dataset(tree)


def finalised(tree, figures) -> PeriodicReport:
    return report_for(
        tree.district,
        figures,
        status=ReportStatus.FINALISED,
        number="12/BC-UBND",
        issued_on=date(2026, 1, 5),
        signer_name="Nguyễn Tiến Đăng",
        signer_title="PHÓ CHỦ TỊCH",
        signer_authority="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH",
    )


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by scripts/bootstrap.sh")
def test_pdf_holds_the_text_and_both_tables_on_landscape_pages(dataset):
    tree, _populations = dataset
    figures = compute_review_figures(unit=tree.district, period_start=START, period_end=END)
    pdf = Pdf(periodic_report_pdf(review_document(finalised(tree, figures))), "review_results")
    text = pdf.text()
    for needle in (
        "ỦY BAN NHÂN DÂN",
        "HUYỆN KRÔNG PA",
        "Số: 12/BC-UBND",
        "Krông Pa, ngày 05 tháng 01 năm 2026",
        "Kết quả rà soát hộ nghèo, hộ cận nghèo năm 2025",
        "Kính gửi: Ủy ban nhân dân tỉnh Gia Lai",
        "Đầu năm 2025, toàn huyện có 7 hộ nghèo, chiếm 0,54% tổng số hộ dân cư (1.300 hộ)",
        "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2025",
        "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ CẬN NGHÈO NĂM 2025",
        "(Kèm theo Báo cáo số 12/BC-UBND ngày 05/01/2026 của UBND huyện Krông Pa)",
        "I. Khu vực thành thị",
        "II. Khu vực nông thôn",
        "Thị trấn Phú Túc",
        "Xã Ia RSai",
        "Tổng cộng",
        "1.332",
        "KT. CHỦ TỊCH",
        "Nguyễn Tiến Đăng",
    ):
        assert needle in text, needle
    sizes = pdf.page_sizes()
    assert sizes[0] == A4_PORTRAIT
    assert sizes[-2:] == [A4_LANDSCAPE, A4_LANDSCAPE]  # one landscape page per table


def _cell_sum(sheet, formula: str) -> int:
    """The value of "=SUM(C7,C10)" or "=SUM(C7:C9)" over cells holding numbers (the totals the XLSX computes)."""
    assert formula.startswith("=SUM(") and formula.endswith(")"), formula
    total = 0
    for part in formula[5:-1].split(","):
        cells = sheet[part] if ":" in part else ((sheet[part],),)
        for row in cells:
            for cell in row:
                value = cell.value
                assert not (isinstance(value, str) and value.startswith("=")), f"{part} holds a formula"
                total += value or 0
    return total


def test_xlsx_totals_are_formulas_over_the_rows(dataset):
    tree, _populations = dataset
    figures = compute_review_figures(unit=tree.district, period_start=START, period_end=END)
    doc = review_document(finalised(tree, figures))
    book = load_workbook(io.BytesIO(periodic_report_xlsx(doc)))
    assert book.sheetnames[-2:] == ["Hộ nghèo 2025", "Hộ cận nghèo 2025"]
    for table, sheet in zip(doc.appendices, book.worksheets[-2:], strict=True):
        total_row = next(row for row in sheet.iter_rows() if row[0].value == "Tổng cộng")
        for index, column in enumerate(table.columns):
            cell = total_row[index]
            if column.kind == "count":
                assert _cell_sum(sheet, cell.value) == figures["total"][column.key], column.key
            elif column.kind == "percent":
                numerator, denominator = column.ratio_of
                assert isinstance(cell.value, str) and cell.value.startswith("="), column.key
                assert f"{_letter(table, numerator)}{cell.row}" in cell.value
                assert f"{_letter(table, denominator)}{cell.row}" in cell.value


def _letter(table, key: str) -> str:
    return get_column_letter(1 + [c.key for c in table.columns].index(key))


def test_a_commune_prepares_and_issues_its_review_results_through_the_report_jobs(dataset, users, settings, tmp_path):
    """The real pipeline (reports.services and reports.jobs, run here as the worker runs them): the draft's figures
    are this module's, its text is prefilled, and the issued files carry the register's number."""
    from django.utils import timezone

    from core.jobs import job_run_execute
    from core.models import JobStatus
    from reports.models import ReportKind
    from reports.services import periods_for, report_draft_prepare, report_finalise

    settings.MEDIA_ROOT = tmp_path
    tree, _populations = dataset
    start, end = periods_for(ReportKind.REVIEW_RESULTS, 2025)
    assert (start, end) == (START, END)
    report = report_draft_prepare(
        unit=tree.commune,
        kind=ReportKind.REVIEW_RESULTS,
        period_start=start,
        period_end=end,
        user=users.commune_officer,
    )
    assert job_run_execute(job_id=report.job.pk).status == JobStatus.SUCCEEDED
    report.refresh_from_db()
    assert report.figures == compute_review_figures(unit=tree.commune, period_start=START, period_end=END)
    assert report.narrative["review_poor"].startswith("Đầu năm 2025, toàn xã có 4 hộ nghèo")
    PeriodicReport.objects.filter(pk=report.pk).update(signer_name="Nguyễn Văn A")  # typed before issuing
    job = report_finalise(report=report, issued_on=timezone.localdate(), user=users.commune_officer)
    assert job_run_execute(job_id=job.pk).status == JobStatus.SUCCEEDED, job.error
    report.refresh_from_db()
    assert report.status == ReportStatus.FINALISED and report.number.endswith("/BC-UBND")
    with report.pdf_file.open("rb") as handle:
        pdf = Pdf(handle.read(), "review_results_commune")
    text = pdf.text()
    assert "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2025" in text
    assert f"(Kèm theo Báo cáo số {report.number} ngày {report.issued_on:%d/%m/%Y} của UBND xã Ia RSai)" in text
    assert "Buôn Chư Tê" in text and "Thôn Quý Đức" in text


def test_docx_holds_both_tables_with_the_same_figures(dataset):
    from docx import Document

    from reports.documents.docx import periodic_report_docx

    tree, _populations = dataset
    figures = compute_review_figures(unit=tree.district, period_start=START, period_end=END)
    doc = review_document(finalised(tree, figures))
    word = Document(io.BytesIO(periodic_report_docx(doc)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Đầu năm 2025, toàn huyện có 7 hộ nghèo, chiếm 0,54% tổng số hộ dân cư (1.300 hộ)" in text
    tables = [t for t in word.tables if any("Tổng cộng" in c.text for c in t.rows[-1].cells)]
    assert len(tables) == 2
    for table, appendix in zip(tables, doc.appendices, strict=True):
        total = [cell.text for cell in table.rows[-1].cells]
        keys = [c.key for c in appendix.columns]
        assert total[keys.index("population_start")] == "1.300"
        assert total[keys.index("population_end")] == "1.332"
        first = "poor_end" if "poor_end" in keys else "near_end"
        assert total[keys.index(first)] == str(figures["total"][first])
        names = {row.cells[1].text for row in table.rows}
        assert {"Thị trấn Phú Túc", "Xã Ia RSai", "Cộng khu vực nông thôn"} <= names
