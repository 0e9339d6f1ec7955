"""The API's JSON parser: a body nested deeper than any of our inputs, or text that cannot be stored
(a lone surrogate such as "\\udc80"), is a 400 naming the problem, never a 500 further down
(Python's RecursionError, Postgres refusing the text, the renderer failing to echo it back)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Our deepest input is an object holding a list of objects: 3 levels. 32 leaves room and still
# stops a body nested 1,000 deep long before anything recurses on it.
MAX_DEPTH = 32
TOO_DEEP = _("The JSON body is nested more than {depth} levels deep.")
NOT_TEXT = _("The JSON body contains text that is not valid Unicode (a lone surrogate).")


def _check(data: Any) -> None:
    """Depth and text, without recursion (the body may be deeper than Python's stack)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ParseError(str(NOT_TEXT)) from None
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(str(TOO_DEEP).format(depth=MAX_DEPTH))
            items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
            for key, item in items:
                if key is not None:
                    stack.append((key, depth))
                stack.append((item, depth + 1))


class PortalJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(str(TOO_DEEP).format(depth=MAX_DEPTH)) from None
        _check(data)
        return data
