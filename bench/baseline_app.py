"""The floor for bench_browser: one slider and one small chart, nothing else.

What Streamlit and Plotly cost on this machine for the simplest possible change, measured in the
same run as the lesson pages, so their times can be read as multiples of it.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.title("Baseline")
k = st.slider("frequency", min_value=1, max_value=20, value=5, key="k")
x = np.linspace(0, 1, 200)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(2 * np.pi * k * x))), theme=None)
