"""A periodic report laid out once for the three renderers (PDF, DOCX, XLSX), pure Python.

The body (``body_blocks``) becomes a flat list of headings, paragraphs and notes of entered figures, so the three
files print the same text in the same order. A ``Table`` (reports.documents.data) names its columns and rows;
this module decides what every renderer prints the same way: the two-level header (cells of one ``group`` merged
above, ungrouped columns spanning both header rows), which ordinary rows a subtotal adds up, the totals row, the
ratios, and the Vietnamese text of each value (1.234.567; 11,5). The XLSX renderer writes the same sums and
ratios as formulas over the same rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from . import formatting as fmt
from .data import Column, EnteredFigure, PeriodicReportDocument, Section, Table, TableRow

NUMERIC_KINDS = ("count", "money", "percent")
DECIMALS = {"count": 0, "money": 0, "percent": 1}
# Figures snapshotted as JSON carry Decimals as strings ("11.5"): such a string in a numeric column is a number.
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# A ratio printed with one decimal may differ from numerator / denominator × 100 by half a unit of that decimal.
_RATIO_TOLERANCE = Decimal("0.05")


@dataclass(frozen=True)
class HeaderCell:
    """One cell of the header grid: row 0 is the upper level, row 1 the lower; spans as in HTML."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


def header_cells(columns: tuple[Column, ...]) -> tuple[int, list[HeaderCell]]:
    """(number of header rows, cells). Consecutive columns of the same non-empty ``group`` share one upper cell;
    a column without a group spans both rows. A table without groups has a one-row header."""
    levels = 2 if any(c.group for c in columns) else 1
    cells: list[HeaderCell] = []
    i = 0
    while i < len(columns):
        column = columns[i]
        if levels == 1 or not column.group:
            cells.append(HeaderCell(column.label, 0, i, rowspan=levels))
            i += 1
            continue
        j = i
        while j + 1 < len(columns) and columns[j + 1].group == column.group:
            j += 1
        cells.append(HeaderCell(column.group, 0, i, colspan=j - i + 1))
        cells.extend(HeaderCell(columns[k].label, 1, k) for k in range(i, j + 1))
        i = j + 1
    return levels, cells


def number_value(value) -> int | Decimal | None:
    """The numeric value of a cell (int, Decimal, float or a plain number string), or None (empty or text)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str) and _PLAIN_NUMBER.match(value.strip()):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return int(number) if number == number.to_integral_value() and "." not in value else number
    return None


def ratio(numerator, denominator) -> Decimal | None:
    """numerator / denominator × 100 with one decimal, half up; None when either is missing or the denominator 0."""
    num, den = number_value(numerator), number_value(denominator)
    if num is None or not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ratio_agrees(given, numerator, denominator) -> bool:
    """Whether a printed ratio is numerator / denominator × 100 (so a formula may stand in for it)."""
    num, den, value = number_value(numerator), number_value(denominator), number_value(given)
    if num is None or den is None:
        return False
    if not den:
        return value is None
    return value is not None and abs(Decimal(value) - Decimal(num) * 100 / Decimal(den)) <= _RATIO_TOLERANCE


def cell_text(column: Column, value) -> str:
    """The printed text of a value: 1.234.567 for counts and money, 11,5 for percentages, text as given."""
    number = number_value(value) if column.kind in NUMERIC_KINDS else None
    if number is None:
        return "" if value is None else str(value)
    return fmt.number(number, DECIMALS[column.kind])


@dataclass
class LaidOutRow:
    """A row as the renderers print it. ``kind`` is "heading", "row", "subtotal" or "total"; ``covers`` are the
    indices (in ``LaidOutTable.rows``) of the ordinary rows a subtotal or the total adds up."""

    kind: str
    values: dict
    heading: str = ""
    covers: list[int] = field(default_factory=list)


@dataclass
class LaidOutTable:
    table: Table
    header_levels: int
    header: list[HeaderCell]
    rows: list[LaidOutRow]
    label_span: int  # leading text columns the totals row's label spans (0: the label is not printed)

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.table.columns


def _sum(column: Column, rows: list[LaidOutRow]):
    numbers = [number_value(r.values.get(column.key)) for r in rows]
    numbers = [n for n in numbers if n is not None]
    return sum(numbers) if numbers else None


def _group_of(index: int, rows: list[TableRow]) -> list[int]:
    """The ordinary rows a subtotal at ``index`` adds up: those above it back to the previous heading or subtotal;
    when there are none (a subtotal printed first, under its heading), those below it up to the next one."""

    def run(indices) -> list[int]:
        found = []
        for i in indices:
            if rows[i].heading or rows[i].subtotal:
                break
            found.append(i)
        return found

    return sorted(run(range(index - 1, -1, -1))) or run(range(index + 1, len(rows)))


def lay_out(table: Table) -> LaidOutTable:
    """Header grid, rows with what each subtotal covers, and the totals row (when ``total_label``): summed columns
    are the sum of the ordinary rows, ratio columns the ratio of the two totals, other columns empty."""
    levels, header = header_cells(table.columns)
    rows = [
        LaidOutRow(
            kind="heading" if r.heading else "subtotal" if r.subtotal else "row",
            values=dict(r.values),
            heading=r.heading,
            covers=_group_of(i, list(table.rows)) if r.subtotal and not r.heading else [],
        )
        for i, r in enumerate(table.rows)
    ]
    label_span = 0
    for column in table.columns:
        if column.kind != "text":
            break
        label_span += 1
    if table.total_label:
        ordinary = [i for i, r in enumerate(rows) if r.kind == "row"]
        values: dict = {}
        for column in table.columns:
            # Percentages are never added up: only a ratio column has a total (the ratio of the two totals).
            if column.kind in ("count", "money") and column.total and not column.ratio_of:
                values[column.key] = _sum(column, [rows[i] for i in ordinary])
        for column in table.columns:
            if column.ratio_of:
                values[column.key] = ratio(values.get(column.ratio_of[0]), values.get(column.ratio_of[1]))
        if label_span:
            values[table.columns[0].key] = table.total_label
        rows.append(LaidOutRow(kind="total", values=values, covers=ordinary))
    return LaidOutTable(table=table, header_levels=levels, header=header, rows=rows, label_span=label_span)


# --- Body -------------------------------------------------------------------------------------------------

# Typed figures (reports.IndicatorValue) are listed under the section whose text relies on them, as a note in
# the register of a footnote: a signed report reads as prose, and a "(*)" after a number inside the narrative
# cannot be placed reliably (staff edit the text and the same number may appear twice), while a note naming each
# figure, its value and its source keeps every number traceable without interrupting the text.
ENTERED_HEADING = "(*) Số liệu do đơn vị nhập, không tính từ dữ liệu hộ gia đình:"


@dataclass(frozen=True)
class Block:
    """One printed unit of the body. ``kind``: "heading" (with ``level`` 1, 2, 3…), "paragraph", "item" (a
    paragraph starting "- " or "+ "), "entered_heading" or "entered" (one typed figure)."""

    kind: str
    text: str
    level: int = 0


def entered_note(figure: EnteredFigure) -> str:
    """One typed figure as printed under its section: "- Số lớp dạy nghề đăng ký mở: 41 lớp (nguồn: …)"."""
    measure = f" {figure.measure}" if figure.measure else ""
    source = f" (nguồn: {figure.source.strip().rstrip('.')})" if figure.source.strip() else ""
    return f"- {figure.label}: {figure.value}{measure}{source}"


def _section_blocks(section: Section, level: int) -> list[Block]:
    blocks = [Block("heading", section.heading.strip(), level)] if section.heading.strip() else []
    for text in section.paragraphs:
        for line in text.splitlines():
            if line.strip():
                kind = "item" if line.lstrip().startswith(("- ", "+ ")) else "paragraph"
                blocks.append(Block(kind, line.strip(), level))
    if section.entered:
        blocks.append(Block("entered_heading", ENTERED_HEADING, level))
        blocks.extend(Block("entered", entered_note(figure), level) for figure in section.entered)
    for sub in section.subsections:
        blocks.extend(_section_blocks(sub, level + 1))
    return blocks


def body_blocks(doc: PeriodicReportDocument) -> list[Block]:
    """Preamble, sections (depth first) and the closing sentence ending "./." (NĐ 30/2020, Phụ lục III)."""
    blocks = [Block("paragraph", p.strip()) for text in doc.preamble for p in text.splitlines() if p.strip()]
    for section in doc.sections:
        blocks.extend(_section_blocks(section, 1))
    if doc.closing.strip():
        blocks.append(Block("paragraph", end_mark(doc.closing)))
    return blocks


def end_mark(text: str) -> str:
    """The body's last sentence ends with "./." (NĐ 30/2020, Phụ lục III: every form closes its content so)."""
    text = text.rstrip()
    if not text or text.endswith("./."):
        return text
    return f"{text.rstrip('.;,:/')}./."


def _strip_end(text: str) -> str:
    return text.strip().rstrip(";.,:").rstrip()


def recipient_lines(lines) -> list[str]:
    """ "- Như trên;" ... "- Lưu: VT, VHXH." (NĐ 30/2020, Phụ lục I, ô số 9b)."""
    cleaned = [_strip_end(line).removeprefix("-").strip() for line in lines if line.strip()]
    return [f"- {line}{';' if i < len(cleaned) - 1 else '.'}" for i, line in enumerate(cleaned)]


def addressees(recipients) -> tuple[str, list[str]]:
    """ "Kính gửi:" block (NĐ 30/2020, Phụ lục I, ô số 9a): one addressee on the same line ("Kính gửi: Sở …."),
    several as a dash list under it. Returns (first line, list lines)."""
    cleaned = [_strip_end(line).removeprefix("-").strip() for line in recipients if line.strip()]
    if len(cleaned) <= 1:
        return (f"Kính gửi: {cleaned[0]}." if cleaned else ""), []
    return "Kính gửi:", [f"- {line}{';' if i < len(cleaned) - 1 else '.'}" for i, line in enumerate(cleaned)]


def roman(n: int) -> str:
    """1 -> "I", 4 -> "IV": appendices are numbered in Roman numerals (NĐ 30/2020, Phụ lục I, phần III)."""
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def document_title(doc: PeriodicReportDocument) -> str:
    kind = doc.document_type.capitalize()
    return f"{kind} {doc.letterhead.number} - {doc.abstract}" if doc.letterhead.number else f"{kind} - {doc.abstract}"
