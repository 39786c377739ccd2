from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "areas"
    verbose_name = _("Đơn vị hành chính")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import AdministrativeUnit
        from .selectors import units_changed

        # The village lists kept per process (areas.selectors.village_choices_for) are read again after any change.
        post_save.connect(units_changed, sender=AdministrativeUnit, dispatch_uid="areas-units-changed-save")
        post_delete.connect(units_changed, sender=AdministrativeUnit, dispatch_uid="areas-units-changed-delete")
