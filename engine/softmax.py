"""Softmax with temperature, top-k and top-p (nucleus) filtering, sampling, and why softmax subtracts the max.

Logits are typed "word logit" lines or real GloVe scores (the lab's MiniLM has no next-token head).
The sampling distribution is float64, so top-p's cut at "mass ≥ p" is decided with 16 digits rather
than 7; the overflow demonstration is float32, a network's dtype, where exp overflows above 88.7.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import torch

from engine import words as glove
from engine.checks import finite_vector, int_in_range, number_in_range, parse_numbers
from engine.device import lesson_generator, resolve_device
from engine.information import entropy

MAX_TOKENS = 50  # words in the vocabulary
MAX_TEXT_CHARS = 5_000
MAX_WORD_CHARS = 24
LOGIT_BOUND = 1e6
T_MIN, T_MAX = 0.01, 10.0
REAL_SCALE = 10.0  # a GloVe logit is REAL_SCALE × cosine similarity
MAX_REAL_WORDS = 20
MAX_SAMPLES = 100_000
MAX_FACTOR = 1_000.0
CURVE_POINTS = 121
REAL_MODES = ("nearest", "analogy")
_LINE = re.compile(r"^\s*([^\s:=,;]+)\s*[:=,;]?\s*(.*?)\s*$")
_ANALOGY = re.compile(r"^\s*(\S+)\s*[-−]\s*(\S+)\s*\+\s*(\S+)\s*$")


@dataclass(frozen=True)
class Logits:
    words: tuple[str, ...]
    values: torch.Tensor  # (n,) float64
    source: str  # a sentence saying what these numbers are


def parse_logits(text: str, *, device=None) -> Logits:
    """One "word logit" pair per line ("cat 1.5", "cat: 1.5"); numbers read by parse_numbers, never evaluated."""
    if not isinstance(text, str):
        raise ValueError("The logits must be typed as text, one 'word logit' pair per line.")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"The logits box holds {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}.")
    lines = [(i, line) for i, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise ValueError("The logits box is empty; type one 'word logit' pair per line, e.g. 'cat 1.5'.")
    if len(lines) > MAX_TOKENS:
        raise ValueError(f"The vocabulary has {len(lines)} words; the limit is {MAX_TOKENS}.")
    words, values = [], []
    for number, line in lines:
        match = _LINE.match(line)
        if match is None or not match.group(2):
            raise ValueError(f"Line {number} ('{line.strip()[:20]}') needs a word and its logit, e.g. 'cat 1.5'.")
        word = match.group(1)
        if len(word) > MAX_WORD_CHARS or any(unicodedata.category(c)[0] in "CZ" for c in word):
            raise ValueError(f"Line {number}: a word has at most {MAX_WORD_CHARS} visible characters.")
        if word in words:
            raise ValueError(f"The word '{word}' appears twice; each word gets one logit.")
        (value,) = parse_numbers(match.group(2), f"Line {number} ('{word}')", 1)
        words.append(word)
        values.append(value)
    checked = finite_vector("The logits", values, MAX_TOKENS, LOGIT_BOUND)
    tensor = torch.tensor(checked, dtype=torch.float64, device=resolve_device(device))
    return Logits(tuple(words), tensor, "the logits you typed")


def glove_logits(mode: str, query: str, count: int, *, device=None) -> Logits:
    """Real scores: REAL_SCALE × the cosine similarity of GloVe vectors, for the ``count`` words nearest to
    a word (mode "nearest") or to an analogy "a - b + c" (mode "analogy")."""
    dev = resolve_device(device)
    count = int_in_range("The number of words", count, 2, MAX_REAL_WORDS)
    if mode == "nearest":
        found = glove.nearest(query, count, device=dev)
        what = f"the {count} words nearest to '{found.excluded[0]}'"
    elif mode == "analogy":
        match = _ANALOGY.match(query) if isinstance(query, str) else None
        if match is None:
            raise ValueError("Write the analogy as a - b + c, for example 'king - man + woman'.")
        found = glove.analogy(*match.groups(), count, device=dev)
        what = f"the {count} words nearest to {found.a} − {found.b} + {found.c} (a, b and c left out)"
    else:
        raise ValueError(f"The source must be one of {', '.join(REAL_MODES)}, not {mode!r}.")
    source = f"{REAL_SCALE:g} × the cosine similarity of GloVe vectors, for {what}"
    return Logits(tuple(found.words), REAL_SCALE * found.scores.to(dev, torch.float64), source)


def stable_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """exp(x - max) / Σ exp(x - max): the largest term is exp(0) = 1, so nothing overflows and the sum is ≥ 1."""
    terms = (x - x.amax(dim=dim, keepdim=True)).exp_()  # in place: one new tensor instead of three
    # Times 1 / Σ rather than divided by Σ: one division per row instead of one per term (15 % faster;
    # within one unit in the last place of the quotient).
    return terms.mul_(terms.sum(dim=dim, keepdim=True).reciprocal_())


def filter_logits(logits: torch.Tensor, temperatures: torch.Tensor, top_k: int, top_p: float) -> tuple:
    """Temperature, then top-k, then top-p, for each temperature in ``temperatures`` (B, 1).

    top-k keeps the k highest logits (ties with the k-th are kept too); 0 or k ≥ n keeps all.
    top-p sorts the renormalised top-k distribution and keeps the smallest set of most likely
    tokens whose mass is ≥ p: a token stays while the mass before it is still < p, so the
    most likely token always stays. Returns (softmax at T, kept by top-k, kept, final probabilities).
    """
    scaled = logits / temperatures  # (B, n)
    tempered = stable_softmax(scaled)
    kept_by_k = torch.ones_like(scaled, dtype=torch.bool)
    if 0 < top_k < scaled.shape[-1]:
        kth = torch.topk(scaled, top_k, dim=-1).values[..., -1:]
        kept_by_k = scaled >= kth
    kept = kept_by_k
    if top_p < 1.0:
        renormalised = stable_softmax(scaled.masked_fill(~kept_by_k, -math.inf))
        ordered, order = torch.sort(renormalised, dim=-1, descending=True, stable=True)
        before = torch.zeros_like(ordered)  # the mass of the tokens ranked above each one
        before[..., 1:] = torch.cumsum(ordered, dim=-1)[..., :-1]
        kept_by_p = torch.zeros_like(kept).scatter(-1, order, before < top_p)
        kept = kept_by_k & kept_by_p
    probs = stable_softmax(scaled.masked_fill(~kept, -math.inf))
    return tempered, kept_by_k, kept, probs


def _settings(logits, temperature: float, top_k: int, top_p: float, device) -> tuple:
    values = finite_vector("The logits", logits, MAX_TOKENS, LOGIT_BOUND)
    if len(values) < 2:
        raise ValueError("Softmax needs at least two words to choose between.")
    z = torch.tensor(values, dtype=torch.float64, device=resolve_device(device))
    temperature = number_in_range("The temperature", temperature, T_MIN, T_MAX)
    top_k = int_in_range("top-k", top_k, 0, MAX_TOKENS)
    top_p = number_in_range("top-p", top_p, 0.01, 1.0)
    return z, temperature, top_k, top_p


@dataclass(frozen=True)
class Distribution:
    logits: torch.Tensor  # (n,) float64
    temperature: float
    top_k: int
    top_p: float
    tempered: torch.Tensor  # (n,) softmax(z / T), before the filters
    kept_by_k: torch.Tensor  # (n,) bool
    kept: torch.Tensor  # (n,) bool: survived top-k and top-p
    probs: torch.Tensor  # (n,) the sampling distribution: tempered, renormalised over the kept tokens
    cold: torch.Tensor  # (n,) the T → 0 limit: argmax, ties split evenly
    uniform: torch.Tensor  # (n,) the T → ∞ limit: 1/n each
    top: int  # the most likely token (the first of a tie)
    terms: torch.Tensor  # (n,) exp((z - max z) / T): the softmax's numerators
    total: float  # Σ terms
    kept_mass: float  # the mass of the kept tokens before renormalising
    entropy_bits: float  # H of the sampling distribution


def sampling_distribution(logits, temperature: float, top_k: int = 0, top_p: float = 1.0, *, device=None):
    """softmax(z / T), then top-k, then top-p, then renormalised: the distribution a sampler draws from."""
    z, temperature, top_k, top_p = _settings(logits, temperature, top_k, top_p, device)
    tempered, kept_by_k, kept, probs = (t[0] for t in filter_logits(z, z.new_tensor([[temperature]]), top_k, top_p))
    is_max = z == z.max()
    terms = torch.exp((z - z.max()) / temperature)
    return Distribution(
        logits=z,
        temperature=temperature,
        top_k=top_k,
        top_p=top_p,
        tempered=tempered,
        kept_by_k=kept_by_k,
        kept=kept,
        probs=probs,
        cold=is_max.double() / is_max.sum(),
        uniform=torch.full_like(z, 1.0 / len(z)),
        top=int(torch.argmax(probs)),
        terms=terms,
        total=float(terms.sum()),
        kept_mass=float(tempered[kept].sum()),
        entropy_bits=float(entropy(probs, "bits")),
    )


@dataclass(frozen=True)
class EntropyCurve:
    temperatures: torch.Tensor  # (CURVE_POINTS + 1,) from T_MIN to T_MAX, log-spaced, with T itself
    tempered_bits: torch.Tensor  # H(softmax(z / T)) at each temperature
    filtered_bits: torch.Tensor  # H of the sampling distribution (top-k and top-p applied) at each temperature
    cold_bits: float  # T → 0: log2 of the number of tied maxima
    hot_bits: float  # T → ∞: log2 n


def entropy_curve(logits, temperature: float, top_k: int = 0, top_p: float = 1.0, *, device=None) -> EntropyCurve:
    """Entropy in bits against temperature, over the slider's range (the current T is one of the points)."""
    z, temperature, top_k, top_p = _settings(logits, temperature, top_k, top_p, device)
    grid = torch.logspace(math.log10(T_MIN), math.log10(T_MAX), CURVE_POINTS, dtype=torch.float64)
    grid = torch.unique(torch.cat([grid, torch.tensor([temperature], dtype=torch.float64)])).to(z.device)
    tempered, _, _, probs = filter_logits(z, grid[:, None], top_k, top_p)
    return EntropyCurve(
        temperatures=grid,
        tempered_bits=entropy(tempered, "bits"),
        filtered_bits=entropy(probs, "bits"),
        cold_bits=math.log2(int((z == z.max()).sum())),
        hot_bits=math.log2(len(z)),
    )


def chi_square(observed: torch.Tensor, expected: torch.Tensor) -> tuple[float, int, float]:
    """Pearson's χ² = Σ (O − E)² / E over the categories with E > 0, its degrees of freedom, and the p-value
    P(χ² ≥ observed) = Q(dof/2, χ²/2) (upper regularised incomplete gamma). A count where E = 0 is
    impossible: χ² = inf, p = 0. One possible category leaves nothing to test (dof 0): p = 1."""
    observed, expected = observed.double(), expected.double()
    possible = expected > 0
    dof = int(possible.sum()) - 1
    if bool((observed[~possible] > 0).any()):
        return math.inf, dof, 0.0
    o, e = observed[possible], expected[possible]
    statistic = float(((o - e) ** 2 / e).sum())
    if dof == 0:
        return statistic, 0, 1.0
    return statistic, dof, float(torch.special.gammaincc(*torch.tensor([dof / 2, statistic / 2], dtype=torch.float64)))


@dataclass(frozen=True)
class Samples:
    n: int
    seed: int
    kept: torch.Tensor  # (n_words,) bool: the words the filters kept
    counts: torch.Tensor  # (n_words,) int64 how often each word was drawn
    expected: torch.Tensor  # (n_words,) N × probability; 0 for a filtered word
    statistic: float  # χ²
    dof: int  # tested − 1
    p_value: float
    tested: int  # words with an expected count above 0 (a kept word whose probability rounds to 0 has none)


def draw_samples(logits, temperature: float, top_k: int, top_p: float, n: int, seed: int, *, device=None) -> Samples:
    """N draws from the sampling distribution with torch.multinomial (seeded, on the CPU), and a χ² test."""
    dist = sampling_distribution(logits, temperature, top_k, top_p, device=device)
    n = int_in_range("The number of samples", n, 1, MAX_SAMPLES)
    draws = torch.multinomial(dist.probs.cpu(), n, replacement=True, generator=lesson_generator(seed))
    counts = torch.bincount(draws, minlength=len(dist.probs)).to(dist.probs.device)
    expected = n * dist.probs
    statistic, dof, p_value = chi_square(counts, expected)
    return Samples(n, seed, dist.kept, counts, expected, statistic, dof, p_value, tested=int((expected > 0).sum()))


@dataclass(frozen=True)
class Overflow:
    factor: float
    x: torch.Tensor  # (n,) float32: the logits × factor
    exp_limit: float  # exp(x) overflows float32 above this (ln of its largest value, 88.72)
    naive_terms: torch.Tensor  # (n,) exp(x): inf where it overflowed, 0 where it underflowed
    overflowed: torch.Tensor  # (n,) bool
    underflowed: torch.Tensor  # (n,) bool
    naive_total: float  # Σ exp(x): inf once one term is
    naive_probs: torch.Tensor  # (n,) exp(x) / Σ exp(x): NaN (inf / inf, or 0 / 0) where it failed
    naive_failed: torch.Tensor  # (n,) bool: NaN in the naive result
    probs: torch.Tensor  # (n,) stable_softmax(x)
    log_probs: torch.Tensor  # (n,) x - max - log Σ exp(x - max)
    torch_log_probs: torch.Tensor  # (n,) torch.log_softmax(x)
    log_gap: float  # max |log_probs - torch.log_softmax|
    prob_gap: float  # max |probs - torch.softmax|


def overflow_demo(logits, factor: float, *, device=None) -> Overflow:
    """exp(x) / Σ exp(x) computed naively and with the max subtracted, in float32, for x = logits × factor."""
    values = finite_vector("The logits", logits, MAX_TOKENS, LOGIT_BOUND)
    factor = number_in_range("The factor", factor, 1.0, MAX_FACTOR)
    x = torch.tensor(values, dtype=torch.float32, device=resolve_device(device)) * factor
    naive_terms = torch.exp(x)
    naive_total = naive_terms.sum()
    naive_probs = naive_terms / naive_total
    probs, shifted = stable_softmax(x), x - x.max()
    log_probs = shifted - torch.log(torch.exp(shifted).sum())
    reference = torch.log_softmax(x, dim=-1)
    return Overflow(
        factor=factor,
        x=x,
        exp_limit=math.log(torch.finfo(torch.float32).max),
        naive_terms=naive_terms,
        overflowed=torch.isinf(naive_terms),
        underflowed=naive_terms == 0,
        naive_total=float(naive_total),
        naive_probs=naive_probs,
        naive_failed=torch.isnan(naive_probs),
        probs=probs,
        log_probs=log_probs,
        torch_log_probs=reference,
        log_gap=float((log_probs - reference).abs().max()),
        prob_gap=float((probs - torch.softmax(x, dim=-1)).abs().max()),
    )
