"""Check yourself: a round of questions drawn by a seed, and typed answers checked by the engine.

The pool is the live generators of engine/quiz_live*.py (fresh numbers for every seed) and the
conceptual multiple-choice questions of data/quiz/concepts.toml. A round takes questions from
the chosen sections in turn, so every section gets its share; the same seed gives the same round.
"""

from __future__ import annotations

import itertools
import math
import tomllib
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import torch

from engine.answers import parse_number, parse_shape
from engine.checks import MAX_SEED, int_in_range, seed_value
from engine.device import lesson_generator

CONCEPTS = Path(__file__).resolve().parents[1] / "data" / "quiz" / "concepts.toml"
# The catalog's lesson sections, in menu order (engine/ may not import app_pages; a test checks they agree).
SECTIONS = (
    "Linear algebra",
    "Calculus & learning",
    "Transformers",
    "Compression",
    "Probability & information",
    "Hardware",
    "Put it together",
)
ROUND = 9  # questions a round: every one of the 7 sections, and two more
MAX_ROUND = 40

KINDS = ("number", "shape", "choice")


@dataclass(frozen=True)
class Question:
    id: str  # the same for every seed of a live question: with the seed it names the answer box
    section: str  # a section of app_pages/catalog.py
    url_path: str  # the page that teaches it
    prompt: str  # markdown, LaTeX between $...$
    kind: str  # one of KINDS
    answer: Any  # float ("number"), tuple[int, ...] ("shape"), index into ``choices`` ("choice")
    explanation: str  # markdown with the worked numbers
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    probability: bool = False  # the answer is a probability: "50%" is read as 0.5
    choices: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)  # the drawn numbers, by name

    @property
    def live(self) -> bool:
        return bool(self.data)

    @property
    def tolerance(self) -> str:
        """The tolerance in words, shown under the answer box."""
        if self.kind != "number":
            return ""
        if self.abs_tol == 0 and self.rel_tol == 0:
            return "exactly"
        if self.rel_tol:
            return f"to within {100 * self.rel_tol:g} %"
        return f"to within {self.abs_tol:g}"


def n(x: float) -> str:
    """A number as the explanations show it: whole numbers plainly, others to 4 significant digits."""
    return str(round(x)) if float(x).is_integer() else f"{x:.4g}"


@dataclass(frozen=True)
class Entry:
    """One question of the pool: ``make(seed)`` gives its version for a round's seed."""

    id: str
    section: str
    url_path: str
    live: bool
    make: Callable[[int], Question]


@dataclass(frozen=True)
class Verdict:
    correct: bool
    understood: bool  # the answer could be read; an unreadable one is explained, not scored
    read_as: str  # how the answer was read ("read 50% as 0.5"), empty when there is nothing to say
    message: str  # one sentence: right, the right answer, or why the text could not be read


def _derived_seed(seed: int, question_id: str) -> int:
    """A seed per question: each question's numbers depend on the round's seed, not on its place in it."""
    return zlib.crc32(f"{seed}/{question_id}".encode()) & MAX_SEED


def _live_entry(generate: Callable[[torch.Generator], Question]) -> Entry:
    sample = generate(lesson_generator(0))

    def make(seed: int) -> Question:
        return generate(lesson_generator(_derived_seed(seed, sample.id)))

    return Entry(sample.id, sample.section, sample.url_path, True, make)


def _concept_entry(question: Question) -> Entry:
    def make(seed: int) -> Question:
        # The options come in an order drawn by the seed, so an answer is not remembered by its place.
        order = torch.randperm(len(question.choices), generator=lesson_generator(_derived_seed(seed, question.id)))
        choices = tuple(question.choices[i] for i in order.tolist())
        return replace(question, choices=choices, answer=order.tolist().index(question.answer))

    return Entry(question.id, question.section, question.url_path, False, make)


def load_concepts(path: Path = CONCEPTS) -> tuple[Question, ...]:
    """The multiple-choice questions of ``path``, each checked: known section, answer index in range."""
    with path.open("rb") as file:
        table = tomllib.load(file)
    questions = []
    for item in table["question"]:
        question = Question(
            id=item["id"],
            section=item["section"],
            url_path=item["url_path"],
            prompt=item["prompt"].strip(),
            kind="choice",
            answer=item["answer"],
            explanation=item["explanation"].strip(),
            choices=tuple(item["choices"]),
        )
        if question.section not in SECTIONS or not 0 <= question.answer < len(question.choices):
            raise ValueError(f"Quiz question {question.id!r} has an unknown section or an answer out of range.")
        questions.append(question)
    return tuple(questions)


def live_generators() -> tuple[Callable[[torch.Generator], Question], ...]:
    """Every generator of questions with fresh numbers, in section order."""
    # Imported here: the generators build Questions, so their modules import this one.
    from engine import quiz_live, quiz_live_probability

    return quiz_live.GENERATORS + quiz_live_probability.GENERATORS


@cache
def pool() -> tuple[Entry, ...]:
    """Every question the quiz can ask: the live generators, then the concepts."""
    entries = tuple(_live_entry(g) for g in live_generators()) + tuple(_concept_entry(q) for q in load_concepts())
    ids = [e.id for e in entries]
    if len(set(ids)) != len(ids):
        raise ValueError("Two quiz questions share an id; each answer box is keyed by it.")
    return entries


def quiz(seed: int, count: int = ROUND, sections: Sequence[str] | None = None) -> tuple[Question, ...]:
    """``count`` questions drawn by ``seed`` from ``sections`` (default: all), taking the sections in turn."""
    seed = seed_value(seed)
    count = int_in_range("The number of questions", count, 1, MAX_ROUND)
    chosen = list(SECTIONS if sections is None else dict.fromkeys(sections))
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown or not chosen:
        raise ValueError(f"Choose sections from: {', '.join(SECTIONS)}.")
    generator = lesson_generator(seed)
    queues = []
    for index in torch.randperm(len(chosen), generator=generator).tolist():  # which sections get the extras
        live, concepts = (
            [e for e in pool() if e.section == chosen[index] and e.live is kind] for kind in (True, False)
        )
        live, concepts = (
            [group[i] for i in torch.randperm(len(group), generator=generator).tolist()] for group in (live, concepts)
        )
        # Live and conceptual in turn, live first: a section asked once gets fresh numbers to work.
        mixed = [e for pair in itertools.zip_longest(live, concepts) for e in pair if e is not None]
        queues.append(mixed)
    picked: list[Entry] = []
    while len(picked) < count and any(queues):
        for queue in queues:
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    return tuple(entry.make(seed) for entry in picked)


def answer_text(question: Question) -> str:
    """The right answer as the feedback shows it."""
    if question.kind == "shape":
        return "(" + ", ".join(map(str, question.answer)) + ")"
    if question.kind == "choice":
        return question.choices[question.answer]
    return n(question.answer)


def check(question: Question, text: str | None) -> Verdict:
    """Read ``text`` (parsed, never evaluated) and compare it with the engine's answer, within the tolerance."""
    if question.kind not in KINDS:
        raise ValueError(f"Unknown question kind {question.kind!r}.")
    if question.kind == "choice":
        if text not in question.choices:
            return Verdict(False, False, "", "Choose one of the options first.")
        correct = question.choices.index(text) == question.answer
        return Verdict(
            correct, True, "", "Right." if correct else f"Not quite: the answer is “{answer_text(question)}”."
        )
    try:
        if question.kind == "shape":
            value = parse_shape(text)
            read_as = "read as (" + ", ".join(map(str, value)) + ")"
            correct = value == tuple(question.answer)
        else:
            value = parse_number(text, percent=question.probability)
            typed = text.strip()
            read_as = f"read {typed} as {value:.6g}" if typed != f"{value:g}" else ""
            correct = math.isclose(value, question.answer, rel_tol=question.rel_tol, abs_tol=question.abs_tol)
    except ValueError as err:
        return Verdict(False, False, "", str(err))
    tolerance = f" ({question.tolerance})" if question.kind == "number" else ""
    message = "Right." if correct else f"Not quite: the answer is {answer_text(question)}{tolerance}."
    return Verdict(correct, True, read_as, message)
