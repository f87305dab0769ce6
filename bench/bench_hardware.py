"""The hardware page's measurements, run as a benchmark and written down with the device's name.

    python -m bench.bench_hardware [--write] [--out FILE]

Runs the page's own engine calls (engine/hardware.py): the matmul sweep in every number format the
device has, the element-wise sweep, and the roofline from both. ``--write`` replaces this device
kind's section of BENCHMARKS.md (CPU and CUDA have separate sections); ``--out`` writes the section
to a file instead, for a machine whose BENCHMARKS.md does not come back (the lent GPU).
"""

from __future__ import annotations

import os
import platform

import torch

from bench.report import device_name, run
from engine import hardware
from engine.device import configure_threads, resolve_device


def marks(kind: str) -> tuple[str, str]:
    return f"<!-- bench_hardware_{kind}:begin -->", f"<!-- bench_hardware_{kind}:end -->"


def report() -> str:
    configure_threads()
    device = resolve_device()
    kind = device.type
    formats = tuple(hardware.DTYPES) if kind == "cuda" else ("float32",)
    sweep = hardware.matmul_sweep(hardware.MAX_SIZE[kind], formats, again=True, device=device)
    stream = hardware.elementwise_sweep(again=True, device=device)
    roofs = hardware.roofline(sweep, stream, device=device)
    sizes = sorted({p.size for p in sweep.points})
    by_key = {(p.dtype, p.size): p for p in sweep.points}
    header = "| N | " + " | ".join(f"{name} GFLOP/s" for name in formats) + " |"
    rows = [
        f"| {n:,} | "
        + " | ".join(f"{by_key[(name, n)].gflops:,.0f}" if (name, n) in by_key else "skipped" for name in formats)
        + " |"
        for n in sizes
    ]
    largest = max(stream.points, key=lambda p: p.size)
    fastest = max(stream.points, key=lambda p: p.gbs)
    roof_rows = [
        f"| {r.dtype} | {r.source} | {r.peak_gflops:,.0f} | {r.bandwidth_gbs:,.0f} | {r.ridge:.3g} |" for r in roofs
    ]
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}"
    begin, end = marks(kind)
    return "\n".join(
        [
            begin,
            f"## Hardware page on {device_name(device)} (`python -m bench.bench_hardware --write`)",
            "",
            f"Machine: {machine}. Measured {sweep.measured_at} by the page's own engine calls "
            f"(sweep {sweep.spent_seconds:.1f} s, its cap {hardware.SWEEP_SECONDS[kind]:g} s"
            + (f"; skipped: {', '.join(f'{d} N={n}' for d, n in sweep.skipped)}" if sweep.skipped else "")
            + "). Throughput is 2N³ / median time of one product.",
            "",
            header,
            "|---|" + "---|" * len(formats),
            *rows,
            "",
            f"Element-wise y + a·x (float32): {largest.gbs:,.0f} GB/s at {largest.size:,} elements "
            f"({largest.gflops:,.1f} GFLOP/s); fastest {fastest.gbs:,.0f} GB/s at {fastest.size:,} elements.",
            "",
            "| roof | source | peak GFLOP/s | bandwidth GB/s | ridge (FLOP/byte) |",
            "|---|---|---|---|---|",
            *roof_rows,
            end,
        ]
    )


def main() -> None:
    run("Run the hardware page's measurements and record them.", report, marks(resolve_device().type))


if __name__ == "__main__":
    main()
