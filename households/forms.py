"""Forms for the registry screens: household with its members on one page, filters, archive, move, overrides."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Value
from django.db.models.functions import Lower
from django.forms import inlineformset_factory
from django.forms.models import ModelChoiceIterator
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from areas.choices import UnitLevel
from areas.forms import DateInput
from areas.models import AdministrativeUnit
from areas.selectors import village_choices_for, village_label
from core.integrity import check_unique_rules
from core.templatetags.portal import DJANGO_EMPTY_LABEL, EMPTY_LABEL
from core.widget_rendering import DIRECT_RENDERER

from .choices import HouseholdClass, PovertyCause, Relationship
from .models import EthnicGroup, Household, Member
from .validation import validate_phone


class HouseholdCodeField(forms.ModelChoiceField):
    """A household picked by typing its code, as printed on its records, instead of from a list of every household:
    a commune of the merged provinces holds thousands to tens of thousands (a page that listed them all was megabytes
    and took seconds). The code is matched whatever its case (households_code_unique_in_commune_ci) within the
    field's queryset, the households the form may take; the page keeps what was typed when it is refused."""

    default_error_messages = {
        "invalid_choice": _(
            "Không tìm thấy hộ có mã “%(value)s” trong số các hộ được chọn ở mục này. Hãy kiểm tra lại mã hộ."
        ),
        "ambiguous": _("Có nhiều hộ mang mã “%(value)s” ở các xã khác nhau: hãy mở trang của hộ để làm việc này."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", None)
        placeholder = _("Gõ mã hộ")
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off", "placeholder": placeholder}))
        kwargs.setdefault("help_text", _("Mã hộ in trên phiếu, trên danh sách hoặc ở trang của hộ."))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Household):
            return value.code
        if isinstance(value, int):  # an initial value given as the household's key, shown only if it may be chosen
            return self.queryset.filter(pk=value).values_list("code", flat=True).first() or ""
        return value

    def to_python(self, value):
        value = value.strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        if isinstance(value, Household):
            value = value.code
        value = str(value)
        if "\x00" in value:  # PostgreSQL refuses it in a string: a code that cannot exist
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        # Both sides lowered by PostgreSQL, as households_code_unique_in_commune_ci lowers the codes it compares (with
        # this cluster's collation, ASCII letters only: a Python lower() of "ĐL-001" would match "đl-001" instead)
        matches = list(self.queryset.annotate(code_ci=Lower("code")).filter(code_ci=Lower(Value(value)))[:2])
        if len(matches) > 1:
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": value})
        if not matches:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return matches[0]

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "").lower() != str(data or "").strip().lower()


class TriStateSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Chưa rõ")), ("true", _("Có")), ("false", _("Không"))]


class VillageChoiceIterator(ModelChoiceIterator):
    """The villages as (id, "Village – Commune"), read as plain values rather than two model instances each."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, name, commune in self.queryset.values_list("pk", "name", "parent__name"):
            yield (pk, village_label(name, commune))


class VillageChoiceField(forms.ModelChoiceField):
    iterator = VillageChoiceIterator

    def label_from_instance(self, obj):
        return village_label(obj.name, obj.parent.name if obj.parent_id else None)


class DirectSelect(forms.Select):
    """A ``<select>`` written in Python, with the same markup as Django's templates give it.

    Django renders every ``<option>`` through template includes: on the household list, a province officer's
    ID-card search took p50 263 ms with them and 215 ms with this, timed side by side on a busy machine; building
    Django's option dictionaries (``optgroups``) first still cost ≈ 4 ms of CPU per list page, so the options are
    written straight from the choices (docs/performance.md). The options' markup is kept per process for each list
    of choices and language (``_written_options``): a page only marks the selected one, whatever the number of
    options (a province's villages run to thousands).
    Option groups are not supported: the filters have none.
    """

    def render(self, name, value, attrs=None, renderer=None):
        options = _written_options(self.choices)
        # As ChoiceWidget.optgroups: the first option whose value was sent is the selected one.
        chosen = min((options.first[v] for v in self.format_value(value) if v in options.first), default=None)
        if chosen is None:
            body = options.unselected
        else:
            body = "".join((*options.plain[:chosen], options.selected[chosen], *options.plain[chosen + 1 :]))
        attributes = self.build_attrs(self.attrs, attrs)
        return mark_safe(f'<select name="{escape(name)}"{_attributes(attributes)}>{body}\n</select>')


class _WrittenOptions:
    """A list of choices as ``<option>`` markup: each option plain and selected, the first position of each value."""

    def __init__(self, choices):
        self.plain, self.selected, self.first = [], [], {}
        for option_value, label in choices:
            if isinstance(label, (list, tuple)):
                raise ValueError("DirectSelect does not render option groups")
            option_value = "" if option_value is None else str(option_value)
            self.first.setdefault(option_value, len(self.plain))
            start, end = f'\n  <option value="{escape(option_value)}"', f">{conditional_escape(label)}</option>"
            self.plain.append(start + end)
            self.selected.append(f"{start} selected{end}")
        self.unselected = "".join(self.plain)


_WRITTEN_OPTIONS: dict[tuple, _WrittenOptions] = {}


def _written_options(choices) -> _WrittenOptions:
    """The options' markup for these choices in the active language, kept per process (labels may be translated)."""
    choices = tuple(choices)
    key = (get_language(), choices)  # the labels' hashes: a lazy label hashes as its translation
    written = _WRITTEN_OPTIONS.get(key)
    if written is None:
        if len(_WRITTEN_OPTIONS) > 64:
            _WRITTEN_OPTIONS.clear()
        written = _WRITTEN_OPTIONS[key] = _WrittenOptions(choices)
    return written


class DirectInputMixin:
    """An ``<input>`` written in Python, with the markup of django/forms/widgets/input.html (as DirectSelect: the
    form renderer's templates cost more than the rest of the field)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        written = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
        return mark_safe(
            f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{written}'
            f"{_attributes(widget['attrs'])}>"
        )


class DirectTextInput(DirectInputMixin, forms.TextInput):
    pass


class DirectCheckboxInput(DirectInputMixin, forms.CheckboxInput):
    pass


def _attributes(attrs: dict):
    """`` name="value"`` per attribute, `` name`` for True, nothing for False (django/forms/widgets/attrs.html)."""
    return format_html_join(
        "", "{}", ((format_html(' {}="{}"', k, v) if v is not True else format_html(" {}", k),)
                   for k, v in attrs.items() if v is not False)
    )  # fmt: skip


class HouseholdForm(forms.ModelForm):
    default_renderer = DIRECT_RENDERER  # inputs and selects written in Python, Django's markup (core/widget_rendering)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    village = VillageChoiceField(label=_("Thôn, buôn, tổ dân phố"), queryset=AdministrativeUnit.objects.none())
    poverty_causes = forms.MultipleChoiceField(
        label=_("Nguyên nhân nghèo"), choices=PovertyCause.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Household
        fields = [
            "code",
            "village",
            "address",
            "phone",
            "area_type",
            "agricultural",
            "meritorious",
            "social_protection",
            "no_labour_capacity",
            "poverty_causes",
            "income_per_capita",
            "score_a",
            "reference_date",
            "floor_area_m2",
            "non_durable_main_parts",
            "water_source",
            "latrine",
            "uses_telecom",
            "has_information_device",
            "has_loudspeaker_access",
            "uses_digital_services",
            "handles_waste",
            "untreated_illness",
        ]
        widgets = {
            "reference_date": DateInput(),
            **{
                name: TriStateSelect()
                for name in (
                    "uses_telecom",
                    "has_information_device",
                    "has_loudspeaker_access",
                    "uses_digital_services",
                    "handles_waste",
                    "untreated_illness",
                )
            },
        }
        help_texts = {
            "code": _("Mã hộ trong xã, ví dụ IRS-001. Không trùng với hộ khác của xã."),
            "income_per_capita": _("Thu nhập bình quân đầu người một tháng, nếu đã tính được."),
            "score_a": _("Điểm A theo phiếu B1 (Thông tư 07/2021); dùng khi chưa có thu nhập."),
            "reference_date": _("Ngày dùng để tính tuổi và chọn chuẩn nghèo; để trống là hôm nay."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = (
            AdministrativeUnit.objects.visible_to(user)
            .valid_on()
            .filter(level=UnitLevel.VILLAGE)
            .select_related("parent")
            .order_by("parent__code", "code")
        )
        self.fields["area_type"].required = False
        self.fields["area_type"].help_text = _("Để trống để lấy theo thôn, buôn.")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_phone(self):
        return validate_phone(self.cleaned_data.get("phone", ""))

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        village, code = cleaned.get("village"), cleaned.get("code")
        if village and code:
            # The code must be new in the commune, whatever its case; checked here so the error shows with the others.
            candidate = Household(pk=self.instance.pk, code=code, commune_id=village.parent_id)
            candidate._state.adding = self.instance._state.adding
            try:
                check_unique_rules(candidate, only={"households_code_unique_in_commune_ci"})
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned


class KnownModelChoiceField(forms.ModelChoiceField):
    """A model choice whose submitted primary key is first looked up among objects the page has read already
    (``known``: a callable giving them by primary key) instead of with one statement per field. A value that is not
    among them goes to Django's own lookup in ``queryset``, with its errors; without ``known`` the field is Django's."""

    def __init__(self, *args, known=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = known

    def to_python(self, value):
        model = self.queryset.model
        by_pk = self.to_field_name in (None, model._meta.pk.name)  # a foreign key's field names its target's "id"
        if self.known is not None and by_pk and value not in self.empty_values:
            try:
                pk = model._meta.pk.to_python(value.pk if isinstance(value, model) else value)
            except forms.ValidationError:
                pk = None
            found = self.known().get(pk) if pk is not None else None
            if found is not None:
                return found
        return super().to_python(value)


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        # A tuple: the inline formset would otherwise append "household" to this very list.
        fields = (
            "full_name",
            "relationship",
            "sex",
            "date_of_birth",
            "ethnic_group",
            "personal_id",
            "personal_id_issued_on",
            "education_level",
            "in_school",
            "health_insurance_number",
            "health_insurance_valid_from",
            "health_insurance_valid_to",
            "able_to_work",
            "employment",
            "disability",
            "social_allowance",
            "stunted_or_underweight",
        )
        widgets = {
            "date_of_birth": DateInput(),
            "personal_id_issued_on": DateInput(),
            "health_insurance_valid_from": DateInput(),
            "health_insurance_valid_to": DateInput(),
            "in_school": TriStateSelect(),
            "able_to_work": TriStateSelect(),
            "stunted_or_underweight": TriStateSelect(),
        }
        # Short enough for one line in the member card; the model's name says "CCCD/thẻ căn cước" in full.
        labels = {"personal_id_issued_on": _("Ngày cấp CCCD")}
        field_classes = {"ethnic_group": KnownModelChoiceField}

    def __init__(self, *args, ethnic_group_choices=None, ethnic_groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ethnic_group"].queryset = EthnicGroup.objects.order_by("code")
        if ethnic_group_choices is not None:  # read once by the formset for all its member forms
            self.fields["ethnic_group"].choices = ethnic_group_choices
        if ethnic_groups is not None:  # and the groups a submitted value is looked up in, from the same read
            self.fields["ethnic_group"].known = ethnic_groups
        self.fields["relationship"].initial = Relationship.CHILD

    def clean_personal_id(self):
        return self.cleaned_data.get("personal_id", "").replace(" ", "")


class BaseMemberFormSet(forms.BaseInlineFormSet):
    default_error_messages = {"too_few_forms": _("Hộ phải có ít nhất %(num)d thành viên: hãy nhập chủ hộ.")}

    def get_queryset(self):
        # Kept, as Django's own get_queryset keeps its queryset: the formset asks for it once per member form
        # (``queryset[i]``), and a new queryset each time was one more statement per member.
        if not hasattr(self, "_current_members"):
            self._current_members = super().get_queryset().current().in_family_order().select_related("ethnic_group")
        return self._current_members

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if not self.is_bound:  # only a submitted id is checked
            return
        # Django's hidden member id checks a submitted id with one statement per member form; the formset has read
        # this household's members already (an id that is not one of them is still read, and refused, as before).
        pk_name = self._pk_field.name
        field = form.fields[pk_name]
        form.fields[pk_name] = KnownModelChoiceField(
            field.queryset, known=self.members_by_pk, initial=field.initial, required=False, widget=field.widget
        )

    # The look-ups the member forms share hold what they read, never the formset: the forms' fields refer to them,
    # and a reference back to the formset would leave every page's forms in a cycle for the garbage collector.
    @cached_property
    def members_by_pk(self) -> "ReadOnce":
        members = self.get_queryset()  # the formset's own queryset: its rows are the forms' instances
        return ReadOnce(lambda: {member.pk: member for member in members})

    @cached_property
    def _ethnic_groups(self) -> "ReadOnce":
        """Every ethnic group by code: one statement, the first time a form is shown or a submitted group checked."""
        return ReadOnce(lambda: list(EthnicGroup.objects.order_by("code")))

    @cached_property
    def ethnic_groups_by_pk(self) -> "ReadOnce":
        groups = self._ethnic_groups
        return ReadOnce(lambda: {group.pk: group for group in groups()})

    @cached_property
    def ethnic_group_choices(self):
        """The ethnic-group select's options, read once for every member form of the page (and the empty form)
        rather than once per form, and only if a form is shown; a submitted value is looked up in the same read
        (``ethnic_groups_by_pk``) rather than with one statement per member."""
        field = self.form.base_fields["ethnic_group"]
        # The page's filter that says "— Chọn —" instead of Django's dashes changes each form's field when the page
        # renders, after these shared options were fixed: say it here (core.templatetags.portal._replace_dashes).
        empty_label = EMPTY_LABEL if field.empty_label == DJANGO_EMPTY_LABEL else field.empty_label
        ordered = forms.ModelChoiceField(EthnicGroup.objects.order_by("code"), empty_label=empty_label)
        choice = ordered.iterator(ordered).choice  # the (value, label) pair the field's own iterator gives a group

        groups = self._ethnic_groups

        def read():
            empty = [("", ordered.empty_label)] if ordered.empty_label is not None else []
            return [*empty, *(choice(group) for group in groups())]

        return ChoicesReadOnce(read)

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "ethnic_group_choices": self.ethnic_group_choices,
            "ethnic_groups": self.ethnic_groups_by_pk,
        }


MemberFormSet = inlineformset_factory(
    Household,
    Member,
    form=MemberForm,
    formset=BaseMemberFormSet,
    extra=1,
    can_delete=True,
    min_num=1,
    validate_min=True,
    renderer=DIRECT_RENDERER,
)


class ReadyChoices(BaseChoiceIterator):
    """Choices already in Django's shape, (value, label) pairs: a choice field takes them as they are. A list would be
    normalised pair by pair on every page (``django.utils.choices.normalize_choices``: ten calls a village)."""

    def __init__(self, choices: list):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)


class ReadOnce:
    """A value computed on its first call and kept."""

    def __init__(self, compute):
        self.compute, self.done, self.value = compute, False, None

    def __call__(self):
        if not self.done:
            self.value, self.done = self.compute(), True
        return self.value


class ChoicesReadOnce(BaseChoiceIterator):
    """Choices read when first iterated and kept: many forms of one page share one read."""

    def __init__(self, read):
        self.read, self.choices = read, None

    def __iter__(self):
        if self.choices is None:
            self.choices = list(self.read())
        return iter(self.choices)


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm họ tên chủ hộ, thành viên, mã hộ hoặc số CCCD (gõ không dấu cũng được)"),
        required=False,
        widget=DirectTextInput,
    )
    village = VillageChoiceField(
        label=_("Thôn, buôn"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        empty_label=_("Tất cả"),  # as the filter's other selects, not Django's "---------"
        widget=DirectSelect,
    )
    household_class = forms.ChoiceField(
        label=_("Phân loại"), choices=[("", _("Tất cả"))] + HouseholdClass.choices, required=False, widget=DirectSelect
    )
    flag = forms.ChoiceField(
        label=_("Đối tượng"),
        required=False,
        widget=DirectSelect,
        choices=[
            ("", _("Tất cả")),
            ("ethnic_minority", _("Hộ dân tộc thiểu số")),
            ("meritorious", _("Hộ có người có công")),
            ("social_protection", _("Hộ có đối tượng bảo trợ xã hội")),
            ("no_labour_capacity", _("Hộ không có khả năng lao động")),
        ],
    )
    indicator = forms.ChoiceField(
        label=_("Thiếu hụt chỉ số"), required=False, choices=[("", _("Tất cả"))], widget=DirectSelect
    )
    archived = forms.BooleanField(label=_("Gồm cả hộ đã lưu trữ"), required=False, widget=DirectCheckboxInput)

    def __init__(self, *args, user=None, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        village = self.fields["village"]
        # A village sent is checked against this query (outside the scope: refused); the options shown are kept per
        # scope and day. Without one the query is never read, so it is not even built (most list pages).
        if self.is_bound and self.data.get(self.add_prefix("village")):
            village.queryset = AdministrativeUnit.objects.visible_to(user).valid_on().filter(level=UnitLevel.VILLAGE)
        village.choices = ReadyChoices([("", village.empty_label), *village_choices_for(user)])
        self.fields["indicator"].choices = ReadyChoices([("", _("Tất cả")), *indicators])


class ArchiveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Lý do lưu trữ"), widget=forms.Textarea(attrs={"rows": 3}))


class MoveMemberForm(forms.Form):
    target = HouseholdCodeField(label=_("Mã hộ chuyển đến"), queryset=Household.objects.none())
    relationship = forms.ChoiceField(label=_("Quan hệ với chủ hộ mới"), choices=Relationship.choices)

    def __init__(self, *args, user=None, household=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            Household.objects.visible_to(user)
            .active()
            .filter(commune=household.commune)
            .exclude(pk=household.pk)
            .order_by("code")
        )


class OverrideForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    value = forms.ChoiceField(
        label=_("Kết luận của cán bộ"),
        choices=[
            ("derived", _("Theo dữ liệu (bỏ điều chỉnh)")),
            ("true", _("Thiếu hụt")),
            ("false", _("Không thiếu hụt")),
        ],
    )
    reason = forms.CharField(label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("value") in ("true", "false") and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Hãy ghi lý do điều chỉnh."))
        return cleaned


class StatusRecordForm(forms.Form):
    default_renderer = DIRECT_RENDERER
    household_class = forms.ChoiceField(label=_("Phân loại chính thức"), choices=HouseholdClass.choices)
    valid_from = forms.DateField(label=_("Từ ngày"), widget=DateInput())
    decision = forms.CharField(label=_("Quyết định (số, ngày)"), max_length=120, required=False)
