"""Template helpers of the programme screens."""

from django import template
from django.utils.translation import gettext as _

from core import formatting
from programs.choices import ProgrammeKind, TargetStatus

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``rows|get_item:pk`` — a dict lookup by a variable key (None when missing)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def status_label(code):
    try:
        return TargetStatus(code).label
    except ValueError:
        return code or ""


@register.filter
def kind_label(code):
    try:
        return ProgrammeKind(code).label
    except ValueError:
        return code or ""


@register.filter
def percent(value):
    """12.5 -> "12,5 %"; None -> "—"."""
    return "—" if value is None else formatting.percent(value, 1)


@register.filter
def vn_decimal(value):
    """1234.5 -> "1.234,5"; integers without decimals."""
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, tuple)):  # a parameter holding a list (e.g. the codes of the poor communes)
        return ", ".join(str(v) for v in value) or "—"
    return formatting.decimal(value, 2)


@register.simple_tag
def yes_no(value):
    if value is None:
        return _("Chưa rõ")
    return _("Có") if value else _("Không")
