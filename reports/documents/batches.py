"""Long documents laid out in batches and joined into one PDF, so memory stays flat whatever their size.

WeasyPrint keeps the layout of every page of a document in memory until the PDF is written: about 1,7 MB per
certificate page (docs/performance.md), so the 5.000 certificates of a large commune's decision would need
gigabytes in one call. Here each batch of ``CERTIFICATES_PER_BATCH`` certificates, or of ``POSTING_ROWS_PER_BATCH``
rows of a posted list, is rendered by its own WeasyPrint call and written to a temporary file; pypdf then joins the
files into one PDF. The peak is one batch's layout plus the joined file's objects, which grow with the file size
(tens of kilobytes per page), not with the layout.

A recognition decision's appendices are split the same way: the decision and each appendix keep their own page
numbers as when laid out at once, a later batch of an appendix has no heading, numbers its pages on from the previous
one and repeats the table's header row, and the appendix's total closes its last batch.

The minutes of a village meeting that voted on thousands of households are split like a posted list: the header
once, the vote table's rows on across the batches, the conclusion and the signatures in the last.

A posted list split into batches reads as one document: the first batch carries the letterhead and the title, each
later one numbers its pages on from the previous batch (NĐ 30/2020, Phụ lục I: numbers from page 2 on, top centre),
repeats the table's header row, and a list split across two batches has its title once and its total at its end;
only the last batch closes with the notice and the signature block.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from . import render
from .data import HouseholdCertificate, MeetingMinutes, PostingList, RecognitionDecision

# 100 certificates ≈ 170 MB of layout at the peak and ≈ 6–10 s: a batch a worker holds easily.
CERTIFICATES_PER_BATCH = 100
# A landscape page of a posted list holds about 15–20 rows: 2.000 rows ≈ 100–130 pages per WeasyPrint call.
POSTING_ROWS_PER_BATCH = 2000
# A decision's appendices list each household's deprivations: 1.000 such rows ≈ 100 pages, ≈ 11 s and a peak of
# ≈ 350 MB for the whole job (2.000 rows a batch: ≈ 540 MB; a commune of the million-household benchmark, 11.391
# rows, 1.105 pages).
DECISION_ROWS_PER_BATCH = 1000

Progress = Callable[[int, int], None]  # (done, total): certificates or rows written so far


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def join_pdfs(parts: list[Path], target: Path) -> int:
    """Join the PDF files ``parts`` into ``target`` (title and author of the first); returns the page count."""
    writer = PdfWriter()
    metadata = PdfReader(parts[0]).metadata or {}
    for part in parts:
        writer.append(part)
    writer.add_metadata({key: value for key, value in metadata.items() if key in ("/Title", "/Author", "/Creator")})
    with target.open("wb") as out:
        writer.write(out)
    return len(writer.pages)


def write_certificates_pdf(
    certificates: Iterable[HouseholdCertificate],
    target: Path,
    *,
    total: int,
    progress: Progress | None = None,
    per_batch: int | None = None,
) -> int:
    """Write the certificates (any iterable, read one batch at a time) one per page into ``target``; returns the
    number of pages. The same pages as ``render.certificates_pdf`` of them all."""
    per_batch = per_batch or CERTIFICATES_PER_BATCH
    done = 0
    with tempfile.TemporaryDirectory(prefix="certificates-", dir=target.parent) as folder:
        parts = []
        for batch in _chunks(certificates, per_batch):
            part = Path(folder, f"{len(parts):05d}.pdf")
            part.write_bytes(render.certificates_pdf(batch))
            parts.append(part)
            done += len(batch)
            if progress:
                progress(done, total)
        if not parts:
            raise ValueError("Không có giấy chứng nhận nào để in.")
        return join_pdfs(parts, target)


def _posting_batches(lists: list[dict], rows_per_batch: int) -> list[list[dict]]:
    """Split the tables of a posted list into batches of at most ``rows_per_batch`` rows; a table split across
    batches becomes one entry per batch, marked ``continued`` (not its first piece) and ``continues`` (not its
    last). An empty table is an entry of its own ("Không có hộ nào")."""
    batches: list[list[dict]] = [[]]
    room = rows_per_batch
    for item in lists:
        rows = item["table"]["rows"]
        start = 0
        while True:
            if room == 0:
                batches.append([])
                room = rows_per_batch
            end = min(len(rows), start + room)
            table = {**item["table"], "rows": rows[start:end], "tail_rows": [], "continues": end < len(rows)}
            batches[-1].append({**item, "table": table, "continued": start > 0})
            room -= end - start
            start = end
            if start >= len(rows):
                break
    return batches


def _in_one_call(render_pdf: Callable[[], bytes], target: Path, total: int, progress: Progress | None) -> int:
    """A document within one batch: the file of one call, as printed inside the request."""
    target.write_bytes(render_pdf())
    if progress:
        progress(total, total)
    return len(PdfReader(target).pages)


def _table_rows(batch: list[dict]) -> int:
    return sum(len(item["table"]["rows"]) + len(item["table"]["tail_rows"]) for item in batch)


def _write_parts(parts: Iterable[tuple], target: Path, *, total: int, progress: Progress | None, prefix: str) -> int:
    """Write each laid-out part, ``(document, rows)`` from ``parts`` (a generator laying out one part when asked and
    letting it go when resumed, so one part's layout is in memory at a time), to its own file, then join them into
    ``target``; returns the number of pages."""
    done = 0
    with tempfile.TemporaryDirectory(prefix=prefix, dir=target.parent) as folder:
        files = []
        for document, rows in parts:
            file = Path(folder, f"{len(files):05d}.pdf")
            file.write_bytes(document.write_pdf())
            files.append(file)
            del document
            done += rows
            if rows and progress:
                progress(done, total)
        return join_pdfs(files, target)


def write_posting_list_pdf(
    posting: PostingList,
    target: Path,
    *,
    progress: Progress | None = None,
    rows_per_batch: int | None = None,
) -> int:
    """Write the posted list into ``target`` in batches of rows; returns the number of pages. A list of at most
    ``rows_per_batch`` rows is one call of ``render.posting_list_pdf``, the very same file."""
    rows_per_batch = rows_per_batch or POSTING_ROWS_PER_BATCH
    lists = render.posting_tables(posting)
    total = sum(len(item["table"]["rows"]) for item in lists)
    if total <= rows_per_batch:
        return _in_one_call(lambda: render.posting_list_pdf(posting), target, total, progress)
    batches = _posting_batches(lists, rows_per_batch)

    def parts():
        pages = 0
        for number, batch in enumerate(batches):
            last = number == len(batches) - 1
            if last and batch[-1]["table"]["rows"]:
                render.keep_last_rows_with_sign_off(batch[-1])
            context = render.posting_context(posting, batch)
            context.update(
                continued=number > 0,
                more_parts=not last,
                first_page_number=pages + 1 if number else 0,
                wide=any(item["table"]["wide"] for item in lists),  # the same orientation in every batch
            )
            document = render.posting_list_part(context)
            pages += len(document.pages)
            yield document, _table_rows(batch)
            del document  # the next layout is not built beside this one

    return _write_parts(parts(), target, total=total, progress=progress, prefix="posting-")


def write_decision_pdf(
    decision: RecognitionDecision,
    target: Path,
    *,
    progress: Progress | None = None,
    rows_per_batch: int | None = None,
) -> int:
    """Write the recognition decision and its appendices into ``target``, each appendix in batches of rows; returns
    the number of pages. Appendices of at most ``rows_per_batch`` rows in all are one call of
    ``render.decision_pdf``, the very same file."""
    rows_per_batch = rows_per_batch or DECISION_ROWS_PER_BATCH
    appendices = render.decision_appendices(decision)
    total = sum(len(item["table"]["rows"]) for item in appendices)
    if total <= rows_per_batch:
        return _in_one_call(lambda: render.decision_pdf(decision), target, total, progress)

    def parts():
        yield render.decision_part(decision), 0
        for item in appendices:  # each appendix numbers its own pages, on across its batches
            rows, pages = item["table"]["rows"], 0
            for start in range(0, len(rows), rows_per_batch):
                end = start + rows_per_batch
                table = {**item["table"], "rows": rows[start:end], "continues": end < len(rows)}
                document = render.decision_appendix_part(
                    decision, {**item, "table": table}, continued=start > 0, first_page_number=pages + 1 if start else 0
                )
                pages += len(document.pages)
                yield document, len(table["rows"])
                del document  # the next layout is not built beside this one

    return _write_parts(parts(), target, total=total, progress=progress, prefix="decision-")


def write_minutes_pdf(
    minutes: MeetingMinutes,
    target: Path,
    *,
    progress: Progress | None = None,
    rows_per_batch: int | None = None,
) -> int:
    """Write the meeting's minutes into ``target`` in batches of rows; returns the number of pages. Minutes of at
    most ``rows_per_batch`` rows are one call of ``render.minutes_pdf``, the very same file."""
    rows_per_batch = rows_per_batch or DECISION_ROWS_PER_BATCH
    lists = render.minutes_tables(minutes)
    total = sum(len(item["table"]["rows"]) for item in lists)
    if total <= rows_per_batch:
        return _in_one_call(lambda: render.minutes_pdf(minutes), target, total, progress)
    batches = _posting_batches(lists, rows_per_batch)

    def parts():
        pages = 0
        for number, batch in enumerate(batches):
            context = render.minutes_context(minutes, batch)
            more_parts = number < len(batches) - 1
            context.update(continued=number > 0, more_parts=more_parts, first_page_number=pages + 1 if number else 0)
            document = render.minutes_part(context)
            pages += len(document.pages)
            yield document, _table_rows(batch)
            del document  # the next layout is not built beside this one

    return _write_parts(parts(), target, total=total, progress=progress, prefix="minutes-")
