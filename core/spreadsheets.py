"""Excel files the portal writes: text stays text, and every sheet has a Vietnamese name.

Names, addresses, decision numbers and programme names are typed by officers or imported from their files. A
member called ``=HYPERLINK("http://…","Bấm vào đây")`` must reach the exported workbook as those characters, not
as a live formula that runs when a colleague opens the file (CSV/formula injection, OWASP). openpyxl decides in
exactly one place, ``Cell._bind_value``, that a string starting with "=" is a formula; every workbook of the
portal is written through it (our own exports in normal and write-only mode, and tablib's, which
django-import-export uses). ``install()`` wraps that one decision for the whole process: a string that starts
with one of the characters Excel or LibreOffice read as the start of a formula (=, +, -, @, tab, carriage return)
is written as a text cell with Excel's "quote prefix" (the apostrophe a user types before such text), so the
value shown is exactly what was typed and editing the cell later does not turn it into a formula either.
Numbers, dates and the rest are untouched.

The portal's own formulas (the totals and ratios of a periodic report's tables, reports.documents.xlsx) go through
one narrow door: a ``Formula`` value, which code builds from cell references it computed itself. A string never
becomes a formula, whoever wrote it; only a ``Formula`` does (docs/adr/0012).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_TITLE = 31  # Excel's limit
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")

_original_bind_value = Cell._bind_value


@dataclass(frozen=True)
class Formula:
    """A formula the portal writes on purpose, e.g. ``Formula("=SUM(C6:C9)")``. Built only by code from cell
    references it computed (never from text a user typed or imported), so the guard below lets it through as a
    live formula while every string, whatever its first character, is still written as text."""

    text: str

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or len(self.text) < 2 or not self.text.startswith("="):
            raise ValueError(f"A formula starts with '=': {self.text!r}")


def is_formula_like(value: object) -> bool:
    """Whether a spreadsheet program would read this value, typed into a cell, as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def _bind_value_as_text(cell: Cell, value) -> None:
    if isinstance(value, Formula):
        _original_bind_value(cell, value.text)  # openpyxl reads a str starting with "=" as a formula
        cell.data_type = "f"
        return
    _original_bind_value(cell, value)
    if is_formula_like(cell._value):
        cell.data_type = "s"
        cell.quotePrefix = True


def install() -> None:
    """Write formula-like strings as quoted text in every workbook this process creates (idempotent)."""
    Cell._bind_value = _bind_value_as_text


def sheet_title(text: object, fallback: str = "") -> str:
    """A worksheet name Excel accepts: without []:*?/\\, at most 31 characters, not blank."""
    title = _INVALID_TITLE.sub("-", str(text)).strip().strip("'")[:MAX_SHEET_TITLE].strip()
    return title or fallback or _("Trang 1")
