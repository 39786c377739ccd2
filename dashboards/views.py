"""The landing dashboard of every role: its unit and the units below, this year's targets, overdue review work,
the periodic reports due soon and the drafts prepared lately."""

from django.utils import timezone
from django.views.generic import TemplateView

from accounts.permissions import ALL_ROLES, RoleRequiredMixin
from households.summary import dashboard_figures_for
from reports.selectors import new_drafts, upcoming_deadlines
from reviews.selectors import overdue_for

from .selectors import dashboard_for, target_widget_for

REPORT_DRAFTS_SHOWN = 5


class DashboardView(RoleRequiredMixin, TemplateView):
    allowed_roles = ALL_ROLES
    template_name = "dashboards/dashboard.html"

    def get_context_data(self, **kwargs):
        figures = dashboard_figures_for(self.request.user)  # the summary table's rows, read once for both
        return super().get_context_data(
            **dashboard_for(self.request.user, figures),
            target_widget=target_widget_for(self.request.user, figures),
            review_overdue=overdue_for(self.request.user),
            report_deadlines=upcoming_deadlines(self.request.user, timezone.localdate()),
            report_drafts=list(new_drafts(self.request.user)[:REPORT_DRAFTS_SHOWN]),
            **kwargs,
        )
