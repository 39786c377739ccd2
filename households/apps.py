from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("Hộ gia đình")

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - registers the Excel import job kind
