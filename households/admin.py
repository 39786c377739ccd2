from django.contrib import admin

from .models import EthnicGroup, Household, Member, PovertyStandard, ProvinceIncomeLine


@admin.register(PovertyStandard)
class PovertyStandardAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "valid_from", "valid_to", "provisional", "updated_at")
    readonly_fields = ("name", "legal_basis", "valid_from", "valid_to", "provisional", "updated_at")
    fields = ("code", "definition", "name", "legal_basis", "valid_from", "valid_to", "provisional", "updated_at")


@admin.register(ProvinceIncomeLine)
class ProvinceIncomeLineAdmin(admin.ModelAdmin):
    list_display = ("province", "valid_from", "valid_to", "rural", "urban", "legal_basis")


@admin.register(EthnicGroup)
class EthnicGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_minority")
    search_fields = ("name",)


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ("full_name", "relationship", "sex", "date_of_birth", "ethnic_group", "personal_id", "left_at")
    readonly_fields = ("left_at",)


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("code", "head_name", "village", "current_class", "state")
    list_filter = ("current_class", "state", "ethnic_minority")
    search_fields = ("code", "head_name")
    readonly_fields = ("head_name", "current_class", "state", "archived_reason", "version")
    inlines = [MemberInline]

    def get_queryset(self, request):
        return Household.objects.visible_to(request.user).select_related("village")
