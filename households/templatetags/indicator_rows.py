"""``{% indicator_rows c can_edit override_url %}``: the household page's indicator rows, written in Python.

The household page is the scenario's most frequent page after the search, and the page every household save lands on;
its indicator table was the largest part of its template: per indicator (ten to fifteen) five conditions, six
translated labels, an adjustment form with its tokens and a dozen variable look-ups (docs/performance.md, "The load
test's request kinds one by one"). Here the labels are translated once per page. The markup is that of
templates/households/includes/indicator_rows.html, the loop the page had; tests/households/test_household_form_page.py
renders the page with both and compares them.
"""

from html import escape

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.templatetags.submit_once import SubmitTokenNode
from households.labels import indicator_name

register = template.Library()

_MISSING = object()


def _text(value) -> str:
    """A value as ``{{ value }}`` writes it: missing is empty (``string_if_invalid``), anything else escaped text."""
    return "" if value is _MISSING else escape(str(value))


@register.simple_tag(takes_context=True)
def indicator_rows(context, classification, can_edit, override_url):
    """One ``<tr>`` per indicator of ``classification``: its name, the finding from the data with its reason, the
    officer's adjustment (and, for an editor, the form to change it) and the conclusion."""
    return write_rows(context, classification, can_edit, override_url)


def write_rows(context, classification, can_edit, override_url):
    # as {% translate "…" %} writes a literal: the catalogue's text is trusted markup, not escaped
    t = {key: str(label) for key, label in LABELS.items()}
    unknown = f'<span class="text-muted">{t["unknown"]}</span>'
    form_fixed = (
        f'<select name="value" class="form-select form-select-sm mb-1" aria-label="{t["officer"]}">\n'
        f'                <option value="derived">{t["derived"]}</option>'
        f'<option value="true">{t["deprived"]}</option><option value="false">{t["not_deprived"]}</option>\n'
        "              </select>\n"
        '              <textarea name="reason" rows="2" class="form-control form-control-sm mb-1" '
        f'placeholder="{t["reason"]}" aria-label="{t["reason"]}"></textarea>\n'
        f'              <button class="btn btn-sm btn-outline-primary" type="submit">{t["save"]}</button>'
    )
    token = SubmitTokenNode()
    action = _text(override_url if override_url is not None else _MISSING)
    standard = classification.get("standard")
    rows = []
    for ind in classification.get("indicators") or ():
        final, derived, override = ind.get("final"), ind.get("derived"), ind.get("override")
        name = conditional_escape(indicator_name(standard, ind.get("code", ""), ind.get("name", "")))
        if derived is None:
            found = unknown
        elif derived:
            found = f'<span class="status-fail">{t["deprived"]}</span>'
        else:
            found = t["no"]
        if override:
            adjusted = t["deprived"] if override.get("deprived") else t["not_deprived"]
            adjusted += f'<div class="small text-muted">{_text(override.get("reason", _MISSING))}</div>'
            if ind.get("contradiction"):
                adjusted += f'<span class="badge text-bg-warning">{t["contradiction"]}</span>'
        else:
            adjusted = "—"
        if can_edit:
            adjust = (
                "\n          "
                f'<details class="mt-1 no-print"><summary class="small">{t["adjust"]}</summary>\n'
                f'            <form method="post" action="{action}" class="mt-1">{token.render(context)}\n'
                f'              <input type="hidden" name="code" value="{_text(ind.get("code", _MISSING))}">\n'
                f"              {form_fixed}\n"
                "            </form>\n"
                "          </details>\n"
                "          "
            )
        else:
            adjust = ""
        if final is None:
            conclusion = unknown
        elif final:
            conclusion = f'<strong class="status-fail">{t["deprived"]}</strong>'
        else:
            conclusion = t["no"]
        rows.append(
            f'\n      <tr class="indicator-row{" deprived" if final else ""}" '
            f'data-indicator="{_text(ind.get("code", _MISSING))}">\n'
            f'        <td class="fw-semibold">{name}</td>\n'
            f'        <td>{found}<div class="small text-muted">{_text(ind.get("reason", _MISSING))}</div></td>\n'
            f"        <td>{adjusted}\n"
            f"          {adjust}\n"
            "        </td>\n"
            f"        <td>{conclusion}</td>\n"
            "      </tr>\n    "
        )
    if not rows:
        rows.append(f'\n      <tr><td colspan="4" class="text-muted">{t["none"]}</td></tr>\n    ')
    return mark_safe("".join(rows))  # every value above is escaped, the labels are the catalogue's


LABELS = {
    "unknown": _("Chưa rõ"),
    "deprived": _("Thiếu hụt"),
    "no": _("Không"),
    "not_deprived": _("Không thiếu hụt"),
    "contradiction": _("Khác với dữ liệu"),
    "adjust": _("Điều chỉnh"),
    "officer": _("Kết luận của cán bộ"),
    "derived": _("Theo dữ liệu (bỏ điều chỉnh)"),
    "reason": _("Lý do"),
    "save": _("Lưu điều chỉnh"),
    "none": _("Chưa đánh giá."),
}
