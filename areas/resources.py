"""Excel export of administrative units (django-import-export)."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .models import AdministrativeUnit


class AdministrativeUnitResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name=_("Mã đơn vị"))
    name = fields.Field(attribute="name", column_name=_("Tên đơn vị"))
    level = fields.Field(attribute="get_level_display", column_name=_("Cấp"))
    kind = fields.Field(attribute="get_kind_display", column_name=_("Loại"))
    area_type = fields.Field(attribute="get_area_type_display", column_name=_("Khu vực"))
    parent = fields.Field(attribute="parent__name", column_name=_("Đơn vị cấp trên"))
    parent_code = fields.Field(attribute="parent__code", column_name=_("Mã đơn vị cấp trên"))
    valid_from = fields.Field(attribute="valid_from", column_name=_("Hiệu lực từ"))
    valid_to = fields.Field(attribute="valid_to", column_name=_("Hiệu lực đến"))

    class Meta:
        model = AdministrativeUnit
        fields = (
            "code",
            "name",
            "level",
            "kind",
            "area_type",
            "parent",
            "parent_code",
            "valid_from",
            "valid_to",
        )
        export_order = fields

    def dehydrate_valid_from(self, unit):
        return unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else ""

    def dehydrate_valid_to(self, unit):
        return unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else ""
