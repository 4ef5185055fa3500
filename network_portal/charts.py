"""Server-side SVG charts for the network reports: horizontal bars per garden, lines per year.

No JavaScript and no chart library: the portal must work offline and on a phone, and a report
figure is a few dozen rectangles and lines. Every chart carries its numbers as a table as well
(rendered by the `{% chart %}` tag), so nobody has to read values off a picture, and a one- or
two-sentence description for screen readers.

The SVG is drawn in viewBox units and scales to its container (width="100%"); the sizes below are
chosen so that text is about 12 px on a 390 px phone and the CSS caps the width on a desktop.
"""

import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.templatetags.formatting import NBSP, nok, number_nb
from gardens.maps import _overlaps, _view_box, municipality_shapes

Number = int | float | Decimal

NO_DATA = "–"
WIDTH = 400  # viewBox width; labels sit above the bars so a 40-character garden name still fits
FONT = 14
SMALL = 12
CHAR = 7.6  # rough width of a digit or letter at FONT: enough to reserve room for value labels

# The portal's palette (static/css/portal.css). Bars and lines are ≥3:1 against white (WCAG 1.4.11),
# text is ≥4.5:1 (WCAG AA).
TEXT = "#1d2822"
MUTED = "#56615a"
GRID = "#d6dbd5"
BAR = "#6f9a82"
ACCENT = "#2b6549"
# Colour, dash pattern and marker differ together, so a series can be told apart in greyscale
# or by someone who does not see the difference between green and orange.
SERIES_STYLES = [
    ("#2b6549", "", "circle"),
    ("#1d4866", "8 4", "square"),
    ("#b35900", "2 3", "triangle"),
    ("#7a3b69", "10 3 2 3", "diamond"),
]


@dataclass
class Chart:
    """A drawn chart with its text alternative and its numbers as a table."""

    title: str
    description: str
    headers: list[str]
    rows: list[list]
    svg: str
    unit: str


def format_value(value: Number | None, unit: str = "") -> str:
    """A figure as the chart and its table print it: '1 234 567 kr', '12,5 %', '3 FTE', '–' for no data."""
    if value is None:
        return NO_DATA
    if unit == "kr":
        return nok(Decimal(str(value)))  # str first: Decimal(0.1) would carry the float's binary noise
    text = number_nb(value)
    return f"{text}{NBSP}{unit}" if unit else text


def _f(x: float) -> str:
    """A coordinate with one decimal, never localised (the SVG needs a dot)."""
    return f"{x:.1f}"


def _chart_id(*parts: object) -> str:
    """An id derived from the chart's content: stable across requests and distinct for two charts on one page."""
    return "chart-" + hashlib.blake2s(repr(parts).encode(), digest_size=4).hexdigest()


def _svg(chart_id: str, title: str, description: str, height: float, body: SafeString) -> SafeString:
    """The outer <svg>: scalable, announced as one image with its title and description."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc" font-size="{font}" fill="{text}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=WIDTH, h=_f(height), id=chart_id, font=FONT, text=TEXT, title=title, desc=description, body=body,
    )


def _extremes_sentence(pairs: list[tuple[str, Number]], unit: str) -> str:
    """'Highest: A, 10 kr; lowest: B, 2 kr.' for the labelled values that are not None."""
    if not pairs:
        return _("No data.")
    high = max(pairs, key=lambda p: p[1])
    low = min(pairs, key=lambda p: p[1])
    if len(pairs) == 1:
        return f"{high[0]}: {format_value(high[1], unit)}."
    if high[1] == low[1]:
        return _("All have the same value: %(value)s.") % {"value": format_value(high[1], unit)}
    return _("Highest: %(high_label)s, %(high)s; lowest: %(low_label)s, %(low)s.") % {
        "high_label": high[0], "high": format_value(high[1], unit),
        "low_label": low[0], "low": format_value(low[1], unit),
    }


def bar_chart(
    *,
    title: str,
    labels: list[str],
    values: list[Number | None],
    unit: str = "",
    value_header: str = "",
    label_header: str = "",
    highlight: str | None = None,
) -> Chart:
    """Horizontal bars, one per label, with the value at the end of each bar; negatives go left of zero."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    if highlight is not None and highlight not in labels:
        raise ValueError(f"highlight {highlight!r} is not one of the labels")
    texts = [format_value(v, unit) for v in values]
    known = [float(v) for v in values if v is not None]
    lo, hi = min([0.0, *known]), max([0.0, *known])
    # Room for the printed value beyond the end of the longest bar, on each side that has bars.
    room = max(len(t) for t in texts) * CHAR + 8 if texts else 0
    left = 4 + (room if lo < 0 else 0)
    right = WIDTH - 4 - room
    scale = (right - left) / (hi - lo) if hi > lo else 0.0
    zero = left - lo * scale

    row, bar_h, top = 44, 16, 8  # label line above a bar, then the bar, then a gap
    bars = []
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        y = top + i * row
        accent = label == highlight
        # The highlight is bold as well as darker, so it is not told by colour alone.
        weight = 700 if accent else 400
        # A white halo lets the label sit over the zero line and stay readable.
        parts = [format_html(
            '<text x="4" y="{}" font-weight="{}">{}</text>',
            _f(y + FONT), weight, label,
        )]
        bar_y, text_y = y + 20, _f(y + 33)
        if value is None:
            parts.append(format_html('<text x="{}" y="{}" fill="{}">{}</text>', _f(zero + 4), text_y, MUTED, text))
        else:
            end = zero + float(value) * scale
            x, width = min(zero, end), abs(end - zero)
            parts.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                _f(x), _f(bar_y), f"{width:.2f}", bar_h, ACCENT if accent else BAR,
            ))
            anchor, tx = ("end", end - 4) if float(value) < 0 else ("start", end + 4)
            parts.append(format_html('<text x="{}" y="{}" text-anchor="{}">{}</text>', _f(tx), text_y, anchor, text))
        # mark_safe on a join is sound here and below: every part came out of format_html, which escaped it.
        bars.append(format_html('<g class="bar">{}</g>', mark_safe("".join(parts))))
    height = top + len(labels) * row + 4
    # The zero line goes first so that the labels' halos cover it.
    body = format_html(
        '<line class="zero" x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="{c}" stroke-width="1"/>{}',
        mark_safe("".join(bars)), x=_f(zero), y1=top + 18, y2=_f(height - 4), c=MUTED,
    )

    description = _extremes_sentence([(lab, v) for lab, v in zip(labels, values, strict=True) if v is not None], unit)
    if highlight is not None:
        value = values[labels.index(highlight)]
        description += " " + _("Highlighted: %(label)s, %(value)s.") % {
            "label": highlight, "value": format_value(value, unit),
        }
    return Chart(
        title=title,
        description=description,
        headers=[label_header or _("Garden"), value_header or title],
        rows=[[label, value] for label, value in zip(labels, values, strict=True)],
        svg=_svg(_chart_id("bar", title, labels, values), title, description, height, body),
        unit=unit,
    )


def _ticks(lo: float, hi: float) -> list[Decimal]:
    """4–5 round gridline values covering lo..hi (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if hi <= lo:
        hi = lo + 1
    magnitude = Decimal(10) ** math.floor(math.log10((hi - lo) / 4))
    for step in (m * magnitude for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10), Decimal(20))):
        first = math.floor(Decimal(str(lo)) / step)
        last = math.ceil(Decimal(str(hi)) / step)
        if last - first <= 4:
            return [(first + i) * step for i in range(last - first + 1)]
    raise AssertionError("unreachable: a step of 20 × magnitude always fits")


def _marker(shape: str, x: float, y: float, colour: str) -> SafeString:
    """A point marker; not a <path>, so each series is exactly one path."""
    if shape == "circle":
        return format_html('<circle cx="{}" cy="{}" r="4" fill="{}"/>', _f(x), _f(y), colour)
    if shape == "square":
        return format_html('<rect x="{}" y="{}" width="8" height="8" fill="{}"/>', _f(x - 4), _f(y - 4), colour)
    offsets = [(0, -5), (5, 4), (-5, 4)] if shape == "triangle" else [(0, -5), (5, 0), (0, 5), (-5, 0)]
    points = " ".join(f"{_f(x + dx)},{_f(y + dy)}" for dx, dy in offsets)
    return format_html('<polygon points="{}" fill="{}"/>', points, colour)


def line_chart(
    *,
    title: str,
    x_labels: list[str],
    series: list[tuple[str, list[Number | None]]],
    unit: str = "",
    x_header: str = "",
) -> Chart:
    """One line per series over the x labels (years), broken where a value is None, with a legend."""
    if not 1 <= len(series) <= len(SERIES_STYLES):
        raise ValueError(f"between 1 and {len(SERIES_STYLES)} series, got {len(series)}")
    for name, values in series:
        if len(values) != len(x_labels):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(x_labels)} x labels")
    known = [float(v) for _name, values in series for v in values if v is not None]
    # The y axis starts at 0 so that growth is not exaggerated; it goes below 0 only for negative values.
    ticks = _ticks(min([0.0, *known]), max([0.0, *known]))
    tick_texts = [format_value(t, unit) for t in ticks]
    left = max(len(t) for t in tick_texts) * SMALL * 0.55 + 10
    right, top, plot_h = WIDTH - 12, 10, 200
    bottom = top + plot_h
    y_lo, y_hi = float(ticks[0]), float(ticks[-1])

    def y_of(v: Number) -> float:
        return bottom - (float(v) - y_lo) / (y_hi - y_lo) * plot_h

    n = len(x_labels)
    spacing = (right - left - 16) / max(n - 1, 1)

    def x_of(i: int) -> float:
        return left + 8 + i * spacing if n > 1 else (left + right) / 2

    parts = []
    for tick, text in zip(ticks, tick_texts, strict=True):
        y = y_of(tick)
        colour = MUTED if tick == 0 and y_lo < 0 else GRID  # the zero line stands out when values go below it
        parts.append(format_html(
            '<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="{}"/><text x="{}" y="{}" text-anchor="end" '
            'font-size="{}" fill="{}">{}</text>',
            _f(left), _f(right), colour, _f(left - 6), _f(y + 4), SMALL, MUTED, text, y=_f(y),
        ))
    # Show every k-th year when the labels would otherwise run into each other.
    every = max(1, math.ceil((max((len(x) for x in x_labels), default=1) * SMALL * 0.6 + 6) / spacing))
    for i, label in enumerate(x_labels):
        if i % every == 0:
            parts.append(format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="{}">{}</text>',
                _f(x_of(i)), _f(bottom + 18), SMALL, MUTED, label,
            ))

    legend_top = bottom + 36
    for k, (name, values) in enumerate(series):
        colour, dash, shape = SERIES_STYLES[k]
        # A new "M" after each None: the line has a gap where there is no figure, not a guess.
        commands, pen_down, markers = [], False, []
        for i, v in enumerate(values):
            if v is None:
                pen_down = False
                continue
            commands.append(f"{'L' if pen_down else 'M'}{_f(x_of(i))} {_f(y_of(v))}")
            markers.append(_marker(shape, x_of(i), y_of(v), colour))
            pen_down = True
        ly = legend_top + k * 22
        parts.append(format_html(
            '<g class="series"><path d="{d}" fill="none" stroke="{c}" stroke-width="2.5" stroke-dasharray="{dash}"/>'
            '{markers}</g><g class="legend-item"><line x1="4" x2="40" y1="{ly}" y2="{ly}" stroke="{c}" '
            'stroke-width="2.5" stroke-dasharray="{dash}"/>{marker}<text x="48" y="{ty}">{name}</text></g>',
            d=" ".join(commands), c=colour, dash=dash or "none", markers=mark_safe("".join(markers)),
            ly=_f(ly), marker=_marker(shape, 22, ly, colour), ty=_f(ly + 5), name=name,
        ))
    height = legend_top + len(series) * 22

    trends = []
    for name, values in series:
        points = [(x, v) for x, v in zip(x_labels, values, strict=True) if v is not None]
        if len(points) >= 2:
            (x0, v0), (x1, v1) = points[0], points[-1]
            trends.append(_("%(name)s went from %(first)s in %(first_x)s to %(last)s in %(last_x)s") % {
                "name": name, "first": format_value(v0, unit), "first_x": x0,
                "last": format_value(v1, unit), "last_x": x1,
            })
        elif points:
            trends.append(f"{name}: {format_value(points[0][1], unit)} ({points[0][0]})")
        else:
            trends.append(_("%(name)s: no data") % {"name": name})
    description = "; ".join(trends) + "."
    return Chart(
        title=title,
        description=description,
        headers=[x_header or _("Year"), *(name for name, _values in series)],
        rows=[[x, *(values[i] for _name, values in series)] for i, x in enumerate(x_labels)],
        svg=_svg(_chart_id("line", title, x_labels, series), title, description, height, mark_safe("".join(parts))),
        unit=unit,
    )


# --- the coverage map shaded by a figure ---------------------------------------------------------

SHADES = ["#e8f0eb", "#bcd5c4", "#8fb89c", "#5e9873", "#2b6549"]  # light to dark green, five steps
NO_VALUE = "#f4f5f2"


def shaded_map(*, title: str, values: dict[str, Number], unit: str = "", label_header: str = "") -> Chart | None:
    """Today's municipalities shaded by a figure (`values`: municipality number → value), in five steps.

    Drawn on the server from Kartverket's outlines (gardens/maps.py); municipalities without a
    value are left pale. None if the outlines are missing.
    """
    shapes = municipality_shapes()
    present = {number: value for number, value in values.items() if value and number in shapes}
    if not shapes:
        return None
    shown = [shapes[n] for n in present] or list(shapes.values())
    x, y, width, height = _view_box(shown)
    top = max(present.values(), default=0)
    steps = [top * (i + 1) / len(SHADES) for i in range(len(SHADES))]

    def shade(value) -> str:
        if not value:
            return NO_VALUE
        return next(colour for colour, limit in zip(SHADES, steps, strict=True) if value <= limit or
                    colour == SHADES[-1])

    uid = "map-" + hashlib.sha1(f"{title}{sorted(present.items())}".encode(), usedforsecurity=False).hexdigest()[:8]
    # Only the outlines inside the frame: the rest of the country would only weigh down the page.
    stroke = _f(width / 800)
    # The outlines are our own projected coordinates (digits, M/L/Z): no escaping needed for 400 KiB of them.
    paths = [f'<path d="{shape.d}" fill="{shade(present.get(number))}" stroke="#ffffff" '
             f'stroke-width="{stroke}"><title>{escape(shape.name)}: {escape(format_value(present.get(number), unit))}'
             f'</title></path>'
             for number, shape in shapes.items() if _overlaps(shape.bbox, (x, y, width, height))]
    legend = [format_html('<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>', _f(x + width * 0.03),
                          _f(y + height * (0.04 + 0.035 * i)), _f(width * 0.03), _f(height * 0.025), colour)
              for i, colour in enumerate(SHADES)]
    legend_text = [format_html('<text x="{}" y="{}" font-size="{}">≤ {}</text>', _f(x + width * 0.07),
                               _f(y + height * (0.062 + 0.035 * i)), _f(height * 0.022), format_value(limit, unit))
                   for i, limit in enumerate(steps)] if top else []
    ranked = sorted(present.items(), key=lambda item: -float(item[1]))
    names = {number: shapes[number].name for number in present}
    description = (
        _("Highest: %(high_label)s, %(high)s; lowest: %(low_label)s, %(low)s.")
        % {"high_label": names[ranked[0][0]], "high": format_value(ranked[0][1], unit),
           "low_label": names[ranked[-1][0]], "low": format_value(ranked[-1][1], unit)}
        if ranked else _("No data.")
    )
    svg = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{} {} {} {}" width="100%" role="img" '
        'aria-labelledby="{}-title {}-desc" class="shaded-map"><title id="{}-title">{}</title>'
        '<desc id="{}-desc">{}</desc><g>{}</g><g fill="#1d2822">{}{}</g></svg>',
        _f(x), _f(y), _f(width), _f(height), uid, uid, uid, title, uid, description,
        mark_safe("".join(paths)), mark_safe("".join(legend)), mark_safe("".join(legend_text)),
    )
    rows = [[f"{number} {names[number]}", value] for number, value in ranked]
    return Chart(title=title, description=description, headers=[label_header or _("Municipality"), title],
                 rows=rows, svg=svg, unit=unit)
