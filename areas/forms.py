"""Forms for administrators editing administrative units."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.integrity import UniqueRulesFormMixin

from .models import AdministrativeUnit


class DateInput(forms.DateInput):
    """A dd/mm/yyyy text box (the browser's own date picker would show the browser's locale)."""

    def __init__(self, **kwargs):
        super().__init__(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}, **kwargs)


class AdministrativeUnitForm(UniqueRulesFormMixin, forms.ModelForm):
    class Meta:
        model = AdministrativeUnit
        fields = ["parent", "level", "kind", "code", "name", "area_type", "valid_from", "valid_to"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}
        help_texts = {
            "code": _("Mã theo danh mục hành chính của Tổng cục Thống kê; thôn, tổ dân phố dùng mã nội bộ."),
            "valid_to": _("Để trống nếu đơn vị vẫn đang hoạt động."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = AdministrativeUnit.objects.visible_to(user).exclude(level="village").order_by("path")
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = lambda unit: f"{unit.name} ({unit.code})"
