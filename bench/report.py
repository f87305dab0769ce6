"""Writing a benchmark's section of BENCHMARKS.md (no plotly or streamlit: it also runs on a lent GPU machine)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def device_name(device) -> str:
    """The device a benchmark ran on, for its heading: the GPU's name, or the CPU and its cores (the
    heavy calls measured here use every core, whatever the app's thread setting)."""
    from engine.device import describe_device

    if device.type == "cuda":
        return describe_device(device).label
    return f"CPU ({os.cpu_count()} cores)"


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


def run(description: str, section: Callable[..., str], marks: tuple[str, str], *, repeats: int | None = None) -> None:
    """The command line every benchmark shares: print its section of BENCHMARKS.md; ``--write`` puts it
    there, ``--out FILE`` into a file (on a lent GPU machine, whose BENCHMARKS.md does not come back)."""
    parser = argparse.ArgumentParser(description=description)
    if repeats is not None:
        parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--out", type=Path, help="write the section to this file")
    args = parser.parse_args()
    text = section(args.repeats) if repeats is not None else section()
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    if args.write:
        write(text, *marks)
