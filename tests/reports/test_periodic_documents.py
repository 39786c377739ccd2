"""The three files of a periodic report (PDF, DOCX, XLSX) from a hand-made document modelled on Krông Pa's
Báo cáo 209/BC-UBND: the same text and figures in each, the NĐ 30/2020 layout, and workbook totals that are
formulas evaluating to the sums of the rows."""

import dataclasses
import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from django.conf import settings
from openpyxl import Workbook, load_workbook

from core.spreadsheets import Formula
from reports.documents import report_layout
from reports.documents.data import TableRow
from reports.documents.docx import periodic_report_docx
from reports.documents.render import periodic_report_pdf
from reports.documents.xlsx import INTEGER_FORMAT, LARGE_INTEGER_FORMAT, PERCENT_FORMAT, periodic_report_xlsx

from . import periodic_samples as samples

ARTIFACTS = Path(settings.BASE_DIR, "test-artifacts", "documents")
A4_PORTRAIT = "595.276 x 841.89 pts (A4)"
A4_LANDSCAPE = "841.89 x 595.276 pts (A4)"
EVIL = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'

needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdftoppm")),
    reason="poppler-utils is installed by scripts/bootstrap.sh",
)


def squash(text: str) -> str:
    return " ".join(text.split())


class Pdf:
    def __init__(self, data: bytes, name: str):
        assert data.startswith(b"%PDF-")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.path = ARTIFACTS / f"{name}.pdf"
        self.path.write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-r", "60", self.path, ARTIFACTS / name], check=True)

    def text(self, page: int | None = None, layout: bool = False) -> str:
        options = (["-f", str(page), "-l", str(page)] if page else []) + (["-layout"] if layout else [])
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", *options, self.path, "-"], capture_output=True, text=True, check=True
        ).stdout

    def page_sizes(self) -> list[str]:
        out = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", self.path], capture_output=True, text=True).stdout
        return [
            line.split("size:", 1)[1].strip()
            for line in out.splitlines()
            if line.startswith("Page ") and "size:" in line
        ]

    def first_line(self, page: int) -> str:
        return next(line.strip() for line in self.text(page, layout=True).splitlines() if line.strip())


@pytest.fixture(scope="module")
def pdf():
    return Pdf(periodic_report_pdf(samples.report()), "periodic_report")


@pytest.fixture(scope="module")
def draft_pdf():
    return Pdf(periodic_report_pdf(samples.report(draft=True)), "periodic_report_draft")


# Texts every file of the report holds: header, number, date, title, addressee, key figures, entered figures,
# recipients and signature block.
COMMON = (
    "ỦY BAN NHÂN DÂN",
    "HUYỆN KRÔNG PA",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 209/BC-UBND",
    "Krông Pa, ngày 15 tháng 6 năm 2021",
    "BÁO CÁO",
    samples.ABSTRACT,
    "Kính gửi: Sở Lao động - Thương binh và Xã hội tỉnh Gia Lai.",
    "I/ KẾT QUẢ THỰC HIỆN:",
    "3.1. Các chương trình tín dụng:",
    "có 269 hộ nghèo vay vốn, chiếm 11,5% tổng số hộ nghèo (2.342 hộ)",
    "87.394 đối tượng",
    report_layout.ENTERED_HEADING,
    "- Lao động đăng ký học nghề: 1.085 lao động (nguồn: Phòng Lao động - TB&XH huyện)",
    "- Tin, bài về giảm nghèo: 150 tin, bài (nguồn: Trung tâm Văn hóa huyện)",
    "theo dõi và chỉ đạo./.",
    "Nơi nhận:",
    "- Sở Công thương (b/c);",
    "- Lưu: VT, THVX.",
    "TM. ỦY BAN NHÂN DÂN",
    "KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH",
    "Nguyễn Tiến Đăng",
)
# The appendix tables: totals of the review table (10.375 households, 1.647 poor at the start = 15,9 %).
TABLE_TEXTS = ("Phụ lục I", "Phụ lục II", "Hộ nghèo đầu kỳ", "Cộng nông thôn", "Tổng cộng", "10.375", "1.647", "15,9")


def assert_contains(text: str, needles) -> None:
    flat = squash(text)
    missing = [n for n in needles if squash(n) not in flat]
    assert not missing, f"missing {missing}"


# --- PDF --------------------------------------------------------------------------------------------------


@needs_poppler
def test_pdf_holds_the_report_in_the_official_layout(pdf):
    assert_contains(pdf.text(), COMMON + TABLE_TEXTS)
    sizes = pdf.page_sizes()
    appendix_pages = sum(1 for size in sizes if size == A4_LANDSCAPE)
    assert appendix_pages == 2 and sizes[:-appendix_pages] == [A4_PORTRAIT] * (len(sizes) - appendix_pages)
    assert len(sizes) - appendix_pages >= 2
    # Place and date on the right of the number, on the same line (the two-column letterhead).
    line = next(line for line in pdf.text(1, layout=True).splitlines() if "Số: 209/BC-UBND" in line)
    assert "Krông Pa, ngày 15 tháng 6 năm 2021" in line
    # "Nơi nhận" beside the signature block.
    assert any("Nơi nhận:" in line and "ỦY BAN NHÂN DÂN" in line for line in pdf.text(layout=True).splitlines())


@needs_poppler
def test_pdf_page_numbers_start_on_page_two_at_the_top(pdf):
    """NĐ 30/2020, Phụ lục I, I.5: Arabic numerals centred in the top margin, none on the first page."""
    assert not pdf.first_line(1).isdigit()
    assert pdf.first_line(1).startswith("ỦY BAN NHÂN DÂN")
    assert pdf.first_line(2) == "2"
    # Each appendix has its own page numbers: its first page has none.
    landscape = pdf.page_sizes().index(A4_LANDSCAPE) + 1
    assert pdf.first_line(landscape) == "Phụ lục I"


@needs_poppler
def test_pdf_of_a_draft_leaves_number_and_date_blank_and_says_draft_on_every_page(draft_pdf):
    text = squash(draft_pdf.text())
    assert "Số: 209/BC-UBND" not in text
    first_page = draft_pdf.text(1, layout=True)
    assert re.search(r"Số:\s+/BC-UBND", first_page)
    assert re.search(r"Krông Pa, ngày\s+tháng\s+năm 20", first_page)
    pages = len(draft_pdf.page_sizes())
    assert all("DỰ THẢO" in draft_pdf.text(page) for page in range(1, pages + 1))


@needs_poppler
def test_pdf_of_a_final_report_does_not_say_draft(pdf):
    assert "DỰ THẢO" not in pdf.text()


@needs_poppler
def test_pdf_uses_the_bundled_font(pdf):
    out = subprocess.run(["pdffonts", pdf.path], capture_output=True, text=True, check=True).stdout
    fonts = {line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()}
    assert fonts and all(font.startswith("Liberation-Serif") for font in fonts)


@needs_poppler
def test_pdf_with_several_addressees_lists_them_under_kinh_gui():
    doc = samples.report(recipients=("Ủy ban nhân dân tỉnh Gia Lai", "Sở Lao động - TB&XH tỉnh Gia Lai"))
    text = squash(Pdf(periodic_report_pdf(doc), "periodic_report_addressees").text(1))
    assert "Kính gửi: - Ủy ban nhân dân tỉnh Gia Lai; - Sở Lao động - TB&XH tỉnh Gia Lai." in text


# --- DOCX -------------------------------------------------------------------------------------------------


def docx_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture(scope="module")
def word():
    data = periodic_report_docx(samples.report())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "periodic_report.docx").write_bytes(data)
    return docx.Document(io.BytesIO(data))


def test_docx_holds_the_same_texts_and_figures(word):
    assert_contains(docx_text(word), COMMON + TABLE_TEXTS)


def test_docx_layout_a4_margins_font_and_page_numbers_from_page_two(word):
    body, *appendices = word.sections
    assert round(body.page_width.mm) == 210 and round(body.page_height.mm) == 297
    assert [round(m.mm) for m in (body.top_margin, body.bottom_margin, body.left_margin, body.right_margin)] == [
        20,
        20,
        30,
        15,
    ]
    assert word.styles["Normal"].font.name == "Times New Roman" and word.styles["Normal"].font.size.pt == 14
    # Different first page: the number is in the header of the other pages, as a PAGE field.
    assert body.different_first_page_header_footer
    assert "PAGE" in body.header._element.xml and "PAGE" not in body.first_page_header._element.xml
    assert "DỰ THẢO" not in body.header._element.xml + body.first_page_header._element.xml


def test_docx_appendices_are_landscape_sections_with_real_tables(word):
    _, *appendices = word.sections
    assert len(appendices) == 2
    for section in appendices:
        assert section.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
        assert section.page_width > section.page_height
        assert 'w:start="1"' in section._sectPr.xml  # own page numbers
    review = next(t for t in word.tables if t.cell(0, 0).text == "TT" and "Đơn vị" in t.cell(0, 1).text)
    xml = review._tbl.xml
    # Two header rows repeated on every page; "Hộ nghèo đầu kỳ" spans its two columns; TT spans both rows.
    assert xml.count("<w:tblHeader") == 2
    assert '<w:gridSpan w:val="2"/>' in xml and '<w:vMerge w:val="restart"/>' in xml
    total = [cell.text for cell in review.rows[-1].cells]
    assert total[:2] == ["Tổng cộng", "Tổng cộng"] and total[2:5] == ["10.375", "1.647", "15,9"]


def test_docx_of_a_draft_says_draft_and_leaves_the_number_blank():
    document = docx.Document(io.BytesIO(periodic_report_docx(samples.report(draft=True))))
    for section in document.sections:
        assert "DỰ THẢO" in section.header._element.xml and "DỰ THẢO" in section.first_page_header._element.xml
    text = docx_text(document)
    assert "Số: 209/BC-UBND" not in text and re.search(r"Số:\s+/BC-UBND", text)


# --- XLSX -------------------------------------------------------------------------------------------------


def evaluate(sheet, ref: str):
    """The value of a cell, evaluating the portal's formulas (SUM over ranges, IF(d=0,"",n/d*100))."""
    value = sheet[ref].value
    if not (isinstance(value, str) and sheet[ref].data_type == "f"):
        return value
    if match := re.fullmatch(r"=SUM\((.+)\)", value):
        total = 0
        for part in match.group(1).split(","):
            cells = [c for row in sheet[part] for c in row] if ":" in part else [sheet[part]]
            for cell in cells:
                number = evaluate(sheet, cell.coordinate)
                total += number if isinstance(number, int | float | Decimal) else 0
        return total
    if match := re.fullmatch(r'=IF\(([A-Z]+\d+)=0,"",([A-Z]+\d+)/([A-Z]+\d+)\*100\)', value):
        den = evaluate(sheet, match.group(1)) or 0
        assert match.group(3) == match.group(1)
        return "" if den == 0 else evaluate(sheet, match.group(2)) / den * 100
    raise AssertionError(f"unexpected formula {value}")


@pytest.fixture(scope="module")
def workbook():
    data = periodic_report_xlsx(samples.report())
    (ARTIFACTS / "periodic_report.xlsx").write_bytes(data)
    return load_workbook(io.BytesIO(data))


def rows_by_label(sheet, column="B"):
    return {sheet[f"{column}{r}"].value: r for r in range(1, sheet.max_row + 1) if sheet[f"{column}{r}"].value}


def test_xlsx_has_one_sheet_per_table_with_title_and_merged_two_level_header(workbook):
    assert workbook.sheetnames == ["Kết quả giảm nghèo", "Tín dụng"]
    sheet = workbook["Kết quả giảm nghèo"]
    assert sheet["A1"].value == samples.REVIEW_TABLE.title.upper()
    assert sheet["A2"].value == samples.REVIEW_TABLE.subtitle
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:I1", "A4:A5", "B4:B5", "C4:C5", "D4:E4", "F4:G4", "H4:I4"} <= merged
    assert (sheet["D4"].value, sheet["D5"].value, sheet["E5"].value) == ("Hộ nghèo đầu kỳ", "Số hộ", "Tỷ lệ (%)")
    assert sheet.print_title_rows == "$4:$5" and sheet.page_setup.orientation == "landscape"


def test_xlsx_totals_and_subtotals_are_formulas_that_add_up_the_rows(workbook):
    sheet = workbook["Kết quả giảm nghèo"]
    rows = rows_by_label(sheet)
    total_row = rows_by_label(sheet, "A")["Tổng cộng"]
    units = samples.URBAN + samples.RURAL
    for letter, key in (("C", "households"), ("D", "poor_start"), ("F", "escaped"), ("G", "new"), ("H", "poor_end")):
        cell = sheet[f"{letter}{total_row}"]
        assert cell.data_type == "f" and cell.value.startswith("=SUM(")
        assert evaluate(sheet, cell.coordinate) == sum(u.values[key] for u in units)
        rural = sheet[f"{letter}{rows['Cộng nông thôn']}"]
        assert rural.data_type == "f"
        assert evaluate(sheet, rural.coordinate) == sum(u.values[key] for u in samples.RURAL)
        assert evaluate(sheet, f"{letter}{rows['Cộng thành thị']}") == samples.URBAN[0].values[key]
    # Ratios: formulas over the row's own cells, 1.647 / 10.375 = 15,87 %.
    rate = sheet[f"E{total_row}"]
    assert rate.data_type == "f" and rate.number_format == PERCENT_FORMAT
    assert evaluate(sheet, rate.coordinate) == pytest.approx(1647 / 10375 * 100)
    assert evaluate(sheet, f"I{rows['Xã Uar']}") == pytest.approx(327 / 1120 * 100)


def test_xlsx_numbers_are_numbers_with_vietnamese_formats(workbook):
    sheet = workbook["Tín dụng"]
    rows = rows_by_label(sheet)
    poor = rows["Cho vay hộ nghèo"]
    assert sheet[f"C{poor}"].value == 269 and sheet[f"C{poor}"].number_format == INTEGER_FORMAT
    assert sheet[f"G{poor}"].value == 13_450_000_000 and sheet[f"G{poor}"].number_format == LARGE_INTEGER_FORMAT
    # A ratio with a zero denominator is empty, not a division error.
    assert evaluate(sheet, f"F{rows['Cho vay hộ cận nghèo']}") == ""
    total = rows_by_label(sheet, "A")["Tổng cộng"]
    assert evaluate(sheet, f"G{total}") == 13_450_000_000 + 18_300_000_000 + 5_160_000 + 850
    assert sheet[f"G{total}"].number_format == LARGE_INTEGER_FORMAT
    # "Tổng số hộ nghèo" is not added up (total=False), so neither is its ratio.
    assert sheet[f"E{total}"].value is None


def test_xlsx_writes_a_printed_figure_that_is_not_a_sum_as_it_is():
    """A subtotal the builder counted otherwise (households counted once) stays the printed number."""
    table = samples.REVIEW_TABLE
    rows = list(table.rows)
    index = next(i for i, r in enumerate(rows) if r.subtotal and r.values["name"] == "Cộng nông thôn")
    rows[index] = TableRow({**rows[index].values, "poor_end": 1380}, subtotal=True)
    doc = samples.report(appendices=(dataclasses.replace(table, rows=tuple(rows)),))
    sheet = load_workbook(io.BytesIO(periodic_report_xlsx(doc))).active
    cell = sheet[f"H{rows_by_label(sheet)['Cộng nông thôn']}"]
    assert cell.value == 1380 and cell.data_type == "n"


def test_xlsx_keeps_officers_text_that_looks_like_a_formula_as_text():
    table = samples.REVIEW_TABLE
    rows = [TableRow({**r.values, "name": EVIL}) if r.values.get("name") == "Xã Uar" else r for r in table.rows]
    doc = samples.report(appendices=(dataclasses.replace(table, rows=tuple(rows), title=EVIL),))
    sheet = load_workbook(io.BytesIO(periodic_report_xlsx(doc))).active
    names = [sheet[f"B{r}"] for r in range(1, sheet.max_row + 1) if sheet[f"B{r}"].value == EVIL]
    assert names and all(c.data_type == "s" and c.quotePrefix for c in names)
    assert sheet["A1"].data_type == "s"
    # The sheet's own formulas are still formulas.
    assert any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_only_a_formula_value_is_written_as_a_formula():
    sheet = Workbook().active
    sheet["A1"] = Formula("=SUM(B1:B2)")
    sheet["A2"] = "=SUM(B1:B2)"
    assert sheet["A1"].data_type == "f" and sheet["A1"].value == "=SUM(B1:B2)"
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    with pytest.raises(ValueError):
        Formula("SUM(B1:B2)")


def test_report_without_appendices_gives_a_workbook_that_says_so():
    sheet = load_workbook(io.BytesIO(periodic_report_xlsx(samples.report(appendices=())))).active
    assert sheet["A1"].value == "Báo cáo không có biểu kèm theo."
