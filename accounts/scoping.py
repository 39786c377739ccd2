"""The one rule for what an officer may see. Every ``visible_to(user)`` queryset method calls ``unit_scope_q``.

Commune officers see their commune and its villages; district staff their district and everything
below it; province staff the whole province; system administrators everything. A user with no unit,
an inactive user or an anonymous visitor sees nothing. Objects outside the scope are answered with 404
by the views, because they start from these querysets.
"""

from django.db.models import Q

NOTHING = Q(pk__in=[])


def unit_scope_q(user, unit_lookup: str = "") -> Q:
    """A filter selecting rows whose administrative unit (reached by ``unit_lookup``) lies in the user's unit."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_system_admin:
        return Q()
    if user.unit_id is None:
        return NOTHING
    prefix = f"{unit_lookup}__" if unit_lookup else ""
    return Q(**{f"{prefix}path__startswith": user.unit.path})
