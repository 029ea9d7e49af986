"""A chart of dated ASDAS or BASDAI values against the disease-activity cut-offs, drawn as SVG on
the server (no script): the cut-off lines come from the pack's thresholds, and each change in
ASDAS is labelled with the improvement class the engine computes (Δ ≥1.1 clinically important,
≥2.0 major). A data table beside it carries the same numbers for screen readers and print."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

from guidepath.engine.calculators import asdas_improvement, asdas_state
from guidepath.knowledge.loader import load_pack

Measure = Literal["asdas", "basdai"]
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 300, 44, 16, 16, 40
MAXIMUM = {"asdas": 6.0, "basdai": 10.0}
CUTOFFS = {
    "asdas": (
        ("asdas_inactive_below", "inactive below"),
        ("asdas_active", "high from"),
        ("asdas_very_high_above", "very high above"),
    ),
    "basdai": (("basdai_active", "active from"),),
}


@dataclass(frozen=True)
class Point:
    """One dated value."""

    day: dt.date
    value: float


def changes(points: list[Point], measure: Measure) -> list[str]:
    """For each point after the first, how it compares with the one before (ASDAS only:
    the improvement class; a rise is reported as a rise)."""
    if measure != "asdas":
        return ["" for _ in points[1:]]
    found = []
    for before, after in itertools.pairwise(points):
        delta = after.value - before.value
        if delta > 0:
            found.append(f"rise of {delta:.1f}")
        else:
            found.append(asdas_improvement(before.value, after.value).replace("_", " "))
    return found


def _state(measure: Measure, value: float) -> str:
    if measure == "asdas":
        return asdas_state(value).replace("_", " ")
    active = load_pack().pathway.thresholds["basdai_active"]
    return "active disease" if value >= active else "below the activity threshold"


def chart(points: list[Point], measure: Measure) -> Markup:
    """The SVG chart and its data table."""
    points = sorted(points, key=lambda p: p.day)
    thresholds = load_pack().pathway.thresholds
    top = max(MAXIMUM[measure], *(p.value for p in points))
    span = max((points[-1].day - points[0].day).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return LEFT + plot_w * ((day - points[0].day).days / span if len(points) > 1 else 0.5)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
        'stroke="#ccc"/>'
    ]
    for key, words in CUTOFFS[measure]:
        level = float(thresholds[key])
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
            f'stroke="#b8860b" stroke-dasharray="6 4"/><text x="{LEFT + plot_w - 4}" '
            f'y="{y(level) - 4:.1f}" text-anchor="end" font-size="11" fill="#6b4f00">'
            f"{escape(words)} {level:g}</text>"
        )
    for tick in range(int(top) + 1):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#555">{tick}</text>'
        )
    line = " ".join(f"{x(p.day):.1f},{y(p.value):.1f}" for p in points)
    parts.append(f'<polyline points="{line}" fill="none" stroke="#1f5f9e" stroke-width="2.5"/>')
    for p in points:
        parts.append(
            f'<circle cx="{x(p.day):.1f}" cy="{y(p.value):.1f}" r="4.5" fill="#1f5f9e"/>'
            f'<text x="{x(p.day):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="10" fill="#333">{p.day.isoformat()}</text>'
        )
    title = f"{measure.upper()} over time, {len(points)} values"
    svg = (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )
    return Markup(svg) + _table(points, measure)


def _table(points: list[Point], measure: Measure) -> Markup:
    deltas = ["", *changes(points, measure)]
    rows = "".join(
        f"<tr><td>{p.day.isoformat()}</td><td>{p.value:g}</td>"
        f"<td>{escape(_state(measure, p.value))}</td><td>{escape(change)}</td></tr>"
        for p, change in zip(points, deltas, strict=True)
    )
    return Markup(
        f'<table data-testid="series"><caption>{measure.upper()} values</caption><thead><tr>'
        '<th scope="col">Date</th><th scope="col">Value</th><th scope="col">State</th>'
        f'<th scope="col">Change from the previous value</th></tr></thead><tbody>{rows}'
        "</tbody></table>"
    )
