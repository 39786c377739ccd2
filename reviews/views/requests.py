"""Households' written requests (Mẫu số 01, 04), registered and attached to the next open round."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from accounts.permissions import RoleRequiredMixin
from core.integrity import add_form_error, unique_violations_as_errors

from .. import services
from ..forms import (
    RequestRegisterForm,
)
from ..models import HouseholdRequest
from .common import OFFICERS, READERS


# --- household requests --------------------------------------------------------------------------------
class RequestListView(RoleRequiredMixin, ListView):
    allowed_roles = READERS
    template_name = "reviews/request_list.html"
    paginate_by = 50

    def get_queryset(self):
        return HouseholdRequest.objects.visible_to(self.request.user).select_related("household__village", "round")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_register=self.request.user.role in OFFICERS, **kwargs)


class RequestCreateView(RoleRequiredMixin, TemplateView):
    allowed_roles = OFFICERS
    template_name = "reviews/request_form.html"

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or RequestRegisterForm(user=self.request.user)
        return super().get_context_data(form=form, **kwargs)

    def post(self, request):
        form = RequestRegisterForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with unique_violations_as_errors():
                    registered = services.household_request_register(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_form_error(form, error)
            else:
                if registered.round:
                    messages.success(
                        request, _("Đã ghi nhận giấy đề nghị và đưa hộ vào %(round)s.") % {"round": registered.round}
                    )
                else:
                    messages.success(
                        request, _("Đã ghi nhận giấy đề nghị; hộ sẽ được đưa vào đợt rà soát tiếp theo khi mở.")
                    )
                return redirect("reviews:requests")
        return self.render_to_response(self.get_context_data(form=form))
