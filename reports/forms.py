"""Forms of the report screens: a new report, the document's fields and narrative, issuing, the centre's filters."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.forms import DateInput

from .models import PeriodicReport, ReportKind, ReportStatus

FIRST_YEAR = 2016  # the first standard the portal knows (QĐ 59/2015/QĐ-TTg, 2016–2020)


def year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)]


class ReportCreateForm(forms.Form):
    """Which report to prepare: the kind and the year; the unit is the officer's reporting unit (the view adds a
    choice of unit only where there is one, i.e. never today: province staff prepare the province's roll-up)."""

    kind = forms.ChoiceField(label=_("Loại báo cáo"), choices=ReportKind.choices)
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, choices=year_choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices()


class ReportFieldsForm(forms.ModelForm):
    """The document's own fields and one text box per narrative section, all editable while the report is a
    draft. Narrative fields are named ``narrative_<key>`` after reports.content.NARRATIVE_SECTIONS."""

    class Meta:
        model = PeriodicReport
        fields = ["abstract", "recipients", "distribution", "signer_authority", "signer_title", "signer_name"]
        widgets = {
            "recipients": forms.Textarea(attrs={"rows": 3}),
            "distribution": forms.Textarea(attrs={"rows": 5}),
            "signer_authority": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "abstract": _(
                "Ví dụ: Kết quả thực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững 6 tháng đầu năm."
            ),
            "signer_authority": _("Ví dụ: “TM. ỦY BAN NHÂN DÂN” hoặc hai dòng “TM. ỦY BAN NHÂN DÂN” / “KT. CHỦ TỊCH”."),
        }

    def __init__(self, *args, sections: list[tuple[str, str]], defaults: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        # A field left empty is printed with the usual wording (reports/content.py): shown greyed in the box.
        for name, text in (defaults or {}).items():
            if name in self.fields and text:
                self.fields[name].widget.attrs["placeholder"] = text
        narrative = self.instance.narrative or {}
        for key, heading in sections:
            self.fields[self.narrative_field(key)] = forms.CharField(
                label=heading,
                required=False,
                initial=narrative.get(key, ""),
                widget=forms.Textarea(attrs={"rows": 8}),
            )

    @staticmethod
    def narrative_field(key: str) -> str:
        return f"narrative_{key}"

    def document_fields(self):
        return [self[name] for name in self.Meta.fields]

    def narrative_fields(self):
        return [self[self.narrative_field(key)] for key, _heading in self.sections]

    def narrative(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(self.narrative_field(key), "") for key, _heading in self.sections}

    def fields_data(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class FinaliseForm(forms.Form):
    """The date the report is issued on (its number comes from the issuer's register when it is issued)."""

    issued_on = forms.DateField(label=_("Ngày ban hành"), widget=DateInput())

    def clean_issued_on(self):
        issued_on = self.cleaned_data["issued_on"]
        if issued_on > timezone.localdate():
            raise forms.ValidationError(_("Ngày ban hành không được sau ngày hôm nay."))
        return issued_on


class ConfirmForm(forms.Form):
    """A confirmation with nothing to type (a new version of an issued report)."""


class CentreFilterForm(forms.Form):
    """The download centre's filters: unit (and the units below it), kind, year and status."""

    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None, required=False, empty_label=_("Tất cả đơn vị"))
    kind = forms.ChoiceField(label=_("Loại báo cáo"), required=False)
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["kind"].choices = [("", _("Tất cả loại"))] + list(ReportKind.choices)
        self.fields["year"].choices = [("", _("Tất cả các năm"))] + year_choices()
        self.fields["status"].choices = [("", _("Mọi trạng thái"))] + list(ReportStatus.choices)
