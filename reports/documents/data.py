"""Plain data handed to the document renderers (reports.documents.render).

Documents are a render step (STYLE.md rule 8): callers build these frozen dataclasses from scoped
querysets, snapshot them if the document is final, and pass them to a renderer that returns PDF bytes.
The renderers know nothing about models. Layout follows NĐ 30/2020/NĐ-CP, Điều 8 and Phụ lục I.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Letterhead:
    """The header block of an administrative document (NĐ 30/2020, Phụ lục I, ô số 1–4)."""

    issuer: str  # "ỦY BAN NHÂN DÂN XÃ IA RSAI" (upper case is applied by the template, pass the name as written)
    place: str  # "Ia RSai": địa danh in "<place>, ngày 05 tháng 01 năm 2026"
    date: datetime.date | None  # None prints "ngày ... tháng ... năm ..." for a draft to be filled by hand
    number: str = ""  # "12/QĐ-UBND"; empty prints "Số:      /QĐ-UBND"-style blank with `symbol`
    symbol: str = ""  # "QĐ-UBND": used for the blank number when `number` is empty
    parent_issuer: str = ""  # cơ quan chủ quản, e.g. "ỦY BAN NHÂN DÂN HUYỆN KRÔNG PA" (optional)


@dataclass(frozen=True)
class Signer:
    """Signature block (NĐ 30/2020, Điều 13): authority line, title, name."""

    title: str  # "CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / "TRƯỞNG THÔN"
    name: str  # "Nguyễn Văn A"
    # "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "Q. CHỦ TỊCH" / "" (signs in own name); one line each, separated
    # by a newline when there are two ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH": a deputy signs for the committee)
    authority: str = ""

    @property
    def authority_lines(self) -> list[str]:
        return [line.strip() for line in self.authority.splitlines() if line.strip()]


@dataclass(frozen=True)
class MemberRow:
    """One member in a certificate's member table (QĐ 24/2021, phụ lục: Giấy chứng nhận)."""

    full_name: str
    ethnicity: str
    relationship: str  # "Chủ hộ", "Vợ", "Con"...
    birth_year: int | None
    sex: str  # "male" | "female" (decides the column the year goes in)
    note: str = ""


@dataclass(frozen=True)
class HouseholdRow:
    """One household in a list (posting list, list attached to a decision, meeting minutes)."""

    number: int  # STT
    code: str
    head_name: str
    village: str
    members: int
    ethnic_minority: bool = False
    class_label: str = ""  # "Hộ nghèo" / "Hộ cận nghèo" / ...
    deprived: tuple[str, ...] = ()  # short labels of deprived indicators
    note: str = ""  # e.g. "Thoát nghèo", agreement share "85,0 %"


@dataclass(frozen=True)
class HouseholdList:
    """A titled list of households, e.g. "Danh sách hộ nghèo" (one table in a document)."""

    title: str
    rows: tuple[HouseholdRow, ...]
    note_label: str = ""  # heading of the last column; empty: "Ghi chú" ("Tỷ lệ đồng ý" in meeting minutes)


@dataclass(frozen=True)
class MeetingMinutes:
    """Biên bản họp dân (QĐ 24/2021, Mẫu số 02): village meeting that discusses the surveyed households."""

    letterhead: Letterhead  # issuer: "BAN CHỈ ĐẠO RÀ SOÁT ... THÔN ..." or the commune UBND; symbol "BB-..."
    village: str
    commune: str
    held_at: datetime.datetime
    location: str
    chair: str  # village head (trưởng thôn)
    secretary: str
    supervisors: tuple[str, ...]  # commune officers / mass organisations that supervised
    attendees: int
    lists: tuple[HouseholdList, ...]  # households discussed, with the agreement share in `note`
    conclusion: str  # free text: what the meeting concluded (paragraphs separated by newlines)
    signers: tuple[Signer, ...]  # usually secretary + chair, side by side in this order (+ household representative)
    abstract: str = "Về việc bình xét, thống nhất kết quả rà soát hộ nghèo, hộ cận nghèo"
    chair_title: str = "Trưởng thôn"
    secretary_title: str = ""
    households_present: int | None = None  # households represented, when counted
    agenda: str = ""  # what was presented; empty prints the standard sentence of QĐ 24/2021, Điều 4 khoản 3
    ended_at: datetime.datetime | None = None
    copies: int = 2  # QĐ 24/2021, Điều 4 khoản 3: two copies (village, commune steering board)


@dataclass(frozen=True)
class PostingList:
    """Niêm yết công khai (QĐ 24/2021, Điều 4 bước 4): the lists posted at the commune office and village."""

    letterhead: Letterhead
    title: str  # "DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO ... NIÊM YẾT CÔNG KHAI"
    subtitle: str  # "Thôn Buôn Ơi, xã Ia RSai — rà soát năm 2026"
    starts_on: datetime.date
    ends_on: datetime.date
    lists: tuple[HouseholdList, ...]
    signer: Signer
    location: str = ""  # "Trụ sở UBND xã Ia RSai và nhà văn hóa thôn Buôn Ơi"
    notice: str = ""  # closing paragraph(s), e.g. where and until when complaints are received
    recipients: tuple[str, ...] = ()  # Nơi nhận, as in RecognitionDecision; usually empty for a posted list


@dataclass(frozen=True)
class RecognitionDecision:
    """Quyết định công nhận hộ nghèo, hộ cận nghèo (QĐ 24/2021, Điều 4 bước 5), with attached lists."""

    letterhead: Letterhead  # symbol "QĐ-UBND"
    abstract: str  # "Về việc công nhận hộ nghèo, hộ cận nghèo năm 2026 trên địa bàn xã Ia RSai"
    authority_line: str  # "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ IA RSAI"
    legal_bases: tuple[str, ...]  # "Căn cứ ..." lines, without the trailing ";"/"."
    proposal: str  # "Theo đề nghị của ..."
    articles: tuple[str, ...]  # "Điều 1. ...", "Điều 2. ...", "Điều 3. ..." (body text, one per article)
    recipients: tuple[str, ...]  # Nơi nhận lines, without "- " and ";"; last is "Lưu: VT, ..."
    signer: Signer
    lists: tuple[HouseholdList, ...]  # appendices: "Danh sách hộ nghèo (Kèm theo Quyết định số ...)"
    issued_by: str = ""  # "Chủ tịch Ủy ban nhân dân xã Ia RSai": the "của ..." of "(Kèm theo Quyết định số ...)"


@dataclass(frozen=True)
class HouseholdCertificate:
    """Giấy chứng nhận hộ nghèo / hộ cận nghèo (QĐ 24/2021, phụ lục), number "…/GCN-HN.HCN"."""

    letterhead: Letterhead  # issuer = commune UBND; number like "15/GCN-HN.HCN"
    kind_label: str  # "HỘ NGHÈO" or "HỘ CẬN NGHÈO"
    year: int  # the year the status applies to
    legal_bases: tuple[str, ...]
    head_name: str
    head_ethnicity: str
    head_personal_id: str
    head_id_issued_on: datetime.date | None
    residence: str  # permanent residence (thôn, xã, tỉnh)
    decision_ref: str  # "Quyết định số 12/QĐ-UBND ngày 20/12/2026 của Chủ tịch UBND xã Ia RSai"
    members: tuple[MemberRow, ...]
    signer: Signer
    valid_until: datetime.date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    certifier: str = ""  # "Chủ tịch Ủy ban nhân dân xã Ia RSai"; empty: derived from letterhead.issuer


# --- Periodic reports (báo cáo định kỳ): the contract between reports.content and the three renderers ----------


@dataclass(frozen=True)
class Column:
    """A column of an appendix table. ``kind`` decides the format: "text", "count" (1.234), "money" (1.234.567),
    "percent" (11,5). ``group`` is the upper header of a two-level header (cells with the same group merge).
    A "percent" column with ``ratio_of=(numerator_key, denominator_key)`` is computed in the totals row from the
    two columns' totals (a formula in the XLSX), never summed; other numeric columns are summed when ``total``."""

    key: str
    label: str
    kind: str = "count"
    group: str = ""
    total: bool = True
    ratio_of: tuple[str, str] | None = None


@dataclass(frozen=True)
class TableRow:
    """One row: values by column key (int, Decimal, float, str or None for an empty cell). A ``heading`` row
    ("I. Khu vực thành thị") spans the table and carries no values; a ``subtotal`` row is printed in bold."""

    values: dict
    heading: str = ""
    subtotal: bool = False


@dataclass(frozen=True)
class Table:
    title: str  # "TỔNG HỢP KẾT QUẢ RÀ SOÁT HỘ NGHÈO NĂM 2026"
    columns: tuple[Column, ...]
    rows: tuple[TableRow, ...]
    subtitle: str = ""  # "(Kèm theo Báo cáo số 12/BC-UBND ngày 05/06/2026 của UBND huyện Krông Pa)"
    total_label: str = "Tổng cộng"  # empty: no totals row
    note: str = ""  # a line under the table ("Tỷ lệ tính trên tổng số hộ dân cư đầu kỳ …")
    sheet_name: str = ""  # the XLSX sheet (≤ 31 characters); empty: derived from the title


@dataclass(frozen=True)
class EnteredFigure:
    """A figure typed by staff (reports.IndicatorValue), not computed: shown with its source."""

    label: str
    value: str  # already formatted ("1.085")
    measure: str  # "lao động"
    source: str
    entered_by: str = ""


@dataclass(frozen=True)
class Section:
    """A numbered part of the body: "I/ KẾT QUẢ THỰC HIỆN:", "3.1. Các chương trình tín dụng:"… Paragraphs are
    plain text (one string per paragraph; a paragraph starting with "- " or "+ " is a list item). ``entered`` are
    the typed figures the section's text relies on, marked as entered in every file."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    subsections: tuple[Section, ...] = ()
    entered: tuple[EnteredFigure, ...] = ()
    key: str = ""  # the narrative key staff edit (reports.PeriodicReport.narrative); empty: computed text only


@dataclass(frozen=True)
class PeriodicReportDocument:
    """A báo cáo of a UBND in the NĐ 30/2020 layout: letterhead, "BÁO CÁO" and abstract, "Kính gửi", preamble,
    numbered sections, closing sentence, "Nơi nhận" and signature side by side, then landscape appendices."""

    letterhead: Letterhead  # symbol "BC-UBND"; number empty while a draft
    abstract: str  # "Kết quả thực hiện Chương trình MTQG giảm nghèo bền vững 6 tháng đầu năm 2026"
    recipients: tuple[str, ...]  # Kính gửi (one: same line; several: a dash list)
    preamble: tuple[str, ...]  # opening paragraphs ("Căn cứ …", "Thực hiện chế độ báo cáo định kỳ, …")
    sections: tuple[Section, ...]
    closing: str  # "Trên đây là … báo cáo … theo dõi và chỉ đạo./."
    distribution: tuple[str, ...]  # Nơi nhận lines without "- " and ";"; the last is "Lưu: VT, …"
    signer: Signer
    appendices: tuple[Table, ...] = ()
    draft: bool = True  # prints "DỰ THẢO" on every page
    document_type: str = "BÁO CÁO"
