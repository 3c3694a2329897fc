"""Read a page's form as a browser would submit it, so tests post exactly what the admin shows.

``form_data(html)`` returns every field of the page's change form with the values it
was rendered with (inputs, checked boxes, textareas, selected options), ready for
``client.post()``. Tests then change the fields they are about.
"""

from collections import defaultdict
from html.parser import HTMLParser

NOT_SUBMITTED = {"submit", "button", "file", "reset", "image"}


class _FormParser(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = form_id is None
        self.data: dict[str, list[str]] = defaultdict(list)
        self.textarea: str | None = None
        self.select: str | None = None
        self.select_values: list[str] = []
        self.option: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form_id is not None:
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form or "__prefix__" in (attrs.get("name") or ""):
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type", "text") not in NOT_SUBMITTED:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data[name].append(attrs.get("value") or "on")
            else:
                self.data[name].append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name].append("")
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select is not None and "selected" in attrs:
            self.data[self.select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.form_id is not None:
            self.in_form = False

    def handle_data(self, data):
        if self.textarea is not None:
            value = self.data[self.textarea][-1]
            # A textarea's first newline belongs to the markup, not to the value (as in browsers).
            self.data[self.textarea][-1] = value + (data if value else data.removeprefix("\n"))


def form_data(html: str, form_id: str | None = None) -> dict[str, list[str]]:
    """The fields of the form ``form_id`` (default: every form on the page) and their values."""
    parser = _FormParser(form_id)
    parser.feed(html)
    parser.close()
    return dict(parser.data)
