"""Excel workbooks for the registry: the import template, the export and the import (dry run, then commit).

One row per member; the household columns are repeated on every row of the household. The export and the
template share one column layout (``COLUMNS``), so an exported file can be imported again unchanged.

- ``columns``: the layout and how one cell is read (Vietnamese labels, dd/mm/yyyy, 1.234.567) and written;
- ``workbooks``: writing the export and the template, reading an upload into rows;
- ``parsed``: the cells after parsing, kept between the preview and the confirmation;
- ``importer``: grouping rows into households and the checks that need no database;
- ``bulk``: validating them with the registry's rules in memory and in one query per check for the whole file,
  then writing them all with ``COPY``, or nothing (STYLE.md rule 9).
"""

from .bulk import household_import
from .columns import COLUMNS, DATE_FORMAT, VND_FORMAT, Column
from .importer import ImportReport, RowError, import_summary
from .parsed import ParsedSheet, parse_sheet, parsed_dumps, parsed_loads
from .workbooks import (
    EXAMPLE_CODE,
    MAX_UPLOAD_BYTES,
    XLSX_CONTENT_TYPE,
    ImportFileError,
    Sheet,
    check_workbook,
    export_filename,
    export_queryset,
    export_workbook,
    file_digest,
    read_sheet,
    template_workbook,
)

__all__ = [
    "COLUMNS",
    "DATE_FORMAT",
    "EXAMPLE_CODE",
    "MAX_UPLOAD_BYTES",
    "VND_FORMAT",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ImportFileError",
    "ImportReport",
    "ParsedSheet",
    "RowError",
    "Sheet",
    "check_workbook",
    "export_filename",
    "export_queryset",
    "export_workbook",
    "file_digest",
    "household_import",
    "import_summary",
    "parse_sheet",
    "parsed_dumps",
    "parsed_loads",
    "read_sheet",
    "template_workbook",
]
