"""``{% transition_row row total drill_query %}``: one row of the movements table, written in Python.

The movements page is one of the load test's district and province pages; its table had one template include per
unit, each with twenty cells and some thirty formatted numbers (docs/performance.md, "The load test's request kinds one
by one"). The markup is that of templates/households/includes/transition_row.html, the include the page had, which
tests/households/test_household_form_page.py renders in its place and compares.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.templatetags.portal import vn_number

register = template.Library()

TOTAL = _("Tổng cộng")
BY_REGISTRY = _("theo sổ hộ")

# The cells after the population: (count or rate, key, data-col or "", the count shown after it in brackets or "").
CELLS = (
    ("count", "poor_start", "", ""),
    ("rate", "poor_start", "", ""),
    ("count", "poor_start_em", "", ""),
    ("count", "escaped_poor", "escaped_poor", "poor_to_near"),
    ("count", "relapsed_poor", "relapsed_poor", ""),
    ("count", "new_poor", "new_poor", "near_to_poor"),
    ("count", "poor_end", "poor_end", ""),
    ("rate", "poor_end", "", ""),
    ("count", "poor_end_em", "", ""),
    ("rate", "poor_reduction", "", ""),
    ("count", "near_start", "", ""),
    ("count", "escaped_near", "", ""),
    ("count", "relapsed_near", "", ""),
    ("count", "new_near", "", ""),
    ("count", "poor_to_near", "poor_to_near", ""),
    ("count", "near_to_poor", "near_to_poor", ""),
    ("count", "near_end", "", ""),
    ("rate", "near_end", "", ""),
)


def _count(counts: dict, key: str) -> str:
    """``{{ row.counts.key|vn_number }}``: a missing count is empty, as the template's failed look-up was."""
    return escape(str(vn_number(counts.get(key, ""))))


def _rate(rates: dict, key: str) -> str:
    """``{{ row.rates.key|vn_number:2|default:"—" }}``."""
    return escape(str(vn_number(rates.get(key, ""), 2) or "—"))


@register.simple_tag(takes_context=True)
def transition_row(context, row, total, drill_query):
    """The ``<tr>`` of one unit (or, with ``total``, the total row): its name (a link one level down, except for a
    village), the population the rates are of, and every movement with its rate."""
    return write_row(context, row, total, drill_query)


def write_row(context, row, total, drill_query):
    unit = row.unit
    pk = "" if unit is None else str(unit.pk)
    if total:
        name = str(TOTAL)  # as {% translate %} writes a literal: the catalogue's text is trusted markup
    elif unit.level != "village":
        name = f'<a href="?don_vi={pk}&amp;{escape(str(drill_query))}">{escape(str(unit.name))}</a>'
    else:
        name = escape(str(unit.name))
    end = row.end_total
    households = escape(str(vn_number(end.households) or "—"))
    if end.source == "registry":
        households += f'<span class="text-muted" aria-label="{BY_REGISTRY}">*</span>'
    counts, rates = row.counts, row.rates
    cells = []
    for kind, key, col, bracket in CELLS:
        value = _count(counts, key) if kind == "count" else _rate(rates, key)
        if bracket and counts.get(bracket):
            value += f' <span class="text-muted">({_count(counts, bracket)})</span>'
        attribute = f' data-col="{col}"' if col else ""
        cells.append(f'  <td class="num"{attribute}>{value}</td>\n')
    bold = ' class="fw-semibold"' if total else ""
    return mark_safe(  # every value is escaped, the labels are the catalogue's
        f'<tr{bold} data-unit="{pk or "total"}">\n'
        f'  <th scope="row" class="text-nowrap">{name}</th>\n'
        f'  <td class="num" title="{escape(str(end.note))}">{households}</td>\n'
        f"{''.join(cells)}</tr>\n"
    )
