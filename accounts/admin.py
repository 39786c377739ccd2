from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import admin_lockout, services
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "role", "unit", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name", "email", "unit__name")
    autocomplete_fields = ("unit",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cán bộ"), {"fields": ("full_name", "email", "phone", "position", "role", "unit")}),
        (
            _("Quyền"),
            {"fields": ("is_active", "is_superuser", "must_change_password", "groups", "user_permissions")},
        ),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "full_name", "role", "unit", "password1", "password2")}),)
    actions = ["unlock_sign_in"]

    @admin.action(description=_("Mở khoá đăng nhập (xoá các lần nhập sai mật khẩu)"))
    def unlock_sign_in(self, request, queryset):
        """Lift the sign-in lockout of the chosen accounts, from every address (axes' records of them go)."""
        users = list(queryset)
        for user in users:
            services.user_unlock(user=user)
        self.message_user(
            request,
            gettext("Đã mở khoá đăng nhập cho %(n)s tài khoản.") % {"n": len(users)},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        return User.objects.visible_to(request.user).select_related("unit")


# django-axes' pages with the portal's labels (axes is installed before accounts, so its admin is registered).
admin_lockout.install()
