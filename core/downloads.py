"""File names and responses of every download (PDF documents, Excel workbooks): one place, one rule.

A name is ASCII so every browser and mail client keeps it: Vietnamese letters lose their marks and "Đ"/"đ" become
"D"/"d" (slugify alone drops them, since Unicode gives Đ no decomposition: "125/QĐ-UBND" became "125-q-ubnd");
words are joined by hyphens only ("/", "_" and spaces become one "-"). Every view that answers with a file
calls `pdf_response` or `xlsx_response` here; no other module writes a Content-Disposition header (a test reads
the sources and the responses of every export).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP_CONTENT_TYPE = "application/zip"
FALLBACK_STEM = "tai-lieu"


def download_name(*parts: object, ext: str) -> str:
    """ "Quyết định", "125/QĐ-UBND" and ext "pdf" -> "quyet-dinh-125-qd-ubnd.pdf"."""
    text = " ".join(str(part) for part in parts if part not in (None, ""))
    text = text.replace("Đ", "D").replace("đ", "d")
    for separator in "/_":
        text = text.replace(separator, " ")
    stem = slugify(text) or FALLBACK_STEM
    return f"{stem}.{ext.lstrip('.').lower()}"


def download_response(content: bytes, filename: str, *, content_type: str, inline: bool = False) -> HttpResponse:
    """`content` as a download named `filename` (normalised by download_name, extension kept)."""
    stem, dot, ext = filename.rpartition(".")
    name = download_name(stem, ext=ext) if dot and stem else download_name(filename, ext="bin")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    return response


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser's viewer, saved under `filename`."""
    return download_response(content, filename, content_type=PDF_CONTENT_TYPE, inline=True)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An Excel workbook to save as `filename`."""
    return download_response(content, filename, content_type=XLSX_CONTENT_TYPE)


def file_download_response(path: Path, filename: str, *, content_type: str = XLSX_CONTENT_TYPE) -> FileResponse:
    """A file on disk (a background export) streamed as a download named like every other (download_name)."""
    stem, dot, ext = filename.rpartition(".")
    name = download_name(stem, ext=ext) if dot and stem else download_name(filename, ext="xlsx")
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def streaming_download_response(chunks: Iterable[bytes], filename: str, *, content_type: str) -> StreamingHttpResponse:
    """A download written while it is sent (a ZIP of stored files), named like every other (download_name)."""
    stem, dot, ext = filename.rpartition(".")
    name = download_name(stem, ext=ext) if dot and stem else download_name(filename, ext="bin")
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
