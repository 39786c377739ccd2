"""Registry screens: commune officers keep their households; district and province staff read them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from accounts.choices import Role
from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from core.confirm import ReasonConfirmMixin
from core.integrity import add_form_error, unique_violations_as_errors

from . import services
from .choices import HouseholdClass
from .classification import standard_on
from .forms import (
    ArchiveForm,
    HouseholdFilterForm,
    HouseholdForm,
    MemberFormSet,
    MoveMemberForm,
    OverrideForm,
    StatusRecordForm,
)
from .history import ACTION_LABELS, Period, transition
from .models import Household, Member, PovertyStandard
from .selectors import EstimatedCountPaginator, household_listing_for

EDITORS = frozenset({Role.COMMUNE_OFFICER})


# (day, every standard's (id, last saved)) -> the list filter's indicator choices, kept per process: the standards
# change once in a few years, and every list page read and decoded each one's JSON definition for these few labels.
# Any save of a standard moves its ``updated_at`` and so the key; a light query of the ids and dates still runs.
_INDICATOR_CHOICES: dict[tuple, list[tuple[str, str]]] = {}


def indicator_choices() -> list[tuple[str, str]]:
    """The indicators of the standard in force today, for the list filter (none if no standard is set up)."""
    today = timezone.localdate()
    key = (today, tuple(PovertyStandard.objects.order_by("pk").values_list("pk", "updated_at")))
    if key not in _INDICATOR_CHOICES:
        try:
            choices = [(spec.code, spec.name) for spec in standard_on(today).indicators]
        except ValueError:
            choices = []
        if len(_INDICATOR_CHOICES) > 16:
            _INDICATOR_CHOICES.clear()
        _INDICATOR_CHOICES[key] = choices
    return _INDICATOR_CHOICES[key]


class HouseholdScopeMixin:
    def get_household(self) -> Household:
        if not hasattr(self, "_household"):
            self._household = get_object_or_404(
                Household.objects.visible_to(self.request.user).select_related("village", "commune"),
                pk=self.kwargs["pk"],
            )
        return self._household


class HouseholdListView(RoleRequiredMixin, ListView):
    allowed_roles = ALL_ROLES
    template_name = "households/household_list.html"
    paginate_by = 50
    paginator_class = EstimatedCountPaginator

    def get_filter_form(self) -> HouseholdFilterForm:
        if not hasattr(self, "_filters"):
            self._filters = HouseholdFilterForm(
                self.request.GET or None, user=self.request.user, indicators=indicator_choices()
            )
            self._filters.is_valid()
        return self._filters

    def get_queryset(self):
        form = self.get_filter_form()
        self.listing = household_listing_for(self.request.user, filters=getattr(form, "cleaned_data", {}) or {})
        return self.listing.households

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        # A search's matches were counted and ranked as they were collected; the page's rows carry their member
        # counts.
        listing = self.listing
        return super().get_paginator(
            queryset, per_page, orphans, allow_empty_first_page, count=listing.count, ids=listing.ids, **kwargs
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.get_filter_form(),
            can_edit=self.request.user.role in EDITORS,
            more_matches_than=self.listing.more_than,
            **kwargs,
        )


class HouseholdDetailView(RoleRequiredMixin, HouseholdScopeMixin, DetailView):
    allowed_roles = ALL_ROLES
    template_name = "households/household_detail.html"
    context_object_name = "household"

    def get_object(self, queryset=None):
        return self.get_household()

    def get_context_data(self, **kwargs):
        household = self.object
        records = list(household.status_records.order_by("valid_from"))
        periods = [Period(r.household_class, r.valid_from, r.valid_to) for r in records]
        history = []
        for index, record in enumerate(records):
            move = transition(periods, records[index - 1].valid_from, record.valid_from) if index else None
            history.append((record, move))
        return super().get_context_data(
            members=household.members.current().in_family_order().select_related("ethnic_group"),
            former_members=household.members.filter(left_at__isnull=False),
            history=history,
            changes=household.changes.select_related("user")[:20],
            action_labels=ACTION_LABELS,
            can_edit=self.request.user.role in EDITORS and not household.is_archived,
            override_form=OverrideForm(),
            status_form=StatusRecordForm(),
            classes=HouseholdClass,
            **kwargs,
        )


class HouseholdEditMixin(RoleRequiredMixin, HouseholdScopeMixin):
    """One page for the household and its members; all-or-nothing, keeps what was typed on any error."""

    allowed_roles = EDITORS
    template_name = "households/household_form.html"

    def instance(self) -> Household:
        return Household() if "pk" not in self.kwargs else self.get_household()

    def forms(self, data=None):
        household = self.instance()
        if household.is_archived:
            raise ValidationError(_("Hộ đã lưu trữ, không sửa được."))
        form = HouseholdForm(data, instance=household, user=self.request.user)
        formset = MemberFormSet(data, instance=household, prefix="members")
        return form, formset

    def render(self, form, formset, status=200):
        return self.response_class(
            request=self.request,
            template=[self.template_name],
            context={
                "form": form,
                "formset": formset,
                "household": self.instance() if "pk" in self.kwargs else None,
                "view": self,
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render(*self.forms())

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            members = [f.instance for f in formset.forms if f.has_changed() or f.instance.pk]
            removed = [f.instance for f in formset.deleted_forms if f.instance.pk]
            members = [m for m in members if m.full_name]
            try:
                with unique_violations_as_errors():  # a savepoint: a refused save leaves nothing behind
                    household = services.household_save(
                        household=form.instance,
                        members=members,
                        removed=removed,
                        user=request.user,
                        expected_version=form.cleaned_data.get("version"),
                    )
            except ValidationError as error:
                add_form_error(form, error)
            else:
                messages.success(request, _("Đã lưu hộ %(code)s.") % {"code": household.code})
                return redirect("households:detail", pk=household.pk)
        return self.render(form, formset, status=200)


class HouseholdCreateView(HouseholdEditMixin, TemplateView):
    pass


class HouseholdUpdateView(HouseholdEditMixin, TemplateView):
    pass


class HouseholdArchiveView(ReasonConfirmMixin, RoleRequiredMixin, HouseholdScopeMixin, TemplateView):
    """Archive a household with a reason (it leaves the lists, its history stays)."""

    allowed_roles = EDITORS
    template_name = "households/household_archive.html"
    form_class = ArchiveForm

    def get_confirmed(self) -> Household:
        return self.get_household()

    def get_context_data(self, **kwargs):
        return super().get_context_data(household=self.get_household(), **kwargs)

    def perform(self, form) -> None:
        services.household_archive(
            household=self.get_household(),
            reason=form.cleaned_data["reason"],
            user=self.request.user,
            expected_version=form.cleaned_data["version"],
        )

    def get_success_message(self) -> str:
        return _("Đã lưu trữ hộ %(code)s.") % {"code": self.get_household().code}

    def get_success_url(self) -> str:
        return reverse("households:detail", kwargs={"pk": self.get_household().pk})


class MemberMoveView(RoleRequiredMixin, TemplateView):
    allowed_roles = EDITORS
    template_name = "households/member_move.html"

    def get_member(self) -> Member:
        return get_object_or_404(
            Member.objects.visible_to(self.request.user).current().select_related("household"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        member = self.get_member()
        form = kwargs.pop("form", None) or MoveMemberForm(user=self.request.user, household=member.household)
        return super().get_context_data(member=member, form=form, **kwargs)

    def post(self, request, *args, **kwargs):
        member = self.get_member()
        form = MoveMemberForm(request.POST, user=request.user, household=member.household)
        if form.is_valid():
            try:
                with unique_violations_as_errors():
                    services.member_move(
                        member=member,
                        target=form.cleaned_data["target"],
                        relationship=form.cleaned_data["relationship"],
                        user=request.user,
                    )
            except ValidationError as error:
                add_form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Đã chuyển %(name)s sang hộ %(code)s.")
                    % {"name": member.full_name, "code": form.cleaned_data["target"].code},
                )
                return redirect("households:detail", pk=form.cleaned_data["target"].pk)
        return self.render_to_response(self.get_context_data(form=form))


class IndicatorOverrideView(RoleRequiredMixin, HouseholdScopeMixin, View):
    allowed_roles = EDITORS
    http_method_names = ["post"]

    def post(self, request, pk):
        household = self.get_household()
        form = OverrideForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("households:detail", pk=household.pk)
        value = {"derived": None, "true": True, "false": False}[form.cleaned_data["value"]]
        try:
            with unique_violations_as_errors():
                services.indicator_override_set(
                    household=household,
                    code=form.cleaned_data["code"],
                    deprived=value,
                    reason=form.cleaned_data.get("reason", ""),
                    user=request.user,
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã cập nhật chỉ số và phân loại lại hộ."))
        return redirect("households:detail", pk=household.pk)


class StatusRecordCreateView(RoleRequiredMixin, HouseholdScopeMixin, View):
    allowed_roles = EDITORS
    http_method_names = ["post"]

    def post(self, request, pk):
        household = self.get_household()
        form = StatusRecordForm(request.POST)
        if form.is_valid():
            try:
                with unique_violations_as_errors():
                    services.status_record_add(household=household, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Đã ghi nhận trạng thái chính thức."))
        else:
            messages.error(request, _("Chưa ghi được trạng thái: hãy chọn phân loại và nhập ngày dạng dd/mm/yyyy."))
        return redirect("households:detail", pk=household.pk)


class HouseholdHistoryView(RoleRequiredMixin, HouseholdScopeMixin, ListView):
    allowed_roles = ALL_ROLES
    template_name = "households/household_history.html"
    paginate_by = 100

    def get_queryset(self):
        return self.get_household().changes.select_related("user", "member")

    def get_context_data(self, **kwargs):
        return super().get_context_data(household=self.get_household(), action_labels=ACTION_LABELS, **kwargs)


class StandardListView(RoleRequiredMixin, TemplateView):
    """The poverty standards of every period as the portal applies them, provisional items marked."""

    allowed_roles = ALL_ROLES
    template_name = "households/standard_list.html"

    def get_context_data(self, **kwargs):
        from .models import PovertyStandard

        rows = PovertyStandard.objects.order_by("valid_from")
        today = timezone.localdate()
        return super().get_context_data(standards=[(row, row.to_criteria()) for row in rows], today=today, **kwargs)
