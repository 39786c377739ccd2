"""Movement screens: the list (movements run by the officer's unit, above and below it), a movement's page with its
milestones and criteria per level, creating and editing a movement (district and province staff of the unit that
runs it), copying seed 002's criteria set and adding or correcting a criterion. Every movement is read through
``visible_to``: another unit's is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.choices import Role
from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from core.integrity import add_form_error, form_write

from . import criteria as criteria_services
from . import movements as services
from .models import Criterion, CriterionKind, Level, Milestone, Movement
from .movement_forms import CriterionForm, MilestoneFormSet, MovementForm

RUNNING_ROLES = frozenset({Role.DISTRICT_STAFF, Role.PROVINCE_STAFF, Role.SYSTEM_ADMIN})


class MovementScopeMixin:
    def get_movement(self) -> Movement:
        if not hasattr(self, "_movement"):
            self._movement = get_object_or_404(
                Movement.objects.visible_to(self.request.user).select_related("unit"), pk=self.kwargs["pk"]
            )
        return self._movement

    def get_editable_movement(self) -> Movement:
        movement = self.get_movement()
        if not services.movement_may_edit(self.request.user, movement):
            raise PermissionDenied
        return movement


class MovementListView(RoleRequiredMixin, TemplateView):
    allowed_roles = ALL_ROLES
    template_name = "emulation/movement_list.html"

    def get_context_data(self, **kwargs):
        movements = (
            Movement.objects.visible_to(self.request.user)
            .select_related("unit")
            .annotate(criteria_count=Count("criteria", distinct=True))
        )
        return super().get_context_data(
            movements=movements, may_create=services.movement_may_create(self.request.user), **kwargs
        )


class MovementDetailView(RoleRequiredMixin, MovementScopeMixin, TemplateView):
    allowed_roles = ALL_ROLES
    template_name = "emulation/movement_detail.html"

    def get_context_data(self, **kwargs):
        movement = self.get_movement()
        criteria = list(Criterion.objects.filter(movement=movement).order_by("order", "code"))
        labels = dict(Level.choices)
        by_level = [
            (level, labels.get(level, level), [c for c in criteria if c.level == level]) for level in movement.levels
        ]
        return super().get_context_data(
            movement=movement,
            milestones=Milestone.objects.filter(movement=movement),
            by_level=by_level,
            may_edit=services.movement_may_edit(self.request.user, movement),
            evaluations=movement.evaluations.visible_to(self.request.user).select_related("scope", "evaluated_by")[:10],
            quantitative=CriterionKind.QUANTITATIVE,
            **kwargs,
        )


class MovementFormMixin:
    template_name = "emulation/movement_form.html"

    def forms(self, movement: Movement | None, data=None):
        form = MovementForm(data, instance=movement, user=self.request.user)
        formset = MilestoneFormSet(data, instance=movement or Movement(), prefix="moc")
        return form, formset

    def render_forms(self, form, formset, movement=None):
        return self.render_to_response(self.get_context_data(form=form, formset=formset, movement=movement))

    def write(self, form, formset, service) -> Movement | None:
        if not (form.is_valid() and formset.is_valid()):
            return None
        movement = form.save(commit=False)
        milestones = [f.save(commit=False) for f in formset.forms if f.has_changed() and f.cleaned_data]
        try:
            return service(movement=movement, milestones=milestones, user=self.request.user)
        except ValidationError as error:
            add_form_error(form, error)
            return None


class MovementCreateView(RoleRequiredMixin, MovementFormMixin, TemplateView):
    allowed_roles = RUNNING_ROLES

    def get(self, request, *args, **kwargs):
        form, formset = self.forms(None)
        form.initial.update(levels=[Level.COMMUNE, Level.VILLAGE, Level.HOUSEHOLD], is_active=True)
        return self.render_forms(form, formset)

    def post(self, request, *args, **kwargs):
        if not services.movement_may_create(request.user):
            raise PermissionDenied
        form, formset = self.forms(None, request.POST)
        movement = self.write(form, formset, services.movement_create)
        if movement is None:
            return self.render_forms(form, formset)
        messages.success(request, _("Đã tạo phong trào. Hãy nạp bộ tiêu chí mẫu hoặc thêm tiêu chí cho từng cấp."))
        return redirect("emulation:movement_detail", pk=movement.pk)


class MovementUpdateView(RoleRequiredMixin, MovementScopeMixin, MovementFormMixin, TemplateView):
    allowed_roles = RUNNING_ROLES

    def get(self, request, *args, **kwargs):
        movement = self.get_editable_movement()
        form, formset = self.forms(movement)
        return self.render_forms(form, formset, movement)

    def post(self, request, *args, **kwargs):
        movement = self.get_editable_movement()
        form, formset = self.forms(movement, request.POST)
        saved = self.write(form, formset, services.movement_update)
        if saved is None:
            return self.render_forms(form, formset, movement)
        messages.success(request, _("Đã lưu phong trào."))
        return redirect("emulation:movement_detail", pk=saved.pk)


class CriteriaTemplateView(RoleRequiredMixin, MovementScopeMixin, TemplateView):
    """POST: copy seed 002's criteria set into the movement (the criteria it already has are kept)."""

    allowed_roles = RUNNING_ROLES
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        movement = self.get_editable_movement()
        added = criteria_services.criteria_copy_template(movement=movement)
        if added:
            messages.success(request, _("Đã thêm %(n)s tiêu chí từ bộ tiêu chí mẫu.") % {"n": added})
        else:
            messages.info(request, _("Phong trào đã có đủ các tiêu chí của bộ mẫu cho các cấp được đánh giá."))
        return redirect("emulation:movement_detail", pk=movement.pk)


class CriterionFormView(RoleRequiredMixin, MovementScopeMixin, TemplateView):
    """Add a criterion to a movement (``/tieu-chi/them/``) or correct one (``?tieu_chi=<id>``)."""

    allowed_roles = RUNNING_ROLES
    template_name = "emulation/movement_criterion_form.html"

    def criterion(self, movement) -> Criterion | None:
        pk = self.request.GET.get("tieu_chi", "")
        if not pk:
            return None
        if not pk.isdigit():
            raise PermissionDenied
        return get_object_or_404(Criterion, movement=movement, pk=int(pk))

    def get(self, request, *args, **kwargs):
        movement = self.get_editable_movement()
        criterion = self.criterion(movement)
        form = CriterionForm(instance=criterion, movement=movement)
        return self.render_to_response(self.get_context_data(form=form, movement=movement, criterion=criterion))

    def post(self, request, *args, **kwargs):
        movement = self.get_editable_movement()
        criterion = self.criterion(movement)
        form = CriterionForm(request.POST, instance=criterion, movement=movement)
        if form.is_valid() and form_write(
            form, lambda f: criteria_services.criterion_save(criterion=f.save(commit=False))
        ):
            messages.success(request, _("Đã lưu tiêu chí."))
            return redirect("emulation:movement_detail", pk=movement.pk)
        return self.render_to_response(self.get_context_data(form=form, movement=movement, criterion=criterion))
