"""The cells of an uploaded sheet after parsing, kept on the server between the preview and the confirmation.

Reading a 20.000-household workbook and parsing its two million cells cost the confirmation as much CPU as the
dry run had already spent on the same file (docs/performance.md). The dry run's parsed cells are therefore kept
beside the upload (``households.jobs``) and the confirmation starts from them; it re-runs every check that reads
the database or depends on today (docs/adr/0044):

- the villages and ethnic groups are kept *as written* and looked up again by the commit with the lookups it reads
  itself (a village renamed or moved meanwhile gives the same message as a fresh upload would);
- the other cells are kept as parsed values (text, numbers, dates, choices), which depend only on the cell;
- everything after parsing (the forms' rules, the registry's households, codes and personal IDs, the service's
  rules with today's date) runs again in the commit as it always did.

What is stored is a pickle, so it is signed with the project's secret key and tied to the upload's SHA-256, the dry
run's job and a format number; anything that does not match is ignored and the commit reads the file again.
"""

import hashlib
import hmac
import pickle
import sys
import zlib
from dataclasses import dataclass

from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from core.gcpause import cyclic_gc_paused

from .columns import BY_KEY, CellError, Lookups, cell_reader
from .workbooks import Sheet

# Bump when the stored shape or the meaning of a parsed value changes: older files are then read again.
FORMAT = 1
# Cells whose value is a row of the database: kept as written, looked up again by each run.
LOOKUP_KINDS = frozenset({"village", "ethnic"})
SALT = "households.excel.parsed"
DIGEST_SIZE = hashlib.sha256().digest_size
UNREADABLE = (
    zlib.error,
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    IndexError,
    ValueError,
    TypeError,
    EOFError,
)


@dataclass
class ParsedSheet:
    """The sheet's rows after parsing: ``(row number, values in ``columns`` order, cell errors)`` per row, the
    errors as ``((column key, message), …)``; village and ethnic-group cells as written (None when empty)."""

    columns: list[str]
    rows: list[tuple[int, tuple, tuple]]
    language: str


def parse_sheet(sheet: Sheet, language: str | None = None) -> ParsedSheet:
    """Parse every cell that needs no database; the village and ethnic-group cells are left for the lookups."""
    language = language or get_language() or "vi"
    with cyclic_gc_paused():  # two million cells (core.gcpause)
        return _parsed(sheet, language)


def _parsed(sheet: Sheet, language: str) -> ParsedSheet:
    no_lookups = Lookups({}, {}, {}, language)  # the choices' labels only: the lookup columns are not parsed here
    columns = list(sheet.columns)
    # None for the lookup columns: their cells are kept as written.
    readers = [
        (key, None if BY_KEY[key].kind in LOOKUP_KINDS else cell_reader(BY_KEY[key], no_lookups)) for key in columns
    ]
    rows = []
    for sheet_row in sheet.rows:
        raw, values, errors = sheet_row.raw, [], []
        for key, read in readers:
            cell = raw.get(key)
            if cell is None or (isinstance(cell, str) and not cell.strip()):  # is_empty
                values.append(None)
            elif read is None:
                values.append(cell)
            else:
                try:
                    values.append(read(cell))
                except CellError as error:
                    values.append(None)
                    errors.append((key, str(error)))
        rows.append((sheet_row.number, tuple(values), tuple(errors)))
    return ParsedSheet(columns, rows, language)


def _signature(payload: bytes) -> bytes:
    return salted_hmac(SALT, payload, algorithm="sha256").digest()


def parsed_dumps(parsed: ParsedSheet, *, sha256: str, job: int) -> bytes:
    """The parsed rows, compressed and signed, for the upload with this SHA-256 checked by this job."""
    stored = (FORMAT, sha256, job, parsed.language, parsed.columns, parsed.rows)
    with cyclic_gc_paused():
        payload = zlib.compress(pickle.dumps(stored, pickle.HIGHEST_PROTOCOL), 1)
    return _signature(payload) + payload


def parsed_loads(data: bytes, *, sha256: str, job: int, language: str | None = None) -> ParsedSheet | None:
    """The rows ``parsed_dumps`` stored for this upload and this job, or None if anything does not match."""
    signature, payload = data[:DIGEST_SIZE], data[DIGEST_SIZE:]
    if len(signature) != DIGEST_SIZE or not hmac.compare_digest(signature, _signature(payload)):
        return None  # not written by this portal with this key: never unpickled
    try:
        with cyclic_gc_paused():
            stored = pickle.loads(zlib.decompress(payload))
        version, stored_sha256, stored_job, stored_language, columns, rows = stored
    except UNREADABLE:
        return None
    language = language or get_language() or "vi"
    if (version, stored_sha256, stored_job, stored_language) != (FORMAT, sha256, job, language):
        return None
    # The column keys as the code spells them (interned), so that the rows' dicts are looked up by identity.
    return ParsedSheet([sys.intern(key) for key in columns], rows, stored_language)
