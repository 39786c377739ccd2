"""The form of a unit's typed indicators for a report period: one value, source and note per active definition."""

from __future__ import annotations

import datetime

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .indicators import Entry
from .models import ReportKind

KINDS = [
    (ReportKind.SIX_MONTH.value, ReportKind.SIX_MONTH.label),
    (ReportKind.YEAR_END.value, ReportKind.YEAR_END.label),
]
FIRST_YEAR = 2016  # QĐ 59/2015/QĐ-TTg: the first period the portal reports on


class PeriodForm(forms.Form):
    """Which report the figures are for: its kind and year (the period comes from the reporting calendar)."""

    loai = forms.ChoiceField(label=_("Báo cáo"), choices=KINDS, initial=ReportKind.SIX_MONTH.value)
    nam = forms.TypedChoiceField(label=_("Năm"), coerce=int)

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        year = (today or timezone.localdate()).year
        self.fields["nam"].choices = [(y, str(y)) for y in range(year, FIRST_YEAR - 1, -1)]
        self.fields["nam"].initial = year


class IndicatorValuesForm(forms.Form):
    """Every active definition as three fields (value, source, note), grouped by the report's section."""

    def __init__(self, *args, definitions, values, **kwargs):
        self.definitions = list(definitions)
        initial = {}
        for definition in self.definitions:
            value = values.get(definition.pk)
            if value is not None:
                initial[f"v_{definition.code}"] = value.value.quantize(
                    value.value.__class__(1).scaleb(-definition.decimals)
                )
                initial[f"s_{definition.code}"] = value.source
                initial[f"n_{definition.code}"] = value.note
        super().__init__(*args, initial=initial, **kwargs)
        for definition in self.definitions:
            label = f"{definition.label} ({definition.measure})"
            self.fields[f"v_{definition.code}"] = forms.DecimalField(
                label=label,
                required=False,
                localize=True,
                max_digits=20,
                decimal_places=definition.decimals,
                validators=[MinValueValidator(0)],
                help_text=definition.help_text,
                error_messages={
                    "invalid": _("Hãy nhập một số, ví dụ 1.234 hoặc 12,5."),
                    "max_decimal_places": _("Số chữ số sau dấu phẩy nhiều hơn chỉ tiêu cho phép."),
                    "max_whole_digits": _("Số liệu quá lớn."),
                    "min_value": _("Số liệu không được âm."),
                },
            )
            self.fields[f"v_{definition.code}"].widget.attrs.update({"inputmode": "decimal", "class": "text-end"})
            self.fields[f"s_{definition.code}"] = forms.CharField(
                label=_("Nguồn số liệu – %(label)s") % {"label": definition.label}, required=False, max_length=255
            )
            self.fields[f"n_{definition.code}"] = forms.CharField(
                label=_("Ghi chú – %(label)s") % {"label": definition.label}, required=False, max_length=255
            )

    def clean(self):
        data = super().clean()
        for definition in self.definitions:
            value, source = data.get(f"v_{definition.code}"), (data.get(f"s_{definition.code}") or "").strip()
            if value is not None and not source and f"v_{definition.code}" not in self.errors:
                self.add_error(f"s_{definition.code}", _("Hãy ghi nguồn số liệu (cơ quan, văn bản cung cấp số liệu)."))
        return data

    def entries(self) -> list[Entry]:
        return [
            Entry(
                definition=definition,
                value=self.cleaned_data.get(f"v_{definition.code}"),
                source=self.cleaned_data.get(f"s_{definition.code}") or "",
                note=self.cleaned_data.get(f"n_{definition.code}") or "",
            )
            for definition in self.definitions
        ]

    def rows(self):
        """(definition, value field, source field, note field) for the template, in the report's order."""
        return [(d, self[f"v_{d.code}"], self[f"s_{d.code}"], self[f"n_{d.code}"]) for d in self.definitions]
