from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import tinyhtml5

from journeys.deliverable.html_tree import NotSimple, parse_simple_html
from journeys.deliverable.pdf import PrintHTML, render_journey_html
from journeys.deliverable.snapshot import JourneySnapshot, journey_snapshot
from tests.journeys.pdf_samples import (
    empty_snapshot,
    fully_planned,
    nearly_empty_snapshot,
    stress_snapshot,
)


def same_tree(a: ET.Element, b: ET.Element) -> bool:
    return (
        (a.tag, a.attrib, a.text or "", a.tail or "", len(a))
        == (b.tag, b.attrib, b.text or "", b.tail or "", len(b))
    ) and all(same_tree(x, y) for x, y in zip(a, b, strict=True))


def assert_parsed_as_tinyhtml5_would(snapshot: JourneySnapshot) -> None:
    html = render_journey_html(snapshot, link_stylesheet=False)
    fast = parse_simple_html(html)  # the print templates never need the HTML5 repairs
    assert same_tree(fast, tinyhtml5.parse(html, namespace_html_elements=False))
    assert PrintHTML(string=html).etree_element is not None


@pytest.mark.parametrize(
    "snapshot",
    [
        stress_snapshot,
        empty_snapshot,
        nearly_empty_snapshot,
        lambda: fully_planned(stress_snapshot()),
        lambda: fully_planned(nearly_empty_snapshot()),
    ],
    ids=["stress", "empty", "nearly-empty", "stress-planned", "nearly-empty-planned"],
)
def test_the_print_html_parses_to_the_tree_tinyhtml5_builds(snapshot):
    assert_parsed_as_tinyhtml5_would(snapshot())


@pytest.mark.django_db
def test_a_rich_journeys_print_html_parses_to_the_tree_tinyhtml5_builds(rich_journey):
    assert_parsed_as_tinyhtml5_would(journey_snapshot(rich_journey))


@pytest.mark.parametrize(
    "markup",
    [
        "<p>No html element</p>",
        "<html><head></head><body><p>a<div>b</div></p></body></html>",
        "<html><head></head><body><ul><li>a<li>b</ul></body></html>",
        "<html><head></head><body><table><tr><td>x</td></tr></table></body></html>",
        "<html><head></head><body><table><tbody>text<tr></tr></tbody></table></body></html>",
        "<html><head></head><body><b><i>x</b></i></body></html>",
        "<html><head></head><body><a href=x>1<a>2</a></a></body></html>",
        "<html><head></head><body><!-- comment --></body></html>",
        "<html><head><div></div></head><body></body></html>",
        '<html><head></head><body><svg><clipPath id="c"></clipPath></svg></body></html>',
        '<html><head><base href="https://example.com/"></head><body></body></html>',
        "<html><head></head><body><p>unclosed</body></html>",
        "<html><head></head><body><p>NUL \x00</p></body></html>",
    ],
)
def test_markup_the_html5_algorithm_would_repair_falls_back_to_tinyhtml5(markup):
    with pytest.raises(NotSimple):
        parse_simple_html(markup)
    assert PrintHTML(string=markup).etree_element is not None


def test_line_ends_are_normalised_like_html5():
    markup = "<html><head></head><body><p>a\r\nb\rc</p></body></html>"
    assert same_tree(
        parse_simple_html(markup), tinyhtml5.parse(markup, namespace_html_elements=False)
    )
