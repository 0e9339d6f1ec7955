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
from core.http import AuthenticatedRequest
from core.selectors import user_with_profile

from .serializers import AccountOutputSerializer, RegisterInputSerializer, TokenInputSerializer, TokenOutputSerializer

BAD_CREDENTIALS = _("Unable to sign in with those credentials.")


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
