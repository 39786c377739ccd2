from django.contrib import admin

from core.admin_scale import LargeTableAdmin

from .models import Benefit, BenefitLog, BenefitPhoto, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """The catalogue: amounts and rates ([P]/[U] in domain.md) are corrected here, not in code."""

    list_display = ("code", "short_name", "kind", "beneficiary", "valid_from", "valid_to", "source_tag")
    list_filter = ("kind", "source_tag")
    search_fields = ("code", "name", "legal_basis")


class PhotoInline(admin.TabularInline):
    model = BenefitPhoto
    extra = 0
    can_delete = False


class LogInline(admin.TabularInline):
    model = BenefitLog
    extra = 0
    readonly_fields = ("action", "changes", "note", "user", "at")
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Benefit)
class BenefitAdmin(LargeTableAdmin):
    """Read only: benefits are recorded through the portal's services, which check eligibility and log.

    Two million benefits in a province: the latest recorded first along the primary key (the model's order, by
    date, has no index over the whole table and sorted every benefit for page 1), a capped count
    (core.admin_scale)."""

    list_display = ("programme", "household", "member", "date", "household_status", "amount", "eligible")
    # By programme only: programs_benefit_prog_date_id serves it. The status and eligibility have no index, and a
    # rare value (a benefit recorded outside the conditions) read every benefit of the province for its page and
    # again for its count (≈ 1 s).
    list_filter = ("programme",)
    readonly_fields = (
        "household_status",
        "status_decision",
        "eligible",
        "eligibility_note",
        "override_reason",
        "override_by",
        "override_at",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
        "version",
    )
    raw_id_fields = ("household", "member")
    inlines = [PhotoInline, LogInline]

    def get_queryset(self, request):
        return Benefit.objects.visible_to(request.user).select_related("programme", "household", "member")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
