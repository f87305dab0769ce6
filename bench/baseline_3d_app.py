"""The floor for bench_browser's 3-D switches: one switch that turns a small scatter into a 3-D scene.

A lesson's 3-D view is a WebGL scene, which a browser without a GPU (headless Chromium here) draws
in software. Timed in the same run as the lesson pages, a page's 3-D switch reads as a multiple of it.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("Baseline, 3-D")
three_d = st.toggle("3-D", key="three_d")
x, y, z = np.random.default_rng(0).normal(size=(3, 200))
trace = go.Scatter3d(x=x, y=y, z=z, mode="markers") if three_d else go.Scatter(x=x, y=y, mode="markers")
st.plotly_chart(go.Figure(trace), theme=None)
