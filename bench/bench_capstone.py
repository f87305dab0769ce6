"""The tiny GPT against its budgets and against the same model built from torch's own layers (issue 12).

    python -m bench.bench_capstone [--repeats 30] [--write]

One training step (forward, backward, AdamW) of the engine's TinyGPT at the page's default size is
timed against a model of the same shape built from ``nn.TransformerEncoderLayer`` with a causal mask,
alternately, in this process, with the app's torch threads: target ratio ≤ 1.2. Then, once each,
the default training the page runs (budget 15 s) and sampling 200 characters from it (budget
200 ms). ``--write`` replaces this benchmark's section of BENCHMARKS.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import time

import torch
from torch import nn

from bench.report import run
from engine import gpt_sampling, gpt_training
from engine.device import configure_threads, warm_up
from engine.gpt_corpus import make_corpus
from engine.tiny_gpt import build_model, make_config, next_char_loss

MARK_BEGIN, MARK_END = "<!-- bench_capstone:begin -->", "<!-- bench_capstone:end -->"
STEP_RATIO_TARGET, TRAINING_BUDGET_S, SAMPLING_BUDGET_MS = 1.2, 15.0, 200.0
DEFAULTS = gpt_training.DEFAULTS


class TorchLayersGPT(nn.Module):
    """The same architecture from torch's building blocks: pre-LayerNorm encoder layers under a causal mask."""

    def __init__(self, vocab: int, context: int, layers: int, heads: int, d_model: int) -> None:
        super().__init__()
        self.token, self.position = nn.Embedding(vocab, d_model), nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(
                d_model, heads, 4 * d_model, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
            )
            for _ in range(layers)
        )
        self.ln_f, self.head = nn.LayerNorm(d_model), nn.Linear(d_model, vocab)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(context), persistent=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        length = ids.shape[1]
        x = self.token(ids) + self.position(torch.arange(length))
        for block in self.blocks:
            x = block(x, src_mask=self.mask[:length, :length], is_causal=True)
        return self.head(self.ln_f(x))


def step_times(repeats: int) -> tuple[float, float]:
    """Median ms of one training step: the engine's model, and torch's layers, timed alternately."""
    corpus = make_corpus("Hamlet")
    vocab, context, batch = len(corpus.chars), DEFAULTS["context"], DEFAULTS["batch_size"]
    shape = (DEFAULTS["layers"], DEFAULTS["heads"], DEFAULTS["d_model"])
    ours = build_model(make_config(vocab, context, *shape), 0, "cpu")
    theirs = TorchLayersGPT(vocab, context, *shape)
    generator = torch.Generator().manual_seed(0)
    starts = torch.randint(corpus.split - context - 1, (batch,), generator=generator)
    x = torch.stack([corpus.ids[s : s + context] for s in starts])
    y = torch.stack([corpus.ids[s + 1 : s + context + 1] for s in starts])
    models = {"ours": ours, "theirs": theirs}
    optimizers = {name: torch.optim.AdamW(m.parameters(), lr=DEFAULTS["lr"]) for name, m in models.items()}
    times: dict[str, list[float]] = {"ours": [], "theirs": []}

    def step(name: str) -> None:
        loss = next_char_loss(models[name](x), y)
        optimizers[name].zero_grad(set_to_none=True)
        loss.backward()
        optimizers[name].step()

    for name in models:  # warm-up
        step(name)
    for _ in range(repeats):
        for name in models:
            start = time.perf_counter()
            step(name)
            times[name].append((time.perf_counter() - start) * 1000)
    return statistics.median(times["ours"]), statistics.median(times["theirs"])


def report(repeats: int) -> str:
    threads = configure_threads()
    warm_up("cpu")
    ours, theirs = step_times(repeats)
    settings = ("Hamlet", "", *(DEFAULTS[k] for k in ("layers", "heads", "d_model", "context", "lr", "steps")))
    settings = (*settings, DEFAULTS["batch_size"], DEFAULTS["seed"])
    start = time.perf_counter()
    trained = gpt_training.train_gpt(*settings, device="cpu")
    training_s = time.perf_counter() - start
    gpt_sampling.generate(trained.key, "To be", 200, 0.8, 0, 1.0, 0, device="cpu")  # warm-up
    samples = []
    for seed in range(5):
        start = time.perf_counter()
        gpt_sampling.generate(trained.key, "To be", 200, 0.8, 0, 1.0, seed + 1, device="cpu")
        samples.append((time.perf_counter() - start) * 1000)
    sampling_ms = statistics.median(samples)
    shape = ", ".join(f"{k} {DEFAULTS[k]}" for k in ("layers", "heads", "d_model", "context", "batch_size", "steps"))
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}"
    rows = [
        f"| one training step (engine's TinyGPT) | {ours:.2f} ms | nn.TransformerEncoderLayer model {theirs:.2f} ms "
        f"| {ours / theirs:.2f} (target ≤ {STEP_RATIO_TARGET}) |",
        f"| default training, {DEFAULTS['steps']} steps with 21 loss measurements | {training_s:.1f} s "
        f"| budget {TRAINING_BUDGET_S:.0f} s | {training_s / TRAINING_BUDGET_S:.2f} |",
        f"| sampling 200 characters (median of 5) | {sampling_ms:.0f} ms | budget {SAMPLING_BUDGET_MS:.0f} ms "
        f"| {sampling_ms / SAMPLING_BUDGET_MS:.2f} |",
    ]
    for row in rows:
        print(row)
    return "\n".join(
        [
            MARK_BEGIN,
            "## The tiny GPT (`python -m bench.bench_capstone --write`)",
            "",
            f"Machine: {machine}, CPU, {threads} torch thread(s) as the app sets them. Default model: {shape}, "
            f"trained on Hamlet. Training steps: median of {repeats}, alternating the two models.",
            "",
            "| measure | value | against | ratio |",
            "|---|---|---|---|",
            *rows,
            MARK_END,
        ]
    )


def main() -> None:
    run("Time the tiny GPT against its budgets and torch's layers.", report, (MARK_BEGIN, MARK_END), repeats=30)


if __name__ == "__main__":
    main()
