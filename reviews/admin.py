from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import formatting
from core.admin_scale import CappedInline
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


class ApprovalActionInline(CappedInline):
    """The round's latest log entries: the log has one entry per case saved (≈ 10.000 in a commune's annual round),
    and the whole of it is the portal's log page, paginated (reviews:log)."""

    model = ApprovalAction
    rows_shown = 20
    fields = ("at", "action", "user", "comment", "revision")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(ReviewRound)
class ReviewRoundAdmin(admin.ModelAdmin):
    """Read-only here: rounds change only through the portal's transitions, which write the log."""

    list_display = ("__str__", "state", "revision", "starts_on", "due_on")
    list_filter = ("kind", "state", "year")
    readonly_fields = ("whole_log",)
    inlines = [ApprovalActionInline]

    def get_queryset(self, request):
        return ReviewRound.objects.visible_to(request.user).select_related("commune")

    @admin.display(description=_("nhật ký rà soát"))
    def whole_log(self, obj):
        """How many entries the log has, with the portal's page of all of them; the inline below shows the latest."""
        total = ApprovalAction.objects.filter(round=obj).count()
        if not total:
            return gettext("Chưa có thao tác nào.")
        shown = min(total, ApprovalActionInline.rows_shown)
        return format_html(
            '<a href="{}">{}</a> · {}',
            reverse("reviews:log", args=[obj.pk]),
            gettext("Xem toàn bộ nhật ký (%(total)s)") % {"total": formatting.number(total)},
            gettext("%(n)s mục mới nhất trong %(total)s") % {"n": shown, "total": formatting.number(total)},
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
