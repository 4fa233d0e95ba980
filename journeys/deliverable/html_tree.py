"""A fast parser for the print HTML, for WeasyPrint.

WeasyPrint parses HTML with tinyhtml5, a pure-Python HTML5 tokenizer (~50 ms of the print
HTML, 4–5 % of a render). The print templates write well-formed HTML: every element closed where
it opens, explicit html/head/body, no comments, tables with their row groups. For such markup the
HTML5 tree is just the nesting of the tags, which the standard library's C-accelerated
HTMLParser reads in a quarter of the time. Anything the HTML5 algorithm would repair (an
implicitly closed <p> or <li>, a mis-nested end tag, a row straight in a table, a comment) raises
`NotSimple`, and the caller falls back to tinyhtml5, so the tree is always the one tinyhtml5
would build (tests/journeys/test_html_tree.py compares both on sample journeys).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from tinyhtml5 import constants

SVG = "{http://www.w3.org/2000/svg}"


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


VOID = _names("area base br col embed hr img input keygen link meta param source track wbr")
# Start tags that close an open <p> in HTML5 (and so must never appear inside one here).
CLOSES_P = _names(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure"
    " footer form h1 h2 h3 h4 h5 h6 header hgroup hr li dd dt main menu nav ol p pre section"
    " summary table ul"
)
# Elements whose content the HTML5 tree builder rearranges, or that need an implied parent.
TABLE_PARTS = _names("table thead tbody tfoot tr")
NEEDS_PARENT = {"tr": TABLE_PARTS - {"table", "tr"}, "td": {"tr"}, "th": {"tr"}}
UNSUPPORTED = _names(
    "button caption col colgroup form frameset iframe image math noscript option optgroup"
    " plaintext select template textarea xmp"
)
# SVG elements whose names HTML5 leaves as they are (others, such as clipPath, fall back).
SVG_ELEMENTS = _names(
    "circle defs desc ellipse g line path polygon polyline rect stop svg text title tspan use"
)
# The attribute names HTML5 restores in SVG (viewBox…) and its namespaced ones (xmlns, xlink:href).
SVG_ATTRIBUTES = {
    **constants.adjust_svg_attributes,
    **{
        key: f"{{{namespace}}}{name}"
        for key, (_, name, namespace) in constants.adjust_foreign_attributes.items()
    },
}
IN_HEAD = _names("link meta style title")  # not <base>: it would move the base URL


class NotSimple(ValueError):
    """The markup needs the HTML5 tree builder's repairs."""


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: ET.Element | None = None
        self.body: ET.Element | None = None
        self.body_closed = False
        self.open: list[ET.Element] = []
        self.open_tags: list[str] = []
        self.last: ET.Element | None = None  # the element the next text goes into…
        self.last_closed = False  # …as its tail (closed) or its text (open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        in_svg = tag == "svg" or bool(self.open) and self.open[-1].tag.startswith(SVG)
        if in_svg:
            if tag not in SVG_ELEMENTS:
                raise NotSimple(f"<{tag}> inside <svg>")
            name = SVG + tag
            attrib = {SVG_ATTRIBUTES.get(key, key): value or "" for key, value in attrs}
        else:
            self._check_html_start(tag)
            name = tag
            attrib = {key: value or "" for key, value in attrs}
        if len(attrib) != len(attrs):
            raise NotSimple(f"<{tag}> repeats an attribute")
        element = ET.Element(name, attrib)
        if self.open:
            self.open[-1].append(element)
        else:
            self.root = element
        if tag == "body":
            self.body = element
        self.last, self.last_closed = element, False
        if tag in VOID and not in_svg:
            self.last_closed = True
        else:
            self.open.append(element)
            self.open_tags.append(tag)

    def _check_html_start(self, tag: str) -> None:
        expected = ("html", "head", "body")
        depth = len(self.open)
        if self.root is None and tag != "html":
            raise NotSimple("no <html>")
        if tag in expected and depth != expected.index(tag) - (tag == "body"):
            raise NotSimple(f"<{tag}> out of place")
        if depth == 1 and tag not in ("head", "body"):
            raise NotSimple(f"<{tag}> outside head and body")
        if self.body_closed or tag in UNSUPPORTED:
            raise NotSimple(f"<{tag}>")
        if "head" in self.open_tags and tag not in IN_HEAD:
            raise NotSimple(f"<{tag}> in <head>")
        if tag == "a" and "a" in self.open_tags:
            raise NotSimple("<a> inside <a>")
        if tag in CLOSES_P and "p" in self.open_tags:
            raise NotSimple(f"<{tag}> inside <p>")
        if tag == "li" and _innermost(self.open_tags, ("li", "ul", "ol")) == "li":
            raise NotSimple("<li> inside <li>")
        if tag in ("dt", "dd") and _innermost(self.open_tags, ("dt", "dd", "dl")) in ("dt", "dd"):
            raise NotSimple(f"<{tag}> inside <dt>/<dd>")
        parent = self.open_tags[-1] if self.open_tags else ""
        if tag in NEEDS_PARENT and parent not in NEEDS_PARENT[tag]:
            raise NotSimple(f"<{tag}> in <{parent}>")
        if parent in TABLE_PARTS and tag not in TABLE_PARTS | {"td", "th"}:
            raise NotSimple(f"<{tag}> in <{parent}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self.open and self.open[-1] is self.last:
            self.open.pop()
            self.open_tags.pop()
            self.last_closed = True

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open_tags[-1] != tag:
            raise NotSimple(f"</{tag}> does not close the element last opened")
        element = self.open.pop()
        self.open_tags.pop()
        if tag in ("body", "html"):
            self.body_closed = True  # what follows goes where HTML5 puts it: the end of body
        else:
            self.last, self.last_closed = element, True

    def handle_data(self, data: str) -> None:
        if self.body_closed and self.body is not None:
            if len(self.body):
                self.body[-1].tail = (self.body[-1].tail or "") + data
            else:
                self.body.text = (self.body.text or "") + data
            return
        element = self.last
        if element is None or element.tag == "html" and not len(element) and not self.last_closed:
            if data.isspace():
                return  # HTML5 drops whitespace before <head>
            raise NotSimple("text outside body")
        if self.open_tags and self.open_tags[-1] in TABLE_PARTS and not data.isspace():
            raise NotSimple("text in a table outside its cells")
        if self.last_closed:
            element.tail = (element.tail or "") + data
        else:
            element.text = (element.text or "") + data

    def handle_comment(self, data: str) -> None:
        raise NotSimple("comment")

    def handle_pi(self, data: str) -> None:
        raise NotSimple("processing instruction")

    def unknown_decl(self, data: str) -> None:
        raise NotSimple("declaration")


def _innermost(open_tags: list[str], names: tuple[str, ...]) -> str | None:
    return next((tag for tag in reversed(open_tags) if tag in names), None)


def parse_simple_html(html: str) -> ET.Element:
    """The tree tinyhtml5 builds for `html` (namespace_html_elements=False), or NotSimple."""
    if "\x00" in html:
        raise NotSimple("NUL")  # dropped in text, replaced in attributes: left to HTML5
    html = html.replace("\r\n", "\n").replace("\r", "\n")  # as HTML5's input stream does
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    if builder.root is None or builder.body is None or not builder.body_closed or builder.open:
        raise NotSimple("not a whole document")
    return builder.root
