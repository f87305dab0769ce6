"""The transformers section's engine against its budgets and references (issue 8), as ratios in one run.

    python -m bench.bench_transformers [--repeats 15] [--write]

The real model's forward on a 128-token text is timed against sentence-transformers encoding the
same text in the same process, with the same torch threads; model and GloVe loads are read
from disk afresh (not from the per-process cache). ``--write`` replaces this benchmark's section
of BENCHMARKS.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable

import torch

from bench.report import device_name, run
from engine import heads, transformer, words
from engine.device import all_cores, configure_threads, describe_device, resolve_device, synchronize, warm_up


def marks(kind: str) -> tuple[str, str]:
    """BENCHMARKS.md keeps one section per device kind (the CPU here, a lent GPU)."""
    return f"<!-- bench_transformers_{kind}:begin -->", f"<!-- bench_transformers_{kind}:end -->"


# 40 short sentences: far more than 128 word pieces, so the model reads exactly 128.
LONG_TEXT = " ".join(f"Sentence {i} is about attention, layers and heads." for i in range(40))


def median_ms(call: Callable[[], object], repeats: int, device: torch.device) -> tuple[float, float]:
    """Median and worst milliseconds of ``call`` after one warm-up, synchronising a GPU."""
    call()
    times = []
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        call()
        synchronize(device)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def reference_encoder(device: torch.device):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(transformer.model_folder()), device=str(device))
    model.max_seq_length = transformer.MAX_TOKENS
    return model


def rows(repeats: int, device: torch.device) -> list[str]:
    """One table row per measurement: what, median, worst, budget or reference, ratio."""
    out = []

    def row(name: str, median: float, worst: float, against: str, ratio: float) -> None:
        out.append(f"| {name} | {median:.1f} | {worst:.1f} | {against} | {ratio:.2f} |")
        print(out[-1])

    start = time.perf_counter()
    transformer.read_model(device)  # from disk, as a fresh process does
    load_ms = (time.perf_counter() - start) * 1000
    row("MiniLM load (safetensors + tokenizer)", load_ms, load_ms, "budget 2000 ms", load_ms / 2000)

    model = transformer.load_minilm(device)
    assert len(transformer.tokenize(model, LONG_TEXT).ids) == transformer.MAX_TOKENS
    reference = reference_encoder(device)
    ours, ours_worst = median_ms(lambda: transformer.embed([LONG_TEXT], device=device), repeats, device)
    with all_cores():  # the engine runs the model on every core (engine/transformer.py): so does the reference
        theirs, _ = median_ms(lambda: reference.encode([LONG_TEXT], convert_to_tensor=True), repeats, device)
    row(
        "forward, 128 tokens: engine.transformer.embed",
        ours,
        ours_worst,
        f"sentence-transformers {theirs:.1f} ms",
        ours / theirs,
    )
    row("forward, 128 tokens: engine.transformer.embed", ours, ours_worst, "budget 30 ms", ours / 30)
    traced, traced_worst = median_ms(lambda: transformer.trace_text(LONG_TEXT, device=device), repeats, device)
    row("trace_text, 128 tokens, every intermediate kept", traced, traced_worst, f"embed {ours:.1f} ms", traced / ours)
    reading, reading_worst = median_ms(lambda: heads.read_text(LONG_TEXT, device=device), repeats, device)
    row("heads.read_text, 128 tokens (the page's one call)", reading, reading_worst, "budget 100 ms", reading / 100)

    words.vocabulary.cache_clear()
    start = time.perf_counter()
    try:
        words.vocabulary()
    except ValueError as err:  # the word-vector package is not installed here (a lent GPU machine)
        print(f"GloVe skipped: {err}")
        return out
    glove_ms = (time.perf_counter() - start) * 1000
    row("GloVe load, 50,000 words", glove_ms, glove_ms, "budget 1000 ms", glove_ms / 1000)
    query, query_worst = median_ms(lambda: words.analogy("king", "man", "woman", device=device), repeats, device)
    row("analogy king − man + woman, top 10", query, query_worst, "budget 20 ms", query / 20)
    return out


def report(repeats: int) -> str:
    threads = configure_threads()
    device = resolve_device()
    warm_up(device)
    table = rows(repeats, device)
    if not (transformer.model_folder() / "modules.json").exists():
        table.append(
            "\nWeights: a random stand-in with MiniLM's config and tokenizer (the 90 MB package cannot be carried "
            "to this machine): the shapes, and so the work, are the real model's."
        )
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{threads} torch thread(s) as the app sets them (the model's forward, and the reference, on every core), "
        f"{describe_device(device).label}"
    )
    begin, end = marks(device.type)
    return "\n".join(
        [
            begin,
            f"## The transformers section's engine on {device_name(device)} "
            "(`python -m bench.bench_transformers --write`)",
            "",
            f"Machine: {machine}. {repeats} runs after a warm-up; loads once, from disk. The ratio is "
            "median / budget or median / reference measured in this same run: below 1 is within budget "
            "or faster than the reference.",
            "",
            "| what | median ms | worst ms | against | ratio |",
            "|---|---|---|---|---|",
            *table,
            end,
        ]
    )


def main() -> None:
    description = "Time the real transformer and GloVe against their budgets."
    run(description, report, marks(resolve_device().type), repeats=15)


if __name__ == "__main__":
    main()
