"""The typed indicators of a unit for a report period (chỉ tiêu nhập tay): one form listing every active
definition grouped by the report's section, with value, source and note; who entered each value and when."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.permissions import OFFICER_ROLES, RoleRequiredMixin
from areas.choices import UnitLevel
from areas.models import AdministrativeUnit
from core.integrity import form_write

from .content import period_phrase
from .forms_indicators import IndicatorValuesForm, PeriodForm
from .indicators import active_definitions, indicator_may_enter, indicator_values_for, indicator_values_save
from .models import ReportSection
from .services import periods_for


class IndicatorValuesView(RoleRequiredMixin, TemplateView):
    """Staff type the figures of their own unit that no record gives; the report shows them as entered."""

    allowed_roles = OFFICER_ROLES
    template_name = "reports/indicator_values.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.period_form = PeriodForm(request.GET or None)
        if self.period_form.is_bound and self.period_form.is_valid():
            self.kind, self.year = self.period_form.cleaned_data["loai"], self.period_form.cleaned_data["nam"]
        else:
            self.period_form = PeriodForm()
            self.kind, self.year = self.period_form.fields["loai"].initial, self.period_form.fields["nam"].initial
        self.period_start, self.period_end = periods_for(self.kind, self.year)
        self.unit = self.unit_for(request)
        return super().dispatch(request, *args, **kwargs)

    def unit_for(self, request) -> AdministrativeUnit | None:
        """The user's own unit; a system administrator picks one (``?don_vi=``) among all units."""
        user = request.user
        wanted = request.GET.get("don_vi", "")
        units = AdministrativeUnit.objects.visible_to(user)
        if wanted:
            unit = units.filter(pk=wanted).first() if wanted.isdigit() else None
            if unit is None:
                raise Http404
            if not indicator_may_enter(user, unit):
                raise PermissionDenied
            return unit
        return user.unit if user.unit_id else None

    def admin_units(self):
        if self.unit is not None or not self.request.user.is_system_admin:
            return []
        reporting = Q(level__in=[UnitLevel.PROVINCE, UnitLevel.DISTRICT]) | Q(
            level=UnitLevel.COMMUNE, parent__level=UnitLevel.PROVINCE
        )
        return AdministrativeUnit.objects.valid_on().filter(reporting).order_by("path")

    def form(self, data=None) -> IndicatorValuesForm:
        values = {
            value.definition_id: value
            for value in indicator_values_for(
                unit=self.unit, period_start=self.period_start, period_end=self.period_end
            )
        }
        self.values = values
        return IndicatorValuesForm(data, definitions=active_definitions(), values=values)

    def get(self, request, *args, **kwargs):
        form = self.form() if self.unit is not None else None
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if self.unit is None:
            raise Http404
        form = self.form(request.POST)

        def write(form):
            try:
                return indicator_values_save(
                    unit=self.unit,
                    period_start=self.period_start,
                    period_end=self.period_end,
                    entries=form.entries(),
                    user=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    raise ValidationError({f"v_{code}": errors for code, errors in error.error_dict.items()}) from None
                raise

        if form.is_valid() and form_write(form, write):
            messages.success(request, _("Đã lưu số liệu nhập tay của %(unit)s.") % {"unit": self.unit.name})
            query = {"loai": self.kind, "nam": self.year}
            if request.GET.get("don_vi"):
                query["don_vi"] = self.unit.pk
            return redirect(f"{request.path}?{urlencode(query)}")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form")
        sections = []
        if form is not None:
            labels = dict(ReportSection.choices)
            for section, rows in groupby(form.rows(), key=lambda row: row[0].section):
                items = [(*row, self.values.get(row[0].pk)) for row in rows]
                sections.append((labels.get(section, section), items))
        context.update(
            unit=self.unit,
            period_form=self.period_form,
            sections=sections,
            period_start=self.period_start,
            period_end=self.period_end,
            period_label=period_phrase(self.kind, self.period_start, self.period_end),
            admin_units=self.admin_units(),
        )
        return context
