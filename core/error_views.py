"""What the site answers when something outside a view's control fails.

Django calls these from inside its exception handling, for an exception raised anywhere (a view, a
middleware, a template), so `sys.exc_info()` names the cause:

- the database is unreachable or restarting: 503 with Retry-After (the request can be retried as
  is; connections recover by themselves, CONN_HEALTH_CHECKS);
- anything else: 500.

Under /api/ both are JSON (`{"detail", "code"}`), like every other API error; pages get a page
that needs neither the database nor a signed-in user to render.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 5
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _answer(request: HttpRequest, *, status: int, code: str, message: str, template: str) -> HttpResponse:
    response: HttpResponse
    if _is_api(request):
        response = JsonResponse({"detail": message, "code": code}, status=status)
    else:
        response = HttpResponse(loader.get_template(template).render({"message": message}), status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        return _answer(request, status=503, code="service_unavailable", template="503.html",
                       message=_("The service is briefly unavailable. Please try again in a few seconds."))
    return _answer(request, status=500, code="server_error", template="500.html",
                   message=_("Something went wrong on our side. Please try again in a few minutes."))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: API clients get JSON; pages get the site's 404 page."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    from django.views.defaults import page_not_found as django_page_not_found

    return django_page_not_found(request, exception)
