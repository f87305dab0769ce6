"""Embeddings in use: sentence similarity, semantic search, word analogies, and maps of meaning.

Sentences are embedded by the real MiniLM (engine/transformer.py): 384 numbers of unit length, so
the cosine of two sentences is their dot product, and ranking by cosine, by dot product or by
Euclidean distance gives the same order (‖a − b‖² = 2 − 2 cos for unit vectors). The search corpus
(data/search_corpus.txt, 12 topics × 20 sentences) is embedded once per process. Words come from
GloVe (engine/words.py); maps are 2-D or 3-D PCA projections (engine/pca.py).

Typed text is data: it is checked, control and invisible format characters (RTL overrides,
zero-width marks) are dropped, and nothing in it is ever run.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import torch

from engine.checks import int_in_range
from engine.device import once_per_device, resolve_device
from engine.pca import pca, project
from engine.transformer import MAX_CHARS, embed, load_minilm, tokenize
from engine.words import analogy, lookup

CORPUS_FILE = Path(__file__).resolve().parents[1] / "data" / "search_corpus.txt"
TOPICS = (
    "cooking", "sport", "space", "animals", "music", "programming",
    "health", "weather", "finance", "history", "travel", "machine learning",
)  # fmt: skip
PER_TOPIC = 20  # the corpus holds its topics in this order, 20 sentences each
CORPUS_BATCH = 32  # sentences per forward pass when embedding the corpus
MAX_SENTENCES = 12  # sentences compared at once: a 12 × 12 matrix still has room for its numbers
MAX_BOX_CHARS = MAX_CHARS  # 20,000 characters in the box of sentences or of words
MAX_QUERY_CHARS = 1_000
MAX_RESULTS = 10  # k of top-k
MAX_NEIGHBOURS = 10  # words listed around an analogy
MAX_MAP_WORDS = 40  # points on a map of words (more and the labels cover each other)
MIN_MAP_POINTS = 3
_DROPPED = ("Cc", "Cf", "Cs", "Co", "Cn")  # control, invisible format (RTL marks), surrogate, private, unassigned


def clean_text(text: str, what: str, limit: int) -> str:
    """``text`` in NFC with control and format characters dropped (a tab becomes a space; newlines stay)."""
    if not isinstance(text, str):
        raise ValueError(f"{what} must be text, not {type(text).__name__}.")
    if len(text) > limit:
        raise ValueError(f"{what} has {len(text):,} characters; the limit is {limit:,}.")
    lines = unicodedata.normalize("NFC", text).replace("\t", " ").splitlines()
    return "\n".join("".join(c for c in line if unicodedata.category(c) not in _DROPPED) for line in lines)


def sentence_lines(text: str) -> tuple[tuple[str, ...], int]:
    """The non-empty lines of ``text`` (at most MAX_SENTENCES) and how many more lines were left out."""
    lines = [line.strip() for line in clean_text(text, "The box of sentences", MAX_BOX_CHARS).split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError("There is no sentence to embed: type one or more sentences, one per line.")
    return tuple(lines[:MAX_SENTENCES]), max(0, len(lines) - MAX_SENTENCES)


def _cut_pieces(sentences: tuple[str, ...], device) -> tuple[int, ...]:
    """Word pieces beyond MAX_TOKENS in each sentence (the model reads only the first 128)."""
    model = load_minilm(device)
    cut = []
    for number, sentence in enumerate(sentences, 1):
        try:
            cut.append(tokenize(model, sentence).dropped)
        except ValueError as err:
            raise ValueError(f"Line {number}: {err}") from err
    return tuple(cut)


@dataclass(frozen=True)
class Similarity:
    sentences: tuple[str, ...]  # as embedded, in the order typed
    embeddings: torch.Tensor  # (n, 384) unit length
    lengths: torch.Tensor  # (n,) ‖e_i‖, 1 up to rounding
    cosine: torch.Tensor  # (n, n) e_i·e_j / (‖e_i‖ ‖e_j‖)
    dot: torch.Tensor  # (n, n) e_i·e_j
    dot_gap: float  # max |cos − dot|: zero up to rounding, because every length is 1
    closest: tuple[int, int] | None  # the most similar pair of different sentences (None for one sentence)
    pieces_cut: tuple[int, ...]  # word pieces cut from each sentence (0: read whole)
    lines_left_out: int  # non-empty lines after the first MAX_SENTENCES


def sentence_similarity(text: str, *, device=None) -> Similarity:
    """Embed each line of ``text`` with MiniLM and compare every pair by cosine similarity."""
    dev = resolve_device(device)
    sentences, left_out = sentence_lines(text)
    cut = _cut_pieces(sentences, dev)
    e = embed(sentences, device=dev)
    lengths = torch.linalg.vector_norm(e, dim=1)
    dot = e @ e.T
    cosine = (dot / (lengths[:, None] * lengths[None, :])).clamp(-1.0, 1.0)
    gap = float((cosine - dot).abs().max())
    n = len(sentences)
    others = cosine.masked_fill(torch.eye(n, dtype=torch.bool, device=dev), -torch.inf)
    closest = divmod(int(others.argmax()), n) if n > 1 else None
    return Similarity(sentences, e, lengths, cosine, dot, gap, closest, cut, left_out)


@dataclass(frozen=True, eq=False)
class Corpus:
    sentences: tuple[str, ...]
    topics: tuple[str, ...]  # each sentence's topic
    embeddings: torch.Tensor  # (N, 384) unit length, on the device it was computed on
    seconds: float  # how long embedding the corpus took


def _embed_corpus(dev: torch.device) -> Corpus:
    """The search corpus and its MiniLM embeddings (``corpus`` keeps one per device)."""
    sentences = tuple(line.strip() for line in CORPUS_FILE.read_text(encoding="utf-8").splitlines() if line.strip())
    if len(sentences) != len(TOPICS) * PER_TOPIC:
        raise ValueError(f"{CORPUS_FILE.name} has {len(sentences)} sentences; expected {len(TOPICS) * PER_TOPIC}.")
    start = time.perf_counter()
    # Sentences of similar length share a batch, so little of each forward pass is padding.
    model = load_minilm(dev)
    order = sorted(range(len(sentences)), key=lambda i: len(tokenize(model, sentences[i]).ids))
    embeddings = torch.empty(len(sentences), model.config.hidden, device=dev)
    for first in range(0, len(order), CORPUS_BATCH):
        rows = order[first : first + CORPUS_BATCH]
        embeddings[rows] = embed([sentences[i] for i in rows], device=dev)
    topics = tuple(TOPICS[i // PER_TOPIC] for i in range(len(sentences)))
    return Corpus(sentences, topics, embeddings, time.perf_counter() - start)


# The corpus embedded on a device, on the first call in this process, and shared afterwards.
corpus = once_per_device(_embed_corpus)


def words_of(text: str) -> frozenset[str]:
    """The distinct words of ``text``, lowercased: what a plain keyword search compares."""
    return frozenset(re.findall(r"\w+", text.casefold()))


@dataclass(frozen=True)
class Search:
    query: str
    query_pieces_cut: int
    sentences: tuple[str, ...]  # the whole corpus
    topics: tuple[str, ...]
    cosine: torch.Tensor  # (N,) cos(q, x_i)
    dot: torch.Tensor  # (N,) q·x_i
    distance: torch.Tensor  # (N,) ‖q − x_i‖
    overlap: torch.Tensor  # (N,) int64: words the query shares with x_i
    by_cosine: torch.Tensor  # (k,) rows, most similar first
    by_dot: torch.Tensor  # (k,)
    by_distance: torch.Tensor  # (k,) nearest first
    by_overlap: torch.Tensor  # (k,) most shared words first; ties in corpus order
    rank_cosine: torch.Tensor  # (N,) each sentence's place, 1 = best, in the full ranking by cosine
    rank_dot: torch.Tensor  # (N,) ... by dot product
    rank_distance: torch.Tensor  # (N,) ... by distance
    identity_gap: float  # max over the corpus of |‖q − x‖² − (2 − 2 cos)|
    corpus_seconds: float


def _order(values: torch.Tensor, *, largest: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows from best to worst (equal values keep corpus order), and each row's place (1 = best)."""
    order = torch.sort(values, descending=largest, stable=True).indices
    place = torch.empty_like(order)
    place[order] = torch.arange(1, len(order) + 1, device=order.device)
    return order, place


def semantic_search(query: str, k: int = 5, *, device=None) -> Search:
    """Rank the corpus against ``query`` by cosine, dot product, Euclidean distance and shared words."""
    dev = resolve_device(device)
    k = int_in_range("The number of results k", k, 1, MAX_RESULTS)
    query = " ".join(clean_text(query, "The query", MAX_QUERY_CHARS).split())
    if not query:
        raise ValueError("The query is empty: type a question or a sentence to search for.")
    cut = _cut_pieces((query,), dev)[0]
    base = corpus(dev)
    x, q = base.embeddings, embed([query], device=dev)[0]
    dot = x @ q
    cosine = (dot / (torch.linalg.vector_norm(x, dim=1) * torch.linalg.vector_norm(q))).clamp(-1.0, 1.0)
    distance = torch.linalg.vector_norm(x - q, dim=1)
    asked = words_of(query)
    overlap = torch.tensor([len(asked & words_of(s)) for s in base.sentences], dtype=torch.int64)
    gap = float((distance**2 - (2 - 2 * cosine)).abs().max())
    (by_cos, rank_cos), (by_dot, rank_dot) = _order(cosine), _order(dot)
    by_distance, rank_distance = _order(distance, largest=False)
    return Search(
        query=query, query_pieces_cut=cut, sentences=base.sentences, topics=base.topics,
        cosine=cosine, dot=dot, distance=distance, overlap=overlap,
        by_cosine=by_cos[:k], by_dot=by_dot[:k], by_distance=by_distance[:k], by_overlap=_order(overlap)[0][:k],
        rank_cosine=rank_cos, rank_dot=rank_dot, rank_distance=rank_distance,
        identity_gap=gap, corpus_seconds=base.seconds,
    )  # fmt: skip


ANALOGY_FORM = re.compile(r"^\s*([^\s+]+?)\s*[-−]\s*([^\s+]+?)\s*\+\s*([^\s+]+)\s*$")


def parse_analogy(text: str) -> tuple[str, str, str]:
    """(a, b, c) from "a - b + c"; a word may hold a hyphen when the minus has spaces around it."""
    cleaned = " ".join(clean_text(text, "The analogy", 200).split())
    spaced = cleaned.split(" ")
    if len(spaced) == 5 and spaced[1] in ("-", "−") and spaced[3] == "+":
        return spaced[0], spaced[2], spaced[4]
    match = ANALOGY_FORM.match(cleaned)
    if not cleaned or match is None:
        raise ValueError("Write the analogy as three words a - b + c, for example: king - man + woman.")
    a, b, c = match.groups()
    return a, b, c


@dataclass(frozen=True)
class AnalogyMap:
    a: str
    b: str
    c: str
    words: tuple[str, ...]  # nearest words to a − b + c, a, b and c left out
    scores: torch.Tensor  # (k,) their cosine similarity to a − b + c
    labels: tuple[str, ...]  # a, b, c, then the neighbours: the points of the map
    points: torch.Tensor  # (3 + k, 2) PCA coordinates, PCA fitted on exactly these words
    target: torch.Tensor  # (2,) a − b + c projected with the same PCA: the parallelogram's 4th corner
    explained: torch.Tensor  # (2,) share of those words' variance along each axis
    kept: float  # their sum: the share the picture shows


def analogy_map(text: str, k: int = 6, *, device=None) -> AnalogyMap:
    """a − b + c in GloVe, its nearest words, and a 2-D PCA of a, b, c and those words."""
    dev = resolve_device(device)
    k = int_in_range("The number of neighbours", k, 1, MAX_NEIGHBOURS)
    found = analogy(*parse_analogy(text), k, device=dev)
    labels = (found.a, found.b, found.c, *found.words)
    fitted = pca(lookup(labels, device=dev).vectors, 2, device=dev)
    corner = project(fitted.fit, found.target[None, :], 2, device=dev)[0]
    return AnalogyMap(
        found.a, found.b, found.c, found.words, found.scores, labels,
        fitted.projection, corner, fitted.fit.explained_variance_ratio[:2], fitted.variance_kept,
    )  # fmt: skip


@dataclass(frozen=True)
class MeaningMap:
    labels: tuple[str, ...]  # the words or sentences, in the order given
    groups: tuple[str, ...]  # each point's group ("" where none is known)
    points: torch.Tensor  # (n, dims) PCA coordinates
    explained: torch.Tensor  # (dims,) share of the variance along each axis
    kept: float  # their sum
    width: int  # the vectors' length before projecting: 50 (GloVe) or 384 (MiniLM)


def word_groups(text: str) -> tuple[tuple[str, str], ...]:
    """(word, group) from lines like "animals: dog, cat, horse"; a line with no "name:" has no group."""
    pairs: dict[str, str] = {}
    for line in clean_text(text, "The box of words", MAX_BOX_CHARS).split("\n"):
        group, _, listed = line.rpartition(":")
        for word in re.split(r"[,;\s]+", listed.strip()):
            if word and word.lower() not in pairs:
                pairs[word.lower()] = " ".join(group.split())[:24]
    if len(pairs) > MAX_MAP_WORDS:
        raise ValueError(f"The box lists {len(pairs)} different words; a map shows at most {MAX_MAP_WORDS}.")
    if len(pairs) < MIN_MAP_POINTS:
        raise ValueError(f"A map needs at least {MIN_MAP_POINTS} different words; the box lists {len(pairs)}.")
    return tuple(pairs.items())


def _map(vectors: torch.Tensor, labels, groups, dims: int, dev: torch.device) -> MeaningMap:
    dims = int_in_range("The number of axes", dims, 2, 3)
    fitted = pca(vectors, dims, device=dev)
    ratio = fitted.fit.explained_variance_ratio[:dims]
    return MeaningMap(tuple(labels), tuple(groups), fitted.projection, ratio, fitted.variance_kept, vectors.shape[1])


def word_map(text: str, dims: int = 2, *, device=None) -> MeaningMap:
    """GloVe vectors of the words in ``text`` (see ``word_groups``), projected on their first ``dims`` PCs."""
    dev = resolve_device(device)
    pairs = word_groups(text)
    found = lookup([word for word, _ in pairs], device=dev)
    return _map(found.vectors, found.words, [group for _, group in pairs], dims, dev)


def sentence_map(text: str, dims: int = 2, *, device=None) -> MeaningMap:
    """MiniLM embeddings of the lines of ``text`` on their first ``dims`` PCs; each sentence's group is
    the topic of its nearest corpus sentence."""
    dev = resolve_device(device)
    sentences, _ = sentence_lines(text)
    if len(sentences) < MIN_MAP_POINTS:
        raise ValueError(f"A map needs at least {MIN_MAP_POINTS} sentences; the box above has {len(sentences)}.")
    _cut_pieces(sentences, dev)
    e = embed(sentences, device=dev)
    base = corpus(dev)
    nearest = (e @ base.embeddings.T).argmax(dim=1).tolist()
    return _map(e, sentences, [base.topics[i] for i in nearest], dims, dev)
