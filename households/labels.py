"""Indicator names in the active language: the English name is data in the standards' JSON (``name_en`` beside
``name``), looked up by the standard's and the indicator's code, since a household's stored classification keeps
only the Vietnamese name it was computed with (ADR 0019)."""

import json
from functools import cache

from core.data_labels import english_active

from .reference_data import STANDARDS


@cache
def _english_names() -> dict[tuple[str, str], str]:
    data = json.loads(STANDARDS.read_text(encoding="utf-8"))
    return {
        (standard["code"], indicator["code"]): indicator["name_en"]
        for standard in data["standards"]
        for indicator in standard.get("indicators", [])
        if indicator.get("name_en")
    }


def indicator_name(standard_code: str | None, code: str, vietnamese: str) -> str:
    """The indicator's English name in English mode (any standard's, if this one has none), else ``vietnamese``."""
    if not english_active():
        return vietnamese
    names = _english_names()
    found = names.get((standard_code or "", code))
    if found is None:
        found = next((name for (_std, c), name in names.items() if c == code), None)
    return found or vietnamese
