"""Training the tiny GPT on next-character prediction with AdamW, one model at a time per process.

Each step takes ``batch_size`` random windows of ``context`` characters from the training part of
the text, predicts every next character, and moves every weight along its AdamW step. Twenty times
in a run, the loss is measured on fixed windows of the training and the held-out text; a
``listen`` callback hears each measurement (to draw the curve while it grows).

Trained models stay in this process (the KEEP_MODELS most recent), so the sampling, attention and
embedding panels read the model the learner just trained, and coming back to a setting does not
train again. At most one training runs at a time: a second waits for it, then trains.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import torch

from engine.checks import int_in_range, number_in_range, seed_value
from engine.device import lesson_generator, resolve_device, synchronize
from engine.gpt_corpus import OWN_TEXT, Corpus, baselines, corpus_text, make_corpus
from engine.tiny_gpt import TinyGPT, build_model, make_config, next_char_loss, parameter_count

STEPS_RANGE = (10, 2_000)
BATCH_RANGE = (1, 64)
LR_RANGE = (1e-4, 3e-2)
EVAL_POINTS = 20  # loss measurements in a run (plus the one before the first step)
EVAL_WINDOWS = 32  # windows of the training and of the held-out text per measurement, drawn once
KEEP_MODELS = 8
WAIT_SECONDS = 180.0  # the longest a training waits for another one to finish
# A page opens with these: about 10 s on one core of a 2-core laptop, and the loss falls well below the bigram's.
DEFAULTS = dict(layers=2, heads=4, d_model=64, context=64, lr=3e-3, steps=500, batch_size=16, seed=0)

MAX_WORK_RATIO = 12  # a run may do at most this many times the default's arithmetic (about 2 minutes on a CPU)

_TRAINING = threading.Lock()  # one training at a time in this process
_REGISTRY = threading.Lock()  # guards _MODELS
_MODELS: OrderedDict[str, tuple[TinyGPT, Corpus, GPTRun]] = OrderedDict()


@dataclass(frozen=True)
class Progress:
    """What ``listen`` hears: while waiting for another training, then at every loss measurement."""

    done: float  # share of the steps taken
    eval_steps: tuple[int, ...]
    train_loss: tuple[float, ...]  # nats per character
    val_loss: tuple[float, ...]
    waiting: bool = False


@dataclass(frozen=True)
class GPTRun:
    key: str  # names this trained model for generate / attention_map / embedding_map
    source: str
    chars: tuple[str, ...]  # the vocabulary
    layers: int
    heads: int
    d_model: int
    context: int
    lr: float
    steps: int
    batch_size: int
    seed: int
    parameters: int
    train_chars: int
    held_out_chars: int
    eval_steps: torch.Tensor  # (E,) int64: 0, ..., steps
    train_loss: torch.Tensor  # (E,) mean cross-entropy (nats) on fixed training windows
    val_loss: torch.Tensor  # (E,) the same on held-out windows
    batch_loss: torch.Tensor  # (steps,) the loss of the batch each step trained on
    uniform: float  # ln V, the loss of an untrained model
    unigram_entropy: float  # entropy of the character frequencies (nats)
    unigram_held_out: float
    bigram_held_out: float
    seconds: float  # wall time of the training loop
    diverged_at: int | None  # the first step whose loss was not finite


def training_flops(layers: int, d_model: int, context: int, steps: int, batch_size: int, vocab: int) -> float:
    """About how many multiply-adds ×2 a run does: 6 per weight per character (forward and backward)
    for the 12·d² weights of each block and the d·V of the output layer, plus attention's scores and
    weighted sums (2·T·d per layer)."""
    per_char = 6 * (layers * (12 * d_model**2 + 2 * context * d_model) + d_model * vocab)
    return float(per_char) * steps * batch_size * context


def model_key(source, own_text, layers, heads, d_model, context, lr, steps, batch_size, seed, device) -> str:
    text = hashlib.sha256(own_text.encode("utf-8", errors="replace")).hexdigest() if own_text else ""
    settings = (source, text, layers, heads, d_model, context, float(lr), steps, batch_size, seed, str(device))
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:16]


def _checked(source, own_text, layers, heads, d_model, context, lr, steps, batch_size, seed, device):
    """The settings with every number checked, and the model key they give."""
    own_text = own_text if source == OWN_TEXT else ""  # the shipped corpora ignore the text box
    steps = int_in_range("The number of steps", steps, *STEPS_RANGE)
    batch_size = int_in_range("The batch size", batch_size, *BATCH_RANGE)
    lr = number_in_range("The learning rate", lr, *LR_RANGE)
    seed = seed_value(seed)
    make_config(2, context, layers, heads, d_model)  # the sizes checked before any text is read
    vocab = len(set(corpus_text(source, own_text)))  # a pasted text's characters set the output layer's size
    ratio = training_flops(layers, d_model, context, steps, batch_size, vocab) / _default_flops()
    if ratio > MAX_WORK_RATIO:
        raise ValueError(
            f"This run would do {ratio:.0f}× the default run's arithmetic; the limit on this server is "
            f"{MAX_WORK_RATIO}×. Take fewer steps, a smaller batch or a smaller model."
        )
    dev = resolve_device(device)
    settings = (source, own_text, layers, heads, d_model, context, lr, steps, batch_size, seed, dev)
    return settings, model_key(*settings)


def _default_flops() -> float:
    d = DEFAULTS
    return training_flops(
        d["layers"], d["d_model"], d["context"], d["steps"], d["batch_size"], len(set(corpus_text("Hamlet")))
    )


def is_trained(source, own_text, layers, heads, d_model, context, lr, steps, batch_size, seed, *, device=None) -> bool:
    """Whether this process already holds the model for these settings (so no training is needed)."""
    try:
        _, key = _checked(source, own_text, layers, heads, d_model, context, lr, steps, batch_size, seed, device)
    except ValueError:
        return False
    with _REGISTRY:
        return key in _MODELS


def trained_model(key: str) -> tuple[TinyGPT, Corpus, GPTRun]:
    """The model trained under ``key`` (with its corpus and record), or a sentence if it is gone."""
    with _REGISTRY:
        if key not in _MODELS:
            raise ValueError(
                f"That model is no longer in memory (the server keeps the {KEEP_MODELS} most recent); "
                "press Train to train it again."
            )
        _MODELS.move_to_end(key)
        model, corpus, run = _MODELS[key]
    if run.diverged_at is not None:  # its weights hold NaN: sampling would fail, attention would be NaN
        raise ValueError(
            f"This model diverged at step {run.diverged_at} (its loss stopped being a finite number), so it can "
            "neither write nor be looked into. Train again with a lower learning rate."
        )
    return model, corpus, run


def windows(ids: torch.Tensor, starts: torch.Tensor, context: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (..., context) and targets (..., context): each window and the same window one character on."""
    offsets = starts.unsqueeze(-1) + torch.arange(context + 1, device=ids.device)  # (..., context + 1)
    chunk = ids[offsets]  # (..., context + 1)
    return chunk[..., :-1], chunk[..., 1:]


def train_gpt(
    source: str,
    own_text: str,
    layers: int,
    heads: int,
    d_model: int,
    context: int,
    lr: float,
    steps: int,
    batch_size: int,
    seed: int,
    *,
    listen: Callable[[Progress], None] | None = None,
    device=None,
) -> GPTRun:
    """Train a TinyGPT on the text (or return the one already trained with these settings)."""
    settings, key = _checked(source, own_text, layers, heads, d_model, context, lr, steps, batch_size, seed, device)
    with _REGISTRY:
        if key in _MODELS:
            _MODELS.move_to_end(key)
            return _MODELS[key][2]
    if not _TRAINING.acquire(blocking=False):
        if listen is not None:
            listen(Progress(0.0, (), (), (), waiting=True))
        if not _TRAINING.acquire(timeout=WAIT_SECONDS):
            raise ValueError("The server is busy training other models; press Train again in a minute.")
    try:
        with _REGISTRY:  # the training we waited for may have been this one
            if key in _MODELS:
                return _MODELS[key][2]
        model, corpus, run = train(*settings, key=key, listen=listen)
        with _REGISTRY:
            _MODELS[key] = (model, corpus, run)
            while len(_MODELS) > KEEP_MODELS:
                _MODELS.popitem(last=False)
        return run
    finally:
        _TRAINING.release()


def train(source, own_text, layers, heads, d_model, context, lr, steps, batch_size, seed, device, *, key, listen):
    """The training loop: AdamW on next-character cross-entropy, with the loss measured EVAL_POINTS times."""
    corpus = make_corpus(source, own_text, device=device)
    config = make_config(len(corpus.chars), context, layers, heads, d_model)
    model = build_model(config, seed, device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    train_ids, val_ids = corpus.ids[: corpus.split], corpus.ids[corpus.split :]
    generator = lesson_generator(seed)
    starts = torch.randint(len(train_ids) - context, (steps, batch_size), generator=generator).to(device)  # (steps, B)
    fixed = (EVAL_WINDOWS,)  # the same windows at every measurement
    train_starts = torch.randint(len(train_ids) - context, fixed, generator=generator).to(device)
    val_starts = torch.randint(len(val_ids) - context, fixed, generator=generator).to(device)
    x_tr, y_tr = windows(train_ids, train_starts, context)  # each (EVAL_WINDOWS, context)
    x_va, y_va = windows(val_ids, val_starts, context)
    every = max(1, steps // EVAL_POINTS)
    eval_steps, train_curve, val_curve, losses = [], [], [], []

    def measure(step: int) -> None:
        model.eval()
        with torch.no_grad():
            eval_steps.append(step)
            train_curve.append(float(next_char_loss(model(x_tr), y_tr)))  # (EVAL_WINDOWS, context, V) logits
            val_curve.append(float(next_char_loss(model(x_va), y_va)))
        model.train()
        if listen is not None:
            listen(Progress(step / steps, tuple(eval_steps), tuple(train_curve), tuple(val_curve)))

    synchronize(torch.device(device))
    start = time.perf_counter()
    for step in range(steps):
        if step % every == 0:
            measure(step)
        x, y = windows(train_ids, starts[step], context)  # each (B, context)
        logits = model(x)  # (B, context, V)
        loss = next_char_loss(logits, y)  # mean -ln p(true next character)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    measure(steps)
    synchronize(torch.device(device))
    seconds = time.perf_counter() - start

    batch_loss = torch.stack(losses)
    bad = ~torch.isfinite(batch_loss)
    base = baselines(corpus)
    run = GPTRun(
        key=key,
        source=source,
        chars=corpus.chars,
        layers=layers,
        heads=heads,
        d_model=d_model,
        context=context,
        lr=lr,
        steps=steps,
        batch_size=batch_size,
        seed=seed,
        parameters=parameter_count(model),
        train_chars=len(train_ids),
        held_out_chars=len(val_ids),
        eval_steps=torch.tensor(eval_steps),
        train_loss=torch.tensor(train_curve),
        val_loss=torch.tensor(val_curve),
        batch_loss=batch_loss,
        uniform=base.uniform,
        unigram_entropy=base.unigram_entropy,
        unigram_held_out=base.unigram_held_out,
        bigram_held_out=base.bigram_held_out,
        seconds=seconds,
        diverged_at=int(bad.nonzero()[0]) if bool(bad.any()) else None,
    )
    model.eval()
    return model, corpus, run
