"""Noise schedules and the forward diffusion process against independent numpy/scipy references."""

import math

import numpy as np
import pytest
import torch
from scipy import stats

from engine import diffusion, images


def linear_reference(T: int) -> np.ndarray:
    """DDPM's β (1e-4 to 0.02 at T = 1000), scaled by 1000/T as in improved-diffusion's get_named_beta_schedule."""
    scale = 1000 / T
    return np.linspace(scale * 1e-4, scale * 0.02, T)


def cosine_reference(T: int, s: float = 0.008) -> np.ndarray:
    """Nichol & Dhariwal's betas_for_alpha_bar, written out step by step."""

    def alpha_bar(u):
        return math.cos((u + s) / (1 + s) * math.pi / 2) ** 2

    return np.array([min(1 - alpha_bar((i + 1) / T) / alpha_bar(i / T), 0.999) for i in range(T)])


@pytest.mark.parametrize("T", [50, 200, 1000])
@pytest.mark.parametrize(("name", "reference"), [("linear", linear_reference), ("cosine", cosine_reference)])
def test_schedules_match_the_papers(name, reference, T):
    plan = diffusion.schedule(name, T)
    betas = reference(T)
    np.testing.assert_allclose(plan.betas.numpy(), betas, rtol=1e-10, atol=1e-15)
    alphas_bar = np.concatenate([[1.0], np.cumprod(1 - betas)])
    np.testing.assert_allclose(plan.alphas_bar.numpy(), alphas_bar, rtol=1e-10)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(plan.snr.numpy()[1:], alphas_bar[1:] / (1 - alphas_bar[1:]), rtol=1e-8)
    assert math.isinf(plan.snr[0].item())
    assert np.all(np.diff(plan.alphas_bar.numpy()) < 0), "ᾱ_t falls at every step"
    assert plan.alphas_bar[-1].item() < 1e-3, "by t = T the image is gone"


def test_ddpm_linear_endpoints_at_t_1000():
    plan = diffusion.schedule("linear", 1000)
    assert plan.betas[0].item() == pytest.approx(1e-4) and plan.betas[-1].item() == pytest.approx(0.02)


def test_cosine_keeps_more_of_the_image_in_the_middle():
    linear, cosine = diffusion.schedule("linear", 1000), diffusion.schedule("cosine", 1000)
    assert cosine.alphas_bar[500].item() > 5 * linear.alphas_bar[500].item()


def image(height=40, width=60, seed=0):
    return torch.rand(height, width, 3, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("t", [0, 1, 137, 1000])
def test_the_view_is_the_one_shot_formula_with_seeded_noise(t):
    pixels = image()
    f = diffusion.forward_process(pixels, "linear", 1000, t, seed=3)
    eps = torch.randn(pixels.shape, generator=torch.Generator().manual_seed(3)).numpy()
    alpha_bar = np.cumprod(1 - linear_reference(1000))[t - 1] if t else 1.0
    x0 = pixels.numpy() * 2 - 1
    expected = math.sqrt(alpha_bar) * x0 + math.sqrt(1 - alpha_bar) * eps
    np.testing.assert_allclose(f.view.numpy(), expected, rtol=1e-5, atol=1e-5)  # 60 px: every pixel
    assert f.alpha_bar == pytest.approx(alpha_bar, rel=1e-10)
    assert f.mean == pytest.approx(expected.mean(), abs=1e-5)
    assert f.std == pytest.approx(expected.std(ddof=1), rel=1e-4)
    assert f.clipped == pytest.approx(np.mean(np.abs(expected) > 1), abs=1e-6)
    inside = np.abs(expected) <= 4
    counts, _ = np.histogram(expected[inside], bins=f.edges.numpy())
    np.testing.assert_allclose(f.heights.numpy(), counts / (expected.size * 0.1), rtol=1e-5, atol=1e-4)
    assert f.outside == pytest.approx(1 - inside.mean(), abs=1e-6)


def test_the_strip_frames_are_x_t_at_their_steps_every_kth_pixel():
    pixels = images.bundled_image("china.jpg")
    f = diffusion.forward_process(pixels, "cosine", 500, 100, seed=1)
    assert f.strip_t == tuple(round(x * 500) for x in diffusion.STRIP_FRACTIONS)
    eps = torch.randn(pixels.shape, generator=torch.Generator().manual_seed(1)).numpy()
    bars = np.concatenate([[1.0], np.cumprod(1 - cosine_reference(500))])
    k = math.ceil(max(pixels.shape[:2]) / diffusion.THUMB_SIDE)
    x0 = pixels.numpy() * 2 - 1
    for frame, t in zip(f.strip.numpy(), f.strip_t, strict=True):
        expected = (math.sqrt(bars[t]) * x0 + math.sqrt(1 - bars[t]) * eps)[::k, ::k]
        np.testing.assert_allclose(frame, expected, rtol=1e-5, atol=1e-5)
    assert max(f.strip.shape[1:3]) <= diffusion.THUMB_SIDE and max(f.view.shape[:2]) <= diffusion.VIEW_SIDE


@pytest.mark.parametrize("name", diffusion.SCHEDULES)
def test_at_t_equal_T_the_pixels_are_standard_normal(name):
    f = diffusion.forward_process(images.bundled_image("flower.jpg"), name, 1000, 1000, seed=5)
    assert f.mean == pytest.approx(0.0, abs=0.01)
    assert f.std == pytest.approx(1.0, abs=0.01)
    centres = (f.edges.numpy()[1:] + f.edges.numpy()[:-1]) / 2
    np.testing.assert_allclose(f.heights.numpy(), stats.norm.pdf(centres), atol=0.01)
    np.testing.assert_allclose(f.curve_pdf.numpy(), stats.norm.pdf(f.curve_x.numpy()), rtol=1e-5)


def test_the_expected_moments_follow_the_image():
    pixels = images.bundled_image("china.jpg")
    f = diffusion.forward_process(pixels, "linear", 1000, 200, seed=0)
    x0 = pixels.numpy().astype(np.float64) * 2 - 1
    assert f.expected_mean == pytest.approx(math.sqrt(f.alpha_bar) * x0.mean(), rel=1e-4)
    assert f.expected_std == pytest.approx(math.sqrt(f.alpha_bar * x0.var() + 1 - f.alpha_bar), rel=1e-4)
    assert f.mean == pytest.approx(f.expected_mean, abs=0.01)
    assert f.std == pytest.approx(f.expected_std, rel=0.01)


@pytest.mark.parametrize("t", [1, 40, 400, 1000])
@pytest.mark.parametrize("name", diffusion.SCHEDULES)
def test_t_small_steps_equal_one_jump_in_distribution(name, t):
    check = diffusion.jump_check(name, 1000, t, seed=t, chains=4000)
    spread = math.sqrt(check.expected_var)
    for i, x0 in enumerate(check.x0):
        steps, jumped = check.stepwise[i].numpy(), check.jumped[i].numpy()
        # Kolmogorov-Smirnov: the two samples come from one distribution, and it is N(√ᾱ·x₀, 1 - ᾱ)
        assert stats.ks_2samp(steps, jumped).pvalue > 1e-4
        assert stats.kstest(steps, "norm", args=(math.sqrt(check.alpha_bar) * x0, spread)).pvalue > 1e-4
        assert check.stepwise_mean[i] == pytest.approx(steps.mean())
        assert check.stepwise_var[i] == pytest.approx(steps.var(ddof=1))
        assert abs(check.stepwise_mean[i] - check.expected_mean[i]) < 5 * spread / math.sqrt(4000)
        assert check.stepwise_var[i] == pytest.approx(check.expected_var, rel=0.1)
        assert check.jumped_var[i] == pytest.approx(check.expected_var, rel=0.1)


def test_the_steps_are_the_ddpm_recursion():
    plan = diffusion.schedule("linear", 1000)
    generator = torch.Generator().manual_seed(9)
    x0 = torch.full((2, 50), 0.5, dtype=torch.float64)
    ours = diffusion.step_by_step(x0, plan.betas[:3], torch.Generator().manual_seed(9))
    x = x0.numpy()
    for beta in linear_reference(1000)[:3]:
        eps = torch.randn((2, 50), generator=generator, dtype=torch.float64).numpy()
        x = np.sqrt(1 - beta) * x + np.sqrt(beta) * eps
    np.testing.assert_allclose(ours.numpy(), x, rtol=1e-12)


def test_at_t_zero_nothing_moves():
    check = diffusion.jump_check("cosine", 100, 0, seed=0)
    assert check.expected_var == 0.0
    for i, x0 in enumerate(check.x0):
        assert torch.all(check.stepwise[i] == x0) and torch.all(check.jumped[i] == x0)


@pytest.mark.parametrize(
    ("pixels", "args", "words"),
    [
        (image(), ("quadratic", 1000, 10, 0), "Unknown noise schedule"),
        (image(), ("linear", 10, 5, 0), "between"),
        (image(), ("linear", 100, 101, 0), "between"),
        (image(), ("linear", 100, -1, 0), "between"),
        (image(), ("linear", 100, 5, -3), "seed"),
        (image() + 1, ("linear", 100, 5, 0), "between 0 and 1"),
        (image() * math.nan, ("linear", 100, 5, 0), "between 0 and 1"),
        (torch.rand(10, 10), ("linear", 100, 5, 0), "3 colour channels"),
        (torch.rand(600, 20, 3), ("linear", 100, 5, 0), "limit"),
    ],
)
def test_bad_input_is_refused_in_words(pixels, args, words):
    with pytest.raises(ValueError, match=words):
        diffusion.forward_process(pixels, *args)


def test_bad_jump_input_is_refused_in_words():
    with pytest.raises(ValueError, match="between"):
        diffusion.jump_check("linear", 100, 200, seed=0)
    with pytest.raises(ValueError, match="noise paths"):
        diffusion.jump_check("linear", 100, 20, seed=0, chains=10**9)
