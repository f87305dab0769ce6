"""A page whose work goes on over several runs (ui/slices.py), for tests/e2e/test_slices_browser.py.

The work is a counter that sleeps 5 ms a step, so how many pictures the browser should see is known,
and nothing else on the page competes with them. The counting runs on opening the page (full runs,
rerun at the end of the page) and again from a slider inside a fragment (fragment runs).
"""

import time
from dataclasses import dataclass

import streamlit as st

from ui import slices

STEP_S = 0.005


@dataclass
class Counting:
    steps: int
    done: int = 0

    @property
    def finished(self) -> bool:
        return self.done == self.steps


def start_counting(steps: int, *, device=None) -> Counting:
    return Counting(steps)


def count_one(state: Counting) -> None:
    time.sleep(STEP_S)
    state.done += 1


def counted(state: Counting) -> dict:
    return {"done": state.done, "steps": state.steps}


@st.fragment
def counter() -> None:
    steps = st.slider("steps", min_value=100, max_value=200, value=100, step=10, key="steps")
    work = slices.run_in_slices(start_counting, (steps,), advance=count_one, record=counted)
    if not work.show:
        slices.go_on()
    st.markdown(f"counted {work.result['done']} of {work.result['steps']}")
    if not work.finished:
        slices.keep_going()


st.title("Counting in slices")
counter()
st.caption("the end of the page")
slices.rerun_if_asked()
