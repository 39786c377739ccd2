"""A periodic report as a Word document officers edit (python-docx): the same content and layout as the PDF.

NĐ 30/2020/NĐ-CP, Phụ lục I: A4 portrait, margins 20/20/30/15 mm (top, bottom, left, right), Times New Roman
(the font every government machine has; the PDF bundles the metric-compatible Liberation Serif) 14 pt body and
13 pt header fields, page numbers centred at the top from page 2 (a "different first page" header and a PAGE
field, so Word renumbers after edits). The two-column letterhead and the "Nơi nhận" / signature block are
borderless tables, as clerks lay them out by hand; each appendix table is its own landscape section with its own
page numbers, a merged two-level header repeated on every page, and real table cells (not tabs) so officers can
correct a figure in Word.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from . import formatting as fmt
from .data import PeriodicReportDocument, Signer, Table
from .render import issuer_lines
from .report_layout import addressees, body_blocks, cell_text, document_title, lay_out, recipient_lines, roman

__all__ = ["periodic_report_docx"]

FONT = "Times New Roman"
BODY_PT = 14
A4_SHORT, A4_LONG = Mm(210), Mm(297)
# NĐ 30/2020, Phụ lục I, I.3: top 20-25, bottom 20-25, left 30-35, right 15-20 mm.
PORTRAIT_MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
# A landscape page is bound along its top edge: the binding margin goes on top (as in the PDF's @page landscape).
LANDSCAPE_MARGINS = {"top": Mm(30), "bottom": Mm(15), "left": Mm(20), "right": Mm(20)}
FIRST_LINE_INDENT = Cm(1)
DRAFT_MARK = "DỰ THẢO"


def _run(paragraph, text: str, *, size: float | None = None, bold=False, italic=False, underline=False):
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
    if size:
        run.font.size = Pt(size)
    return run


def _para(
    container,
    text: str = "",
    *,
    align=None,
    size=None,
    bold=False,
    italic=False,
    indent=None,
    after=0.0,
    before=0.0,
    caps=False,
):
    paragraph = container.add_paragraph()
    if text:
        _run(paragraph, text.upper() if caps else text, size=size, bold=bold, italic=italic)
    fmt_ = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    if indent is not None:
        fmt_.first_line_indent = indent
    fmt_.space_after, fmt_.space_before = Pt(after), Pt(before)
    return paragraph


def _short_rule(container, *, width_mm: float, column_mm: float, after: float = 0.0):
    """A centred short line: an empty paragraph with a bottom border, indented to the rule's width."""
    paragraph = container.add_paragraph()
    side = Mm(max((column_mm - width_mm) / 2, 0))
    fmt_ = paragraph.paragraph_format
    fmt_.left_indent = fmt_.right_indent = side
    fmt_.space_before, fmt_.space_after = Pt(0), Pt(after)
    fmt_.line_spacing = Pt(2)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)
    return paragraph


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _cell_paragraph(cell):
    """The cell's first (empty) paragraph, then new ones."""
    first = cell.paragraphs[0]
    return first if not first.runs and len(cell.paragraphs) == 1 else cell.add_paragraph()


def _cell_text(cell, text: str, **options):
    paragraph = _cell_paragraph(cell)
    _run(
        paragraph,
        text,
        size=options.get("size"),
        bold=options.get("bold", False),
        italic=options.get("italic", False),
        underline=options.get("underline", False),
    )
    paragraph.alignment = options.get("align", WD_ALIGN_PARAGRAPH.CENTER)
    paragraph.paragraph_format.space_after = Pt(options.get("after", 0))
    paragraph.paragraph_format.space_before = Pt(options.get("before", 0))
    return paragraph


def _widths(table, widths_mm) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _page_field(paragraph) -> None:
    """A PAGE field: Word prints the page's number and updates it when the text moves."""
    run = paragraph.add_run()
    begin, instr, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instr)
    run._r.append(end)
    run.font.size = Pt(13)


def _restart_numbering(section) -> None:
    number_type = OxmlElement("w:pgNumType")
    number_type.set(qn("w:start"), "1")
    section._sectPr.append(number_type)


def _headers(section, *, draft: bool) -> None:
    """Page number centred in the top margin from page 2 (NĐ 30/2020, Phụ lục I, I.5); "DỰ THẢO" on every page
    of a draft."""
    section.different_first_page_header_footer = True
    section.header.is_linked_to_previous = False
    section.first_page_header.is_linked_to_previous = False
    header = section.header
    number = header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number)
    for part in (section.first_page_header, section.header) if draft else ():
        mark = part.paragraphs[0] if part is section.first_page_header else part.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(mark, DRAFT_MARK, size=12, bold=True)


def _setup(section, *, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    margins = LANDSCAPE_MARGINS if landscape else PORTRAIT_MARGINS
    section.top_margin, section.bottom_margin = margins["top"], margins["bottom"]
    section.left_margin, section.right_margin = margins["left"], margins["right"]
    section.header_distance = Mm(10)


def _text_width_mm(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / Mm(1)


def _letterhead(document, doc: PeriodicReportDocument, width_mm: float) -> None:
    """Ô số 1-4 (NĐ 30/2020, Phụ lục I): issuing body and number on the left, national title, motto, place and
    date on the right, in a borderless two-column table."""
    head = doc.letterhead
    left_mm, right_mm = width_mm * 0.4 + 4, width_mm * 0.6 + 4
    table = document.add_table(rows=2, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, (left_mm, right_mm))
    left, right = table.cell(0, 0), table.cell(0, 1)
    parent = " ".join(head.parent_issuer.split()).upper()
    if parent:
        _cell_text(left, parent, size=12)
        _cell_text(left, " ".join(head.issuer.split()).upper(), size=12.5, bold=True)
    else:
        for line in issuer_lines(head.issuer):
            _cell_text(left, line, size=13, bold=True)
    _short_rule(left, width_mm=left_mm * 0.3, column_mm=left_mm)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12.5, bold=True)
    _cell_text(right, "Độc lập - Tự do - Hạnh phúc", size=13.5, bold=True)
    _short_rule(right, width_mm=62, column_mm=right_mm)
    number = fmt.document_number(head) if head.number or head.symbol else ""
    _cell_text(table.cell(1, 0), number, size=13, before=6)
    _cell_text(table.cell(1, 1), fmt.place_date(head.place, head.date), size=13.5, italic=True, before=6)


def _sign_off(document, doc: PeriodicReportDocument, width_mm: float) -> None:
    """Ô số 7 and 9 side by side: "Nơi nhận:" bold italic 12 pt with 11 pt lines; authority, title, space for
    signature and seal, name."""
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (width_mm * 0.48, width_mm * 0.52))
    left, right = table.cell(0, 0), table.cell(0, 1)
    lines = recipient_lines(doc.distribution)
    if lines:
        _cell_text(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        for line in lines:
            _cell_text(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _signature(right, doc.signer)
    # Word keeps a table row on one page when its rows may not break: the block never splits.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    tr_pr.append(cant_split)


def _signature(cell, signer: Signer) -> None:
    for line in signer.authority_lines:
        _cell_text(cell, line.upper(), bold=True)
    _cell_text(cell, signer.title.upper(), bold=True)
    for _ in range(4):  # space for the signature and the seal
        _cell_text(cell, "")
    _cell_text(cell, signer.name, bold=True)


def _body(document, doc: PeriodicReportDocument) -> None:
    for block in body_blocks(doc):
        if block.kind == "heading":
            paragraph = _para(
                document,
                block.text,
                bold=True,
                italic=block.level >= 3,
                indent=FIRST_LINE_INDENT,
                align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                after=6,
            )
            paragraph.paragraph_format.keep_with_next = True
        elif block.kind in ("entered_heading", "entered"):
            # Typed figures: a footnote-like note under the section (see reports.documents.report_layout).
            _para(
                document,
                block.text,
                size=12,
                italic=True,
                indent=FIRST_LINE_INDENT,
                align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                after=1,
            )
        else:
            _para(document, block.text, indent=FIRST_LINE_INDENT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    tr_pr.append(OxmlElement("w:cantSplit"))


def _column_widths(table: Table, width_mm: float) -> list[float]:
    numeric = 24.0 if len(table.columns) <= 10 else 18.0
    fixed = {
        i: 10.0 if i == 0 and c.kind == "text" and c.label.strip().upper() in ("TT", "STT") else numeric
        for i, c in enumerate(table.columns)
        if c.kind != "text" or (i == 0 and c.label.strip().upper() in ("TT", "STT"))
    }
    free = [i for i in range(len(table.columns)) if i not in fixed]
    rest = max(width_mm - sum(fixed.values()), 30.0 * len(free))
    return [fixed.get(i, rest / len(free) if free else 0) for i in range(len(table.columns))]


def _appendix(document, table: Table, label: str, width_mm: float) -> None:
    laid = lay_out(table)
    _para(document, label, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _para(document, table.title.upper(), align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    if table.subtitle:
        _para(document, table.subtitle, align=WD_ALIGN_PARAGRAPH.CENTER, italic=True)
    _short_rule(document, width_mm=40, column_mm=width_mm, after=9)
    columns = table.columns
    size = 10 if len(columns) > 12 else 11
    grid = document.add_table(rows=laid.header_levels, cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    # Numbers take a fixed width, the row number a narrow one, the names what is left (as in the PDF).
    widths = _column_widths(table, width_mm)
    for index, width in enumerate(widths):
        grid.columns[index].width = Mm(width)
        for row in grid.rows:
            row.cells[index].width = Mm(width)
    for cell in laid.header:
        target = grid.cell(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(grid.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
        _cell_text(target, cell.text, size=size, bold=True)
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for row in grid.rows:
        _repeat_header(row)
    for row in laid.rows:
        cells = grid.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Mm(width)
        tr_pr = grid.rows[-1]._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        bold = row.kind in ("heading", "subtotal", "total")
        if row.kind == "heading":
            merged = cells[0].merge(cells[-1])
            _cell_text(merged, row.heading, size=size, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
            continue
        index = 0
        while index < len(columns):
            column = columns[index]
            if row.kind == "total" and laid.label_span and index == 0:
                target = cells[0].merge(cells[laid.label_span - 1]) if laid.label_span > 1 else cells[0]
                _cell_text(target, str(row.values.get(column.key, "")), size=size, bold=True)
                index = laid.label_span
                continue
            text = cell_text(column, row.values.get(column.key))
            if column.kind != "text":
                align = WD_ALIGN_PARAGRAPH.RIGHT
            elif index == 0 and column.label.strip().upper() in ("TT", "STT"):
                align = WD_ALIGN_PARAGRAPH.CENTER
            else:
                align = WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(cells[index], text, size=size, bold=bold, align=align)
            cells[index].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            index += 1
    if table.note:
        _para(document, table.note, size=12, italic=True, before=3)


def periodic_report_docx(doc: PeriodicReportDocument) -> bytes:
    """Báo cáo định kỳ as DOCX: the report on portrait pages, then each appendix table in a landscape section."""
    document = Document()
    document.core_properties.title = document_title(doc)
    document.core_properties.author = doc.letterhead.issuer
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    # Vietnamese letters take the font named for the "complex" and East Asian scripts in some Word versions.
    r_fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        r_fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.1

    section = document.sections[0]
    _setup(section, landscape=False)
    _headers(section, draft=doc.draft)
    width = _text_width_mm(section)

    _letterhead(document, doc, width)
    _para(document, doc.document_type.upper(), align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, before=12)
    _para(document, doc.abstract, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    _short_rule(document, width_mm=35, column_mm=width, after=12)
    first, lines = addressees(doc.recipients)
    if first:
        _para(document, first, align=WD_ALIGN_PARAGRAPH.CENTER, after=0 if lines else 9)
        for line in lines:
            paragraph = _para(document, line, after=0)
            paragraph.paragraph_format.left_indent = Mm(45)
        if lines:
            _para(document, "", after=3)
    _body(document, doc)
    _sign_off(document, doc, width)

    numbered = len(doc.appendices) > 1
    for i, table in enumerate(doc.appendices, start=1):
        section = document.add_section(WD_SECTION.NEW_PAGE)
        _setup(section, landscape=True)
        _headers(section, draft=doc.draft)
        _restart_numbering(section)
        _appendix(document, table, f"Phụ lục {roman(i)}" if numbered else "Phụ lục", _text_width_mm(section))

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
