"""Why GPUs: matrix multiplication at speed — measured throughput, bandwidth, the roofline, and a model's FLOPs."""

import streamlit as st

from engine import hardware
from engine.device import describe_device, resolve_device
from ui import frame, loading, widgets
from viz import hardware as charts

frame.header(
    "Why GPUs: matrix multiplication at speed",
    "A big matrix product keeps the arithmetic units busy; adding two vectors mostly waits for memory. "
    "GPUs are built for the first kind of work — and AI is mostly made of it.",
    "An N×N matrix product does 2N³ floating-point operations (FLOPs) on only 3N² numbers: every number "
    "fetched from memory is used N times. So the larger N, the more arithmetic per byte — its **arithmetic "
    "intensity** — and the closer the chip gets to its peak FLOP/s. Adding two vectors does 2 FLOPs per "
    "3 numbers moved at any length: it can only go as fast as memory delivers the bytes. Below, this "
    "machine measures both, then the **roofline** puts them on one chart.",
)
frame.formula(
    r"I_{\text{matmul}} = \frac{2N^3 \text{ FLOPs}}{3N^2 \times b \text{ bytes}} = \frac{2N}{3b}"
    r"\qquad I_{y + a x} = \frac{2 \text{ FLOPs}}{3 \times b \text{ bytes}}",
    r"\text{attainable FLOP/s} = \min\left(\text{peak FLOP/s},\; \text{bandwidth} \times I\right)",
    caption="b is the bytes per number: 4 for float32 and TF32, 2 for bfloat16 and float16.",
)

LOADED_KEY = "_hw_loaded"  # this session's page has been drawn: timing may start (ui/loading.py)
SIZES = [256, 512, 1024, 2048, 4096, 8192]
TOKENS = [10**k for k in range(13)]
BUSY = (
    "Another visitor is measuring right now, and one measurement runs at a time on this server: "
    "showing the last measurement."
)


def on_gpu() -> bool:
    try:
        return resolve_device().type == "cuda"
    except ValueError:  # a device that cannot be used: the sidebar says why
        return False


def not_measured_yet(sweep) -> bool:
    """True, after saying so, when nothing was measured yet (the page is still loading): not busy, no points."""
    if sweep.points or sweep.busy:
        return False
    st.caption(":material/hourglass_top: The measurement starts when the page has finished loading…")
    return True


def skipped_note(sweep) -> None:
    """Which sizes the time limit left out, in words."""
    sizes = sorted({size for _, size in sweep.skipped})
    if sizes:
        limit = hardware.SWEEP_SECONDS[sweep.device]
        st.info(
            f"{'Sizes' if len(sizes) > 1 else 'Size'} {', '.join(f'{n:,}' for n in sizes)} "
            f"{'were' if len(sizes) > 1 else 'was'} skipped: measuring {'them' if len(sizes) > 1 else 'it'} "
            f"would have taken this run past its {limit:g} s limit.",
            icon=":material/hourglass_top:",
        )


def when(sweep) -> str:
    said = f"Measured on {sweep.device_label} at {sweep.measured_at}, in {sweep.spent_seconds:.1f} s."
    lessons = describe_device(sweep.device).label
    if lessons != sweep.device_label:  # the sidebar names the lessons' threads; a benchmark takes every core
        said += (
            f" The other lessons compute on {lessons} (the sidebar): their tensors are small, and a second "
            "thread would mostly wait for a core."
        )
    return said


def count(value: int) -> str:
    """1, 10, ..., then 1K, 1M, 1B, 1T."""
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if value >= size:
            return f"{value // size:,}{suffix}"
    return str(value)


def seconds_text(seconds: float) -> str:
    """A duration in the unit that reads best (unit conversion only)."""
    for size, unit in ((86400 * 365, "years"), (86400, "days"), (3600, "hours"), (60, "minutes"), (1, "s")):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds * 1e3:.3g} ms"


def throughput(ready: bool):
    """The matmul sweep (measured only once the page has loaded), or None."""
    section = frame.Section(
        "Matrix products: GFLOP/s grows with N",
        "Each point is an N×N @ N×N product timed on this machine (the median of repeated runs after a "
        "warm-up; on a CPU with all cores, and a short product with one thread too, keeping the faster), "
        "reported as 2N³ / time. Larger products reuse every number they load more often, so the arithmetic "
        "units wait less.",
    )
    gpu = on_gpu()
    cap, budget = (table["cuda" if gpu else "cpu"] for table in (hardware.MAX_SIZE, hardware.SWEEP_SECONDS))
    options = [n for n in SIZES if n <= cap]
    controls, plot = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        largest = widgets.log_slider(
            "largest N",
            key="hw_max_n",
            options=options,
            value=min(4096 if gpu else 1024, cap),  # a GPU needs large products to reach its peak
            help="The sweep runs N = 64, 128, … up to this; sizes that would pass the time limit are skipped.",
        )
        formats = ("float32",)
        if gpu:
            formats = widgets.several(
                "number formats", key="hw_formats", options=list(hardware.DTYPES), value=list(hardware.DTYPES)
            )
        else:
            st.caption(
                "TF32, bfloat16 and float16 products run on a GPU's tensor cores: they need a CUDA GPU, so "
                "this machine measures float32."
            )
        again = st.button(
            "Measure again",
            key="hw_measure",
            icon=":material/timer:",
            help="Results are kept and shared by every visitor until someone measures again.",
        )
    with plot, st.spinner(f"Measuring products up to N = {largest:,} (at most {budget:g} s)…"):
        sweep = section.run(hardware.matmul_sweep, largest, tuple(formats), again=again, kept_only=not ready)
    if sweep is None or not_measured_yet(sweep):
        return None
    if sweep.busy:
        st.info(BUSY if sweep.points else f"{BUSY} There is none yet: try again in a few seconds.")
    if not sweep.points:
        return None
    with plot:
        section.chart(charts.throughput_figure(sweep))
    bests = [best for best in map(sweep.best, sweep.dtypes) if best is not None]
    frame.metric_cards(
        [frame.Card(f"best {best.dtype} (GFLOP/s)", f"{best.gflops:.4g}", f"at N = {best.size:,}") for best in bests],
        beside=controls,
        after=plot,
    )
    smallest, biggest = sweep.points[0], max(sweep.points, key=lambda p: p.size)
    st.markdown(
        f"At N = {smallest.size} a product does {smallest.intensity:.3g} FLOPs per byte it must move; at "
        f"N = {biggest.size:,}, {biggest.intensity:.3g}. The chip's arithmetic units and caches can only be kept "
        "busy when each number loaded is reused many times — which is what a large matrix product offers."
    )
    st.caption(when(sweep))
    skipped_note(sweep)
    section.code_panel()
    return sweep


def elementwise(ready: bool):
    """The element-wise sweep (measured only once the page has loaded), or None."""
    section = frame.Section(
        "An element-wise op: y + a·x waits for memory",
        "out = y + a·x reads two vectors and writes one: 12 bytes moved for 2 FLOPs per float32 element. "
        "Its speed is set by how fast memory moves bytes, so it is measured in GB/s.",
    )
    controls, plot = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        again = st.button(
            "Measure again", key="hw_measure_ew", icon=":material/timer:", help="Time the element-wise op again."
        )
    with plot, st.spinner("Measuring y + a·x…"):
        stream = section.run(hardware.elementwise_sweep, again=again, kept_only=not ready)
    if stream is None or not_measured_yet(stream):
        return None
    if stream.busy:
        st.info(BUSY if stream.points else f"{BUSY} There is none yet: try again in a few seconds.")
    if not stream.points:
        return None
    with plot:
        section.chart(charts.elementwise_figure(stream))
    largest, fastest = max(stream.points, key=lambda p: p.size), stream.best()
    frame.metric_cards(
        [
            frame.Card(f"GB/s at {largest.size:,} elements", f"{largest.gbs:.4g}"),
            frame.Card("GFLOP/s there", f"{largest.gflops:.3g}"),
        ],
        beside=controls,
        after=plot,
    )
    st.markdown(
        f"At {largest.size:,} elements the vectors are far larger than any cache: {largest.gbs:.3g} GB/s is "
        f"main memory's pace, and it gives only {largest.gflops:.3g} GFLOP/s, because each byte carries "
        f"{largest.intensity:.3g} FLOPs."
        + (
            f" The fastest size, {fastest.size:,} elements ({fastest.gbs:.3g} GB/s), fits in a cache, which is "
            "faster than main memory."
            if fastest.size != largest.size
            else ""
        )
        + " The smallest sizes pay mostly the fixed cost of starting the operation."
    )
    st.caption(when(stream))
    skipped_note(stream)
    section.code_panel()
    return stream


def roofline_panel(sweep, stream) -> None:
    section = frame.Section(
        "The roofline: two ceilings",
        "Every operation sits at its arithmetic intensity (FLOPs per byte moved). Below the ridge, memory "
        "bandwidth × intensity is the limit; above it, the chip's peak FLOP/s. The peak drawn here is the fastest "
        "product measured above and the bandwidth is the element-wise op's at its largest size.",
    )
    if sweep is None or stream is None:
        st.info("The roofline appears once both measurements above are there.")
        return
    roofs = section.run(hardware.roofline, sweep, stream)
    if roofs is None:
        return
    section.chart(charts.roofline_figure(sweep, stream, roofs))
    mine = [r for r in roofs if r.source == "measured"]
    for roof in mine:
        st.markdown(
            f"**{roof.dtype}**: the roofs meet at {roof.ridge:.3g} FLOPs per byte. An operation with less "
            f"arithmetic per byte than that is limited by memory ({roof.bandwidth_gbs:.3g} GB/s); with more, "
            f"by the arithmetic units ({roof.peak_gflops:.4g} GFLOP/s)."
        )
    sheets = sorted({r.source for r in roofs} - {"measured"})
    if sheets:
        st.caption(
            f"Dashed: the vendor's {', '.join(sheets)} figures (dense, no sparsity), shown because this GPU's "
            "name matches; every other number on the page is measured."
        )
    section.code_panel()


@st.fragment
def calculator(sweep) -> None:
    section = frame.Section(
        "What this speed means for a transformer",
        "A transformer's forward pass is mostly matrix products with its weights: each weight is used in one "
        "multiply-add per token, so it costs about 2 FLOPs per parameter per token, plus attention over the "
        "context (Kaplan et al., 2020). At the throughput measured above:",
    )
    fastest = max(sweep.points, key=lambda p: p.gflops) if sweep is not None else None
    controls, plot = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        preset = widgets.dropdown("model", key="hw_model", options=list(hardware.PRESETS), value="GPT-2 small")
        tokens = widgets.log_slider(
            "tokens in the forward pass", key="hw_tokens", options=TOKENS, value=1000, format_func=count
        )
    cost = section.run(hardware.transformer_forward, preset, tokens, fastest.gflops if fastest else None)
    if cost is None:
        return
    with plot:
        section.chart(charts.flops_figure(cost))
    cards = [frame.Card("forward FLOPs per token", f"{cost.flops_per_token:.3g}")]
    if cost.seconds is not None:
        cards.append(frame.Card(f"time for {count(tokens)} tokens", seconds_text(cost.seconds)))
    frame.metric_cards(cards, beside=controls, after=plot)
    n_layers, d_model, _, _, d_ff = hardware.PRESETS[preset]
    at_speed = (
        f"at {fastest.gflops:.4g} GFLOP/s (the fastest {fastest.dtype} product measured, N = {fastest.size:,}) "
        f"that takes {seconds_text(cost.seconds)}."
        if fastest
        else "the time appears once a throughput has been measured above."
    )
    st.markdown(
        f"**{preset}**: {n_layers} layers of width {d_model:,} (MLP {d_ff:,}), "
        f"{cost.non_embedding_params:,} weights in its layers plus {cost.embedding_params:,} in its embeddings. "
        f"{count(tokens)} tokens cost {cost.flops:.3g} FLOPs: {at_speed}"
    )
    st.caption(
        "The attention share grows with the context length; biases, LayerNorms and the final projection onto the "
        "vocabulary are left out, as in Kaplan et al. A real forward pass also runs below peak speed: these "
        "times are lower bounds."
    )
    section.code_panel()


# The panels are not fragments: "Measure again" reruns the page, so the roofline and the calculator
# always show the measurement above them.
ready = loading.page_has_loaded(LOADED_KEY)
sweep = throughput(ready)
stream = elementwise(ready)
roofline_panel(sweep, stream)
calculator(sweep)

frame.try_this(
    [
        "Raise the largest N: GFLOP/s keeps climbing for a while, then flattens at the chip's peak.",
        "Compare the element-wise op's GFLOP/s with the matrix products': same machine, very different speed.",
        "On the roofline, find where the products cross the ridge: from that N on, memory is no longer the limit.",
        "In the calculator, pick GPT-3 175B: one token's forward pass is hundreds of GFLOPs.",
        "Press Measure again while the machine is busy with something else, and watch the numbers drop.",
    ]
)
frame.where_in_ai(
    [
        "**Dense layers and attention** are matrix products with large inner sizes: the high-intensity right side "
        "of the roofline, where GPUs run near their peak.",
        "**Tensor cores** run bfloat16, float16 and TF32 products many times faster than float32: that is why "
        "models train in mixed precision.",
        "**LayerNorm, activations and residual adds** are element-wise and memory-bound; kernel fusion "
        "(FlashAttention, torch.compile) cuts the bytes they move.",
        "**Generating one token at a time** multiplies the weights by a single vector: low intensity, so LLM "
        "decoding is limited by memory bandwidth, and batching requests raises the intensity.",
    ]
)
