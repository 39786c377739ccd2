"""Forms of the review screens. Validation of business rules lives in the services; these parse input."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from areas.choices import UnitLevel
from areas.forms import DateInput
from areas.models import AdministrativeUnit
from households.choices import HouseholdClass
from households.forms import HouseholdCodeField, TriStateSelect
from households.models import Household, Member

from .choices import RequestChannel, RequestForm, RoundKind, SignerForm
from .models import VillageMeeting
from .survey import FACT_FIELDS, MEMBER_FIELDS, member_answers_from

TRISTATE_FIELDS = (
    "uses_telecom",
    "has_information_device",
    "has_loudspeaker_access",
    "uses_digital_services",
    "handles_waste",
    "untreated_illness",
)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RoundOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại rà soát"), choices=RoundKind.choices)
    year = forms.IntegerField(label=_("Năm"), min_value=2021, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("Tháng (rà soát thường xuyên)"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["month"].choices = [("", "—")] + [(m, gettext("Tháng %(m)s") % {"m": m}) for m in range(1, 13)]


class CaseAddForm(VersionForm):
    household = HouseholdCodeField(
        label=_("Mã hộ"),
        queryset=Household.objects.none(),
        error_messages={
            "invalid_choice": _(
                "Không có hộ mã “%(value)s” đang theo dõi trong xã mà chưa có trong danh sách rà soát. Hãy kiểm tra "
                "lại mã hộ."
            )
        },
    )
    reason = forms.CharField(label=_("Lý do bổ sung"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = (
            Household.objects.filter(commune=round.commune).active().exclude(review_cases__round=round).order_by("code")
        )


class SurveyForm(forms.ModelForm):
    """The facts of the review form (TT 07/2021, Phụ lục III–IV) on a copy of the household, never saved to it."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    surveyed_on = forms.DateField(
        label=_("Ngày rà soát (phỏng vấn hộ)"),
        widget=DateInput(),
        required=False,  # left empty: the day the sheet is saved
        help_text=_("Tuổi của thành viên và hạn thẻ BHYT được xét tại ngày này."),
    )

    class Meta:
        model = Household
        fields = ["surveyed_on", *FACT_FIELDS]
        widgets = {name: TriStateSelect() for name in TRISTATE_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["surveyed_on"])
        # A saved sheet keeps the day as text (JSON); a new sheet starts from today.
        surveyed_on = self.initial.get("surveyed_on")
        if isinstance(surveyed_on, str) and surveyed_on:
            try:
                self.initial["surveyed_on"] = date.fromisoformat(surveyed_on)
            except ValueError:
                self.initial["surveyed_on"] = None
        if not self.initial.get("surveyed_on"):
            self.initial["surveyed_on"] = timezone.localdate()

    def clean_surveyed_on(self):
        day = self.cleaned_data["surveyed_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Ngày rà soát không được sau hôm nay."))
        return day

    def facts(self) -> dict:
        data = {}
        for name in FACT_FIELDS:
            value = self.cleaned_data.get(name)
            data[name] = str(value) if value is not None and name == "floor_area_m2" else value
        surveyed_on = self.cleaned_data.get("surveyed_on")
        data["surveyed_on"] = surveyed_on.isoformat() if surveyed_on else None
        return data


class MemberSurveyForm(forms.ModelForm):
    """One member's answers in the survey (what the indicators read), on a copy of the member."""

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {
            "health_insurance_valid_to": DateInput(),
            "in_school": TriStateSelect(),
            "able_to_work": TriStateSelect(),
            "stunted_or_underweight": TriStateSelect(),
        }
        labels = {"health_insurance_valid_to": _("Thẻ BHYT có giá trị đến (để trống: không có thẻ)")}

    def answers(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in MEMBER_FIELDS}
        card = data["health_insurance_valid_to"]
        data["health_insurance_valid_to"] = card.isoformat() if card else None
        return data


def member_forms(members, saved: dict, data=None) -> list[tuple]:
    """A form per current member, prefilled with the draft's answers or else the registry's facts."""
    forms_ = []
    for member in members:
        initial = dict(saved.get(str(member.pk)) or member_answers_from(member))
        if initial.get("health_insurance_valid_to"):
            initial["health_insurance_valid_to"] = date.fromisoformat(initial["health_insurance_valid_to"])
        forms_.append((member, MemberSurveyForm(data, prefix=f"m{member.pk}", initial=initial)))
    return forms_


class MeetingForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = VillageMeeting
        fields = [
            "village",
            "held_at",
            "location",
            "chair",
            "secretary",
            "attendees",
            "front_representative",
            "supervisors",
            "conclusion",
        ]
        widgets = {
            "village": forms.HiddenInput(),
            "held_at": forms.DateTimeInput(format="%d/%m/%Y %H:%M", attrs={"placeholder": "dd/mm/yyyy hh:mm"}),
            "supervisors": forms.Textarea(attrs={"rows": 2}),
            "conclusion": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = AdministrativeUnit.objects.filter(
            parent=round.commune, level=UnitLevel.VILLAGE
        ).order_by("name")
        self.fields["held_at"].input_formats = ["%d/%m/%Y %H:%M", "%d/%m/%Y"]
        # QĐ 24/2021/QĐ-TTg, Điều 4 khoản 3: the Fatherland Front supervises every meeting and signs its minutes.
        self.fields["front_representative"].required = True


class PostingForm(VersionForm):
    starts_on = forms.DateField(label=_("Ngày bắt đầu niêm yết"), widget=DateInput())
    places = forms.CharField(
        label=_("Nơi niêm yết"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Trụ sở UBND xã, nhà văn hoá thôn; thông báo trên đài truyền thanh xã."),
    )
    # Printed under the posted list (NĐ 30/2020/NĐ-CP, Điều 13), as on the decision.
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=150)
    signer_form = forms.ChoiceField(
        label=_("Người ký với tư cách"), choices=SignerForm.choices, initial=SignerForm.CHAIRMAN
    )


class ComplaintForm(forms.Form):
    case = forms.ModelChoiceField(label=_("Hộ bị khiếu nại"), queryset=None, empty_label=_("— Chọn hộ —"))
    received_on = forms.DateField(label=_("Ngày nhận"), widget=DateInput())
    complainant = forms.CharField(label=_("Người khiếu nại"), max_length=150)
    content = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = round.cases.select_related("household")
        self.fields["case"].label_from_instance = lambda c: str(c.household)


class RecheckForm(forms.Form):
    rechecked_on = forms.DateField(label=_("Ngày phúc tra"), widget=DateInput())
    recheck_result = forms.CharField(label=_("Kết quả phúc tra"), widget=forms.Textarea(attrs={"rows": 2}))
    result_class = forms.ChoiceField(
        label=_("Phân loại sau phúc tra"),
        choices=[("", _("Giữ nguyên"))] + list(HouseholdClass.choices),
        required=False,
        # rendered inline on the round page, once per complaint: no id, a label for screen readers
        widget=forms.Select(attrs={"class": "form-select form-select-sm", "aria-label": _("Phân loại sau phúc tra")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id=False, **kwargs)


class CommentForm(VersionForm):
    comment = forms.CharField(label=_("Ý kiến"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReopenForm(VersionForm):
    reason = forms.CharField(label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 3}))


class RecognitionForm(VersionForm):
    number = forms.CharField(label=_("Số quyết định"), max_length=30, help_text=_("Ví dụ 125/QĐ-UBND."))
    signed_on = forms.DateField(label=_("Ngày ký"), widget=DateInput())
    signer_name = forms.CharField(label=_("Họ tên người ký"), max_length=150)
    signer_form = forms.ChoiceField(label=_("Người ký với tư cách"), choices=SignerForm.choices)


class RequestRegisterForm(forms.Form):
    household = HouseholdCodeField(label=_("Mã hộ"), queryset=Household.objects.none())
    form = forms.ChoiceField(label=_("Mẫu đơn"), choices=RequestForm.choices)
    received_on = forms.DateField(label=_("Ngày nhận"), widget=DateInput())
    channel = forms.ChoiceField(label=_("Hình thức nộp"), choices=RequestChannel.choices)
    content = forms.CharField(label=_("Nội dung đề nghị"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.visible_to(user).active().order_by("code")
