"""Forms for signing in and for administrators managing accounts."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from areas.models import AdministrativeUnit

from .models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: nhập sai nhiều lần liên tiếp, tài khoản sẽ bị tạm khoá."
        ),
        "inactive": _("Tài khoản này đã bị ngừng sử dụng. Hãy liên hệ quản trị hệ thống."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["password"].label = _("Mật khẩu")
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        return f"{obj.name} ({obj.get_level_display().lower()}, {obj.code})"


class UserForm(forms.ModelForm):
    """Create or edit an officer's account; the role decides which level of unit is required."""

    unit = UnitChoiceField(
        label=_("Đơn vị công tác"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "position", "role", "unit"]
        labels = {"username": _("Tên đăng nhập"), "email": _("Thư điện tử")}
        help_texts = {"username": _("Chỉ gồm chữ không dấu, số và các ký tự . _ - (ví dụ: xa.phutuc)")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            AdministrativeUnit.objects.visible_to(user).exclude(level="village").valid_on().order_by("path")
        )
        self.fields["full_name"].required = True

    def clean_username(self):
        # The username identifies the officer: "Xa.PhuTuc" would be a second account for "xa.phutuc".
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("Tên đăng nhập này đã có (không phân biệt chữ hoa, chữ thường). Hãy chọn tên khác."), code="unique"
            )
        return username


class NewUserForm(UserForm):
    password1 = forms.CharField(label=_("Mật khẩu ban đầu"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Nhập lại mật khẩu"), widget=forms.PasswordInput, strip=False)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Hai mật khẩu không khớp nhau."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AdminSetPasswordForm(SetPasswordForm):
    """An administrator sets a temporary password; the officer must change it at the next sign-in."""
