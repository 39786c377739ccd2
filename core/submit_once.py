"""Each form is saved once: a double click, or Back and submitting again, does not save it a second time.

Every form the portal renders carries a one-time submission token beside its CSRF token (the ``csrf_token`` tag
is replaced by ``core.templatetags.submit_once``). The middleware claims the token atomically in Redis
(``SET NX``) before the view runs. When the view answers with a redirect, that is a saved form: the token is
kept with the address it led to, and the same token posted again is not given to the view but sent to that
address with a note that the form was already saved. Any other answer (the form shown again with its errors, a
redirect carrying an error message, a file) releases the token, so the corrected form can be sent. A second
request that arrives while the first is still running waits for its outcome. docs/adr/0013-forms-are-saved-once.md
weighs the alternatives.

If Redis cannot be reached, forms are processed as usual (the unique rules in ``core.integrity`` still refuse
duplicates), rather than refusing every save.
"""

import logging
import re
import secrets
import time

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

FIELD = "submit_token"
TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
PENDING = "pending"
DONE_PREFIX = "done:"
PENDING_TIMEOUT = 10 * 60  # seconds a claim may stay pending (a long import is queued as a job, not run here)
DONE_TIMEOUT = 24 * 60 * 60  # seconds a saved form is remembered: Back and submit the next morning is caught too
WAIT_SECONDS = 15.0  # how long a repeated request waits for the first one to finish
POLL_SECONDS = 0.2


def new_token() -> str:
    return secrets.token_hex(16)


def _key(user, token: str) -> str:
    return f"submit-once:{user.pk}:{token}"


def _applies(request, view_func) -> bool:
    from accounts.permissions import RoleRequiredMixin  # accounts sits below core; imported late for app loading

    view_class = getattr(view_func, "view_class", None)
    return (
        request.method == "POST"
        and request.user.is_authenticated
        and view_class is not None
        and issubclass(view_class, RoleRequiredMixin)
        and bool(TOKEN_PATTERN.match(request.POST.get(FIELD, "")))
    )


def _safe_back(request) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return "/"


def _refused(request) -> bool:
    """A redirect that carries an error message is a refusal (e.g. a status on the household page): not saved."""
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", ())
    return any(message.level >= messages.ERROR for message in queued)


class SubmitOnceMiddleware:
    """Give each submission token to a portal view at most once; a repeat is sent where the first one led."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        self._settle(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _applies(request, view_func):
            return None
        key = _key(request.user, request.POST[FIELD])
        deadline = time.monotonic() + WAIT_SECONDS
        try:
            while True:
                if cache.add(key, PENDING, PENDING_TIMEOUT):
                    request._submit_once_key = key
                    return None  # this request owns the token: the view runs
                state = cache.get(key)
                if state and state.startswith(DONE_PREFIX):
                    messages.info(
                        request,
                        _("Biểu mẫu này đã được gửi và lưu trước đó; lần gửi lại không lưu thêm lần nữa."),
                    )
                    return redirect(state[len(DONE_PREFIX) :])
                if time.monotonic() >= deadline:
                    messages.warning(
                        request,
                        _("Biểu mẫu này đang được lưu từ lần gửi trước. Hãy chờ một lát rồi tải lại trang để xem."),
                    )
                    return redirect(_safe_back(request))
                time.sleep(POLL_SECONDS)
        except Exception:  # Redis unreachable: the unique rules still guard the data
            logger.warning("submission token store unavailable; processing the form without it", exc_info=True)
            return None

    def process_exception(self, request, exception):
        self._release(request)

    @staticmethod
    def _release(request) -> None:
        key = getattr(request, "_submit_once_key", None)
        if key is None:
            return
        request._submit_once_key = None
        try:
            cache.delete(key)
        except Exception:
            logger.warning("could not release a submission token", exc_info=True)

    @staticmethod
    def _settle(request, response) -> None:
        key = getattr(request, "_submit_once_key", None)
        if key is None:
            return
        if 300 <= response.status_code < 400 and response.get("Location") and not _refused(request):
            request._submit_once_key = None
            try:
                cache.set(key, DONE_PREFIX + response["Location"], DONE_TIMEOUT)
            except Exception:
                logger.warning("could not record a saved submission", exc_info=True)
        else:
            SubmitOnceMiddleware._release(request)
