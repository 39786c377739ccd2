from django.contrib import admin

from .models import ApprovalAction, ApprovalChainRule, ReviewRound, ReviewWindow


@admin.register(ReviewWindow)
class ReviewWindowAdmin(admin.ModelAdmin):
    list_display = (
        "province",
        "year",
        "periodic_start",
        "periodic_end",
        "posting_working_days",
        "regular_decision_days",
    )
    list_filter = ("year",)


@admin.register(ApprovalChainRule)
class ApprovalChainRuleAdmin(admin.ModelAdmin):
    list_display = ("province", "valid_from", "district_step", "province_step", "legal_basis")


class ApprovalActionInline(admin.TabularInline):
    model = ApprovalAction
    extra = 0
    can_delete = False
    fields = ("at", "action", "user", "comment", "revision")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewRound)
class ReviewRoundAdmin(admin.ModelAdmin):
    """Read-only here: rounds change only through the portal's transitions, which write the log."""

    list_display = ("__str__", "state", "revision", "starts_on", "due_on")
    list_filter = ("kind", "state", "year")
    inlines = [ApprovalActionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
