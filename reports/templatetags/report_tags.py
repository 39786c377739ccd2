"""Template helpers of the report screens: a table cell of the preview formatted as the documents print it."""

from django import template

from core import formatting

register = template.Library()


@register.simple_tag
def report_cell(row, column) -> str:
    """The value of ``column`` in ``row`` (reports.documents.data.TableRow) as printed: counts and money 1.234.567,
    percentages 11,5; text as is; an empty cell for None."""
    value = row.values.get(column.key)
    if value is None or value == "":
        return ""
    if column.kind in ("count", "money") and formatting.is_number(value):
        return formatting.number(value)
    if column.kind == "percent" and formatting.is_number(value):
        return formatting.number(value, 1)
    return str(value)
