"""The import's cheaper paths give what the plain ones gave, on random inputs: the sheet's rows counted by a bound
before the exact count, the form data overlaid with the lookups' objects only where the cells hold them, and a row's
"has a member" worked out once."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from areas.models import AdministrativeUnit
from households.excel import workbooks
from households.excel.columns import HOUSEHOLD_COLUMNS, KEEP_WHEN_EMPTY, MEMBER_COLUMNS
from households.excel.importer import ParsedRow, _overlay
from households.models import EthnicGroup

SHEET = "xl/worksheets/sheet1.xml"
# Pieces of a worksheet's XML: rows with and without a namespace prefix and with each end the pattern accepts,
# elements whose names only start like a row's, cells, and text that looks like tags.
PIECES = [
    b"<row ",
    b"<row>",
    b"<row/>",
    b"<row\t",
    b"<row\n",
    b"<row\r",
    b"<row\x0b",
    b"<row\x0c",
    b"</row>",
    b"<x:row ",
    b"<x:row>",
    b"</x:row>",
    b"<rowBreaks>",
    b"<rows>",
    b"<c r='A1'><v>1</v></c>",
    b"&lt;row ",
    b"row ",
    b":row",
    b"<",
    b" ",
]
END = b"</worksheet>"


def sheet_archive(body: bytes) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(SHEET, b'<worksheet xmlns:x="urn:x"><sheetData>' + body)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def plain_check(archive: zipfile.ZipFile, limit: int) -> str:
    """The check before the bound: every row start counted with the regular expression, chunk by chunk."""
    rows, tail = 0, b""
    with archive.open(SHEET) as source:
        while chunk := source.read(1 << 20):
            text = tail + chunk
            cut = max(text.rfind(b"<"), 0)
            rows += len(workbooks.ROW_START.findall(text, 0, cut))
            if rows > limit:
                return "too big"
            tail = text[cut:]
    return "ok" if workbooks.SHEET_END.search(tail) else "cut short"


def fast_check(archive: zipfile.ZipFile, *, whole: bool = False) -> str:
    """The count as ``_check_sheet`` makes it now (``whole``: the whole check, its XML prologue included, for sheets
    whose beginning is well-formed XML)."""
    try:
        if whole:
            workbooks._check_sheet(archive, SHEET)
        elif workbooks._row_count_over(archive, SHEET, exact=False) and workbooks._row_count_over(
            archive, SHEET, exact=True
        ):
            return "too big"
    except workbooks.ImportFileError:
        return "too big"
    except workbooks.ParseError:
        return "cut short"
    return "ok"


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(PIECES), max_size=60),
    limit=st.integers(0, 12),
    closed=st.booleans(),
)
def test_the_rows_counted_by_a_bound_decide_as_the_exact_count(monkeypatch_module, pieces, limit, closed):
    monkeypatch_module.setattr(workbooks, "MAX_ROWS", limit)
    monkeypatch_module.setattr(workbooks, "HEADER_ROWS", 0)
    body = b"".join(pieces) + (b"</sheetData>" + END if closed else b"")
    archive = sheet_archive(body)
    assert fast_check(archive) == plain_check(archive, limit)


def test_a_large_sheet_is_counted_across_chunks(monkeypatch_module):
    """Rows spread over several of the reader's 1 MiB chunks, a tag cut by a chunk's end included."""
    row = b"<row r='1'><c><v>" + b"x" * 300 + b"</v></c></row>"
    body = row * 10_000 + b"</sheetData>" + END
    for limit in (9_999, 10_000):
        monkeypatch_module.setattr(workbooks, "MAX_ROWS", limit)
        monkeypatch_module.setattr(workbooks, "HEADER_ROWS", 0)
        archive = sheet_archive(body)
        assert fast_check(archive, whole=True) == plain_check(archive, limit) == ("too big" if limit < 10_000 else "ok")
    prefixed = body.replace(b"<row", b"<x:row").replace(b"</row", b"</x:row")
    archive = sheet_archive(prefixed)
    assert fast_check(archive, whole=True) == plain_check(archive, 10_000) == "ok"
    monkeypatch_module.setattr(workbooks, "MAX_ROWS", 9_999)
    assert fast_check(archive, whole=True) == plain_check(archive, 9_999) == "too big"


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def plain_overlay(data: dict, row_values: dict, columns) -> dict:
    """``_overlay`` as it was: any cell holding a village or an ethnic group gives its key."""
    for column in columns:
        if column.key not in row_values:
            continue
        value = row_values[column.key]
        if value is None and column.key in KEEP_WHEN_EMPTY:
            continue
        data[column.key] = value.pk if isinstance(value, AdministrativeUnit | EthnicGroup) else value
    return data


VILLAGE = AdministrativeUnit(pk=41, name="Buôn Chư Tê")
GROUP = EthnicGroup(pk=3, name="Gia-rai")


def cell_values(column):
    plain = st.none() | st.text(max_size=5) | st.integers(0, 10) | st.booleans() | st.just(date(2020, 1, 1))
    plain |= st.just(Decimal("12.5"))
    if column.kind == "village":
        return plain | st.just(VILLAGE)
    if column.kind == "ethnic":
        return plain | st.just(GROUP)
    return plain


@st.composite
def rows(draw, columns):
    values = {}
    for column in columns:
        if draw(st.booleans()):
            values[column.key] = draw(cell_values(column))
    before = {column.key: draw(st.none() | st.text(max_size=3)) for column in columns if draw(st.booleans())}
    return before, values


@settings(max_examples=300, deadline=None)
@given(data=st.data(), household=st.booleans())
def test_the_form_data_overlaid_as_before(data, household):
    columns = HOUSEHOLD_COLUMNS if household else MEMBER_COLUMNS
    before, values = data.draw(rows(columns))
    assert _overlay(dict(before), values, columns) == plain_overlay(dict(before), values, columns)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_has_member_is_the_members_cells_read_once(data):
    values = {c.key: data.draw(st.none() | st.text(max_size=2)) for c in MEMBER_COLUMNS if data.draw(st.booleans())}
    failed = {c.key for c in MEMBER_COLUMNS if data.draw(st.booleans()) and data.draw(st.booleans())}
    row = ParsedRow(2, values, failed)
    expected = any(values.get(c.key) is not None or c.key in failed for c in MEMBER_COLUMNS)
    assert row.has_member() is expected
    assert row.has_member() is expected  # the second answer is the kept one
