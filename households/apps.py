from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("Hộ gia đình")

    def ready(self) -> None:
        from core.demo import reference_loader

        from . import jobs  # noqa: F401 - registers the Excel import job kind
        from .reference_data import reference_data_load

        reference_loader(reference_data_load)
