"""Forms of the nomination, award-decision, register and typical-example screens. They parse input only; what may
happen is decided by emulation.nominations and emulation.awards."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.choices import UnitLevel
from areas.forms import DateInput
from areas.models import AdministrativeUnit
from households.models import Household

from .models import AwardForm, Movement, SubjectType


def _movements(user):
    return Movement.objects.visible_to(user).filter(is_active=True).select_related("unit")


def _units_below(user):
    """The user's own unit and the units below it (a collective proposed, a register filter)."""
    if user.unit_id is None:
        return AdministrativeUnit.objects.none()
    return AdministrativeUnit.objects.filter(path__startswith=user.unit.path).order_by("path")


class HouseholdCodeField(forms.CharField):
    """A registry household typed by its code (a select of every household would list a whole district)."""


def find_household(user, code: str):
    """The household with this code that the user may see, or a Vietnamese error."""
    matches = list(Household.objects.visible_to(user).filter(code__iexact=code.strip()).select_related("village")[:2])
    if not matches:
        raise forms.ValidationError(
            _("Không tìm thấy hộ có mã “%(code)s” trong địa bàn của bạn."), params={"code": code}
        )
    if len(matches) > 1:
        raise forms.ValidationError(
            _("Mã hộ “%(code)s” có ở nhiều xã; hãy nhờ cán bộ xã lập đề nghị."), params={"code": code}
        )
    return matches[0]


class NominationForm(forms.Form):
    movement = forms.ModelChoiceField(label=_("Phong trào"), queryset=Movement.objects.none())
    year = forms.IntegerField(label=_("Năm thành tích"), min_value=2000, max_value=2100)
    subject_type = forms.ChoiceField(label=_("Đối tượng"), choices=SubjectType.choices)
    subject_name = forms.CharField(
        label=_("Tên tập thể, cá nhân, hộ"),
        max_length=255,
        required=False,
        help_text=_("Để trống với hộ gia đình hoặc tập thể: lấy tên chủ hộ hoặc tên đơn vị."),
    )
    subject_unit = forms.ModelChoiceField(
        label=_("Tập thể (đơn vị) được đề nghị"), queryset=AdministrativeUnit.objects.none(), required=False
    )
    household_code = HouseholdCodeField(
        label=_("Mã hộ (với hộ gia đình)"), max_length=20, required=False, help_text=_("Mã hộ trong sổ quản lý hộ.")
    )
    position = forms.CharField(label=_("Chức vụ, nơi công tác (với cá nhân)"), max_length=255, required=False)
    achievements = forms.CharField(label=_("Thành tích"), widget=forms.Textarea(attrs={"rows": 6}))
    requested_form = forms.ChoiceField(label=_("Hình thức đề nghị"), choices=AwardForm.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["movement"].queryset = _movements(user)
        self.fields["subject_unit"].queryset = _units_below(user).filter(
            level__in=[UnitLevel.DISTRICT, UnitLevel.COMMUNE, UnitLevel.VILLAGE]
        )
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year

    def clean(self):
        data = super().clean()
        code = (data.get("household_code") or "").strip()
        data["household"] = None
        if data.get("subject_type") == SubjectType.HOUSEHOLD:
            if not code:
                self.add_error("household_code", _("Hãy nhập mã hộ của hộ gia đình được đề nghị."))
            else:
                try:
                    data["household"] = find_household(self.user, code)
                except forms.ValidationError as error:
                    self.add_error("household_code", error)
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "movement": d["movement"],
            "year": d["year"],
            "subject_type": d["subject_type"],
            "subject_name": d.get("subject_name") or "",
            "subject_unit": d.get("subject_unit"),
            "household": d.get("household"),
            "position": d.get("position") or "",
            "achievements": d["achievements"],
            "requested_form": d["requested_form"],
        }


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Tệp minh chứng"), help_text=_("PDF, ảnh JPG/PNG, Word hoặc Excel, tối đa 10 MB."))
    description = forms.CharField(
        label=_("Mô tả"), max_length=255, help_text=_("Ví dụ: Báo cáo thành tích; Biên bản họp Hội đồng.")
    )


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Ý kiến"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DecisionForm(forms.Form):
    nominations = forms.MultipleChoiceField(
        label=_("Đề nghị được khen thưởng"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    number = forms.CharField(label=_("Số quyết định"), max_length=40, help_text=_("Ví dụ: 125/QĐ-UBND"))
    signed_on = forms.DateField(label=_("Ngày ký"), widget=DateInput)
    abstract = forms.CharField(
        label=_("Trích yếu"),
        max_length=300,
        required=False,
        help_text=_("Để trống: hệ thống ghi trích yếu thông thường."),
    )
    signer_name = forms.CharField(label=_("Họ và tên người ký"), max_length=120)
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=120, initial="Chủ tịch")
    signer_authority = forms.CharField(
        label=_("Thẩm quyền ký"),
        max_length=120,
        required=False,
        help_text=_("Ví dụ: KT. CHỦ TỊCH khi Phó Chủ tịch ký thay; để trống khi Chủ tịch ký."),
    )
    confirm = forms.BooleanField(
        label=_("Tôi xác nhận ban hành quyết định: các đề nghị đã chọn được ghi vào sổ khen thưởng và không sửa được."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(n.pk): n for n in candidates}
        self.fields["nominations"].choices = [
            (str(n.pk), f"{n.subject_name} – {n.proposing_unit.name} ({n.get_requested_form_display()}, {n.year})")
            for n in candidates
        ]

    def chosen(self):
        return [self.candidates[pk] for pk in self.cleaned_data["nominations"]]


class RegisterFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=2000, max_value=2100)
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=AdministrativeUnit.objects.none(), required=False)
    form = forms.ChoiceField(
        label=_("Hình thức"), choices=[("", _("Tất cả"))] + list(AwardForm.choices), required=False
    )
    subject_type = forms.ChoiceField(
        label=_("Đối tượng"), choices=[("", _("Tất cả"))] + list(SubjectType.choices), required=False
    )
    name = forms.CharField(label=_("Tên"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = _units_below(user) if user.unit_id else AdministrativeUnit.objects.all()
        self.fields["unit"].queryset = units.filter(
            level__in=[UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE]
        )


class ExampleForm(forms.Form):
    movement = forms.ModelChoiceField(label=_("Phong trào"), queryset=Movement.objects.none())
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    subject_name = forms.CharField(
        label=_("Tên điển hình"), max_length=255, required=False, help_text=_("Để trống khi chọn hộ: lấy tên chủ hộ.")
    )
    household_code = forms.CharField(label=_("Mã hộ (nếu là hộ gia đình)"), max_length=20, required=False)
    story = forms.CharField(label=_("Câu chuyện"), widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["movement"].queryset = _movements(user)
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = timezone.localdate().year

    def clean(self):
        data = super().clean()
        code = (data.get("household_code") or "").strip()
        data["household"] = None
        if code:
            try:
                data["household"] = find_household(self.user, code)
            except forms.ValidationError as error:
                self.add_error("household_code", error)
        return data
