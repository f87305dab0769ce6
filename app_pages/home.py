"""The welcome page: what the lab is, the suggested order, and a map of the math linking every lesson."""

import streamlit as st

from app_pages.catalog import PLACES, QUIZ, SECTION_WHY, SECTIONS, learning_path, lesson_pages
from engine.device import describe_device
from ui import widgets

st.title("AI Math Lab")
st.markdown("##### See the math that AI runs on — every number computed live by PyTorch as you move a slider.")
st.markdown(
    "AI Math Lab is a set of interactive lessons on the math inside modern AI, from the dot product to a "
    "transformer you train yourself. Every number on screen is computed live by a PyTorch engine as you move "
    "a control, and every chart has a **Code** panel with the exact engine source that drew it. The data "
    "is real: a pretrained MiniLM transformer, GloVe word vectors, and scikit-learn's photos and digits "
    "ship with the app, and the address bar always holds your settings, so a copied link opens the same view."
)
try:
    device = describe_device()
    st.caption(f"Here the engine runs on **{device.label}** with PyTorch {device.torch_version}.")
except ValueError as err:  # a device asked for that this machine lacks: the sidebar says the same
    st.warning(str(err))

first = learning_path()[0]
st.page_link(first.path, label=f"Start with the first lesson: {first.title}", icon=":material/play_arrow:")

st.subheader("A suggested order")
st.markdown(
    "\n".join(f"{number}. **{section}** — {SECTION_WHY[section]}" for number, section in enumerate(SECTION_WHY, 1))
)
st.caption("Each lesson ends with a link to the next one, in this order.")
st.page_link(QUIZ.path, label=f"{QUIZ.title}: the quiz", icon=QUIZ.icon, help=QUIZ.blurb)

st.subheader("A map of the math")
places = widgets.several(
    "Where it shows up in a model",
    key="home_places",
    options=PLACES,
    value=[],
    help="Show only the concepts used there; choose none to see them all.",
)
shown = [(section, page) for section, page in lesson_pages() if not places or set(page.appears) & set(places)]
sections = [section for section in SECTIONS if any(s == section for s, _ in shown)]
for section in sections:
    st.markdown(f"**{section}**")
    for _, page in (item for item in shown if item[0] == section):
        with st.container(border=True):
            concept, role, where = st.columns([4, 5, 2], vertical_alignment="center")
            concept.page_link(page.path, label=page.concept, icon=page.icon, help=page.title)
            role.markdown(page.role)
            where.caption(" · ".join(page.appears))
