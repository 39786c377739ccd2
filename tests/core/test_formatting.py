"""One way to write numbers for people: "." for thousands, "," for decimals, in pages, commands and scripts."""

import io
import re
from decimal import Decimal

import pytest
from django import forms
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from core import formatting


@pytest.mark.parametrize(
    "value,places,expected",
    [
        (1234567, 0, "1.234.567"),
        (23.14, 1, "23,1"),
        (Decimal("15.55"), 1, "15,6"),  # half up, as people round by hand
        (Decimal("3.5"), 2, "3,50"),
        (-1234.56, 1, "-1.234,6"),
        (-0.04, 1, "0,0"),
        (None, 0, ""),
        ("—", 0, "—"),
    ],
)
def test_number(value, places, expected):
    assert formatting.number(value, places) == expected


def test_decimal_percent_and_seconds():
    assert formatting.decimal(1234.5) == "1.234,5" and formatting.decimal(8) == "8"
    assert formatting.percent(12.5) == "12,5 %" and formatting.percent(None) == ""
    assert formatting.seconds(15.63) == "15,6 giây"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_templates_write_a_decimal_comma_in_both_languages(language):
    template = Template(
        "{% load portal programs_tags %}{{ a|vn_number:2 }} {{ b|vn_number }} {{ c|vn_decimal }} {{ d|percent }}"
    )
    with translation.override(language):
        text = template.render(Context({"a": Decimal("23.1"), "b": 1234567, "c": 6.6, "d": 15.55}))
    assert text == "23,10 1.234.567 6,6 15,6 %"


def test_no_template_formats_a_number_with_floatformat():
    """floatformat follows the active language, so the English interface showed "23.10"; vn_number does not."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [str(p) for p in root.rglob("*.html") if "floatformat" in p.read_text(encoding="utf-8")]
    assert not offenders


@pytest.mark.django_db
def test_commands_print_decimal_commas():
    out = io.StringIO()
    call_command("generate_support", stdout=out)
    text = out.getvalue()
    assert re.search(r"\d+,\d giây", text) and not re.search(r"\d\.\d giây", text), text


class Filter(forms.Form):
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)
    village = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from areas.models import AdministrativeUnit
        from households.models import Household

        self.fields["village"].queryset = AdministrativeUnit.objects.none()
        # a model field's choices: Django 5 wraps them, with "---------", in a lazy iterator
        self.fields["latrine"] = Household._meta.get_field("latrine").formfield()


@pytest.mark.django_db
def test_selects_never_show_django_dashes():
    html = Template(
        "{% load portal %}{{ form.kind|bootstrap }}{{ form.village|bootstrap }}{{ form.latrine|bootstrap }}"
    ).render(Context({"form": Filter()}))
    assert "---------" not in html and html.count("— Chọn —") == 3
