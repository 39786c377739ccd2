"""The Django admin's pager for a list whose count is PostgreSQL's estimate (core.admin_scale.LargeTableAdmin)."""

from django import template
from django.contrib.admin.templatetags.admin_list import pagination, search_form

register = template.Library()


@register.inclusion_tag("admin/pagination_estimated.html")
def estimated_pagination(cl):
    """Django's page links, and the number of rows as "khoảng …": an estimated list is never shown whole (it is
    longer than ``list_max_show_all``) and has no editable rows, so it needs neither of their buttons."""
    return pagination(cl)


@register.inclusion_tag("admin/search_form.html")
def estimated_search_form(cl):
    """Django's search box without its "N kết quả" beside it when N is an estimate: an unfiltered list of a
    million rows read "1.000.000 kết quả" as if counted (the pager below says "khoảng …")."""
    context = search_form(cl)
    if cl.paginator.approximate:
        context["show_result_count"] = False
    return context
