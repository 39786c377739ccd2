"""A write that met another one on the same rows ends in a Vietnamese page, never a server error.

Two officers (or an officer and a background job, such as a province's electricity payment) may write the same
households at once. PostgreSQL then makes one of them wait for the other's row locks, and may cancel it:

- a deadlock (``40P01``): two transactions each waiting for the other; PostgreSQL cancels one after a second;
- a lock wait past ``lock_timeout`` (``55P03``): the web server's connections give up after
  ``DB_LOCK_TIMEOUT_MS`` (config/settings/base.py) instead of holding a worker until the proxy's timeout;
- a serialization failure (``40001``) in a REPEATABLE READ read.

The transaction was rolled back, so nothing of the request was saved. The middleware answers with status 503 and
a page that says so; a form sent with POST is written again as hidden fields, so "Gửi lại" sends exactly what was
typed (its submission token was released by ``core.submit_once``, which sees the exception first). Files cannot be
sent again by the browser, and passwords are never written into a page: then the page asks to open the form again.
"""

import logging

from django.db import OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

# PostgreSQL's SQLSTATE codes of a write that lost a race with another one (Appendix A of its manual).
CONFLICT_CODES = frozenset({"40P01", "40001", "55P03"})


def is_conflict(exception: BaseException) -> bool:
    """Whether ``exception`` is Django's wrapper of a deadlock, serialization failure or lock timeout."""
    if not isinstance(exception, OperationalError):
        return False
    return getattr(exception.__cause__, "pgcode", None) in CONFLICT_CODES


def _sensitive(request, name: str) -> bool:
    """A password (sign-in, a password change, a new account) or a field the view marked with Django's
    ``sensitive_post_parameters`` is never written into the page's HTML."""
    marked = getattr(request, "sensitive_post_parameters", ())
    return "password" in name.lower() or marked == "__ALL__" or name in marked


class BusyDatabaseMiddleware:
    """Turn a lost race between two writers into a 503 page that lets the officer send the same form again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_conflict(exception):
            return None
        logger.warning("request ended by a lock conflict: %s %s", request.method, request.path, exc_info=exception)
        fields, withheld = [], False
        if request.method == "POST":
            for name, values in request.POST.lists():
                if _sensitive(request, name):
                    withheld = True
                else:
                    fields += [(name, value) for value in values]
        context = {
            "resend_fields": fields,
            "had_files": request.method == "POST" and bool(request.FILES),
            "withheld": withheld,
        }
        response = render(request, "errors/busy.html", context, status=503)
        response["Retry-After"] = "5"
        return response
