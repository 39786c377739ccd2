"""The landing dashboard of every role: its unit and the units below, this year's targets, overdue review work."""

from django.views.generic import TemplateView

from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from reviews.selectors import overdue_for

from .selectors import dashboard_for, target_widget_for


class DashboardView(RoleRequiredMixin, TemplateView):
    allowed_roles = ALL_ROLES
    template_name = "dashboards/dashboard.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **dashboard_for(self.request.user),
            target_widget=target_widget_for(self.request.user),
            review_overdue=overdue_for(self.request.user),
            **kwargs,
        )
