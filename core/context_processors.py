"""The navigation: each item appears only for roles whose view would open (accounts.permissions)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_may_open

# (URL name, label, Bootstrap icon, section)
NAVIGATION = [
    ("core:dashboard", _("Tổng quan"), "speedometer2", "work"),
    ("households:list", _("Hộ gia đình"), "house-heart", "work"),
    ("households:targets", _("Mục tiêu giảm nghèo"), "bullseye", "work"),
    ("households:transitions", _("Biến động hộ nghèo"), "graph-down-arrow", "work"),
    ("programs:index", _("Hỗ trợ"), "hand-thumbs-up", "work"),
    ("households:standards", _("Chuẩn nghèo"), "rulers", "work"),
    ("areas:list", _("Đơn vị hành chính"), "geo-alt", "work"),
    ("core:job_list", _("Công việc nền"), "hourglass-split", "work"),
    ("accounts:user_list", _("Người dùng"), "people", "admin"),
    ("core:system_status", _("Trạng thái hệ thống"), "activity", "admin"),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = [
        {
            "url": reverse(name),
            "label": label,
            "icon": icon,
            "section": section,
            "active": _is_active(name, current),
        }
        for name, label, icon, section in NAVIGATION
        if user_may_open(user, name)
    ]
    return {"nav_items": items, "nav_current": current}


def _is_active(name: str, current: str) -> bool:
    """A menu item is lit for its own page and, except the dashboard, for the pages of the same area."""
    if current == name:
        return True
    sections = {
        "core:job_list": ("core:job_",),
        "areas:list": ("areas:",),
        "accounts:user_list": ("accounts:user_",),
        "programs:index": ("programs:",),
    }
    return current.startswith(sections.get(name, ("\0",)))
