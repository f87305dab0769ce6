"""Plotly figure builders: an engine result in, a ``go.Figure`` out. No streamlit here."""
