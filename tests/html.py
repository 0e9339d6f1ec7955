"""Small HTML checks shared by page tests: one h1, headings in order, every field labelled."""

from html.parser import HTMLParser


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.inputs: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.skip_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if attr.get("id"):
            self.ids.add(attr["id"] or "")
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag in {"input", "select", "textarea"} and attr.get("type") not in {"hidden", "submit"}:
            self.inputs.append(attr)
        if tag == "label" and attr.get("for"):
            self.label_for.add(attr["for"] or "")
        if tag == "a" and attr.get("href") == "#main-content" and "usa-skipnav" in (attr.get("class") or ""):
            self.skip_link = True


def assert_accessible_outline(html: str) -> None:
    outline = _Outline()
    outline.feed(html)
    assert outline.headings.count(1) == 1, f"expected one h1, got {outline.headings}"
    assert outline.headings[0] == 1, f"first heading must be h1: {outline.headings}"
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, f"heading level skipped: {outline.headings}"
    unlabelled = [i for i in outline.inputs if i.get("id") not in outline.label_for and not i.get("aria-label")]
    assert not unlabelled, f"fields without a label: {unlabelled}"
    assert outline.skip_link, "no skip link to #main-content"
    assert "main-content" in outline.ids
