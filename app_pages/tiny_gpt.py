"""A tiny GPT, trained live: every earlier lesson at work in one character-level transformer."""

import inspect

import pandas as pd
import streamlit as st

from engine import gpt_corpus, gpt_sampling, gpt_training, tiny_gpt
from engine.gpt_training import DEFAULTS as D
from ui import frame, widgets
from viz import attention as attention_charts
from viz import tiny_gpt as charts

frame.header(
    "A tiny GPT, trained live",
    "Embeddings, attention, softmax, cross-entropy and an optimizer — all at once, learning to write Shakespeare.",
    "This is a real decoder-only transformer, the design of GPT, shrunk to run on a laptop: it reads characters, "
    "turns each into a vector (an **embedding**), lets every position **attend** to the ones before it, and ends "
    "in a **softmax** over the next character. Training lowers the **cross-entropy** of the true next character "
    "with **AdamW**. Press Train and watch the loss fall below what counting letters (unigram) and counting pairs "
    "(bigram) can do; then make it write, and look inside at what its heads attend to.",
)

CORPUS_HELP = (
    "Shakespeare's Hamlet (174 KB) or his Sonnets (96 KB), public domain, shipped with the app; or paste your own."
)
RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03]
STEPS = [50, 100, 200, 500, 1000, 2000]
BATCHES = [4, 8, 16, 32, 64]
WIDTHS = [16, 32, 64, 128]
CONTEXTS = [16, 32, 64, 128]
TEMPERATURES = [0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0]
TOP_KS = [0, 1, 2, 3, 5, 10, 20, 40]
DEFAULT_PROMPT = "Ham.\nTo be, or not"
DEFAULT_READ = "What a piece of work is a man!"
SETTINGS = ("source", "own_text", "layers", "heads", "d_model", "context", "lr", "steps", "batch_size", "seed")


def _request_training() -> None:
    st.session_state["gpt_train_now"] = True


@st.fragment
def train_panel():
    section = frame.Section(
        "Train it",
        "Each step shows the model random windows of the text and nudges every weight to make the true next "
        "characters more likely. The curves are measured on fixed windows of the training text and of the last "
        "tenth of the text, which it never trains on.",
    )
    controls, results = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        st.markdown("**Text**")
        source = widgets.dropdown(
            "corpus", key="gpt_corpus", options=list(gpt_corpus.SOURCES), value="Hamlet", help=CORPUS_HELP
        )
        own_text = ""
        if source == gpt_corpus.OWN_TEXT:
            # Not in the URL: a pasted text of up to 1 MB cannot travel in a link.
            own_text = st.text_area(
                "your text (at least 2,000 characters)",
                key="gpt_own_text",
                height=150,
                max_chars=gpt_corpus.MAX_OWN_BYTES,
                help="Any language, any characters: the vocabulary is the characters your text uses.",
            )
        st.markdown("**Model**")
        layers = widgets.slider("layers", key="gpt_layers", min_value=1, max_value=4, value=D["layers"])
        heads = widgets.choice("heads per layer", key="gpt_heads", options=[1, 2, 4], value=D["heads"])
        d_model = widgets.log_slider("d_model (embedding width)", key="gpt_dmodel", options=WIDTHS, value=D["d_model"])
        context = widgets.log_slider("context (characters)", key="gpt_context", options=CONTEXTS, value=D["context"])
        st.markdown("**Training**")
        lr = widgets.log_slider("learning rate (AdamW)", key="gpt_lr", options=RATES, value=D["lr"])
        steps = widgets.log_slider("steps", key="gpt_steps", options=STEPS, value=D["steps"])
        batch = widgets.log_slider("batch (windows per step)", key="gpt_batch", options=BATCHES, value=D["batch_size"])
        seed = int(widgets.number("seed", key="gpt_seed", value=D["seed"], min_value=0, max_value=9999, whole=True))
        st.button("Train", key="gpt_train", type="primary", icon=":material/play_arrow:", on_click=_request_training)
    wanted = dict(
        zip(SETTINGS, (source, own_text, layers, heads, d_model, context, lr, steps, batch, seed), strict=True)
    )
    train_now = st.session_state.pop("gpt_train_now", False)
    if "gpt_shown" not in st.session_state or train_now:
        st.session_state["gpt_shown"] = wanted
    shown = st.session_state["gpt_shown"]
    with results:
        run = _train(section, shown)
        last_good = st.session_state.get("gpt_good")
        if run is None and last_good not in (None, shown):  # refused: keep showing the last model trained
            st.session_state["gpt_shown"] = shown = last_good
            run = _train(section, shown)
        if run is None:
            return None
        st.session_state["gpt_good"] = shown
        if train_now and st.session_state.get("gpt_panels_key") != run.key:
            st.rerun()  # the panels below show the new model
        if shown != wanted:
            st.info("The controls have changed: press **Train** to train that model. Below is the last one trained.")
        held_out, bigram, unigram = st.columns(3)
        frame.metric("held-out loss", f"{float(run.val_loss[-1]):.3f}", help="nats per character", place=held_out)
        frame.metric("bigram model", f"{run.bigram_held_out:.3f}", help="on the same held-out text", place=bigram)
        frame.metric("unigram entropy", f"{run.unigram_entropy:.3f}", help="H of the letter counts", place=unigram)
        section.chart(charts.loss_figure(run))
        st.caption(
            f"{run.parameters:,} parameters, trained in {run.seconds:.1f} s. "
            f"{run.train_chars:,} characters to train on, {run.held_out_chars:,} held out, {len(run.chars)} distinct. "
            f"One bit is ln 2 = 0.693 nats: {float(run.val_loss[-1]) / 0.6931471805599453:.2f} bits per character."
        )
        if run.diverged_at is not None:
            st.error(
                f"Training diverged at step {run.diverged_at}: the loss stopped being a finite number. "
                "Lower the learning rate.",
                icon=":material/trending_up:",
            )
    section.code_panel()
    with st.expander(
        "Code · the model (engine/tiny_gpt.py)",
        icon=":material/code:",
        key="code-gpt-model",
        on_change="rerun",
        bind=widgets.BIND,
    ) as panel:
        if panel.open:
            st.code(inspect.getsource(tiny_gpt), language="python")
    return run


def _train(section: frame.Section, shown: dict):
    """The shown settings' model: from memory, or trained now with a progress bar and a live loss curve."""
    if gpt_training.is_trained(**shown):
        return section.run(gpt_training.train_gpt, *shown.values())
    note, bar, live = st.empty(), st.empty(), st.empty()

    def listen(progress: gpt_training.Progress) -> None:
        if progress.waiting:
            note.info("Another visitor's model is training on this server; yours starts as soon as it finishes.")
            return
        note.empty()
        bar.progress(
            progress.done,
            text=f"Training · step {progress.eval_steps[-1]:,} of {shown['steps']:,} · loss "
            f"{progress.train_loss[-1]:.3f} (held-out {progress.val_loss[-1]:.3f})",
        )
        curves = {"training text": progress.train_loss, "held-out text": progress.val_loss}
        live.line_chart(pd.DataFrame(curves, index=pd.Index(progress.eval_steps, name="step")), height=260)

    run = section.run(gpt_training.train_gpt, *shown.values(), listen=listen)
    for place in (note, bar, live):
        place.empty()
    return run


@st.fragment
def generate_panel(key: str, chars: tuple) -> None:
    section = frame.Section(
        "Let it write",
        "Each character is drawn from the model's softmax over the next character, after the softmax page's "
        "temperature, top-k and top-p. Then it is appended, and the model reads the text again.",
    )
    controls, results = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        prompt = widgets.text(
            "prompt",
            key="gpt_prompt",
            value=DEFAULT_PROMPT,
            height=80,
            help=f"Where the model starts writing; at most {gpt_sampling.MAX_PROMPT_CHARS} characters.",
        )
        temperature = widgets.log_slider("temperature T", key="gpt_temp", options=TEMPERATURES, value=0.8)
        top_k = widgets.log_slider(
            "top-k", key="gpt_topk", options=TOP_KS, value=0, format_func=lambda k: "all" if k == 0 else str(k)
        )
        top_p = widgets.slider("top-p", key="gpt_topp", min_value=0.05, max_value=1.0, value=1.0, step=0.05)
        length = widgets.slider("characters", key="gpt_length", min_value=20, max_value=500, value=200, step=20)
        seed = int(
            widgets.number("sampling seed", key="gpt_sample_seed", value=0, min_value=0, max_value=9999, whole=True)
        )
    # Written in slices of time across reruns (ui/slices.py): the text appears as it is drawn, as a chat model's does.
    gen = section.run_in_slices(
        gpt_sampling.start_writing, key, prompt, length, temperature, top_k, top_p, seed,
        advance=gpt_sampling.write_chars,
        record=gpt_sampling.written,
        so_far=lambda gen: f"writing: character {len(gen.text):,} of {gen.length:,}",
    )  # fmt: skip
    if gen is None:
        return
    with results:
        st.code(gen.prompt + gen.text, language=None, wrap_lines=True)
        if gen.finished:
            step = widgets.position(
                "look at the step that drew character", key="gpt_step", size=len(gen.text), value=len(gen.text) - 1
            )
        else:  # the newest character; a slider whose range grows would keep (and link) a step of the first picture
            step = len(gen.text) - 1
            st.caption("Writing… once the text is done, a slider here looks at the step behind each character.")
        drawn, spread, surprise = st.columns(3)
        frame.metric("drawn", gpt_corpus.shown_char(gen.text[step]), place=drawn)
        frame.metric("entropy at that step", f"{float(gen.entropy_bits[step]):.2f} bits", place=spread)
        frame.metric(
            "mean surprise", f"{gen.mean_nats:.3f} nats", help="-ln p at T = 1, per drawn character", place=surprise
        )
        section.chart(charts.probability_figure([gpt_corpus.shown_char(c) for c in chars], gen, step))
        st.markdown("**Entropy of every draw** (the red bar is the step above)")
        section.chart(charts.surprise_figure(chars, gen, step))
    section.code_panel()
    section.keep_going()


@st.fragment
def attention_panel(key: str, layers: int, heads: int) -> None:
    section = frame.Section(
        "What its heads look at",
        "The attention page's weights, from the model you just trained: row t is position t reading the text "
        "so far (the causal mask hides the future, so the upper triangle is empty).",
    )
    controls, results = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        text = widgets.text("text to read", key="gpt_read", value=DEFAULT_READ, height=80)
        layer = widgets.position("layer", key="gpt_layer", size=layers, value=layers - 1)
    seen = section.run(gpt_sampling.attention_map, key, text, cache=True)
    if seen is None:
        return
    with results:
        if seen.clipped:
            st.info(f"The model reads at most its context: the first {seen.clipped} characters were left out.")
        titles = [f"layer {layer} · head {h}" for h in range(heads)]
        section.chart(attention_charts.heads_grid(seen.weights[layer], seen.tokens, columns=2, titles=titles))
        st.caption(
            f"Its best guess for the next character: **{frame.quoted(seen.next_char)}** (p = {seen.next_prob:.2f})."
        )
    section.code_panel()


@st.fragment
def embedding_panel(key: str) -> None:
    section = frame.Section(
        "Where it put each character",
        "Each character's embedding row (d_model numbers, learned from nothing) drawn on its first two principal "
        "components, as on the PCA page. Characters used alike end up close.",
    )
    emap = section.run(gpt_sampling.embedding_map, key, cache=True)
    if emap is None:
        return
    section.chart(charts.embedding_figure(emap))
    st.caption(f"These two directions keep {emap.variance_kept:.0%} of the embeddings' variance.")
    section.code_panel()


frame.formula(
    r"L = -\frac{1}{N}\sum_{t} \ln p_\theta\left(x_{t+1} \mid x_{\le t}\right),"
    r"\quad p_\theta = \mathrm{softmax}\left(\mathrm{LN}(h_t)\, W_{\text{out}}\right)",
    caption="The loss of a language model: the average surprise at the true next character, in nats.",
)
trained = train_panel()
if trained is not None:
    st.session_state["gpt_panels_key"] = trained.key
    generate_panel(trained.key, trained.chars)
    attention_panel(trained.key, trained.layers, trained.heads)
    embedding_panel(trained.key)

frame.try_this(
    [
        "Watch the first steps: the loss drops from ln V ≈ 4.2 (a uniform guess) through the unigram line within "
        "about ten steps — which letters are common is the first thing learned — and then on towards the bigram.",
        "Train with 1 layer, then 2: where does the held-out loss cross the bigram line? Below it, the model uses "
        "more than the previous character.",
        "Set the temperature to 0.1: the text becomes repetitive (always the likeliest character). At 2 it becomes "
        "a jumble. Step through the draws and watch the bars flatten as T grows.",
        "Compare the training and held-out curves: on Hamlet they stay within about 0.1 nats of each other — what "
        "the model learned from the training text carries over to the tenth it never saw.",
        "In the embedding map, find the vowels, the capitals and the punctuation: nobody told the model these "
        "groups exist.",
        "Raise the learning rate to 0.03: the loss stalls near 2.6 nats. Lower it to 0.0001: after 500 steps it is "
        "still falling, also near 2.6. The default 0.003 reaches about 2.15: too large and too small both cost.",
    ]
)
frame.where_in_ai(
    [
        "**GPT-2, GPT-4, Llama** are this model, scaled up: tokens instead of characters, 12–100+ layers instead of "
        "2, thousands of dimensions instead of 64 — and the same loss.",
        "**The bigram model** is where language modelling started (Shannon, 1948); attention is what lets a model "
        "use the whole context instead of one previous character.",
        "**Held-out loss** (or its exponent, perplexity) is how language models are compared.",
        "**Temperature and top-p** are the sampling knobs of every chat model's API.",
    ]
)
