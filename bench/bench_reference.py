"""Each engine operation against an independent reference doing the same work, as a ratio in one run.

    python -m bench.bench_reference [--repeats 31] [--write]

The engine keeps what the lessons show (attention's scores and weights, every trajectory point)
and checks its input; a reference computes only the answer. The ratio says what that costs:
target ≤ 1.2 (issue 11). Calls alternate, engine then reference, so a slow moment of a shared
machine hits both; each side's median is reported. Every case first checks that both sides agree,
so a fast wrong answer cannot pass. The cases run in a child process whose allocator reuses freed
buffers (``STEADY_MALLOC``), and the table counts page faults per call, so a ratio measures the
arithmetic, not the kernel. ``--write`` replaces this benchmark's section of BENCHMARKS.md.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from bench.report import ROOT, run
from engine import attention, images, information, optimizers, pca, softmax, svd, training
from engine.device import configure_threads, seeded_generator, warm_up

MARK_BEGIN, MARK_END = "<!-- bench_reference:begin -->", "<!-- bench_reference:end -->"
TARGET = 1.2
# glibc hands a large block (over 128 KB) back to the kernel when it is freed, and raises that limit
# only as it sees such blocks freed. In about one process in three it never settled for the 8 MB
# results here: every softmax call got fresh pages, 1,921 page faults for the engine and 436 for scipy
# (numpy asks for huge pages), and the ratio swung between 0.8 and 1.25 from process to process with
# the same code. With freed blocks kept for reuse, both sides run without faults (0.82-0.97, six
# processes). Set for the child process that times the cases only, never for the app or other benchmarks.
STEADY_MALLOC = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"


@dataclass(frozen=True)
class Case:
    name: str
    engine: Callable[[], object]
    reference_name: str
    reference: Callable[[], object]
    agree: Callable[[object, object], bool]  # the two answers match


def attention_case() -> Case:
    # MiniLM's shape: 12 heads, 128 tokens, 32 dimensions per head.
    generator = seeded_generator(0, torch.device("cpu"))
    q, k, v = (torch.randn(12, 128, 32, generator=generator) for _ in range(3))
    return Case(
        "attention, 12 heads × 128 tokens × 32 dims (`attention.attend`, keeps scores and weights)",
        lambda: attention.attend(q, k, v).output,
        "`F.scaled_dot_product_attention`",
        lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v),
        lambda ours, theirs: torch.allclose(ours, theirs, atol=1e-5),
    )


def pca_case() -> Case:
    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA

    digits = load_digits().data  # 1797 × 64, the compression section's data
    return Case(
        "PCA fit of the digits, 1797 × 64 (`pca.fit`, float64 covariance + eigh)",
        lambda: pca.fit(digits, device="cpu").explained_variance,
        "scikit-learn `PCA().fit` (full SVD)",
        lambda: PCA().fit(digits).explained_variance_,
        lambda ours, theirs: np.allclose(ours.numpy(), theirs, rtol=1e-4, atol=1e-4),
    )


def entropy_case() -> Case:
    from scipy.stats import entropy

    generator = seeded_generator(1, torch.device("cpu"))
    p = torch.softmax(torch.randn(1000, 1000, generator=generator, dtype=torch.float64), dim=1)
    p_numpy = p.numpy()
    return Case(
        "entropy in bits of 1000 distributions over 1000 outcomes (`information.entropy`)",
        lambda: information.entropy(p),
        "`scipy.stats.entropy(base=2)`",
        lambda: entropy(p_numpy, base=2, axis=1),
        lambda ours, theirs: np.allclose(ours.numpy(), theirs),
    )


def svd_case() -> Case:
    generator = seeded_generator(3, torch.device("cpu"))
    pixels = torch.rand(512, 512, 3, generator=generator).numpy()
    picture = images.Picture("bench:noise-512", pixels)
    grey = svd.matrices(torch.from_numpy(pixels), "grey")[0].numpy()  # the matrix the engine decomposes
    return Case(
        "SVD of a 512 × 512 grey picture (`svd.decompose`: also energy, rank, the first 6 layers)",
        lambda: svd.decompose(picture, "grey", device="cpu").S[0],
        "`numpy.linalg.svd(full_matrices=False)`",
        lambda: np.linalg.svd(grey, full_matrices=False)[1],
        lambda ours, theirs: np.allclose(ours.numpy(), theirs, rtol=1e-4, atol=1e-3),
    )


def softmax_case() -> Case:
    from scipy.special import softmax as scipy_softmax

    generator = seeded_generator(2, torch.device("cpu"))
    logits = torch.randn(1000, 1000, generator=generator, dtype=torch.float64) * 5
    logits_numpy = logits.numpy()
    return Case(
        "softmax of 1000 rows × 1000 logits (`softmax.stable_softmax`, max subtracted)",
        lambda: softmax.stable_softmax(logits),
        "`scipy.special.softmax`",
        lambda: scipy_softmax(logits_numpy, axis=1),
        lambda ours, theirs: np.allclose(ours.numpy(), theirs),
    )


def hand_adam(start: tuple[float, float], lr: float, steps: int) -> torch.Tensor:
    """Adam written out (Kingma & Ba, torch's defaults) on Rosenbrock: the loop the engine's race replaces."""
    f = optimizers.loss_2d("Rosenbrock")
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    m, s = torch.zeros(2, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        w.grad = None
        f(w[0], w[1]).backward()
        with torch.no_grad():
            m.mul_(beta1).add_(w.grad, alpha=1 - beta1)
            s.mul_(beta2).addcmul_(w.grad, w.grad, value=1 - beta2)
            m_hat, s_hat = m / (1 - beta1**step), s / (1 - beta2**step)
            w -= lr * m_hat / (s_hat.sqrt() + eps)
    return w.detach()


def optimizer_case() -> Case:
    surface = optimizers.SURFACES["Rosenbrock"]
    lr, steps = surface.lr[1], 200
    return Case(
        "Adam, 200 steps on Rosenbrock (`optimizers.race`, keeps every point and loss)",
        lambda: (
            optimizers.race("Rosenbrock", ("Adam",), surface.start, surface.lr[0], lr, steps, device="cpu")
            .trajectories[0]
            .path[-1]
        ),
        "Adam written out by hand",
        lambda: hand_adam(surface.start, lr, steps),
        lambda ours, theirs: torch.allclose(ours, theirs, atol=1e-6),
    )


def bare_torch_adam(start: tuple[float, float], lr: float, steps: int) -> torch.Tensor:
    """``torch.optim.Adam`` in a loop that keeps nothing: what the race adds on top of torch.optim."""
    f = optimizers.loss_2d("Rosenbrock")
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    adam = torch.optim.Adam([w], lr=lr, foreach=False)
    for _ in range(steps):
        adam.zero_grad()
        f(w[0], w[1]).backward()
        adam.step()
    return w.detach()


def optimizer_overhead_case() -> Case:
    case = optimizer_case()
    surface = optimizers.SURFACES["Rosenbrock"]
    return Case(
        case.name,
        case.engine,
        "`torch.optim.Adam` in a bare loop",
        lambda: bare_torch_adam(surface.start, surface.lr[1], 200),
        case.agree,
    )


def bare_torch_training() -> dict[str, torch.Tensor]:
    """The Train page's default run the textbook way, keeping nothing: nn.Sequential, loss.backward(),
    ``torch.optim.Adam``, on the same data, first weights and batches as ``training.train``."""
    args = training.DEFAULTS
    data = training.make_dataset(args["kind"], args["points"], args["noise"], args["seed"])
    model = training.build_mlp(args["hidden_layers"], args["width"], args["activation"], args["seed"])
    adam = torch.optim.Adam(model.parameters(), lr=args["lr"])
    for rows in training.batch_indices(len(data.y_train), args["batch_size"], args["steps"], args["seed"]):
        adam.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            model(data.x_train[rows]).squeeze(1), data.y_train[rows]
        )
        loss.backward()
        adam.step()
    return model.state_dict()


def training_case() -> Case:
    return Case(
        "the Train page's default run: 2×8 ReLU, Adam, 300 steps of 32 (`training.train`, also keeps 31 "
        "snapshots of the 60 × 60 grid, every loss and gradient norm)",
        lambda: training.train(**training.DEFAULTS, device="cpu").final_weights,
        "`loss.backward()` and `torch.optim.Adam` in a bare loop",
        bare_torch_training,
        lambda ours, theirs: all(torch.allclose(ours[k], theirs[k], rtol=1e-3, atol=1e-4) for k in theirs),
    )


CASES: tuple[Callable[[], Case], ...] = (
    attention_case,
    pca_case,
    svd_case,
    softmax_case,
    entropy_case,
    optimizer_case,
    optimizer_overhead_case,
    training_case,
)


@dataclass(frozen=True)
class Timing:
    ms: float  # median milliseconds per call
    faults: float  # median page faults per call: memory the kernel had to hand over


def _page_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def medians(case: Case, repeats: int) -> tuple[Timing, Timing]:
    """The engine's and the reference's medians, timed alternately after a call that checks they agree."""
    ours_answer, their_answer = case.engine(), case.reference()
    if not case.agree(ours_answer, their_answer):
        raise AssertionError(f"{case.name}: the engine and {case.reference_name} disagree")
    samples: dict[str, tuple[list[float], list[int]]] = {"engine": ([], []), "reference": ([], [])}
    for _ in range(repeats):
        for side, call in (("engine", case.engine), ("reference", case.reference)):
            faults, start = _page_faults(), time.perf_counter()
            call()
            samples[side][0].append((time.perf_counter() - start) * 1000)
            samples[side][1].append(_page_faults() - faults)
    ours, theirs = (Timing(statistics.median(ms), statistics.median(f)) for ms, f in samples.values())
    return ours, theirs


def report(repeats: int) -> str:
    """This benchmark's section of BENCHMARKS.md, timed in a child process with a steady allocator."""
    if os.environ.get("GLIBC_TUNABLES") == STEADY_MALLOC or platform.system() != "Linux":
        return _timed_here(repeats)
    with tempfile.TemporaryDirectory() as folder:
        section = Path(folder) / "section.md"
        command = [sys.executable, "-m", "bench.bench_reference", "--repeats", str(repeats), "--out", str(section)]
        subprocess.run(command, cwd=ROOT, env={**os.environ, "GLIBC_TUNABLES": STEADY_MALLOC}, check=True)
        return section.read_text().rstrip("\n")


def _timed_here(repeats: int) -> str:
    threads = configure_threads()
    warm_up("cpu")
    rows = []
    for build in CASES:
        case = build()
        ours, theirs = medians(case, repeats)
        ratio = ours.ms / theirs.ms
        verdict = "within" if ratio <= TARGET else "**over**"
        rows.append(
            f"| {case.name} | {ours.ms:.2f} | {case.reference_name} | {theirs.ms:.2f} | {ours.faults:.0f} / "
            f"{theirs.faults:.0f} | {ratio:.2f} ({verdict}) |"
        )
        print(rows[-1])
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}"
    return "\n".join(
        [
            MARK_BEGIN,
            "## Engine operations against their references (`python -m bench.bench_reference --write`)",
            "",
            f"Machine: {machine}, CPU, {threads} torch thread(s) as the app sets them. Median of {repeats} "
            f"alternating calls each, after one call that checks both answers agree. Target: ratio ≤ {TARGET}. "
            "Timed in a process whose allocator keeps freed blocks for reuse (`STEADY_MALLOC`): left to "
            "itself, glibc gave some processes fresh pages on every call, and the ratio measured the kernel. "
            "Page faults per call are counted to show it did not. "
            "The real model against sentence-transformers is in the transformers section below.",
            "",
            "| engine operation | engine ms | reference | reference ms | page faults per call, engine / reference "
            "| engine / reference |",
            "|---|---|---|---|---|---|",
            *rows,
            MARK_END,
        ]
    )


def main() -> None:
    run("Time engine operations against independent references.", report, (MARK_BEGIN, MARK_END), repeats=31)


if __name__ == "__main__":
    main()
