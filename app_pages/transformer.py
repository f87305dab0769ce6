"""Inside a real transformer."""

import numpy as np
import streamlit as st

from engine import heads, transformer
from ui import frame, widgets
from viz import attention as attention_charts
from viz import transformer as charts

frame.header(
    "Inside a real transformer",
    "all-MiniLM-L6-v2 reads your text: 6 layers × 12 heads, every weight computed here, from scratch, live.",
    f"This is a real pretrained sentence transformer ({heads.parameter_count() / 1e6:.1f} million parameters, "
    "Apache-2.0), run by this lab's own "
    "PyTorch code and checked against sentence-transformers to 10⁻⁵. Each layer's 12 heads decide where every "
    "token looks; then an MLP rewrites each token on its own. Training made some heads specialise — one looks at "
    "the previous word, another at the next — and you can find them below, switch them off, and watch the "
    "sentence's meaning vector move.",
)
frame.formula(
    r"h' = \mathrm{LayerNorm}\big(h_{\ell} + \mathrm{MultiHead}(h_{\ell})\big),\quad "
    r"h_{\ell+1} = \mathrm{LayerNorm}\big(h' + \mathrm{MLP}(h')\big)",
    r"e = \frac{\bar h_6}{\lVert \bar h_6 \rVert},\quad \bar h_6 = \frac{1}{T}\sum_t h_{6,t}",
    caption="BERT's post-LayerNorm block, six times; the sentence embedding e is the mean of the last layer's "
    "token vectors, scaled to length 1.",
)

DEFAULT_TEXT = "The cat sat on the mat because it was tired, and the dog barked at it."
TEXT_HELP = (
    f"Any text. The model reads at most {transformer.MAX_TOKENS} word pieces ([CLS] and [SEP] included); "
    f"longer text is cut, and so is text over {transformer.MAX_CHARS:,} characters. Text is only read, never run."
)
LAYERS, HEADS = 6, 12

with st.container(border=True), frame.controls(label="Text, layer and head"):
    text = widgets.text("text", key="tf_text", value=DEFAULT_TEXT, height=90, help=TEXT_HELP)
    pick_layer, pick_head = st.columns(2)
    with pick_layer:
        layer = widgets.slider("layer", key="tf_layer", min_value=0, max_value=LAYERS - 1, value=0)
    with pick_head:
        head = widgets.slider("head", key="tf_head", min_value=0, max_value=HEADS - 1, value=2)


def read(section: frame.Section):
    """The text through the model, every head's weights kept (cached per text)."""
    return section.run(heads.read_text, text, cache=True)


def say_what_was_cut(tokens) -> None:
    if tokens.dropped:
        st.info(
            f"The model reads at most {transformer.MAX_TOKENS} word pieces: the last {tokens.dropped} of this text "
            "were cut (the first 127 and the closing [SEP] are kept).",
            icon=":material/content_cut:",
        )
    if tokens.chars_cut:
        st.info(f"Only the first {transformer.MAX_CHARS:,} characters were read.", icon=":material/content_cut:")


@st.fragment
def one_head() -> None:
    section = frame.Section(
        f"Layer {layer}, head {head} up close",
        "The heatmap has one row per query token; the line view draws the same weights as lines from each "
        "token (left) to the tokens it looks at (right), thicker for more weight.",
        key="one head up close",
    )
    reading = read(section)
    if reading is None:
        return
    say_what_was_cut(reading.tokens)
    tokens = reading.tokens.pieces
    with frame.controls():
        options = [-1, *range(len(tokens))]
        query = widgets.dropdown(
            "lines from",
            key="tf_query",
            options=options,
            value=-1,
            labels={-1: "every token", **{i: f"{i}: {t}" for i, t in enumerate(tokens)}},
        )
    weights = reading.weights[layer, head]
    picked = None if query == -1 else query
    section.chart_row(
        [
            attention_charts.weights_matrix(weights, tokens, title=f"L{layer} H{head} weights", query=picked, panels=2),
            charts.line_view(weights, tokens, query=picked),
        ],
        key="head",
    )
    s = reading.summary
    st.caption(
        f"This head puts {s.on_previous[layer, head]:.0%} of its attention on the previous token, "
        f"{s.on_next[layer, head]:.0%} on the next, {s.on_self[layer, head]:.0%} on the token itself, "
        f"{s.on_cls[layer, head]:.0%} on [CLS] and {s.on_sep[layer, head]:.0%} on [SEP]; a row's entropy is "
        f"{s.entropy_bits[layer, head]:.2f} bits on average (uniform: {s.uniform_bits:.2f})."
    )
    section.code_panel()


METRICS = {
    "on_previous": ("attention on the previous token", "%"),
    "on_next": ("attention on the next token", "%"),
    "on_self": ("attention on the token itself", "%"),
    "on_cls": ("attention on [CLS]", "%"),
    "on_sep": ("attention on [SEP]", "%"),
    "entropy_bits": ("mean entropy of a row", "bits"),
}


@st.fragment
def every_head() -> None:
    section = frame.Section(
        "All 72 heads at a glance",
        "Every head of every layer on this text. Diagonal stripes just below or above the middle are heads that "
        "read the previous or the next token; a dark first or last column means the head parks its attention on "
        "[CLS] or [SEP] when it has nothing better to do.",
    )
    reading = read(section)
    if reading is None:
        return
    with frame.controls():
        metric = widgets.dropdown(
            "per-head number",
            key="tf_metric",
            options=list(METRICS),
            value="on_previous",
            labels={k: v[0] for k, v in METRICS.items()},
        )
    pooled = reading.grid.shape[-1] < reading.weights.shape[-1]
    section.chart(charts.heads_overview(reading.grid, picked=(layer, head), pooled=pooled))
    title, unit = METRICS[metric]
    values = getattr(reading.summary, metric)
    section.chart(charts.head_metric(values, title=title, unit=unit, picked=(layer, head)))
    strongest = np.unravel_index(int(np.argmax(values)), values.shape)
    shown = f"{values[strongest]:.0%}" if unit == "%" else f"{values[strongest]:.2f} bits"
    st.caption(
        f"Highest: layer {strongest[0]}, head {strongest[1]} ({shown}). Set the layer and head above to it to see "
        "its pattern up close."
    )
    section.code_panel(key="code-every-head")


DEFAULT_COMPARED = "\n".join(
    [
        "A kitten was sleeping on the rug.",
        "The dog barked at the cat.",
        "The mat was tired of the cat.",
        "Stock markets fell sharply on Monday.",
        "She played the violin at the concert.",
    ]
)
LAYER_NAMES = [f"L{i}" for i in range(LAYERS)]
HEAD_NAMES = [f"L{i} H{j}" for i in range(LAYERS) for j in range(HEADS)]


@st.fragment
def switch_heads_off() -> None:
    section = frame.Section(
        "Switch heads off",
        "Ablation: a switched-off head's weights are set to 0, so it adds nothing to its layer's output. How far "
        "does the text's embedding move, and does the ranking of similar sentences change?",
    )
    with frame.controls():
        whole, single = st.columns([1, 2])
        with whole:
            layers_off = widgets.several("whole layers off", key="tf_layers_off", options=LAYER_NAMES, value=[])
        with single:
            heads_off = widgets.several(
                "single heads off", key="tf_heads_off", options=HEAD_NAMES, value=["L0 H2"], listed=True
            )
        compared = widgets.text(
            f"sentences to compare with the text (one per line, at most {heads.MAX_COMPARED})",
            key="tf_compared",
            value=DEFAULT_COMPARED,
            height=150,
        )
    off = sorted(
        {(int(name[1]), h) for name in layers_off for h in range(HEADS)}
        | {(int(name[1]), int(name.split("H")[1])) for name in heads_off}
    )
    lines = tuple(line for line in compared.splitlines() if line.strip())
    ablation = section.run(heads.ablate, text, lines, tuple(off), cache=True)
    if ablation is None:
        return
    moved, changed = st.columns(2)
    frame.metric(
        "cos(embedding with heads off, intact)",
        f"{ablation.cosine_to_intact:.4f}",
        help=f"{len(off)} of 72 heads off. 1 means the embedding did not move.",
        place=moved,
    )
    order_changed = ablation.intact_rank != ablation.ablated_rank
    frame.metric("ranking of the sentences", "changed" if order_changed else "unchanged", place=changed)
    section.chart(charts.ablation_bars(ablation))
    section.code_panel(key="code-ablate")


@st.fragment
def residual() -> None:
    section = frame.Section(
        "The residual stream",
        "Each token's vector flows up through the layers. Attention and the MLP each add their output to it, "
        "then LayerNorm rescales the sum. The bars show how much each part writes; the map shows which tokens a "
        "layer turns most.",
    )
    reading = read(section)
    if reading is None:
        return
    section.chart_row(
        [
            charts.residual_stream(reading.norms, reading.attention_step, reading.mlp_step, reading.tokens.pieces),
            charts.rewrite_map(reading.change, reading.tokens.pieces),
        ],
        key="stream",
    )
    section.code_panel(key="code-residual")


one_head()
every_head()
switch_heads_off()
residual()

frame.try_this(
    [
        "Set layer 0, head 2: nearly every token looks at the one before it — a *previous-token head*, learned, "
        "not programmed. Use the per-head number *attention on the next token* to find its mirror image.",
        "Paste a long paragraph: the heatmaps grow to 128 × 128 and the model says how much was cut.",
        "Switch off head L0 H2 and compare the ranking; then switch off whole layers, one at a time: which layer "
        "can you lose with the embedding barely moving?",
        "Compare the default text with *The mat was tired of the cat.* — same words, different meaning: how "
        "similar does the model find them?",
        "In the residual stream, which part writes more into a token's vector, attention or the MLP — in every "
        "layer, and for every text you try?",
    ]
)
frame.where_in_ai(
    [
        "**Interpretability** research finds heads like these in large models: previous-token heads combine "
        "with others into *induction heads*, which copy patterns and drive in-context learning.",
        "**Pruning**: many heads can be removed with little loss (Michel et al., 2019, *Are Sixteen Heads "
        "Really Better than One?*), which makes models smaller and faster.",
        "**Search and retrieval** (RAG) use exactly such sentence embeddings to find the passages an LLM reads.",
        "**BertViz** made the line view popular; here it runs on the weights computed by this page's own code.",
    ]
)
