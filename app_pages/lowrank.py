"""Low rank and LoRA: how compressible MiniLM's real weights are, and LoRA learning a low-rank update."""

import streamlit as st

from engine import lora, lowrank
from ui import frame, widgets
from viz import lowrank as charts

frame.header(
    "Low rank and LoRA",
    "A weight matrix is a stack of rank-1 layers σᵢuᵢvᵢᵀ: keep r of them and you store r(m + n) numbers "
    "instead of m·n — if the matrix lets you.",
    "The SVD sorts a matrix's rank-1 layers by size. If the singular values fall fast, a few layers carry "
    "almost everything and the matrix compresses well; if they fall slowly, as for random noise, every layer "
    "matters. Below, a real weight matrix of all-MiniLM-L6-v2 is set beside a random matrix of the same shape and "
    "scale, its rank-r version is put back into the model, and then **LoRA** uses the same idea the other way "
    "round: it does not compress the weights, it learns a *change* to them that is low-rank by construction.",
)
frame.formula(
    r"W_r = U_r \Sigma_r V_r^{\top} = \sum_{i \le r} \sigma_i\, u_i v_i^{\top}",
    r"\frac{\lVert W - W_r \rVert_F}{\lVert W \rVert_F} = \sqrt{\frac{\sum_{i>r} \sigma_i^2}{\sum_i \sigma_i^2}}",
    r"\text{LoRA: } y = W x + b + B A x",
    r"B \in \mathbb{R}^{m \times r} \text{ (starts at 0)},\quad A \in \mathbb{R}^{r \times n}",
    caption="Eckart–Young: no rank-r matrix is closer to W in the Frobenius norm than the truncated SVD W_r.",
)

MATRIX_HELP = (
    "Q, K, V: the attention projections (384×384). Attention output: the projection after the heads (384×384). "
    "MLP in: 384 → 1536; MLP out: 1536 → 384."
)
DEFAULT_QUERY = "A cat is sleeping on the sofa."
DEFAULT_SENTENCES = "\n".join(
    [
        "A kitten naps on the couch.",
        "A dog is sleeping on the floor.",
        "The cat chased a mouse in the garden.",
        "Someone is playing the guitar.",
        "The stock market fell sharply today.",
    ]
)
VERDICTS = {
    "much": "is **much more compressible** than noise",
    "somewhat": "is **somewhat more compressible** than noise",
    "barely": "is **barely more compressible** than noise",
    "not": "is **no more compressible** than noise: the random matrix needs no higher a rank",
}

with st.container(border=True), frame.controls(label="Matrix, rank and seed"):
    pick_layer, pick_matrix, pick_rank, pick_seed = st.columns([1, 1.3, 2, 1])
    with pick_layer:
        layer = widgets.slider("layer", key="lr_layer", min_value=0, max_value=lowrank.LAYERS - 1, value=0)
    with pick_matrix:
        matrix = widgets.dropdown(
            "matrix", key="lr_matrix", options=list(lowrank.MATRICES), value="attention output", help=MATRIX_HELP
        )
    with pick_rank:
        rank = widgets.slider("rank r", key="lr_rank", min_value=1, max_value=384, value=48, step=1)
    with pick_seed:
        seed = widgets.number(
            "random seed", key="lr_seed", value=0, min_value=0, max_value=2**31 - 1, whole=True,
            help="Draws the random matrix and the LoRA task.",
        )  # fmt: skip


def percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def latex_count(count: int) -> str:
    """A count with thousands separators that KaTeX does not space out."""
    return f"{count:,}".replace(",", "{,}")


@st.fragment
def spectra_panel() -> None:
    section = frame.Section(
        "Trained weights against random noise",
        "Left: each singular value as a share of the matrix's Frobenius norm, so both matrices sit on one scale. "
        "Right: the relative error of the best rank-r approximation, and what its two factors cost to store. "
        "A matrix compresses well when its error curve is already low where the dotted storage line is still "
        "low; above 100 % the two factors cost more than W itself.",
    )
    sp = section.run(lowrank.spectra, layer, matrix, int(seed), cache=True)
    if sp is None:
        return
    section.chart_row([charts.spectra_figure(sp, rank), charts.error_figure(sp, rank)], key="spectra")
    m, n = sp.shape
    real_error, random_error = float(sp.real_error[rank - 1]), float(sp.random_error[rank - 1])
    stored = int(sp.params[rank - 1])
    first, second, third = st.columns(3)
    frame.metric(f"MiniLM error at r = {rank}", percent(real_error), place=first)
    frame.metric(f"random error at r = {rank}", percent(random_error), place=second)
    frame.metric(
        "numbers stored r(m + n)",
        f"{stored:,}",
        f"{percent(stored / sp.full_params)} of m·n = {sp.full_params:,}",
        place=third,
    )
    frame.formula(
        rf"r(m+n) = {rank}\cdot({m}+{n}) = {latex_count(stored)}\quad\text{{vs}}\quad "
        rf"m n = {m}\cdot{n} = {latex_count(sp.full_params)}"
    )
    mark = percent(lowrank.ERROR_MARK)
    st.markdown(
        f"**What the numbers say.** To get the error under {mark}, layer {layer}'s {matrix} matrix needs rank "
        f"**{sp.real_rank_at_mark}**, the random one rank **{sp.random_rank_at_mark}** "
        f"({sp.rank_ratio:.0%} of it): the trained matrix {VERDICTS[sp.verdict]}. Even so, rank "
        f"{sp.real_rank_at_mark} stores {percent(sp.storage_at_mark)} of W's {sp.full_params:,} numbers for a "
        f"{mark} error, and from rank {sp.break_even + 1} on the two factors store at least as many numbers as "
        "W itself. "
        + (
            f"This matrix does compress: {percent(sp.storage_at_mark)} of the numbers get the error under {mark}."
            if sp.compresses
            else "So this trained matrix is far from low-rank: the low-rank structure LoRA relies on is in the "
            "*change* fine-tuning makes, not in the weights themselves."
        )
    )
    if rank > sp.break_even:
        st.info(
            f"At r = {rank} the factors store {stored:,} numbers, at least the {sp.full_params:,} of W: "
            "a rank this high saves nothing.",
            icon=":material/info:",
        )
    section.code_panel()


@st.fragment
def model_panel() -> None:
    section = frame.Section(
        f"Layer {layer}'s {matrix} at rank {rank}, back in the model",
        "Only this one matrix is replaced by its rank-r approximation; the other 35 stay as trained. Each "
        "sentence is embedded by both models: how far does its embedding move, and does the ranking by "
        "similarity to the query survive?",
        key="back in the model",
    )
    controls, chart = st.columns([1, 2], gap="medium")
    with frame.controls(controls):
        query = widgets.text("query", key="lr_query", value=DEFAULT_QUERY, height=70)
        sentences = widgets.text(
            f"sentences, one per line (2 to {lowrank.MAX_SENTENCES})",
            key="lr_sentences",
            value=DEFAULT_SENTENCES,
            height=170,
        )
    shift = section.run(lowrank.rank_r_embeddings, layer, matrix, rank, query, sentences, cache=True)
    if shift is None:
        return
    with chart:
        section.chart(charts.ranking_figure(shift))
        st.dataframe(
            {
                "sentence": list(shift.sentences),
                "cos to its original": [f"{c:.4f}" for c in shift.sentence_cosine],
                "rank before": [shift.order_before.index(i) + 1 for i in range(len(shift.sentences))],
                "rank after": [shift.order_after.index(i) + 1 for i in range(len(shift.sentences))],
            },
            hide_index=True,
        )
    ranking = "unchanged" if shift.same_order else ("top match kept" if shift.same_top else "top match changed")
    cards = [
        frame.Card("cos(query, its original embedding)", f"{shift.query_cosine:.4f}"),
        frame.Card("‖W − W_r‖_F / ‖W‖_F", percent(shift.weight_error)),
        frame.Card("ranking of the sentences", ranking),
    ]
    frame.metric_cards(cards, beside=controls, after=chart)
    section.code_panel()


@st.fragment
def lora_panel() -> None:
    frozen_layer, frozen_matrix = lora.FROZEN
    section = frame.Section(
        "LoRA: learn a low-rank change by gradient descent",
        f"The frozen layer is MiniLM's layer {frozen_layer} {frozen_matrix} (W is 384×384, never updated). The "
        "task: new targets made by a hidden change ΔW* of a rank you choose. LoRA trains only B and A with Adam; "
        "B starts at zero, so the first step starts from exactly the frozen model. The inputs are spread evenly "
        "in every direction, so the best any rank-r update can do is the SVD's truncation of ΔW*.",
    )
    controls, chart = st.columns([1, 2.4], gap="medium")
    with frame.controls(controls):
        rank_r = widgets.slider("LoRA rank r", key="lr_lora_r", min_value=1, max_value=lora.MAX_RANK, value=4)
        hidden = widgets.slider("hidden change's rank", key="lr_hidden", min_value=1, max_value=lora.MAX_RANK, value=4)
        steps = widgets.log_slider("Adam steps", key="lr_steps", options=[50, 100, 200, 300, 600], value=300)
        lr = widgets.log_slider(
            "learning rate", key="lr_lr", options=[0.001, 0.003, 0.01, 0.03, 0.1], value=0.01,
            format_func=lambda v: f"{v:g}",
        )  # fmt: skip
    # Fitted in slices of time across reruns (ui/slices.py), so the loss falls on screen as Adam runs.
    fit = section.run_in_slices(
        lora.start_lora_fit, rank_r, hidden, steps, lr, int(seed),
        advance=lora.fit_steps,
        record=lora.fitted,
        so_far=lambda fit: f"fitting: step {fit.trained:,} of {fit.steps:,}",
    )  # fmt: skip
    if fit is None:
        return
    ended = "ended" if fit.finished else "is so far"
    with chart:
        section.chart_row([charts.loss_figure(fit), charts.singular_values_figure(fit)], key="lora")
        st.caption(f"Start: B = 0, so the output differs from the frozen layer's by {fit.start_gap:g}.")
        if fit.finished and not fit.converged:
            st.warning(
                f"The fit has not converged in {steps} steps: its loss is still well above the best rank-{rank_r} "
                "loss. Give it more steps, or try another learning rate.",
                icon=":material/warning:",
            )
        if rank_r < hidden:
            st.markdown(
                f"**r = {rank_r} < hidden rank {hidden}:** no rank-{rank_r} update can reproduce the change. The best "
                f"one, the SVD's top {rank_r} layers of ΔW*, still misses {percent(fit.error_best)} of it — the red "
                f"line in the loss chart. LoRA {ended} {percent(fit.error_learned)} away from ΔW* and "
                f"{percent(fit.distance_to_best)} away from that best update: gradient descent found the "
                f"{rank_r} largest directions of the change and had to leave the rest."
            )
        else:
            st.markdown(
                f"**r = {rank_r} ≥ hidden rank {hidden}:** a rank-{rank_r} update can match the change exactly, "
                f"and LoRA's BA {ended} {percent(fit.error_learned)} away from ΔW*, training "
                f"{fit.trainable:,} numbers instead of {fit.full:,}."
            )
    cards = [
        frame.Card(
            "trainable numbers r(m + n)",
            f"{fit.trainable:,}",
            f"{percent(fit.trainable / fit.full)} of full fine-tuning's {fit.full:,}",
        ),
        frame.Card("‖BA − ΔW*‖ / ‖ΔW*‖, LoRA", percent(fit.error_learned)),
        frame.Card("best possible at rank r (SVD)", percent(fit.error_best)),
        frame.Card("‖BA − best rank-r‖ / ‖best‖", percent(fit.distance_to_best)),
    ]
    frame.metric_cards(cards, beside=controls, after=chart)
    section.code_panel()
    section.keep_going()


spectra_panel()
model_panel()
lora_panel()

frame.try_this(
    [
        "Go through the six matrices of layer 0, then of layer 5: for which is the trained matrix furthest ahead "
        "of the random one? The sentence under the charts says it in numbers — and for some it is not ahead at all.",
        "Set r = 1 at layer 0, then at layer 5: the weight error is near 100 % in both, yet the embeddings move "
        "far more at one of them. Which layer, and which matrix, can the model least afford to compress?",
        "Change the seed: the random matrix's curve hardly moves — a large random matrix's spectrum is "
        "predictable (the Marchenko–Pastur law).",
        "In the LoRA panel, set r = 2 and the hidden rank to 6: the loss stops at the red line and the learned "
        "singular values copy the two largest hidden ones. Raise r to 6 and the loss falls to zero.",
        "Set the learning rate to 0.001 with 50 steps: the fit stops early and the page says so.",
    ]
)
frame.where_in_ai(
    [
        "**LoRA** (Hu et al., 2021) fine-tunes large language models by training only low-rank B and A next to "
        "frozen weights — often well under 1 % of the parameters — and the adapters can be swapped per task.",
        "**QLoRA** (Dettmers et al., 2023) keeps the frozen weights in 4-bit and trains LoRA adapters on top, so "
        "a 65-billion-parameter model can be fine-tuned on one GPU.",
        "**Intrinsic dimension** (Aghajanyan et al., 2020): fine-tuning works in a surprisingly small subspace, "
        "which is why a low-rank change is enough — the weights themselves are not low-rank.",
        "**Low-rank compression**: SVD-based methods factor the weight matrices of LLMs (e.g. SVD-LLM, ASVD), "
        "and low-rank factorisation of layers is an old tool for shrinking networks for phones.",
    ]
)
