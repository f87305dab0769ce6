"""Quiz questions with fresh numbers, continued: probability & information, hardware and the tiny GPT.

Built like engine/quiz_live.py (whose drawing helpers they share): the lesson's own engine function
computes each answer, and ``Question.data`` keeps the drawn numbers for the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from engine import bayes, hardware, information
from engine.quiz import Question, n
from engine.quiz_live import ints, pick, vec
from engine.softmax import sampling_distribution
from engine.tiny_gpt import CausalSelfAttention, make_config, next_char_loss, parameter_count

# ---- Probability & information -------------------------------------------------------------------------


def softmax_temperature(gen: torch.Generator) -> Question:
    logits, temperature, token = ints(gen, -2, 3, 3), pick(gen, (0.5, 1.0, 2.0)), ints(gen, 0, 2, 1)[0]
    dist = sampling_distribution(logits, temperature)
    p = float(dist.probs[token])
    prompt = (
        f"Logits ${vec(logits)}$, temperature $T = {temperature:g}$. What probability does the softmax give "
        f"token {token + 1}?"
    )
    why = f"$z / T = {vec([z / temperature for z in logits])}$; $e^{{z/T}}$ normalised gives "
    why += f"${vec(dist.probs.tolist())}$, so token {token + 1} gets ${n(p)}$."
    data = {"logits": logits, "temperature": temperature, "token": token}
    return Question(
        "softmax",
        "Probability & information",
        "softmax",
        prompt,
        "number",
        p,
        why,
        abs_tol=0.01,
        probability=True,
        data=data,
    )


DYADIC = ((0.5, 0.5), (0.5, 0.25, 0.25), (0.25, 0.25, 0.25, 0.25), (0.5, 0.25, 0.125, 0.125), (0.75, 0.25))


def _shuffled(gen: torch.Generator, values: Sequence[float]) -> list[float]:
    return [values[i] for i in torch.randperm(len(values), generator=gen).tolist()]


def entropy(gen: torch.Generator) -> Question:
    p = _shuffled(gen, pick(gen, DYADIC))
    h = float(information.entropy(torch.tensor(p, dtype=torch.float64), "bits"))
    terms = " + ".join(f"{n(x)} \\log_2 \\tfrac{{1}}{{{n(x)}}}" for x in p)
    prompt = f"What is the entropy, in bits, of the distribution $p = {vec(p)}$?"
    why = f"$H = \\sum p \\log_2 \\tfrac{{1}}{{p}} = {terms} = {n(h)}$ bits."
    return Question(
        "entropy", "Probability & information", "entropy", prompt, "number", h, why, abs_tol=0.01, data={"p": p}
    )


def kl(gen: torch.Generator) -> Question:
    base = (0.5, 0.25, 0.125, 0.125)
    p, q = _shuffled(gen, base), _shuffled(gen, pick(gen, (base, (0.25,) * 4)))
    while q == p:
        q = _shuffled(gen, base)
    value = float(information.kl_divergence(torch.tensor(p, dtype=torch.float64), torch.tensor(q, dtype=torch.float64)))
    terms = " + ".join(f"{n(x)} \\log_2 \\tfrac{{{n(x)}}}{{{n(y)}}}" for x, y in zip(p, q, strict=True))
    prompt = f"What is $\\mathrm{{KL}}(p \\| q)$ in bits for $p = {vec(p)}$ and $q = {vec(q)}$?"
    why = f"$\\sum p \\log_2 \\tfrac{{p}}{{q}} = {terms} = {n(value)}$ bits."
    return Question(
        "kl", "Probability & information", "entropy", prompt, "number", value, why, abs_tol=0.01, data={"p": p, "q": q}
    )


def one_hot_loss(gen: torch.Generator) -> Question:
    probs = _shuffled(gen, pick(gen, ((0.5, 0.3, 0.2), (0.7, 0.2, 0.1), (0.6, 0.25, 0.15), (0.4, 0.4, 0.2))))
    target = ints(gen, 0, 2, 1)[0]
    one_hot = torch.nn.functional.one_hot(torch.tensor(target), 3).double()
    loss = float(information.cross_entropy(one_hot, torch.tensor(probs, dtype=torch.float64), "nats"))
    prompt = (
        f"A classifier gives the three classes probabilities $q = {vec(probs)}$, and the right class is class "
        f"{target + 1}. What is its cross-entropy loss, in nats?"
    )
    why = f"With a one-hot target, $H(p, q) = -\\ln q_{{{target + 1}}} = -\\ln {n(probs[target])} = {n(loss)}$: "
    why += "only the probability given to the right class counts."
    data = {"q": probs, "target": target}
    return Question(
        "xent", "Probability & information", "entropy", prompt, "number", loss, why, abs_tol=0.01, data=data
    )


def posterior(gen: torch.Generator) -> Question:
    prior, hit, alarm = pick(gen, (0.01, 0.02, 0.05, 0.1, 0.2)), pick(gen, (0.8, 0.9, 0.95)), pick(gen, (0.05, 0.1))
    r = bayes.update(prior, hit, alarm)
    prompt = (
        f"A disease affects {prior:.0%} of people. The test flags {hit:.0%} of the ill and {alarm:.0%} of the "
        "healthy. Someone tests positive: what is the probability they are ill?"
    )
    why = f"$P(\\text{{ill}} \\mid +) = \\frac{{{hit} \\cdot {prior}}}{{{hit} \\cdot {prior} + {alarm} \\cdot "
    why += f"{n(1 - prior)}}} = {n(r.posterior)}$: the healthy are so many that their false alarms weigh heavily."
    data = {"prior": prior, "hit": hit, "alarm": alarm}
    return Question(
        "bayes",
        "Probability & information",
        "bayes",
        prompt,
        "number",
        r.posterior,
        why,
        abs_tol=0.01,
        probability=True,
        data=data,
    )


# ---- Hardware and the tiny GPT ------------------------------------------------------------------------


def intensity(gen: torch.Generator) -> Question:
    size, dtype = pick(gen, (96, 384, 768, 1536, 3072)), pick(gen, ("float32", "bfloat16"))
    value = hardware.matmul_intensity(size, dtype)
    width = hardware.BYTES[dtype]
    prompt = (
        f"An $N \\times N$ by $N \\times N$ product with $N = {size}$ in {dtype} ({width} bytes a number) reads A "
        "and B and writes C once. How many FLOPs does it do per byte moved?"
    )
    why = f"$\\frac{{2N^3}}{{3N^2 \\cdot {width}}} = \\frac{{2N}}{{{3 * width}}} = {n(value)}$ FLOP/byte: it grows "
    why += "with N, which is why big products keep a GPU's arithmetic busy."
    data = {"size": size, "bytes": width}
    return Question("intensity", "Hardware", "hardware", prompt, "number", value, why, rel_tol=0.01, data=data)


def attention_parameters(gen: torch.Generator) -> Question:
    d_model, heads = pick(gen, (16, 32, 48, 64)), pick(gen, (1, 2, 4))
    layer = CausalSelfAttention(make_config(vocab_size=65, context=32, layers=1, heads=heads, d_model=d_model))
    count = parameter_count(layer)
    plural = "s" if heads > 1 else ""
    prompt = (
        f"One attention layer of the tiny GPT has $d_{{model}} = {d_model}$ and {heads} head{plural}: "
        "$W_Q$, $W_K$, $W_V$ and the output $W_O$, each $d_{model} \\times d_{model}$ with a bias. How many "
        "parameters does it hold?"
    )
    why = (
        f"Four {d_model} × {d_model} matrices and four biases of {d_model}: $4({d_model}^2 + {d_model}) = {n(count)}$. "
    )
    why += "The number of heads does not change it: the heads split $d_{model}$ between them."
    data = {"d_model": d_model, "heads": heads}
    return Question("attn_params", "Put it together", "tiny-gpt", prompt, "number", float(count), why, data=data)


def initial_loss(gen: torch.Generator) -> Question:
    vocab = pick(gen, (2, 10, 26, 65, 100))
    loss = float(next_char_loss(torch.zeros(1, 1, vocab), torch.zeros(1, 1, dtype=torch.long)))
    prompt = (
        f"A character-level GPT has {vocab} characters. Untrained, it gives every character the same "
        "probability. What is its cross-entropy loss, in nats?"
    )
    why = f"Each target gets probability $1/{vocab}$, so the loss is $-\\ln(1/{vocab}) = \\ln {vocab} = {n(loss)}$."
    return Question(
        "loss0", "Put it together", "tiny-gpt", prompt, "number", loss, why, abs_tol=0.01, data={"vocab": vocab}
    )


GENERATORS: tuple[Callable[[torch.Generator], Question], ...] = (
    softmax_temperature, entropy, kl, one_hot_loss, posterior,
    intensity, attention_parameters, initial_loss,
)  # fmt: skip
