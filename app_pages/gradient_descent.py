"""Gradient descent & optimizers: the learning rate on a parabola, then torch.optim's rules racing on surfaces."""

import numpy as np
import streamlit as st

from engine import optimizers
from ui import frame, widgets
from viz import optimizers as charts

frame.header(
    "Gradient descent & optimizers",
    "Training is walking downhill on the loss: step against the gradient, and the learning rate sets the stride.",
    "The gradient points uphill, so a step of w ← w − lr·∇L goes down. Too small a learning rate "
    "creeps; too large overshoots the valley and can fly out of it. Real training uses smarter "
    "steps: **momentum** keeps rolling through small bumps and narrow valleys, and **Adam** scales each "
    "coordinate's step by how large its gradients have been. Below, six optimizers race on the surfaces "
    "people test optimizers on, each written out exactly as `torch.optim` computes it (the Code panel shows "
    "every rule; the tests check each step against `torch.optim` itself).",
)
frame.formula(
    r"w_{k+1} = w_k - \mathrm{lr}\,\nabla L(w_k)",
    r"L(w) = (w-3)^2 \;\Rightarrow\; w_{k+1} - 3 = (1 - 2\,\mathrm{lr})\,(w_k - 3)",
)

RATES_1D = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.7, 0.9, 0.95, 1.0, 1.02, 1.05, 1.1]
REGIME_WORDS = {
    "monotone": "0 < 1 − 2·lr < 1: every step covers the same share of the way to 3, from the same side. "
    "It converges without overshooting — slowly when lr is small.",
    "one step": "1 − 2·lr = 0: the first step lands exactly on the minimum w = 3.",
    "overshooting": "−1 < 1 − 2·lr < 0: every step jumps past 3 to the other side, but less far each time. "
    "It converges, zigzagging.",
    "two-cycle": "1 − 2·lr = −1: every step jumps to the mirror point. w bounces between w₀ and 6 − w₀ forever "
    "and the loss never falls.",
    "diverging": "|1 − 2·lr| > 1: every jump lands further out than the last. The loss grows without bound; the "
    "charts are clipped.",
}


@st.fragment
def one_dimension() -> None:
    section = frame.Section(
        "One weight: the learning rate decides everything",
        "For L(w) = (w − 3)² the gradient is 2(w − 3), so one step multiplies the distance to the minimum "
        "by exactly 1 − 2·lr. The learning rate alone decides what happens.",
    )
    controls, parabola, by_step = st.columns([1, 1.6, 1.6], gap="medium")
    with frame.controls(controls):
        w0 = widgets.slider("start w₀", key="w0", min_value=-5.0, max_value=10.0, value=-1.0, step=0.5)
        lr = widgets.log_slider("learning rate", key="lr_1d", options=RATES_1D, value=0.1)
        steps = widgets.slider("steps", key="steps_1d", min_value=1, max_value=50, value=15)
    descent = section.run(optimizers.descent_1d, w0, lr, steps)
    if descent is None:
        return
    with controls:
        frame.metric("1 − 2·lr", f"{descent.factor:.4g}")
        frame.metric(f"loss after {steps} steps", f"{float(descent.losses[-1]):.4g}")
    with parabola:
        section.chart(charts.parabola_figure(descent, optimizers.TARGET))
    with by_step:
        section.chart(charts.weight_by_step_figure(descent, optimizers.TARGET))
    alert = st.error if descent.regime in ("diverging", "two-cycle") else st.info
    alert(f"**lr = {lr:g}: {descent.regime}.** {REGIME_WORDS[descent.regime]}", icon=":material/insights:")
    shown = min(steps, 8)
    w, losses, grads = (np.asarray(v)[:shown] for v in (descent.weights, descent.losses, descent.gradients))
    st.markdown("**The first steps, computed** (the gradient by autograd)")
    st.dataframe(
        {
            "k": list(range(shown)),
            "w_k": [f"{v:.6g}" for v in w],
            "L(w_k)": [f"{v:.6g}" for v in losses],
            "dL/dw": [f"{v:.6g}" for v in grads],
            "w_k − lr·dL/dw": [f"{v - lr * g:.6g}" for v, g in zip(w, grads, strict=True)],
        },
        hide_index=True,
    )
    section.code_panel()


LR_OPTIONS = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
CONDITIONS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
NOISE = [0.0, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0]
STEPS_2D = 200


def nearest(options, value):
    return min(options, key=lambda option: abs(np.log(option) - np.log(value)))


def use_surface_defaults() -> None:
    """Surface callback: the new surface's own start point and learning rates (each surface has its scale)."""
    surface = optimizers.SURFACES[st.session_state["surface"]]
    st.session_state["start_x"], st.session_state["start_y"] = surface.start
    st.session_state["lr_sgd"] = nearest(LR_OPTIONS, surface.lr[0])
    st.session_state["lr_adapt"] = nearest(LR_OPTIONS, surface.lr[1])


@st.fragment
def race() -> None:
    section = frame.Section(
        "Six optimizers, one surface",
        "Each optimizer starts at the same point and takes 200 steps on the same surface, with the same "
        "noise added to its gradients. Scrub through the steps to watch them move. SGD, momentum and Nesterov "
        "share one learning rate; RMSprop, Adam and AdamW (Adam with weight decay 0.1, pulling towards "
        "(0, 0)) share another, because their steps are about lr long whatever the gradient's size.",
    )
    controls, plot = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        name = widgets.dropdown(
            "surface",
            key="surface",
            options=list(optimizers.SURFACES),
            value="Rosenbrock",
            on_change=use_surface_defaults,
        )
        surface = optimizers.SURFACES[name]
        condition = 10
        if name == "bowl":
            condition = widgets.log_slider("condition number κ", key="kappa", options=CONDITIONS, value=20)
        lr_sgd = widgets.log_slider(
            "learning rate: SGD, momentum, Nesterov",
            key="lr_sgd",
            options=LR_OPTIONS,
            value=nearest(LR_OPTIONS, surface.lr[0]),
        )
        lr_adaptive = widgets.log_slider(
            "learning rate: RMSprop, Adam, AdamW",
            key="lr_adapt",
            options=LR_OPTIONS,
            value=nearest(LR_OPTIONS, surface.lr[1]),
        )
        noise = widgets.log_slider("gradient noise σ", key="grad_noise", options=NOISE, value=0.0)
        # One range for every surface (all fit in ±5): a slider whose range changes is a new
        # widget, which would take the old value from the link instead of the surface's start.
        x0 = widgets.slider("start x", key="start_x", min_value=-5.0, max_value=5.0, value=surface.start[0], step=0.1)
        y0 = widgets.slider("start y", key="start_y", min_value=-5.0, max_value=5.0, value=surface.start[1], step=0.1)
        view_3d = widgets.toggle("3-D surface", key="view_3d", value=False)
    with plot:
        # Above the charts, where all six names fit in one row.
        chosen = widgets.several(
            "optimizers", key="opts", options=list(optimizers.OPTIMIZERS), value=optimizers.OPTIMIZERS
        )
        at_step = widgets.slider("show step", key="at_step", min_value=0, max_value=STEPS_2D, value=STEPS_2D)
    # The surface first, the race last: the timing under the charts is the race's.
    grid = section.run(optimizers.surface_grid, name, condition, cache=True)
    result = section.run(
        optimizers.race,
        name,
        tuple(chosen),
        (x0, y0),
        lr_sgd,
        lr_adaptive,
        STEPS_2D,
        condition=condition,
        noise=noise,
        cache=True,
    )
    if result is None or grid is None:
        return
    with plot:
        map_column, loss_column = st.columns([1.5, 1], gap="small")
        with map_column:
            figure = charts.race_surface_figure if view_3d else charts.race_figure
            section.chart(figure(grid, result, surface, at_step))
        with loss_column:
            section.chart(charts.loss_by_step_figure(result, at_step))
    for run in result.trajectories:
        if run.diverged_at is not None:
            st.error(
                f"**{run.optimizer} diverged** at step {run.diverged_at}: it left every bound (|x| or |y| above "
                f"{optimizers.ESCAPE:.0e}). Its path stops there; try a smaller learning rate.",
                icon=":material/trending_up:",
            )
    away = optimizers.outside_view(result, at_step)
    if away:
        st.warning(
            f"At step {at_step}, {', '.join(away)} {'is' if len(away) == 1 else 'are'} outside the plotted view "
            "(the map clips the path at its edge).",
            icon=":material/open_in_full:",
        )
    finals = {run.optimizer: float(np.asarray(run.losses)[-1]) for run in result.trajectories}
    st.caption("Loss after the last step: " + " · ".join(f"{k} {v:.3g}" for k, v in finals.items()))
    section.code_panel()


one_dimension()
race()

frame.try_this(
    [
        "Set the learning rate to 0.45, then 0.55: both converge, but the second zigzags across the minimum.",
        "Set it to exactly 1.0: w bounces between two points forever. At 1.02 it starts to fly away.",
        "On the bowl, set SGD's learning rate to 0.01 and raise κ to 100: SGD crawls along the long axis "
        "(x ≈ −0.54 after 200 steps) while momentum, Nesterov and Adam reach the minimum. At 0.02, lr·κ = 2: "
        "SGD bounces across the valley forever and Nesterov flies off.",
        "On Rosenbrock, watch SGD stall in the curved valley while Nesterov reaches (1, 1); raise SGD's "
        "learning rate to 0.005 and it diverges.",
        "On the saddle, start y at 0, exactly on the ridge: no optimizer ever leaves the saddle point (the loss "
        "stays 0). Add gradient noise 0.1 and they all roll off into a valley — noise helps escape saddles.",
    ]
)
frame.where_in_ai(
    [
        "**Most networks** are trained by one of these or a close relative: SGD with momentum for many vision "
        "models, Adam/AdamW for transformers and LLMs.",
        "**The learning rate** is the first hyperparameter anyone tunes; schedules warm it up and decay it "
        "because the right stride changes during training.",
        "**Mini-batches** make gradients noisy, like the noise slider: noise is cheap, and it helps escape "
        "saddles and sharp minima.",
        "**Ill-conditioning** (κ) is why normalisation layers and adaptive optimizers help: they even out "
        "curvature across directions.",
    ]
)
