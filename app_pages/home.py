"""The welcome page: what the lab is, and a link to every lesson."""

import streamlit as st

from app_pages.catalog import HOME, SECTIONS

st.title("AI Math Lab")
st.markdown("##### See the math that AI runs on — every number computed live by PyTorch as you move a slider.")
st.markdown(
    "Each page takes one idea from modern AI, shows its formula with the live numbers filled in, "
    "lets you move the inputs, and draws what happens. Under every chart is the time the computation "
    "took and the exact engine code that produced it. The address bar always holds your settings, "
    "so a copied link opens the same view."
)

for section, pages in SECTIONS.items():
    lessons = [page for page in pages if page is not HOME]
    if not lessons:
        continue
    st.subheader(section)
    columns = st.columns(2)
    for index, page in enumerate(lessons):
        with columns[index % 2], st.container(border=True):
            st.page_link(page.path, label=page.title, icon=page.icon)
            st.caption(page.blurb)
