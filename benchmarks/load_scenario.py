"""What the load test's officers are and type, and the form fields they submit: shared by the Locust scenario
(benchmarks/locustfile.py) and its per-request cost (benchmarks/scenario_cost.py), so that both play the same parts."""

from html.parser import HTMLParser

PASSWORD = "GiamNgheo@2026"
COMMUNE_OFFICERS = [
    "xa.phutuc", "xa.iarsai", "xa.iarsuom", "xa.chugu", "xa.datbang", "xa.iamlah", "xa.chudrang",
    "xa.phucan", "xa.iahdreh", "xa.iarmok", "xa.chungoc", "xa.uar", "xa.churcam", "xa.krongnang",
]  # fmt: skip
DISTRICT_STAFF = ["huyen.krongpa", "huyen.iapa"]
PROVINCE_STAFF = ["tinh.gialai"]
# What officers type: clan and given names of the demo's Jrai and Kinh households, with and without diacritics.
NAMES = ["ksor", "rahlan", "siu", "h'linh", "hlinh", "nguyen van", "Nguyễn Thị", "rơ mah", "ro mah", "kpă", "nay"]


class FormFields(HTMLParser):
    """The named fields of the first <form method="post"> that posts back to the page (no action: not the header's
    sign-out or language forms), with the values the page shows."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = self._done = False
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "form" and (attrs.get("method") or "").lower() == "post" and not attrs.get("action"):
            self._in_form = True
        elif not self._in_form:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self.fields[attrs["name"]] = attrs.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_fields(html: str) -> dict[str, str]:
    """The fields a browser would submit if the page's own POST form were sent unchanged."""
    parser = FormFields()
    parser.feed(html)
    return parser.fields
