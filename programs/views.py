"""Programme screens: the catalogue with the unit's figures, a programme's records, a household's support,
recording and editing a benefit (commune officers), photos. District and province staff read the same pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from accounts.choices import Role
from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.confirm import ReasonConfirmMixin
from core.exports import BackgroundExportMixin, commune_sized, no_progress, rows_up_to
from core.integrity import add_form_error, unique_violations_as_errors
from core.pagination import CappedCountPaginator
from households.models import Household
from households.selectors import SEARCH_CAP, households_named

from . import selectors, services
from .choices import ProgrammeKind
from .excel import table_workbook, xlsx_filename
from .figures import Period, child_rollup, unit_figures
from .forms import BenefitFilterForm, BenefitForm, CancelForm, PeriodForm, PhotoForm
from .jobs import support_prepare_start
from .models import Benefit, BenefitPhoto, Programme
from .summary import support_pending
from .tables import benefit_columns, benefit_row

EDITORS = frozenset({Role.COMMUNE_OFFICER})


def home_unit(user) -> AdministrativeUnit | None:
    """The unit whose figures a user sees first: their own, or the first province for an administrator."""
    if user.unit_id:
        return user.unit
    return AdministrativeUnit.objects.visible_to(user).filter(level=UnitLevel.PROVINCE).order_by("code").first()


def children_of(unit):
    return list(AdministrativeUnit.objects.filter(parent=unit).valid_on().order_by("code")) if unit else []


class ProgrammeIndexView(RoleRequiredMixin, TemplateView):
    """The catalogue in force and this year's support in the user's unit, rolled up by the units below it."""

    allowed_roles = ALL_ROLES
    template_name = "programs/programme_index.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        unit = home_unit(user)
        # This year's support, as the figures page shows it by default: a period whose rows the background keeps
        # current (programs.summary, ADR 0040). "From 1/1 to today" was a new period every day, counted live over
        # the whole unit by the first visit of each day (56 s for a province of a million households).
        period = Period.year(today.year)
        figures, rollup, preparing, pending = None, [], None, []
        if unit is not None:
            pending = support_pending(unit=unit, period=period, user=user)
            if pending:  # too many communes to count now: prepared in the background, the page reloads when ready
                preparing = support_prepare_start(unit=unit, period=period, user=user)
            else:
                figures = unit_figures(unit=unit, period=period, user=user)
                rollup = child_rollup(unit=unit, children=children_of(unit), period=period, user=user)
        programmes = Programme.objects.all()
        return super().get_context_data(
            unit=unit,
            period=period,
            preparing=preparing,
            pending=len(pending),
            figures=figures,
            rows={row["programme"].pk: row for row in (figures or {}).get("programmes", [])},
            rollup=rollup,
            in_force=[p for p in programmes if p.valid_from <= today and (p.valid_to is None or p.valid_to >= today)],
            ended=[p for p in programmes if p.valid_to is not None and p.valid_to < today],
            can_edit=user.role in EDITORS,
            **kwargs,
        )


class ProgrammeDetailView(RoleRequiredMixin, BackgroundExportMixin, ListView):
    """One programme: its rule and parameters, and the records the user may see (filtered, exportable)."""

    allowed_roles = ALL_ROLES
    template_name = "programs/programme_detail.html"
    paginate_by = 50
    paginator_class = CappedCountPaginator  # a province's records of one programme run to hundreds of thousands

    def programme(self) -> Programme:
        if not hasattr(self, "_programme"):
            self._programme = get_object_or_404(Programme, pk=self.kwargs["pk"])
        return self._programme

    def filters(self) -> BenefitFilterForm:
        if not hasattr(self, "_filters"):
            villages = AdministrativeUnit.objects.visible_to(self.request.user).filter(level=UnitLevel.VILLAGE)
            self._filters = BenefitFilterForm(self.request.GET or None, villages=villages.order_by("path"))
            self._filters.is_valid()
        return self._filters

    def searched(self) -> tuple[list[int], bool] | None:
        """The households the search box names among those with a record of the programme in the chosen village
        (the household list's indexed search, at most ``SEARCH_CAP``), and whether more matched; None when nothing
        was typed."""
        if not hasattr(self, "_searched"):
            data = getattr(self.filters(), "cleaned_data", {}) or {}
            query = " ".join((data.get("q") or "").split())
            self._searched = None
            if query:
                records = Benefit.objects.filter(programme=self.programme(), household=OuterRef("pk"))
                if not data.get("include_cancelled"):
                    records = records.active()
                households = Household.objects.visible_to(self.request.user).filter(Exists(records))
                if data.get("village"):
                    households = households.filter(village=data["village"])
                self._searched = households_named(self.request.user, query, households=households)
        return self._searched

    def get_queryset(self):
        data = getattr(self.filters(), "cleaned_data", {}) or {}
        searched = self.searched()
        households = {"households": searched[0]} if searched is not None else {}
        return selectors.benefit_list_for(
            self.request.user, filters={**data, "programme": self.programme(), **households}
        )

    def export_size(self, limit: int) -> int:
        return rows_up_to(self.export_queryset(), limit)

    def export_queryset(self):
        """Every record the filters name, however many households a search names; never the cancelled ones,
        whatever the on-screen filter."""
        data = getattr(self.filters(), "cleaned_data", {}) or {}
        filters = {**data, "programme": self.programme(), "include_cancelled": False}
        return selectors.benefit_list_for(self.request.user, filters=filters)

    def get(self, request, *args, **kwargs):
        if request.GET.get("xuat") == "xlsx":
            programme = self.programme()
            columns = benefit_columns(programme)

            def write(target, progress):
                benefits = self.export_queryset()
                table_workbook(
                    programme.short_name,
                    columns,
                    (benefit_row(b) for b in benefits.iterator(chunk_size=1000)),
                    heading=[programme.name, programme.legal_basis],
                    target=target,
                    progress=progress,
                    total=None if progress is no_progress else benefits.count(),  # for the job's progress bar
                )

            return self.export_response(write, xlsx_filename(f"ho-tro-{programme.code.lower()}", timezone.localdate()))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        programme = self.programme()
        return super().get_context_data(
            programme=programme,
            filter_form=self.filters(),
            can_edit=self.request.user.role in EDITORS,
            show_commune=not (self.request.user.unit_id and self.request.user.unit.level == UnitLevel.COMMUNE),
            parameters=list((programme.parameters or {}).values()),
            more_matches_than=SEARCH_CAP if (self.searched() or ([], False))[1] else None,
            **kwargs,
        )


class HouseholdScopeMixin:
    def get_household(self) -> Household:
        if not hasattr(self, "_household"):
            self._household = get_object_or_404(
                Household.objects.visible_to(self.request.user).select_related("village", "commune"),
                pk=self.kwargs["pk"],
            )
        return self._household


class HouseholdSupportView(RoleRequiredMixin, HouseholdScopeMixin, TemplateView):
    """Everything a household and its members received, newest first, and the programmes to record."""

    allowed_roles = ALL_ROLES
    template_name = "programs/household_support.html"

    def get_context_data(self, **kwargs):
        household = self.get_household()
        benefits = list(selectors.household_benefits(self.request.user, household))
        return super().get_context_data(
            household=household,
            benefits=benefits,
            total=sum(b.amount or 0 for b in benefits if not b.is_cancelled),
            active_count=sum(1 for b in benefits if not b.is_cancelled),
            cancelled_count=sum(1 for b in benefits if b.is_cancelled),
            programmes=selectors.programmes_in_force(),
            ended_programmes=selectors.programmes_ended(),
            can_edit=self.request.user.role in EDITORS and not household.is_archived,
            **kwargs,
        )


class BenefitCreateView(RoleRequiredMixin, HouseholdScopeMixin, TemplateView):
    """Record support for a household (or one member): the rule is checked on the date before saving."""

    allowed_roles = EDITORS
    template_name = "programs/benefit_form.html"

    def programme(self) -> Programme:
        raw = self.request.GET.get("ct") or self.request.POST.get("ct") or ""
        if not raw.isdigit():
            raise Http404  # a mistyped or missing programme in the address, not a server error
        return get_object_or_404(Programme, pk=int(raw))

    def form(self, data=None, files=None):
        household = self.get_household()
        may = services.user_may_override(self.request.user)
        return BenefitForm(data, files, programme=self.programme(), household=household, may_override=may)

    def get(self, request, *args, **kwargs):
        if self.get_household().is_archived:
            raise Http404
        return self.render_to_response(self.get_context_data(form=self.form()))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        household = self.get_household()
        verdict = None
        if form.is_valid():
            benefit = form.save(commit=False)
            benefit.programme, benefit.household = form.programme, household
            try:
                services.benefit_record(
                    benefit=benefit, user=request.user, override_reason=form.cleaned_data.get("override_reason", "")
                )
            except services.IneligibleError as error:
                verdict = error.verdict
                add_form_error(form, error)
            except ValidationError as error:
                add_form_error(form, error)
            else:
                messages.success(request, _("Đã ghi nhận: %(benefit)s.") % {"benefit": benefit})
                return redirect("programs:household", household.pk)
        return self.render_to_response(self.get_context_data(form=form, verdict=verdict), status=200)

    def get_context_data(self, **kwargs):
        household = self.get_household()
        programme = self.programme()
        preview = services.benefit_check(programme=programme, household=household, day=timezone.localdate())
        return super().get_context_data(
            household=household,
            programme=programme,
            preview=preview,
            benefit=None,
            parameters=list((programme.parameters or {}).values()),
            **kwargs,
        )


class BenefitScopeMixin:
    def get_benefit(self) -> Benefit:
        if not hasattr(self, "_benefit"):
            self._benefit = get_object_or_404(
                Benefit.objects.visible_to(self.request.user).select_related(
                    "programme", "household__village", "household__commune", "member", "override_by", "created_by"
                ),
                pk=self.kwargs["pk"],
            )
        return self._benefit


class BenefitDetailView(RoleRequiredMixin, BenefitScopeMixin, DetailView):
    allowed_roles = ALL_ROLES
    template_name = "programs/benefit_detail.html"
    context_object_name = "benefit"

    def get_object(self, queryset=None):
        return self.get_benefit()

    def get_context_data(self, **kwargs):
        benefit = self.object
        editable = self.request.user.role in EDITORS and not benefit.household.is_archived and not benefit.is_cancelled
        return super().get_context_data(
            fields=benefit_row(benefit, display=True),
            columns=benefit_columns(benefit.programme),
            log=benefit.log.select_related("user"),
            photos=benefit.photos.all(),
            photo_form=PhotoForm() if editable and benefit.programme.kind == ProgrammeKind.HOUSING else None,
            can_edit=editable,
            **kwargs,
        )


class BenefitUpdateView(RoleRequiredMixin, BenefitScopeMixin, TemplateView):
    allowed_roles = EDITORS
    template_name = "programs/benefit_form.html"

    def form(self, data=None):
        benefit = self.get_benefit()
        if benefit.household.is_archived or benefit.is_cancelled:
            raise Http404
        may = services.user_may_override(self.request.user)
        return BenefitForm(
            data, instance=benefit, programme=benefit.programme, household=benefit.household, may_override=may
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.form()))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        verdict = None
        if form.is_valid():
            benefit = form.save(commit=False)
            try:
                services.benefit_update(
                    benefit=benefit,
                    user=request.user,
                    expected_version=form.cleaned_data.get("version") or 0,
                    override_reason=form.cleaned_data.get("override_reason", ""),
                )
            except services.IneligibleError as error:
                verdict = error.verdict
                add_form_error(form, error)
            except ValidationError as error:
                add_form_error(form, error)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("programs:benefit", benefit.pk)
        return self.render_to_response(self.get_context_data(form=form, verdict=verdict))

    def get_context_data(self, **kwargs):
        benefit = self.get_benefit()
        return super().get_context_data(
            household=benefit.household,
            programme=benefit.programme,
            benefit=benefit,
            preview=None,
            parameters=list((benefit.programme.parameters or {}).values()),
            **kwargs,
        )


class BenefitCancelView(ReasonConfirmMixin, RoleRequiredMixin, BenefitScopeMixin, TemplateView):
    """Confirm and cancel a wrongly recorded benefit with a reason (no hard delete); same rule as editing:
    commune officers of the household's commune (scoping), out of scope is a 404."""

    allowed_roles = EDITORS
    template_name = "programs/benefit_cancel.html"
    form_class = CancelForm

    def get_benefit(self) -> Benefit:
        benefit = super().get_benefit()
        if benefit.household.is_archived:
            raise Http404
        return benefit

    def get_confirmed(self) -> Benefit:
        return self.get_benefit()

    def perform(self, form) -> None:
        services.benefit_cancel(
            benefit=self.get_benefit(),
            reason=form.cleaned_data["reason"],
            user=self.request.user,
            expected_version=form.cleaned_data["version"],
        )

    def get_success_message(self) -> str:
        return _("Đã huỷ bản ghi: %(benefit)s.") % {"benefit": self.get_benefit()}

    def get_success_url(self) -> str:
        return reverse("programs:benefit", args=[self.get_benefit().pk])

    def get_context_data(self, **kwargs):
        benefit = self.get_benefit()
        return super().get_context_data(
            benefit=benefit,
            fields=benefit_row(benefit, display=True),
            card_on_member=services.card_on_member(benefit),
            **kwargs,
        )


class BenefitPhotoView(RoleRequiredMixin, BenefitScopeMixin, View):
    allowed_roles = EDITORS

    def post(self, request, pk):
        benefit = self.get_benefit()
        form = PhotoForm(request.POST, request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("programs:benefit", benefit.pk)
        try:
            with unique_violations_as_errors():
                services.benefit_photo_add(
                    benefit=benefit,
                    image=form.cleaned_data["image"],
                    caption=form.cleaned_data["caption"],
                    user=request.user,
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã thêm ảnh."))
        return redirect("programs:benefit", benefit.pk)

    def get(self, request, pk):
        return redirect("programs:benefit", pk)


class PhotoFileView(RoleRequiredMixin, View):
    """Photos are served through the scoping rule, never from a public media URL."""

    allowed_roles = ALL_ROLES

    def get(self, request, pk):
        photo = get_object_or_404(
            BenefitPhoto.objects.filter(benefit__in=Benefit.objects.visible_to(request.user)), pk=pk
        )
        try:
            return FileResponse(photo.image.open("rb"))
        except FileNotFoundError as error:
            raise Http404 from error


class FiguresView(RoleRequiredMixin, BackgroundExportMixin, TemplateView):
    """The report figures (sections 3.1–3.8 of a 6-month report) for any visible unit and period."""

    allowed_roles = ALL_ROLES
    template_name = "programs/figures.html"

    def export_commune_sized(self) -> bool:
        """A commune's figures are written at once when its communes' rows are ready; a commune whose rows a change
        made stale is computed live (10 s for a commune of 43.479 households), so it goes to the background as the
        page does (``support_pending``)."""
        user, unit = self.request.user, self.export_unit
        if not (commune_sized(user) or unit.level == UnitLevel.COMMUNE):
            return False
        return not support_pending(unit=unit, period=self.export_period, user=user)

    def get(self, request, *args, **kwargs):
        user, today = request.user, timezone.localdate()
        units = (
            AdministrativeUnit.objects.visible_to(user)
            .filter(level__in=[UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE])
            .order_by("path")
        )
        home = home_unit(user)
        params = request.GET.copy()
        if home is not None and not params.get("unit"):
            params["unit"] = str(home.pk)
        form = PeriodForm(params if request.GET else None, units=units)
        data = form.cleaned_data if form.is_valid() else {}
        unit = data.get("unit") or home
        if data.get("start"):
            period = Period(data["start"], data["end"])
        else:
            year, half = data.get("year") or today.year, data.get("half") or 0
            period = Period.year(year) if not half else Period.half_year(year, half)
        if unit is None:
            raise Http404
        if request.GET.get("xuat") == "xlsx":
            from .tables import figures_workbook

            def write(target, progress):
                progress(5, _("Đang tính số liệu"))
                figures = unit_figures(unit=unit, period=period, user=user)
                progress(50, _("Đang tính số liệu theo đơn vị trực thuộc"))
                rollup = child_rollup(unit=unit, children=children_of(unit), period=period, user=user)
                figures_workbook(figures, rollup, target=target, progress=progress)

            self.export_unit, self.export_period = unit, period
            return self.export_response(write, xlsx_filename("so-lieu-ho-tro", today))
        if not request.GET:
            form = PeriodForm(initial={"unit": unit, "year": today.year, "half": 0}, units=units)
        context = {"form": form, "unit": unit, "period": period}
        pending = support_pending(unit=unit, period=period, user=user)
        if pending:
            # Computing these communes now would hold the request for minutes: their rows are prepared in the
            # background and the page reloads when they are ready, never showing figures that are not final.
            job = support_prepare_start(unit=unit, period=period, user=user)
            return self.render_to_response(self.get_context_data(preparing=job, pending=len(pending), **context))
        figures = unit_figures(unit=unit, period=period, user=user)
        rollup = child_rollup(unit=unit, children=children_of(unit), period=period, user=user)
        return self.render_to_response(self.get_context_data(figures=figures, rollup=rollup, **context))
