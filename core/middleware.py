from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import ApplicationError


def error_page(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """The 404 page, or the error page with the message, at that status."""
    return render(request, "404.html" if status == 404 else "error.html", {"message": message}, status=status)


class ApplicationErrorMiddleware:
    """Web pages: a service error that a view did not handle becomes a page with its status.

    NotFound renders the 404 page (missing and not-yours look the same), Conflict a 409 page.
    The API has its own exception handler and never reaches this.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        return error_page(request, exception.message, exception.status_code)


class NullCharacterMiddleware:
    """A NUL character in the path or the query string names nothing and cannot reach Postgres
    (psycopg refuses it in a string): answer 404 for the path and 400 for the query, before any view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            status, message = 404, _("There is no page at this address.")
        elif any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            status, message = 400, _("The address contains a character that is not allowed.")
        else:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=status)
        return error_page(request, message, status)
