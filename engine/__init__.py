"""The math of AI Math Lab, in PyTorch.

Pure functions, one module per topic. Every function takes ``device=None`` and
returns a frozen dataclass of named tensors and floats, so a page and a test read
the same names. This package never imports streamlit or plotly.
"""
