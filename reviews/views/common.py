"""Shared pieces of the review views: role sets, scoping mixins, the form-then-service pattern."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect

from accounts.choices import Role
from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from core.integrity import form_write

from ..models import ReviewRound, TransitionRefused

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


def refusal(round: ReviewRound, action: str) -> str:
    """Why the round's state does not allow ``action`` now (empty if it does), for a page to say so up front."""
    try:
        round.require(action)
    except TransitionRefused as error:
        return _errors(error)
    return ""


class RoundActionMixin(RoleRequiredMixin, RoundScopeMixin):
    """A form page that ends in one service call and goes back to the round. A page whose step the round's state
    does not allow says why instead of showing a form that could only be refused."""

    form_class = None
    success_message = ""
    action = ""

    def get_form(self, data=None):
        return self.form_class(data, initial={"version": self.get_round().version})

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            round=self.get_round(),
            form=kwargs.pop("form", None) or self.get_form(),
            refused=refusal(self.get_round(), self.action) if self.action else "",
            **kwargs,
        )

    def post(self, request, pk):
        form = self.get_form(request.POST)
        if form.is_valid() and form_write(form, self.perform):
            messages.success(request, self.success_message)
            return redirect("reviews:detail", pk=self.get_round().pk)
        return self.render_to_response(self.get_context_data(form=form))
