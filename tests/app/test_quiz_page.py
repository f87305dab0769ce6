"""The quiz page in AppTest: a linked seed reproduces the round, answers are checked and scored, garbage explained."""

import re
import time

from engine import quiz
from tests.app.helpers import errors, metric_values, open_page

PAGE = "app_pages/quiz.py"
SEED = 7


def prompts(at) -> list[str]:
    return [m.value for m in at.markdown if re.match(r"\*\*\d+\. ", m.value)]


def first(kind: str, seed: int = SEED) -> quiz.Question:
    return next(q for q in quiz.quiz(seed) if q.kind == kind)


def answer(at, q: quiz.Question, text: str, seed: int = SEED):
    at.text_input(key=f"quiz_answer_{seed}_{q.id}").input(text)
    start = time.perf_counter()
    at.button(key=f"quiz_check_{seed}_{q.id}").click().run()
    return time.perf_counter() - start


def test_a_linked_seed_reproduces_the_round():
    at = open_page(PAGE, query={"quiz_seed": str(SEED)})
    assert not at.exception, at.exception
    shown = prompts(at)
    assert [s.split(" · ", 1)[1] for s in shown] == [q.prompt for q in quiz.quiz(SEED)]
    again = open_page(PAGE, query={"quiz_seed": str(SEED)})
    assert prompts(again) == shown
    assert not any(k.startswith("quiz_answer") for k in at.query_params), "answers never go into the link"


def test_right_answer_scores_and_wrong_answer_explains_with_a_link():
    at = open_page(PAGE, query={"quiz_seed": str(SEED)})
    number = first("number")
    # The right answer from the question's own numbers, typed as a learner rounds it.
    typed = f"{number.answer:.2f}".replace(".", ",") if number.abs_tol >= 0.01 else str(round(number.answer))
    seconds = answer(at, number, typed)
    assert not at.exception, at.exception
    assert any(number.explanation in s.value for s in at.success), [s.value for s in at.success]
    assert metric_values(at)["answered"] == "1" and metric_values(at)["right"] == "1"
    print(f"\none check (AppTest, with the score's full rerun): {seconds * 1000:.0f} ms")

    shape = first("shape", SEED) if any(q.kind == "shape" for q in quiz.quiz(SEED)) else None
    wrong_q = shape or [q for q in quiz.quiz(SEED) if q.kind == "number"][1]
    answer(at, wrong_q, "99x98" if shape else "123456")
    assert not at.exception, at.exception
    said = errors(at)
    assert any(wrong_q.explanation in e and quiz.answer_text(wrong_q) in e for e in said), said
    links = [link.proto.page for link in at.get("page_link")]
    assert any(link.endswith(f"{wrong_q.url_path}") or wrong_q.url_path in link for link in links), links
    assert metric_values(at)["answered"] == "2" and metric_values(at)["right"] == "1"

    answer(at, number, "0")  # a second check of the same question: feedback, but no second score
    assert metric_values(at)["answered"] == "2"


def test_garbage_gets_a_sentence_and_no_score():
    at = open_page(PAGE, query={"quiz_seed": str(SEED)})
    number = first("number")
    for garbage in ("abc", "__import__('os')", "1/0", "9" * 10_000):
        answer(at, number, garbage)
        assert not at.exception, at.exception
        assert at.warning and at.warning[-1].value.endswith("."), garbage
    assert metric_values(at)["answered"] == "0"


def test_choice_question_and_new_questions():
    at = open_page(PAGE, query={"quiz_seed": str(SEED)})
    choice = first("choice")
    at.radio(key=f"quiz_answer_{SEED}_{choice.id}").set_value(choice.choices[choice.answer])
    at.button(key=f"quiz_check_{SEED}_{choice.id}").click().run()
    assert any(choice.explanation in s.value for s in at.success)

    before = prompts(at)
    at.button(key="quiz_new").click().run()
    assert not at.exception, at.exception
    seed = int(at.number_input(key="quiz_seed").value)
    assert seed != SEED and float(at.query_params["quiz_seed"]) == seed, "the new seed is in the link"
    assert prompts(at) != before
    assert [s.split(" · ", 1)[1] for s in prompts(at)] == [q.prompt for q in quiz.quiz(seed)]


def test_section_filter():
    at = open_page(PAGE, query={"quiz_seed": "3", "quiz_sections": "Hardware"})
    assert not at.exception, at.exception
    assert all(p.split(" · ")[0] == "**" + str(i) + ". Hardware**" for i, p in enumerate(prompts(at), start=1))
