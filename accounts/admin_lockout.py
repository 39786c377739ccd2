"""django-axes' records of sign-in attempts in the Django admin, labelled in the portal's language.

django-axes has no Vietnamese catalogue, so its pages read "Access attempts", "IP Address", "Locked Out" in the
Vietnamese interface. Its admin classes are registered again here with the project's wording (Vietnamese msgids,
English in locale/en). Field labels are given by display methods, not by changing the fields' verbose names, and
the models' names are set on their options at run time (not the options migrations read): axes' migrations stay
untouched.
"""

from axes import admin as axes_admin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

MODEL_NAMES = {
    AccessAttempt: (_("lần đăng nhập sai đang tính"), _("lần đăng nhập sai đang tính")),
    AccessLog: (_("nhật ký đăng nhập"), _("nhật ký đăng nhập")),
    AccessFailureLog: (_("nhật ký đăng nhập sai"), _("nhật ký đăng nhập sai")),
}

LABELS = {
    "attempt_time": _("Thời điểm"),
    "logout_time": _("Đăng xuất lúc"),
    "ip_address": _("Địa chỉ IP"),
    "user_agent": _("Trình duyệt"),
    "username": _("Tên đăng nhập"),
    "path_info": _("Trang"),
    "http_accept": _("Định dạng trình duyệt nhận (HTTP Accept)"),
    "get_data": _("Tham số trên địa chỉ (GET)"),
    "post_data": _("Dữ liệu gửi lên (POST)"),
    "failures_since_start": _("Số lần sai"),
    "locked_out": _("Bị khoá"),
}


def _column(field: str):
    def show(self, obj):
        return getattr(obj, field)

    show.__name__ = f"{field}_label"
    return admin.display(description=LABELS[field], ordering=field, boolean=field == "locked_out")(show)


def _labelled(names):
    return [f"{name}_label" if name in LABELS else name for name in names]


def _titled(filter_class, title):
    """A field filter whose heading is the portal's label instead of the field's English verbose name."""

    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


FILTERS = {"locked_out": admin.BooleanFieldListFilter, "path_info": admin.AllValuesFieldListFilter}


def _filters(filters):
    return [
        (f, _titled(FILTERS.get(f, admin.DateFieldListFilter), LABELS[f])) if isinstance(f, str) and f in LABELS else f
        for f in filters
    ]


class LabelledAdmin(admin.ModelAdmin):
    """Every column and read-only field of axes' admin under the portal's label."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for field in LABELS:
            setattr(cls, f"{field}_label", _column(field))
        cls.list_display = _labelled(cls.list_display)
        cls.readonly_fields = _labelled(cls.readonly_fields)
        cls.list_filter = _filters(cls.list_filter)
        cls.fieldsets = tuple(
            (title, {**options, "fields": tuple(_labelled(options["fields"]))}) for title, options in cls.fieldsets
        )


FIELDSET_TITLES = {"Form Data": _("Dữ liệu biểu mẫu"), "Meta Data": _("Thông tin kỹ thuật")}


def _fieldsets(fieldsets):
    return tuple((FIELDSET_TITLES.get(str(title), title) if title else title, options) for title, options in fieldsets)


class LockedOutFilter(axes_admin.IsLockedOutFilter):
    title = _("Đang bị khoá")

    def lookups(self, request, model_admin):
        return (("yes", _("Có")), ("no", _("Không")))


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    list_display = [name for name in axes_admin.AccessAttemptAdmin.list_display if name != "status"]
    list_filter = [f for f in axes_admin.AccessAttemptAdmin.list_filter if f is not axes_admin.IsLockedOutFilter]
    fieldsets = _fieldsets(axes_admin.AccessAttemptAdmin.fieldsets)
    actions = ["cleanup_expired_attempts"]

    @admin.action(description=_("Xoá các lần sai đã hết hạn"))
    def cleanup_expired_attempts(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(request, _("Đã xoá %(count)s lần đăng nhập sai đã hết hạn.") % {"count": count})

    @admin.display(description=_("Hết hạn lúc"))
    def expiration(self, obj):
        return obj.expiration.expires_at if hasattr(obj, "expiration") else _("Chưa đặt")

    @admin.display(description=_("Tình trạng"))
    def status(self, obj):
        limit = axes_settings.AXES_FAILURE_LIMIT
        if obj.failures_since_start < limit:
            return _("Còn %(n)s lần thử") % {"n": limit - obj.failures_since_start}
        return _("Đang bị khoá")


if isinstance(axes_settings.AXES_FAILURE_LIMIT, int) and axes_settings.AXES_FAILURE_LIMIT > 0:
    AccessAttemptAdmin.list_display = [*AccessAttemptAdmin.list_display, "status"]
    AccessAttemptAdmin.list_filter = [*AccessAttemptAdmin.list_filter, LockedOutFilter]


class LabelledAccessAttemptAdmin(LabelledAdmin, AccessAttemptAdmin):
    pass


class LabelledAccessLogAdmin(LabelledAdmin, axes_admin.AccessLogAdmin):
    fieldsets = _fieldsets(axes_admin.AccessLogAdmin.fieldsets)


class LabelledAccessFailureLogAdmin(LabelledAdmin, axes_admin.AccessFailureLogAdmin):
    fieldsets = _fieldsets(axes_admin.AccessFailureLogAdmin.fieldsets)


def install(site=admin.site) -> None:
    """Name axes' models and re-register their admin pages with the portal's labels."""
    from django.apps import apps

    apps.get_app_config("axes").verbose_name = _("Đăng nhập sai và khoá tài khoản")
    for model, (singular, plural) in MODEL_NAMES.items():
        model._meta.verbose_name, model._meta.verbose_name_plural = singular, plural
    for model, model_admin in (
        (AccessAttempt, LabelledAccessAttemptAdmin),
        (AccessLog, LabelledAccessLogAdmin),
        (AccessFailureLog, LabelledAccessFailureLogAdmin),
    ):
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)
