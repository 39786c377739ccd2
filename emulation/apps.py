from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmulationConfig(AppConfig):
    name = "emulation"
    verbose_name = _("Thi đua")

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - registers the evaluation job kind
