"""Shared pieces of the review views: role sets, scoping mixins, the form-then-service pattern."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect

from accounts.choices import Role
from accounts.permissions import ALL_ROLES, RoleRequiredMixin

from ..models import ReviewRound

OFFICERS = frozenset({Role.COMMUNE_OFFICER})
APPROVERS = frozenset({Role.DISTRICT_STAFF, Role.PROVINCE_STAFF})
READERS = ALL_ROLES


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


class RoundScopeMixin:
    def get_round(self) -> ReviewRound:
        if not hasattr(self, "_round"):
            self._round = get_object_or_404(
                ReviewRound.objects.visible_to(self.request.user).select_related("commune__parent"),
                pk=self.kwargs["pk"],
            )
        return self._round


class RoundActionMixin(RoleRequiredMixin, RoundScopeMixin):
    """A form page that ends in one service call and goes back to the round."""

    form_class = None
    success_message = ""

    def get_form(self, data=None):
        return self.form_class(data, initial={"version": self.get_round().version})

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            round=self.get_round(), form=kwargs.pop("form", None) or self.get_form(), **kwargs
        )

    def post(self, request, pk):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                self.perform(form)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, self.success_message)
                return redirect("reviews:detail", pk=self.get_round().pk)
        return self.render_to_response(self.get_context_data(form=form))
