"""API token authentication in one query, compiled once.

knox's TokenAuthentication reads every token of the user on each request to delete the expired ones
(two queries per request) and loads the user without their profile. Here the token, its user, the
customer profile and whether the user holds the protected-case permission (core.access) come in one
query; the token's own expiry is checked (an expired token is deleted and refused, as knox does); a
user's other expired tokens are deleted when they are next issued a token (core.services.api_token_issue),
not on every request.

That query is the ORM's own (TokenQuery.queryset), but compiling it (three joined models and an EXISTS)
cost more CPU than running it: about 2 ms of every API request, a third of a refused booking's. So it is
compiled once per database alias and run as the ORM would run it (ModelIterable): the ORM's converters,
`from_db` instances and select_related populators, with this request's connection.
"""

import binascii
from dataclasses import dataclass
from hmac import compare_digest
from typing import Any

from django.db import connections
from django.db.models import OuterRef, QuerySet
from django.db.models.query import get_related_populators
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

INVALID_TOKEN = _("Invalid token.")
_KEY_PLACEHOLDER = "\x00token_key\x00"  # stands for the token key in the compiled statement's parameters


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    key_position: int
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (column, converter functions, expression)
    init_list: tuple[str, ...]
    fields: slice
    annotations: tuple[tuple[str, int], ...]
    model: Any
    populators: tuple[Any, ...]  # select_related's, as the ORM builds them


class TokenQuery:
    """The tokens with a key, their users, profiles and the protected-case answer, as `queryset` would
    load them; the statement and how to read its rows are compiled once per database alias (two threads
    compiling at once compile the same thing)."""

    def __init__(self) -> None:
        self._compiled: dict[str, _Compiled] = {}

    @staticmethod
    def queryset(token_key: str) -> QuerySet[Any]:
        return get_token_model().objects.filter(token_key=token_key).select_related(
            "user", "user__profile").annotate(**{
                access.PROTECTED_ATTR: access.protected_permission_exists(OuterRef("user_id"))})

    def _compile(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiler = self.queryset(_KEY_PLACEHOLDER).query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            select, klass_info = compiler.select, compiler.klass_info
            first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            converters = compiler.get_converters([column[0] for column in select[:compiler.col_count]])
            compiled = _Compiled(
                sql=sql, params=tuple(params), key_position=list(params).index(_KEY_PLACEHOLDER),
                converters=tuple((pos, tuple(funcs), expr) for pos, (funcs, expr) in converters.items()),
                init_list=tuple(column[0].target.attname for column in select[first:last]),
                fields=slice(first, last), annotations=tuple(compiler.annotation_col_map.items()),
                model=klass_info["model"],
                populators=tuple(get_related_populators(  # type: ignore[call-arg]  # the stubs: Django 6's
                    klass_info, select, alias)))
            self._compiled[alias] = compiled
        return compiled

    def __call__(self, token_key: str, using: str = "default") -> list[Any]:
        compiled = self._compile(using)
        params = list(compiled.params)
        params[compiled.key_position] = token_key
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        tokens = []
        for fetched in rows:
            row = list(fetched)
            for pos, funcs, expression in compiled.converters:
                value = row[pos]
                for convert in funcs:
                    value = convert(value, expression, connection)
                row[pos] = value
            token = compiled.model.from_db(using, compiled.init_list, row[compiled.fields])
            for populator in compiled.populators:
                populator.populate(row, token)
            for name, pos in compiled.annotations:
                setattr(token, name, row[pos])
            tokens.append(token)
        return tokens


token_query = TokenQuery()


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
