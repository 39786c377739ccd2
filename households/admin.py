from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.integrity import UniqueRulesModelForm

from .models import (
    EscapeRegistration,
    EthnicGroup,
    Household,
    Member,
    PovertyStandard,
    PovertyTarget,
    ProvinceIncomeLine,
    UnitPopulation,
)


@admin.register(PovertyStandard)
class PovertyStandardAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "valid_from", "valid_to", "provisional", "updated_at")
    readonly_fields = ("name", "legal_basis", "valid_from", "valid_to", "provisional", "updated_at")
    fields = ("code", "definition", "name", "legal_basis", "valid_from", "valid_to", "provisional", "updated_at")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["definition"].help_text = _(
            "Mỗi chỉ số có “tag” (V: đã đối chiếu văn bản, P: đối chiếu một phần, U: chưa đối chiếu) và “source” "
            "(điều, khoản đã đối chiếu, hoặc văn bản cần đối chiếu); các mức, quy tắc, điểm và độ tuổi lao động ghi "
            "trong “statuses”. Khi đã đối chiếu với văn bản chính thức: sửa giá trị nếu cần, đổi “tag” thành “V” và "
            "ghi điều, khoản vào “source”. Các lần phân loại sau dùng nội dung đã lưu."
        )
        return form


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
    fields = (
        "full_name",
        "relationship",
        "sex",
        "date_of_birth",
        "ethnic_group",
        "personal_id",
        "personal_id_issued_on",
        "left_at",
    )
    readonly_fields = ("left_at",)


class HouseholdAdminForm(UniqueRulesModelForm):
    """The commune is not on the form: it follows the village, so the code's unique rule can be checked."""

    def clean(self):
        village = self.cleaned_data.get("village")
        if village is not None:
            self.instance.commune_id = village.parent_id
        return super().clean()


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    form = HouseholdAdminForm
    list_display = ("code", "head_name", "village", "current_class", "state")
    list_filter = ("current_class", "state", "ethnic_minority")
    search_fields = ("code", "head_name")
    readonly_fields = ("head_name", "current_class", "state", "archived_reason", "version")
    inlines = [MemberInline]

    def get_queryset(self, request):
        return Household.objects.visible_to(request.user).select_related("village")


@admin.register(UnitPopulation)
class UnitPopulationAdmin(admin.ModelAdmin):
    """Total resident households per unit and year: the denominator of every poverty rate."""

    form = UniqueRulesModelForm
    list_display = ("unit", "year", "households", "persons", "source", "updated_at")
    list_filter = ("year", "unit__level")
    search_fields = ("unit__name", "unit__code", "source")
    autocomplete_fields = ("unit",)

    def get_queryset(self, request):
        return UnitPopulation.objects.visible_to(request.user).select_related("unit")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PovertyTarget)
class PovertyTargetAdmin(admin.ModelAdmin):
    """Read-only here: targets are assigned on the "Mục tiêu giảm nghèo" page, which keeps their revisions."""

    list_display = ("unit", "year", "households_to_escape", "rate_reduction", "legal_basis", "set_by", "updated_at")
    list_filter = ("year",)
    search_fields = ("unit__name", "legal_basis")

    def get_queryset(self, request):
        return PovertyTarget.objects.visible_to(request.user).select_related("unit", "set_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EscapeRegistration)
class EscapeRegistrationAdmin(admin.ModelAdmin):
    """Read-only here: registrations are made and withdrawn by the commune on its page, with the household log."""

    list_display = ("household", "year", "registered_on", "cadre_name", "state")
    list_filter = ("year", "state")
    search_fields = ("household__code", "household__head_name", "cadre_name")

    def get_queryset(self, request):
        return EscapeRegistration.objects.visible_to(request.user).select_related("household")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
