"""Render administrative documents to PDF: plain data in (reports.documents.data), PDF bytes out.

HTML templates under templates/reports/print/ follow NĐ 30/2020/NĐ-CP, Phụ lục I; WeasyPrint lays them out.
Nothing is fetched over the network: the only resources a document may load are the stylesheet and the
bundled fonts under static/ (see `_LocalAssetFetcher`). Documents are printed in Vietnamese whatever the
language of the request, because the official text of the form is Vietnamese (docs/adr/0009).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from . import formatting as fmt
from .data import (
    HouseholdCertificate,
    HouseholdList,
    HouseholdRow,
    Letterhead,
    MeetingMinutes,
    MemberRow,
    PeriodicReportDocument,
    PostingList,
    RecognitionDecision,
)
from .report_layout import addressees, body_blocks, cell_text, document_title, lay_out, recipient_lines

__all__ = [
    "DocumentRenderError",
    "certificates_pdf",
    "decision_pdf",
    "minutes_pdf",
    "periodic_report_pdf",
    "posting_list_pdf",
]

ASSETS_DIR = Path(settings.BASE_DIR, "static").resolve()
TEMPLATE_DIR = "reports/print"

# Certificates of large households use a smaller type so each certificate stays on its one page
# (households of up to about 25 members fit).
DENSE_CERTIFICATE_MEMBERS = 9
VERY_DENSE_CERTIFICATE_MEMBERS = 15
ROWS_KEPT_WITH_SIGN_OFF = 3  # a posted list's last rows that go with its signature block to a new page


class DocumentRenderError(RuntimeError):
    """The document could not be rendered (a missing bundled font or stylesheet, or a forbidden resource)."""


class _LocalAssetFetcher(URLFetcher):
    """Serve file: URLs inside static/ only. Anything else (http, https, data, files elsewhere) is refused,
    and with fail_on_errors a refused or missing resource stops the rendering instead of silently falling
    back to another font."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ValueError(f"Tài nguyên ngoài máy chủ bị chặn: {url}")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(ASSETS_DIR) or not path.is_file():
            raise ValueError(f"Tài nguyên không thuộc thư mục static của văn bản: {url}")
        return super().fetch(path.as_uri(), headers)


# --- Rendering --------------------------------------------------------------------------------------------


def _document(template: str, context: dict, font_config: FontConfiguration) -> Document:
    with translation.override("vi"):
        html = render_to_string(f"{TEMPLATE_DIR}/{template}", context)
    return _render_html(html, font_config)


def _render_html(html: str, font_config: FontConfiguration) -> Document:
    # Names typed with a decomposing keyboard layout arrive as base letter + combining marks (NFD); composed
    # characters (NFC, TCVN 6909:2001 Unicode) print with the font's own glyphs and extract as typed.
    html = unicodedata.normalize("NFC", html)
    try:
        return HTML(string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=_LocalAssetFetcher()).render(
            font_config=font_config
        )
    except FatalURLFetchingError as exc:
        raise DocumentRenderError(f"Không tạo được văn bản PDF: {exc}") from exc


def _pdf(documents: Sequence[Document]) -> bytes:
    """Write one or more rendered documents as one PDF; each keeps its own page numbering (NĐ 30/2020,
    Phụ lục I: the pages of each appendix are numbered separately)."""
    first = documents[0]
    if len(documents) > 1:
        first = first.copy([page for doc in documents for page in doc.pages])
    return first.write_pdf()


# --- Shared pieces --------------------------------------------------------------------------------------

# Names of collective bodies printed on their own line above the unit name ("ỦY BAN NHÂN DÂN" / "XÃ IA RSAI").
_BODY_PREFIXES = ("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM")
_UNIT_WORDS = ("XÃ", "PHƯỜNG", "THỊ TRẤN", "ĐẶC KHU", "HUYỆN", "QUẬN", "THỊ XÃ", "THÀNH PHỐ", "TỈNH", "THÔN")


def issuer_lines(name: str) -> list[str]:
    """Upper-case issuer name split where a clerk would break it: "ỦY BAN NHÂN DÂN" / "XÃ IA RSAI".
    An explicit newline in the name wins."""
    text = name.strip().upper()
    if "\n" in text:
        return [line.strip() for line in text.splitlines() if line.strip()]
    for prefix in _BODY_PREFIXES:
        if text.startswith(prefix + " "):
            return [prefix, text[len(prefix) :].strip()]
    return [text]


def sentence_name(name: str) -> str:
    """ "ỦY BAN NHÂN DÂN XÃ IA RSAI" -> "Ủy ban nhân dân xã Ia Rsai" for use inside a sentence. A name already
    written in mixed case is returned unchanged (callers that know the exact spelling pass it that way)."""
    text = " ".join(name.split())
    if text != text.upper():
        return text
    for prefix in _BODY_PREFIXES:
        if text.startswith(prefix + " "):
            rest = text[len(prefix) :].strip()
            body = prefix.capitalize()
            break
    else:
        rest, body = text, ""
    for word in _UNIT_WORDS:
        if rest.startswith(word + " "):
            rest = f"{word.lower()} {rest[len(word) :].strip().title()}"
            break
    else:
        rest = rest.title()
    return f"{body} {rest}".strip()


def _letterhead(head: Letterhead) -> dict:
    # With a parent body the header stays two lines, one name each ("ỦY BAN NHÂN DÂN HUYỆN KRÔNG PA" over
    # "ỦY BAN NHÂN DÂN XÃ IA RSAI"); alone, the issuer's name breaks after the kind of body, as on the decision.
    parent = " ".join(head.parent_issuer.split()).upper()
    return {
        "parent_lines": [parent] if parent else [],
        "issuer_lines": [" ".join(head.issuer.split()).upper()] if parent else issuer_lines(head.issuer),
        "one_line": bool(parent),
        "number_line": fmt.document_number(head) if head.number or head.symbol else "",
        "place_date": fmt.place_date(head.place, head.date),
    }


def _strip_end(text: str) -> str:
    return text.strip().rstrip(";.,:").rstrip()


def _bases(lines: Sequence[str], *, last_end: str = ".") -> list[str]:
    """Legal bases one per line, each ending ";" and the last one `last_end` (NĐ 30/2020, Phụ lục I, mục 5)."""
    cleaned = [_strip_end(line) for line in lines if line.strip()]
    return [f"{line}{';' if i < len(cleaned) - 1 else last_end}" for i, line in enumerate(cleaned)]


def _recipients(lines: Sequence[str]) -> list[str]:
    """ "- Như Điều 3;" ... "- Lưu: VT, VHXH." (NĐ 30/2020, Phụ lục I, ô số 9b)."""
    cleaned = [_strip_end(line).removeprefix("-").strip() for line in lines if line.strip()]
    return [f"- {line}{';' if i < len(cleaned) - 1 else '.'}" for i, line in enumerate(cleaned)]


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def end_mark(text: str) -> str:
    """The body's last sentence ends with "./." (NĐ 30/2020, Phụ lục III: every form closes its content so)."""
    text = text.rstrip()
    if not text or text.endswith("./."):
        return text
    return f"{text.rstrip('.;,:')}./."


def _closed(paragraphs: list[str]) -> list[str]:
    return [*paragraphs[:-1], end_mark(paragraphs[-1])] if paragraphs else paragraphs


def _closed_articles(articles: list[dict]) -> list[dict]:
    if articles:
        articles[-1]["paragraphs"] = _closed(articles[-1]["paragraphs"])
    return articles


@dataclass(frozen=True)
class _Row:
    number: str
    code: str
    head_name: str
    village: str
    members: str
    ethnic_minority: bool
    class_label: str
    deprived: str
    note: str


def _household_table(
    hlist: HouseholdList,
    *,
    note_label: str = "Ghi chú",
    note_centered: bool = False,
    landscape: bool = True,
    village: bool = False,
) -> dict:
    """Columns shown only when some row fills them. A portrait-only document (minutes) leaves out the household
    code and deprivations so the name keeps a readable width; otherwise a table with deprivations, or with code,
    village and class together, is `wide` and its page is turned landscape (NĐ 30/2020, Phụ lục I, I.2)."""
    rows: Sequence[HouseholdRow] = hlist.rows
    show_code = any(r.code for r in rows)
    # `village`: every appendix of a decision has the column, even when its households all live in one village.
    show_village = village or len({r.village for r in rows}) > 1
    # A list of one class ("Danh sách hộ nghèo") would repeat its title in every row: the column only when it varies.
    show_class = len({r.class_label for r in rows}) > 1
    show_deprived = any(r.deprived for r in rows)
    if not landscape:
        show_code = show_deprived = False
    wide = show_deprived or (show_code and show_village and show_class)
    # "STT" fits three digits; a list of thousands of households widens it so "1.001" or "11.391" stays inside.
    digits = max((len(str(r.number)) for r in rows), default=1)
    return {
        "rows": [
            _Row(
                number=str(r.number),
                code=r.code,
                head_name=r.head_name,
                village=r.village,
                members=fmt.number(r.members),
                ethnic_minority=r.ethnic_minority,
                class_label=r.class_label,
                deprived=", ".join(r.deprived),
                note=r.note,
            )
            for r in rows
        ],
        "show_code": show_code,
        "show_village": show_village,
        "show_class": show_class,
        "show_deprived": show_deprived,
        "note_label": hlist.note_label or note_label,
        "note_centered": note_centered,
        "total_colspan": 2 + show_code + show_village,
        "trailing_cols": 1 + show_class + show_deprived,
        "columns": 5 + show_code + show_village + show_class + show_deprived,
        "tail_rows": [],
        "households": fmt.number(len(rows)),
        "people": fmt.number(sum(r.members for r in rows)),
        "minority": fmt.number(sum(1 for r in rows if r.ethnic_minority)),
        "wide": wide,
        "number_class": f"numbers-{min(digits, 5)}" if digits >= 4 else "",
    }


def _roman(n: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


def _titled_tables(lists: Sequence[HouseholdList], **table_options) -> list[dict]:
    numbered = len(lists) > 1
    return [
        {
            "heading": f"{_roman(i)}. {hl.title}" if numbered else hl.title,
            "table": _household_table(hl, **table_options),
        }
        for i, hl in enumerate(lists, start=1)
    ]


# --- Documents ------------------------------------------------------------------------------------------


def minutes_context(minutes: MeetingMinutes, lists: list[dict] | None = None) -> dict:
    """The template context of the minutes whose vote tables are ``lists`` (all of them by default, or one
    batch's share: reports.documents.batches)."""
    village = fmt.in_sentence(minutes.village)
    commune = fmt.in_sentence(minutes.commune)
    opening = (
        f"Hôm nay, vào lúc {fmt.clock_time(minutes.held_at)}, {fmt.long_date(minutes.held_at.date())}, "
        f"tại {minutes.location} ({village}, {commune}), {village} tổ chức cuộc họp dân để bình xét, thống nhất "
        "kết quả rà soát hộ nghèo, hộ cận nghèo."
    )
    agenda = minutes.agenda or (
        "Cuộc họp đã nghe báo cáo kết quả rà soát, phân loại hộ gia đình; những người tham dự thảo luận, "
        "cho ý kiến và biểu quyết thống nhất kết quả chấm điểm, phân loại đối với từng hộ, tập trung vào các hộ "
        "nghèo, hộ cận nghèo mới phát sinh và các hộ thoát nghèo, thoát cận nghèo."
    )
    ended = f" vào lúc {fmt.clock_time(minutes.ended_at)}" if minutes.ended_at else ""
    # QĐ 24/2021, Điều 4 khoản 3: two copies, one kept by the village, one sent to the commune steering board.
    copies = f"biên bản được lập thành {minutes.copies:02d} bản"
    if minutes.copies == 2:
        copies += ", 01 bản lưu tại thôn, 01 bản gửi Ban Chỉ đạo rà soát hộ nghèo, hộ cận nghèo cấp xã"
    closing = (
        f"Cuộc họp kết thúc{ended} cùng ngày. Biên bản đã được đọc lại cho những người tham dự cùng nghe và "
        f"thống nhất; {copies}."
    )
    return {
        "document_title": f"Biên bản họp dân - {minutes.village}",
        "document_author": minutes.letterhead.issuer,
        "head": _letterhead(minutes.letterhead),
        "minutes": minutes,
        "opening": opening,
        "supervisors": "; ".join(minutes.supervisors),
        "attendees": fmt.number(minutes.attendees),
        "households_present": fmt.number(minutes.households_present),
        "agenda": agenda,
        "lists": minutes_tables(minutes) if lists is None else lists,
        "conclusion": _paragraphs(minutes.conclusion),
        "closing": end_mark(closing),
    }


def minutes_tables(minutes: MeetingMinutes) -> list[dict]:
    return _titled_tables(minutes.lists, note_label="Tỷ lệ đồng ý", note_centered=True, landscape=False)


def minutes_pdf(minutes: MeetingMinutes) -> bytes:
    """Biên bản họp dân (QĐ 24/2021/QĐ-TTg, Điều 4 khoản 3; Mẫu số 02)."""
    return _pdf([minutes_part(minutes_context(minutes))])


def minutes_part(context: dict) -> Document:
    """The minutes laid out, or one batch of a long one (reports.documents.batches): header, rows and closing as
    the context says."""
    return _document("minutes.html", context, FontConfiguration())


def title_lines(title: str) -> list[str]:
    """A title's lines (a newline in the data marks where it breaks), none ending on one word alone: the last
    two words of each line are held together with a non-breaking space."""
    lines = []
    for line in title.splitlines():
        words = line.split()
        if len(words) > 2:
            words[-2:] = [f"{words[-2]}\u00a0{words[-1]}"]
        if words:
            lines.append(" ".join(words))
    return lines


def posting_context(posting: PostingList, lists: list[dict]) -> dict:
    """The template context of a posted list whose tables are ``lists`` (all of them, or one batch's share)."""
    return {
        "title_lines": title_lines(posting.title),
        "document_title": " ".join(posting.title.split()),
        "document_author": posting.letterhead.issuer,
        "head": _letterhead(posting.letterhead),
        "posting": posting,
        "location": posting.location,
        "period": f"từ ngày {fmt.short_date(posting.starts_on)} đến ngày {fmt.short_date(posting.ends_on)}",
        "lists": lists,
        "wide": any(item["table"]["wide"] for item in lists),
        "notice_paragraphs": _closed(_paragraphs(posting.notice)),
        "recipients": _recipients(posting.recipients),
    }


def posting_tables(posting: PostingList) -> list[dict]:
    return _titled_tables(posting.lists)


def keep_last_rows_with_sign_off(item: dict) -> None:
    """The signature block never stands alone on a page: the last rows, the total, the notice and the block share
    one row group that is not split (break-inside: avoid), so a page break moves them together and the table's
    header is repeated above them."""
    table = item["table"]
    kept = ROWS_KEPT_WITH_SIGN_OFF
    table["rows"], table["tail_rows"] = table["rows"][:-kept], table["rows"][-kept:]
    item["closing"] = "reports/print/includes/posting_closing.html"


def posting_list_pdf(posting: PostingList) -> bytes:
    """Danh sách niêm yết công khai (QĐ 24/2021/QĐ-TTg, Điều 4 khoản 4)."""
    lists = posting_tables(posting)
    context = posting_context(posting, lists)
    if lists and lists[-1]["table"]["rows"]:
        keep_last_rows_with_sign_off(lists[-1])
    return _pdf([_document("posting_list.html", context, FontConfiguration())])


def posting_list_part(context: dict) -> Document:
    """One batch of a long posted list laid out (reports.documents.batches): header, rows and closing as the
    context says."""
    return _document("posting_list.html", context, FontConfiguration())


def _article(text: str) -> dict:
    paragraphs = _paragraphs(text)
    label = ""
    if paragraphs and (match := re.match(r"^(Điều\s+\d+\.)\s*(.*)$", paragraphs[0])):
        label, paragraphs[0] = match.group(1), match.group(2)
    return {"label": label, "paragraphs": paragraphs or [""]}


def decision_part(decision: RecognitionDecision, font_config: FontConfiguration | None = None) -> Document:
    """The decision itself laid out, without its appendices."""
    context = {
        "document_title": f"Quyết định {decision.letterhead.number or ''}".strip(),
        "document_author": decision.letterhead.issuer,
        "head": _letterhead(decision.letterhead),
        "decision": decision,
        "legal_bases": _bases(decision.legal_bases, last_end=";" if decision.proposal else "."),
        "proposal": f"{_strip_end(decision.proposal)}." if decision.proposal.strip() else "",
        "articles": _closed_articles([_article(text) for text in decision.articles]),
        "recipients": _recipients(decision.recipients),
    }
    return _document("decision.html", context, font_config or FontConfiguration())


def decision_appendices(decision: RecognitionDecision) -> list[dict]:
    """Each attached list as an appendix: its heading ("Phụ lục II", the list's title, "(Kèm theo Quyết định …)")
    and its table."""
    of = f" của {decision.issued_by}" if decision.issued_by else ""
    reference = f"(Kèm theo Quyết định {fmt.document_reference(decision.letterhead)}{of})"
    numbered = len(decision.lists) > 1
    return [
        {
            "appendix": {
                "label": f"Phụ lục {_roman(i)}" if numbered else "Phụ lục",
                "title": hlist.title,
                "reference": reference,
            },
            "table": _household_table(hlist, village=True),
        }
        for i, hlist in enumerate(decision.lists, start=1)
    ]


def decision_appendix_part(
    decision: RecognitionDecision,
    item: dict,
    *,
    continued: bool = False,
    first_page_number: int = 0,
    font_config: FontConfiguration | None = None,
) -> Document:
    """One appendix laid out, or one batch of its rows (reports.documents.batches): a batch after the first has no
    heading (``continued``) and numbers its pages on from the previous one (``first_page_number``)."""
    appendix, table = item["appendix"], item["table"]
    context = {
        "document_title": f"{appendix['label']} - {appendix['title']}",
        "document_author": decision.letterhead.issuer,
        "appendix": appendix,
        "table": table,
        "wide": table["wide"],
        "continued": continued,
        "first_page_number": first_page_number,
    }
    return _document("decision_appendix.html", context, font_config or FontConfiguration())


def decision_pdf(decision: RecognitionDecision) -> bytes:
    """Quyết định công nhận (QĐ 24/2021/QĐ-TTg, Điều 4 khoản 5) followed by each attached list as an
    appendix with its own page numbers; wide lists are printed landscape."""
    font_config = FontConfiguration()
    documents = [decision_part(decision, font_config)]
    documents += [
        decision_appendix_part(decision, item, font_config=font_config) for item in decision_appendices(decision)
    ]
    return _pdf(documents)


@dataclass(frozen=True)
class _MemberLine:
    number: str
    full_name: str
    ethnicity: str
    relationship: str
    male_year: str
    female_year: str
    note: str


def _member_lines(members: Sequence[MemberRow]) -> list[_MemberLine]:
    lines = []
    for i, m in enumerate(members, start=1):
        year = str(m.birth_year) if m.birth_year else ""
        lines.append(
            _MemberLine(
                number=str(i),
                full_name=m.full_name,
                ethnicity=m.ethnicity,
                relationship=m.relationship,
                male_year=year if m.sex == "male" else "",
                female_year=year if m.sex == "female" else "",
                note=m.note,
            )
        )
    return lines


def _certificate(cert: HouseholdCertificate) -> dict:
    certifier = cert.certifier or f"Chủ tịch {sentence_name(cert.letterhead.issuer)}"
    bases = [_strip_end(line) for line in cert.legal_bases if line.strip()]
    decision_ref = _strip_end(cert.decision_ref)
    if decision_ref and not any(decision_ref in line for line in bases):
        bases.append(f"Căn cứ {decision_ref}")
    # QĐ 24/2021, phụ lục (mẫu Giấy chứng nhận): the last basis runs on into "..., Chủ tịch UBND xã ... chứng nhận:".
    lines = [f"{line};" for line in bases[:-1]]
    if bases:
        lines.append(f"{bases[-1]}, {certifier} chứng nhận:")
    return {
        "head": _letterhead(cert.letterhead),
        "cert": cert,
        "year": str(cert.year),
        "bases": lines,
        "statement": "" if bases else f"{certifier} chứng nhận:",
        "id_issued_on": fmt.short_date(cert.head_id_issued_on),
        "members": _member_lines(cert.members),
        "valid_until": fmt.long_date(cert.valid_until) if cert.valid_until else "",
        "density": (
            "very-dense"
            if len(cert.members) > VERY_DENSE_CERTIFICATE_MEMBERS
            else "dense"
            if len(cert.members) > DENSE_CERTIFICATE_MEMBERS
            else ""
        ),
    }


def certificates_pdf(certificates: Sequence[HouseholdCertificate]) -> bytes:
    """Giấy chứng nhận hộ nghèo, hộ cận nghèo (QĐ 24/2021/QĐ-TTg, phụ lục), one per page, in one PDF.

    Cost grows linearly: about 0.1 s and 1.7 MB of memory per certificate while rendering, so callers printing
    hundreds at once should do it in a background job or in batches (e.g. per village)."""
    if not certificates:
        raise ValueError("Không có giấy chứng nhận nào để in.")
    first = certificates[0]
    context = {
        "document_title": "Giấy chứng nhận hộ nghèo, hộ cận nghèo",
        "document_author": first.letterhead.issuer,
        "certificates": [_certificate(cert) for cert in certificates],
    }
    return _pdf([_document("certificates.html", context, FontConfiguration())])


# --- Periodic reports ------------------------------------------------------------------------------------

DENSE_TABLE_COLUMNS = 12  # wider tables take a smaller type to fit the 257 mm of a landscape page


def _is_row_number(table, index: int) -> bool:
    column = table.columns[index]
    return index == 0 and column.kind == "text" and column.label.strip().upper() in ("TT", "STT")


def _appendix_rows(laid) -> tuple[list[list[dict]], list[dict]]:
    """Header rows and body rows of an appendix table as cells with text, class and span."""
    header_rows: list[list[dict]] = [[] for _ in range(laid.header_levels)]
    for cell in laid.header:
        header_rows[cell.row].append({"text": cell.text, "rowspan": cell.rowspan, "colspan": cell.colspan})
    table, body = laid.table, []
    for row in laid.rows:
        if row.kind == "heading":
            body.append(
                {"kind": "heading", "cells": [{"text": row.heading, "cls": "text", "colspan": len(table.columns)}]}
            )
            continue
        cells = []
        for index, column in enumerate(table.columns):
            if row.kind == "total" and laid.label_span and index < laid.label_span:
                if index == 0:
                    text = row.values.get(column.key, "")
                    cells.append({"text": text, "cls": "label", "colspan": laid.label_span})
                continue
            cls = "num" if column.kind != "text" else "stt" if _is_row_number(table, index) else "text"
            cells.append({"text": cell_text(column, row.values.get(column.key)), "cls": cls, "colspan": 1})
        body.append({"kind": row.kind, "cells": cells})
    return header_rows, body


def periodic_report_pdf(doc: PeriodicReportDocument) -> bytes:
    """Báo cáo định kỳ (NĐ 30/2020/NĐ-CP, Phụ lục III): the report on portrait pages numbered from page 2, then
    each appendix table as its own landscape document with its own page numbers and its header repeated on every
    page; "DỰ THẢO" at the top of every page of a draft."""
    font_config = FontConfiguration()
    addressee, addressee_lines = addressees(doc.recipients)
    context = {
        "document_title": document_title(doc),
        "document_author": doc.letterhead.issuer,
        "head": _letterhead(doc.letterhead),
        "doc": doc,
        "draft": doc.draft,
        "addressee": addressee,
        "addressee_lines": addressee_lines,
        "blocks": body_blocks(doc),
        "recipients": recipient_lines(doc.distribution),
    }
    documents = [_document("periodic_report.html", context, font_config)]
    numbered = len(doc.appendices) > 1
    for i, table in enumerate(doc.appendices, start=1):
        laid = lay_out(table)
        header_rows, body_rows = _appendix_rows(laid)
        appendix = {
            "label": f"Phụ lục {_roman(i)}" if numbered else "Phụ lục",
            "title": table.title,
            "reference": table.subtitle,
        }
        context = {
            "document_title": f"{appendix['label']} - {table.title}",
            "document_author": doc.letterhead.issuer,
            "draft": doc.draft,
            "appendix": appendix,
            "header_rows": header_rows,
            "body_rows": body_rows,
            "col_classes": [
                "c-stt" if _is_row_number(table, i) else "c-text" if c.kind == "text" else "c-num"
                for i, c in enumerate(table.columns)
            ],
            "note": table.note,
            "dense": len(table.columns) > DENSE_TABLE_COLUMNS,
        }
        documents.append(_document("periodic_report_appendix.html", context, font_config))
    return _pdf(documents)
