"""Widgets for the busiest pages.

Django renders a <select> through a template, and each <option> through another template include:
on the staff queue (a dozen menus, one of them every case-holding office) that was most of the page's
cost. `FastSelect` writes the same HTML in Python: one f-string per option, every value escaped.
"""

from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe


def _option(option: dict[str, Any]) -> str:
    attrs = option["attrs"]
    extra = " selected" if attrs.get("selected") else ""
    others = {k: v for k, v in attrs.items() if k != "selected"}
    if others:
        extra += flatatt(others)
    return f'<option value="{escape(str(option["value"]))}"{extra}>{escape(str(option["label"]))}</option>'


class FastSelect(forms.Select):
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{flatatt(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{escape(str(group_name))}">')
            parts.extend(_option(option) for option in options)
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  # every value above is escaped
