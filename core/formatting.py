"""Numbers as Vietnamese officers write them, in the interface, the commands and the scripts (pure Python).

One helper for every number a person reads: "." groups thousands and "," separates decimals (1.234.567; 23,1;
15,6 giây), whatever the interface language — the administrative convention, like dd/mm/yyyy dates. Rounding is
half up, as people round by hand. Excel cells keep real numbers; documents use reports.documents.formatting,
which follows the same convention.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def is_number(value) -> bool:
    return _decimal(value) is not None


def number(value, places: int = 0, *, trim: bool = False) -> str:
    """1234567 -> "1.234.567"; number(23.14, 1) -> "23,1"; number(7.50, 2, trim=True) -> "7,5".

    ``trim`` drops trailing decimal zeros (and the comma when nothing is left). Anything that is not a number is
    returned as text unchanged; None and "" give "".
    """
    amount = _decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{abs(rounded):f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".")
    if trim:
        frac = frac.rstrip("0")
    if frac:
        text += "," + frac
    return f"-{text}" if rounded < 0 and (int(whole) or frac.strip("0")) else text


def decimal(value, places: int = 2) -> str:
    """A measured quantity with at most ``places`` decimals, trailing zeros dropped: 1234.5 -> "1.234,5", 8 -> "8"."""
    return number(value, places, trim=True)


def percent(value, places: int = 1) -> str:
    """12.5 -> "12,5 %" (the value is already in percent); None -> ""."""
    if _decimal(value) is None:
        return "" if value is None else str(value)
    return f"{number(value, places)} %"


def seconds(value, places: int = 1) -> str:
    """A duration for people: 15.63 -> "15,6 giây"."""
    return f"{number(value, places)} giây"
