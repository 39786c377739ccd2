"""Role rules for views. Every portal view declares ``allowed_roles``; tests fail on a view that doesn't.

The navigation reads the same declarations, so a menu item appears exactly when its page would open.
"""

from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from .choices import ADMIN_ONLY, ALL_ROLES, OFFICER_ROLES  # noqa: F401 - re-exported for views


class RoleRequiredMixin:
    """Refuse (403) a signed-in user whose role is not in ``allowed_roles``."""

    allowed_roles: frozenset[str] = frozenset()

    @classmethod
    def role_allows(cls, user) -> bool:
        if not user.is_authenticated or not user.is_active:
            return False
        return user.is_superuser or user.role in cls.allowed_roles

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.role_allows(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def user_may_open(user, url_name: str, *args) -> bool:
    """Whether the view behind ``url_name`` admits this user's role (used by the navigation)."""
    try:
        match = resolve(reverse(url_name, args=args))
    except (NoReverseMatch, Resolver404):
        return False
    view_class = getattr(match.func, "view_class", None)
    return bool(view_class and issubclass(view_class, RoleRequiredMixin) and view_class.role_allows(user))
