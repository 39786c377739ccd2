from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self) -> None:
        from . import (
            bundles,  # noqa: F401 - registers the download centre's ZIP job kind
            jobs,  # noqa: F401 - registers the generation and finalising job kinds
        )
