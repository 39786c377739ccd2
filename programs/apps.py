from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Chính sách hỗ trợ")

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - registers the support summary job kind
        from .summary import connect_signals

        connect_signals()  # the support figures' summary rows are refreshed after each commit that changes them
