from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Rà soát hộ nghèo, hộ cận nghèo")

    def ready(self):
        from . import jobs  # noqa: F401 - registers the certificate and posted-list PDF job kinds
