"""Send a user whose password was set by an administrator to the password-change page first."""

from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

EXEMPT_URL_NAMES = {
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:logout",
    "set_language",
}


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            try:
                view_name = resolve(request.path_info).view_name
            except Resolver404:
                view_name = None
            if view_name and view_name not in EXEMPT_URL_NAMES:
                return redirect(reverse("accounts:password_change"))
        return self.get_response(request)
