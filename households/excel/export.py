"""The household export read as tuples and written by a streaming writer, so a province's million rows finish.

``workbooks.export_workbook`` reads model instances (a household with its prefetched members, ethnic groups and
village): at ≈ 600 rows/s a million-household province (≈ 4,3 million rows) took about two hours. Here each batch
of ``BATCH`` households is one ``values_list`` query over the scoped, filtered list (in its order) and one over their
current members, and rows go to the workbook as plain values. Two writers give the same cells:

* ``openpyxl`` write-only (the portal's other exports), and
* ``xlsxwriter`` in ``constant_memory`` mode (each row flushed to a temporary file as it is written),

``WRITER`` chooses; docs/performance.md § "Household export as a background job" compares them on the same rows.
Text that Excel would read as a formula is written as text with the quote prefix in both (core/spreadsheets.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import islice

from django.utils.translation import gettext as _

from core.exports import no_progress, tracked
from core.jobs import ProgressFn
from core.spreadsheets import is_formula_like
from households.choices import Relationship
from households.models import Member

from .columns import COLUMNS, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, cell_value, number_format

BATCH = 2000  # households per pair of queries
WRITER = "xlsxwriter"

_NAMED = {"village": "village__name", "ethnic_group": "ethnic_group__name"}
HOUSEHOLD_FIELDS = ["pk", *(_NAMED.get(c.key, c.key) for c in HOUSEHOLD_COLUMNS)]
MEMBER_FIELDS = [
    "household_id",
    "relationship",
    "date_of_birth",
    "pk",
    *(_NAMED.get(c.key, c.key) for c in MEMBER_COLUMNS),
]


def _value(column, value):
    if column.kind in ("village", "ethnic"):  # read as the name already
        return value if value not in (None, "") else None
    return cell_value(column, value)


def export_rows(households) -> Iterator[list]:
    """Yield, per household of the list (in its order), the rows of its current members (head first, then by date
    of birth), household columns repeated; a household without members gets one row. Values as written in cells."""
    stream = households.values_list(*HOUSEHOLD_FIELDS).iterator(chunk_size=BATCH)
    while batch := list(islice(stream, BATCH)):
        members: dict[int, list[tuple]] = {}
        rows = (
            Member.objects.current()
            .filter(household_id__in=[row[0] for row in batch])
            .values_list(*MEMBER_FIELDS)
            .order_by()
        )
        for member in rows:
            members.setdefault(member[0], []).append(member)
        for household in batch:
            head = [_value(c, v) for c, v in zip(HOUSEHOLD_COLUMNS, household[1:], strict=True)]
            people = sorted(members.get(household[0], ()), key=lambda m: (m[1] != Relationship.HEAD, m[2], m[3]))
            yield [
                [*head, *(_value(c, v) for c, v in zip(MEMBER_COLUMNS, person[4:], strict=True))]
                if person
                else [*head, *([None] * len(MEMBER_COLUMNS))]
                for person in (people or [None])
            ]


def write_households(
    households, *, target, progress: ProgressFn = no_progress, total: int | None = None, writer: str | None = None
) -> None:
    """Write the export of ``households`` (a scoped, filtered queryset) into ``target`` (a path or a file)."""
    groups = tracked(export_rows(households), progress, total=total)
    if (writer or WRITER) == "openpyxl":
        _write_openpyxl(groups, target)
    else:
        _write_xlsxwriter(groups, target)


def _write_openpyxl(groups, target) -> None:
    from openpyxl.cell import WriteOnlyCell

    from .workbooks import export_sheet

    workbook, sheet, formats = export_sheet()
    formatted = [i for i, fmt in enumerate(formats) if fmt]
    for rows in groups:
        for row in rows:
            for i in formatted:
                if row[i] is not None:
                    cell = WriteOnlyCell(sheet, value=row[i])
                    cell.number_format = formats[i]
                    row[i] = cell
            sheet.append(row)
    workbook.save(target)


def _write_xlsxwriter(groups, target) -> None:
    import xlsxwriter

    options = {
        "constant_memory": True,  # each row goes to a temporary file once the next one starts
        "strings_to_formulas": False,  # a typed "=…" is text, never a formula (core/spreadsheets.py)
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "in_memory": not isinstance(target, str) and not hasattr(target, "__fspath__"),  # a file object
    }
    workbook = xlsxwriter.Workbook(target, options)
    sheet = workbook.add_worksheet(_("Hộ gia đình"))
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"})
    quoted = workbook.add_format({"quote_prefix": True})
    formats = [workbook.add_format({"num_format": fmt}) if fmt else None for fmt in map(number_format, COLUMNS)]
    for index, column in enumerate(COLUMNS):
        sheet.set_column(index, index, column.width)
    sheet.freeze_panes(1, 0)
    for index, column in enumerate(COLUMNS):
        sheet.write_string(0, index, column.title, header)
    number = 0
    for rows in groups:
        for row in rows:
            number += 1
            for index, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    text_format = quoted if is_formula_like(value) else formats[index]
                    sheet.write_string(number, index, value, text_format)
                elif isinstance(value, bool):
                    sheet.write_boolean(number, index, value, formats[index])
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(number, index, float(value), formats[index])
                else:  # a date
                    sheet.write_datetime(number, index, value, formats[index])
    workbook.close()
