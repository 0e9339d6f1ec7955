"""Sign-in limits: failed sign-ins counted per account and per client address, atomically, on the
shared cache; a lock-out that grows each time it recurs. The same limits apply to the web form, the
admin's sign-in and the API token endpoint, because all three call `authenticate()`, which django-axes
guards (its backend comes first in AUTHENTICATION_BACKENDS, its middleware answers the lock-out).

Why not axes' own cache handler: it reads the failure count before checking the password and adds
the failure after, so fifty parallel guesses all pass the check before any is counted. Here every
attempt takes a numbered place first (one atomic INCR per counter), and only the first
`PORTAL_SIGNIN_ACCOUNT_LIMIT` places in a window are evaluated; the rest are refused unseen.

Unknown addresses are counted exactly like known ones, so the answers never tell them apart.
"""

import hashlib
import time
from datetime import timedelta
from typing import Any

from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from django.conf import settings
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .cache import cache_call
from .errors import ApplicationError
from .net import client_ip

MAX_LOCKOUT = timedelta(hours=24)


class TooManyAttempts(ApplicationError):
    status_code = 429
    default_code = "too_many_attempts"


class _SharedCache:
    """The shared cache's few operations used here, each falling back to the database cache while
    Redis is down (core.cache), so limits keep counting and sign-in never answers 500."""

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            return cache_call(lambda cache: getattr(cache, name)(*args, **kwargs))

        return call


def _cache() -> Any:
    return _SharedCache()


def _window(level: int) -> int:
    """Seconds of the counting window (and so of the lock-out) after `level` earlier lock-outs."""
    base = settings.PORTAL_SIGNIN_LOCKOUT
    return int(min(base * (2 ** min(level, 16)), MAX_LOCKOUT).total_seconds())


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def account_key(login: str) -> str:
    """One counter per account whatever the spelling (e-mail or username, any case); an unknown
    login gets its own counter, so it is limited (and answered) like a real one."""
    from .models import User

    login = (login or "").strip().lower()
    pk = User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login)).order_by("id").values_list(
        "pk", flat=True).first() if login else None
    return f"portal:signin:account:{pk if pk is not None else _digest(login)}"


def address_key(request: HttpRequest) -> str:
    return f"portal:signin:address:{client_ip(request)}"


def _count(key: str, seconds: int) -> int:
    """Add one to the counter `key` (atomic on Redis and in one process alike); a counter lives
    `seconds` from its first use, and `key:until` says when that is."""
    cache = _cache()
    for _attempt in range(3):
        if cache.add(key, 0, timeout=seconds):
            cache.set(f"{key}:until", time.time() + seconds, timeout=seconds)
        try:
            return int(cache.incr(key))
        except ValueError:  # it expired between add and incr: start a new window
            continue
    raise RuntimeError(f"cache counter {key} cannot be kept")


def _take_place(key: str, limit: int) -> int:
    """This attempt's number in the key's window (1 = first). The window starts with the first
    attempt and lasts longer after each lock-out; one atomic INCR decides the number."""
    cache = _cache()
    level = cache.get(f"{key}:level", 0)
    number = _count(key, _window(level))
    if number == limit + 1:  # exactly one attempt sees this: the lock-out starts, the next one lasts longer
        cache.set(f"{key}:level", level + 1, timeout=int(MAX_LOCKOUT.total_seconds()))
    return number


def _seconds_left(key: str) -> int:
    until = _cache().get(f"{key}:until")
    return max(0, int(until - time.time()) + 1) if until else 0


def retry_after(request: HttpRequest, login: str) -> int:
    """Seconds until this account and address may try again."""
    waits = [_seconds_left(key) for key in (account_key(login), address_key(request))]
    return max(waits) or int(settings.PORTAL_SIGNIN_LOCKOUT.total_seconds())


def _login_from(credentials: dict | None) -> str:
    credentials = credentials or {}
    return str(credentials.get("username") or credentials.get("email") or "")


class AtomicLimitHandler(AbstractAxesHandler, AxesBaseHandler):
    """The axes handler (settings.AXES_HANDLER) that counts attempts before they are evaluated."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        login = _login_from(credentials)
        places = [
            (_take_place(account_key(login), settings.PORTAL_SIGNIN_ACCOUNT_LIMIT), settings.PORTAL_SIGNIN_ACCOUNT_LIMIT),
            (_take_place(address_key(request), settings.PORTAL_SIGNIN_ADDRESS_LIMIT), settings.PORTAL_SIGNIN_ADDRESS_LIMIT),
        ]
        request.portal_signin_places = places  # type: ignore[attr-defined]
        return any(number > limit for number, limit in places)

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        cache = _cache()
        return max(cache.get(account_key(_login_from(credentials)), 0), cache.get(address_key(request), 0))

    def user_login_failed(self, sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any) -> None:
        if request is None:
            return
        places = getattr(request, "portal_signin_places", [])
        # The attempt that used the last place is refused and locks: say so now rather than next time.
        if any(number >= limit for number, limit in places):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        if request is None:
            return
        cache = _cache()
        key = f"portal:signin:account:{user.pk}"
        cache.delete_many([key, f"{key}:level", f"{key}:until"])
        if getattr(request, "portal_signin_places", None):
            try:  # a sign-in that worked does not count against the address (offices share one)
                cache.decr(address_key(request))
            except ValueError:
                pass

    def user_logged_out(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        return None

    def reset_attempts(self, *, ip_address: str | None = None, username: str | None = None,
                       ip_or_username: bool = False) -> int:
        keys = []
        if username:
            key = account_key(username)
            keys += [key, f"{key}:level", f"{key}:until"]
        if ip_address:
            key = f"portal:signin:address:{ip_address}"
            keys += [key, f"{key}:level", f"{key}:until"]
        _cache().delete_many(keys)
        return len(keys)


def lockout_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return ngettext(
        "Too many sign-in attempts. Try again in %(minutes)d minute, or reset your password.",
        "Too many sign-in attempts. Try again in %(minutes)d minutes, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """settings.AXES_LOCKOUT_CALLABLE: 429 with when to try again, the same for every login."""
    seconds = retry_after(request, _login_from(credentials))
    message = lockout_message(seconds)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": "too_many_attempts"}, status=429)
    else:
        from .forms import SignInForm

        # Bound (the login stays filled in) but never cleaned: cleaning would try the password again.
        form = SignInForm(request, data={"username": _login_from(credentials)})
        form.cleaned_data, form._errors = {}, ErrorDict()  # type: ignore[attr-defined]
        form.add_error(None, message)
        template = "admin/login.html" if request.path.startswith("/admin/") else "core/login.html"
        context = {"form": form, "next": request.POST.get("next", "")}
        if template.startswith("admin/"):
            from django.contrib import admin

            context.update(admin.site.each_context(request))
        response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def address_limit(request: HttpRequest, scope: str, limit: int, window: timedelta, *, key: str = "") -> None:
    """Count one use of `scope` (sign-up, password reset) from the client's address (or for `key`);
    refuse with 429 past `limit` in `window`. Web and API call this with the same scope, so they share it."""
    key = f"portal:limit:{scope}:{key or client_ip(request)}"
    if _count(key, int(window.total_seconds())) > limit:
        seconds = _seconds_left(key)
        raise TooManyAttempts(
            _("Too many attempts from your network. Try again in %(minutes)d minutes.")
            % {"minutes": max(1, (seconds + 59) // 60)},
            extra={"retry_after": seconds},
        )


def signup_counted(request: HttpRequest, email: str) -> None:
    """One sign-up from this client address and for this e-mail address (known or not: the same count,
    the same answer); web form and API share both limits. The second keeps anyone from flooding an
    address with confirmation e-mails, one per sign-up (core.signup)."""
    address_limit(request, "signup", settings.PORTAL_SIGNUP_LIMIT, timedelta(hours=1))
    address_limit(request, "signup-account", settings.PORTAL_SIGNUP_ACCOUNT_LIMIT, timedelta(hours=1),
                  key=_digest((email or "").strip().lower()))


def password_reset_counted(request: HttpRequest, email: str) -> None:
    """One password-reset request from this client address and for this e-mail address (known or
    not: the same count, the same answer); web form and API share both limits."""
    address_limit(request, "password-reset", settings.PORTAL_PASSWORD_RESET_LIMIT, timedelta(hours=1))
    address_limit(request, "password-reset-account", settings.PORTAL_PASSWORD_RESET_ACCOUNT_LIMIT, timedelta(hours=1),
                  key=_digest((email or "").strip().lower()))
