"""A hand-made periodic report modelled on Krông Pa's Báo cáo 209/BC-UBND (15/06/2021, seed 004), for the three
renderers: sections with list items, typed figures with their source, two appendix tables with two-level headers,
ratio columns, headings and subtotal rows. The content builders produce the same dataclasses from the records."""

import datetime
from decimal import Decimal

from reports.documents.data import (
    Column,
    EnteredFigure,
    Letterhead,
    PeriodicReportDocument,
    Section,
    Signer,
    Table,
    TableRow,
)

ISSUED_ON = datetime.date(2021, 6, 15)

DIRECTION = (
    "Nghị quyết Hội đồng nhân dân huyện năm 2021 đề ra chỉ tiêu mức giảm tỷ lệ hộ nghèo đạt từ 3% trở lên, UBND "
    "huyện đã xây dựng và giao chỉ tiêu giảm tỷ lệ hộ nghèo năm 2021 cho các xã, thị trấn thực hiện vào cuối tháng "
    "12/2020 với mức giảm tỷ lệ hộ nghèo đạt 3,0%, tương ứng với số hộ nghèo giảm 564 hộ. Đến tháng 3/2021, theo "
    "định hướng chỉ tiêu giảm nghèo tỉnh, UBND huyện đã xây dựng kế hoạch thực hiện chương trình giảm nghèo và ban "
    "hành quyết định giao chỉ tiêu giảm tỷ lệ hộ nghèo năm 2021 với mức giảm 3,30%, số hộ nghèo giảm 625 hộ."
)
REGISTRATIONS = (
    "Qua tổng hợp có 677 hộ đăng ký thoát nghèo năm 2021; tất cả 677 hộ đăng ký thoát nghèo được Đảng ủy, UBND các "
    "xã, thị trấn phân công cán bộ, công chức, đảng viên phụ trách hướng dẫn, giúp đỡ."
)
CREDIT = (
    "Qua 6 tháng triển khai, với 8 chương trình tín dụng đã cung cấp nguồn vốn vay đáp ứng nhu cầu cho 1.779 hộ, "
    "kinh phí cho vay đạt 113.000.000.000 đồng. Trong đó, có 269 hộ nghèo vay vốn, chiếm 11,5% tổng số hộ nghèo "
    "(2.342 hộ); 366 hộ cận nghèo vay vốn, chiếm 12,9% tổng số hộ cận nghèo."
)
HEALTH = (
    "Trong 6 tháng, đã cấp thẻ BHYT cho 87.394 đối tượng, trong đó: Người DTTS: 54.174 thẻ; Người kinh vùng III: "
    "9.077 thẻ; Người nghèo: 388 thẻ; Người thuộc hộ cận nghèo: 486 thẻ; các đối tượng khác 23.269 thẻ. Tỷ lệ người "
    "dân tham gia BHYT toàn huyện đạt 96,75% so với dân số của huyện (87.394 thẻ/90.330 người)."
)
FILLER = (
    "Các hội đoàn thể tiếp tục duy trì triển khai công tác truyền thông, vận động xã hội, tích cực tham gia giảm "
    "nghèo, xây dựng nông thôn mới thông qua các phong trào, các cuộc vận động của từng tổ chức hội, đoàn thể; cùng "
    "với đó là việc triển khai các hoạt động của hội hướng về cơ sở, hướng đến hội viên nghèo, hội viên có hoàn cảnh "
    "khó khăn, nắm bắt những khó khăn, tâm tư nguyện vọng để cùng phối hợp với chính quyền địa phương hỗ trợ."
)

SECTIONS = (
    Section(
        heading="I/ KẾT QUẢ THỰC HIỆN:",
        subsections=(
            Section(heading="1. Công tác chỉ đạo điều hành:", paragraphs=(DIRECTION, REGISTRATIONS), key="direction"),
            Section(
                heading="2. Công tác tuyên truyền:",
                paragraphs=(
                    "Trong 6 tháng, đã sản xuất 6 chương trình phát thanh truyền hình phát trên đài huyện; phát hành "
                    "100 tin và 50 bài về công tác giảm nghèo.",
                    FILLER,
                ),
                entered=(
                    EnteredFigure(
                        "Chương trình phát thanh, truyền hình", "6", "chương trình", "Trung tâm Văn hóa huyện"
                    ),
                    EnteredFigure(
                        "Tin, bài về giảm nghèo", "150", "tin, bài", "Trung tâm Văn hóa huyện", "Rơ Chăm Hiếu"
                    ),
                ),
                key="communication",
            ),
            Section(
                heading="3. Kết quả thực hiện một số chính sách hỗ trợ giảm nghèo:",
                subsections=(
                    Section(heading="3.1. Các chương trình tín dụng:", paragraphs=(CREDIT, FILLER)),
                    Section(heading="3.2. Hỗ trợ về y tế, khám chữa bệnh:", paragraphs=(HEALTH,)),
                    Section(
                        heading="3.7. Chính sách đào tạo nghề, giải quyết việc làm:",
                        paragraphs=(
                            "Qua rà soát, thống kê nhu cầu học nghề có 13 xã đăng ký mở 41 lớp dạy nghề với số lao "
                            "động đăng ký tham gia học nghề là 1.085 lao động.",
                        ),
                        entered=(
                            EnteredFigure(
                                "Lao động đăng ký học nghề", "1.085", "lao động", "Phòng Lao động - TB&XH huyện"
                            ),
                        ),
                    ),
                    Section(
                        heading="3.8. Một số chính sách trợ giúp khác:",
                        paragraphs=(
                            "- Hoàn thành việc tổ chức cấp gạo cứu đói Tết cho 740 hộ, 3.026 khẩu với 45.390 kg gạo.",
                            "- Thẩm định, phê duyệt và cấp kinh phí chi trả tiền điện hỗ trợ quý I, quý II năm 2021 "
                            "cho 1.997 hộ nghèo với số tiền 587.118.000 đồng.",
                            "+ Trong đó quý I: 1.001 hộ.",
                        ),
                    ),
                ),
            ),
        ),
    ),
    Section(
        heading="II. ĐÁNH GIÁ:",
        subsections=(
            Section(heading="1. Mặt đạt được:", paragraphs=("- " + FILLER, "- " + DIRECTION), key="achievements"),
            Section(heading="2. Khó khăn, hạn chế và nguyên nhân:", paragraphs=("- " + FILLER,), key="difficulties"),
        ),
    ),
    Section(
        heading="III. NHIỆM VỤ VÀ GIẢI PHÁP 6 THÁNG CUỐI NĂM 2021:",
        paragraphs=(
            "1. Quyết liệt chỉ đạo các ngành, các địa phương bám sát kế hoạch thực hiện chương trình giảm nghèo.",
            "2. " + FILLER,
        ),
        key="tasks",
    ),
    Section(
        heading="IV/ ĐỀ XUẤT, KIẾN NGHỊ:",
        paragraphs=("- Kính đề nghị UBND tỉnh phân bổ nguồn kinh phí thực hiện các dự án, tiểu dự án năm 2021.",),
        key="proposals",
    ),
)

REVIEW_COLUMNS = (
    Column("stt", "TT", kind="text", total=False),
    Column("name", "Đơn vị", kind="text", total=False),
    Column("households", "Tổng số hộ dân cư"),
    Column("poor_start", "Số hộ", group="Hộ nghèo đầu kỳ"),
    Column(
        "poor_start_rate", "Tỷ lệ (%)", kind="percent", group="Hộ nghèo đầu kỳ", ratio_of=("poor_start", "households")
    ),
    Column("escaped", "Thoát nghèo", group="Diễn biến trong kỳ"),
    Column("new", "Phát sinh", group="Diễn biến trong kỳ"),
    Column("poor_end", "Số hộ", group="Hộ nghèo cuối kỳ"),
    Column("poor_end_rate", "Tỷ lệ (%)", kind="percent", group="Hộ nghèo cuối kỳ", ratio_of=("poor_end", "households")),
)


def _unit(stt, name, households, start, escaped, new, end):
    return TableRow(
        {
            "stt": stt,
            "name": name,
            "households": households,
            "poor_start": start,
            # As snapshotted in PeriodicReport.figures: a Decimal written as a string.
            "poor_start_rate": str(round(Decimal(start * 100) / households, 1)) if households else None,
            "escaped": escaped,
            "new": new,
            "poor_end": end,
            "poor_end_rate": round(Decimal(end * 100) / households, 1) if households else None,
        }
    )


URBAN = (_unit("1", "Thị trấn Phú Túc", 4120, 61, 20, 3, 44),)
RURAL = (
    _unit("2", "Xã Ia RSai", 1712, 402, 60, 8, 350),
    _unit("3", "Xã Chư Gu", 1935, 288, 41, 5, 252),
    _unit("4", "Xã Uar", 1120, 377, 52, 2, 327),
    _unit("5", "Xã Ia Hdreh", 1488, 519, 71, 4, 452),
)


def _subtotal(label, rows):
    values = {"name": label}
    for key in ("households", "poor_start", "escaped", "new", "poor_end"):
        values[key] = sum(r.values[key] for r in rows)
    values["poor_start_rate"] = round(Decimal(values["poor_start"] * 100) / values["households"], 1)
    values["poor_end_rate"] = round(Decimal(values["poor_end"] * 100) / values["households"], 1)
    return TableRow(values, subtotal=True)


REVIEW_TABLE = Table(
    title="Tổng hợp kết quả thực hiện giảm nghèo 6 tháng đầu năm 2021",
    subtitle="(Kèm theo Báo cáo số 209/BC-UBND ngày 15/6/2021 của UBND huyện Krông Pa)",
    columns=REVIEW_COLUMNS,
    rows=(
        TableRow({}, heading="I. Khu vực thành thị"),
        *URBAN,
        _subtotal("Cộng thành thị", URBAN),
        TableRow({}, heading="II. Khu vực nông thôn"),
        *RURAL,
        _subtotal("Cộng nông thôn", RURAL),
    ),
    note="Tỷ lệ tính trên tổng số hộ dân cư của đơn vị.",
    sheet_name="Kết quả giảm nghèo",
)

CREDIT_COLUMNS = (
    Column("stt", "TT", kind="text", total=False),
    Column("programme", "Chương trình tín dụng", kind="text", total=False),
    Column("borrowers", "Tổng số", group="Số hộ vay vốn"),
    Column("poor", "Hộ nghèo", group="Số hộ vay vốn"),
    Column("poor_total", "Tổng số hộ nghèo", total=False),
    Column("share", "Tỷ lệ hộ nghèo vay vốn (%)", kind="percent", ratio_of=("poor", "poor_total")),
    Column("amount", "Số tiền cho vay (đồng)", kind="money"),
)

CREDIT_TABLE = Table(
    title="Kết quả cho vay vốn tín dụng chính sách 6 tháng đầu năm 2021",
    subtitle="(Kèm theo Báo cáo số 209/BC-UBND ngày 15/6/2021 của UBND huyện Krông Pa)",
    columns=CREDIT_COLUMNS,
    rows=(
        TableRow(
            {
                "stt": "1",
                "programme": "Cho vay hộ nghèo",
                "borrowers": 269,
                "poor": 269,
                "poor_total": 2342,
                "share": "11.5",
                "amount": 13_450_000_000,
            }
        ),
        TableRow(
            {
                "stt": "2",
                "programme": "Cho vay hộ cận nghèo",
                "borrowers": 366,
                "poor": 0,
                "poor_total": 0,
                "share": None,
                "amount": 18_300_000_000,
            }
        ),
        TableRow(
            {
                "stt": "3",
                "programme": "Cho vay nước sạch và vệ sinh môi trường",
                "borrowers": 258,
                "poor": 31,
                "poor_total": 2342,
                "share": Decimal("1.3"),
                "amount": 5_160_000,
            }
        ),
        TableRow(
            {
                "stt": "4",
                "programme": "Cho vay giải quyết việc làm",
                "borrowers": 117,
                "poor": 12,
                "poor_total": 2342,
                "share": 0.5,
                "amount": 850,
            }
        ),
    ),
    sheet_name="Tín dụng",
)

SIGNER = Signer(title="PHÓ CHỦ TỊCH", name="Nguyễn Tiến Đăng", authority="TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH")
ABSTRACT = "Kết quả thực hiện Chương trình MTQG giảm nghèo bền vững 6 tháng đầu năm 2021"
DISTRIBUTION = (
    "Như trên",
    "Sở Công thương (b/c)",
    "TT. Huyện ủy (b/c)",
    "TT. HĐND huyện (b/c)",
    "Lãnh đạo UBND huyện",
    "Văn phòng HĐND-UBND",
    "Lưu: VT, THVX",
)


def report(*, draft: bool = False, recipients=("Sở Lao động - Thương binh và Xã hội tỉnh Gia Lai",), **changes):
    values = {
        "letterhead": Letterhead(
            issuer="Ủy ban nhân dân huyện Krông Pa",
            place="Krông Pa",
            date=None if draft else ISSUED_ON,
            number="" if draft else "209/BC-UBND",
            symbol="BC-UBND",
        ),
        "abstract": ABSTRACT,
        "recipients": recipients,
        "preamble": (
            "Căn cứ văn bản số 509/KH-UBND ngày 07/5/2021 của UBND tỉnh về kế hoạch thực hiện chương trình giảm "
            "nghèo bền vững năm 2021. Thực hiện chế độ báo cáo định kỳ, UBND huyện báo cáo tình hình, kết quả thực "
            "hiện chương trình giảm nghèo bền vững 6 tháng đầu năm 2021 với các nội dung chủ yếu sau:",
        ),
        "sections": SECTIONS,
        "closing": (
            "Trên đây là kết quả thực hiện Chương trình MTQG giảm nghèo bền vững 6 tháng đầu năm 2021, UBND huyện "
            "báo cáo UBND tỉnh, Sở Lao động - TB&XH tỉnh theo dõi và chỉ đạo"
        ),
        "distribution": DISTRIBUTION,
        "signer": SIGNER,
        "appendices": (REVIEW_TABLE, CREDIT_TABLE),
        "draft": draft,
    }
    values.update(changes)
    return PeriodicReportDocument(**values)
