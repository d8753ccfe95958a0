"""The product walk's crawler and checks: parse a page with the standard library, list
what a user can follow from it (links, GET forms with their pre-filled values), and find
what a newcomer would see as a defect in it.

The checks are plain functions over parsed pages so that `test_checks.py` can show that
each of them fails on the defect it is meant to find. The crawl itself (`walk`) drives a
Django test client; `test_walk.py` runs it once per role and language. See
docs/testing.md ("The product walk") for the rules and the bounds.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from django.db import transaction
from django.urls import Resolver404, resolve

# --------------------------------------------------------------------------------------
# Parsing

# Contents never shown as text, or shown as written (code), or deliberately untranslated.
SILENT_TAGS = {"script", "style", "code", "pre", "template", "noscript", "svg"}
VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
# Attributes whose text a user reads (or hears, for aria-label).
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "label"}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
# The language switch: a POST to Django's set_language, listing languages by their own
# names ("English" on a Spanish page is right there).
LANGUAGE_SWITCH_ACTION = "/i18n/setlang/"


@dataclass
class Form:
    method: str
    action: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)
    # while the parser reads a <select>: (name, option values, selected values, multiple)
    _select: tuple[str, list[str], list[str], bool] | None = None
    _textarea: tuple[str, list[str]] | None = None
    _option: list[str] | None = None


@dataclass
class TextNode:
    """A visible text and where it sits: the innermost element among `CONTAINERS` (or the
    direct parent); whether it is in a table body cell or a <dd> (`cell`), and then the
    heading of its column, or the <dt> before it (`column`)."""

    text: str
    container: str
    column: str = ""
    cell: bool = False


@dataclass
class Page:
    """What a user sees and can follow on one HTML page."""

    lang: str | None = None
    links: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    nodes: list[TextNode] = field(default_factory=list)  # visible text, whitespace collapsed
    # attribute values: (tag, attribute, value); `read` ones are shown to the user
    attributes: list[tuple[str, str, str]] = field(default_factory=list)
    read_attributes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [node.text for node in self.nodes]


def collapse(text: str) -> str:
    return " ".join(text.split())


# Elements that say what a text inside them is (see `_stands_as_year`).
CONTAINERS = {
    "option", "th", "td", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "title",
    "caption", "legend", "label", "button", "summary", "time", "a", "li", "p",
}  # fmt: skip


@dataclass
class _Table:
    headings: dict[int, str] = field(default_factory=dict)
    in_head: bool = False  # inside <thead>
    rows: int = 0
    heading_row: bool = False  # a row in <thead>, or the first row of a table without one
    column: int = 0  # index of the next cell in the current row
    cell: tuple[str, int] | None = None  # ("th" | "td", column) of the open cell
    heading_parts: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._silent = 0  # depth inside SILENT_TAGS or translate="no"
        self._stack: list[tuple[str, bool]] = []  # (tag, opened a silent region)
        self._tables: list[_Table] = []
        self._form: Form | None = None
        self._in_switch = False
        self._term: list[str] = []  # the text of the last <dt>

    # -- elements
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        silent = tag in SILENT_TAGS or a.get("translate") == "no"
        if tag not in VOID_TAGS:
            self._stack.append((tag, silent))
            if silent:
                self._silent += 1
        if tag == "html" and "lang" in a:
            self.page.lang = a["lang"]
        elif tag == "dt":
            self._term = []
        self._table_start(tag, a)
        for name, value in a.items():
            if value:
                self.page.attributes.append((tag, name, value))
        if not (self._silent or self._in_switch):
            for name in READ_ATTRIBUTES & a.keys():
                self.page.read_attributes.append((tag, name, a[name]))
            if (
                tag == "input"
                and a.get("type", "").lower() in BUTTON_INPUT_TYPES
                and a.get("value")
            ):
                self.page.read_attributes.append((tag, "value", a["value"]))
        if tag == "a" and a.get("href"):
            self.page.links.append(a["href"])
        elif tag == "form":
            action = a.get("action") or None
            self._in_switch = bool(action and action.split("?")[0] == LANGUAGE_SWITCH_ACTION)
            self._form = Form(method=a.get("method", "get").lower(), action=action)
            self.page.forms.append(self._form)
        elif self._form is not None:
            self._form_field(tag, a)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._form is not None:
            self._form_field_end(tag)
        if tag == "form":
            self._form = None
            self._in_switch = False
        self._table_end(tag)
        if tag in VOID_TAGS:
            return
        # Close up to the matching start tag (HTML lets some end tags be left out).
        for depth in range(len(self._stack) - 1, -1, -1):
            if self._stack[depth][0] == tag:
                for _tag, silent in self._stack[depth:]:
                    if silent:
                        self._silent -= 1
                del self._stack[depth:]
                break

    def handle_data(self, data: str) -> None:
        form = self._form
        if form is not None:
            if form._option is not None:
                form._option.append(data)
            if form._textarea is not None:
                form._textarea[1].append(data)
        if self._silent or self._in_switch:
            return
        text = collapse(data)
        if not text:
            return
        container = next(
            (t for t, _s in reversed(self._stack) if t in CONTAINERS),
            self._stack[-1][0] if self._stack else "",
        )
        column, cell = "", False
        table = self._tables[-1] if self._tables else None
        if table is not None and table.cell is not None:
            if table.heading_row:
                table.heading_parts.append(text)
            else:
                column, cell = table.headings.get(table.cell[1], ""), True
        tags = [t for t, _s in self._stack]
        if "dt" in tags:
            self._term.append(text)
        elif "dd" in tags and not cell:
            column, cell = " ".join(self._term), True
        if container == "title":
            # "Partners · Puente": each part is a text of its own.
            self.page.nodes.extend(TextNode(p, "title") for p in text.split(" · ") if p)
        else:
            self.page.nodes.append(TextNode(text, container, column, cell))

    # -- tables: the heading of each column, for the cells below it
    def _table_start(self, tag: str, a: dict[str, str]) -> None:
        if tag == "table":
            self._tables.append(_Table())
        elif not self._tables:
            return
        table = self._tables[-1]
        if tag == "thead":
            table.in_head = True
        elif tag == "tr":
            table.rows += 1
            table.column, table.cell = 0, None
            table.heading_row = table.in_head or (table.rows == 1 and not table.headings)
        elif tag in {"th", "td"}:
            self._table_end(table.cell[0] if table.cell else "")
            table.cell = (tag, table.column)
            span = a.get("colspan", "1")
            table.column += int(span) if span.isdigit() else 1

    def _table_end(self, tag: str) -> None:
        if not self._tables:
            return
        table = self._tables[-1]
        if tag == "table":
            self._tables.pop()
        elif tag == "thead":
            table.in_head = False
        elif tag in {"th", "td"} and table.cell is not None and table.cell[0] == tag:
            kind, index = table.cell
            if table.heading_row and table.heading_parts:
                table.headings[index] = " ".join(table.heading_parts)
            table.heading_parts = []
            table.cell = None

    # -- form fields, the way a browser submits them untouched
    def _form_field(self, tag: str, a: dict[str, str]) -> None:
        form = self._form
        assert form is not None
        name = a.get("name")
        if "disabled" in a:
            name = None
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind in {"submit", "button", "reset", "image", "file"}:
                pass  # a named submit button is sent only when it is the one pressed
            else:
                form.fields.append((name, a.get("value", "")))
        elif tag == "select":
            form._select = (name or "", [], [], "multiple" in a)
        elif tag == "option" and form._select is not None:
            value = a.get("value")
            form._option = []
            form._select[1].append("\x00" if value is None else value)
            if "selected" in a:
                form._select[2].append("\x00" if value is None else value)
        elif tag == "textarea" and name:
            form._textarea = (name, [])

    def _form_field_end(self, tag: str) -> None:
        form = self._form
        assert form is not None
        if tag == "option" and form._select is not None and form._option is not None:
            text = collapse("".join(form._option))
            # an option without value= submits its text
            for values in (form._select[1], form._select[2]):
                if values and values[-1] == "\x00":
                    values[-1] = text
            form._option = None
        elif tag == "select" and form._select is not None:
            name, options, selected, multiple = form._select
            if name:
                if selected:
                    chosen = selected if multiple else selected[-1:]
                else:
                    chosen = [] if multiple else options[:1]
                form.fields.extend((name, value) for value in chosen)
            form._select = None
        elif tag == "textarea" and form._textarea is not None:
            name, parts = form._textarea
            form.fields.append((name, "".join(parts).removeprefix("\n")))
            form._textarea = None


def page_parse(html: str) -> Page:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


# --------------------------------------------------------------------------------------
# Checks. Each returns a list of (problem, snippet).

SEPARATORS = ",.\u00a0\u202f "
_S = f"[{SEPARATORS}]"
# A year (1900-2099) written with a thousands separator: "2,026", "2.026", "2 026",
# "2\u00a0026". Not part of a longer grouped figure: in "12,025,431" and "2,025,431" no
# digit (nor digit+separator) comes before it, no (separator+)digit after it.
YEAR_WITH_SEPARATOR = re.compile(rf"(?<!\d)(?<!\d{_S})(?:1{_S}9|2{_S}0)\d\d(?!{_S}?\d)")
# A year however written, for ranges ("2,025–2,026").
_ANY_YEAR = rf"(?:1{_S}?9|2{_S}?0)\d\d"
NONE_WORD = re.compile(r"\bNone\b")

# Elements in which a number standing alone is a year rather than a figure (a year's
# <option>, a column heading, a heading, a link to a year), and table headings under which
# the cells are years or dates.
YEAR_CONTAINERS = {
    "option", "th", "h1", "h2", "h3", "h4", "h5", "h6", "title", "caption", "legend",
    "label", "button", "summary", "time", "a",
}  # fmt: skip
YEAR_HEADING = re.compile(
    r"\b(years?|años?|anos?|months?|mes(es)?|mês|meses|period|per[ií]odo|dates?|fecha)\b", re.I
)


@lru_cache(maxsize=1)
def _month_names() -> frozenset[str]:
    from babel.dates import get_month_names

    names = set()
    for locale in ("en", "es", "pt"):
        for width in ("wide", "abbreviated"):
            names.update(
                n.lower().rstrip(".") for n in get_month_names(width, locale=locale).values()
            )
    return frozenset(names)


_MONTH_BEFORE = re.compile(r"([^\W\d_]+)\.?\s+(?:de\s+|of\s+)?$")
_YEAR_BEFORE = re.compile(rf"({_ANY_YEAR})\s*[-–—/]\s*$")
_YEAR_AFTER = re.compile(rf"\s*[-–—/]\s*({_ANY_YEAR})(?!\d)")
_MONTH_AFTER = re.compile(r"-(0[1-9]|1[0-2])(?!\d)")  # "2,026-01"
_RANGE_BEFORE = re.compile(r"\d\s*[-–—]\s*$")
_RANGE_AFTER = re.compile(r"\s*[-–—]\s*\d")
_FIGURE_BEFORE = re.compile(r"(:|\b(of|de|do|da|dos|das))\s*$", re.I)
_WORD_AFTER = re.compile(r"\s*(%|[^\W\d_])")
_FIELD_CONTAINERS = {"option", "button", "label", "time"}  # a year's field, even in a cell


def _year_value(written: str) -> int:
    return int(re.sub(r"\D", "", written))


def _stands_as_year(
    text: str, start: int, end: int, container: str, column: str, cell: bool
) -> bool:
    """Whether a year-like grouped number in `text` reads as a year, not as a figure.

    Figures between 1,900 and 2,099 are common ("2,098 people"), and they are grouped on
    purpose; a year is never grouped. So the number counts as a year when
    - a month comes with it ("enero de 2.026", "2,026-01"), or it is one end of a range of
      years ("2,025–2,026", at most five years apart); else not when it is one end of
      another range ("2,001–2,025 of 3,000"); else
    - in a table cell (or a <dd>), when its column's heading (or <dt>) names a year, a month
      or a date, and only then; else
    - not when it is a figure: after a colon ("In transit: 1,984") or "of"/"de" ("25 of
      2,098"); followed by a word or a per cent sign ("2,098 people", "2.050 %"); or alone
      in an element that holds figures (<strong>, <span>, <li>…: not a `YEAR_CONTAINERS`);
    - and otherwise, yes: "Funding required in 2,026", "Gaps by country and sector, 2,026",
      <option>2,026</option>, <th>2,026</th>.
    """
    before, after = text[:start], text[end:]
    year = _year_value(text[start:end])
    word = _MONTH_BEFORE.search(before)
    if (word and word.group(1).lower() in _month_names()) or _MONTH_AFTER.match(after):
        return True
    other = _YEAR_BEFORE.search(before) or _YEAR_AFTER.match(after)
    if other and 0 < abs(_year_value(other.group(1)) - year) <= 5:
        return True
    if _RANGE_BEFORE.search(before) or _RANGE_AFTER.match(after):
        return False  # a range of figures: "2,001–2,025 of 3,000"
    if cell and container not in _FIELD_CONTAINERS:
        # The heading names the column's values ("Year", "Month", "Fecha de envío"), not
        # a figure of a period ("Reached this month", "Personas del mes").
        return YEAR_HEADING.match(column.strip()) is not None
    if _FIGURE_BEFORE.search(before) or _WORD_AFTER.match(after):
        return False
    return bool(before.strip() or after.strip()) or container in YEAR_CONTAINERS


def _snippet(text: str, start: int = 0, end: int | None = None, width: int = 40) -> str:
    end = len(text) if end is None else end
    left = max(0, start - width)
    right = min(len(text), end + width)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


def years_with_separator(
    text: str, container: str = "", column: str = "", cell: bool | None = None
) -> list[str]:
    """Snippets of `text` around each year printed with a thousands separator, the text
    standing in `container` (an element name), in a table cell under the heading `column`
    when `cell` (by default: a <td> or <dd>, or a <th> under a heading)."""
    if cell is None:
        cell = container in {"td", "dd"} or (container == "th" and bool(column))
    return [
        _snippet(text, m.start(), m.end())
        for m in YEAR_WITH_SEPARATOR.finditer(text)
        if _stands_as_year(text, m.start(), m.end(), container, column, cell)
    ]


def literal_none(text: str) -> list[str]:
    return [_snippet(text, m.start(), m.end()) for m in NONE_WORD.finditer(text)]


# Attributes that are identifiers, not text: never reported.
IDENTIFIER_ATTRIBUTES = {"class", "id", "for", "type", "rel", "method", "style", "name", "lang"}
# Attributes that carry values the product reads back (a link's query, a field's value):
# a grouped year there is always wrong, figures are never grouped in them.
VALUE_ATTRIBUTES = {"href", "action", "src", "value"}


def _attribute_values(name: str, value: str) -> list[str]:
    """What an attribute says once decoded: a link's query string as its values."""
    if name in {"href", "action", "src"}:
        query = urlsplit(value).query
        return [v for _k, v in parse_qsl(query, keep_blank_values=True)] + [
            unquote(urlsplit(value).path)
        ]
    return [value]


def page_problems(page: Page, catalogue: Catalogue | None) -> list[tuple[str, str]]:
    """Every defect the walk looks for in one page."""
    problems: list[tuple[str, str]] = []
    for node in page.nodes:
        for snippet in years_with_separator(node.text, node.container, node.column, node.cell):
            problems.append(("year printed with a thousands separator", snippet))
        problems += [("literal None", s) for s in literal_none(node.text)]
    for tag, name, value in page.attributes:
        if name in IDENTIFIER_ATTRIBUTES:
            continue
        where = f'<{tag} {name}="{_snippet(value, width=60)}">'
        for said in _attribute_values(name, value):
            if name in VALUE_ATTRIBUTES or name.startswith("data-"):
                grouped = YEAR_WITH_SEPARATOR.search(said) is not None
            else:  # title, aria-label, alt, placeholder: read like text
                grouped = bool(years_with_separator(said, "attribute"))
            if grouped:
                problems.append(("year printed with a thousands separator (attribute)", where))
                break
        if any(literal_none(said) for said in _attribute_values(name, value)):
            problems.append(("literal None (attribute)", where))
    if catalogue is not None:
        problems += untranslated(page, catalogue)
    return problems


# --------------------------------------------------------------------------------------
# Translations

LOCALE_DIRS = ("puente/locale", "puente/feedback/locale", "puente/flows/locale")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


@dataclass
class Catalogue:
    """The msgids a language translates (to something else than the msgid itself)."""

    language: str
    exact: dict[str, str]  # msgid (whitespace collapsed) -> translation
    # msgids with placeholders: (their longest literal part, pattern, msgid)
    patterns: list[tuple[str, re.Pattern[str], str]]
    _literals: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        literals = sorted({literal for literal, _p, _m in self.patterns}, key=len, reverse=True)
        self._literals = re.compile("|".join(map(re.escape, literals))) if literals else None

    def lookup(self, text: str) -> str | None:
        """The msgid `text` is an untranslated rendering of, if any."""
        if text in self.exact:
            return text
        if self._literals is None or not self._literals.search(text):
            return None  # the common case: no literal of any pattern in the text
        for literal, pattern, msgid in self.patterns:
            # the substring test first: most texts hold none of the literals
            if literal in text and pattern.fullmatch(text):
                return msgid
        return None


def catalogue_from_messages(language: str, messages: Iterable[tuple[str, str]]) -> Catalogue:
    """`messages`: (msgid, translation) pairs, plural forms given one pair each.

    A msgid that some entry translates to itself is a word of the language too ("Status"
    in Portuguese): Django merges the catalogues, the project's own first, so it may show
    as written on any page, and it is never reported."""
    pairs = [(collapse(msgid), collapse(msgstr)) for msgid, msgstr in messages]
    kept_as_written = {msgid for msgid, msgstr in pairs if msgid == msgstr}
    exact: dict[str, str] = {}
    patterns: list[tuple[str, re.Pattern[str], str]] = []
    for msgid, msgstr in pairs:
        if not msgid or not msgstr or msgid in kept_as_written or "<" in msgid:
            continue
        if not re.search(r"[A-Za-z]{2}", msgid):
            continue  # punctuation, units, "%(a)s – %(b)s": nothing English in it
        if PLACEHOLDER.search(msgid):
            parts = PLACEHOLDER.split(msgid)
            regex = re.compile("(?:.+?)".join(re.escape(p) for p in parts))
            patterns.append((max(parts, key=len), regex, msgid))
        else:
            exact[msgid] = msgstr
    return Catalogue(language=language, exact=exact, patterns=patterns)


@cache
def catalogue_load(language: str, root: str) -> Catalogue:
    """The project's catalogues for `language` (not Django's own), fuzzy entries left out."""
    from babel.messages.pofile import read_po

    pairs: list[tuple[str, str]] = []
    for directory in LOCALE_DIRS:
        path = Path(root) / directory / language / "LC_MESSAGES" / "django.po"
        if not path.exists():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, tuple | list):
                strings = message.string if isinstance(message.string, tuple | list) else ()
                for msgid, msgstr in zip(message.id, strings, strict=False):
                    pairs.append((msgid, msgstr or ""))
            else:
                pairs.append((message.id, message.string or ""))
    return catalogue_from_messages(language, pairs)


def untranslated(page: Page, catalogue: Catalogue) -> list[tuple[str, str]]:
    problems = []
    for text in page.texts:
        msgid = catalogue.lookup(text)
        if msgid is not None:
            problems.append((f"English left on a {catalogue.language} page", text))
    for tag, name, value in page.read_attributes:
        msgid = catalogue.lookup(collapse(value))
        if msgid is not None:
            problems.append(
                (f"English left on a {catalogue.language} page", f'<{tag} {name}="{value}">')
            )
    return problems


# --------------------------------------------------------------------------------------
# The crawl

SKIPPED_PREFIXES = ("/accounts/logout", "/admin/", "/static/", "/media/", "/i18n/")
DOWNLOAD_SUFFIXES = (".csv", ".xlsx", ".xls", ".hxl", ".json", ".ods", ".xml", ".geojson")


@dataclass
class Problem:
    url: str
    kind: str
    snippet: str = ""
    source: str = ""  # the page the URL was found on
    times: int = 1  # the same problem, more than once on the page

    def __str__(self) -> str:
        found = f" (linked from {self.source})" if self.source else ""
        snippet = f" — {self.snippet}" if self.snippet else ""
        times = f" (×{self.times})" if self.times > 1 else ""
        return f"{self.url} — {self.kind}{snippet}{times}{found}"


@dataclass
class WalkResult:
    pages: int = 0
    downloads: int = 0
    forms: int = 0
    redirects: int = 0
    skipped: int = 0  # URLs left out by the per-view bound
    problems: list[Problem] = field(default_factory=list)
    visited: list[tuple[str, int]] = field(default_factory=list)  # (url, status)


def url_key(url: str) -> str | None:
    """A same-site URL as path?query (sorted), or None when the walk does not follow it."""
    parts = urlsplit(url)
    if parts.scheme and parts.scheme not in {"http", "https"}:
        return None  # mailto:, tel:, javascript:, data:
    if parts.netloc and parts.netloc not in {"testserver", "localhost", "127.0.0.1"}:
        return None
    path = parts.path or "/"
    if path.startswith(SKIPPED_PREFIXES):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{path}?{query}" if query else path


def view_name(key: str) -> str:
    path = key.split("?", 1)[0]
    try:
        return resolve(path).view_name
    except Resolver404:
        return f"(unresolved) {path}"


def is_download(key: str, response: Any) -> bool:
    content_type = response.get("Content-Type", "")
    return (
        not content_type.startswith("text/html")
        or "attachment" in response.get("Content-Disposition", "")
        or key.split("?", 1)[0].endswith(DOWNLOAD_SUFFIXES)
    )


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        # Reading the content to its end closes the response, as a WSGI server would
        # (Django's test client wraps it so). Closing it again would send
        # request_finished with the connection cleanup listening, which closes the
        # database connection of the case's transaction (on PostgreSQL; SQLite's
        # in-memory test database ignores it) and fails every later request.
        return b"".join(response.streaming_content)
    return response.content


def download_problems(key: str, response: Any, body: bytes) -> list[tuple[str, str]]:
    """Cheap checks of CSV, HXL and JSON downloads: no grouped year, no literal None. Cells
    and values are read like table cells under their column's heading (or JSON key)."""
    content_type = response.get("Content-Type", "")
    path = key.split("?", 1)[0]
    is_json = "json" in content_type or path.endswith((".json", ".geojson"))
    is_csv = not is_json and (
        "csv" in content_type or "text/plain" in content_type or path.endswith((".csv", ".hxl"))
    )
    if not (is_json or is_csv) or len(body) > 50_000_000:
        return []
    text = body.decode("utf-8-sig", errors="replace")
    if not (YEAR_WITH_SEPARATOR.search(text) or "None" in text):
        return []  # the common case, at the speed of one regular expression
    problems: list[tuple[str, str]] = []
    if is_json:
        try:
            data = json.loads(text)
        except ValueError:
            return [("download is not valid JSON", text[:80])]
        for name, value in _json_strings(data, ""):
            problems += _cell_problems(value, name)
    else:
        rows = csv.reader(io.StringIO(text))
        headings: list[str] = []
        for number, row in enumerate(rows):
            if number == 0 or (number == 1 and row and row[0].startswith("#")):
                if not headings:
                    headings = list(row)
                else:  # HXL hashtags under the headings
                    headings = [f"{h} {t}" for h, t in zip(headings, row, strict=False)]
                problems += [p for cell in row for p in _cell_problems(cell, "")]
                continue
            for index, cell in enumerate(row):
                heading = headings[index] if index < len(headings) else ""
                problems += _cell_problems(cell, heading)
            if len(problems) >= 10:
                break
    return problems[:10]


def _cell_problems(value: str, heading: str) -> list[tuple[str, str]]:
    """A downloaded cell (or JSON string) under `heading`; a heading itself under none."""
    problems = []
    if value.strip() == "None":
        problems.append(("literal None (download)", f"{heading}: None" if heading else "None"))
    if YEAR_WITH_SEPARATOR.search(value):
        container = "td" if heading else "th"
        for snippet in years_with_separator(value, container, heading):
            problems.append(("year printed with a thousands separator (download)", snippet))
    return problems


def _json_strings(value: Any, key: str) -> Iterator[tuple[str, str]]:
    """(key, string) for every string in a JSON document, keys included (under none)."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield "", str(k)
            yield from _json_strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v, key)


def _exception_summary(exc: BaseException) -> str:
    """The exception and the deepest project frame it went through."""
    import traceback

    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if "/puente/" in frame.filename and "/site-packages/" not in frame.filename:
            where = f" at {frame.filename.split('/puente/', 1)[1]}:{frame.lineno}"
    message = collapse(str(exc))[:160]
    return f"{type(exc).__name__}: {message}{where}"


def form_url(page_key: str, form: Form) -> str:
    action = form.action or page_key.split("?", 1)[0]
    action = urljoin(page_key, action.split("?", 1)[0])
    query = urlencode(form.fields)
    return f"{action}?{query}" if query else action


@dataclass
class Bounds:
    """How far a case walks. Pages: at most `per_view` distinct URLs (path and query) per
    view reached through links, and `forms_per_view` more through GET forms. Downloads
    (URLs ending in a file suffix): `downloads_per_view` per view, taken after the pages
    and chosen in turn by `rotation` among the view's links (export.csv in one case,
    export.xlsx in the next), so that the cases together fetch every format while each
    fetches few. `total`: requests in all."""

    per_view: int = 3
    forms_per_view: int = 2
    downloads_per_view: int = 1
    total: int = 300
    rotation: int = 0


def walk(
    client: Any,
    *,
    start: Iterable[str],
    catalogue: Catalogue | None,
    expected_status: Callable[[str, int], str | None],
    language: str,
    bounds: Bounds | None = None,
) -> WalkResult:
    """Visit what a user can reach from `start`: pages breadth first, then downloads.

    `expected_status(key, status)` returns the reason when a 4xx is expected, else None.
    """
    bounds = bounds or Bounds()
    result = WalkResult()
    queue: deque[tuple[str, str, str]] = deque()  # (key, kind, source)
    downloads: dict[str, dict[str, str]] = {}  # view -> {key: source}
    seen: set[str] = set()
    per_view: dict[tuple[str, str], int] = {}
    requests = 0

    def enqueue(url: str, kind: str, source: str) -> None:
        key = url_key(urljoin(source or "/", url))
        if key is None or key in seen:
            return
        seen.add(key)
        if key.split("?", 1)[0].endswith(DOWNLOAD_SUFFIXES):
            downloads.setdefault(view_name(key), {})[key] = source
        else:
            queue.append((key, kind, source))

    found: dict[tuple[str, str, str], Problem] = {}

    def problem(url: str, kind: str, snippet: str = "", source: str = "") -> None:
        if (url, kind, snippet) in found:
            found[(url, kind, snippet)].times += 1
        else:
            found[(url, kind, snippet)] = Problem(url, kind, snippet, source)
            result.problems.append(found[(url, kind, snippet)])

    def fetch(key: str, source: str) -> Any:
        nonlocal requests
        requests += 1
        try:
            # A savepoint per request: a query that fails in a view must not leave the
            # case's transaction unusable (PostgreSQL) for the requests after it.
            with transaction.atomic():
                response = client.get(key)
        except Exception as exc:  # noqa: BLE001  (the test client re-raises a view's error)
            result.visited.append((key, 500))
            problem(key, "server error", _exception_summary(exc), source)
            return None
        status = response.status_code
        result.visited.append((key, status))
        if status >= 500:
            problem(key, f"server error {status}", "", source)
            return None
        if 400 <= status < 500 and expected_status(key, status) is None:
            problem(key, f"status {status}", "", source)
        return response

    def download(key: str, source: str, response: Any) -> None:
        result.downloads += 1
        for what, snippet in download_problems(key, response, _body(response)):
            problem(key, what, snippet, source)

    for url in start:
        enqueue(url, "link", "")

    while queue and requests < bounds.total:
        key, kind, source = queue.popleft()
        name = view_name(key)
        limit = bounds.forms_per_view if kind == "form" else bounds.per_view
        count = per_view.get((kind, name), 0)
        if count >= limit:
            result.skipped += 1
            continue
        per_view[(kind, name)] = count + 1
        response = fetch(key, source)
        if response is None:
            continue
        status = response.status_code
        if 300 <= status < 400:
            result.redirects += 1
            location = response.get("Location", "")
            target = url_key(urljoin(key, location))
            if target is not None and target.startswith("/accounts/login"):
                if source:
                    problem(key, "link leads to the sign-in page", location, source)
            else:
                enqueue(location, kind, key)
            continue
        if is_download(key, response):
            download(key, source, response)
            continue
        if kind == "form":
            result.forms += 1
        else:
            result.pages += 1
        html = _body(response).decode(response.charset or "utf-8", errors="replace")
        page = page_parse(html)
        if page.lang and page.lang.split("-")[0] != language:
            problem(key, "page not in the language asked for", f'<html lang="{page.lang}">')
        for what, snippet in page_problems(page, catalogue):
            problem(key, what, snippet)
        if status >= 400:
            continue
        for href in page.links:
            enqueue(href, "link", key)
        for form in page.forms:
            if form.method == "get":
                enqueue(form_url(key, form), "form", key)
    result.skipped += len(queue)

    for name in sorted(downloads):
        candidates = sorted(downloads[name])
        take = min(bounds.downloads_per_view, len(candidates))
        chosen = [candidates[(bounds.rotation + i) % len(candidates)] for i in range(take)]
        result.skipped += len(candidates) - take
        for key in chosen:
            if requests >= bounds.total:
                result.skipped += 1
                continue
            response = fetch(key, downloads[name][key])
            if response is None or response.status_code >= 400:
                continue
            if 300 <= response.status_code < 400:
                result.redirects += 1
                problem(key, "download redirects", response.get("Location", ""))
            elif is_download(key, response):
                download(key, downloads[name][key], response)
            else:
                problem(key, "download link returns a page", response.get("Content-Type", ""))
    return result
