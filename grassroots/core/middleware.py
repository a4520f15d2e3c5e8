from __future__ import annotations

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Vietnamese unless the person chose English, whatever the browser says.

    Many office computers and phones are set to English while their users
    expect the Vietnamese system; so the browser's Accept-Language is ignored.
    English is chosen explicitly: the language cookie (``/i18n/setlang/``) on
    public pages, the account's language preference in the console.
    """

    def process_request(self, request: HttpRequest) -> None:
        accept = request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        try:
            super().process_request(request)
        finally:
            if accept is not None:
                request.META["HTTP_ACCEPT_LANGUAGE"] = accept
