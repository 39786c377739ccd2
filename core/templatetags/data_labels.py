"""``{% load data_labels %}``: data labels in the active language (core.data_labels, ADR 0019)."""

from django import template

from core.data_labels import localized as _localized

register = template.Library()


@register.filter
def localized(item, field="name"):
    """``{{ programme|localized:"short_name" }}`` — the English column in English mode when filled."""
    return _localized(item, field)

