"""Every lesson's engine call on a CUDA GPU gives what it gives on the CPU (run where a GPU exists).

The other engine tests check the math on the CPU against numpy, scipy, scikit-learn and torch's
own modules; this one checks that the CUDA path computes the same numbers, call by call, as the
pages would see them (tensors moved to the host, as ui/compute.to_host does).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from engine import (
    attention,
    autodiff,
    bayes,
    bootstrap,
    derivatives,
    diffusion,
    digits,
    gpt_sampling,
    gpt_training,
    heads,
    images,
    information,
    layers,
    linear_maps,
    lora,
    lowrank,
    matmul,
    noise,
    optimizers,
    pca,
    softmax,
    svd,
    training,
    transformer,
    vectors,
)

pytestmark = pytest.mark.cuda

# Fields that say where or when something ran, not what it computed (also every "..._ms").
SKIPPED_FIELDS = {"device", "device_label", "measured_at", "seconds", "milliseconds", "key"}


FLOWER = images.Picture("bundled:flower.jpg", images.bundled_image("flower.jpg", 256).numpy())
TINY_GPT = ("Hamlet", "", 1, 2, 32, 16, 1e-2, 30, 8, 0)  # corpus, own text, layers, heads, d_model, context, ...


def tiny_gpt_sample(device):
    run = gpt_training.train_gpt(*TINY_GPT, device=device)
    return run, gpt_sampling.generate(run.key, "To be", 40, 0.8, 0, 1.0, 0, device=device)


def race_on(device):
    surface = optimizers.SURFACES["Rosenbrock"]
    return optimizers.race("Rosenbrock", tuple(optimizers.OPTIMIZERS), surface.start, *surface.lr, 100, device=device)


LOGITS = (2.0, 1.0, 0.1, -1.0, 3.0)  # the softmax page's default, passed as the page passes them

CALLS = {
    "vectors.dot_product_2d": lambda d: vectors.dot_product_2d(2.0, 30.0, 1.5, 100.0, device=d),
    "vectors.neuron": lambda d: vectors.neuron([0.5, -1.0, 2.0], [1.0, 0.3, -0.2], 0.1, "gelu", device=d),
    "vectors.random_cosines": lambda d: vectors.random_cosines(384, 2000, 0, device=d),
    "matmul.matmul_lesson": lambda d: matmul.matmul_lesson(3, 4, 4, 2, 1, 1, 0, device=d),
    "linear_maps.linear_map": lambda d: linear_maps.linear_map(1.0, 0.5, -0.3, 2.0, device=d),
    "linear_maps.compose": lambda d: linear_maps.compose((1.0, 0.5, 0.0, 1.0), (0.0, -1.0, 1.0, 0.0), device=d),
    "layers.layer_2d": lambda d: layers.layer_2d("grid", (1.0, 0.6, -0.6, 1.0), (0.3, -0.2), "relu", device=d),
    "layers.depth_collapse": lambda d: layers.depth_collapse("tanh", 3, device=d),
    "layers.two_layer_forward": lambda d: layers.two_layer_forward(32, 8, 16, 3, "relu", device=d),
    "derivatives.tangent": lambda d: derivatives.tangent("sin x", "", 1.0, 0.1, device=d),
    "autodiff.backprop": lambda d: autodiff.backprop("type my own", "x*y + sin(x)", 0.7, -0.4, device=d),
    "optimizers.descent_1d": lambda d: optimizers.descent_1d(-1.0, 0.3, 20, device=d),
    "optimizers.race": race_on,
    "training.train": lambda d: training.train(**{**training.DEFAULTS, "steps": 60}, device=d),
    "attention.toy_attention": lambda d: attention.toy_attention("the cat sat on the mat", 16, 8, 2, 0, device=d),
    "attention.entropy_by_width": lambda d: attention.entropy_by_width(8, 512, 0, device=d),
    "transformer.embed": lambda d: transformer.embed(["A real sentence.", "Another, longer one here."], device=d),
    "heads.real_attention": lambda d: heads.real_attention("the quick brown fox", 2, device=d),
    "heads.read_text": lambda d: heads.read_text("The cat sat on the mat because it was tired.", device=d),
    "pca.fit": lambda d: pca.fit(torch.arange(60.0).reshape(20, 3).sin(), device=d),
    "softmax.sampling_distribution": lambda d: softmax.sampling_distribution(LOGITS, 0.7, 3, 0.9, device=d),
    "softmax.entropy_curve": lambda d: softmax.entropy_curve(LOGITS, 0.7, 0, 0.9, device=d),
    "softmax.draw_samples": lambda d: softmax.draw_samples(LOGITS, 1.0, 0, 1.0, 2000, 3, device=d),
    "softmax.overflow_demo": lambda d: softmax.overflow_demo(LOGITS, 1000.0, device=d),
    "softmax.glove_logits": lambda d: softmax.glove_logits("analogy", "king - man + woman", 8, device=d),
    "information.compare_distributions": lambda d: information.compare_distributions(
        [60, 30, 8, 2], [30, 30, 20, 0], device=d
    ),
    "information.one_hot_cross_entropy": lambda d: information.one_hot_cross_entropy([2.0, 1.0, 0.2], 1, device=d),
    "information.coin_entropy": lambda d: information.coin_entropy(0.9, "nats", device=d),
    "bayes.update": lambda d: bayes.update(0.3, 0.3, 0.04, device=d),
    "bayes.naive_bayes": lambda d: bayes.naive_bayes(0.3, bayes.vocabulary_text(), "free prize meeting", device=d),
    "bootstrap.bootstrap": lambda d: bootstrap.bootstrap("0.85, 0.88, 0.82, 0.90, 0.87", 2000, 0.95, 0, device=d),
    "bootstrap.compare": lambda d: bootstrap.compare("0.8, 0.9, 0.7", "0.85, 0.9, 0.75", 2000, 0.9, 1, device=d),
    "noise.gaussian_density": lambda d: noise.gaussian_density(0.5, 2.0, device=d),
    "noise.central_limit": lambda d: noise.central_limit("exponential", 5, 4000, 0, device=d),
    "diffusion.schedule": lambda d: diffusion.schedule("cosine", 500, device=d),
    "diffusion.forward_process": lambda d: diffusion.forward_process(
        images.bundled_image("flower.jpg").numpy(), "linear", 1000, 250, 0, device=d
    ),
    "digits.study": lambda d: digits.study("digits", device=d),
    "digits.rebuild": lambda d: digits.rebuild("digits", 7, 10, device=d),
    "svd.decompose": lambda d: svd.decompose(FLOWER, "colour", device=d),
    "svd.reconstruct": lambda d: svd.reconstruct(svd.decompose(FLOWER, "grey", device=d), 12, device=d),
    "lowrank.spectra": lambda d: lowrank.spectra(2, "MLP in", 0, device=d),
    "lowrank.rank_r_embeddings": lambda d: lowrank.rank_r_embeddings(
        1, "V", 24, "A cat sleeps.", "A kitten naps.\nThe market fell.", device=d
    ),
    "lora.lora_fit": lambda d: lora.lora_fit(2, 2, 60, 0.01, 0, device=d),
    "gpt_training.train_gpt + gpt_sampling.generate": tiny_gpt_sample,
    "diffusion.jump_check": lambda d: diffusion.jump_check("linear", 200, 100, 0, 500, device=d),
}


def assert_same(gpu, cpu, where: str) -> None:
    """Walk a result: tensors and floats equal within float32 rounding, everything else exactly."""
    if isinstance(gpu, torch.Tensor):
        assert gpu.device.type == "cuda", f"{where} was computed on {gpu.device}"
        np.testing.assert_allclose(
            gpu.detach().cpu().double().numpy(), cpu.detach().double().numpy(), rtol=2e-3, atol=2e-4, err_msg=where
        )
    elif isinstance(gpu, np.ndarray):  # already on the host (a figure's grid)
        np.testing.assert_allclose(np.asarray(gpu, float), np.asarray(cpu, float), rtol=2e-3, atol=2e-4, err_msg=where)
    elif dataclasses.is_dataclass(gpu) and not isinstance(gpu, type):
        for field in dataclasses.fields(gpu):
            if field.name not in SKIPPED_FIELDS and not field.name.endswith("_ms"):
                assert_same(getattr(gpu, field.name), getattr(cpu, field.name), f"{where}.{field.name}")
    elif isinstance(gpu, (list, tuple)):
        assert len(gpu) == len(cpu), where
        for index, (a, b) in enumerate(zip(gpu, cpu, strict=True)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(gpu, dict):
        assert gpu.keys() == cpu.keys(), where
        for key in gpu:
            assert_same(gpu[key], cpu[key], f"{where}[{key!r}]")
    elif isinstance(gpu, float) and not (math.isnan(gpu) and math.isnan(cpu)):
        assert gpu == pytest.approx(cpu, rel=2e-3, abs=2e-4), where
    elif not isinstance(gpu, (float, torch.device)):
        assert gpu == cpu, where


@pytest.mark.parametrize("name", list(CALLS))
def test_the_cuda_path_computes_what_the_cpu_path_does(name):
    call = CALLS[name]
    assert_same(call("cuda"), call("cpu"), name)
