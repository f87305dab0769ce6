"""Check yourself: a round of questions from every section, most with fresh numbers, checked by the engine."""

import secrets

import streamlit as st

from app_pages.catalog import SECTIONS as CATALOG
from engine import quiz
from engine.checks import MAX_SEED
from ui import frame, widgets

SCORE = "_quiz_score"  # section -> [answered, right], for this session
SCORED = "_quiz_scored"  # (seed, question id) already counted: re-checking one does not add to the score
VERDICTS = "_quiz_verdicts"  # (seed, question id) -> (typed text, Verdict), so feedback survives reruns
NEW_ROUND_SEEDS = 99_999  # a fresh round's seed: short enough to read out of a link
PAGES = {page.url_path: page for pages in CATALOG.values() for page in pages}

frame.header(
    "Check yourself",
    "Questions from every section; most have fresh numbers each round, and the engine checks your answer.",
    "Each answer is checked by the same engine functions the lessons run, to the tolerance shown under the box. "
    "Type numbers as **2.4**, **2,4**, **12/5**, **-0.5** or **1e-3**; a probability may also be **50%**; a shape "
    "as **(2, 4)**, **2x4** or **2 4**. Nothing you type is run as code. The seed in the address names the round: "
    "share the link and a friend gets the same questions and numbers.",
)


def new_round() -> None:
    # A callback runs before the script, so the seed box is drawn with the new value (and the URL follows).
    st.session_state["quiz_seed"] = float(1 + secrets.randbelow(NEW_ROUND_SEEDS))


controls = st.columns([1, 1, 3], vertical_alignment="bottom")
with controls[0]:
    seed = widgets.number("round (seed)", key="quiz_seed", value=1, min_value=0, max_value=MAX_SEED, whole=True)
with controls[1]:
    st.button("New questions", key="quiz_new", icon=":material/refresh:", on_click=new_round)
with controls[2]:
    sections = widgets.several("sections", key="quiz_sections", options=quiz.SECTIONS, value=quiz.SECTIONS)

score = st.session_state.setdefault(SCORE, {})
scored = st.session_state.setdefault(SCORED, set())
verdicts = st.session_state.setdefault(VERDICTS, {})


def show_score() -> None:
    answered = sum(a for a, _ in score.values())
    right = sum(r for _, r in score.values())
    columns = st.columns(4)
    frame.metric("answered", str(answered), place=columns[0])
    frame.metric("right", str(right), f"{right / answered:.0%}" if answered else None, place=columns[1])
    if score:
        by_section = " · ".join(f"{section}: {r}/{a}" for section, (a, r) in score.items())
        columns[2].caption(f"By section — {by_section}. Only the first readable answer to a question counts.")


def feedback(question: quiz.Question, typed: str, verdict: quiz.Verdict) -> None:
    if not verdict.understood:
        st.warning(verdict.message, icon=":material/help:")
        return
    read_as = f" ({frame.quoted(verdict.read_as)})" if verdict.read_as else ""
    if verdict.correct:
        st.success(f"{verdict.message}{read_as} {question.explanation}", icon=":material/check_circle:")
    else:
        st.error(f"{verdict.message}{read_as} {question.explanation}", icon=":material/cancel:")
    page = PAGES[question.url_path]
    st.page_link(page.path, label=f"Learn it: {page.title}", icon=page.icon)


@st.fragment
def ask(number: int, question: quiz.Question) -> None:
    """One question in a form: typing does not rerun anything; "Check" reruns only this question."""
    slot = (seed, question.id)
    # The box is keyed by round and question and NOT bound to the URL: a shared link reproduces the
    # questions, never somebody's answers.
    box = f"quiz_answer_{seed}_{question.id}"
    with st.container(border=True):
        st.markdown(f"**{number}. {question.section}** · {question.prompt}")
        with st.form(f"quiz_form_{seed}_{question.id}", border=False):
            if question.kind == "choice":
                typed = st.radio("your answer", question.choices, index=None, key=box, label_visibility="collapsed")
            else:
                hint = "a shape such as (2, 4)" if question.kind == "shape" else f"a number, {question.tolerance}"
                typed = st.text_input("your answer", key=box, placeholder=hint, help=f"Type {hint}.")
            checked = st.form_submit_button("Check", key=f"quiz_check_{seed}_{question.id}")
        if checked:
            verdict = quiz.check(question, typed)
            verdicts[slot] = (typed, verdict)
            if verdict.understood and slot not in scored:
                scored.add(slot)
                answered, right = score.get(question.section, (0, 0))
                score[question.section] = (answered + 1, right + int(verdict.correct))
                st.rerun()  # the whole page, so the score above is redrawn (the page is cheap)
        if slot in verdicts:
            feedback(question, *verdicts[slot])


if not sections:
    st.info("Choose at least one section above.")
else:
    show_score()
    for number, question in enumerate(quiz.quiz(seed, sections=sections), start=1):
        ask(number, question)
