from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Hệ thống")

    def ready(self) -> None:
        from . import spreadsheets, system_check, wording  # noqa: F401 - system_check registers the job kind

        spreadsheets.install()  # exported cells that look like formulas are written as text
        wording.install()  # the project's wording for Django's stock validation messages
