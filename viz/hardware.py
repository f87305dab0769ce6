"""Charts for "Why GPUs": throughput against matrix size, bandwidth of an element-wise op, the roofline, FLOPs."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from engine.hardware import attainable_gflops
from viz.parts import BOTTOM_LEGEND, TICK_FONT, line
from viz.theme import ACCENT, DERIVED, NEUTRAL, VECTOR_A, VECTOR_B, figure

# One colour per number format, the same on every chart of the page.
FORMAT_COLORS = {"float32": VECTOR_A, "tf32": DERIVED, "bfloat16": VECTOR_B, "float16": ACCENT}
ELEMENTWISE = "#D55E00"  # vermilion (Okabe-Ito): the memory-bound op
MARGIN = dict(l=10, r=10, t=10, b=70)


def _device_name(sweep) -> str:
    return "GPU" if sweep.device == "cuda" else "CPU"


def count_label(value: int) -> str:
    """4096 stays 4,096 up to 8,192; larger powers of two read 16K, 256K, 16M (K = 1024, M = 1024²)."""
    if value > 8192 and value % 2**20 == 0:
        return f"{value >> 20}M"
    if value > 8192 and value % 2**10 == 0:
        return f"{value >> 10}K"
    return f"{value:,}"


def _log_axis(title: str, values=None, *, number_format: str = "~s") -> dict:
    """A log axis; ``values`` become its ticks (powers of two read better than 10^k here)."""
    axis = dict(type="log", title=dict(text=title), tickfont=TICK_FONT)
    if values is not None and len(values):
        axis.update(tickvals=list(values), ticktext=[count_label(v) for v in values])
    else:
        axis.update(tickformat=number_format)
    return axis


def throughput_figure(sweep) -> go.Figure:
    """Achieved GFLOP/s of N x N products against N, one line per device and number format (log-log)."""
    traces = []
    for name in sweep.dtypes:
        points = [p for p in sweep.points if p.dtype == name]
        if not points:
            continue
        label = f"{_device_name(sweep)} · {name}"
        trace = line(
            [p.size for p in points],
            [p.gflops for p in points],
            name=label,
            color=FORMAT_COLORS[name],
            hovertemplate=f"{label}<br>N = %{{x}}<br>%{{y:.4g}} GFLOP/s<br>%{{customdata:.4g}} ms per product"
            "<extra></extra>",
        )
        trace.update(mode="lines+markers", customdata=[p.seconds * 1e3 for p in points])
        traces.append(trace)
    sizes = sorted({p.size for p in sweep.points})
    layout = {
        "xaxis": _log_axis("matrix size N (N×N @ N×N)", sizes),
        "yaxis": _log_axis("achieved GFLOP/s (2N³ / time)"),
        "legend": BOTTOM_LEGEND,
        "margin": MARGIN,
    }
    return figure(traces, layout, height=380)


def elementwise_figure(stream) -> go.Figure:
    """Achieved GB/s of out = y + a·x against the vector length (log-log); GFLOP/s in the hover."""
    points = list(stream.points)
    trace = line(
        [p.size for p in points],
        [p.gbs for p in points],
        name=f"{_device_name(stream)} · y + a·x (float32)",
        color=ELEMENTWISE,
        hovertemplate="%{x:,} elements (%{customdata[0]:.3~s}B moved)<br>%{y:.4g} GB/s<br>"
        "%{customdata[1]:.3g} GFLOP/s<extra></extra>",
    )
    trace.update(mode="lines+markers", customdata=[[p.bytes_moved, p.gflops] for p in points])
    layout = {
        "xaxis": _log_axis("elements per vector", [p.size for p in points]),
        "yaxis": _log_axis("achieved GB/s (bytes read + written / time)"),
        "legend": BOTTOM_LEGEND,
        "margin": MARGIN,
    }
    return figure([trace], layout, height=340)


def roofline_figure(sweep, stream, roofs) -> go.Figure:
    """The roofline (log-log): attainable GFLOP/s = min(peak, bandwidth × intensity) for each roof,
    the measured products at their intensity, and the element-wise op at its own.

    Measured roofs are solid; datasheet roofs (a known GPU only) dashed and named "datasheet ...".
    """
    intensities = [p.intensity for p in (*sweep.points, *stream.points)] + [r.ridge for r in roofs]
    low, high = min(intensities, default=0.1) / 2, max(intensities, default=100.0) * 2
    traces = []
    for roof in roofs:
        xs = np.unique(np.concatenate([np.geomspace(low, high, 120), [roof.ridge]]))
        measured = roof.source == "measured"
        name = f"roof · {roof.dtype} (measured)" if measured else f"{roof.source} · {roof.dtype}"
        traces.append(
            line(xs, attainable_gflops(xs, roof.peak_gflops, roof.bandwidth_gbs), name=name,
                 color=FORMAT_COLORS[roof.dtype], width=2 if measured else 1.5, dash="solid" if measured else "dash",
                 hovertemplate=f"{name}<br>%{{x:.3g}} FLOP/byte → at most %{{y:.4g}} GFLOP/s<br>"
                 f"peak {roof.peak_gflops:.4g} GFLOP/s · {roof.bandwidth_gbs:.4g} GB/s<extra></extra>")
        )  # fmt: skip
    for name in sweep.dtypes:
        points = [p for p in sweep.points if p.dtype == name]
        traces.append(
            dict(type="scatter", x=[p.intensity for p in points], y=[p.gflops for p in points], mode="markers",
                 name=f"matmul · {name}", customdata=[p.size for p in points],
                 marker=dict(size=9, color=FORMAT_COLORS[name], line=dict(color="white", width=1)),
                 hovertemplate=f"matmul {name}, N = %{{customdata}}<br>%{{x:.3g}} FLOP/byte<br>"
                 "%{y:.4g} GFLOP/s<extra></extra>")
        )  # fmt: skip
    if stream.points:
        largest = max(stream.points, key=lambda p: p.size)
        traces.append(
            dict(type="scatter", x=[largest.intensity], y=[largest.gflops], mode="markers",
                 name=f"y + a·x, {largest.size:,} elements", marker=dict(size=12, color=ELEMENTWISE, symbol="diamond"),
                 hovertemplate="y + a·x<br>%{x:.3g} FLOP/byte<br>%{y:.4g} GFLOP/s<extra></extra>")
        )  # fmt: skip
    layout = {
        "xaxis": _log_axis("arithmetic intensity (FLOPs per byte moved)", number_format="~g"),
        "yaxis": _log_axis("GFLOP/s"),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=110),
    }
    return figure(traces, layout, height=460)


FLOP_PARTS = (
    ("attention projections Q, K, V, O", "projection_flops_per_token", VECTOR_A),
    ("MLP (two matrices)", "mlp_flops_per_token", VECTOR_B),
    ("attention over the context", "context_flops_per_token", NEUTRAL),
)


def flops_figure(cost) -> go.Figure:
    """A forward pass's FLOPs per token, split into the weight matmuls and attention over the context."""
    labels = [label for label, _, _ in FLOP_PARTS]
    values = [getattr(cost, field) for _, field, _ in FLOP_PARTS]
    bars = dict(
        type="bar",
        orientation="h",
        y=labels,
        x=values,
        marker=dict(color=[color for *_, color in FLOP_PARTS]),
        texttemplate="%{x:.3s}",
        textposition="auto",
        name="FLOPs per token",
        hovertemplate="%{y}<br>%{x:.4g} FLOPs per token<extra></extra>",
    )
    layout = {
        "xaxis": dict(title=dict(text="forward FLOPs per token"), tickformat="~s", tickfont=TICK_FONT),
        "yaxis": dict(autorange="reversed", tickfont=TICK_FONT),
        "showlegend": False,
        "margin": dict(l=10, r=10, t=10, b=40),
    }
    return figure([bars], layout, height=220)
