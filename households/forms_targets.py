"""Forms of the target, registration and movement screens (parsing only; the rules live in households.targets)."""

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from areas.forms import DateInput
from core.widget_rendering import DIRECT_RENDERER

from .forms import HouseholdCodeField
from .transitions import EARLIEST_YEAR, LEVELS


def year_choices(today: date | None = None) -> list[tuple[int, int]]:
    today = today or timezone.localdate()
    return [(y, str(y)) for y in range(today.year, EARLIEST_YEAR - 1, -1)]  # str: no "2.026"


class TransitionFilterForm(forms.Form):
    """Which movements to count: a year or a date range, and the level of the rows."""

    default_renderer = DIRECT_RENDERER  # inputs and selects written in Python, Django's markup (core/widget_rendering)
    nam = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False)
    tu_ngay = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    den_ngay = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
    cap = forms.ChoiceField(label=_("Thống kê"), required=False)
    don_vi = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, levels=LEVELS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nam"].choices = year_choices()
        self.fields["cap"].choices = levels

    def clean(self):
        data = super().clean()
        start, end = data.get("tu_ngay"), data.get("den_ngay")
        if bool(start) != bool(end):
            raise forms.ValidationError(_("Hãy nhập cả ngày bắt đầu và ngày kết thúc, hoặc để trống cả hai."))
        if start and end and end < start:
            raise forms.ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


class TargetRowForm(forms.Form):
    """One unit's row of the target table."""

    households_to_escape = forms.IntegerField(
        label=_("Số hộ thoát nghèo"), required=False, min_value=0, max_value=100_000
    )
    rate_reduction = forms.DecimalField(
        label=_("Mức giảm tỷ lệ hộ nghèo (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        localize=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    updated_at = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, unit=None, target=None, **kwargs):
        self.unit, self.target = unit, target
        super().__init__(*args, **kwargs)
        label = unit.name if unit is not None else ""
        self.fields["households_to_escape"].widget.attrs["aria-label"] = _("Số hộ thoát nghèo – %(unit)s") % {
            "unit": label
        }
        self.fields["rate_reduction"].widget.attrs["aria-label"] = _("Mức giảm tỷ lệ – %(unit)s") % {"unit": label}
        self.fields["rate_reduction"].widget.attrs["inputmode"] = "decimal"

    def clean(self):
        data = super().clean()
        households, rate = data.get("households_to_escape"), data.get("rate_reduction")
        if (households is None) != (rate is None) and not self.errors:
            raise forms.ValidationError(
                _("%(unit)s: hãy nhập cả số hộ thoát nghèo và mức giảm tỷ lệ.") % {"unit": self.unit.name}
            )
        if households is None and self.target is not None:
            raise forms.ValidationError(
                _("%(unit)s: chỉ tiêu đã giao không xoá được; muốn điều chỉnh hãy nhập số mới.")
                % {"unit": self.unit.name}
            )
        return data

    @property
    def entry(self) -> dict | None:
        data = self.cleaned_data
        if data.get("households_to_escape") is None:
            return None
        return {
            "unit": self.unit,
            "households_to_escape": data["households_to_escape"],
            "rate_reduction": data["rate_reduction"],
            "expected_updated_at": data.get("updated_at", ""),
        }


class TargetDecisionForm(forms.Form):
    legal_basis = forms.CharField(
        label=_("Căn cứ giao chỉ tiêu"),
        max_length=255,
        help_text=_("Số, ngày quyết định hoặc kế hoạch, ví dụ: Quyết định số 146/QĐ-UBND ngày 22/3/2021."),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} – {obj.position}" if obj.position else obj.get_full_name()


class EscapeRegistrationForm(forms.Form):
    household = HouseholdCodeField(
        label=_("Mã hộ đăng ký thoát nghèo"),
        queryset=None,
        error_messages={
            "invalid_choice": _(
                "Hộ mã “%(value)s” không thuộc các hộ nghèo, hộ cận nghèo của xã chưa đăng ký thoát nghèo năm này. "
                "Hãy kiểm tra lại mã hộ."
            )
        },
    )
    year = forms.IntegerField(label=_("Năm thoát nghèo"), min_value=EARLIEST_YEAR, max_value=2100)
    registered_on = forms.DateField(label=_("Ngày đăng ký"), widget=DateInput())
    cadre_user = CadreChoiceField(
        label=_("Cán bộ phụ trách (có tài khoản)"),
        queryset=None,
        required=False,
        help_text=_("Chọn nếu cán bộ có tài khoản trên hệ thống; nếu không, ghi họ tên bên dưới."),
    )
    cadre_name = forms.CharField(label=_("Họ tên cán bộ phụ trách"), max_length=150, required=False)
    cadre_position = forms.CharField(
        label=_("Chức vụ, đơn vị"),
        max_length=150,
        required=False,
        help_text=_("Ví dụ: Phó Chủ tịch Hội Nông dân xã; đảng viên chi bộ buôn."),
    )
    cadre_phone = forms.CharField(label=_("Số điện thoại cán bộ"), max_length=15, required=False)
    commitment = forms.CharField(
        label=_("Cam kết và giải pháp hỗ trợ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hộ cam kết làm gì; cần hỗ trợ gì (vốn vay, giống, đào tạo nghề, việc làm…)."),
    )

    def __init__(self, *args, households, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        self.fields["cadre_user"].queryset = cadres

    def clean(self):
        data = super().clean()
        if not data.get("cadre_user") and not (data.get("cadre_name") or "").strip():
            self.add_error("cadre_name", _("Hãy chọn cán bộ có tài khoản hoặc ghi họ tên cán bộ phụ trách."))
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Lý do rút đăng ký"), widget=forms.Textarea(attrs={"rows": 3}))


def cadre_queryset(user):
    """Officers the commune officer may name as helpers: active accounts of the commune."""
    return User.objects.visible_to(user).filter(is_active=True, unit=user.unit).order_by("full_name")
