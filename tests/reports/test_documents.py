"""PDF documents (reports.documents.render): text extracted with pdftotext, page sizes with pdfinfo, fonts with
pdffonts, and page 1 of each rendered to test-artifacts/documents/ for a look."""

import dataclasses
import datetime
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from weasyprint.text.fonts import FontConfiguration

from reports.documents import render
from reports.documents.data import HouseholdList, HouseholdRow, MemberRow

from . import samples

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdftoppm", "pdffonts")),
    reason="poppler-utils is installed by scripts/bootstrap.sh",
)

ARTIFACTS = Path(settings.BASE_DIR, "test-artifacts", "documents")
A4_PORTRAIT = "595.276 x 841.89 pts (A4)"
A4_LANDSCAPE = "841.89 x 595.276 pts (A4)"


class Pdf:
    """A rendered PDF on disk with poppler helpers."""

    def __init__(self, data: bytes, name: str):
        assert data.startswith(b"%PDF-")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.path = ARTIFACTS / f"{name}.pdf"
        self.path.write_bytes(data)
        # First page as an image, to look at (every document is looked at before it ships).
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", self.path, ARTIFACTS / name],
            check=True,
        )

    def text(self, page: int | None = None) -> str:
        """Extracted text with whitespace collapsed (justified lines add spaces)."""
        pages = ["-f", str(page), "-l", str(page)] if page else []
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", *pages, self.path, "-"], capture_output=True, text=True, check=True
        ).stdout
        return " ".join(out.split())

    def layout_lines(self, page: int) -> list[str]:
        """Page text laid out in columns (pdftotext -layout), to check which column a value sits in."""
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-layout", "-f", str(page), "-l", str(page), self.path, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return out.splitlines()

    def page_sizes(self) -> list[str]:
        out = subprocess.run(
            ["pdfinfo", "-f", "1", "-l", "9999", self.path], capture_output=True, text=True, check=True
        ).stdout
        return [
            line.split("size:", 1)[1].strip()
            for line in out.splitlines()
            if line.startswith("Page ") and "size:" in line
        ]

    def fonts(self) -> set[str]:
        out = subprocess.run(["pdffonts", self.path], capture_output=True, text=True, check=True).stdout
        return {line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()}


NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def assert_contains(text: str, *needles: str) -> None:
    missing = [n for n in needles if n not in text]
    assert not missing, f"missing {missing} in: {text[:600]}"


# --- Meeting minutes --------------------------------------------------------------------------------------


def test_minutes_pdf():
    pdf = Pdf(render.minutes_pdf(samples.minutes()), "minutes")
    text = pdf.text()
    assert_contains(
        text,
        *NATIONAL,
        "ỦY BAN NHÂN DÂN XÃ IA RSAI",
        "BUÔN CHƯ TÊ",
        "Ia RSai, ngày 05 tháng 10 năm 2026",
        "BIÊN BẢN HỌP DÂN",
        "Về việc bình xét, thống nhất kết quả rà soát hộ nghèo, hộ cận nghèo",
        "vào lúc 08 giờ 00 phút, ngày 05 tháng 10 năm 2026, tại nhà văn hóa cộng đồng (buôn Chư Tê, xã Ia RSai), "
        "buôn Chư Tê tổ chức cuộc họp dân",
        "Chủ trì: Ksor Y Blôk - Trưởng buôn",
        "Thư ký: Rơ Mah H'Nhi",
        "Bà Nay H'Mai - Chủ tịch Ủy ban Mặt trận Tổ quốc xã",
        "Số người tham dự: 26 người, đại diện cho 24 hộ gia đình",
        "Tỷ lệ đồng ý",
        "Ksor H'Blơi",
        "Rơ Chăm Y Đuen",
        "Nguyễn Thị Hồng Nhung",
        "92,3 %",
        "61,5 %",
        "Tổng cộng: 5 hộ",
        "kết thúc vào lúc 10 giờ 30 phút",
        "lập thành 02 bản",
        "Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo cấp xã./.",
        "THƯ KÝ",
        "CHỦ TRÌ",
        "(Ký, ghi rõ họ tên)",
    )
    # Minutes are portrait only: the household code is left out to keep the names readable.
    assert "24079-01-0007" not in text
    assert set(pdf.page_sizes()) == {A4_PORTRAIT}


def test_signatures_never_stand_alone_on_the_last_page():
    # Whatever the length of the conclusion, the signature block takes at least the last lines of the text
    # with it to a new page. The lengths span more than a page, so the break falls at every point of the block.
    for paragraphs in range(12, 46, 3):
        conclusion = "\n".join(
            ["Cuộc họp thống nhất kết quả bình xét của từng hộ gia đình trong danh sách."] * paragraphs
        )
        pdf = Pdf(render.minutes_pdf(dataclasses.replace(samples.minutes(), conclusion=conclusion)), "minutes_long")
        last = pdf.text(len(pdf.page_sizes()))
        before_signatures = last.split("THƯ KÝ")[0]
        assert any(word in before_signatures for word in ("Cuộc họp", "bản", "xã./.")), (paragraphs, last[:120])


# --- Posting list -----------------------------------------------------------------------------------------


def test_posting_list_pdf_turns_landscape_for_deprivations():
    pdf = Pdf(render.posting_list_pdf(samples.posting_list()), "posting_list")
    text = pdf.text()
    assert_contains(
        text,
        *NATIONAL,
        "Số: 45/TB-UBND",
        "Ia RSai, ngày 08 tháng 10 năm 2026",
        "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO NIÊM YẾT CÔNG KHAI",
        "Địa điểm niêm yết: Trụ sở Ủy ban nhân dân xã Ia RSai và nhà văn hóa Buôn Chư Tê",
        "Thời gian niêm yết: từ ngày 08/10/2026 đến ngày 12/10/2026",
        "I. Danh sách hộ nghèo",
        "II. Danh sách hộ cận nghèo",
        "IV. Danh sách hộ thoát cận nghèo",
        "(Không có hộ nào)",
        "Ksor H'Blơi",
        "Rơ Chăm Y Đuen",
        "Nguyễn Thị Hồng Nhung",
        "Việc làm, Nhà ở",
        "24079-01-0007",
        "để được phúc tra theo quy định./.",
        "TM. ỦY BAN NHÂN DÂN",
        "Nguyễn Văn Hùng",
    )
    assert set(pdf.page_sizes()) == {A4_LANDSCAPE}


def test_posting_list_without_deprivations_stays_portrait():
    plain = tuple(dataclasses.replace(r, deprived=(), code="") for r in samples.POOR)
    posting = dataclasses.replace(samples.posting_list(), lists=(HouseholdList("Danh sách hộ nghèo", plain),))
    pdf = Pdf(render.posting_list_pdf(posting), "posting_list_portrait")
    assert set(pdf.page_sizes()) == {A4_PORTRAIT}
    assert_contains(pdf.text(), "Danh sách hộ nghèo", "Tổng cộng: 3 hộ", "Thôn Quý Đức")


# --- Decision with appendices -----------------------------------------------------------------------------


def test_decision_pdf_with_appendices():
    pdf = Pdf(render.decision_pdf(samples.decision()), "decision")
    first = pdf.text(1)
    assert_contains(
        first,
        *NATIONAL,
        "ỦY BAN NHÂN DÂN XÃ IA RSAI",
        "Số: 212/QĐ-UBND",
        "Ia RSai, ngày 20 tháng 12 năm 2026",
        "QUYẾT ĐỊNH Về việc công nhận hộ nghèo, hộ cận nghèo năm 2026 trên địa bàn xã Ia RSai",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ IA RSAI",
        # NĐ 30/2020, Phụ lục I: each basis ends ";", the proposal ends ".".
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "giai đoạn 2022 - 2025;",
        "Theo đề nghị của công chức Văn hóa - Xã hội xã.",
        "QUYẾT ĐỊNH:",
        "Điều 1. Công nhận 03 hộ nghèo",
        "chịu trách nhiệm thi hành Quyết định này./.",
        "Nơi nhận:",
        "- Như Điều 3;",
        "- Lưu: VT, VHXH.",
        "CHỦ TỊCH",
        "Nguyễn Văn Hùng",
    )
    reference = "(Kèm theo Quyết định số 212/QĐ-UBND ngày 20 tháng 12 năm 2026 của Chủ tịch Ủy ban nhân dân xã Ia RSai)"
    assert_contains(pdf.text(2), "Phụ lục I", "DANH SÁCH HỘ NGHÈO NĂM 2026", reference, "Ksor H'Blơi", "Nhà ở")
    assert_contains(pdf.text(3), "Phụ lục II", "DANH SÁCH HỘ CẬN NGHÈO NĂM 2026", reference, "Siu Thị Hằng")
    assert_contains(pdf.text(4), "Phụ lục III", "DANH SÁCH HỘ THOÁT NGHÈO NĂM 2026", reference, "Kpă Thị Ưng")
    # The poor and near-poor lists carry deprivations: landscape; the escaped list fits portrait.
    assert pdf.page_sizes() == [A4_PORTRAIT, A4_LANDSCAPE, A4_LANDSCAPE, A4_PORTRAIT]


def test_decision_single_list_is_plain_phu_luc():
    decision = samples.decision(lists=(HouseholdList("Danh sách hộ nghèo năm 2026", samples.POOR),))
    pdf = Pdf(render.decision_pdf(decision), "decision_single_list")
    appendix = pdf.text(2)
    assert appendix.startswith("Phụ lục DANH SÁCH HỘ NGHÈO NĂM 2026")
    assert "Phụ lục I" not in appendix


def test_page_numbers_top_centre_not_on_first_page_and_restart_per_appendix():
    rows = tuple(
        HouseholdRow(i, f"24079-01-{i:04d}", f"Nguyễn Văn Hộ {i}", "Buôn Chư Tê" if i % 2 else "Thôn Quý Đức", 4,
                     bool(i % 3), "Hộ nghèo", ("Việc làm",))
        for i in range(1, 61)
    )  # fmt: skip
    long_articles = tuple(f"Điều {n}. " + "Nội dung điều khoản được trình bày đầy đủ. " * 40 for n in (1, 2, 3))
    decision = dataclasses.replace(
        samples.decision(lists=(HouseholdList("Danh sách hộ nghèo năm 2026", rows),)), articles=long_articles
    )
    pdf = Pdf(render.decision_pdf(decision), "decision_long")
    sizes = pdf.page_sizes()
    main_pages = sizes.index(A4_LANDSCAPE)
    assert main_pages >= 2 and len(sizes) - main_pages >= 2
    # NĐ 30/2020, Phụ lục I: page 1 shows no number; later pages start with their number.
    assert not pdf.text(1).startswith("1 ")
    assert pdf.text(2).startswith("2 ")
    # The appendix is numbered on its own: its first page has no number, its second page is "2".
    assert pdf.text(main_pages + 1).startswith("Phụ lục")
    assert pdf.text(main_pages + 2).startswith("2 ")
    text = pdf.text()
    assert "Nguyễn Văn Hộ 60" in text
    # The total is printed once, after the last row (not repeated at the foot of every page).
    assert text.count("Tổng cộng: 60 hộ") == 1
    assert text.index("Tổng cộng: 60 hộ") > text.index("Nguyễn Văn Hộ 60")


# --- Certificates -----------------------------------------------------------------------------------------


def test_certificates_pdf_one_per_page():
    certificates = [samples.certificate(15), samples.certificate(16, 12), samples.certificate(17, 20)]
    pdf = Pdf(render.certificates_pdf(certificates), "certificates")
    assert pdf.page_sizes() == [A4_PORTRAIT] * 3
    first = pdf.text(1)
    assert_contains(
        first,
        *NATIONAL,
        "ỦY BAN NHÂN DÂN XÃ IA RSAI",
        "Số: 15/GCN-HN.HCN",
        "Ia RSai, ngày 22 tháng 12 năm 2026",
        "GIẤY CHỨNG NHẬN HỘ NGHÈO, HỘ CẬN NGHÈO",
        "Năm 2026",
        "Căn cứ Nghị định số 07/2021/NĐ-CP ngày 27 tháng 01 năm 2021",
        "Căn cứ Quyết định số 212/QĐ-UBND ngày 20 tháng 12 năm 2026",
        "Chủ tịch Ủy ban nhân dân xã Ia RSai chứng nhận:",
        "Hộ gia đình ông/bà: Ksor H'Blơi",
        "Dân tộc: Gia Rai",
        "Số định danh cá nhân/CCCD: 064182001234",
        "Ngày cấp: 03/05/2021",
        "Nơi thường trú: Buôn Chư Tê, xã Ia RSai, tỉnh Gia Lai",
        "Là HỘ NGHÈO năm 2026.",
        "Quan hệ với chủ hộ",
        "Rơ Chăm Y Đuen",
        "Nguyễn Thị Hồng Nhung",
        "Nhập hộ 03/2026",
        "có giá trị đến hết ngày 31 tháng 12 năm 2026",
        "CHỦ TỊCH",
        "Nguyễn Văn Hùng",
    )
    assert "2.026" not in first
    # Member table: the year of birth sits under "Nam" for men and under "Nữ" for women.
    lines = pdf.layout_lines(1)
    header = next(line for line in lines if "Nam" in line and "Nữ" in line)
    male_col, female_col = header.index("Nam"), header.index("Nữ")
    husband = next(line for line in lines if "Rơ Chăm Y Đuen" in line and "Chồng" in line)
    head = next(line for line in lines if "Ksor H'Blơi" in line and "Chủ hộ" in line)
    assert abs(husband.index("1979") - male_col) < abs(husband.index("1979") - female_col)
    assert abs(head.index("1982") - female_col) < abs(head.index("1982") - male_col)
    daughter_in_law = next(line for line in lines if "Nguyễn Thị Hồng Nhung" in line)
    assert "Kinh" in daughter_in_law and "Con dâu" in daughter_in_law and "Nhập hộ 03/2026" in daughter_in_law
    assert_contains(pdf.text(2), "Số: 16/GCN-HN.HCN", "Ksor Y Ơn 11")
    # A household of 20 still fits on its one page.
    assert_contains(pdf.text(3), "Số: 17/GCN-HN.HCN", "Ksor Y Ơn 19", "Nguyễn Văn Hùng")


def test_member_birth_year_goes_in_the_column_of_their_sex():
    lines = render._member_lines(
        [
            MemberRow("Ksor H'Blơi", "Gia Rai", "Chủ hộ", 1982, "female"),
            MemberRow("Y Đuen", "Gia Rai", "Chồng", 1979, "male"),
        ]
    )
    assert (lines[0].male_year, lines[0].female_year) == ("", "1982")
    assert (lines[1].male_year, lines[1].female_year) == ("1979", "")


def test_certificate_statement_derived_from_issuer_when_not_given():
    cert = dataclasses.replace(samples.certificate(), certifier="", legal_bases=(), decision_ref="")
    context = render._certificate(cert)
    assert context["statement"] == "Chủ tịch Ủy ban nhân dân xã Ia Rsai chứng nhận:"


def test_no_certificates_is_refused():
    with pytest.raises(ValueError, match="Không có giấy chứng nhận"):
        render.certificates_pdf([])


# --- Fonts, escaping, no network --------------------------------------------------------------------------


def test_only_the_bundled_liberation_serif_is_embedded():
    pdf = Pdf(render.decision_pdf(samples.decision()), "decision_fonts")
    assert pdf.fonts() == {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic",
                           "Liberation-Serif-Bold-Italic"}  # fmt: skip


def test_user_data_is_escaped_and_nothing_is_fetched():
    hostile = '<img src="http://10.255.255.1/track.png"> Ksor H\'Blơi & <b>con</b>'
    cert = dataclasses.replace(samples.certificate(), head_name=hostile)
    pdf = Pdf(render.certificates_pdf([cert]), "certificate_escaped")
    assert hostile in pdf.text()


def test_a_document_asking_for_a_remote_resource_is_not_rendered():
    html = '<link rel="stylesheet" href="https://cdn.example.com/x.css"><p>Cộng hòa</p>'
    with pytest.raises(render.DocumentRenderError):
        render._render_html(html, FontConfiguration())


def test_decomposed_vietnamese_is_printed_composed():
    nfd = unicodedata.normalize("NFD", "Rơ Chăm Y Đuen Nguyễn Thị Hồng Nhung")
    cert = dataclasses.replace(samples.certificate(), head_name=nfd)
    text = Pdf(render.certificates_pdf([cert]), "certificate_nfd").text()
    assert "Hộ gia đình ông/bà: Rơ Chăm Y Đuen Nguyễn Thị Hồng Nhung" in text


@pytest.mark.parametrize(
    "url",
    ["http://example.com/style.css", "https://fonts.googleapis.com/css", "file:///etc/passwd", "data:text/css,p{}"],
)
def test_asset_fetcher_refuses_anything_outside_static(url):
    with pytest.raises(ValueError):
        render._LocalAssetFetcher().fetch(url)


def test_asset_fetcher_serves_static_files():
    response = render._LocalAssetFetcher().fetch((render.ASSETS_DIR / "css/print/documents.css").as_uri())
    try:
        assert b"@font-face" in response.read()
    finally:
        response.close()


# --- Helpers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("Ủy ban nhân dân xã Ia RSai", ["ỦY BAN NHÂN DÂN", "XÃ IA RSAI"]),
        ("ỦY BAN NHÂN DÂN HUYỆN KRÔNG PA", ["ỦY BAN NHÂN DÂN", "HUYỆN KRÔNG PA"]),
        ("Ban Chỉ đạo giảm nghèo\nxã Ia RSai", ["BAN CHỈ ĐẠO GIẢM NGHÈO", "XÃ IA RSAI"]),
        ("Buôn Chư Tê", ["BUÔN CHƯ TÊ"]),
    ],
)
def test_issuer_lines(name, lines):
    assert render.issuer_lines(name) == lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quyết định này có hiệu lực kể từ ngày ký.", "Quyết định này có hiệu lực kể từ ngày ký./."),
        ("Cuộc họp kết thúc cùng ngày", "Cuộc họp kết thúc cùng ngày./."),
        ("Đã kết thúc./.", "Đã kết thúc./."),
        ("", ""),
    ],
)
def test_end_mark(text, expected):
    assert render.end_mark(text) == expected


def test_legal_bases_and_recipients_punctuation():
    assert render._bases(["Căn cứ A;", "Căn cứ B"], last_end=".") == ["Căn cứ A;", "Căn cứ B."]
    assert render._recipients(["Như Điều 3", "- UBND tỉnh;", "Lưu: VT, VHXH."]) == [
        "- Như Điều 3;",
        "- UBND tỉnh;",
        "- Lưu: VT, VHXH.",
    ]


def test_draft_without_number_or_date_prints_blanks():
    decision = samples.decision()
    draft = dataclasses.replace(
        decision, letterhead=dataclasses.replace(decision.letterhead, number="", date=None), lists=()
    )
    text = Pdf(render.decision_pdf(draft), "decision_draft").text()
    assert_contains(text, "/QĐ-UBND", "Ia RSai, ngày tháng năm 20")
    assert datetime.date.today().strftime("%d/%m/%Y") not in text
