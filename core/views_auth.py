"""Sign-in's second step for staff (django-otp), and the account's API tokens."""

from base64 import b32encode
from io import BytesIO

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, selectors, services
from .errors import ApplicationError
from .forms import SecondFactorForm
from .http import AuthenticatedHttpRequest
from .web import form_add_application_error


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second step of a staff sign-in: a code from the authenticator app, or a recovery code."""
    user = request.user
    if not access.requires_second_factor(user) or access.second_factor_done(user):
        return redirect(_next(request))
    if not services.has_second_factor(user):
        return redirect(f"{request.path}setup/?next={_next(request)}")
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                otp_login(request, device)
                return redirect(_next(request))
    return render(request, "core/two_factor.html", {"form": form, "next": _next(request)}, status=status)


def _qr_svg(device: TOTPDevice) -> str:
    out = BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, xmldecl=False, svgns=True,
                                                 title=_("QR code for your authenticator app"))
    return out.getvalue().decode()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up the authenticator app (first sign-in, or a new phone once signed in with the old one)."""
    user = request.user
    if not access.requires_second_factor(user):
        return redirect("core:profile")
    if services.has_second_factor(user) and not access.second_factor_done(user):
        return redirect(f"/accounts/two-factor/?next={_next(request)}")  # prove the old factor first
    form = SecondFactorForm(request.POST or None)
    status = 200
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if request.method == "POST" and device is not None:
        status = 400
        if form.is_valid():
            try:
                device, codes = services.second_factor_confirm(user=user, code=form.cleaned_data["code"])
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                otp_login(request, device)
                return render(request, "core/recovery_codes.html", {"codes": codes, "next": _next(request)})
    else:
        device = services.second_factor_begin(user=user)
        form = SecondFactorForm()
    secret = b32encode(device.bin_key).decode()
    context = {"form": form, "qr": mark_safe(_qr_svg(device)), "secret": " ".join(  # noqa: S308 - our own SVG
        secret[i:i + 4] for i in range(0, len(secret), 4)), "next": _next(request)}
    return render(request, "core/two_factor_setup.html", context, status=status)


@login_required
@require_POST
def recovery_codes_renew(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.requires_second_factor(request.user):
        return redirect("core:profile")
    codes = services.recovery_codes_renew(user=request.user)
    return render(request, "core/recovery_codes.html", {"codes": codes, "next": "/accounts/profile/"})


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: str) -> HttpResponse:
    services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("The API token is revoked."))
    return redirect("core:profile")


def tokens_context(request: AuthenticatedHttpRequest) -> dict:
    return {"api_tokens": selectors.api_tokens_for_user(request.user)}
