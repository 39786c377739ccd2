"""Sign-in lockout (django-axes, docs/adr/0016): by account and address together, and by address across accounts.

Axes counts failed sign-ins per (username, address) and locks that pair at ``AXES_FAILURE_LIMIT``: an officer who
mistypes their password is stopped where they type it, and nobody elsewhere can lock them out by guessing. On top,
this handler refuses an address whose failures over all usernames reach ``LOGIN_ADDRESS_FAILURE_LIMIT`` within the
cool-off, which stops trying a few passwords on many accounts; the limit is higher than the per-account one because
a commune office often signs in through one shared address.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the entry our own reverse proxies added to X-Forwarded-For
    (``TRUSTED_PROXY_HOPS`` of them; a client cannot forge the entries they append)."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-hops] if len(forwarded) >= hops else remote


def address_failures(address: str) -> int:
    """Failed sign-ins from one address over every username, within the cool-off (axes removes older ones)."""
    if not address:
        return 0
    total = AccessAttempt.objects.filter(ip_address=address).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus the per-address limit across usernames."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """Record the failure as axes does; the failure that reaches the address limit, and every later attempt
        from that address, get the lockout page (axes itself only compares the per-account count)."""
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False) and self.address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials

    @staticmethod
    def address_locked(request) -> bool:
        if address_failures(getattr(request, "axes_ip_address", "")) < settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return False
        request.axes_address_locked = settings.LOGIN_ADDRESS_FAILURE_LIMIT  # the lockout page says which rule
        return True
