from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The landing page: the one layer that reads every domain app (core and the domain apps never import it)."""

    name = "dashboards"
    verbose_name = _("Tổng quan")
