"""Charts for the chain-rule page: the computation graph with values and gradients, and ∇f on a map."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import TICK_FONT, arrowhead
from viz.theme import ACCENT, DERIVED, DIVERGING, INK, NEUTRAL, VECTOR_A, VECTOR_B, figure

ROW_PX = 70  # vertical room per leaf of the graph


def short(value: float) -> str:
    return f"{value:.3g}"


def graph_layout(nodes) -> tuple[np.ndarray, np.ndarray]:
    """(column, row) per node: inputs on the left, the output on the right.

    A node's column is one more than its deepest input's; leaves take rows in reading order and an
    operation sits at the mean row of its inputs, so every edge runs left to right.
    """
    column = np.zeros(len(nodes))
    row = np.zeros(len(nodes))
    next_leaf = 0.0
    for node in nodes:  # inputs come before the nodes that read them
        if node.inputs:
            column[node.index] = 1 + max(column[i] for i in node.inputs)
            row[node.index] = np.mean([row[i] for i in node.inputs])
        else:
            row[node.index] = next_leaf
            next_leaf += 1
    return column, row


def graph_figure(result) -> go.Figure:
    """One circle per operation or input: its value (forward) and its gradient ∂f/∂node (backward).

    Each edge carries the local derivative ∂node/∂input; the gradient of an input is the sum over
    its edges of (gradient of the node above) × (the edge's number).
    """
    nodes = result.nodes
    column, row = graph_layout(nodes)
    edge_x, edge_y, mid_x, mid_y, mid_text = [], [], [], [], []
    for node in nodes:
        for source, local in zip(node.inputs, node.local, strict=True):
            edge_x += [column[source], column[node.index], None]
            edge_y += [row[source], row[node.index], None]
            mid_x.append((column[source] + column[node.index]) / 2)
            mid_y.append((row[source] + row[node.index]) / 2)
            mid_text.append(f"×{short(local)}")
    leaves = [n for n in nodes if not n.inputs]
    colors = [VECTOR_A if n.op == "variable" else NEUTRAL if n.op == "number" else VECTOR_B for n in nodes]
    colors[-1] = DERIVED
    traces = [
        dict(
            type="scatter",
            x=edge_x,
            y=edge_y,
            mode="lines",
            line=dict(color="#B8B8B8", width=1.5),
            hoverinfo="skip",
            showlegend=False,
        ),
        dict(
            type="scatter",
            x=mid_x,
            y=mid_y,
            mode="text",
            text=mid_text,
            textfont=dict(size=11, color=ACCENT),
            name="local derivative ∂node/∂input",
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            x=column,
            y=row,
            mode="markers+text",
            text=[n.label for n in nodes],
            textfont=dict(color="white", size=13),
            marker=dict(size=34, color=colors, line=dict(color=INK, width=1)),
            customdata=[[short(n.value), short(n.grad)] for n in nodes],
            name="node",
            hovertemplate="%{text}<br>value %{customdata[0]}<br>∂f/∂node %{customdata[1]}<extra></extra>",
            showlegend=False,
        ),
        dict(
            type="scatter",
            x=column,
            y=row - 0.38,
            mode="text",
            text=[f"{short(n.value)}" for n in nodes],
            textfont=dict(size=11, color=INK),
            name="value (forward)",
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            x=column,
            y=row + 0.38,
            mode="text",
            text=[f"∇ {short(n.grad)}" for n in nodes],
            textfont=dict(size=11, color=ACCENT),
            name="∂f/∂node (backward)",
            hoverinfo="skip",
        ),
    ]
    layout = {
        "xaxis": dict(visible=False, range=[-0.5, column.max() + 0.5]),
        "yaxis": dict(visible=False, autorange="reversed", range=None),
        "showlegend": False,
        "margin": dict(l=10, r=10, t=10, b=10),
    }
    return figure(traces, layout, height=max(260, ROW_PX * len(leaves) + 60))


def gradient_map_figure(grid, result) -> go.Figure:
    """Contours of f, the point (x, y), the gradient arrow (uphill) and the steepest-descent arrow."""
    xs, ys, values = np.asarray(grid.xs), np.asarray(grid.ys), np.asarray(grid.values)
    gx, gy = result.grad
    norm = float(np.hypot(gx, gy))
    span = float(xs[-1] - xs[0])
    # Arrows of a fixed on-screen length (15 % of the view) in the gradient's direction: a huge
    # gradient would otherwise leave the chart, a tiny one vanish. The numbers say the size.
    scale = 0.15 * span / norm if norm > 0 else 0.0
    tip_up = (result.x + scale * gx, result.y + scale * gy)
    tip_down = (result.x - scale * gx, result.y - scale * gy)
    traces = [
        dict(
            type="contour",
            x=xs,
            y=ys,
            z=values,
            colorscale=DIVERGING,
            zmid=0 if np.nanmin(values) < 0 < np.nanmax(values) else None,
            ncontours=25,
            contours=dict(coloring="heatmap"),
            line=dict(width=0.5),
            colorbar=dict(thickness=10, title=dict(text="f")),
            hovertemplate="x = %{x:.2f}<br>y = %{y:.2f}<br>f = %{z:.4g}<extra></extra>",
            name="f",
        ),
        dict(
            type="scatter",
            x=[result.x],
            y=[result.y],
            mode="markers",
            name="(x, y)",
            marker=dict(size=11, color="white", line=dict(color=INK, width=2)),
            hovertemplate=f"f({short(result.x)}, {short(result.y)}) = {short(result.value)}<extra></extra>",
        ),
    ]
    annotations = []
    if norm > 0:
        for tip, color, text in ((tip_up, VECTOR_B, "∇f (uphill)"), (tip_down, DERIVED, "−∇f (steepest descent)")):
            annotations.append(arrowhead((result.x, result.y), tip, color))
            # The label beside the tip, on the side away from the point.
            annotations.append(
                dict(
                    x=tip[0],
                    y=tip[1],
                    xref="x",
                    yref="y",
                    showarrow=False,
                    text=text,
                    font=dict(color=color, size=12),
                    bgcolor="rgba(255,255,255,0.8)",
                    xanchor="left" if tip[0] >= result.x else "right",
                    yanchor="bottom" if tip[1] >= result.y else "top",
                )
            )
    layout = {
        "xaxis": dict(
            title=dict(text="x"), range=[float(xs[0]), float(xs[-1])], tickfont=TICK_FONT, constrain="domain"
        ),
        "yaxis": dict(
            title=dict(text="y"), range=[float(ys[0]), float(ys[-1])], tickfont=TICK_FONT, scaleanchor="x", scaleratio=1
        ),
        "annotations": annotations,
        "showlegend": False,
        "margin": dict(l=10, r=10, t=10, b=10),
    }
    return figure(traces, layout, height=460)
