"""URL map. Every portal view declares its allowed roles (accounts.permissions); tests walk this map."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import set_language

from core.views import healthz

admin.site.site_header = _("Quản trị hệ thống Giảm nghèo")
admin.site.site_title = _("Quản trị Giảm nghèo")
admin.site.index_title = _("Danh mục quản trị")

urlpatterns = [
    path("", include("dashboards.urls")),
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("don-vi/", include("areas.urls")),
    path("ho-gia-dinh/", include("households.urls")),
    path("chuong-trinh/", include("programs.urls")),
    path("ra-soat/", include("reviews.urls")),
    path("bao-cao/", include("reports.urls")),
    path("thi-dua/", include("emulation.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz/", healthz, name="healthz"),
    # One sign-in page for everyone, with the lockout rules: the admin's own login form is not used.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
]

handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
