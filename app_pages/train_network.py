"""Train a network: a small MLP learning a 2-D data set by backpropagation, and everything it recorded."""

import numpy as np
import streamlit as st

from engine import training
from engine.activations import ACTIVATION_LABELS
from ui import frame, widgets
from viz import training as charts

frame.header(
    "Train a network",
    "Everything from the last pages at once: layers, activations, gradients and an optimizer, "
    "learning to separate two classes.",
    "Pick a data set and a network, and the engine trains it with PyTorch: each step takes a batch of "
    "points, measures the cross-entropy loss, backpropagates, and lets the optimizer move every weight. "
    "The background shows what the network believes at every point of the plane (orange: class 0, blue: "
    "class 1) and the black line is its decision boundary. Hollow points were held out for testing: "
    "they show whether the network learned the shape or memorised the points.",
)
frame.formula(
    # The braces keep a phone's line break (after a top-level "+" or "=") out of (1 - y_i) log(1 - p_i).
    r"L = -\frac{1}{B}\sum_{i \in \text{batch}} \big[y_i \log p_i + {(1 - y_i)\log(1 - p_i)}\big],"
    r"\quad p_i = \sigma(\text{MLP}(x_i))",
)

D = training.DEFAULTS
POINTS = [100, 200, 400, 800, 1600]
WIDTHS = [1, 2, 4, 8, 16, 32]
RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
DECAYS = [0.0, 0.0001, 0.001, 0.01, 0.1]
CLIP_NORMS = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
STEPS = [50, 100, 200, 300, 500, 1000, 2000]
ACTIVATIONS = [name for name in ACTIVATION_LABELS if name in training.ACTIVATION_MODULES]


@st.fragment
def train_panel() -> None:
    section = frame.Section("Train it")
    controls, results = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        st.markdown("**Data**")
        kind = widgets.dropdown("data set", key="dataset", options=list(training.DATASETS), value=D["kind"])
        noise = widgets.slider("noise", key="data_noise", min_value=0.0, max_value=0.5, value=D["noise"], step=0.05)
        points = widgets.log_slider("points", key="points", options=POINTS, value=D["points"])
        seed = int(widgets.number("seed", key="train_seed", value=0, min_value=0, max_value=9999, step=1, whole=True))
        st.markdown("**Network**")
        layers = widgets.slider("hidden layers", key="hidden", min_value=1, max_value=4, value=D["hidden_layers"])
        width = widgets.log_slider("units per layer", key="width", options=WIDTHS, value=D["width"])
        act = widgets.dropdown(
            "activation", key="train_act", options=ACTIVATIONS, value=D["activation"], labels=ACTIVATION_LABELS
        )
        st.markdown("**Training**")
        optimizer = widgets.choice(
            "optimizer", key="train_opt", options=list(training.OPTIMIZERS), value=D["optimizer"]
        )
        lr = widgets.log_slider("learning rate", key="train_lr", options=RATES, value=D["lr"])
        batch = widgets.log_slider("batch size", key="batch_size", options=BATCHES, value=D["batch_size"])
        decay = widgets.log_slider("weight decay", key="decay", options=DECAYS, value=D["weight_decay"])
        clip = widgets.toggle("clip gradients", key="clip", value=D["clip"])
        clip_norm = widgets.log_slider(
            "clip at ‖g‖ =",
            key="clip_norm",
            options=CLIP_NORMS,
            value=D["clip_norm"],
            help="Used while clipping is on.",
        )
        steps = widgets.log_slider("steps", key="train_steps", options=STEPS, value=D["steps"])
    # Off, clipping never reads its norm: the training is the same whatever that slider says, so moving it
    # finds the cached one instead of training again.
    used_norm = clip_norm if clip else D["clip_norm"]
    # Trained in slices of time across reruns (ui/slices.py: 50-70 ms each), drawn about four times a second,
    # so the boundary forms on screen, and a control moved meanwhile waits one slice at most.
    run = section.run_in_slices(
        training.start_training,
        kind, points, noise, seed, layers, width, act, optimizer, lr, batch, decay, clip, used_norm, steps,
        advance=training.train_steps,
        record=training.recorded,
        so_far=lambda record: f"training: step {record.trained:,} of {record.steps:,}",
    )  # fmt: skip
    if run is None:
        return
    snapshot_steps = np.asarray(run.snapshot_steps)
    with results:
        shown = widgets.slider(
            "show the network at step",
            key="at_train_step",
            min_value=0,
            max_value=steps,
            value=steps,
            step=int(snapshot_steps[1] - snapshot_steps[0]) if len(snapshot_steps) > 1 else 1,
            help="Snapshots were kept while training, so scrubbing does not train again.",
        )
        index = int(np.searchsorted(snapshot_steps, shown))
        index = min(index, len(snapshot_steps) - 1)
        accuracy, test_accuracy, loss, size = st.columns(4)
        frame.metric("train accuracy", f"{float(run.train_acc[index]):.1%}", place=accuracy)
        frame.metric("test accuracy", f"{float(run.test_acc[index]):.1%}", place=test_accuracy)
        frame.metric("test loss", f"{float(run.test_loss[index]):.3f}", place=loss)
        frame.metric("parameters", f"{run.parameters:,}", place=size)
        boundary, curves = st.columns([1.25, 1], gap="medium")
        with boundary:
            section.chart(charts.boundary_figure(run, index))
        with curves:
            section.chart(charts.loss_figure(run, int(snapshot_steps[index])))
            section.chart(charts.accuracy_figure(run, int(snapshot_steps[index])))
    if run.batch_size < batch:
        st.caption(f"Batch {batch} is more than the {run.batch_size} training points: each step used all of them.")
    if run.diverged_at is not None:
        st.error(
            f"**Training diverged at step {run.diverged_at}:** the loss or a gradient stopped being a finite number. "
            "Lower the learning rate, or switch on gradient clipping.",
            icon=":material/trending_up:",
        )
    st.markdown("**Gradient norm per layer, every step** (before clipping)")
    section.chart(charts.gradient_norm_figure(run, int(snapshot_steps[index]), clip_norm if clip else None))
    if clip:
        clipped = int(np.asarray(run.clipped).sum())
        st.caption(f"Clipping scaled the gradient down at {clipped:,} of {run.trained:,} steps.")
    section.code_panel(key="code-train")
    section.keep_going()


train_panel()

frame.try_this(
    [
        "Scrub back to step 0: the untrained network is unsure everywhere (P ≈ 0.4–0.5) and may call the whole "
        "plane one class. Step forward and watch a boundary appear and bend.",
        "Pick circles with 1 hidden layer of 1 unit: one unit can only draw one straight line, and test accuracy "
        "stalls around two-thirds. Give it 4 units and it closes the circle.",
        "Pick the activation 'none': however many layers, the boundary stays a straight line — the layers collapse "
        "into one matrix, as on the neural layer page.",
        "Raise the learning rate to 1 with SGD: the loss jumps around. Switch on clipping at 0.3 and watch the "
        "gradient norms get capped (black dots).",
        "Spirals are hard: the default 2×8 ReLU reaches under 90 % in 300 steps; try 3 layers of 16 with tanh "
        "and 1000 steps.",
        "Give it a long run — 2000 steps of batch 512 on 4 layers of 32 — and the page draws the network about "
        "four times a second while it trains. Move any control meanwhile: it starts on the new setting at once.",
        "Set noise to 0.5 and points to 100: train loss keeps falling while test loss turns back up after about "
        "50 steps — overfitting. Weight decay 0.01 (with Adam) holds the test loss down.",
        "Open the Code panel: backpropagation is written out there, layer by layer — δ times W, times σ'(z), "
        "the chain rule page's rule on whole matrices — and the optimizer's update after it. The tests run "
        "`loss.backward()` and `torch.optim` beside it and get the same numbers, to rounding.",
    ]
)
frame.where_in_ai(
    [
        "**Every neural-network classifier** is trained with this loop: forward pass, cross-entropy, backward "
        "pass, optimizer step.",
        "**Held-out test data** is how every model is judged; the gap between train and test accuracy is the "
        "first sign of overfitting.",
        "**Gradient clipping** is standard in training transformers and RNNs, where a single bad batch can "
        "produce a huge gradient.",
        "**Weight decay** (AdamW) is the default regulariser for large language models.",
    ]
)
