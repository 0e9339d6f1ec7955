from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core import services
from core.errors import NotFound
from core.http import AuthenticatedRequest
from core.selectors import user_with_profile

from .serializers import (
    AccountOutputSerializer,
    ProfileInputSerializer,
    RegisterInputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
)

BAD_CREDENTIALS = _("Unable to sign in with those credentials.")
NO_PROFILE = _("Staff accounts have no residence.")


class RegisterApi(APIView):
    """Customer sign-up. Residence is a U.S. ZIP code or, for customers abroad, a country."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=RegisterInputSerializer, responses={201: AccountOutputSerializer}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.customer_register(**data.validated_data)
        return Response(AccountOutputSerializer(user_with_profile(user.pk)).data, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    """Exchange a username or e-mail and password for an API token (`Authorization: Token …`)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        login = data.validated_data.get("username") or data.validated_data.get("email")
        user = authenticate(request, username=login, password=data.validated_data["password"])
        if user is None:
            raise ValidationError({"non_field_errors": [BAD_CREDENTIALS]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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
