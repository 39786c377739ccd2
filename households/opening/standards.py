"""The poverty standard a list names, and whether it fits the list's decision date."""

import re
from datetime import date

from django.utils.translation import gettext as _

from ..models import PovertyStandard

# --- the standards ------------------------------------------------------------------------------------------------

DOCUMENT_RE = re.compile(r"(\d+)\s*/\s*(\d{4})")
CODE_RE = re.compile(r"^[A-Z]+0*(\d+)_(\d{4})$")


def _standard_key(standard: PovertyStandard) -> tuple[int, int] | None:
    match = CODE_RE.match(standard.code)
    return (int(match[1]), int(match[2])) if match else None


def standard_from_text(text: str, standards: list[PovertyStandard]) -> PovertyStandard | None:
    """The standard an officer names by its code (QD59_2015) or its instrument (QĐ 59/2015/QĐ-TTg, NĐ 07/2021)."""
    wanted = text.strip().upper()
    for standard in standards:
        if standard.code.upper() == wanted:
            return standard
    match = DOCUMENT_RE.search(text)
    if match is None:
        return None
    key = (int(match[1]), int(match[2]))
    return next((s for s in standards if _standard_key(s) == key), None)


def standard_fits(standard: PovertyStandard, decided_on: date) -> bool:
    """A list is judged by the standard in force on its decision date or, for a list approved at the end of a year
    for the next one (QĐ 24/2021, Điều 3: the annual review ends by 14/12), on 1 January of the next year."""
    return any(
        standard.valid_from <= day and (standard.valid_to is None or day <= standard.valid_to)
        for day in (decided_on, date(decided_on.year + 1, 1, 1))
    )


def _period(standard: PovertyStandard) -> str:
    end = standard.valid_to.strftime("%d/%m/%Y") if standard.valid_to else _("nay")
    return f"{standard.valid_from:%d/%m/%Y} – {end}"
