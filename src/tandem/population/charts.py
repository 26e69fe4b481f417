"""Server-side SVG for the population pages: bar charts and the spend concentration curve.

Same approach as `tandem.assessment.charts`: plain SVG text, no JavaScript library, nothing fetched
from the internet, a <title> and aria-label on every chart so it reads out in a screen reader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

QUOTE = {'"': "&quot;"}  # for attribute values


def _running_spend(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Spend (negatives as 0) summed highest first, as a person adding up the sorted list would: both the
    shares and the curve read it, so a million amounts are sorted once."""
    spend = np.maximum(np.asarray(values, dtype=np.float64), 0.0)
    return np.cumsum(-np.sort(-spend))


def concentration(running: np.ndarray, shares: Sequence[float]) -> dict[float, float]:
    """Fraction of total spend held by the top x of people (MEPS-style: top 5% ~ half of spending)."""
    n_people = len(running)
    total = float(running[-1]) if n_people else 0.0
    out = {}
    for share in shares:
        n = max(1, round(n_people * share)) if n_people else 0
        out[share] = (float(running[n - 1]) / total) if total > 0 else 0.0
    return out


def concentration_curve(running: np.ndarray) -> list[tuple[float, float]]:
    """Points (share of people, share of spend), highest spenders first: about a hundred steps, so the
    curve of a million people is as light as that of a hundred."""
    n = len(running)
    total = float(running[-1]) if n and running[-1] > 0 else 1.0
    step = max(1, n // 100)
    at = list(range(step, n + 1, step))
    if n and at[-1] != n:
        at.append(n)
    return [(0.0, 0.0)] + [(i / n, float(running[i - 1]) / total) for i in at]


def histogram(
    values: Sequence[float] | np.ndarray, edges: Sequence[float], *, discrete: bool = False
) -> list[tuple[str, int]]:
    """Counts per bucket [edge_i, edge_i+1); the last bucket is open-ended ("4+").

    With ``discrete`` (whole-number counts such as admissions), a bucket of width 1 is labelled by its
    one value and a wider one by its first and last values ("3–5" for [3, 6)), so no two labels share a
    value; otherwise (a continuous score) every bucket but the last shows both edges ("1–2" for [1, 2)).
    """
    labels = []
    for i, lo in enumerate(edges):
        if i + 1 == len(edges):
            labels.append(f"{lo:g}+")
        elif not discrete:
            labels.append(f"{lo:g}–{edges[i + 1]:g}")
        elif edges[i + 1] - lo == 1:
            labels.append(f"{lo:g}")
        else:
            labels.append(f"{lo:g}–{edges[i + 1] - 1:g}")
    found = np.searchsorted(
        np.asarray(edges, dtype=np.float64), np.asarray(values, dtype=np.float64), "right"
    )
    counts = np.bincount(found[found > 0] - 1, minlength=len(edges))  # below the first edge: no bucket
    return [(label, int(c)) for label, c in zip(labels, counts, strict=True)]


def bar_svg(title: str, bars: Sequence[tuple[str, float]], *, width: int = 360, height: int = 180) -> str:
    pad_l, pad_r, pad_t, pad_b = 40, 8, 24, 30
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    top = max((v for _, v in bars), default=0) or 1
    slot = w / max(len(bars), 1)
    # role="img" hides the bars (and their <title>s) from assistive technology: the name carries the data.
    name = f"{title}: " + "; ".join(f"{label}: {value:g}" for label, value in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(name, QUOTE)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="{pad_l}" y="16" class="chart-title">{escape(title)}</text>',
        f'<line x1="{pad_l}" y1="{pad_t + h}" x2="{pad_l + w}" y2="{pad_t + h}" stroke="#4a5360"/>',
        f'<text x="{pad_l - 6}" y="{pad_t + 4}" text-anchor="end">{top:g}</text>',
    ]
    for i, (label, value) in enumerate(bars):
        bh = value / top * h
        x = pad_l + i * slot + slot * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{pad_t + h - bh:.1f}" width="{slot * 0.7:.1f}" height="{bh:.1f}" '
            f'fill="#0b5394"><title>{escape(label)}: {value:g}</title></rect>'
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{pad_t + h + 16}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def concentration_svg(
    points: Sequence[Sequence[float]],
    held: Mapping[float, float],
    *,
    width: int = 360,
    height: int = 200,
) -> str:
    """Cumulative share of spend against share of people, highest spenders first, from
    `concentration_curve` points; ``held`` (share of people -> share of spend) names the chart."""
    title = "Share of spend by share of people (highest spenders first)"
    pad_l, pad_r, pad_t, pad_b = 40, 12, 24, 30
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    coords = " ".join(f"{pad_l + x * w:.1f},{pad_t + h - y * h:.1f}" for x, y in points)
    name = f"{title}: " + "; ".join(
        f"top {share * 100:g}% of people hold {part * 100:.1f}% of spend" for share, part in held.items()
    )
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(name, QUOTE)}" class="chart">',
            f"<title>{escape(title)}</title>",
            f'<text x="{pad_l}" y="16" class="chart-title">Concentration of spend</text>',
            f'<line x1="{pad_l}" y1="{pad_t + h}" x2="{pad_l + w}" y2="{pad_t + h}" stroke="#4a5360"/>',
            f'<line x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{pad_t + h}" stroke="#4a5360"/>',
            f'<line x1="{pad_l}" y1="{pad_t + h}" x2="{pad_l + w}" y2="{pad_t}" stroke="#c9d1da" '
            f'stroke-dasharray="4 3"/>',
            f'<polyline points="{coords}" fill="none" stroke="#0b5394" stroke-width="2.5"/>',
            f'<text x="{pad_l - 6}" y="{pad_t + 4}" text-anchor="end">100%</text>',
            f'<text x="{pad_l}" y="{height - 8}">0%</text>',
            f'<text x="{pad_l + w}" y="{height - 8}" text-anchor="end">100% of people</text>',
            "</svg>",
        ]
    )


# The overview's buckets: whole-number counts for admissions and ED visits, a continuous HCC score.
ADMISSION_EDGES = (0, 1, 2, 3, 4)
ED_EDGES = (0, 1, 2, 3, 6)
HCC_EDGES = (0, 0.5, 1, 2, 3, 5)
CONCENTRATION_SHARES = (0.01, 0.05, 0.10, 0.50)


def overview_summary(
    allowed: Sequence[float] | np.ndarray,
    admits: Sequence[float] | np.ndarray,
    ed_visits: Sequence[float] | np.ndarray,
    hcc: Sequence[float] | np.ndarray,
) -> dict[str, Any]:
    """Everything the population overview shows, as JSON-ready values: computed once when a run is
    recorded (a million people's columns) instead of on every view. ``hcc`` holds known scores only."""
    spend = np.asarray(allowed, dtype=np.float64)
    running = _running_spend(spend)
    held = concentration(running, CONCENTRATION_SHARES)
    return {
        "members": int(len(spend)),
        "total_spend": float(np.sum(spend)) if len(spend) else 0.0,
        "held": [[share, part] for share, part in held.items()],
        "curve": [list(p) for p in concentration_curve(running)],
        "admissions": histogram(admits, ADMISSION_EDGES, discrete=True),
        "ed_visits": histogram(ed_visits, ED_EDGES, discrete=True),
        "hcc": histogram(hcc, HCC_EDGES),
    }
