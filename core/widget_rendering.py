"""A form renderer that writes Django's plainest widget templates in Python, with the same markup.

Django renders every widget, and every ``<option>`` of a select, through a template include. The household form
(the household and each member: about 130 widgets, 54 ethnic groups per member's select) cost ≈ 230 ms of CPU per
page that way, most of it in those includes (docs/performance.md, "Load test"). ``DirectRenderer`` takes the same
context Django's widgets build (``get_context``: the formatted value, the attributes, the options and which one is
selected) and writes the markup of the templates below itself; any other template (forms, formsets, textareas, radio
lists, a label that is not text) goes to Django's templates as before. The output is byte for byte what Django's
templates give (tests/households/test_household_form_page.py renders whole pages both ways), so a form opts in with
``default_renderer = DIRECT_RENDERER`` (a formset with ``renderer=``) without anything else changing. One instance
is shared: each renderer instance builds its own template engine for the templates it leaves to Django.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
                 "checkbox", "checkbox_option", "radio_option", "input_option", "search", "tel", "color")
)  # fmt: skip
SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: "%s" of the value, escaped unless the value was marked safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 - the filter's own formatting
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: `` name="value"`` per attribute, `` name`` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html (and input_option.html without a wrapping label)."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _option(option: dict) -> str:
    label = conditional_escape(option["label"])
    return f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget: dict) -> str:
    """django/forms/widgets/select.html with select_option.html per option (each include ends with its newline)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        parts.extend(f"\n  {_option(option)}\n" for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _is_text(value) -> bool:
    # A number or a date would be localised by {{ }} (thousand separators): those stay with Django's templates.
    return isinstance(value, (str, Promise))


class DirectRenderer(DjangoTemplates):
    """Django's template renderer, except for inputs and selects, which it writes in Python with the same markup."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in INPUT_TEMPLATES and not widget.get("wrap_label"):
                return _input(widget)
            if (
                template_name == SELECT_TEMPLATE
                and all(option.get("template_name") == OPTION_TEMPLATE for _, options, _ in widget["optgroups"]
                        for option in options)
                and all(_is_text(option["label"]) for _, options, _ in widget["optgroups"] for option in options)
                and all(not name or _is_text(name) for name, _, _ in widget["optgroups"])
            ):  # fmt: skip
                return _select(widget)
        return super().render(template_name, context, request)


DIRECT_RENDERER = DirectRenderer()
