"""The verification tags [V]/[P]/[U] that mark a legal value (a rate, a norm, a rule) by how far it was checked
against the official text, with one wording wherever they appear, and the legend that explains them."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

TAGS = {
    "V": _("[V] đã đối chiếu văn bản"),
    "P": _("[P] đối chiếu một phần"),
    "U": _("[U] chưa đối chiếu văn bản"),
}


@register.inclusion_tag("includes/verification_tag.html")
def verification_tag(code):
    """``{% verification_tag p.tag %}`` — the short badge, its meaning in the tooltip and for screen readers."""
    code = str(code or "").strip("[] ").upper()
    return {"code": code, "label": TAGS.get(code, "")}


@register.inclusion_tag("includes/verification_legend.html")
def verification_legend():
    """``{% verification_legend %}`` — one line under a list of tagged values that says what each tag means."""
    return {"tags": list(TAGS.values())}
