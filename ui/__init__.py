"""Streamlit helpers every page shares: the page frame, URL-bound widgets, engine calls, the sidebar."""
