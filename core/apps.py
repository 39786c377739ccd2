from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Hệ thống")

    def ready(self) -> None:
        # system_check and exports register their job kinds
        from . import admin_display, exports, spreadsheets, system_check, wording  # noqa: F401

        spreadsheets.install()  # exported cells that look like formulas are written as text
        wording.install()  # the project's wording for Django's stock validation messages
        admin_display.install()  # the admin shows a year as "2026", not "2.026"
