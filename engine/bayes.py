"""Bayes' theorem: one update with its natural frequencies, and naive Bayes word by word in log-odds.

Computed in float64: the lesson compares two routes to the same posterior (the product form and
the sum of log-odds) and shows probabilities like 0.1 %, where float32's digits would blur the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch

from engine.checks import number_in_range
from engine.device import resolve_device

POPULATION = 1_000  # dots in the natural-frequency grid
# The grid's four groups, in the order the counts are kept: hypothesis H (spam, disease) or not,
# evidence E (the word, a positive test) or not.
GROUPS = ("H and E", "H, not E", "not H and E", "not H, not E")
DTYPE = torch.float64
MIN_PROBABILITY = 1e-6  # a probability is 0 exactly, or at least this: no product of a few can underflow


def checked_probability(name: str, value: float) -> float:
    """A probability in [0, 1] that is 0 exactly or at least MIN_PROBABILITY."""
    value = number_in_range(name, value, 0.0, 1.0)
    if 0 < value < MIN_PROBABILITY:
        raise ValueError(f"{name} is {value:g}; use 0 exactly or at least {MIN_PROBABILITY:g}.")
    return value


@dataclass(frozen=True)
class Update:
    prior: float  # P(H)
    not_prior: float  # P(¬H) = 1 − P(H)
    likelihood: float  # P(E | H)
    false_alarm: float  # P(E | ¬H)
    joint: tuple[float, float, float, float]  # P(H, E), P(H, ¬E), P(¬H, E), P(¬H, ¬E), in GROUPS order
    evidence: float  # P(E) = P(H, E) + P(¬H, E)
    defined: bool  # P(E) > 0: only then is there a posterior
    posterior: float  # P(H | E); NaN only when ``defined`` is False (the page says so in words)
    likelihood_ratio: float  # P(E | H) / P(E | ¬H); inf when P(E | ¬H) = 0, NaN when both are 0
    counts: tuple[int, int, int, int]  # whole people/emails out of POPULATION, in GROUPS order
    quotas: tuple[float, float, float, float]  # the exact shares of POPULATION before rounding
    h_count: int  # dots with H: counts[0] + counts[1]
    not_h_count: int  # dots without H: counts[2] + counts[3]
    evidence_count: int  # dots with E: counts[0] + counts[2]


def largest_remainder(shares: torch.Tensor, total: int) -> torch.Tensor:
    """Whole numbers that add up to ``total`` and stay within 1 of ``shares × total``.

    Every group first gets the whole part of its quota; the few left over go one each to the
    groups with the largest fractional parts (ties to the earlier group). Quotas are rounded to
    9 decimals first, so float noise (8.999999999 for 9) cannot decide who gets a leftover.
    """
    quotas = torch.round(shares * total * 1e9) / 1e9
    whole = torch.floor(quotas)
    left = int(total - whole.sum().item())
    order = torch.sort(quotas - whole, descending=True, stable=True).indices
    bonus = torch.zeros_like(whole)
    bonus[order[:left]] = 1.0
    return (whole + bonus).to(torch.int64)


def update(prior: float, likelihood: float, false_alarm: float, *, device=None) -> Update:
    """P(H | E) = P(E | H) P(H) / P(E), and the same numbers as counts out of 1,000.

    ``prior`` = P(H), ``likelihood`` = P(E | H), ``false_alarm`` = P(E | ¬H), each in [0, 1].
    """
    values = [
        checked_probability(name, value)
        for name, value in (("The prior", prior), ("P(E | H)", likelihood), ("P(E | not H)", false_alarm))
    ]
    p_h, p_e_h, p_e_not_h = torch.tensor(values, dtype=DTYPE, device=resolve_device(device))
    p_not_h = 1.0 - p_h
    joint = torch.stack([p_h * p_e_h, p_h * (1.0 - p_e_h), p_not_h * p_e_not_h, p_not_h * (1.0 - p_e_not_h)])
    evidence = joint[0] + joint[2]
    defined = bool(evidence > 0)
    posterior = (joint[0] / evidence).item() if defined else float("nan")
    counts = largest_remainder(joint, POPULATION)
    return Update(
        prior=p_h.item(),
        not_prior=p_not_h.item(),
        likelihood=p_e_h.item(),
        false_alarm=p_e_not_h.item(),
        joint=tuple(joint.tolist()),
        evidence=evidence.item(),
        defined=defined,
        posterior=posterior,
        likelihood_ratio=(p_e_h / p_e_not_h).item(),
        counts=tuple(counts.tolist()),
        quotas=tuple((joint * POPULATION).tolist()),
        h_count=int(counts[0] + counts[1]),
        not_h_count=int(counts[2] + counts[3]),
        evidence_count=int(counts[0] + counts[2]),
    )


def medical_test(prevalence: float, sensitivity: float, specificity: float, *, device=None) -> Update:
    """A diagnostic test as a Bayes update: H = has the disease, E = the test is positive.

    Sensitivity is P(positive | disease); specificity is P(negative | healthy), so the false
    alarm rate P(positive | healthy) is 1 − specificity.
    """
    specificity = checked_probability("The specificity", specificity)
    return update(prevalence, sensitivity, 1.0 - specificity, device=device)


# ---- naive Bayes: several words, one after the other, in log-odds -------------------------------

# Illustrative numbers, not measured on a real corpus: P(word | spam), P(word | ham), the share of
# spam and of ordinary mail ("ham") that contains the word.
VOCABULARY = {
    "free": (0.30, 0.04),
    "winner": (0.12, 0.005),
    "prize": (0.10, 0.008),
    "click": (0.25, 0.05),
    "offer": (0.20, 0.04),
    "unsubscribe": (0.35, 0.10),
    "urgent": (0.10, 0.02),
    "meeting": (0.01, 0.12),
    "invoice": (0.05, 0.06),
    "project": (0.02, 0.15),
    "lunch": (0.01, 0.08),
    "thanks": (0.05, 0.30),
}
MAX_WORDS = 20  # entries in the vocabulary
MAX_VOCABULARY_CHARS = 2_000
MAX_MESSAGE_CHARS = 500
MAX_WORD_CHARS = 20
WORD = re.compile(r"[^\W\d_][\w'-]*")  # a letter, then letters, digits, ' or -
LINE_SPLIT = re.compile(r"[\s,:;=]+")


def vocabulary_text(vocabulary: dict[str, tuple[float, float]] = VOCABULARY) -> str:
    """The vocabulary as the page's text box shows it: one "word, P(word | spam), P(word | ham)" a line."""
    return "\n".join(f"{word}, {spam:g}, {ham:g}" for word, (spam, ham) in vocabulary.items())


def _likelihood(word: str, which: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"The vocabulary: P({word} | {which}) is '{raw[:20]}', not a number.") from None
    return checked_probability(f"The vocabulary: P({word} | {which})", value)


def parse_vocabulary(text: str) -> dict[str, tuple[float, float]]:
    """Lines of "word, P(word | spam), P(word | ham)" as {word: (spam, ham)}, checked line by line."""
    if not isinstance(text, str):
        raise ValueError("The vocabulary must be typed as text.")
    if len(text) > MAX_VOCABULARY_CHARS:
        raise ValueError(f"The vocabulary is {len(text):,} characters long; the limit is {MAX_VOCABULARY_CHARS:,}.")
    vocabulary: dict[str, tuple[float, float]] = {}
    for number, line in enumerate((line for line in text.splitlines() if line.strip()), start=1):
        pieces = [piece for piece in LINE_SPLIT.split(line.strip()) if piece]
        if len(pieces) != 3:
            raise ValueError(
                f"The vocabulary, line {number}: write a word and two probabilities, like 'free, 0.3, 0.04'."
            )
        word = pieces[0].casefold()
        if not WORD.fullmatch(word) or len(word) > MAX_WORD_CHARS:
            raise ValueError(
                f"The vocabulary, line {number}: '{pieces[0][:MAX_WORD_CHARS]}' is not a word (letters first, "
                f"at most {MAX_WORD_CHARS} characters)."
            )
        if word in vocabulary:
            raise ValueError(f"The vocabulary lists '{word}' twice.")
        vocabulary[word] = (_likelihood(word, "spam", pieces[1]), _likelihood(word, "ham", pieces[2]))
        if len(vocabulary) > MAX_WORDS:
            raise ValueError(f"The vocabulary has more than {MAX_WORDS} words; that is the limit.")
    if not vocabulary:
        raise ValueError("The vocabulary is empty; give at least one line like 'free, 0.3, 0.04'.")
    return vocabulary


def message_words(text: str, vocabulary: dict[str, tuple[float, float]]) -> tuple[list[str], list[str], list[str]]:
    """(words the filter uses, in order, each once; words not in the vocabulary; words repeated)."""
    if not isinstance(text, str):
        raise ValueError("The message must be typed as text.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValueError(f"The message is {len(text):,} characters long; the limit is {MAX_MESSAGE_CHARS:,}.")
    used: list[str] = []
    unknown: list[str] = []
    repeated: list[str] = []
    for word in WORD.findall(text.casefold()):
        target = used if word in vocabulary else unknown
        if word in target:
            if word in vocabulary and word not in repeated:
                repeated.append(word)
            continue
        target.append(word)
    return used, unknown, repeated


@dataclass(frozen=True)
class NaiveBayes:
    prior: float  # P(spam) before any word
    words: tuple[str, ...]  # the message's vocabulary words, in order, each once
    p_spam: torch.Tensor  # (n,) P(word | spam)
    p_ham: torch.Tensor  # (n,) P(word | ham)
    steps: torch.Tensor  # (n + 1,) ln-odds terms: the prior's ln(P/(1−P)), then each word's ln(P(w|spam)/P(w|ham))
    log_odds: torch.Tensor  # (n + 1,) running sum of ``steps``: after the prior, after each word
    probability: torch.Tensor  # (n + 1,) running P(spam | words so far) = sigmoid(log_odds)
    posterior: float  # the last running probability: the log-odds route
    direct: float  # P(spam) Π P(w|spam) / (P(spam) Π P(w|spam) + P(ham) Π P(w|ham)): the product route
    certain: str | None  # "spam" or "ham" when the log-odds are infinite (a likelihood or the prior is 0)
    decided_by: str | None  # what made it certain: the first word (or "the prior") with an infinite term
    unknown: tuple[str, ...]  # message words not in the vocabulary, ignored
    repeated: tuple[str, ...]  # vocabulary words typed more than once: each counts once
    vocabulary: dict[str, tuple[float, float]]


def naive_bayes(prior: float, vocabulary: str, message: str, *, device=None) -> NaiveBayes:
    """P(spam | the message's words), word by word: each word adds its log-likelihood ratio to the log-odds.

    Naive Bayes assumes the words are independent given the class, so the likelihoods multiply,
    and in log-odds they add. As in Paul Graham's "A Plan for Spam", only words present count.
    """
    prior = checked_probability("The prior P(spam)", prior)
    table = parse_vocabulary(vocabulary)
    used, unknown, repeated = message_words(message, table)
    dev = resolve_device(device)
    p_spam = torch.tensor([table[w][0] for w in used], dtype=DTYPE, device=dev)
    p_ham = torch.tensor([table[w][1] for w in used], dtype=DTYPE, device=dev)
    p = torch.tensor(prior, dtype=DTYPE, device=dev)
    # The product route, and the contradiction it can reveal: both classes ruled out.
    spam_mass = p * torch.prod(p_spam)
    ham_mass = (1.0 - p) * torch.prod(p_ham)
    names = ["the prior", *used]
    if spam_mass == 0 and ham_mass == 0:
        no_spam = next(n for n, v in zip(names, [p, *p_spam], strict=True) if v == 0)
        no_ham = next(n for n, v in zip(names, [1.0 - p, *p_ham], strict=True) if v == 0)
        raise ValueError(
            f"No class is left: {_rules_out(no_spam, 'spam')}, and {_rules_out(no_ham, 'ham')}. "
            "Naive Bayes has no posterior then; give that word a small non-zero probability instead."
        )
    direct = (spam_mass / (spam_mass + ham_mass)).item()
    # The log-odds route: ln 0 = -inf is allowed; the check above rules out inf - inf.
    prior_term = torch.log(p) - torch.log1p(-p)
    steps = torch.cat([prior_term.reshape(1), torch.log(p_spam) - torch.log(p_ham)])
    log_odds = torch.cumsum(steps, dim=0)
    probability = torch.sigmoid(log_odds)
    infinite = [n for n, s in zip(names, steps.tolist(), strict=True) if abs(s) == float("inf")]
    total = log_odds[-1].item()
    return NaiveBayes(
        prior=prior,
        words=tuple(used),
        p_spam=p_spam,
        p_ham=p_ham,
        steps=steps,
        log_odds=log_odds,
        probability=probability,
        posterior=probability[-1].item(),
        direct=direct,
        certain=("spam" if total > 0 else "ham") if abs(total) == float("inf") else None,
        decided_by=infinite[0] if infinite else None,
        unknown=tuple(unknown),
        repeated=tuple(repeated),
        vocabulary=table,
    )


def _rules_out(name: str, label: str) -> str:
    if name == "the prior":
        return f"the prior gives {label} probability 0"
    return f"'{name}' never appears in {label} (P = 0)"
