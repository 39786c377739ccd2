"""Template helpers: Bootstrap classes on form widgets, Vietnamese number format, links only to pages that open."""

from django import template
from django.forms import CheckboxInput, RadioSelect, Select, SelectMultiple

from accounts.permissions import user_may_open

register = template.Library()


@register.filter
def bootstrap(field):
    """Render a bound field's widget with Bootstrap's classes, marked invalid when it has errors."""
    widget = field.field.widget
    if isinstance(widget, CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (Select, SelectMultiple)) and not isinstance(widget, RadioSelect):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)


@register.filter
def vn_number(value):
    """1234567 -> "1.234.567" whatever the active language (administrative convention)."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return value


@register.simple_tag(takes_context=True)
def may_open(context, url_name, *args):
    """Whether the signed-in user's role may open the page (the view's ``allowed_roles``, as the navigation reads
    them), so that a page links only where the link would not end in a refusal::

        {% may_open "households:update" household.pk as can_edit %}{% if can_edit %}<a …>{% endif %}
    """
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return bool(user is not None and user_may_open(user, url_name, *args))
