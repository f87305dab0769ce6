"""The engine's heavy calls against their budgets: training, the optimizer race, the bootstrap, diffusion.

    python -m bench.bench_engine [--repeats 7] [--write]

Each call is timed ``repeats`` times after one warm-up, in this process, with the torch threads
the app uses (engine.device.configure_threads). Reported as median and worst, and as ratios to
the budget measured in this one run. ``--write`` replaces this benchmark's section of BENCHMARKS.md.
"""

from __future__ import annotations

import functools
import os
import platform
import statistics
import time
from collections.abc import Callable

import torch

from bench.report import run
from engine import bootstrap, diffusion, digits, images, lora, optimizers, svd, training
from engine.device import configure_threads, seeded_generator, warm_up
from viz import diffusion as diffusion_charts

MARK_BEGIN, MARK_END = "<!-- bench_engine:begin -->", "<!-- bench_engine:end -->"


def race_defaults() -> optimizers.Race:
    surface = optimizers.SURFACES["Rosenbrock"]
    return optimizers.race("Rosenbrock", tuple(optimizers.OPTIMIZERS), surface.start, *surface.lr, 200)


FIVE_SCORES = "0.85, 0.88, 0.82, 0.90, 0.87"  # the bootstrap page's default
THOUSAND_SCORES = ", ".join(f"{0.8 + 0.1 * (i % 7) / 7:.4f}" for i in range(bootstrap.MAX_VALUES))


def diffusion_strip() -> object:
    """The diffusion page's strip for a 512 × 512 colour image: the forward process and its PNG figure."""
    pixels = torch.rand(512, 512, 3, generator=seeded_generator(0, torch.device("cpu"))).numpy()
    result = diffusion.forward_process(pixels, "linear", 1000, 250, 0)
    return diffusion_charts.strip_figure(result)


def square_picture() -> images.Picture:
    """A 1024 × 1024 colour picture (seeded noise: an SVD costs the same whatever the pixels show)."""
    pixels = torch.rand(1024, 1024, 3, generator=seeded_generator(1, torch.device("cpu"))).numpy()
    return images.Picture("bench:noise-1024", pixels)


@functools.cache
def grey_svd() -> svd.ImageSVD:
    return svd.decompose(square_picture(), "grey")


def rank_k_change() -> object:
    """What moving the SVD page's k costs: recombining the cached SVD of a 1024 × 1024 grey picture."""
    return svd.reconstruct(grey_svd(), 50)


CASES: list[tuple[str, Callable[[], object], float | None]] = [
    (
        "default training: two moons, 2×8 ReLU, Adam, 300 steps, batch 32",
        lambda: training.train(**training.DEFAULTS),
        2.0,
    ),
    (
        "largest training: spirals, 4×32, 2000 steps, batch 512",
        lambda: training.train(
            **{**training.DEFAULTS, "kind": "spirals", "points": 2000, "hidden_layers": 4, "width": 32,
               "batch_size": 512, "steps": 2000}
        ),
        None,
    ),
    ("optimizer race: 6 optimizers × 200 steps on Rosenbrock", race_defaults, 0.15),
    (
        "bootstrap: 10,000 resamples of the default 5 scores",
        lambda: bootstrap.bootstrap(FIVE_SCORES, 10_000, 0.95, 0),
        0.1,
    ),
    (
        f"bootstrap: 10,000 resamples of {bootstrap.MAX_VALUES:,} scores (the cap)",
        lambda: bootstrap.bootstrap(THOUSAND_SCORES, 10_000, 0.95, 0),
        0.1,
    ),
    ("diffusion: the strip of 6 frames for a 512 × 512 image, engine + PNG figure", diffusion_strip, 0.2),
    ("SVD of a 1024 × 1024 picture, grey (one matrix), once per image", lambda: svd.decompose(square_picture()), 1.5),
    (
        "SVD of a 1024 × 1024 picture, colour (three matrices), once per image",
        lambda: svd.decompose(square_picture(), "colour"),
        1.5,
    ),
    ("SVD page: a change of k (rank-50 picture from the cached SVD, 1024 × 1024)", rank_k_change, 0.05),
    ("PCA of the 1,797 digits: covariance, eigh, the SVD route and both timings", lambda: digits.study("digits"), 0.1),
    (
        "LoRA fit at the page's defaults: r 4, hidden rank 4, 300 Adam steps",
        lambda: lora.lora_fit(4, 4, 300, 0.01, 0),
        2.0,
    ),
]  # fmt: skip


def seconds(call: Callable[[], object], repeats: int) -> list[float]:
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def report(repeats: int) -> str:
    threads = configure_threads()
    warm_up()
    rows = []
    for name, call, budget in CASES:
        times = seconds(call, repeats)
        median, worst = statistics.median(times), max(times)
        ratio = f"{median / budget:.2f}" if budget else "—"
        budget_text = f"{budget * 1000:.0f} ms" if budget else "none (the cap)"
        rows.append(f"| {name} | {median * 1000:.0f} | {worst * 1000:.0f} | {budget_text} | {ratio} |")
        print(rows[-1])
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}"
    return "\n".join(
        [
            MARK_BEGIN,
            "## Heavy engine calls (`python -m bench.bench_engine --write`)",
            "",
            f"Machine: {machine}, {threads} torch thread(s) as the app sets them. {repeats} runs after a warm-up.",
            "",
            "| call | median ms | worst ms | budget | median / budget |",
            "|---|---|---|---|---|",
            *rows,
            MARK_END,
        ]
    )


def main() -> None:
    run("Time the engine's heavy calls against their budgets.", report, (MARK_BEGIN, MARK_END), repeats=7)


if __name__ == "__main__":
    main()
