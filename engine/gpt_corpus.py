"""The tiny GPT's text: a shipped public-domain corpus or the learner's own, as character ids,
and the two counting models a transformer has to beat.

A unigram model predicts every character by its frequency alone; its loss is the entropy of the
character frequencies. A bigram model predicts from the previous character only (counts of pairs,
add-one smoothed). Both are measured, like the transformer, on the held-out last tenth of the text.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import torch

from engine.information import cross_entropy, entropy

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "tiny_gpt"
CORPORA = {"Hamlet": "hamlet.txt", "The Sonnets": "sonnets.txt"}  # Shakespeare, public domain (data/tiny_gpt)
OWN_TEXT = "your own text"
SOURCES = (*CORPORA, OWN_TEXT)
MIN_OWN_CHARS = 2_000
MAX_OWN_BYTES = 1_000_000  # 1 MB as UTF-8
MAX_VOCAB = 1_024  # distinct characters
HELD_OUT = 0.1  # the last tenth of the text is never trained on


@dataclass(frozen=True)
class Corpus:
    name: str
    chars: tuple[str, ...]  # the vocabulary: every distinct character, sorted; id i is chars[i]
    ids: torch.Tensor  # (N,) int64: the whole text as ids
    split: int  # ids[:split] train, ids[split:] held out


@functools.cache
def _shipped(name: str) -> str:
    return (DATA_DIR / CORPORA[name]).read_text(encoding="utf-8")


def corpus_text(source: str, own_text: str = "") -> str:
    """The text to learn: a shipped corpus by name, or ``own_text`` (checked) for OWN_TEXT."""
    if source in CORPORA:
        return _shipped(source)
    if source != OWN_TEXT:
        raise ValueError(f"Unknown corpus '{source}'; choose one of: {', '.join(SOURCES)}.")
    if not isinstance(own_text, str):
        raise ValueError("Your text must be text.")
    text = unicodedata.normalize("NFC", own_text.replace("\r\n", "\n").replace("\r", "\n"))
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_OWN_BYTES:
        raise ValueError(f"Your text is {size:,} bytes; the limit is {MAX_OWN_BYTES:,} (1 MB).")
    if len(text.strip()) == 0:
        raise ValueError(f"Paste a text of at least {MIN_OWN_CHARS:,} characters to train on.")
    if len(text) < MIN_OWN_CHARS:
        raise ValueError(
            f"Your text has {len(text):,} characters; the model needs at least {MIN_OWN_CHARS:,} "
            "to have something to learn (and a tenth of it to test on)."
        )
    return text


def make_corpus(source: str, own_text: str = "", *, device: torch.device | str = "cpu") -> Corpus:
    """The text as ids over its sorted distinct characters, split into train and held-out parts."""
    text = corpus_text(source, own_text)
    chars = tuple(sorted(set(text)))
    if len(chars) > MAX_VOCAB:
        raise ValueError(f"Your text has {len(chars):,} distinct characters; the limit is {MAX_VOCAB:,}.")
    if len(chars) < 2:
        raise ValueError("The text uses a single character; there is nothing to predict.")
    lookup = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([lookup[c] for c in text], dtype=torch.int64, device=device)
    return Corpus(source, chars, ids, int(len(ids) * (1 - HELD_OUT)))


def encode(corpus_chars: tuple[str, ...], text: str, what: str = "The prompt") -> list[int]:
    """Ids of ``text``; a character the model never saw is refused by name (it has no embedding)."""
    lookup = {c: i for i, c in enumerate(corpus_chars)}
    unknown = sorted({c for c in text if c not in lookup})
    if unknown:
        shown = ", ".join(repr(c) for c in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise ValueError(
            f"{what} has characters the training text never uses ({shown}); the model has no row for them."
        )
    return [lookup[c] for c in text]


@dataclass(frozen=True)
class Baselines:
    """Losses in nats per character: what a model that only counts would score."""

    uniform: float  # ln V: every character equally likely (an untrained model)
    unigram_entropy: float  # H of the training text's character frequencies
    unigram_held_out: float  # cross-entropy of those frequencies (add-one) on the held-out text
    bigram_held_out: float  # cross-entropy of P(next | previous) (add-one) on the held-out text
    unigram_probs: torch.Tensor  # (V,) add-one frequencies
    bigram_probs: torch.Tensor  # (V, V) row a: P(next = b | previous = a), add-one


def baselines(corpus: Corpus) -> Baselines:
    """Unigram and bigram models counted on the training part, scored on the held-out part."""
    v = len(corpus.chars)
    train, held = corpus.ids[: corpus.split].cpu(), corpus.ids[corpus.split :].cpu()
    counts = torch.bincount(train, minlength=v).double()  # (V,)
    unigram = (counts + 1) / (counts.sum() + v)  # add-one: no character gets probability 0
    held_freq = torch.bincount(held, minlength=v).double() / len(held)  # (V,)
    pairs = torch.bincount(train[:-1] * v + train[1:], minlength=v * v).double().view(v, v)  # (V, V)
    bigram = (pairs + 1) / (pairs.sum(1, keepdim=True) + v)  # each row sums to 1
    held_pairs = torch.bincount(held[:-1] * v + held[1:], minlength=v * v).double() / (len(held) - 1)
    return Baselines(
        uniform=float(torch.log(torch.tensor(float(v)))),
        unigram_entropy=float(entropy(counts / counts.sum(), "nats")),
        unigram_held_out=float(cross_entropy(held_freq, unigram, "nats")),
        # -Σ_ab P_held(a, b) ln P(b | a): the mean of -ln P(next | previous) over the held-out pairs
        bigram_held_out=float(cross_entropy(held_pairs, bigram.flatten(), "nats")),
        unigram_probs=unigram.float(),
        bigram_probs=bigram.float(),
    )


CHAR_KINDS = ("vowel", "consonant", "capital", "digit", "punctuation", "space or new line", "other")


def char_kind(char: str) -> str:
    """Which group a character belongs to, for colouring the embedding map."""
    if char in "aeiou":
        return "vowel"
    if char.isascii() and char.isalpha():
        return "capital" if char.isupper() else "consonant"
    if char.isupper():
        return "capital"
    if char.isalpha():
        return "vowel" if unicodedata.normalize("NFD", char)[0] in "aeiou" else "consonant"
    if char.isdigit():
        return "digit"
    if char.isspace():
        return "space or new line"
    if unicodedata.category(char).startswith("P"):
        return "punctuation"
    return "other"


def shown_char(char: str) -> str:
    """A character as a label: space, new line and other invisible ones named."""
    names = {" ": "␣ space", "\n": "↵ new line", "\t": "⇥ tab"}
    if char in names:
        return names[char]
    if unicodedata.category(char)[0] in "CZ":
        return f"U+{ord(char):04X}"
    return char
