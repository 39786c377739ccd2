"""Screens for poverty movements and targets: "Biến động hộ nghèo" (with its Excel export) and
"Mục tiêu giảm nghèo" (targets per commune set by the district, registrations to escape poverty by the commune)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.confirm import ReasonConfirmMixin
from core.exports import BackgroundExportMixin, commune_sized, write_bytes
from core.integrity import add_form_error, unique_violations_as_errors

from . import summary
from . import targets as target_services
from .excel.targets import target_filename, target_workbook
from .excel.transitions import transition_filename, transition_workbook
from .forms_targets import (
    EscapeRegistrationForm,
    TargetDecisionForm,
    TargetRowForm,
    TransitionFilterForm,
    WithdrawForm,
    cadre_queryset,
    year_choices,
)
from .models import EscapeRegistration
from .targets import REGISTRARS, Outcome, target_may_set
from .transitions import EARLIEST_YEAR, levels_for, period_between, period_for_year, transition_table

# A period the summary table does not hold (an earlier year, dates of one's own) is counted live; above this many
# households in the unit that takes seconds to minutes (≈ 10–20 s for a province of a million households, on the
# busy development machine, docs/performance.md), so the page leaves it to the export's background job.
LIVE_PAGE_HOUSEHOLDS = 60_000
REGISTRATIONS_PER_PAGE = 50  # a commune's escape registrations shown at a time


def scope_from(request, raw) -> AdministrativeUnit | None:
    """The unit a page is about: ``?don_vi=`` if the user may see it (404 otherwise), else the user's own unit."""
    if raw in (None, ""):
        return request.user.unit
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    units = AdministrativeUnit.objects.visible_to(request.user).exclude(level=UnitLevel.VILLAGE)
    return get_object_or_404(units.select_related("parent"), pk=pk)


def default_level(scope: AdministrativeUnit | None) -> str:
    if scope is None:
        return UnitLevel.PROVINCE
    if scope.level == UnitLevel.COMMUNE:
        return UnitLevel.VILLAGE
    if scope.level == UnitLevel.DISTRICT:
        return UnitLevel.COMMUNE
    return target_services.target_level(scope)


def visible_ancestors(user, scope: AdministrativeUnit | None) -> list[AdministrativeUnit]:
    if scope is None:
        return []
    return list(AdministrativeUnit.objects.visible_to(user).filter(pk__in=scope.ancestor_ids).order_by("path"))


class TransitionMixin:
    """Reads the filter (year or dates, level, unit) and builds the table; bad input is explained on the page."""

    def parse(self):
        """The unit, the filter form, the period (None when the input is wrong) and the level's label; cheap."""
        request = self.request
        scope = scope_from(request, request.GET.get("don_vi"))
        levels = levels_for(scope)
        data = request.GET.copy()
        data.setdefault("nam", str(timezone.localdate().year))
        data.setdefault("cap", default_level(scope))
        form = TransitionFilterForm(data, levels=levels)
        period = None
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                if cleaned.get("tu_ngay"):
                    period = period_between(cleaned["tu_ngay"], cleaned["den_ngay"])
                else:
                    period = period_for_year(cleaned["nam"])
            except ValidationError as error:
                add_form_error(form, error)
        level_label = dict(levels).get(data.get("cap"), "")
        return scope, form, period, level_label

    def build(self):
        """The page's table; None with ``self.in_background`` set when the period is not one the summary holds and
        the unit is too large to count live inside the request (the export counts it in a background job)."""
        scope, form, period, level_label = self.parse()
        table = None
        self.in_background = None
        if period is not None:
            user = self.request.user
            if not summary.period_held(period) and not commune_sized(user):
                size = summary.households_in_scope(user, scope)
                if size > LIVE_PAGE_HOUSEHOLDS:
                    self.in_background = size
                    return scope, form, None, level_label
            table = transition_table(user, period=period, level=form.cleaned_data["cap"], scope=scope)
        return scope, form, table, level_label


class TransitionsView(RoleRequiredMixin, TransitionMixin, TemplateView):
    allowed_roles = ALL_ROLES
    template_name = "households/transitions.html"

    def get_context_data(self, **kwargs):
        scope, form, table, level_label = self.build()
        query = self.request.GET.copy()
        for key in ("don_vi", "cap"):  # a drill-down opens the unit at its own default level
            query.pop(key, None)
        return super().get_context_data(
            scope=scope,
            form=form,
            table=table,
            in_background=self.in_background,
            level_label=level_label,
            ancestors=visible_ancestors(self.request.user, scope),
            drill_query=query.urlencode(),
            **kwargs,
        )


class TransitionsExportView(RoleRequiredMixin, TransitionMixin, BackgroundExportMixin, View):
    """The movements table as a workbook; above a commune it is computed and written by a background job."""

    allowed_roles = ALL_ROLES

    def get(self, request):
        scope, form, period, level_label = self.parse()
        if period is None:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(f"{reverse('households:transitions')}?{request.GET.urlencode()}")
        self.scope = scope
        scope_name = scope.name if scope is not None else _("Toàn hệ thống")

        def write(target, progress):
            progress(5, _("Đang tính biến động"))
            table = transition_table(
                request.user, period=period, level=form.cleaned_data["cap"], scope=scope, exact=True
            )
            write_bytes(target, transition_workbook(table, scope_name=scope_name, level_label=str(level_label)))

        return self.export_response(write, transition_filename(period))

    def export_commune_sized(self) -> bool:
        return commune_sized(self.request.user) or (self.scope is not None and self.scope.level == UnitLevel.COMMUNE)


def _year(raw, today) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return today.year
    return year if EARLIEST_YEAR <= year <= today.year + 1 else today.year


class TargetsView(RoleRequiredMixin, BackgroundExportMixin, TemplateView):
    """A commune's target and registrations, or the table of targets of the units below a district/province."""

    allowed_roles = ALL_ROLES

    def setup_page(self):
        today = timezone.localdate()
        self.scope = scope_from(self.request, self.request.GET.get("don_vi"))
        self.year = _year(self.request.GET.get("nam"), today)
        commune_page = self.scope is not None and self.scope.level == UnitLevel.COMMUNE
        self.progress = target_services.target_progress(
            self.request.user, scope=self.scope, year=self.year, with_last_year=not commune_page
        )
        self.future = self.year > today.year
        self.editable = [row for row in self.progress.rows if target_may_set(self.request.user, row.unit)]
        return commune_page

    def get_template_names(self):
        return ["households/target_commune.html" if self.commune_page else "households/target_list.html"]

    def row_forms(self, data=None):
        forms = {}
        for row in self.editable:
            target = row.target
            initial = (
                {
                    "households_to_escape": target.households_to_escape,
                    "rate_reduction": target.rate_reduction,
                    "updated_at": target.updated_at.isoformat(),
                }
                if target
                else {}
            )
            forms[row.unit.pk] = TargetRowForm(
                data, prefix=f"u{row.unit.pk}", unit=row.unit, target=target, initial=initial
            )
        return forms

    def get(self, request, *args, **kwargs):
        scope = scope_from(request, request.GET.get("don_vi"))
        if request.GET.get("xuat") == "xlsx" and not (scope is not None and scope.level == UnitLevel.COMMUNE):
            # the table of the units below a district or province: computed and written by a background job

            def write(target, progress):
                progress(5, _("Đang tính chỉ tiêu và kết quả"))
                self.commune_page = self.setup_page()
                scope_name = self.scope.name if self.scope is not None else _("Toàn hệ thống")
                write_bytes(target, target_workbook(self.progress, scope_name=scope_name, future=self.future))

            return self.export_response(write, target_filename(_year(request.GET.get("nam"), timezone.localdate())))
        self.commune_page = self.setup_page()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.commune_page = self.setup_page()
        if not self.editable:
            raise PermissionDenied
        forms = self.row_forms(request.POST)
        decision = TargetDecisionForm(request.POST)
        if decision.is_valid() and all(form.is_valid() for form in forms.values()):
            entries = [form.entry for form in forms.values() if form.entry]
            try:
                with unique_violations_as_errors():
                    changed = target_services.poverty_targets_set(
                        entries=entries,
                        year=self.year,
                        legal_basis=decision.cleaned_data["legal_basis"],
                        note=decision.cleaned_data["note"],
                        user=request.user,
                    )
            except ValidationError as error:
                add_form_error(decision, error)
            else:
                messages.success(
                    request,
                    _("Đã lưu chỉ tiêu giảm nghèo năm %(year)s: %(n)s đơn vị được giao hoặc điều chỉnh.")
                    % {"year": self.year, "n": changed},
                )
                return redirect(f"{reverse('households:targets')}?{request.GET.urlencode()}")
        return self.render_to_response(self.get_context_data(forms=forms, decision=decision))

    def get_context_data(self, forms=None, decision=None, **kwargs):
        context = super().get_context_data(
            scope=self.scope,
            year=self.year,
            years=self.target_years(),
            progress=self.progress,
            future=self.future,
            ancestors=visible_ancestors(self.request.user, self.scope),
            outcome_labels=Outcome.LABELS,
            **kwargs,
        )
        if self.commune_page:
            # A commune's registrations of a year run to hundreds (thousands in the million-household province):
            # a page of them at a time, with how many there are.
            registrations = target_services.escape_registrations_for(
                self.request.user, commune=self.scope, year=self.year
            )
            page = Paginator(registrations, REGISTRATIONS_PER_PAGE).get_page(self.request.GET.get("page"))
            context["registrations"], context["page_obj"] = page.object_list, page
            context["row"] = self.progress.rows[0] if self.progress.rows else None
            context["can_register"] = (
                self.request.user.role in REGISTRARS and self.scope.pk == self.request.user.unit_id and not self.past
            )
        else:
            forms = forms if forms is not None else self.row_forms()
            context["rows"] = [(row, forms.get(row.unit.pk)) for row in self.progress.rows]
            context["decision"] = decision or TargetDecisionForm()
            context["can_set"] = bool(forms)
        return context

    @property
    def past(self) -> bool:
        return self.year < timezone.localdate().year

    def target_years(self):
        today = timezone.localdate()
        return [today.year + 1, *[y for y, _label in year_choices(today)]]


class EscapeRegistrationCreateView(RoleRequiredMixin, TemplateView):
    """A commune officer registers a poor or near-poor household to escape poverty, with its helper."""

    allowed_roles = REGISTRARS
    template_name = "households/escape_registration_form.html"

    def dispatch(self, request, *args, **kwargs):
        unit = getattr(request.user, "unit", None)
        if request.user.is_authenticated and (unit is None or unit.level != UnitLevel.COMMUNE):
            raise PermissionDenied  # a superuser without a commune has no households to register
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None):
        user, today = self.request.user, timezone.localdate()
        year = _year((data or {}).get("year") or self.request.GET.get("nam"), today)
        year = max(year, today.year)
        households = target_services.escape_candidates_for(user, commune=user.unit, year=year)
        return EscapeRegistrationForm(
            data,
            households=households,
            cadres=cadre_queryset(user),
            initial={"year": year, "registered_on": today},
        )

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or self.make_form()
        return super().get_context_data(form=form, commune=self.request.user.unit, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with unique_violations_as_errors():
                    registration = target_services.escape_registration_add(
                        household=data["household"],
                        year=data["year"],
                        registered_on=data["registered_on"],
                        user=request.user,
                        cadre_user=data["cadre_user"],
                        cadre_name=data["cadre_name"],
                        cadre_position=data["cadre_position"],
                        cadre_phone=data["cadre_phone"],
                        commitment=data["commitment"],
                    )
            except ValidationError as error:
                add_form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Đã đăng ký thoát nghèo năm %(year)s cho hộ %(code)s.")
                    % {"year": registration.year, "code": registration.household.code},
                )
                return redirect(f"{reverse('households:targets')}?nam={registration.year}")
        return self.render_to_response(self.get_context_data(form=form))


class EscapeRegistrationWithdrawView(ReasonConfirmMixin, RoleRequiredMixin, TemplateView):
    """Withdraw a registration with a reason; it stays on file as withdrawn (the service refuses a second time)."""

    allowed_roles = REGISTRARS
    template_name = "households/escape_registration_withdraw.html"
    form_class = WithdrawForm

    def get_registration(self) -> EscapeRegistration:
        if not hasattr(self, "_registration"):
            self._registration = get_object_or_404(
                EscapeRegistration.objects.visible_to(self.request.user).select_related("household__village"),
                pk=self.kwargs["pk"],
            )
        return self._registration

    def get_confirmed(self) -> EscapeRegistration:
        return self.get_registration()

    def get_context_data(self, **kwargs):
        return super().get_context_data(registration=self.get_registration(), **kwargs)

    def perform(self, form) -> None:
        target_services.escape_registration_withdraw(
            registration=self.get_registration(), reason=form.cleaned_data["reason"], user=self.request.user
        )

    def get_success_message(self) -> str:
        return _("Đã rút đăng ký thoát nghèo của hộ %(code)s.") % {"code": self.get_registration().household.code}

    def get_success_url(self) -> str:
        return f"{reverse('households:targets')}?nam={self.get_registration().year}"
