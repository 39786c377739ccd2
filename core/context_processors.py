"""The navigation: each item appears only for roles whose view would open (accounts.permissions).

Everyday work is on the top bar; pages used now and then sit in a drop-down group, so that the bar fits on one
line at 1280 px even for administrators, who see everything.

Which items a user sees depends only on what ``RoleRequiredMixin.role_allows`` and ``is_system_admin`` read (active
account, superuser, role) and on the URL configuration, so it is worked out once per process for each such kind of
user (``_visible_entries``); each request then only marks the items of the current page. Reversing and resolving the
22 URLs for every page cost about a millisecond of CPU per request (docs/performance.md). The menu's markup is also
written once per process for each kind of user, current page and language (``_menu_html``, shown by base.html as
``nav_menu``) rather than by the template's loops on every page.
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_may_open

# (URL name, label, Bootstrap icon, group or None for the top bar)
NAVIGATION = [
    ("dashboards:index", _("Tổng quan"), "speedometer2", None),
    ("households:list", _("Hộ gia đình"), "house-heart", None),
    ("reviews:list", _("Rà soát"), "clipboard-check", None),
    ("programs:index", _("Hỗ trợ"), "hand-thumbs-up", None),
    ("households:targets", _("Mục tiêu giảm nghèo"), "bullseye", "poverty"),
    ("households:transitions", _("Biến động hộ nghèo"), "graph-down-arrow", "poverty"),
    ("reports:list", _("Danh sách báo cáo"), "file-earmark-text", "reports"),
    ("reports:indicators", _("Số liệu nhập tay"), "input-cursor-text", "reports"),
    ("reports:centre", _("Tải báo cáo các đơn vị"), "cloud-download", "reports"),
    ("reports:downloads", _("Nhật ký tải báo cáo"), "journal-text", "reports"),
    ("emulation:movement_list", _("Phong trào thi đua"), "flag", "emulation"),
    ("emulation:nominations", _("Đề nghị khen thưởng"), "send-check", "emulation"),
    ("emulation:decisions", _("Quyết định khen thưởng"), "file-earmark-check", "emulation"),
    ("emulation:register", _("Sổ khen thưởng"), "journal-bookmark", "emulation"),
    ("emulation:examples", _("Điển hình tiên tiến"), "star", "emulation"),
    ("households:standards", _("Chuẩn nghèo"), "rulers", "catalogue"),
    ("areas:list", _("Đơn vị hành chính"), "geo-alt", "catalogue"),
    ("core:job_list", _("Công việc nền"), "hourglass-split", "catalogue"),
    ("accounts:user_list", _("Người dùng"), "people", "admin"),
    ("core:system_status", _("Trạng thái hệ thống"), "activity", "admin"),
    ("admin:index", _("Trang quản trị dữ liệu"), "gear", "admin"),
]

GROUPS = {
    "poverty": (_("Giảm nghèo"), "graph-down-arrow"),
    "reports": (_("Báo cáo định kỳ"), "file-earmark-text"),
    "emulation": (_("Thi đua, khen thưởng"), "award"),
    "catalogue": (_("Danh mục"), "journal-text"),
    "admin": (_("Quản trị"), "shield-lock"),
}

# Pages that light up a menu item besides its own URL.
SECTIONS = {
    "core:job_list": ("core:job_",),
    "areas:list": ("areas:",),
    "reviews:list": ("reviews:",),
    "accounts:user_list": ("accounts:user_",),
    "programs:index": ("programs:",),
    "households:targets": ("households:targets", "households:escape_"),
    "households:transitions": ("households:transitions",),
    "reports:list": ("reports:detail", "reports:create", "reports:finalise", "reports:new_version"),
    "reports:centre": ("reports:bundle",),
    "emulation:movement_list": ("emulation:movement_", "emulation:evaluation_"),
    "emulation:nominations": ("emulation:nomination_",),
    "emulation:decisions": ("emulation:decision_",),
    "emulation:register": ("emulation:register_",),
    "emulation:examples": ("emulation:example_",),
}


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = request.resolver_match.view_name if request.resolver_match else ""
    entries = []
    for entry in _visible_entries(user):
        if "children" in entry:
            children = [{**child, "active": _is_active(child["name"], current)} for child in entry["children"]]
            entries.append({**entry, "children": children, "active": any(c["active"] for c in children)})
        else:
            entries.append({**entry, "active": _is_active(entry["name"], current)})
    key = (*_kind(user), current, get_language())
    return {"nav_items": entries, "nav_current": current, "nav_menu": lambda: _menu_html(key, entries)}


# (kind of user, current page, language) -> the menu's markup
_MENUS: dict[tuple, str] = {}


def _menu_html(key: tuple, entries: list[dict]) -> str:
    """The menu's items as written by includes/navigation.html, once per process for each kind of user, page and
    language: the entries, the lit items and the labels' translation are all in the key."""
    if key not in _MENUS:
        if len(_MENUS) > 2048:
            _MENUS.clear()
        _MENUS[key] = mark_safe(render_to_string("includes/navigation.html", {"nav_items": entries}).strip())
    return _MENUS[key]


# (URL configuration, script prefix, is_active, is_superuser, role) -> the menu's entries without "active"
_ENTRIES: dict[tuple, list[dict]] = {}


def _kind(user) -> tuple:
    """What the menu depends on besides the current page and the language."""
    return (get_urlconf(), get_script_prefix(), user.is_active, user.is_superuser, user.role)


def _visible_entries(user) -> list[dict]:
    """The menu for this kind of user, grouped, worked out once per process (the result is only read)."""
    key = _kind(user)
    if key not in _ENTRIES:
        entries, groups = [], {}
        for name, label, icon, group in NAVIGATION:
            if not _may_open(user, name):
                continue
            item = {"name": name, "url": reverse(name), "label": label, "icon": icon}
            if group is None:
                entries.append(item)
                continue
            if group not in groups:
                title, group_icon = GROUPS[group]
                groups[group] = {"label": title, "icon": group_icon, "children": [], "key": group}
                entries.append(groups[group])
            groups[group]["children"].append(item)
        # A group with one visible page is just that page.
        _ENTRIES[key] = [e["children"][0] if len(e.get("children", ())) == 1 else e for e in entries]
    return _ENTRIES[key]


@receiver(setting_changed)
def _forget_entries(*, setting, **kwargs) -> None:
    """A test that swaps the URL configuration gets a menu reversed from the new one."""
    if setting == "ROOT_URLCONF":
        _ENTRIES.clear()
        _MENUS.clear()


def _may_open(user, name: str) -> bool:
    if name == "admin:index":
        return user.is_system_admin
    return user_may_open(user, name)


def _is_active(name: str, current: str) -> bool:
    """A menu item is lit for its own page and, except the dashboard, for the pages of the same area."""
    return current == name or current.startswith(SECTIONS.get(name, ("\0",)))
