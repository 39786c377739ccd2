"""Template helpers: Bootstrap classes on form widgets, Vietnamese number format, links only to pages that open."""

import itertools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms import CheckboxInput, CheckboxSelectMultiple, RadioSelect, Select, SelectMultiple
from django.template.base import TextNode, Variable
from django.template.defaulttags import CommentNode, URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_may_open
from core import formatting

register = template.Library()


@register.filter
def bootstrap(field):
    """Render a bound field's widget with Bootstrap's classes, marked invalid when it has errors."""
    widget = field.field.widget
    if isinstance(widget, (RadioSelect, CheckboxSelectMultiple)):
        return _choice_list(field)
    if isinstance(widget, CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, (Select, SelectMultiple)) and not isinstance(widget, RadioSelect):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    _replace_dashes(field.field)
    attrs = {"class": css}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)


def _choice_list(field):
    """Radio buttons or checkboxes, one Bootstrap ``form-check`` per choice (a list of choices is not a text box)."""
    # CheckboxSelectMultiple is a subclass of RadioSelect in Django
    kind = "checkbox" if isinstance(field.field.widget, CheckboxSelectMultiple) else "radio"
    invalid = " is-invalid" if field.errors else ""
    options = format_html_join(
        "",
        '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" value="{}" id="{}"{}>'
        '<label class="form-check-label" for="{}">{}</label></div>',
        (
            (
                kind,
                invalid,
                field.html_name,
                option.data["value"],
                option.id_for_label,
                " checked" if option.data["selected"] else "",
                option.id_for_label,
                option.choice_label,
            )
            for option in field
        ),
    )
    return format_html('<div id="{}" role="group">{}</div>', field.auto_id, options)


DJANGO_EMPTY_LABEL = "---------"
EMPTY_LABEL = _("— Chọn —")


def _replace_dashes(form_field) -> None:
    """Django's empty choice "---------" reads as a broken list to an officer: say "— Chọn —" instead (a filter
    that means "all" names its own empty label, e.g. "— Tất cả thôn, buôn —")."""
    if hasattr(form_field, "empty_label"):  # a model choice field: its queryset is not read here
        if form_field.empty_label == DJANGO_EMPTY_LABEL:
            form_field.empty_label = EMPTY_LABEL
        return
    choices = list(getattr(form_field, "choices", None) or ())  # Django 5 wraps a model field's in an iterator
    if any(label == DJANGO_EMPTY_LABEL for _value, label in choices):
        form_field.choices = [(v, EMPTY_LABEL if label == DJANGO_EMPTY_LABEL else label) for v, label in choices]


@register.filter
def vn_number(value, places=0):
    """1234567 -> "1.234.567"; ``rate|vn_number:2`` -> "3,50" — whatever the active language (administrative
    convention; core.formatting). Anything that is not a number is shown unchanged."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not formatting.is_number(value):
        return value
    return formatting.number(value, int(places))


@register.simple_tag(takes_context=True)
def may_open(context, url_name, *args):
    """Whether the signed-in user's role may open the page (the view's ``allowed_roles``, as the navigation reads
    them), so that a page links only where the link would not end in a refusal::

        {% may_open "households:update" household.pk as can_edit %}{% if can_edit %}<a …>{% endif %}
    """
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return bool(user is not None and user_may_open(user, url_name, *args))


# --- Markup that is the same for every request of a language, kept per process ----------------------------------
# The base page's head, header and footer hold a dozen translated strings, static file links and URLs without
# arguments: the same markup for every request in a language, which the template engine otherwise writes again on
# every page (≈ 800 of an ID search's 12.100 Python calls; docs/adr/0047-sign-in-and-session-per-request.md).
_KEPT: dict[tuple, str] = {}
_NUMBERS = itertools.count()


@register.tag("kept")
def do_kept(parser, token):
    """``{% kept %}…{% endkept %}``: written once per process for each language and URL configuration.

    Only text, ``{% translate "…" %}``, ``{% static "…" %}`` and ``{% url "…" %}`` of constants may stand inside, so
    that nothing of a request, a user or the data can be kept: anything else is a template syntax error.
    """
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    for node in nodelist:
        if not _constant_node(node):
            raise template.TemplateSyntaxError(
                f"{{% kept %}} holds only text and constant translate, static and url tags, not {node!r}"
            )
    return KeptNode(nodelist)


class KeptNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        # Each node its own number: a compiled template's nodes live as long as the loader keeps the template, and a
        # number is never reused (an id() could be, once a template compiled again is collected).
        self.number = next(_NUMBERS)

    def render(self, context):
        key = (self.number, context.autoescape, get_language(), get_urlconf(), get_script_prefix())
        kept = _KEPT.get(key)
        if kept is None:
            if len(_KEPT) > 1024:
                _KEPT.clear()
            kept = _KEPT[key] = self.nodelist.render(context)
        return kept


def _constant(expression) -> bool:
    """A filter expression that is a literal: a string in quotes, without filters."""
    var = expression.var
    return not expression.filters and (isinstance(var, str) or (isinstance(var, Variable) and var.lookups is None))


def _constant_node(node) -> bool:
    if isinstance(node, (TextNode, CommentNode)):
        return True
    if isinstance(node, TranslateNode):
        return node.asvar is None and _constant(node.filter_expression)
    if isinstance(node, StaticNode):
        return node.varname is None and _constant(node.path)
    if isinstance(node, URLNode):
        return node.asvar is None and not node.args and not node.kwargs and _constant(node.view_name)
    return False


@receiver(setting_changed)
def _forget_kept(*, setting, **kwargs) -> None:
    """A test that changes the URL configuration, the static files or the languages gets the markup written again."""
    if setting in {"ROOT_URLCONF", "STATIC_URL", "STORAGES", "LANGUAGES", "LANGUAGE_CODE"}:
        _KEPT.clear()
