"""Attention, step by step."""

import numpy as np
import streamlit as st

from engine import attention
from engine import heads as real_model
from ui import frame, widgets
from viz import attention as charts

frame.header(
    "Attention, step by step",
    "Every token asks a question, every token offers an answer, and a softmax decides who listens to whom.",
    "Each token's vector x is multiplied by three matrices: its **query** q (what it is looking for), its "
    "**key** k (what it offers to others) and its **value** v (what it passes on). The dot product q·k "
    "scores how well a key answers a query; softmax turns a row of scores into weights that sum to 1; and "
    "the output for a token is the weighted average of all value rows. Below, every one of these numbers "
    "is computed live — by a small random model, or by layer L of a real pretrained transformer.",
)
frame.formula(
    r"\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^{\top}}{\sqrt{d_k}}\right) V",
    r"Q = X W_Q,\quad K = X W_K,\quad V = X W_V",
)

SOURCES = {"toy": "small random model", "real": "MiniLM, real weights"}
DEFAULT_SENTENCE = "the animal did not cross the street because it was too tired"
SENTENCE_HELP = (
    f"Up to {attention.MAX_WORDS} words, split on spaces. The real model splits them further into word "
    "pieces and adds [CLS] and [SEP]. Text is only read, never run."
)

with st.container(border=True), frame.controls(label="Sentence and model"):
    text_column, source_column = st.columns([3, 2], gap="medium")
    with text_column:
        sentence = widgets.text("sentence", key="att_text", value=DEFAULT_SENTENCE, height=68, help=SENTENCE_HELP)
    with source_column:
        source = widgets.choice(
            "Q, K and V come from",
            key="att_source",
            options=list(SOURCES),
            value="toy",
            labels=SOURCES,
            help="A seeded random layer whose sizes you choose, or a layer of all-MiniLM-L6-v2 "
            "(6 layers × 12 heads, d_model 384, d_k 32), run on your sentence.",
        )
    sizes = st.columns(5)
    if source == "toy":
        with sizes[0]:
            d_model = widgets.slider("d_model", key="att_dmodel", min_value=2, max_value=attention.MAX_D_MODEL, value=8)
        with sizes[1]:
            d_k = widgets.slider("d_k (per head)", key="att_dk", min_value=1, max_value=attention.MAX_D_K, value=4)
        with sizes[2]:
            heads = widgets.slider("heads", key="att_heads", min_value=1, max_value=attention.MAX_HEADS, value=2)
        with sizes[3]:
            seed = int(
                widgets.number(
                    "weights (seed)", key="att_seed", value=0, min_value=0, max_value=9999, step=1, whole=True
                )
            )
    else:
        heads, d_k = 12, 32
        with sizes[0]:
            layer = widgets.slider("layer L", key="att_layer", min_value=0, max_value=5, value=2)
    with sizes[4] if source == "toy" else sizes[1]:
        head = widgets.position(
            "head shown", key="att_head", size=heads, help="Which head's Q, K, V and weights to show."
        )

# The first panel's header and its X, Q, K, V row come before the two switches below: those change the
# scores and everything after them, so they sit right above the scores, where a change shows. (In the
# box above, they were a screen away from the first chart they change.)
qkv_area = st.container()
with frame.controls(label="Scaling and mask"):
    switches = st.columns(2)
    with switches[0]:
        scaled = widgets.toggle("divide by √d_k", key="att_scaled", value=True)
    with switches[1]:
        causal = widgets.toggle(
            "causal mask (no looking ahead)",
            key="att_causal",
            help="As in GPT-style decoders: a token sees only itself and earlier tokens.",
        )


def compute(section: frame.Section):
    """This layer's attention, from the controls above (cached: every panel asks for the same one)."""
    if source == "toy":
        return section.run(
            attention.toy_attention, sentence, d_model, d_k, heads, seed, causal=causal, scaled=scaled, cache=True
        )
    return section.run(real_model.real_attention, sentence, layer, causal=causal, scaled=scaled, cache=True)


def matrices():
    with qkv_area:
        section = frame.Section(
            "X, then Q, K and V",
            "One row per token. X holds the tokens' vectors; Q, K and V are X times three learned matrices, "
            f"cut into {heads} head{'s' if heads > 1 else ''} of d_k = {d_k} columns each — this is head {head}.",
        )
        result = compute(section)
        if result is None:
            return None
        layer, tokens = result.layer, result.tokens
        t, width = result.x.shape
        section.chart_row(
            [
                charts.signed_matrix(result.x, tokens, title=f"X · {t}×{width}", name="X", panels=4),
                charts.signed_matrix(layer.q[head], tokens, title=f"Q = X W_Q · {t}×{d_k}", name="Q", panels=4),
                charts.signed_matrix(layer.k[head], tokens, title=f"K = X W_K · {t}×{d_k}", name="K", panels=4),
                charts.signed_matrix(layer.v[head], tokens, title=f"V = X W_V · {t}×{d_k}", name="V", panels=4),
            ],
            key="qkv",
            one_figure=True,
            widths=[2, 1, 1, 1] if width > 3 * d_k else None,
        )
    scores, weights = layer.attention.scores[head], layer.attention.weights[head]
    divide = f" / √{d_k}" if scaled else ""
    section.chart_row(
        [
            charts.signed_matrix(
                scores,
                tokens,
                title=f"scores Q Kᵀ{divide}{' (masked)' if causal else ''} · {t}×{t}",
                name="score",
                columns=tokens,
                panels=3,
                hover=charts.score_hover(result.raw_scores[head], tokens, divide),
            ),
            charts.weights_matrix(weights, tokens, title="softmax: each row sums to 1", panels=3),
            charts.signed_matrix(
                layer.attention.output[head], tokens, title=f"output = weights · V · {t}×{d_k}", name="output", panels=3
            ),
        ],
        key="scores",
        one_figure=True,
    )
    saturated = float(result.saturated[head])
    st.caption(
        f"Rows where one key takes over 99 % of the weight: {saturated:.0%}. Checked against PyTorch: "
        f"max |these heads − F.scaled_dot_product_attention| = {result.torch_gap:.1e}."
    )
    section.code_panel()
    return result


@st.fragment
def one_query() -> None:
    section = frame.Section(
        "One query, by hand",
        "Pick a token: its row of the weights is computed as dot products with every key, a softmax, and "
        "a weighted sum of the value rows.",
    )
    result = compute(section)
    if result is None:
        return
    layer, tokens = result.layer, result.tokens
    with frame.controls():
        query = widgets.position("query token", key="att_query", size=len(tokens), value=min(7, len(tokens) - 1))
    st.markdown(f"Query: **{frame.quoted(tokens[query])}** (position {query}), head {head}.")
    scores, weights = layer.attention.scores[head][query], layer.attention.weights[head][query]
    q, k, v = layer.q[head][query], layer.k[head], layer.v[head]
    top = int(np.argmax(weights))
    terms = " + ".join(f"({a:.2f})({b:.2f})" for a, b in zip(q[:4], k[top][:4], strict=True))
    more = r" + \dots" if d_k > 4 else ""
    divide = rf"\,/\,\sqrt{{{d_k}}}" if scaled else ""
    score, weight = float(scores[top]), float(weights[top])
    pair = rf"{query}\to {top}"
    frame.formula(
        # No \left[ ... \right]: KaTeX cannot break a line inside one, and on a phone this row must wrap.
        rf"s_{{{pair}}} = q \cdot k{divide} = \big[{terms}{more}\big]{divide} = {score:.3f}",
        rf"w_{{{pair}}} = \frac{{e^{{{score:.2f}}}}}{{\sum_j e^{{s_j}}}} = {weight:.3f}",
        caption=f"Worked for the key this query weighs most, “{frame.quoted(tokens[top])}” (position {top}); "
        "the masked keys of a causal layer score −∞ and get weight 0.",
    )
    section.chart_row(
        [charts.query_row(scores, weights, tokens, tokens[query]), charts.weighted_values(weights, v, tokens)],
        key="query",
    )
    section.code_panel(key="code-one-query")


def many_heads() -> None:
    section = frame.Section(
        "Many heads, side by side",
        f"Each of the {heads} heads has its own W_Q, W_K, W_V and so its own pattern. Their outputs are "
        "concatenated and mixed by one more matrix, W_O.",
    )
    result = compute(section)
    if result is None:
        return
    layer, tokens = result.layer, result.tokens
    frame.formula(
        rf"\mathrm{{MultiHead}}(X) = \mathrm{{Concat}}(\mathrm{{head}}_0, \dots, \mathrm{{head}}_{{{heads - 1}}})\,W_O"
        rf"\quad ({len(tokens)}\times{heads * d_k}) \cdot ({heads * d_k}\times{result.x.shape[1]})"
    )
    section.chart(charts.heads_grid(layer.attention.weights, tokens, columns=4 if heads > 4 else heads))
    section.chart_row(
        [
            charts.signed_matrix(
                layer.concat, tokens, title=f"Concat of the heads · {len(tokens)}×{heads * d_k}", name="concat"
            ),
            charts.signed_matrix(
                layer.output,
                tokens,
                title=f"× W_O = the layer's output · {len(tokens)}×{result.x.shape[1]}",
                name="output",
            ),
        ],
        key="concat",
        one_figure=True,
        timing=False,
    )
    section.code_panel(key="code-heads")


@st.fragment
def why_scale(current: tuple[int, float] | None) -> None:
    section = frame.Section(
        "Why divide by √d_k",
        "A dot product of two random vectors with d_k entries of variance 1 has variance d_k. Without the "
        "1/√d_k, wider heads give larger scores, softmax turns each row into a near one-hot vector, and "
        "almost no gradient flows to the other keys. With it, the spread stays the same at every width.",
    )
    with frame.controls():
        tokens = widgets.slider("tokens per row (T)", key="att_entropy_t", min_value=2, max_value=64, value=8)
    result = section.run(attention.entropy_by_width, tokens, cache=True)
    if result is None:
        return
    section.chart(charts.entropy_by_width(result, current=current))
    st.caption(
        f"Mean entropy of a row of softmax weights for random q and k ({result.rows:,} rows per width); a uniform row "
        f"has log₂ {tokens} = {result.uniform_bits:.2f} bits, a one-hot row 0. The pink dot is this page's "
        "layer, with the switch above."
    )
    section.code_panel()


shown = matrices()
one_query()
many_heads()
why_scale(None if shown is None else (d_k, shown.mean_entropy_bits))

frame.try_this(
    [
        "Switch **divide by √d_k** off, then raise d_k to 64: the softmax rows turn into single dark "
        "cells (one key takes all), and the entropy chart's pink dot falls from the blue curve to the red one.",
        "Type a sentence with a repeated word (*the cat saw the other cat*): with the toy model both "
        "copies have the same X row, so the same Q, K and V rows — attention by itself does not know the order.",
        "Choose **MiniLM, real weights** and walk through the layers and heads: some heads put almost all "
        "weight on [SEP] or [CLS], some on the previous or next token; in the default sentence look at the "
        "row of “it”.",
        "Turn on the **causal mask**: the upper triangle goes blank, the first token can only attend to "
        "itself (weight 1), and each row renormalises over the tokens before it.",
        "Set heads to 1 and d_k to 1: every score is a product of two numbers, so each row's order is "
        "fixed by the sign of the query.",
    ]
)
frame.where_in_ai(
    [
        "**Every transformer** — BERT, GPT, LLaMA, ViT, Whisper — runs this in every layer: GPT-3 has 96 "
        "layers of 96 heads each.",
        "**Causal masking** is what makes a decoder a language model: training on all positions at once "
        "without seeing the future.",
        "**The 1/√d_k** comes from the original Transformer paper (Vaswani et al., 2017); without it "
        "training stalls as heads get wider.",
        "**Cost**: the T×T score matrix grows with the square of the context length — the reason for "
        "FlashAttention, sliding windows and KV caches.",
    ]
)
