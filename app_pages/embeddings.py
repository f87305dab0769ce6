"""Embeddings & similarity."""

import streamlit as st

from engine import search, transformer, words
from ui import frame, viewport, widgets
from viz import embeddings as charts

frame.header(
    "Embeddings & similarity",
    "Turn meaning into a list of numbers, and “similar” becomes “pointing the same way”.",
    "An **embedding** model maps a sentence (or a word) to a vector, trained so that texts with similar "
    "meaning get vectors at a small angle. Here the sentences go through all-MiniLM-L6-v2, a real "
    "pretrained transformer, which returns 384 numbers scaled to length 1; words come from GloVe, 50 "
    "numbers per word learned from co-occurrence counts. Comparing two texts is then one dot product — "
    "and searching a collection is many of them.",
)
frame.formula(
    r"\cos(a, b) = \frac{a \cdot b}{\lVert a\rVert\,\lVert b\rVert}",
    r"\lVert a - b\rVert^2 = \lVert a\rVert^2 + \lVert b\rVert^2 - 2\,a\cdot b = 2 - 2\cos(a, b)"
    r"\quad\text{when } \lVert a\rVert = \lVert b\rVert = 1",
)

DEFAULT_SENTENCES = "\n".join(
    [
        "A kitten is sleeping on the sofa.",
        "A young cat naps on the couch.",
        "My dog loves chasing a ball in the park.",
        "The stock market fell sharply today.",
        "Investors lost money as share prices dropped.",
        "Heavy rain is expected tomorrow.",
    ]
)
SENTENCES_HELP = (
    f"One sentence per line, at most {search.MAX_SENTENCES} (later lines are left out); empty lines are "
    f"skipped. The model reads at most {transformer.MAX_TOKENS} word pieces of each. Text is only read, never run."
)

with st.container(border=True), frame.controls(label="Sentences"):
    sentences_text = widgets.text(
        "sentences, one per line", key="emb_text", value=DEFAULT_SENTENCES, height=180, help=SENTENCES_HELP
    )


def sentences_panel() -> None:
    section = frame.Section(
        "Sentences as vectors",
        "Each line above becomes one 384-number vector. The matrix compares every pair: 1 on the diagonal "
        "(a sentence with itself), high for sentences that mean the same thing even with different words "
        "(1 and 2 share almost none), near 0 for unrelated topics.",
    )
    result = section.run(search.sentence_similarity, sentences_text, cache=True)
    if result is None:
        return
    notes = []
    if result.lines_left_out:
        notes.append(
            f"Only the first {search.MAX_SENTENCES} sentences are compared; {result.lines_left_out} more "
            f"line{'s were' if result.lines_left_out > 1 else ' was'} left out."
        )
    cut = [i for i, pieces in enumerate(result.pieces_cut) if pieces]
    if cut:
        named = "; ".join(f"{i + 1} (“{frame.quoted(result.sentences[i][:40])}…”)" for i in cut)
        notes.append(f"Cut at {transformer.MAX_TOKENS} word pieces, the rest unread: sentence {named}.")
    for note in notes:
        st.warning(note, icon=":material/content_cut:")
    # On a phone the row labels would take half the width: shorter there (hover has the whole sentence).
    label_chars = 16 if viewport.is_narrow() else 34
    section.chart(charts.similarity_matrix(result.cosine, result.sentences, label_chars=label_chars))
    lengths = result.lengths
    st.caption(
        f"Every embedding has length 1 (here from {lengths.min():.6f} to {lengths.max():.6f}), so the cosine "
        f"is just the dot product: the largest |cos − dot| in this matrix is {result.dot_gap:.1e}."
    )
    if result.closest is not None:
        i, j = result.closest
        terms = " + ".join(
            f"({x:.3f})({y:.3f})" for x, y in zip(result.embeddings[i, :3], result.embeddings[j, :3], strict=True)
        )
        frame.formula(
            rf"\cos(e_{{{i + 1}}}, e_{{{j + 1}}}) = e_{{{i + 1}}}\cdot e_{{{j + 1}}} = {terms} + \dots"
            rf" \;(384\text{{ terms}}) = {result.dot[i, j]:.3f}",
            caption=f"The most similar pair: “{frame.quoted(result.sentences[i][:60])}” and "
            f"“{frame.quoted(result.sentences[j][:60])}”.",
        )
    section.code_panel(key="code-sentences")


@st.fragment
def search_panel() -> None:
    section = frame.Section(
        "Semantic search",
        f"{len(search.TOPICS) * search.PER_TOPIC} sentences on {len(search.TOPICS)} topics "
        f"({', '.join(search.TOPICS)}) are embedded once. A query is embedded too, and the corpus is ranked "
        "by how close each sentence's vector is to the query's — by cosine, by dot product and by Euclidean "
        "distance. A keyword search, which counts the words the query shares with each sentence, is the "
        "baseline.",
    )
    controls, plot = st.columns([1, 2], gap="medium")
    with frame.controls(controls):
        query = widgets.text(
            "query",
            key="emb_query",
            value="my dog is sick",
            height=68,
            help=f"A question or a sentence, at most {search.MAX_QUERY_CHARS:,} characters.",
        )
        k = widgets.slider("results (k)", key="emb_k", min_value=1, max_value=search.MAX_RESULTS, value=5)
    with plot:
        result = section.run(search.semantic_search, query, k, cache=True)
        if result is None:
            return
        if result.query_pieces_cut:
            st.warning(f"The query was cut at {transformer.MAX_TOKENS} word pieces.", icon=":material/content_cut:")
        section.chart(charts.search_scores(result))
    st.caption(
        f"The three rankings agree: each embedding has length 1, so q·x = cos(q, x), and ‖q − x‖² = 2 − 2 cos "
        f"(largest deviation over the corpus: {result.identity_gap:.1e}) — the nearest point is the one at the "
        f"smallest angle. The corpus took {result.corpus_seconds:.2f} s to embed, once for this server."
    )
    st.markdown(f"**Top {k} by meaning** (MiniLM): the rank by each measure, and the words shared with the query")
    st.dataframe(
        {
            "rank by cos": list(range(1, len(result.by_cosine) + 1)),
            "sentence": [result.sentences[r] for r in result.by_cosine],
            "topic": [result.topics[r] for r in result.by_cosine],
            "cos": [f"{result.cosine[r]:.3f}" for r in result.by_cosine],
            "rank by q·x": [int(result.rank_dot[r]) for r in result.by_cosine],
            "‖q − x‖": [f"{result.distance[r]:.3f}" for r in result.by_cosine],
            "rank by distance": [int(result.rank_distance[r]) for r in result.by_cosine],
            "shared words": [int(result.overlap[r]) for r in result.by_cosine],
        },
        hide_index=True,
    )
    st.markdown(f"**Top {k} by shared words** (keyword baseline: words in common with the query, ties in corpus order)")
    st.dataframe(
        {
            "rank": list(range(1, len(result.by_overlap) + 1)),
            "sentence": [result.sentences[r] for r in result.by_overlap],
            "topic": [result.topics[r] for r in result.by_overlap],
            "shared words": [int(result.overlap[r]) for r in result.by_overlap],
            "rank by cos": [int(result.rank_cosine[r]) for r in result.by_overlap],
        },
        hide_index=True,
    )
    section.code_panel(key="code-search")


PRESETS = {a: f"{a} - {b} + {c}" for a, b, c, _ in words.ANALOGY_PRESETS}
EXPECTED = {f"{a} - {b} + {c}": d for a, b, c, d in words.ANALOGY_PRESETS}


def use_preset() -> None:
    """Preset callback: write the chosen analogy into the box, which is what the page computes."""
    st.session_state["emb_analogy"] = PRESETS[st.session_state["emb_preset"]]


@st.fragment
def analogy_panel() -> None:
    section = frame.Section(
        "Word analogies",
        "In GloVe's 50-d space, directions carry meaning: king − man is roughly queen − woman. So "
        "a − b + c lands near the word that completes “b is to a as c is to ?”. The words nearest to that "
        "point, leaving out a, b and c themselves, are the model's answer.",
    )
    controls, plots = st.columns([1, 3.2], gap="medium")
    with frame.controls(controls):
        preset = widgets.dropdown(
            "fill in a classic",
            key="emb_preset",
            options=list(PRESETS),
            value="king",
            labels=PRESETS,
            on_change=use_preset,
        )
        typed = widgets.text(
            "a - b + c",
            key="emb_analogy",
            value=PRESETS[preset],  # a link naming only the preset gets its analogy
            height=68,
            help="Three single English words, written as a - b + c. Words are lowercased.",
        )
        k = widgets.slider("nearest words", key="emb_analogy_k", min_value=3, max_value=search.MAX_NEIGHBOURS, value=6)
    with plots:
        result = section.run(search.analogy_map, typed, k, cache=True)
        if result is None:
            return
        title = f"nearest to {result.a} − {result.b} + {result.c}"
        section.chart_row(
            [charts.neighbour_bars(result.words, result.scores, title=title), charts.analogy_plane(result)],
            key="analogy",
            widths=[1, 1.6],
        )
    expected = EXPECTED.get(f"{result.a} - {result.b} + {result.c}")
    verdict = ""
    if expected is not None:
        place = result.words.index(expected) + 1 if expected in result.words else None
        verdict = f" The expected word, *{expected}*, is " + (f"number {place}." if place else f"not in the top {k}.")
    st.caption(
        "The PCA is fitted on the points drawn — a, b, c and their nearest words — and a − b + c is projected "
        "with it. A projection is linear, so the blue arrows stay equal and the shape stays a parallelogram; "
        f"only {result.kept:.0%} of these words' variance fits in the two axes, so a word close to "
        "the star in 50-d can look farther away here." + verdict
    )
    section.code_panel(key="code-analogy")


DEFAULT_WORDS = "\n".join(
    [
        "animals: dog, cat, horse, cow, lion",
        "countries: france, germany, japan, brazil, italy",
        "numbers: one, two, three, four, five",
        "verbs: run, walk, swim, jump, eat",
    ]
)
SOURCES = {"words": "words (GloVe, 50-d)", "sentences": "the sentences above (MiniLM, 384-d)"}


@st.fragment
def map_panel(sentences: str) -> None:
    section = frame.Section(
        "A map of meaning",
        "Embeddings have too many dimensions to draw, so PCA finds the two (or three) directions along which "
        "these points spread the most and projects onto them. Related words and sentences gather in clusters.",
    )
    controls, plot = st.columns([1, 2.4], gap="medium")
    with frame.controls(controls):
        source = widgets.choice("points", key="emb_map_source", options=list(SOURCES), value="words", labels=SOURCES)
        dims = 3 if widgets.toggle("3-D", key="emb_map_3d", help="Three principal components; drag to turn.") else 2
        if source == "words":
            listed = widgets.text(
                "words, one group per line",
                key="emb_map_words",
                value=DEFAULT_WORDS,
                height=150,
                help=f"“group: word, word, …” colours the words by group; a line without “group:” has none. "
                f"At most {search.MAX_MAP_WORDS} words.",
            )
    with plot:
        if source == "words":
            result = section.run(search.word_map, listed, dims, cache=True)
        else:
            result = section.run(search.sentence_map, sentences, dims, cache=True)
        if result is None:
            return
        kind = "words (GloVe)" if source == "words" else "sentences (MiniLM)"
        section.chart(charts.meaning_map(result, title=f"{len(result.labels)} {kind} on {dims} principal components"))
    shares = " + ".join(f"{r:.0%}" for r in result.explained)
    colour = (
        "Colours: the groups typed."
        if source == "words"
        else "Colours: the topic of each sentence's nearest neighbour in the search corpus."
    )
    st.caption(
        f"The {dims} axes keep {shares} = {result.kept:.0%} of the variance of these "
        f"{len(result.labels)} vectors in {result.width} dimensions; the rest is flattened away, so points "
        f"close on the map may be far apart in the full space. {colour}"
    )
    section.code_panel(key="code-map")


sentences_panel()
search_panel()
analogy_panel()
map_panel(sentences_text)

frame.try_this(
    [
        "Add the line *Expect a wet day with storms.* to the sentences: it scores about 0.67 with *Heavy rain "
        "is expected tomorrow.* although the two share no word.",
        "Add *The sofa is sleeping on a kitten.*: about 0.98 with sentence 1. MiniLM averages its token "
        "vectors (mean pooling), so word order barely counts — a nonsense sentence can pass for a paraphrase.",
        "Search for *my puppy is unwell*: the semantic list is all about animals and vets, while the keyword "
        "list fills with sentences that merely share “my” or “is”. Then try the idiom *feeling under the "
        "weather*: the model reads it as weather, not illness.",
        "Try the analogy *paris - france + japan* (tokyo comes first), then *bigger - big + small*: *smaller* "
        "is only third, behind *larger* and *large* — some relations are learned better than others.",
        "In the map, switch on **3-D** and turn it: the five numbers stay one tight knot — in GloVe they are "
        "used in almost the same contexts.",
        "Switch the map to **the sentences above**: each paraphrase pair sits together.",
    ]
)
frame.where_in_ai(
    [
        "**Retrieval-augmented generation (RAG)**: a chatbot embeds your question, finds the nearest "
        "passages in a vector database, and pastes them into its prompt.",
        "**Vector databases** (FAISS, pgvector, Pinecone) store millions of unit vectors and answer "
        "“nearest by cosine” with approximate search — which is why normalising first is standard.",
        "**Recommendations, deduplication, clustering**: items close in embedding space are treated as alike.",
        "**Word2vec and GloVe** (2013–14) showed that analogies appear as vector offsets; every language "
        "model's first layer is such an embedding table.",
    ]
)
