"""``{% load indicator_labels %}``: indicator names in the active language (households.labels, ADR 0019)."""

from django import template

from households.labels import indicator_name as _indicator_name

register = template.Library()


@register.simple_tag
def indicator_name(classification, indicator):
    """``{% indicator_name c ind %}`` — a classification's indicator name in the active language."""
    return _indicator_name(classification.get("standard"), indicator.get("code", ""), indicator.get("name", ""))
