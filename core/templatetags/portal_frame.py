"""`{% per_process key … %}…{% end_per_process %}`: a part of the page frame rendered once per process for each
value of its keys and the active language, then reused (the gov banner, the identifier: some forty tags and
translations on every page).

Only for markup that is a function of its keys, the language and the code: never of the user, the session, a
form or the data. Name every variable the part reads among its keys.
"""

from typing import Any

from django import template
from django.template.base import Node, NodeList, Parser, Token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_RENDERED: dict[tuple, SafeString] = {}
_MAX_RENDERED = 256  # keys are few (languages x hosts); a flood of Host headers only clears it


class PerProcessNode(Node):
    def __init__(self, nodelist: NodeList, keys: list[Any], where: tuple) -> None:
        self.nodelist, self.keys, self.where = nodelist, keys, where

    def render(self, context: template.Context) -> SafeString:
        key = (self.where, get_language(), *(k.resolve(context) for k in self.keys))
        found = _RENDERED.get(key)
        if found is None:
            if len(_RENDERED) >= _MAX_RENDERED:
                _RENDERED.clear()
            found = _RENDERED[key] = mark_safe(self.nodelist.render(context))  # noqa: S308  # rendered by the engine
        return found


@register.tag("per_process")
def per_process(parser: Parser, token: Token) -> PerProcessNode:
    keys = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("end_per_process",))
    parser.delete_first_token()
    origin = getattr(parser, "origin", None)
    return PerProcessNode(nodelist, keys, (getattr(origin, "name", ""), token.position))
