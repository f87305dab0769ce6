"""The sidebar every page shares: where the math runs."""

from __future__ import annotations

import streamlit as st

from engine.device import describe_device


def device_panel() -> None:
    """The compute device and the torch version, so a learner knows what the timings mean."""
    try:
        info = describe_device()
    except ValueError as err:  # e.g. AIML_DEVICE=cuda on a machine without a GPU
        st.sidebar.error(str(err))
        return
    with st.sidebar.container(border=True):
        st.markdown(f"**Compute device**  \n{info.label}")
        st.caption(f"PyTorch {info.torch_version}")
    st.sidebar.caption("Every control is stored in the URL: copy the address to share this exact view.")
