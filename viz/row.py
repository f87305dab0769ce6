"""A row of single-panel figures as one figure: what a wide screen draws instead of one chart per column.

Why: in the browser each chart costs a fixed share of a redraw (plotly.js lays out, measures and
draws every figure on its own), so a slider that changes three panels waited for three charts. One
figure with three subplots is about a third cheaper to redraw (measured in BENCHMARKS.md). On a
phone the page keeps the separate figures, which Streamlit stacks one per row (``ui.frame.chart_row``).

Each panel keeps its own axes, title, shapes, annotations and colour bar: axis ``x``/``y`` of panel k
become ``x{k}``/``y{k}`` with a domain, and everything placed in "paper" coordinates is mapped into
that panel's domain. A figure this cannot carry over faithfully (several axes, 3-D, its own layout
settings, a second legend) makes ``side_by_side`` return None, and the page draws separate charts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

# The width, in px, the row is laid out for: the gaps between panels are fixed shares of the row,
# sized so tick labels and colour bars fit at this width. It is the main column's width on the
# narrowest screen that draws rows as one figure (ui.viewport.WIDE_MIN_PX, 1280 px: 820 px, measured
# in Chromium); narrower screens draw separate charts.
ASSUMED_WIDTH = 820
SPACING = 18  # px of white between the room one panel needs and the next
TICK_LABELS = 30  # px for a y axis's tick labels
TICK_LABELS_HIGH = 18  # px for an x axis's tick labels
AXIS_TITLE = 18  # px for an axis title
COLORBAR_LABELS = 34  # px for a vertical colour bar's tick labels
# Words as tick labels (``ticktext``: the attention page's tokens) are sized from their text: an
# average character of the page's sans-serif font is about this share of the font size wide.
CHAR_WIDTH = 0.62
LABEL_PAD = 8  # px between a tick label and the plot area or the axis title
SLANTED = 45  # degrees: x labels too wide to stand side by side are slanted so (or upright, below)

# Layout entries a panel may carry; any other (barmode, coloraxis, a second axis, a scene...) is a
# setting of the whole figure that a shared figure could not keep per panel.
PANEL_KEYS = {
    "template",
    "height",
    "margin",
    "hovermode",
    "legend",
    "showlegend",
    "title",
    "xaxis",
    "yaxis",
    "shapes",
    "annotations",
    "images",
    "autosize",
}
CARTESIAN = {"scatter", "scattergl", "heatmap", "bar", "contour", "histogram", "image"}
SHARED_KEYS = ("template", "hovermode")  # must agree across panels; taken from the first


def side_by_side(figures: Sequence[go.Figure], widths: Sequence[float] | None = None) -> go.Figure | None:
    """One figure holding ``figures`` left to right, each given ``widths`` shares of the row; None if not possible."""
    specs = [fig.to_dict() for fig in figures]
    if len(specs) < 2 or not all(_single_panel(spec) for spec in specs):
        return None
    if any(spec["layout"].get(key) != specs[0]["layout"].get(key) for spec in specs for key in SHARED_KEYS):
        return None
    with_legend = [index for index, spec in enumerate(specs) if _shows_legend(spec)]
    if len(with_legend) > 1:
        return None

    margins = [{"l": 80, "r": 80, "t": 100, "b": 80, **spec["layout"].get("margin", {})} for spec in specs]
    top, bottom = max(m["t"] for m in margins), max(m["b"] for m in margins)
    plot_heights = [spec["layout"].get("height", 450) - m["t"] - m["b"] for spec, m in zip(specs, margins, strict=True)]
    tallest = max(plot_heights)
    domains = _x_domains(specs, margins, widths)
    angles = [_x_label_angle(spec, domain) for spec, domain in zip(specs, domains, strict=True)]

    data: list[dict] = []
    layout: dict = {key: specs[0]["layout"][key] for key in SHARED_KEYS if key in specs[0]["layout"]}
    # Fixed margins with room for the outer labels and colour bars, and no automatic margins: an
    # automatic margin that moves (new tick labels) makes plotly.js draw the whole row twice.
    bottom += max(_room_below(spec, angle) for spec, angle in zip(specs, angles, strict=True))
    layout.update(
        height=tallest + top + bottom,
        margin=dict(
            l=_room_left(specs[0], margins[0]), r=_room_right(specs[-1], margins[-1]), t=top, b=bottom, autoexpand=False
        ),
        showlegend=bool(with_legend),
        shapes=[],
        annotations=[],
        images=[],
    )
    for index, (spec, x_domain, height) in enumerate(zip(specs, domains, plot_heights, strict=True)):
        figure_px = (spec["layout"].get("height", 450), margins[index]["b"], tallest)
        panel = _Panel(index, x_domain, (1 - height / tallest, 1.0), figure_px)
        source = spec["layout"]
        for trace in spec["data"]:
            data.append(panel.trace(trace, legend=index in with_legend))
        layout[f"xaxis{panel.suffix}"] = panel.axis(source.get("xaxis", {}), "x", angles[index])
        layout[f"yaxis{panel.suffix}"] = panel.axis(source.get("yaxis", {}), "y")
        layout["shapes"] += [panel.placed(shape) for shape in source.get("shapes", [])]
        layout["annotations"] += [panel.placed(note) for note in source.get("annotations", [])]
        layout["images"] += [panel.placed(image) for image in source.get("images", [])]
        if "title" in source and source["title"].get("text"):
            layout["annotations"].append(panel.title(source["title"], top))
        if index in with_legend and "legend" in source:
            layout["legend"] = panel.below(panel.placed(source["legend"]))
    return go.Figure(data=data, layout=layout, _validate=False)


def _single_panel(spec: dict) -> bool:
    layout = spec["layout"]
    return set(layout) <= PANEL_KEYS and all(
        trace.get("type", "scatter") in CARTESIAN and trace.get("xaxis", "x") == "x" and trace.get("yaxis", "y") == "y"
        for trace in spec["data"]
    )


def _shows_legend(spec: dict) -> bool:
    """Whether plotly.js would draw this figure's legend (by default: two or more traces that may show in it)."""
    shown = spec["layout"].get("showlegend")
    if shown is not None:
        return bool(shown)
    return sum(trace.get("showlegend", True) is not False for trace in spec["data"]) >= 2


def _side_colorbar(spec: dict) -> dict | None:
    """The colour bar a panel draws at its right, if any."""
    for trace in spec["data"]:
        bar = trace.get("colorbar", {})
        shown = trace.get("type") in {"heatmap", "contour"} and trace.get("showscale", True) is not False
        if shown and bar.get("orientation", "v") == "v":
            return bar
    return None


def _room_right(spec: dict, margin: dict) -> float:
    """Px right of a panel's plot area that its neighbour must leave free: its margin, or its colour bar."""
    bar = _side_colorbar(spec)
    if bar is None:
        return margin["r"]
    return margin["r"] + bar.get("thickness", 30) + bar.get("xpad", 10) + COLORBAR_LABELS


def _word_labels(axis: dict) -> tuple[float, float, int] | None:
    """(px of the widest label, font size, how many) for an axis labelled with words; None for numbers."""
    texts = axis.get("ticktext")
    if not texts or axis.get("showticklabels", True) is False:
        return None
    size = axis.get("tickfont", {}).get("size", 12)
    return max(len(str(text)) for text in texts) * size * CHAR_WIDTH, size, len(texts)


def _x_label_angle(spec: dict, domain: tuple[float, float]) -> int | None:
    """The angle to draw a panel's x word labels at: level if they fit side by side, else slanted or upright.

    Set on the row's axis, since the bottom margin is sized for it: plotly.js would otherwise pick its
    own angle from the real width. None leaves numbers to plotly.js (they are short and level).
    """
    labels = _word_labels(spec["layout"].get("xaxis", {}))
    if labels is None:
        return None
    widest, size, count = labels
    room_each = (domain[1] - domain[0]) * ASSUMED_WIDTH / count
    if widest + LABEL_PAD <= room_each:
        return 0
    return -SLANTED if size * 1.5 <= room_each else -90


def _room_left(spec: dict, margin: dict) -> float:
    """Px left of a panel's plot area for its y axis: tick labels and title (no automatic margin inside a row)."""
    axis = spec["layout"].get("yaxis", {})
    if axis.get("visible") is False:
        return margin["l"]
    labels = _word_labels(axis)
    ticks = max(TICK_LABELS, labels[0] + LABEL_PAD) if labels else TICK_LABELS
    room = margin["l"] + (ticks if axis.get("showticklabels", True) else 0)
    return room + (AXIS_TITLE if axis.get("title", {}).get("text") else 0)


def _room_below(spec: dict, angle: int | None = None) -> float:
    """Px under a panel's plot area for its x tick labels (drawn at ``angle``) and title, added to its margin."""
    axis = spec["layout"].get("xaxis", {})
    if axis.get("visible") is False:
        return 0
    room = TICK_LABELS_HIGH if axis.get("showticklabels", True) else 0
    labels = _word_labels(axis)
    if labels is not None and angle:
        widest, size, _ = labels
        turned = math.radians(abs(angle))
        room = widest * math.sin(turned) + size * math.cos(turned) + LABEL_PAD
    return room + (AXIS_TITLE if axis.get("title", {}).get("text") else 0)


def _x_domains(specs: list[dict], margins: list[dict], widths: Sequence[float] | None) -> list[tuple[float, float]]:
    """Each panel's share of the row, after the gaps its neighbours' labels and colour bars need."""
    gaps = [
        (_room_right(specs[i], margins[i]) + _room_left(specs[i + 1], margins[i + 1]) + SPACING) / ASSUMED_WIDTH
        for i in range(len(specs) - 1)
    ]
    shares = list(widths) if widths is not None else [1.0] * len(specs)
    free = max(1.0 - sum(gaps), 0.2)
    total = sum(shares)
    domains, start = [], 0.0
    for index, share in enumerate(shares):
        end = start + free * share / total
        domains.append((start, min(end, 1.0)))
        start = end + (gaps[index] if index < len(gaps) else 0.0)
    return domains


class _Panel:
    """Panel ``index`` of the row: renames its axes and maps paper coordinates into its domain."""

    def __init__(
        self,
        index: int,
        x_domain: tuple[float, float],
        y_domain: tuple[float, float],
        figure_px: tuple[float, float, float],
    ) -> None:
        self.suffix = "" if index == 0 else str(index + 1)
        self.x_domain, self.y_domain = x_domain, y_domain
        # px: the panel figure's height and bottom margin, and the row's plot height
        self.height, self.bottom, self.row_plot = figure_px

    def below(self, item: dict) -> dict:
        """``item`` placed at a height of the panel's own figure ("container") moved to the same px under the panel.

        A panel shorter than the row would otherwise have its colour bar or legend at the row's bottom edge.
        """
        if item.get("yref") != "container":
            return item
        px_under_plot = self.bottom - item.get("y", 0) * self.height  # "container" is from the figure's bottom edge
        return {**item, "yref": "paper", "y": self.y_domain[0] - px_under_plot / self.row_plot}

    def _x(self, value: float) -> float:
        low, high = self.x_domain
        return low + value * (high - low)

    def _y(self, value: float) -> float:
        low, high = self.y_domain
        return low + value * (high - low)

    def _ref(self, ref: str) -> str:
        """An axis reference of the panel's own figure ("x", "y2 domain"...) in the row's numbering."""
        axis, _, rest = ref.partition(" ")
        if axis in ("x", "y"):
            return f"{axis}{self.suffix}" + (f" {rest}" if rest else "")
        return ref

    def trace(self, trace: dict, *, legend: bool) -> dict:
        trace = {**trace, "xaxis": f"x{self.suffix}", "yaxis": f"y{self.suffix}"}
        if not legend and trace.get("type") != "image":  # an image trace has no legend entry at all
            trace["showlegend"] = False
        if "colorbar" in trace:
            trace["colorbar"] = self._colorbar(trace["colorbar"])
        return trace

    def _colorbar(self, bar: dict) -> dict:
        bar = dict(bar)
        horizontal = bar.get("orientation", "v") == "h"
        if bar.get("xref", "paper") == "paper":
            bar["x"] = self._x(bar.get("x", 0.5 if horizontal else 1.02))
            bar.setdefault("xanchor", "center" if horizontal else "left")
            if horizontal and bar.get("lenmode", "fraction") == "fraction":
                bar["len"] = bar.get("len", 1.0) * (self.x_domain[1] - self.x_domain[0])
        if bar.get("yref", "paper") == "paper":
            bar["y"] = self._y(bar.get("y", 1.02 if horizontal else 0.5))
            if not horizontal and bar.get("lenmode", "fraction") == "fraction":
                bar["len"] = bar.get("len", 1.0) * (self.y_domain[1] - self.y_domain[0])
        return self.below(bar)

    def axis(self, axis: dict, letter: str, angle: int | None = None) -> dict:
        other = "y" if letter == "x" else "x"
        axis = {**axis, "anchor": f"{other}{self.suffix}", "automargin": False}
        if angle is not None:
            axis["tickangle"] = angle
        axis["domain"] = list(self.x_domain if letter == "x" else self.y_domain)
        for link in ("scaleanchor", "matches"):
            if link in axis:
                axis[link] = self._ref(axis[link])
        return axis

    def placed(self, item: dict) -> dict:
        """A shape, annotation, image or legend of the panel, in the row's axes and paper coordinates."""
        item = dict(item)
        for letter, place in (("x", self._x), ("y", self._y)):
            ref = item.get(f"{letter}ref", "paper")
            if ref == "paper":
                for key in (letter, f"{letter}0", f"{letter}1"):
                    if isinstance(item.get(key), int | float):
                        item[key] = place(item[key])
            else:
                item[f"{letter}ref"] = self._ref(ref)
            if f"a{letter}ref" in item:
                item[f"a{letter}ref"] = self._ref(item[f"a{letter}ref"])
        return item

    def title(self, title: dict, top: float) -> dict:
        """The panel's title as an annotation centred over it, in the top margin like a figure title."""
        return dict(
            text=title["text"],
            font=title.get("font", {}),
            xref="paper",
            yref="paper",
            x=sum(self.x_domain) / 2,
            y=self.y_domain[1],
            xanchor="center",
            yanchor="bottom",
            yshift=min(6, top / 4),
            showarrow=False,
        )
