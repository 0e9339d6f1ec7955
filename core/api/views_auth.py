from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth import logout as session_logout
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access, password_reset, selectors, services, signin, signup
from core.api.throttling import ScopedRateThrottle
from core.errors import NotFound
from core.http import AuthenticatedRequest
from core.selectors import user_with_profile

from .serializers import (
    AccountOutputSerializer,
    ApiTokenSerializer,
    ProfileInputSerializer,
    RegisterInputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
)

BAD_CREDENTIALS = _("Unable to sign in with those credentials.")
NO_PROFILE = _("Staff accounts have no residence.")
CODE_REQUIRED = _("Staff accounts need the code from their authenticator app (or a recovery code).")
_LOCKED = OpenApiResponse(description="Too many attempts: try again after `Retry-After` seconds")


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class _PublicAuthApi(APIView):
    """The unauthenticated auth endpoints: no credentials read, the coarse per-address rate."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]  # a coarse per-address rate besides the sign-in limits
    throttle_scope = "auth"

    def validated(self, serializer_class: type[serializers.Serializer], request: Request) -> dict:
        """The request's body through `serializer_class` (400 with field errors when it is wrong)."""
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @staticmethod
    def link_limit(request: Request, name: str) -> None:
        """Attempts to use an e-mailed link (password reset, sign-up confirmation) per client address
        per hour: a guessed token is refused with 429 long before it could be found."""
        signin.address_limit(request._request, name, settings.PORTAL_PASSWORD_RESET_LIMIT, timedelta(hours=1))


class RegisterApi(_PublicAuthApi):
    """Customer sign-up. Residence is a U.S. ZIP code or, for customers abroad, a country.

    The answer is 202 with the same text whether or not an account has the address, so sign-up does
    not tell anyone which addresses have accounts: a new address gets a confirmation e-mail (the
    account opens with POST /api/v1/auth/register/confirm/), a known one gets nothing created and its
    owner an e-mail. Errors that do not depend on the address (ZIP, weak password, missing fields)
    are 400 with field errors. Sign-ups are limited per client address, shared with the web form (429)."""

    @extend_schema(request=RegisterInputSerializer, responses={202: DetailSerializer, 429: _LOCKED}, tags=["auth"])
    def post(self, request: Request) -> Response:
        values = self.validated(RegisterInputSerializer, request)
        signin.signup_counted(request._request, values["email"])
        signup.customer_signup(**values)
        return Response({"detail": str(signup.SIGNUP_SENT)}, status=status.HTTP_202_ACCEPTED)


class RegisterConfirmInputSerializer(serializers.Serializer):
    uid = serializers.CharField(help_text="The first part of the link's path after /accounts/signup/confirm/")
    token = serializers.CharField(help_text="The second part of the link's path")


class RegisterConfirmApi(_PublicAuthApi):
    """Confirm a sign-up with the uid and token of the link in its e-mail: the account opens (then
    ask POST /api/v1/auth/token/ for a token). 400 for a wrong, used or expired link, the same text
    for each. Limited per client address like password-reset confirmations."""

    @extend_schema(request=RegisterConfirmInputSerializer, responses={200: AccountOutputSerializer, 429: _LOCKED},
                   tags=["auth"])
    def post(self, request: Request) -> Response:
        values = self.validated(RegisterConfirmInputSerializer, request)
        self.link_limit(request, "signup-confirm")
        user = signup.signup_confirm(uidb64=values["uid"], token=values["token"])
        return Response(AccountOutputSerializer(user_with_profile(user.pk)).data)


class PasswordResetInputSerializer(serializers.Serializer):
    email = serializers.EmailField()


class PasswordResetConfirmInputSerializer(serializers.Serializer):
    uid = serializers.CharField(help_text="The first part of the link's path after /accounts/password-reset/")
    token = serializers.CharField(help_text="The second part of the link's path")
    new_password = serializers.CharField(style={"input_type": "password"})


class PasswordResetApi(_PublicAuthApi):
    """Ask for a password-reset link by e-mail. The answer is 202 with the same text whether or not
    an account has the address; limited per e-mail address and per client address (429), shared with
    the web form."""

    @extend_schema(request=PasswordResetInputSerializer, responses={202: DetailSerializer, 429: _LOCKED},
                   tags=["auth"])
    def post(self, request: Request) -> Response:
        email = self.validated(PasswordResetInputSerializer, request)["email"]
        signin.password_reset_counted(request._request, email)
        password_reset.password_reset_send(email=email)
        return Response({"detail": str(password_reset.LINK_SENT)}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(_PublicAuthApi):
    """Choose a new password with the link's uid and token. The account's API tokens are revoked and
    its sign-in lock-out cleared; 400 for a wrong, used or expired link or a weak password."""

    @extend_schema(request=PasswordResetConfirmInputSerializer, responses={200: DetailSerializer, 429: _LOCKED},
                   tags=["auth"])
    def post(self, request: Request) -> Response:
        values = self.validated(PasswordResetConfirmInputSerializer, request)
        self.link_limit(request, "password-reset-confirm")
        password_reset.password_reset_confirm(uidb64=values["uid"], token=values["token"],
                                              new_password=values["new_password"])
        return Response({"detail": str(password_reset.PASSWORD_CHANGED)})


class TokenApi(_PublicAuthApi):
    """Exchange a username or e-mail and password (and, for staff, a second-factor code) for an API
    token (`Authorization: Token …`). Tokens expire: customers' after 30 days, staff's after 8 hours.

    Failed attempts are limited per account and per client address; past the limit the answer is
    429 with `Retry-After`, the same for every address."""

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer, 429: _LOCKED}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        login = data.validated_data.get("username") or data.validated_data.get("email")
        django_request = request._request
        user = authenticate(django_request, username=login, password=data.validated_data["password"])
        if getattr(django_request, "axes_locked_out", False):
            raise signin.TooManyAttempts(signin.lockout_message(signin.retry_after(django_request, login)))
        if user is None:
            raise ValidationError({"non_field_errors": [BAD_CREDENTIALS]})
        second_factor = False
        if access.requires_second_factor(user):
            code = data.validated_data.get("code", "")
            if not code:
                raise ValidationError({"code": [CODE_REQUIRED]})
            services.second_factor_verify(user=user, code=code)
            second_factor = True
        instance, secret = services.api_token_issue(user=user, second_factor=second_factor)
        user_logged_in.send(sender=type(user), request=django_request, user=user)
        return Response({"token": secret, "expiry": instance.expiry})


class LogoutApi(APIView):
    """Sign out: the token this request carries is revoked (or the browser session ends)."""

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request: AuthenticatedRequest) -> Response:
        if isinstance(request.auth, AuthToken):
            services.api_token_revoke(user=request.user, token_id=request.auth.digest)
        else:
            session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListApi(APIView):
    """Your API tokens (their secrets are never shown again), newest first."""

    @extend_schema(responses={200: ApiTokenSerializer(many=True)}, tags=["auth"])
    def get(self, request: AuthenticatedRequest) -> Response:
        current = request.auth.digest if isinstance(request.auth, AuthToken) else None
        rows = selectors.api_tokens_for_user(request.user)
        return Response(ApiTokenSerializer(rows, many=True, context={"current": current}).data)


class TokenDetailApi(APIView):
    @extend_schema(responses={204: None, 404: OpenApiResponse(description="Not one of your tokens")}, tags=["auth"])
    def delete(self, request: AuthenticatedRequest, token_id: str) -> Response:
        """Revoke one of your tokens."""
        services.api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """The signed-in account."""

    @extend_schema(responses={200: AccountOutputSerializer}, tags=["auth"])
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(AccountOutputSerializer(user_with_profile(request.user.pk)).data)

    @extend_schema(request=ProfileInputSerializer, responses={200: AccountOutputSerializer}, tags=["auth"])
    def patch(self, request: AuthenticatedRequest) -> Response:
        """Change the residence: ZIP code or country, and the region or office where the directory names several."""
        data = ProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_with_profile(request.user.pk)
        profile = getattr(user, "profile", None)
        if profile is None:
            raise NotFound(str(NO_PROFILE))
        current = {
            "zip_code": profile.zip_code, "country": "" if profile.lives_in_us else profile.country.code,
            "region": profile.region, "office": profile.office_choice.code if profile.office_choice else "",
            "preferred_language": profile.preferred_language,
        }
        changes = dict(data.validated_data)
        if "zip_code" in changes and changes["zip_code"]:
            changes.setdefault("country", "")
        if "country" in changes and changes["country"]:
            changes.setdefault("zip_code", "")
        services.customer_profile_update(user=user, **{**current, **changes})
        return Response(AccountOutputSerializer(user_with_profile(request.user.pk)).data)

