"""The hand-written stylesheet: WCAG AA contrast for text and a visible focus ring."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "portal.css").read_text()
PALETTE = dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def colour(name: str) -> str:
    return PALETTE[name] if not name.startswith("#") else name


# Text colours on the backgrounds they are used on (4.5:1, WCAG 1.4.3).
TEXT_PAIRS = [
    ("ink", "bg"),
    ("ink", "card"),
    ("ink", "#eef1f4"),  # table headers
    ("ink", "#fff3c4"),  # highlighted row
    ("muted", "bg"),
    ("muted", "card"),
    ("brand", "bg"),
    ("brand", "card"),
    ("brand-ink", "brand"),
    ("#ffffff", "danger"),
    ("ok", "card"),
    ("warn", "card"),
    ("danger", "card"),
    ("f0", "card"),
    ("f1", "card"),
    ("f2", "card"),
    ("f3", "card"),
    ("ink", "focus"),  # the skip link
]


@pytest.mark.parametrize("text,background", TEXT_PAIRS)
def test_text_colours_meet_aa_contrast(text, background):
    assert contrast(colour(text), colour(background)) >= 4.5


def test_focus_ring_has_two_tones():
    rule = re.search(r":focus-visible\s*\{([^}]*)\}", CSS).group(1)
    assert "outline: 3px solid var(--ink)" in rule
    assert "box-shadow: 0 0 0 2px var(--focus)" in rule


@pytest.mark.parametrize("background", ["bg", "card", "brand"])
def test_focus_ring_stands_out_three_to_one_on_every_background(background):
    # WCAG 1.4.11: one of the ring's two colours contrasts 3:1 with what is around it.
    ring = max(
        contrast(PALETTE["ink"], PALETTE[background]),
        contrast(PALETTE["focus"], PALETTE[background]),
    )
    assert ring >= 3
