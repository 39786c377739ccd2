"""``{% unit_rows children unit %}``, ``{% target_rows rows %}``: the dashboard's tables of the units below the user's
(counts; this year's targets), written in Python.

The dashboard is the page every sign-in lands on and a district or province officer's most frequent page after the
list; its table of units (a province's districts, a district's communes: 10 to 30 rows of up to nine cells, a URL and
five or six formatted numbers each) was the largest loop of its template, the targets card's the second
(docs/performance.md, "The load test's request kinds one by one"). Here the URL is reversed once per page. The markup
is that of templates/dashboards/includes/unit_rows.html and target_rows.html, the loops the page had;
tests/dashboards/test_dashboard_rows.py renders the page with both and compares them.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.templatetags.portal import vn_number

register = template.Library()

_PK = 2_147_483_647  # a stand-in id to cut the reversed URL around
EMPTY = _("Chưa có đơn vị trực thuộc.")
SUMMED = _("Tổng chỉ tiêu các đơn vị trực thuộc")
NOT_SET = _("Chưa giao")


def _number(counts: dict, key: str) -> str:
    """``{{ counts.key|vn_number }}``: a missing count is empty, as the template's failed look-up was."""
    return escape(str(vn_number(counts.get(key, ""))))


@register.simple_tag(takes_context=True)
def unit_rows(context, children, unit):
    """One ``<tr>`` per unit below ``unit``: name linking to its page, code, area, then (above a commune) its
    communes (below a province), villages and officers, and its households, poor and near-poor households."""
    return write_rows(context, children, unit)


def write_rows(context, children, unit):
    prefix, suffix = (escape(part) for part in reverse("areas:detail", args=[_PK]).split(str(_PK)))
    above_commune, province = unit.level != "commune", unit.level == "province"
    rows = []
    for child in children:
        counts = child.counts
        if above_commune:
            communes = f'<td class="num">{_number(counts, "communes")}</td>' if province else ""
            middle = (
                f"\n              {communes}\n"
                f'              <td class="num">{_number(counts, "villages")}</td>\n'
                f'              <td class="num">{_number(counts, "officers")}</td>\n'
                "              "
            )
        else:
            middle = ""
        rows.append(
            "\n            <tr>\n"
            f'              <td><a href="{prefix}{child.pk}{suffix}">{escape(str(child.name))}</a></td>\n'
            f"              <td>{escape(str(child.code))}</td>\n"
            f"              <td>{escape(str(child.get_area_type_display() or '—'))}</td>\n"
            f"              {middle}\n"
            f'              <td class="num">{_number(counts, "households")}</td>\n'
            f'              <td class="num">{_number(counts, "poor")}</td>\n'
            f'              <td class="num">{_number(counts, "near_poor")}</td>\n'
            "            </tr>\n          "
        )
    if not rows:  # as {% translate %} writes a literal: the catalogue's text is trusted markup
        rows.append(f'\n            <tr><td colspan="9" class="text-muted">{EMPTY}</td></tr>\n          ')
    return mark_safe("".join(rows))  # every value above is escaped, the label is the catalogue's


@register.simple_tag(takes_context=True)
def target_rows(context, rows):
    """One ``<tr>`` per unit of the targets card: name, households out of poverty against the goal (Σ when the goal
    is the sum of the units below) and a progress bar, or "not assigned"."""
    return write_target_rows(context, rows)


def write_target_rows(context, rows):
    def plain(value) -> str:  # ``{{ value }}``: localised (thousands separated), escaped
        return escape(str(localize(value, use_l10n=context.use_l10n)))

    written = []
    for row in rows:
        name = escape(str(row.unit.name))
        goal = row.goal.households
        cell = _number({"n": row.escaped}, "n")
        if goal is not None:
            cell += f" / {_number({'n': goal}, 'n')}"
            if row.goal.summed:
                cell += f'<sup title="{SUMMED}">Σ</sup>'
        share = row.share
        if share is not None:
            progress = (
                f'<progress class="job-progress" max="100" value="{plain(row.bar)}" '
                f'aria-label="{name}: {plain(share)}%"></progress>'
            )
        else:
            progress = f'<span class="small text-muted">{NOT_SET}</span>'
        written.append(
            f'\n        <tr data-testid="target-row"><td class="small">{name}</td>\n'
            f'          <td class="num small">{cell}</td>\n'
            f"          <td>{progress}</td></tr>\n      "
        )
    if not written:
        written.append(f'\n        <tr><td colspan="3" class="text-muted small">{EMPTY}</td></tr>\n      ')
    return mark_safe("".join(written))  # every value above is escaped, the labels are the catalogue's
