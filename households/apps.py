from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("Hộ gia đình")

    def ready(self) -> None:
        from core.demo import reference_loader

        from . import jobs, opening  # noqa: F401 - register the Excel import job kinds
        from .reference_data import reference_data_load
        from .summary import connect_signals

        reference_loader(reference_data_load)
        connect_signals()  # the dashboards' summary table is refreshed after each commit that changes it
