"""The API schema documents every status an operation can answer, for every view, by itself.

`PortalAutoSchema` (DEFAULT_SCHEMA_CLASS) adds the error answers our exception handler, the
middleware and DRF give, wherever they can happen, so an endpoint written tomorrow is documented
without anyone remembering to: 400 field errors (and malformed bodies), 401/403 where a view
authenticates, 404 (not found or not yours, a page past the end), 409 for unsafe methods, 415 for a
body in another media type, 429 where a view throttles, 503 while the database restarts. A view's
own declaration of a status (`extend_schema(responses={409: …})`) wins.

It also marks a response field nullable wherever DRF can send null: a dotted `source` (DRF answers
null when a relation on the way is empty), an explicit `default=None`, and a method field whose
return annotation admits None (an `extend_schema_field` override otherwise hides that).
"""

import types
import typing
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers


class ErrorSerializer(serializers.Serializer):
    """An error: what went wrong in words, and a stable code for programs."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="Stable identifier, e.g. not_found, conflict, throttled")


def _error(description: str, response: Any = ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(response=response, description=description)


# Each refused input field maps to its messages (`non_field_errors` for the request as a whole); a
# body that cannot be read, or a refusal without fields, has `detail` and `code`.
BAD_REQUEST = _error("Invalid input: field errors (field → messages), or `detail` for a body that cannot be read",
                     OpenApiTypes.OBJECT)
UNAUTHORIZED = _error("Not signed in, or the token is not valid")
FORBIDDEN = _error("Signed in, but not allowed to do this (or the CSRF check failed)")
NOT_FOUND = _error("Not found, or not yours: the same answer for both")
CONFLICT = _error("Conflicts with the current state (a full slot, a window not open yet, a stale version)")
UNSUPPORTED = _error("The request body is not in a media type this operation reads")
THROTTLED = _error("Too many requests: wait for the number of seconds in Retry-After")
UNAVAILABLE = _error("Briefly unavailable (the database is restarting): retry after Retry-After seconds")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _admits_none(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation)


def response_may_be_null(field: serializers.Field) -> bool:
    if getattr(field, "allow_null", False):
        return False  # drf-spectacular says so already
    if isinstance(field, serializers.SerializerMethodField):
        method = getattr(field.parent, field.method_name or "", None)
        try:
            hints = typing.get_type_hints(method) if method is not None else {}
        except (NameError, TypeError):
            hints = {}
        return _admits_none(hints.get("return"))
    return field.default is None or "." in (field.source or "")


class PortalAutoSchema(AutoSchema):
    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and isinstance(schema, dict) and "$ref" not in schema and response_may_be_null(field):
            schema = {**schema, "nullable": True}
        return schema

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        view: Any = self.view
        errors = {"400": BAD_REQUEST, "404": NOT_FOUND, "503": UNAVAILABLE}
        authenticates = bool(view.get_authenticators())
        guarded = any(not isinstance(p, permissions.AllowAny) for p in view.get_permissions())
        if authenticates:
            errors["401"] = UNAUTHORIZED  # a wrong token is refused even where no sign-in is needed
        if authenticates or guarded:
            errors["403"] = FORBIDDEN
        if self.method in UNSAFE_METHODS:
            errors["409"] = CONFLICT
            errors["415"] = UNSUPPORTED
        if view.get_throttles():
            errors["429"] = THROTTLED
        return errors

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
