"""What a trained tiny GPT does: write text one character at a time, attend over a prompt, and
place its characters in an embedding space.

Sampling reuses the softmax page's filters (engine/softmax.py: temperature, then top-k, then
top-p); the embedding map is the PCA page's PCA (engine/pca.py) of the token embedding rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from engine.checks import int_in_range, number_in_range, seed_value
from engine.device import lesson_generator
from engine.gpt_corpus import MAX_VOCAB, char_kind, encode, shown_char
from engine.gpt_training import trained_model
from engine.information import entropy
from engine.pca import pca
from engine.softmax import T_MAX, T_MIN, filter_logits

MAX_LENGTH = 500  # characters per sample
MAX_PROMPT_CHARS = 500
CHARS_AT_ONCE = 10  # characters per write_chars call: 2-4 ms, the grain of the page's slices of time


@dataclass(frozen=True)
class Generation:
    """A sample: all of it once ``len(text) == length``, the characters written so far before that."""

    prompt: str
    text: str  # the characters drawn, after the prompt
    length: int  # characters asked for
    chars: tuple[str, ...]  # the vocabulary
    chosen: torch.Tensor  # (L,) int64: the id drawn at each step
    tempered: torch.Tensor  # (L, V) softmax(logits / T) at each step, before the filters
    probs: torch.Tensor  # (L, V) the sampling distribution: top-k and top-p applied, renormalised
    kept: torch.Tensor  # (L, V) bool: the characters the filters kept
    entropy_bits: torch.Tensor  # (L,) entropy of each step's sampling distribution
    mean_nats: float  # mean -ln p(drawn character) under the model at T = 1 (its surprise)
    temperature: float
    top_k: int
    top_p: float

    @property
    def finished(self) -> bool:
        return len(self.text) == self.length


@dataclass(eq=False)
class Writing:
    """A sample part way through: what ``write_chars`` moves on and ``written`` reads.

    The page writes in short slices of time across reruns (ui/slices.py), so the text appears as it
    is drawn; a sample stopped after any character and resumed is the sample written in one go.
    """

    model: Any
    chars: tuple[str, ...]
    context: int
    prompt: str
    length: int
    temperatures: torch.Tensor  # (1, 1) float64
    top_k: int
    top_p: float
    generator: torch.Generator  # the draws' random numbers, carried from slice to slice
    ids: list[int]  # the prompt's ids (or the training text's first character), then each one drawn
    cache: list = field(default_factory=list)  # keys and values of the first ``cached`` characters
    cached: int = 0
    raw: list[torch.Tensor] = field(default_factory=list)  # (V,) each step's next-character logits

    @property
    def finished(self) -> bool:
        return len(self.raw) == self.length

    @property
    def progress(self) -> float:
        return len(self.raw) / self.length


@torch.inference_mode()
def start_writing(
    key: str, prompt: str, length: int, temperature: float, top_k: int, top_p: float, seed: int, *, device=None
) -> Writing:
    """Everything before the first character: the trained model, the prompt's ids and the draws' generator."""
    model, corpus, run = trained_model(key)
    length = int_in_range("The sample length", length, 1, MAX_LENGTH)
    temperature = number_in_range("The temperature", temperature, T_MIN, T_MAX)
    top_k = int_in_range("top-k", top_k, 0, MAX_VOCAB)  # k ≥ V keeps every character, like k = 0
    top_p = number_in_range("top-p", top_p, 0.01, 1.0)
    if not isinstance(prompt, str) or len(prompt) > MAX_PROMPT_CHARS:
        raise ValueError(f"The prompt must be text of at most {MAX_PROMPT_CHARS} characters.")
    return Writing(
        model=model,
        chars=corpus.chars,
        context=run.context,
        prompt=prompt,
        length=length,
        temperatures=torch.tensor([[temperature]], dtype=torch.float64, device=corpus.ids.device),
        top_k=top_k,
        top_p=top_p,
        generator=lesson_generator(seed_value(seed)),
        ids=encode(corpus.chars, prompt) if prompt else [int(corpus.ids[0])],
    )


@torch.inference_mode()
def write_chars(state: Writing, count: int = CHARS_AT_ONCE) -> None:
    """Draw ``count`` more characters (fewer where the sample ends), each from the filtered next-character distribution.

    The model reads the last ``context`` characters each step.
    """
    s, dev = state, state.temperatures.device
    for _ in range(min(count, s.length - len(s.raw))):
        # While the text fits in the context, each step's window is the last one plus a character at
        # the next position, so the keys and values of the earlier characters are kept (``cache``).
        # Once it is longer, the window slides and every character moves to another position; with
        # absolute position embeddings, nothing computed before still holds, so the whole window is
        # read again, as the model was trained (a cache over shifted positions would write other text).
        if len(s.ids) <= s.context:
            logits = s.model.next_logits(torch.tensor([s.ids[s.cached :]], device=dev), s.cache)[0]  # (V,)
            s.cached = len(s.ids)
        else:
            logits = s.model.next_logits(torch.tensor([s.ids[-s.context :]], device=dev))[0]  # (V,)
        s.raw.append(logits)
        # The draw needs this step's sampling distribution now (float64, so top-p's cut is decided
        # with 16 digits); what the page shows is filtered for every step at once in ``written``.
        p = filter_logits(logits.double()[None], s.temperatures, s.top_k, s.top_p)[3][0]  # (V,)
        s.ids.append(int(torch.multinomial(p.cpu(), 1, generator=s.generator)))


@torch.inference_mode()
def written(state: Writing) -> Generation:
    """The characters drawn so far, with each step's distributions, filtered for every step at once."""
    s = state
    logits_all = torch.stack(s.raw).double()  # (L, V): the next-character logits at each step
    tempered, _, kept, probs = filter_logits(logits_all, s.temperatures, s.top_k, s.top_p)  # each (L, V), one call
    chosen_ids = torch.tensor(s.ids[len(s.ids) - len(s.raw) :], device=logits_all.device)  # (L,)
    log_probs = torch.log_softmax(logits_all, -1)  # (L, V) at T = 1, before any filter
    surprise = -log_probs.gather(1, chosen_ids[:, None]).squeeze(1)  # (L,) -ln p(drawn character)
    probs_all = probs.float()
    return Generation(
        prompt=s.prompt,
        text="".join(s.chars[i] for i in chosen_ids.tolist()),
        length=s.length,
        chars=s.chars,
        chosen=chosen_ids,
        tempered=tempered.float(),
        probs=probs_all,
        kept=kept,
        entropy_bits=entropy(probs_all, "bits"),
        mean_nats=float(surprise.mean()),
        temperature=float(s.temperatures),
        top_k=s.top_k,
        top_p=s.top_p,
    )


def generate(
    key: str, prompt: str, length: int, temperature: float, top_k: int, top_p: float, seed: int, *, device=None
) -> Generation:
    """Continue ``prompt`` by ``length`` characters, each drawn from the model's filtered next-character distribution.

    An empty prompt starts from the first character of the training text. ``start_writing``,
    ``write_chars`` to the end, then ``written``: the page runs the same three in slices.
    """
    state = start_writing(key, prompt, length, temperature, top_k, top_p, seed, device=device)
    while not state.finished:
        write_chars(state)
    return written(state)


@dataclass(frozen=True)
class AttentionMap:
    tokens: tuple[str, ...]  # the prompt's characters as labels (space and new line named)
    weights: torch.Tensor  # (layers, heads, T, T): row t is where position t looked (only at ≤ t)
    next_char: str  # the model's most likely next character after the prompt
    next_prob: float
    clipped: int  # characters cut from the front of a prompt longer than the context


@torch.inference_mode()
def attention_map(key: str, text: str, *, device=None) -> AttentionMap:
    """Every head's causal attention weights on ``text`` (its last ``context`` characters)."""
    model, corpus, run = trained_model(key)
    if not isinstance(text, str) or not text:
        raise ValueError("Type a few characters for the model to read.")
    if len(text) > MAX_PROMPT_CHARS:
        raise ValueError(f"The text has {len(text):,} characters; the limit is {MAX_PROMPT_CHARS}.")
    clipped = max(0, len(text) - run.context)
    text = text[clipped:]
    idx = torch.tensor([encode(corpus.chars, text, "The text")], device=corpus.ids.device)  # (1, T)
    keep: list[torch.Tensor] = []
    logits = model(idx, keep)[0, -1]  # (V,); keep gets one (1, H, T, T) per layer
    probs = torch.softmax(logits, -1)
    top = int(torch.argmax(probs))
    return AttentionMap(
        tokens=tuple(shown_char(c) for c in text),
        weights=torch.cat(keep),  # (layers, H, T, T)
        next_char=shown_char(corpus.chars[top]),
        next_prob=float(probs[top]),
        clipped=clipped,
    )


@dataclass(frozen=True)
class EmbeddingMap:
    labels: tuple[str, ...]  # each character, shown
    kinds: tuple[str, ...]  # its group (CHAR_KINDS)
    xy: torch.Tensor  # (V, 2): the embedding rows on the first two principal components
    variance_kept: float  # share of the embeddings' variance those two keep
    counts: torch.Tensor  # (V,) how often each character occurs in the training text


def embedding_map(key: str, *, device=None) -> EmbeddingMap:
    """The token embedding matrix (V, d_model) of the trained model, projected to 2-D by PCA."""
    model, corpus, _ = trained_model(key)
    if len(corpus.chars) < 3:
        raise ValueError("A map of the characters needs at least three of them.")
    rows = model.token.weight.detach().double()  # (V, C)
    result = pca(rows, 2, device=rows.device)
    return EmbeddingMap(
        labels=tuple(shown_char(c) for c in corpus.chars),
        kinds=tuple(char_kind(c) for c in corpus.chars),
        xy=result.projection,
        variance_kept=result.variance_kept,
        counts=torch.bincount(corpus.ids[: corpus.split], minlength=len(corpus.chars)),
    )
