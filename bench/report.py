"""Writing a benchmark's section of BENCHMARKS.md (no plotly or streamlit: it also runs on a lent GPU machine)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write(section: str, begin: str, end: str) -> None:
    """Replace the part of BENCHMARKS.md between ``begin`` and ``end`` (or append it)."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n\nWritten by the scripts in `bench/`.\n"
    if begin in text:
        before, rest = text.split(begin, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text)
