"""Roles of portal users: stored values in English, labels in Vietnamese."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.choices import UnitLevel


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ xã")
    DISTRICT_STAFF = "district_staff", _("Cán bộ huyện")
    PROVINCE_STAFF = "province_staff", _("Cán bộ tỉnh")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


# The level of the unit each role works in. Administrators may have a unit (for display) or none.
ROLE_UNIT_LEVEL = {
    Role.COMMUNE_OFFICER: UnitLevel.COMMUNE,
    Role.DISTRICT_STAFF: UnitLevel.DISTRICT,
    Role.PROVINCE_STAFF: UnitLevel.PROVINCE,
}

ALL_ROLES = frozenset(Role)
OFFICER_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.DISTRICT_STAFF, Role.PROVINCE_STAFF})
ADMIN_ONLY = frozenset({Role.SYSTEM_ADMIN})
