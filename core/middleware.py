from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import ApplicationError


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
        template = "404.html" if exception.status_code == 404 else "error.html"
        return render(request, template, {"message": exception.message}, status=exception.status_code)
