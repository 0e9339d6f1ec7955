"""One read of the jurisdiction version per request (offices.jurisdiction.one_version_read)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import jurisdiction


class JurisdictionVersionMiddleware:
    """Every lookup of a request shares one read of the shared jurisdiction version: the next request
    still sees an edit committed by any process, and a request costs one cache round trip, not one a lookup."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with jurisdiction.one_version_read():
            return self.get_response(request)
