"""The forms of a page as the HTML shows them: action, method and each field with its value, options and ticks.

Used by the walks over every page (tests/test_hostile_forms.py, tests/test_cross_garden_writes.py).
"""

from html.parser import HTMLParser


class PageForms(HTMLParser):
    """Each form of a page with its fields as a person finds them: values, options, ticks."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                          "fields": []}
            self.forms.append(self._form)
        elif self._form is None or (tag in ("input", "select", "textarea") and not attrs.get("name")):
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "image", "reset"):
            self._form["fields"].append({"tag": "input", **attrs})
        elif tag == "select":
            self._select = {"tag": "select", "options": [], **attrs}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "label": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "text": "", **attrs}
            self._form["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option["label"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None


def page_forms(html: str) -> list[dict]:
    parser = PageForms()
    parser.feed(html)
    return parser.forms
