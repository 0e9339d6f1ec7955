"""Read a form as the page renders it, to submit it as a browser would.

Tests of a page's form start from what the page itself offers: its defaults (the selected option,
else the first; checked boxes and radios) and the choices of each menu, radio group and box. A
page whose default answer breaks, or whose menus offer no blank choice, fails here.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import product
from urllib.parse import urlencode


@dataclass
class Control:
    name: str
    kind: str  # "select", "radio", "checkbox" or an <input> type ("text", "search", "hidden" …)
    choices: list[str] = field(default_factory=list)  # option values; a checkbox's own value
    default: str | None = None  # what a browser submits untouched; None: nothing


@dataclass
class RenderedForm:
    action: str
    method: str
    controls: dict[str, Control]

    def data(self, **changes: str | None) -> dict[str, str]:
        """The submission a browser makes with the defaults, changed by `changes` (None: leave it out,
        as an unticked box)."""
        values = {name: control.default for name, control in self.controls.items()}
        values.update(changes)
        return {name: value for name, value in values.items() if value is not None}

    def query(self, **changes: str | None) -> str:
        return urlencode(self.data(**changes))

    def answers(self, name: str) -> list[str | None]:
        """Every answer a person can give to one control: each option, or a box ticked and not."""
        control = self.controls[name]
        if control.kind == "checkbox":
            return [None, control.choices[0]]
        if control.kind == "radio":
            return [None, *control.choices] if control.default is None else list(control.choices)
        return list(control.choices)

    def combinations(self, *names: str) -> list[dict[str, str | None]]:
        """Every combination of the answers to the controls named (each with the others at default)."""
        return [dict(zip(names, values, strict=True)) for values in product(*(self.answers(n) for n in names))]


class _FormParser(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__()
        self.form_id = form_id
        self.forms: list[RenderedForm] = []
        self._form: RenderedForm | None = None
        self._select: Control | None = None
        self._select_has_selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            if self.form_id is None or attr.get("id") == self.form_id:
                self._form = RenderedForm(attr.get("action", ""), attr.get("method", "get").lower(), {})
            return
        if self._form is None:
            return
        name = attr.get("name")
        if tag == "select" and name:
            self._select = self._form.controls.setdefault(name, Control(name, "select"))
            self._select_has_selected = False
        elif tag == "option" and self._select is not None:
            value = attr.get("value", "")
            self._select.choices.append(value)
            if "selected" in attr and not self._select_has_selected:
                self._select.default, self._select_has_selected = value, True
            elif self._select.default is None:
                self._select.default = value  # a browser submits the first option when none is selected
        elif tag in {"input", "textarea"} and name:
            kind = attr.get("type", "text") if tag == "input" else "textarea"
            if kind in {"submit", "button", "reset", "image"}:
                return
            value = attr.get("value", "on" if kind in {"radio", "checkbox"} else "")
            control = self._form.controls.setdefault(name, Control(name, kind))
            if kind in {"radio", "checkbox"}:
                control.choices.append(value)
                if "checked" in attr:
                    control.default = value
            else:
                control.default = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def rendered_form(html: str, form_id: str | None = None) -> RenderedForm:
    """The form with that id (or the only form, when no id is given) as the page renders it."""
    parser = _FormParser(form_id)
    parser.feed(html)
    assert len(parser.forms) == 1, f"expected one form{' #' + form_id if form_id else ''}, found {len(parser.forms)}"
    return parser.forms[0]
