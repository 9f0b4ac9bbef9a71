"""Small SVG drawings made on the server, so pages need no script, tile server or CDN:
a dot map of the divisions' centroids, and a bar chart of observations."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from markupsafe import Markup, escape


def number(value: str | float | Decimal) -> str:
    """A figure with thousands separators, without a spurious ``.0``."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d:,}"


def dot_map(points: list[tuple[str, float, float]], highlight: str, near: set[str],
            width: int = 200, title: str = "") -> Markup:
    """Every point as a grey dot, ``near`` ones darker and ``highlight`` as a red dot; an
    equirectangular projection scaled by the cosine of the middle latitude."""
    if not points:
        return Markup("")
    lats = [p[1] for p in points]
    lons = [p[2] for p in points]
    pad = 0.15
    min_lat, max_lat = min(lats) - pad, max(lats) + pad
    min_lon, max_lon = min(lons) - pad, max(lons) + pad
    k = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = width / max((max_lon - min_lon) * k, 1e-9)
    height = max(1, round((max_lat - min_lat) * scale))

    def xy(lat, lon):
        return round((lon - min_lon) * k * scale, 1), round((max_lat - lat) * scale, 1)

    parts = [f'<svg class="dot-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
             f'<rect width="{width}" height="{height}" fill="#f4f6f8"/>']
    top = None
    for iri, lat, lon in points:
        x, y = xy(lat, lon)
        if iri == highlight:
            top = (x, y)
        elif iri in near:
            parts.append(f'<circle cx="{x}" cy="{y}" r="2.6" fill="#e59a3a"/>')
        else:
            parts.append(f'<circle cx="{x}" cy="{y}" r="1.8" fill="#9aa5b1"/>')
    if top:
        parts.append(f'<circle class="here" cx="{top[0]}" cy="{top[1]}" r="5" fill="#d62728" '
                     f'stroke="#fff" stroke-width="1.5"><title>{escape(title)}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(bars: list[tuple[str, float, str]], unit: str = "", title: str = "",
              width: int = 640) -> Markup:
    """Horizontal bars: ``(label, value, value as text)``, one row each, values from zero."""
    if not bars:
        return Markup("")
    row, label_w, gap = 24, 150, 90
    height = row * len(bars) + 30
    top = max(max(v for _, v, _ in bars), 0) or 1
    low = min(min(v for _, v, _ in bars), 0)
    span = (top - low) or 1
    plot = width - label_w - gap
    zero = label_w + (-low / span) * plot
    parts = [f'<svg class="bar-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">']
    for i, (label, value, text) in enumerate(bars):
        y = 6 + i * row
        x0 = zero if value >= 0 else zero - (-value / span) * plot
        w = max((abs(value) / span) * plot, 1)
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" class="bar-label">'
                     f'{escape(_shorten(label))}</text>')
        parts.append(f'<rect class="bar" x="{x0:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
                     f'fill="#2f6db5"><title>{escape(label)}: {escape(text)} {escape(unit)}</title></rect>')
        parts.append(f'<text x="{x0 + w + 4:.1f}" y="{y + 15}" class="bar-value">{escape(text)}</text>')
    axis_y = 6 + len(bars) * row
    parts.append(f'<line x1="{zero:.1f}" y1="4" x2="{zero:.1f}" y2="{axis_y}" stroke="#555"/>')
    parts.append(f'<text x="{width - 4}" y="{axis_y + 18}" text-anchor="end" class="bar-unit">'
                 f'{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _shorten(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
