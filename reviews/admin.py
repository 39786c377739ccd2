from django.contrib import admin

from core.integrity import UniqueRulesModelForm

from .models import ApprovalAction, ApprovalChainRule, LegalDocument, ReviewRound, ReviewWindow, SignatureAuthority


@admin.register(ReviewWindow)
class ReviewWindowAdmin(admin.ModelAdmin):
    form = UniqueRulesModelForm
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
    form = UniqueRulesModelForm
    list_display = ("province", "valid_from", "district_step", "province_step", "legal_basis")


@admin.register(SignatureAuthority)
class SignatureAuthorityAdmin(admin.ModelAdmin):
    """Who issues each review document, hence "CHỦ TỊCH" or "TM. ỦY BAN NHÂN DÂN" over the signature."""

    form = UniqueRulesModelForm
    list_display = ("document_kind", "issued_by", "valid_from", "valid_to", "legal_basis")
    list_filter = ("document_kind", "issued_by")


@admin.register(LegalDocument)
class LegalDocumentAdmin(admin.ModelAdmin):
    """The documents the "Căn cứ" lines cite; values not yet checked against the text are marked [P]/[U]."""

    list_display = ("number", "kind", "signed_on", "issuer", "topic", "cited_from", "cited_to", "status")
    list_filter = ("topic", "status")
    search_fields = ("number", "title")


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
