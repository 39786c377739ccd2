"""Forms of the programme screens: one benefit form whose fields follow the programme's kind, filters, bulk forms."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.forms import DateInput
from households.forms import TriStateSelect

from .choices import ProgrammeKind, TargetStatus
from .models import KIND_FIELDS, Benefit, Programme

DATE_FIELDS = {
    "date",
    "card_valid_from",
    "card_valid_to",
    "started_on",
    "finished_on",
    "accepted_on",
    "course_start",
    "course_end",
}
DECIMAL_FIELDS = {"interest_rate", "quantity"}
MONEY_FIELDS = {
    "amount",
    "outstanding",
    "overdue",
    "amount_central",
    "amount_local",
    "amount_mobilised",
    "amount_household",
}


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.date_of_birth:%d/%m/%Y})"


class BenefitForm(forms.ModelForm):
    """The fields of one programme's kind (models.KIND_FIELDS), plus an override reason for authorised officers."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    override_reason = forms.CharField(
        label=_("Lý do ghi nhận ngoài điều kiện"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Chỉ điền khi hộ hoặc người này không thuộc đối tượng theo quy định nhưng vẫn được hỗ trợ "
            "(ví dụ theo quyết định riêng). Lý do được ghi vào nhật ký và hiện trong danh sách."
        ),
    )

    class Meta:
        model = Benefit
        fields = [
            "member",
            "date",
            "decision",
            *sorted({n for r, o in KIND_FIELDS.values() for n in (*r, *o)}),
            "funder",
            "note",
        ]

    def __init__(self, *args, programme: Programme, household, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        # Known before validation, so that the model's own checks (date order, loan ceiling…) are reported together
        # with the missing fields in one round instead of after them.
        self.instance.programme, self.instance.household = programme, household
        required, optional = KIND_FIELDS[programme.kind]
        keep = ["date", "decision", *required, *optional, "funder", "note"]
        if programme.is_member_level:
            keep.insert(0, "member")
        for name in list(self.fields):
            if name not in keep and name not in ("version", "override_reason"):
                del self.fields[name]
        self.order_fields(keep)  # the kind's own order (models.KIND_FIELDS): "hình thức" before the amounts
        if not may_override:
            del self.fields["override_reason"]
        if "member" in self.fields:
            self.fields["member"] = MemberChoiceField(
                queryset=household.members.current().in_family_order(), label=_("Thành viên"), required=True
            )
        for name in required:
            self.fields[name].required = True
        for name, field in self.fields.items():
            if name in DATE_FIELDS:
                field.widget = DateInput()
            if name in MONEY_FIELDS:  # typed and shown the Vietnamese way: 30.000.000
                field.localize = True
                field.widget = forms.TextInput(attrs={"inputmode": "numeric"})
                field.widget.is_localized = True
                field.help_text = field.help_text or _("Số đồng, ví dụ 30.000.000.")
            if name in DECIMAL_FIELDS:  # 6,6 %/năm; 1,5 tấn
                field.localize = True
                field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
                field.widget.is_localized = True
        if "employed_after" in self.fields:
            self.fields["employed_after"].widget = TriStateSelect()
        if programme.kind == ProgrammeKind.IN_KIND:
            self.fields["quantity"].label = _("Số lượng (%(unit)s)") % {"unit": programme.get_unit_display()}
        self.fields["date"].initial = self.fields["date"].initial or timezone.localdate()
        if programme.kind == ProgrammeKind.CREDIT and not self.instance.pk:
            rate = programme.parameter("interest_rate")
            self.fields["interest_rate"].initial = Decimal(str(rate)) if rate is not None else None
        if programme.kind == ProgrammeKind.ELECTRICITY and not self.instance.pk:
            from .bulk import electricity_amount

            self.fields["amount"].initial = electricity_amount(programme)
            self.fields["period_year"].initial = timezone.localdate().year
        if programme.kind == ProgrammeKind.HEALTH_INSURANCE and not self.instance.pk:
            today = timezone.localdate()
            self.fields["card_valid_from"].initial = date(today.year, 1, 1)
            self.fields["card_valid_to"].initial = date(today.year, 12, 31)
            from . import eligibility
            from .services import bhyt_share, status_periods

            standing = eligibility.standing_on(status_periods(household), today, programme.recently_escaped_years)
            group = standing.group_for(programme.eligible_statuses)
            self.fields["funding_share"].initial = bhyt_share(programme, group, False, household.commune.code)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class BenefitFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm mã hộ, họ tên, số CCCD, số thẻ BHYT"), required=False)
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=2000, max_value=2100)
    village = forms.ModelChoiceField(
        label=_("Thôn, buôn"), queryset=None, required=False, empty_label=_("— Tất cả thôn, buôn —")
    )
    status = forms.ChoiceField(
        label=_("Phân loại hộ khi hỗ trợ"), required=False, choices=[("", _("Tất cả"))] + list(TargetStatus.choices)
    )
    overridden = forms.BooleanField(label=_("Chỉ các khoản ghi nhận ngoài điều kiện"), required=False)
    include_cancelled = forms.BooleanField(label=_("Gồm bản ghi đã huỷ"), required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


class CancelForm(forms.Form):
    """Cancel a wrongly recorded benefit: the reason is mandatory and kept on the record and in its log."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Lý do huỷ"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Hãy ghi lý do huỷ bản ghi.")},
        help_text=_("Ví dụ: ghi nhầm hộ, ghi trùng, sai số thẻ. Lý do được lưu cùng bản ghi và nhật ký."),
    )


class PhotoForm(forms.Form):
    image = forms.ImageField(label=_("Ảnh công trình"), help_text=_("Ảnh JPEG, PNG hoặc WebP, tối đa 5 MB."))
    caption = forms.CharField(label=_("Chú thích"), required=False, max_length=150)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text=_("Tối đa 5 MB."),
    )

    def clean_file(self):
        from .excel import ImportFileError  # noqa: F401 - the view reads the sheet

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Chỉ nhận tệp Excel .xlsx; hãy mở tệp bằng Excel và lưu lại dạng .xlsx."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp lớn hơn 5 MB; hãy chia thành nhiều tệp nhỏ hơn."))
        return upload


class CourseForm(UploadForm):
    course_name = forms.CharField(label=_("Lớp, khoá học"), max_length=150)
    occupation = forms.CharField(label=_("Nghề đào tạo"), max_length=100)
    course_start = forms.DateField(label=_("Ngày khai giảng"), widget=DateInput())
    course_end = forms.DateField(label=_("Ngày kết thúc"), widget=DateInput())
    amount = forms.IntegerField(
        label=_("Kinh phí hỗ trợ mỗi người (đồng)"),
        required=False,
        min_value=0,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Ví dụ 3.000.000."),
    )
    decision = forms.CharField(label=_("Quyết định mở lớp"), max_length=150, required=False)

    field_order = ["course_name", "occupation", "course_start", "course_end", "amount", "decision", "file"]

    def clean(self):
        data = super().clean()
        if data.get("course_start") and data.get("course_end") and data["course_end"] < data["course_start"]:
            self.add_error("course_end", _("Ngày kết thúc phải sau ngày khai giảng."))
        return data


QUARTERS = [(1, _("Quý I")), (2, _("Quý II")), (3, _("Quý III")), (4, _("Quý IV"))]


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2014, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quý"), choices=QUARTERS, coerce=int)


class PaymentForm(QuarterForm):
    paid_on = forms.DateField(label=_("Ngày chi trả"), widget=DateInput())
    decision = forms.CharField(label=_("Quyết định phê duyệt"), max_length=150, required=False)


class PeriodForm(forms.Form):
    """Unit and period of the figures page: a half-year, a whole year, or from–to dates."""

    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None, required=False, empty_label=_("— Chọn đơn vị —"))
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100, required=False)
    half = forms.TypedChoiceField(
        label=_("Kỳ"),
        choices=[(0, _("Cả năm")), (1, _("6 tháng đầu năm")), (2, _("6 tháng cuối năm"))],
        coerce=int,
        required=False,
    )
    start = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self):
        data = super().clean()
        if bool(data.get("start")) != bool(data.get("end")):
            raise forms.ValidationError(_("Hãy ghi cả “Từ ngày” và “Đến ngày”, hoặc để trống cả hai."))
        if data.get("start") and data["end"] < data["start"]:
            raise forms.ValidationError(_("“Đến ngày” phải sau “Từ ngày”."))
        return data
