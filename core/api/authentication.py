"""API token authentication in one query, compiled once.

knox's TokenAuthentication reads every token of the user on each request to delete the expired ones
(two queries per request) and loads the user without their profile. Here the token, its user, the
customer profile and whether the user holds the protected-case permission (core.access) come in one
query; the token's own expiry is checked (an expired token is deleted and refused, as knox does); a
user's other expired tokens are deleted when they are next issued a token (core.services.api_token_issue),
not on every request.

That query is the ORM's own, compiled once per database alias (core.db.CompiledQuery): compiling it
(three joined models and an EXISTS) cost more CPU than running it, about 2 ms of every API request, a
third of a refused booking's.
"""

import binascii
from hmac import compare_digest
from typing import Any

from django.db.models import OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from core import access
from core.db import CompiledQuery

INVALID_TOKEN = _("Invalid token.")


def _tokens_with_key(token_key: str) -> QuerySet[Any]:
    return get_token_model().objects.filter(token_key=token_key).select_related("user", "user__profile").annotate(**{
        access.PROTECTED_ATTR: access.protected_permission_exists(OuterRef("user_id"))})


token_query = CompiledQuery(_tokens_with_key, placeholder="\x00token_key\x00")


class PortalTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):  # type: ignore[no-untyped-def]  # knox's signature
        text = token.decode("utf-8")
        for auth_token in token_query(text[:CONSTANTS.TOKEN_KEY_LENGTH]):
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(INVALID_TOKEN) from None
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                break
            if knox_settings.AUTO_REFRESH and auth_token.expiry:
                self.renew_token(auth_token)
            setattr(auth_token.user, access.PROTECTED_ATTR, getattr(auth_token, access.PROTECTED_ATTR))
            return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(INVALID_TOKEN)


class PortalTokenScheme(KnoxTokenScheme):
    """The published schema describes these tokens as knox's."""

    target_class = "core.api.authentication.PortalTokenAuthentication"
