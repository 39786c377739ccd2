"""``{% household_rows households %}``: the household list's table rows, written in Python.

The row loop was more than half of the list page's CPU time for a province officer: per row a ``{% url %}``, an
included badge template, ``get_current_class_display`` (which hashes the lazily translated labels of every class)
and a dozen variable look-ups, fifty rows a page (docs/performance.md, "The page's own time"). Here the labels are
translated and the detail URL reversed once per page. The markup is the list template's former row and
templates/households/includes/class_badge.html; tests/households/test_list_rows.py checks it.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
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
    """One ``<tr>`` per household: code linking to its page, head, village, current members, class, flags."""
    prefix, suffix = reverse("households:detail", args=[_PK]).split(str(_PK))
    labels = {value: str(label) for value, label in HouseholdClass.choices}
    unclassified = format_html('<span class="badge text-bg-light border">{}</span>', gettext("Chưa phân loại"))
    archived = format_html(' <span class="badge text-bg-secondary">{}</span>', gettext("Đã lưu trữ"))
    flags = [
        (field, format_html('{}<span class="badge badge-level">{}</span>', separator, label))
        for field, separator, label in FLAGS
    ]
    return format_html_join(
        "",
        '\n      <tr>\n        <td><a href="{}{}{}">{}</a></td>\n        <td>{}</td>\n        <td>{}</td>\n'
        '        <td class="num">{}</td>\n        <td>{}{}</td>\n        <td class="small">{}</td>\n      </tr>',
        (
            (
                prefix,
                household.pk,
                suffix,
                household.code,
                household.head_name or "—",
                household.village.name,
                number(household.member_count),
                format_html(
                    '<span class="badge class-{}">{}</span>',
                    household.current_class,
                    labels.get(household.current_class, household.current_class),
                )
                if household.current_class
                else unclassified,
                archived if household.is_archived else "",
                format_html_join("", "{}", ((badge,) for field, badge in flags if getattr(household, field))),
            )
            for household in households
        ),
    )
