"""The tiny GPT's fast sampler against a plain loop: one full forward pass of the window per character.

``generate`` reads the text through ``TinyGPT.next_logits`` (a key/value cache while the text fits in
the context, the last block on the last position only) and filters every step at once after the
loop. The reference here does neither, and writes its own softmax, top-k and top-p.
"""

import pytest
import torch

from engine import gpt_corpus, gpt_sampling, gpt_training
from engine.device import lesson_generator
from engine.gpt_corpus import OWN_TEXT
from engine.tiny_gpt import build_model, make_config

CONTEXT = 16
SETTINGS = dict(layers=2, heads=2, d_model=32, context=CONTEXT, lr=1e-2, steps=60, batch_size=8, seed=3)
CLOSE = dict(atol=1e-6, rtol=1e-5)  # float32 logits summed in another order differ in the last digits


@pytest.fixture(scope="module")
def trained():
    """A small model trained on real text: two blocks, so one runs on every position and one on the last only."""
    text = gpt_corpus.corpus_text("Hamlet")[:6_000]
    run = gpt_training.train_gpt(OWN_TEXT, text, device="cpu", **SETTINGS)
    return run.key, *gpt_training.trained_model(run.key)[:2]


def reference_distribution(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> tuple:
    """softmax(z / T), the characters top-k and then top-p keep, and the renormalised distribution, for one step."""
    scaled = logits / temperature
    tempered = torch.softmax(scaled, -1)
    kept = torch.ones_like(scaled, dtype=torch.bool)
    if 0 < top_k < len(scaled):
        kept = scaled >= scaled.sort(descending=True).values[top_k - 1]  # ties with the k-th stay
    if top_p < 1.0:
        renormalised = torch.where(kept, tempered, 0.0) / tempered[kept].sum()
        order = renormalised.argsort(descending=True, stable=True)
        mass_before = renormalised[order].cumsum(0) - renormalised[order]
        in_nucleus = torch.zeros_like(kept)
        in_nucleus[order] = mass_before < top_p  # the smallest set of most likely characters with mass ≥ p
        kept = kept & in_nucleus
    probs = torch.where(kept, tempered, 0.0) / tempered[kept].sum()
    return tempered, kept, probs


@torch.inference_mode()
def reference_generate(model, corpus, prompt, length, temperature, top_k, top_p, seed) -> dict:
    ids = [corpus.chars.index(c) for c in prompt] if prompt else [int(corpus.ids[0])]
    generator = lesson_generator(seed)
    steps = []
    for _ in range(length):
        window = torch.tensor([ids[-CONTEXT:]])  # (1, T ≤ context)
        logits = model(window)[0, -1].double()  # the whole window, every position, every step
        tempered, kept, probs = reference_distribution(logits, temperature, top_k, top_p)
        ids.append(int(torch.multinomial(probs, 1, generator=generator)))
        steps.append((logits, tempered, kept, probs))
    logits, tempered, kept, probs = (torch.stack(column) for column in zip(*steps, strict=True))
    chosen = torch.tensor(ids[-length:])
    surprise = -torch.log_softmax(logits, -1)[torch.arange(length), chosen]
    entropy_bits = -(probs * torch.log2(torch.where(probs > 0, probs, 1.0))).sum(-1)
    text = "".join(corpus.chars[i] for i in chosen)
    return dict(
        text=text,
        chosen=chosen,
        tempered=tempered,
        kept=kept,
        probs=probs,
        entropy_bits=entropy_bits,
        mean_nats=float(surprise.mean()),
    )


@pytest.mark.parametrize(
    ("prompt", "length", "temperature", "top_k", "top_p", "seed"),
    [
        ("To be", 40, 1.0, 0, 1.0, 0),  # crosses the context after 11 characters
        ("To be", 40, 0.6, 5, 1.0, 1),
        ("", 30, 1.4, 0, 0.8, 2),  # the first character of the text
        ("The King", 25, 0.8, 8, 0.9, 7),
        ("Hamlet, the", 5, 1.0, 0, 1.0, 4),  # stays inside the context: the cache alone
        ("O, what a rogue ", 20, 1.0, 0, 0.95, 5),  # exactly the context: the next step slides
        ("My lord, I have remembrances of yours, that I", 30, 0.9, 0, 1.0, 6),  # longer than the context
        ("And", 20, 0.3, 1, 1.0, 8),  # top-k 1: the argmax at every step
    ],
)
def test_the_fast_sampler_writes_what_a_full_forward_pass_per_character_writes(
    trained, prompt, length, temperature, top_k, top_p, seed
):
    key, model, corpus = trained
    fast = gpt_sampling.generate(key, prompt, length, temperature, top_k, top_p, seed, device="cpu")
    slow = reference_generate(model, corpus, prompt, length, temperature, top_k, top_p, seed)
    assert fast.text == slow["text"]
    assert torch.equal(fast.chosen, slow["chosen"])
    torch.testing.assert_close(fast.tempered.double(), slow["tempered"], **CLOSE)
    torch.testing.assert_close(fast.probs.double(), slow["probs"], **CLOSE)
    assert torch.equal(fast.kept, slow["kept"])
    torch.testing.assert_close(fast.entropy_bits.double(), slow["entropy_bits"], atol=1e-5, rtol=1e-5)
    assert fast.mean_nats == pytest.approx(slow["mean_nats"], abs=1e-6)
    assert len(set(fast.text)) > 1 or top_k == 1, "a sample worth comparing draws more than one character"
    assert (~fast.kept).any() == (top_k > 0 or top_p < 1.0), "the filters, when asked for, left characters out"


def test_a_sample_written_in_slices_is_the_sample_written_in_one_go(trained):
    """The page writes in slices of time across reruns (ui/slices.py), looking at the text between them;
    the slices here cross the point where the text outgrows the context and the window starts to slide."""
    key = trained[0]
    args = (key, "Ham", 40, 0.9, 0, 0.95, 2)
    state = gpt_sampling.start_writing(*args, device="cpu")
    seen = []
    for count in (1, 5, 10, 30):
        gpt_sampling.write_chars(state, count)
        seen.append(gpt_sampling.written(state))  # looking part way must not change what comes after
    whole = gpt_sampling.generate(*args, device="cpu")
    assert [len(part.text) for part in seen] == [1, 6, 16, 40] and state.finished
    assert seen[-1].text == whole.text and torch.equal(seen[-1].chosen, whole.chosen)
    assert torch.equal(seen[-1].probs, whole.probs) and seen[-1].mean_nats == whole.mean_nats
    for part in seen[:-1]:
        assert part.length == 40 and whole.text.startswith(part.text)
        assert torch.equal(part.probs, whole.probs[: len(part.text)])


def random_model(context=16, layers=3):
    """In float64, so that summing in another order changes only the 15th digit and a logic slip shows."""
    model = build_model(make_config(vocab_size=20, context=context, layers=layers, heads=2, d_model=16), seed=11)
    with torch.no_grad():  # larger weights than the initial 0.02, so the attention is far from uniform
        for parameter in model.parameters():
            parameter.mul_(torch.linspace(5.0, 40.0, parameter.numel()).reshape(parameter.shape))
    return model.double().eval()


@pytest.mark.parametrize("chunks", [(16,), (1,) * 16, (5, 1, 3, 7), (9, 7)])
@torch.inference_mode()
def test_next_logits_with_a_cache_equals_the_last_row_of_a_full_forward_pass(chunks):
    model = random_model()
    idx = torch.randint(0, 20, (2, sum(chunks)), generator=torch.Generator().manual_seed(len(chunks)))
    cache: list = []
    read = 0
    for size in chunks:
        logits = model.next_logits(idx[:, read : read + size], cache)  # only the new characters
        read += size
        torch.testing.assert_close(logits, model(idx[:, :read])[:, -1], atol=1e-9, rtol=1e-9)
        assert [k.shape[-2] for k, _ in cache] == [read] * 3, "every block keeps a key per character read"
    torch.testing.assert_close(model.next_logits(idx), model(idx)[:, -1], atol=1e-9, rtol=1e-9)


def test_next_logits_refuses_more_than_the_context():
    model = random_model()
    cache: list = []
    model.next_logits(torch.zeros(1, 14, dtype=torch.int64), cache)
    with pytest.raises(ValueError, match="at most 16 characters"):
        model.next_logits(torch.zeros(1, 3, dtype=torch.int64), cache)
    with pytest.raises(ValueError, match="at most 16 characters"):
        model.next_logits(torch.zeros(1, 17, dtype=torch.int64))
