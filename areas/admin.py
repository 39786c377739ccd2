from django.contrib import admin

from core.integrity import UniqueRulesModelForm

from .models import AdministrativeUnit


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    form = UniqueRulesModelForm
    list_display = ("name", "code", "level", "kind", "area_type", "parent", "valid_from", "valid_to")
    list_filter = ("level", "kind", "area_type")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "source", "created_at", "updated_at")

    def get_queryset(self, request):
        return AdministrativeUnit.objects.visible_to(request.user).select_related("parent")
