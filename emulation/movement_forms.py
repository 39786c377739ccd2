"""Forms of the movement and evaluation screens (movements, milestones, criteria, evaluations, assessments)."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.forms import DateInput
from areas.models import AdministrativeUnit
from core.integrity import UniqueRulesFormMixin

from .measures import measure_choices
from .models import Criterion, Level, Milestone, Movement
from .movements import RUNNING_LEVELS


class MovementForm(forms.ModelForm):
    levels = forms.MultipleChoiceField(
        label=_("Các cấp được đánh giá"), choices=Level.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Movement
        fields = [
            "name",
            "unit",
            "phase_start",
            "phase_end",
            "launch_number",
            "launch_date",
            "launch_signer",
            "launch_title",
            "legal_basis",
            "levels",
            "is_active",
        ]
        widgets = {"launch_date": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["launch_date"].input_formats = ["%d/%m/%Y"]
        if user.is_superuser:
            self.fields["unit"].queryset = AdministrativeUnit.objects.valid_on().filter(level__in=RUNNING_LEVELS)
        else:
            del self.fields["unit"]


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["kind", "due_on", "note"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_on"].input_formats = ["%d/%m/%Y"]


MilestoneFormSet = forms.inlineformset_factory(
    Movement, Milestone, form=MilestoneForm, extra=2, can_delete=False, max_num=20, validate_max=True
)


class JSONTextField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4, "class": "font-monospace"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return {}
        try:
            parsed = json.loads(value)
        except ValueError:
            raise forms.ValidationError(_('Tham số không đúng dạng JSON, ví dụ {"points": "4", "years": 3}.')) from None
        if not isinstance(parsed, dict):
            raise forms.ValidationError(_('Tham số phải là một đối tượng JSON, ví dụ {"points": "4", "years": 3}.'))
        return parsed


class CriterionForm(UniqueRulesFormMixin, forms.ModelForm):
    parameters = JSONTextField(label=_("Tham số"), required=False)

    class Meta:
        model = Criterion
        fields = ["level", "code", "name", "kind", "measure", "parameters", "order", "source", "tag", "is_active"]
        widgets = {"name": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, movement, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.movement = movement
        self.fields["level"].choices = [(v, label) for v, label in Level.choices if v in movement.levels]
        self.fields["measure"] = forms.ChoiceField(
            label=_("Cách tính (tiêu chí định lượng)"), choices=[("", "—"), *measure_choices()], required=False
        )


class EvaluationForm(forms.Form):
    scope = forms.ModelChoiceField(label=_("Phạm vi đánh giá"), queryset=AdministrativeUnit.objects.none())
    year = forms.TypedChoiceField(label=_("Năm đánh giá"), coerce=int)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def __init__(self, *args, scopes, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = scopes
        self.fields["year"].choices = [(y, y) for y in years]


class AssessmentForm(forms.Form):
    met = forms.TypedChoiceField(
        label=_("Kết quả"),
        choices=[("", _("— Chưa đánh giá —")), ("1", _("Đạt")), ("0", _("Chưa đạt"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    evidence = forms.FileField(label=_("Minh chứng (PDF, ảnh, Word, Excel; tối đa 10 MB)"), required=False)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)
