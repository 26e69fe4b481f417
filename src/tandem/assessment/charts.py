"""Server-side SVG trend charts: no JavaScript library, nothing fetched from the internet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape


def trend_svg(
    title: str,
    points: Sequence[tuple[date, float]],
    *,
    y_max: float,
    y_min: float = 0.0,
    bands: Sequence[tuple[float, str]] = (),
    width: int = 480,
    height: int = 180,
) -> str:
    """A labelled line chart of scores over time, with optional horizontal cut-off lines."""
    pad_l, pad_r, pad_t, pad_b = 40, 12, 24, 28
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    span = max(y_max - y_min, 1e-9)

    def y(v: float) -> float:
        return pad_t + h - (v - y_min) / span * h

    if points:
        first, last = points[0][0], points[-1][0]
        days = max((last - first).days, 1)
        xs = [pad_l + ((d - first).days / days) * w if len(points) > 1 else pad_l + w / 2 for d, _ in points]
    else:
        xs = []
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="trend">',
        f"<title>{escape(title)}</title>",
        f'<text x="{pad_l}" y="16" class="trend-title">{escape(title)}</text>',
        f'<line x1="{pad_l}" y1="{pad_t + h}" x2="{pad_l + w}" y2="{pad_t + h}" stroke="#4a5360"/>',
        f'<line x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{pad_t + h}" stroke="#4a5360"/>',
        f'<text x="{pad_l - 6}" y="{y(y_max) + 4:.1f}" text-anchor="end">{y_max:g}</text>',
        f'<text x="{pad_l - 6}" y="{y(y_min) + 4:.1f}" text-anchor="end">{y_min:g}</text>',
    ]
    for value, label in bands:
        parts.append(
            f'<line x1="{pad_l}" y1="{y(value):.1f}" x2="{pad_l + w}" y2="{y(value):.1f}" '
            f'stroke="#c9d1da" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{pad_l + w}" y="{y(value) - 3:.1f}" text-anchor="end" '
            f'class="band">{escape(label)}</text>'
        )
    if points:
        coords = " ".join(f"{x:.1f},{y(v):.1f}" for x, (_, v) in zip(xs, points, strict=True))
        parts.append(f'<polyline points="{coords}" fill="none" stroke="#0b5394" stroke-width="2.5"/>')
        for x, (d, v) in zip(xs, points, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="4" fill="#0b5394">'
                f"<title>{d.isoformat()}: {v:g}</title></circle>"
            )
        parts.append(f'<text x="{pad_l}" y="{height - 6}">{points[0][0]:%b %-d, %Y}</text>')
        if len(points) > 1:
            parts.append(
                f'<text x="{pad_l + w}" y="{height - 6}" text-anchor="end">{points[-1][0]:%b %-d, %Y}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
