"""Vietnamese by default, whatever language the browser asks for."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class PortalLocaleMiddleware(LocaleMiddleware):
    """Use the language chosen with the VI/EN switch (a cookie), else Vietnamese.

    Django's own middleware would follow the browser's Accept-Language, so an office computer set up in
    English would greet commune officers in English. The switch is the only way to change language.
    """

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
