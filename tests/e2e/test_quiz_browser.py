"""The quiz in a real browser: a typed answer is checked, explained, linked and scored."""

import re

import pytest
from playwright.sync_api import expect

from engine import quiz
from tests.e2e.browser import metric, wait_idle

pytestmark = pytest.mark.e2e
SEED = 7


def test_a_right_answer_scores_and_a_garbage_one_is_explained(app_url, page):
    page.goto(f"{app_url}/quiz?quiz_seed={SEED}")
    wait_idle(page)
    questions = quiz.quiz(SEED)
    first = next(i for i, q in enumerate(questions) if q.kind == "number")
    question = questions[first]
    card = page.get_by_test_id("stMain").get_by_test_id("stForm").nth(first)
    box = card.get_by_role("textbox")
    box.fill("a dozen")
    card.get_by_role("button", name="Check").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="a dozen")).to_be_visible()
    expect(metric(page, "answered")).to_have_text("0")  # unreadable: explained, not scored

    # The answer as a person types it: with a decimal comma where the value has decimals.
    box.fill(quiz.answer_text(question).replace(".", ","))
    card.get_by_role("button", name="Check").click()
    expect(metric(page, "right")).to_have_text("1")
    expect(metric(page, "answered")).to_have_text("1")
    teacher = page.get_by_role("link", name=re.compile(r"^Learn it: "))
    expect(teacher).to_have_attribute("href", re.compile(rf"(^|/){question.url_path}$"))
