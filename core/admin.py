from django.contrib import admin

from .models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "status", "progress", "requested_by", "unit", "created_at", "finished_at")
    list_filter = ("status", "kind")
    readonly_fields = [field.name for field in JobRun._meta.fields]

    def get_queryset(self, request):
        return JobRun.objects.visible_to(request.user).select_related("requested_by", "unit")

    def has_add_permission(self, request):
        return False
