import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access
from .errors import ApplicationError

SECOND_FACTOR_REQUIRED = gettext_lazy(
    "Staff sign in with a second factor: enter the code from your authenticator app first.")


def error_page(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """The 404 page, or the error page with the message, at that status."""
    return render(request, "404.html" if status == 404 else "error.html", {"message": message}, status=status)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer (Django sets Referrer-Policy and Cross-Origin-Opener-Policy
    itself, django-csp the Content-Security-Policy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PORTAL_PERMISSIONS_POLICY)
        return response


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


# Paths an unverified staff session may still reach: the second step itself, signing out, the
# language switch, static files and the health check.
SECOND_STEP_OPEN = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/", "/healthz", "/readyz")
SESSION_SIGNED_IN_AT = "portal_signed_in_at"
SESSION_SEEN_AT = "portal_seen_at"


def session_signed_in(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """user_logged_in: the 12-hour limit counts from the password sign-in (API token sign-ins have
    no session)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_SIGNED_IN_AT] = session[SESSION_SEEN_AT] = time.time()


SEEN_WRITE_SECONDS = 30


class StaffSessionMiddleware:
    """Staff and admins: no page, admin screen or session-authenticated API call before the second
    factor (django-otp), and a session that ends after 15 idle minutes or 12 hours in all.

    Installed after django-otp's OTPMiddleware. API calls made with a token are checked by the API
    permission (core.api.permissions), since tokens are not sessions.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if access.requires_second_factor(user):
            expired = self._expired(request)
            if expired:
                return expired
            if not access.second_factor_done(user) and not request.path.startswith(SECOND_STEP_OPEN):
                return self._second_step(request)
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> HttpResponse | None:
        now = time.time()
        session = request.session
        signed_in_at = session.setdefault(SESSION_SIGNED_IN_AT, now)
        seen_at = session.get(SESSION_SEEN_AT, now)
        idle = now - seen_at > settings.PORTAL_STAFF_IDLE.total_seconds()
        too_long = now - signed_in_at > settings.PORTAL_STAFF_SESSION_MAX.total_seconds()
        if idle or too_long:
            logout(request)
            message = _("You were signed out after 15 minutes without activity.") if idle else _(
                "You were signed out: staff sessions last 12 hours at most.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "session_expired"}, status=401)
            messages.info(request, message)
            return redirect_to_login(request.get_full_path(), reverse("core:login"))
        # Written at most every SEEN_WRITE_SECONDS: a session write per request was a database UPDATE on every
        # staff page (issue 16); the idle limit is then kept to within that many seconds.
        if SESSION_SEEN_AT not in session or now - seen_at >= SEEN_WRITE_SECONDS:
            session[SESSION_SEEN_AT] = now
            session.set_expiry(int(settings.PORTAL_STAFF_IDLE.total_seconds()))
        return None

    def _second_step(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(SECOND_FACTOR_REQUIRED), "code": "second_factor_required"}, status=403)
        return redirect_to_login(request.get_full_path(), reverse("core:two_factor"))
