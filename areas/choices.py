"""Choices for administrative units: stored values in English, labels in Vietnamese."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")
    VILLAGE = "village", _("Thôn, tổ dân phố")


class UnitKind(models.TextChoices):
    # Province level
    PROVINCE = "province", _("Tỉnh")
    CITY = "city", _("Thành phố trực thuộc trung ương")
    # District level (ended 01/07/2025 under the two-tier local government)
    RURAL_DISTRICT = "rural_district", _("Huyện")
    URBAN_DISTRICT = "urban_district", _("Quận")
    TOWN = "town", _("Thị xã")
    PROVINCIAL_CITY = "provincial_city", _("Thành phố thuộc tỉnh")
    # Commune level
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    TOWNSHIP = "township", _("Thị trấn")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    # Village level
    VILLAGE = "village", _("Thôn")
    HAMLET = "hamlet", _("Xóm")
    LANG = "lang", _("Làng")
    BUON = "buon", _("Buôn")
    BAN = "ban", _("Bản")
    AP = "ap", _("Ấp")
    RESIDENTIAL_GROUP = "residential_group", _("Tổ dân phố")


KINDS_BY_LEVEL = {
    UnitLevel.PROVINCE: {UnitKind.PROVINCE, UnitKind.CITY},
    UnitLevel.DISTRICT: {
        UnitKind.RURAL_DISTRICT,
        UnitKind.URBAN_DISTRICT,
        UnitKind.TOWN,
        UnitKind.PROVINCIAL_CITY,
    },
    UnitLevel.COMMUNE: {UnitKind.COMMUNE, UnitKind.WARD, UnitKind.TOWNSHIP, UnitKind.SPECIAL_ZONE},
    UnitLevel.VILLAGE: {
        UnitKind.VILLAGE,
        UnitKind.HAMLET,
        UnitKind.LANG,
        UnitKind.BUON,
        UnitKind.BAN,
        UnitKind.AP,
        UnitKind.RESIDENTIAL_GROUP,
    },
}

# Which levels may sit directly above each level. Communes sit under a district (three-tier, before
# 01/07/2025) or directly under the province (two-tier, Luật Tổ chức chính quyền địa phương 16/06/2025).
PARENT_LEVELS = {
    UnitLevel.PROVINCE: set(),
    UnitLevel.DISTRICT: {UnitLevel.PROVINCE},
    UnitLevel.COMMUNE: {UnitLevel.DISTRICT, UnitLevel.PROVINCE},
    UnitLevel.VILLAGE: {UnitLevel.COMMUNE},
}


class AreaType(models.TextChoices):
    URBAN = "urban", _("Thành thị")
    RURAL = "rural", _("Nông thôn")


# Initial area type for a new unit; the officer can correct it on each unit. Under QĐ 24/2021 and
# NĐ 07/2021 "thành thị" means phường and thị trấn, "nông thôn" means xã [P, domain.md §4]. How đặc khu
# count is an open question (domain.md §9.3), so they start as rural and an administrator decides.
DEFAULT_AREA_TYPE = {
    UnitKind.WARD: AreaType.URBAN,
    UnitKind.TOWNSHIP: AreaType.URBAN,
    UnitKind.URBAN_DISTRICT: AreaType.URBAN,
    UnitKind.COMMUNE: AreaType.RURAL,
    UnitKind.SPECIAL_ZONE: AreaType.RURAL,
    UnitKind.RURAL_DISTRICT: AreaType.RURAL,
}
