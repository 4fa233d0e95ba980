"""The map's rules, each stated once in Python; templates, CSS and JavaScript receive them.

Stage order is `stages.models.STAGE_SLUGS`; everything here is keyed by it. Templates get the
stage palette as CSS custom properties (`stage_palette_css`, rendered by the `stage_palette`
tag into base.html and the print template), and the rest through context, `data-` attributes
or a `json_script` tag.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from cvj.colors import AA_TEXT, darken, shade_for_white_text, tint
from stages.models import STAGE_SLUGS

# --- The stage palette

# One hue per stage, in stage order. Text never sits on these directly: each medium takes the
# lightest shade of the hue that carries white text (see `StageColor`).
STAGE_HUES: dict[str, str] = dict(
    zip(
        STAGE_SLUGS,
        ("#7c3aed", "#6d5ef0", "#4f7cf3", "#2f95e6", "#16a6b8", "#18a57a", "#57a83a", "#c08a1a"),
        strict=True,
    )
)
# Print needs WCAG AA (4.5:1); a projected or screen-shared board loses contrast, so the screen
# asks a little more of white text on a stage colour.
PRINT_TEXT_CONTRAST = AA_TEXT
SCREEN_TEXT_CONTRAST = 5.2
# Tints (backgrounds, rules) and the dark shade (labels on a tint) are mixes of the hue.
TINT, TINT_2, DARK = 0.08, 0.22, 0.72

Medium = Literal["screen", "print"]


@dataclass(frozen=True)
class StageColor:
    slug: str
    position: int
    hue: str
    screen: str  # carries white text at SCREEN_TEXT_CONTRAST
    print: str  # carries white text at PRINT_TEXT_CONTRAST
    tint: str
    tint_2: str
    dark: str

    def main(self, medium: Medium) -> str:
        return self.screen if medium == "screen" else self.print


@functools.cache
def stage_palette() -> tuple[StageColor, ...]:
    return tuple(
        StageColor(
            slug=slug,
            position=position,
            hue=hue,
            screen=shade_for_white_text(hue, SCREEN_TEXT_CONTRAST),
            print=shade_for_white_text(hue, PRINT_TEXT_CONTRAST),
            tint=tint(hue, TINT),
            tint_2=tint(hue, TINT_2),
            dark=darken(hue, DARK),
        )
        for position, (slug, hue) in enumerate(STAGE_HUES.items(), start=1)
    )


def stage_print_colors() -> tuple[str, ...]:
    """The printed stage colours in stage order (the funnel chart, the cover arc)."""
    return tuple(color.print for color in stage_palette())


@functools.cache
def stage_palette_css(medium: Medium) -> str:
    """The palette as CSS: `--stage-<slug>` (and -hue, -tint, -tint-2, -dark) on :root, and the
    per-stage classes the pages use (`.s-<slug>` and `.c<position>`) set `--stage-color`, `--c`,
    `--t`, `--t2` and `--d`. Style sheets only ever say `var(...)`."""
    palette = stage_palette()
    root = "".join(
        f"--stage-{c.slug}:{c.main(medium)};--stage-{c.slug}-hue:{c.hue};"
        f"--stage-{c.slug}-tint:{c.tint};--stage-{c.slug}-tint-2:{c.tint_2};"
        f"--stage-{c.slug}-dark:{c.dark};"
        for c in palette
    )
    classes = "".join(
        f".s-{c.slug},.c{c.position}{{--stage-color:{c.main(medium)};--c:{c.main(medium)};"
        f"--t:{c.tint};--t2:{c.tint_2};--d:{c.dark}}}"
        for c in palette
    )
    return f":root{{{root}}}{classes}"


# --- Offers: which kinds each stage takes, and the ladder

# Which offer kinds each stage may carry, in ladder order. Stages not listed take no offers.
STAGE_OFFER_KINDS: dict[str, tuple[str, ...]] = {
    "subscribe": ("lead_magnet",),
    "convert": ("entry_point",),
    "ascend": ("core", "ascension"),
    "promote": ("referral",),
}
# What the editor calls a stage's offers section, and a hint where the order means something.
STAGE_OFFER_HEADINGS: dict[str, tuple[str, str]] = {
    "subscribe": ("Lead magnet", ""),
    "convert": ("Entry-point offer", ""),
    "ascend": ("Ascension ladder", "Core offer first, then upsells — order is the ladder"),
    "promote": ("Referral incentive", ""),
}
# The offer ladder climbs with the stages: offer kinds in the order the stages take them.
LADDER_ORDER: tuple[str, ...] = tuple(
    kind for slug in STAGE_SLUGS for kind in STAGE_OFFER_KINDS.get(slug, ())
)


# What a client reads for each offer kind (the PDF, the client's pages): plain words, not the
# framework's. The stored values and the strategist's OfferKind labels stay as they are.
CLIENT_OFFER_KIND_LABELS: dict[str, str] = {
    "lead_magnet": "Free resource",
    "entry_point": "Entry offer",
    "core": "Core offer",
    "ascension": "Upgrade offer",
    "referral": "Referral reward",
}


def offer_kind_client_label(kind: str) -> str:
    """The client's word for an offer kind (unknown kinds read as a plain "Offer")."""
    return CLIENT_OFFER_KIND_LABELS.get(kind, "Offer")


def core_offer_off_ladder(slug: str, offer_ids: Iterable[int], core_offer_id: int | None) -> bool:
    """Whether Ascend's ladder lacks the core offer: the ladder starts with it, attached or not
    (the economics count it), so the editor says so."""
    return slug == "ascend" and core_offer_id not in offer_ids


def offer_stage(kind: str) -> str:
    """The stage that takes offers of `kind`."""
    return next(slug for slug, kinds in STAGE_OFFER_KINDS.items() if kind in kinds)


# --- The mapping session

SESSION_MINUTES = 180  # the stages' suggested minutes plus the intro fill this
INTRO_MINUTES = 15  # before Aware; scaled with the session's length (journeys/agenda.py)


# --- Complete: what a stage needs before its meter is full

# A stage is complete when these fields are filled in (not blank), it has at least one tactic,
# and it has an offer if it takes offers. The rail shows each stage's share of that.
COMPLETENESS_FIELDS = ("goal", "metric", "target_conversion")


def is_filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def stage_completeness(
    *, fields: Iterable[object], has_tactics: bool, has_offers: bool, slug: str
) -> int:
    """Percent of a stage's parts that are in place (its COMPLETENESS_FIELDS values given)."""
    parts = [is_filled(value) for value in fields]
    parts.append(has_tactics)
    if STAGE_OFFER_KINDS.get(slug):
        parts.append(has_offers)
    return round(100 * sum(parts) / len(parts))


def completeness_changed(field: str, before: object, after: object) -> bool:
    """Whether saving `field` of a stage moves its meter (and so the rail must re-render)."""
    return field in COMPLETENESS_FIELDS and is_filled(before) != is_filled(after)


# --- Persona awareness

# The kind of content that engages depends on how aware the persona is: entertain the unaware,
# educate the problem-aware, contrast with other solutions for the solution-aware, compare with
# competitors for the product-aware. Channels that carry that kind of content:
AWARENESS_CHANNELS: dict[str, tuple[str, ...]] = {
    "unaware": ("social", "paid", "events", "content", "partners"),
    "problem_aware": ("content", "search", "email", "social", "events"),
    "solution_aware": ("content", "cro", "email", "search", "sales"),
    "product_aware": ("sales", "cro", "email", "product", "partners"),
}
