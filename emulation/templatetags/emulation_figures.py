"""The figures behind a verdict as an officer reads them, and the link to the households they come from."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from core import formatting
from emulation.measures import FIGURE_LABELS, REGISTRY

register = template.Library()


def _value(key: str, value) -> str:
    if isinstance(value, str) and key not in ("period", "rule", "missing"):
        return formatting.number(value, 2, trim=True) if formatting.is_number(value) else value
    if isinstance(value, int) and not isinstance(value, bool):
        return formatting.number(value)
    return "" if value is None else str(value)


@register.filter
def figure_rows(figures: dict) -> list[tuple[str, str]]:
    """[(label, value)] of a verdict's figures in a fixed order; "either rule" verdicts list each part's rows."""
    rows = []
    for index, part in enumerate(figures.get("parts", []), start=1):
        verdict = {True: _("Đạt"), False: _("Chưa đạt")}.get(part.get("met"), _("Chưa đủ số liệu"))
        rows.append((str(_("Cách tính %(n)s") % {"n": index}), str(verdict)))
        rows.extend(figure_rows(part))
        rows.append(("", ""))
    rows.extend((str(label), _value(key, figures[key])) for key, label in FIGURE_LABELS.items() if key in figures)
    return rows


@register.simple_tag
def trace_url(result, evaluation) -> str:
    """Where the households behind a verdict are listed: a household's own page, a unit's movements in the period
    compared (the transitions table, drilling down to villages and households) or its escape registrations."""
    if result.household_id:
        return reverse("households:detail", args=[result.household_id])
    figures = result.figures or {}
    periods = [figures.get("period")] + [part.get("period") for part in figures.get("parts", [])]
    period = next((p for p in periods if p), None)
    if period:
        start, _sep, end = period.partition(" – ")
        query = urlencode({"don_vi": result.unit_id, "tu_ngay": start, "den_ngay": end})
        return f"{reverse('households:transitions')}?{query}"
    return f"{reverse('households:targets')}?{urlencode({'don_vi': result.unit_id, 'nam': evaluation.year})}"


@register.filter
def measure_label(code: str) -> str:
    """The officer's name of a measure of the registry (the code itself if it is not registered any more)."""
    found = REGISTRY.get(code)
    return str(found.label) if found else code
