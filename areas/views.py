"""Screens for browsing administrative units (every role, scoped) and editing them (administrators)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from accounts.permissions import ADMIN_ONLY, ALL_ROLES, RoleRequiredMixin
from core.downloads import xlsx_response
from core.spreadsheets import sheet_title

from . import services
from .choices import UnitLevel
from .forms import AdministrativeUnitForm
from .models import AdministrativeUnit
from .resources import AdministrativeUnitResource
from .selectors import unit_children_with_counts, unit_list_for


class UnitFilterMixin:
    def filtered_units(self):
        return unit_list_for(
            self.request.user,
            level=self.request.GET.get("level", ""),
            query=self.request.GET.get("q", "").strip(),
        )


class UnitListView(RoleRequiredMixin, UnitFilterMixin, ListView):
    allowed_roles = ALL_ROLES
    template_name = "areas/unit_list.html"
    paginate_by = 50

    def get_queryset(self):
        return self.filtered_units()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            levels=UnitLevel.choices,
            query=self.request.GET.get("q", ""),
            level=self.request.GET.get("level", ""),
        )
        return context


class UnitExportView(RoleRequiredMixin, UnitFilterMixin, View):
    """The list as filtered on screen, as an Excel workbook."""

    allowed_roles = ALL_ROLES

    def get(self, request):
        dataset = AdministrativeUnitResource().export(self.filtered_units())
        dataset.title = sheet_title(_("Đơn vị hành chính"))  # tablib would call the sheet "Tablib Dataset"
        return xlsx_response(dataset.export("xlsx"), f"don-vi-hanh-chinh-{timezone.localdate():%d-%m-%Y}.xlsx")


class UnitDetailView(RoleRequiredMixin, DetailView):
    allowed_roles = ALL_ROLES
    template_name = "areas/unit_detail.html"
    context_object_name = "unit"

    def get_queryset(self):
        return AdministrativeUnit.objects.visible_to(self.request.user).select_related("parent")

    def get_context_data(self, **kwargs):
        unit = self.object
        visible_ids = set(
            AdministrativeUnit.objects.visible_to(self.request.user)
            .filter(pk__in=unit.ancestor_ids)
            .values_list("pk", flat=True)
        )
        return super().get_context_data(
            children=unit_children_with_counts(unit),
            ancestors=[(a, a.pk in visible_ids) for a in unit.ancestors()],
            officers=unit.officers.filter(is_active=True).order_by("role", "full_name"),
            **kwargs,
        )


class UnitFormMixin(RoleRequiredMixin):
    allowed_roles = ADMIN_ONLY
    template_name = "areas/unit_form.html"
    form_class = AdministrativeUnitForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.get_instance()}

    def form_valid(self, form):
        try:
            unit = services.unit_save(unit=form.instance)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Đã lưu đơn vị %(name)s.") % {"name": unit.name})
        return redirect("areas:detail", pk=unit.pk)


class UnitCreateView(UnitFormMixin, FormView):
    def get_instance(self):
        raw = self.request.GET.get("parent", "")
        # a hand-edited or mangled address ("2.226") opens the empty form instead of a server error
        parent = AdministrativeUnit.objects.visible_to(self.request.user).filter(pk=int(raw) if raw.isdigit() else 0)
        return AdministrativeUnit(parent=parent.first())

    def get_initial(self):
        parent = self.get_instance().parent
        if parent is None:
            return {}
        below = {UnitLevel.PROVINCE: UnitLevel.COMMUNE, UnitLevel.DISTRICT: UnitLevel.COMMUNE}
        return {"level": below.get(parent.level, UnitLevel.VILLAGE)}


class UnitUpdateView(UnitFormMixin, FormView):
    def get_instance(self):
        if not hasattr(self, "_instance"):
            self._instance = get_object_or_404(
                AdministrativeUnit.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
            )
        return self._instance

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.get_instance(), **kwargs)
