from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Chính sách hỗ trợ")

    def ready(self) -> None:
        from . import bulk_jobs, jobs  # noqa: F401 - register the bulk payment/import and support summary job kinds
        from .summary import connect_signals

        connect_signals()  # the support figures' summary rows are refreshed after each commit that changes them
