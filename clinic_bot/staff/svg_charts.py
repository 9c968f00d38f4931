"""The insights page's charts, drawn on the server as inline SVG: no script, no style attribute, nothing fetched, so
the console's Content-Security-Policy stays as it is. Colours are presentation attributes, from a palette that
colour-blind readers can tell apart (Okabe and Ito). Each chart is an image with a name for screen readers; the
figures themselves are in the table under it (templates/insights.html).

A count the small-count rule hides (clinic_bot/staff/insights.py ``shown``) is drawn as "<5": a bar of no length
with that label, a cell of the lightest shade, a gap in a line.
"""
from html import escape
from typing import List, Sequence, Tuple

from markupsafe import Markup

from clinic_bot.staff.insights import SMALL_COUNT, Figure

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#999999")
WIDTH = 720
LABEL_WIDTH = 220  # room for the names of the bars
TEXT = "#1f2328"
GRID = "#d0d7de"
SMALL_LABEL = "<5"


def _hidden(value: int) -> bool:
    return 0 < value < SMALL_COUNT


def _svg(height: int, label: str, body: List[str]) -> Markup:
    return Markup(f'<svg viewBox="0 0 {WIDTH} {height}" width="100%" '
                  f'role="img" aria-label="{escape(label)}" class="chart" font-family="sans-serif" font-size="12">'
                  f'<title>{escape(label)}</title>{"".join(body)}</svg>')


def _text(x: float, y: float, text: str, anchor: str = "start", fill: str = TEXT) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'


def _scale_top(largest: int) -> int:
    """A round number at or above ``largest`` for the axis."""
    top = max(largest, SMALL_COUNT)
    step = 10 ** (len(str(top)) - 1)
    return ((top + step - 1) // step) * step


def bars(label: str, rows: Sequence[Tuple[str, int]]) -> Markup:
    """Horizontal bars, one per (name, count), largest first as given."""
    row_height, top_margin = 24, 8
    height = top_margin * 2 + row_height * max(len(rows), 1)
    if not rows:
        return _svg(40, label, [_text(10, 24, "No messages in this period.")])
    largest = max(_scale_top(max(value for _, value in rows)), 1)
    room = WIDTH - LABEL_WIDTH - 60
    body = []
    for n, (name, value) in enumerate(rows):
        y = top_margin + n * row_height
        shown = 0 if _hidden(value) else value
        length = room * shown / largest
        body.append(_text(LABEL_WIDTH - 8, y + 16, name[:34] + ("…" if len(name) > 34 else ""), "end"))
        body.append(f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{row_height - 8}" '
                    f'fill="{PALETTE[0]}"/>')
        body.append(_text(LABEL_WIDTH + length + 6, y + 16, SMALL_LABEL if _hidden(value) else f"{value:,}"))
    return _svg(height, label, body)


def lines(label: str, figure: Figure) -> Markup:
    """One line per count column of ``figure`` (rows: the x axis, in order), with a legend."""
    left, right, top, bottom = 50, 20, 28, 40
    height = 240
    series = list(figure.columns[1:])
    values = [[int(row[1 + s]) for row in figure.rows] for s in range(len(series))]
    largest = _scale_top(max((max(v) for v in values if v), default=0))
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    count = max(len(figure.rows), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(value: int) -> float:
        return top + plot_h - plot_h * value / largest

    body = [f'<line x1="{left}" y1="{y(0):.1f}" x2="{WIDTH - right}" y2="{y(0):.1f}" stroke="{GRID}"/>',
            f'<line x1="{left}" y1="{y(largest):.1f}" x2="{WIDTH - right}" y2="{y(largest):.1f}" stroke="{GRID}"/>',
            _text(left - 6, y(0) + 4, "0", "end"), _text(left - 6, y(largest) + 4, f"{largest:,}", "end")]
    for s, name in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        segment: List[str] = []
        for i, value in enumerate(values[s]):
            if _hidden(value):  # a gap: the count is not shown
                body.append(_polyline(segment, colour))
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(value):.1f}")
        body.append(_polyline(segment, colour))
        body.append(f'<rect x="{left + s * 160}" y="6" width="12" height="12" fill="{colour}"/>')
        body.append(_text(left + s * 160 + 18, 16, name))
    if figure.rows:
        for i in sorted({0, count // 2, count - 1}):
            anchor = "start" if i == 0 else "end" if i == count - 1 else "middle"
            body.append(_text(x(i), height - bottom + 18, str(figure.rows[i][0]), anchor))
    return _svg(height, label, [part for part in body if part])


def _polyline(points: List[str], colour: str) -> str:
    if len(points) == 1:
        cx, cy = points[0].split(",")
        return f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>'
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>' if points else ""


def stacked(label: str, figure: Figure) -> Markup:
    """One column per row of ``figure`` (a week), stacked by its count columns (the outcomes), with a legend."""
    left, right, top, bottom = 50, 20, 10, 30
    legend_rows = (len(figure.columns) - 1 + 1) // 2
    plot_h = 200
    height = top + plot_h + bottom + legend_rows * 18 + 8
    totals = [sum(0 if _hidden(int(v)) else int(v) for v in row[1:]) for row in figure.rows]
    largest = _scale_top(max(totals, default=0))
    plot_w = WIDTH - left - right
    slot = plot_w / max(len(figure.rows), 1)
    base_y = top + plot_h
    body = [f'<line x1="{left}" y1="{base_y}" x2="{WIDTH - right}" y2="{base_y}" stroke="{GRID}"/>',
            _text(left - 6, base_y + 4, "0", "end"), _text(left - 6, top + 4, f"{largest:,}", "end")]
    for i, row in enumerate(figure.rows):
        y = float(base_y)
        for s, value in enumerate(row[1:]):
            value = 0 if _hidden(int(value)) else int(value)
            if not value:
                continue
            h = plot_h * value / largest
            y -= h
            body.append(f'<rect x="{left + i * slot + slot * 0.15:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
                        f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}"/>')
        if len(figure.rows) <= 14 or i % 2 == 0:
            body.append(_text(left + i * slot + slot / 2, base_y + 16, str(row[0])[5:], "middle"))
    for s, name in enumerate(figure.columns[1:]):
        lx, ly = left + (s % 2) * 330, base_y + bottom + (s // 2) * 18
        body.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>')
        body.append(_text(lx + 18, ly + 10, name[:50]))
    return _svg(height, label, body)


def heat_map(label: str, figure: Figure) -> Markup:
    """Rows (the days of the week) by columns (the hours), darker for more messages."""
    left, top, cell_h = 80, 22, 22
    cell_w = (WIDTH - left - 10) / max(len(figure.columns) - 1, 1)
    height = top + cell_h * len(figure.rows) + 10
    largest = max((int(v) for row in figure.rows for v in row[1:]), default=0)
    body = [_text(left + h * cell_w + cell_w / 2, 14, name, "middle")
            for h, name in enumerate(figure.columns[1:]) if h % 3 == 0]
    for r, row in enumerate(figure.rows):
        y = top + r * cell_h
        body.append(_text(left - 6, y + 15, str(row[0])[:3], "end"))
        for h, value in enumerate(row[1:]):
            value = int(value)
            share = 0.0 if _hidden(value) or not largest else value / largest
            body.append(f'<rect x="{left + h * cell_w:.1f}" y="{y}" width="{cell_w - 1:.1f}" height="{cell_h - 1}" '
                        f'fill="{PALETTE[0]}" fill-opacity="{0.06 + 0.94 * share:.2f}"/>')
    return _svg(height, label, body)
