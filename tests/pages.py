"""What goes over HTTP in tests: reading the HTML pages (error summary, field errors, form
tokens) and building request bodies."""

from html.parser import HTMLParser


class _PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        #: href -> text of each link in the error summary.
        self.summary_links: dict[str, str] = {}
        #: element id -> text of each `<p class="field-error" id="…">`.
        self.field_errors: dict[str, str] = {}
        #: name -> value of every hidden input.
        self.hidden: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []  # (tag, role in the page)
        self._texts: dict[tuple[str, str], list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.hidden[attrs["name"]] = attrs.get("value", "")
        role = None
        classes = (attrs.get("class") or "").split()
        if tag == "a" and self._inside("summary") and attrs.get("href", "").startswith("#"):
            role = ("summary-link", attrs["href"])
        elif tag == "div" and "error-summary" in classes:
            role = ("summary", "")
        elif tag == "p" and "field-error" in classes:
            role = ("field-error", attrs.get("id", ""))
        if tag not in ("input", "br", "img", "meta", "link"):
            self._open.append((tag, role))
        if role:
            self._texts.setdefault(role, [])

    def handle_endtag(self, tag):
        while self._open:
            open_tag, role = self._open.pop()
            if role and role[0] == "summary-link":
                self.summary_links[role[1]] = _squash(self._texts[role])
            elif role and role[0] == "field-error":
                self.field_errors[role[1]] = _squash(self._texts[role])
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _tag, role in self._open:
            if role:
                self._texts[role].append(data)

    def _inside(self, kind: str) -> bool:
        return any(role and role[0] == kind for _tag, role in self._open)


def _squash(parts: list[str]) -> str:
    return " ".join("".join(parts).split())


def read_page(html: str) -> _PageReader:
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    return reader


def multipart_body(fields: dict) -> tuple[bytes, str]:
    """A multipart/form-data body built by hand (the test client would spool a big one to a
    temporary file); returns the body and its content type."""
    boundary = "----jdt-test-boundary"
    parts = []
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            )
    body = ("".join(parts) + f"--{boundary}--\r\n").encode("utf-8", "surrogatepass")
    return body, f"multipart/form-data; boundary={boundary}"
