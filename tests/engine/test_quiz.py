"""The quiz: every live answer against numpy from the question's own numbers, checking, rounds, the pool."""

import math

import numpy as np
import pytest

from app_pages.catalog import SECTIONS as CATALOG
from engine import quiz

SEEDS = range(50)
LIVE = [entry for entry in quiz.pool() if entry.live]


def softmax(z):
    e = np.exp(np.asarray(z, float) - np.max(z))
    return e / e.sum()


def reference(q: quiz.Question):
    """The answer, computed with numpy from ``q.data`` alone (never from the engine or the prompt)."""
    d = q.data
    if q.id == "shape":
        return (d["m"], d["p"])
    if q.id == "dot":
        return float(np.dot(d["a"], d["b"]))
    if q.id == "cell":
        return float((np.array(d["a"]) @ np.array(d["b"]))[d["row"], d["col"]])
    if q.id == "det":
        return float(np.linalg.det(np.array([[d["a"], d["b"]], [d["c"], d["d"]]])))
    if q.id == "slope":
        return float(np.polyval(np.polyder([d["a"], d["b"], 0]), d["x0"]))
    if q.id == "chain":
        return float(np.polyval(np.polyder(np.polymul([d["a"], d["b"]], [d["a"], d["b"]])), d["x0"]))
    if q.id == "step":
        return d["w0"] - d["lr"] * 2 * (d["w0"] - 3)
    if q.id == "attn":
        return float(softmax(np.array(d["scores"]) / np.sqrt(d["d_k"]))[d["key"]])
    if q.id == "cos":
        a, b = np.array(d["a"], float), np.array(d["b"], float)
        return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    if q.id == "svd":
        return d["k"] * d["m"] + d["k"] + d["k"] * d["n"]
    if q.id == "pca":
        v = np.array(d["variances"], float)
        return float(v[: d["k"]].sum() / v.sum())
    if q.id == "softmax":
        return float(softmax(np.array(d["logits"]) / d["temperature"])[d["token"]])
    if q.id == "entropy":
        p = np.array(d["p"])
        return float(-(p * np.log2(p)).sum())
    if q.id == "kl":
        p, r = np.array(d["p"]), np.array(d["q"])
        return float((p * np.log2(p / r)).sum())
    if q.id == "bayes":
        hit = d["hit"] * d["prior"]
        return hit / (hit + d["alarm"] * (1 - d["prior"]))
    if q.id == "intensity":
        size = d["size"]
        return 2 * size**3 / (3 * size * size * d["bytes"])
    if q.id == "xent":
        return float(-np.log(d["q"][d["target"]]))
    if q.id == "attn_params":
        return 4 * (d["d_model"] ** 2 + d["d_model"])
    if q.id == "loss0":
        return math.log(d["vocab"])
    raise AssertionError(f"no reference for {q.id}")


def within(q: quiz.Question, value: float, expected: float) -> bool:
    return math.isclose(value, expected, rel_tol=q.rel_tol, abs_tol=max(q.abs_tol, 1e-9))


def right_texts(q: quiz.Question) -> list[str]:
    """The right answer typed several ways a learner might."""
    if q.kind == "shape":
        a = q.answer
        return [str(a), "x".join(map(str, a)), "×".join(map(str, a)), " ".join(map(str, a)), str(list(a))]
    texts = [repr(q.answer), f" {q.answer:.6f} ", f"{q.answer:.6f}".replace(".", ",")]
    if q.abs_tol >= 0.01:
        texts += [f"{q.answer:.2f}", f"{q.answer:.2f}".replace(".", ",")]
    if q.probability:
        texts.append(f"{100 * q.answer:.3f}%")
    if float(q.answer).is_integer():
        texts += [str(int(q.answer)), f"{2 * int(q.answer)}/2"]
    return texts


def wrong_text(q: quiz.Question) -> str:
    if q.kind == "shape":
        return " x ".join(str(s + 1) for s in q.answer)
    return repr(q.answer + max(0.05, 3 * q.abs_tol, 0.1 * abs(q.answer)))


@pytest.mark.parametrize("entry", LIVE, ids=lambda e: e.id)
def test_live_answer_matches_numpy_and_is_checked(entry):
    for seed in SEEDS:
        q = entry.make(seed)
        expected = reference(q)
        if q.kind == "shape":
            assert q.answer == expected
        else:
            assert within(q, q.answer, expected), (seed, q.answer, expected)
        for text in right_texts(q):
            verdict = quiz.check(q, text)
            assert verdict.correct and verdict.understood, (seed, text, verdict)
        wrong = quiz.check(q, wrong_text(q))
        assert wrong.understood and not wrong.correct, (seed, wrong)
        assert quiz.answer_text(q) in wrong.message
        garbage = quiz.check(q, "abc")
        assert not garbage.understood and not garbage.correct and garbage.message.endswith(".")


@pytest.mark.parametrize("entry", LIVE, ids=lambda e: e.id)
def test_live_questions_are_reproducible_and_vary(entry):
    assert entry.make(11) == entry.make(11)
    assert len({str(entry.make(seed).data) for seed in range(12)}) > 1, "another seed draws other numbers"


def test_live_explanations_show_the_answer():
    for entry in LIVE:
        q = entry.make(3)
        assert q.kind == "shape" or quiz.n(q.answer) in q.explanation, (q.id, q.explanation)


def test_pool_size_and_coverage():
    entries = quiz.pool()
    assert len(entries) >= 24 and 2 * len(LIVE) >= len(entries), "at least half have fresh numbers"
    assert len(quiz.live_generators()) == len(LIVE)
    lesson_sections = [s for s in CATALOG if s not in ("Start", "Check yourself")]
    assert list(quiz.SECTIONS) == lesson_sections
    for section in lesson_sections:
        assert sum(e.section == section for e in entries) >= 2, section
    paths = {page.url_path: section for section, pages in CATALOG.items() for page in pages}
    for entry in entries:
        assert paths.get(entry.url_path) == entry.section, (entry.id, entry.url_path)
    assert len({e.id for e in entries}) == len(entries)


def test_concepts_answer_in_range_and_shuffled_consistently():
    for concept in quiz.load_concepts():
        assert 0 <= concept.answer < len(concept.choices) and len(set(concept.choices)) == len(concept.choices)
        right = concept.choices[concept.answer]
        for seed in range(5):
            q = next(e for e in quiz.pool() if e.id == concept.id).make(seed)
            assert sorted(q.choices) == sorted(concept.choices)
            assert q.choices[q.answer] == right and quiz.check(q, right).correct
            assert not quiz.check(q, next(c for c in q.choices if c != right)).correct
            assert not quiz.check(q, None).understood


def test_rounds_are_reproducible_and_cover_the_sections():
    for seed in range(20):
        round_ = quiz.quiz(seed)
        assert round_ == quiz.quiz(seed)
        assert len(round_) == quiz.ROUND
        assert {q.section for q in round_} == set(quiz.SECTIONS)
        assert sum(q.live for q in round_) * 2 >= len(round_), "at least half of a round has fresh numbers"
    assert len({tuple(q.prompt for q in quiz.quiz(seed)) for seed in range(10)}) == 10


def test_section_filter_and_bad_input():
    only = quiz.quiz(5, 4, ["Hardware"])
    assert {q.section for q in only} == {"Hardware"} and len(only) == len({q.id for q in only})
    for bad in ({"sections": ["Cooking"]}, {"sections": []}, {"count": 0}, {"seed": -1}):
        with pytest.raises(ValueError):
            quiz.quiz(**{"seed": 1, **bad})
