"""Bar charts as SVG geometry computed here, drawn by a template: the desk needs
no JavaScript and nothing from a CDN, and the figures are in the page's HTML
(a screen reader gets them from each bar's title and the table beside it)."""

from dataclasses import dataclass

WIDTH = 600
HEIGHT = 160
TOP = 10
BOTTOM = 20  # room for the first and last day's labels
LEFT = 36  # room for the scale


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str  # a CSS class: the colour
    title: str


@dataclass
class Chart:
    bars: list
    peak: int
    labels: list  # (x, text, anchor) under the axis
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP

    @property
    def base(self):
        return self.height - BOTTOM

    @property
    def right(self):
        return self.width


def nice_peak(value):
    """Round `value` up to 1, 2 or 5 times a power of ten (a scale's top)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def stacked_bars(columns, series, label):
    """Return a Chart of one stacked bar per column.

    `columns` are objects; `series` names their numeric attributes, bottom
    first; `label(column)` names a column in its bars' titles.
    """
    peak = nice_peak(
        max((sum(getattr(c, s) for s in series) for c in columns), default=0)
    )
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(1, len(columns))
    bars = []
    for index, column in enumerate(columns):
        x = LEFT + index * slot + slot * 0.15
        y = HEIGHT - BOTTOM
        for name in series:
            value = getattr(column, name)
            if not value:
                continue
            height = plot_height * value / peak
            y -= height
            title = f"{label(column)}: {value} {name}"
            bars.append(
                Bar(
                    round(x, 1),
                    round(y, 1),
                    round(slot * 0.7, 1),
                    round(height, 1),
                    name,
                    title,
                )
            )
    labels = []
    if columns:
        # The first day's label starts at the axis, the last one's ends at the
        # right edge, so neither is cut off.
        labels = [
            (LEFT, label(columns[0]), "start"),
            (WIDTH, label(columns[-1]), "end"),
        ]
    return Chart(bars, peak, labels)
