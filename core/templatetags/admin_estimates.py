"""The Django admin's pager for a list whose count is PostgreSQL's estimate (core.admin_scale.LargeTableAdmin)."""

from django import template
from django.contrib.admin.templatetags.admin_list import pagination

register = template.Library()


@register.inclusion_tag("admin/pagination_estimated.html")
def estimated_pagination(cl):
    """Django's page links, and the number of rows as "khoảng …": an estimated list is never shown whole (it is
    longer than ``list_max_show_all``) and has no editable rows, so it needs neither of their buttons."""
    return pagination(cl)
