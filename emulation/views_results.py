"""Screens of the movement's results: the roll-up of a year (per unit and in total, beside the housing benefits the
programmes recorded) and the form where a commune or district types its own figures (emulation/results.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.permissions import OFFICER_ROLES, RoleRequiredMixin
from areas.models import AdministrativeUnit
from core.integrity import form_write

from .models import Movement, MovementResult
from .results import (
    EDITABLE_FIELDS,
    housing_beside,
    movement_result_may_record,
    movement_result_save,
    result_rollup,
)


class YearForm(forms.Form):
    nam = forms.TypedChoiceField(label=gettext_lazy("Năm"), coerce=int)

    def __init__(self, *args, movement: Movement, **kwargs):
        super().__init__(*args, **kwargs)
        years = range(movement.phase_end, movement.phase_start - 1, -1)
        self.fields["nam"].choices = [(year, str(year)) for year in years]


class MovementResultForm(forms.ModelForm):
    """The figures a unit types for one year, the fund in đồng typed the Vietnamese way (1.234.567)."""

    class Meta:
        model = MovementResult
        fields = list(EDITABLE_FIELDS)
        help_texts = {
            "source": gettext_lazy("Ví dụ: Báo cáo của Ủy ban MTTQ xã ngày 15/12; sổ theo dõi quỹ Vì người nghèo."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fund = self.fields["fund_raised"]
        fund.localize = True
        fund.widget = forms.TextInput(attrs={"inputmode": "numeric"})
        fund.widget.is_localized = True
        fund.help_text = _("Số đồng, ví dụ 150.000.000.")
        for name in ("houses_built", "houses_repaired", "volunteers", "working_days", "models_replicated"):
            self.fields[name].widget.attrs.update(min=0)


class MovementMixin:
    def get_movement(self) -> Movement:
        if not hasattr(self, "_movement"):
            self._movement = get_object_or_404(
                Movement.objects.visible_to(self.request.user).select_related("unit"), pk=self.kwargs["pk"]
            )
        return self._movement

    def default_year(self, movement: Movement) -> int:
        from django.utils import timezone

        return min(max(timezone.localdate().year, movement.phase_start), movement.phase_end)


class ResultRollupView(RoleRequiredMixin, MovementMixin, TemplateView):
    """The year's results per unit below the officer's unit (a district's communes, a province's districts) and in
    total, each beside the houses the programmes recorded; links to type a unit's own figures."""

    allowed_roles = OFFICER_ROLES
    template_name = "emulation/results_rollup.html"

    def get_context_data(self, **kwargs):
        movement = self.get_movement()
        user = self.request.user
        form = YearForm(self.request.GET or None, movement=movement)
        year = form.cleaned_data["nam"] if form.is_bound and form.is_valid() else self.default_year(movement)
        if not form.is_bound or not form.is_valid():
            form = YearForm(initial={"nam": year}, movement=movement)
        scope = user.unit if user.unit_id and user.unit.path.startswith(movement.unit.path) else movement.unit
        if not AdministrativeUnit.objects.visible_to(user).filter(pk=scope.pk).exists():
            raise Http404
        rollup = result_rollup(user=user, movement=movement, year=year, scope=scope)
        recordable = {row.unit.pk for row in rollup.rows if movement_result_may_record(user, row.unit)}
        return super().get_context_data(
            movement=movement,
            year=year,
            year_form=form,
            rollup=rollup,
            recordable=recordable,
            may_record_scope=movement_result_may_record(user, scope) and scope.pk not in recordable,
            **kwargs,
        )


class ResultEditView(RoleRequiredMixin, MovementMixin, TemplateView):
    """A unit's results of one year of the movement, with the housing benefits recorded for it beside them."""

    allowed_roles = OFFICER_ROLES
    template_name = "emulation/result_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        movement = self.get_movement()
        self.unit = get_object_or_404(AdministrativeUnit.objects.visible_to(request.user), pk=kwargs["unit"])
        self.year = kwargs["year"]
        if not (movement.phase_start <= self.year <= movement.phase_end):
            raise Http404
        if not self.unit.path.startswith(movement.unit.path):
            raise Http404
        if self.role_allows(request.user) and not movement_result_may_record(request.user, self.unit):
            raise PermissionDenied
        self.instance = MovementResult.objects.filter(movement=movement, unit=self.unit, year=self.year).first()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=MovementResultForm(instance=self.instance)))

    def post(self, request, *args, **kwargs):
        form = MovementResultForm(request.POST, instance=self.instance or MovementResult())
        movement = self.get_movement()

        def write(form):
            values = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
            return movement_result_save(
                movement=movement, unit=self.unit, year=self.year, values=values, user=request.user
            )

        if form.is_valid() and form_write(form, write):
            messages.success(
                request,
                _("Đã lưu kết quả phong trào năm %(year)s của %(unit)s.") % {"year": self.year, "unit": self.unit.name},
            )
            url = reverse("emulation:results", args=[movement.pk])
            return redirect(f"{url}?{urlencode({'nam': self.year})}")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            movement=self.get_movement(),
            unit=self.unit,
            year=self.year,
            result=self.instance,
            housing=housing_beside(unit=self.unit, year=self.year),
            **kwargs,
        )
