"""The emulation movement in the data administration (Vietnamese labels from the models): every queryset starts
from ``visible_to`` (accounts.scoping), so the admin shows no more than the portal's screens."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import formatting
from core.admin_scale import CappedInline
from core.integrity import UniqueRulesModelForm

from .models import (
    Assessment,
    Award,
    AwardDecision,
    Criterion,
    Evaluation,
    EvaluationResult,
    Milestone,
    Movement,
    MovementResult,
    Nomination,
    NominationEvidence,
    NominationLog,
    TypicalExample,
)


def visible_movements(request):
    return Movement.objects.visible_to(request.user)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Movement)
class MovementAdmin(admin.ModelAdmin):
    list_display = ("name", "phase_start", "phase_end", "unit", "launch_number", "launch_date", "is_active")
    list_filter = ("is_active", "phase_start")
    search_fields = ("name", "launch_number")
    inlines = [MilestoneInline]
    raw_id_fields = ("unit", "created_by")

    def get_queryset(self, request):
        return Movement.objects.visible_to(request.user).select_related("unit")


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    form = UniqueRulesModelForm
    list_display = ("name", "movement", "level", "kind", "measure", "tag", "is_active")
    list_filter = ("level", "kind", "tag", "is_active")
    search_fields = ("name", "code")

    def get_queryset(self, request):
        return Criterion.objects.filter(movement__in=visible_movements(request)).select_related("movement")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("criterion", "year", "subject_name", "met", "assessed_by", "assessed_at")
    list_filter = ("year", "met")
    raw_id_fields = ("criterion", "unit", "household", "assessed_by")

    def get_queryset(self, request):
        return Assessment.objects.filter(criterion__movement__in=visible_movements(request)).select_related(
            "criterion", "assessed_by"
        )


class EvaluationResultInline(CappedInline):
    """The evaluation's first results, with their criterion, unit and household joined (each was read by its own
    query). An evaluation holds one result per criterion and subject: per household for a household criterion,
    so a province's evaluation may hold a million; all of them are on the portal's evaluation page."""

    model = EvaluationResult
    rows_shown = 50
    fields = ("criterion", "unit", "household", "met", "figures")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion", "unit", "household")


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("movement", "scope", "year", "evaluated_at", "evaluated_by")
    list_filter = ("year",)
    readonly_fields = ("movement", "scope", "year", "evaluated_at", "evaluated_by", "all_results")
    inlines = [EvaluationResultInline]

    @admin.display(description=_("kết quả đánh giá"))
    def all_results(self, obj):
        """How many results the evaluation holds, with the portal's page of them; the inline shows the first."""
        total = EvaluationResult.objects.filter(evaluation=obj).count()
        if not total:
            return self.get_empty_value_display()
        shown = min(total, EvaluationResultInline.rows_shown)
        return format_html(
            '<a href="{}">{}</a> · {}',
            reverse("emulation:evaluation_detail", args=[obj.pk]),
            gettext("Xem toàn bộ kết quả đánh giá (%(total)s)") % {"total": formatting.number(total)},
            gettext("%(n)s kết quả đầu tiên trong %(total)s") % {"n": shown, "total": formatting.number(total)},
        )

    def get_queryset(self, request):
        return Evaluation.objects.visible_to(request.user).select_related("movement", "scope", "evaluated_by")


class EvidenceInline(admin.TabularInline):
    model = NominationEvidence
    extra = 0


class LogInline(admin.TabularInline):
    model = NominationLog
    extra = 0
    readonly_fields = ("action", "from_status", "to_status", "comment", "user", "at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ("subject_name", "subject_type", "requested_form", "year", "proposing_unit", "status")
    list_filter = ("status", "requested_form", "year")
    search_fields = ("subject_name",)
    raw_id_fields = ("proposing_unit", "subject_unit", "household", "evaluation", "created_by")
    inlines = [EvidenceInline, LogInline]

    def get_queryset(self, request):
        return Nomination.objects.visible_to(request.user).select_related("proposing_unit", "movement")


class AwardInline(admin.TabularInline):
    model = Award
    extra = 0
    raw_id_fields = ("nomination", "unit", "household")


@admin.register(AwardDecision)
class AwardDecisionAdmin(admin.ModelAdmin):
    form = UniqueRulesModelForm
    list_display = ("number", "signed_on", "issuer", "form", "signer_name")
    list_filter = ("form",)
    search_fields = ("number", "abstract")
    raw_id_fields = ("issuer", "created_by")
    inlines = [AwardInline]

    def get_queryset(self, request):
        return AwardDecision.objects.visible_to(request.user).select_related("issuer", "movement")


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ("subject_name", "form", "year", "unit", "decision")
    list_filter = ("form", "year")
    search_fields = ("subject_name",)
    raw_id_fields = ("decision", "nomination", "unit", "household")

    def get_queryset(self, request):
        return Award.objects.visible_to(request.user).select_related("unit", "decision")


@admin.register(TypicalExample)
class TypicalExampleAdmin(admin.ModelAdmin):
    list_display = ("subject_name", "year", "unit", "movement")
    list_filter = ("year",)
    search_fields = ("subject_name",)
    raw_id_fields = ("unit", "household", "created_by")

    def get_queryset(self, request):
        return TypicalExample.objects.visible_to(request.user).select_related("unit", "movement")


@admin.register(MovementResult)
class MovementResultAdmin(admin.ModelAdmin):
    form = UniqueRulesModelForm
    list_display = ("movement", "unit", "year", "fund_raised", "houses_built", "houses_repaired")
    list_filter = ("year",)
    raw_id_fields = ("unit", "entered_by")

    def get_queryset(self, request):
        return MovementResult.objects.visible_to(request.user).select_related("unit", "movement")
