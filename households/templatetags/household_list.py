"""``{% household_rows households %}``: the household list's table rows, written in Python.

The row loop was more than half of the list page's CPU time for a province officer: per row a ``{% url %}``, an
included badge template, ``get_current_class_display`` (which hashes the lazily translated labels of every class)
and a dozen variable look-ups, fifty rows a page (docs/performance.md, "The page's own time"). Here the labels are
translated and the detail URL reversed once per page. The markup is the list template's former row and
templates/households/includes/class_badge.html; tests/households/test_list_rows.py checks it.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.formatting import number
from households.choices import HouseholdClass

register = template.Library()

_PK = 2_147_483_647  # a stand-in id to cut the reversed detail URL around

# The flags column: the household's field, what separates the badge from the one before, the badge.
FLAGS = (
    ("ethnic_minority", "", _("DTTS")),
    ("meritorious", " ", _("Người có công")),
    ("social_protection", " ", _("BTXH")),
    ("no_labour_capacity", " ", _("Không có khả năng lao động")),
)


@register.simple_tag
def household_rows(households):
    """One ``<tr>`` per household: code linking to its page, head, village, current members, class, flags.

    Written with f-strings and ``html.escape`` (what Django's ``escape`` calls) rather than ``format_html``, which
    escapes through lazy wrappers and cost as much as the rest of the rows.
    """
    prefix, suffix = reverse("households:detail", args=[_PK]).split(str(_PK))
    labels = {value: escape(str(label)) for value, label in HouseholdClass.choices}
    unclassified = f'<span class="badge text-bg-light border">{escape(gettext("Chưa phân loại"))}</span>'
    archived = f' <span class="badge text-bg-secondary">{escape(gettext("Đã lưu trữ"))}</span>'
    flags = [
        (field, f'{separator}<span class="badge badge-level">{escape(str(label))}</span>')
        for field, separator, label in FLAGS
    ]
    rows = []
    for household in households:
        value = household.current_class
        badge = f'<span class="badge class-{escape(value)}">{labels.get(value) or escape(value)}</span>'
        rows.append(
            f'\n      <tr>\n        <td><a href="{escape(prefix)}{household.pk}{escape(suffix)}">'
            f"{escape(household.code)}</a></td>\n"
            f"        <td>{escape(household.head_name or '—')}</td>\n"
            f"        <td>{escape(household.village.name)}</td>\n"
            f'        <td class="num">{number(household.member_count)}</td>\n'
            f"        <td>{badge if value else unclassified}{archived if household.is_archived else ''}</td>\n"
            f'        <td class="small">{"".join(b for field, b in flags if getattr(household, field))}</td>\n'
            "      </tr>"
        )
    return mark_safe("".join(rows))  # every value above is escaped
