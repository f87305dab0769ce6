"""Gaussian noise & diffusion: the bell curve, the central limit theorem, and an image dissolving into noise."""

import math

import streamlit as st

from engine import diffusion, noise
from ui import frame, widgets
from ui.images import picker
from viz import diffusion as charts

frame.header(
    "Gaussian noise & diffusion",
    "Add up enough small random pushes and you get a bell curve — and a diffusion model is trained by "
    "drowning images in exactly that noise.",
    "The **Gaussian** (normal) density is set by two numbers: its centre μ and its width σ. It is everywhere "
    "because of the **central limit theorem**: the mean of many independent random values, whatever their own "
    "shape, is close to Gaussian. Diffusion models such as DDPM and Stable Diffusion use it twice: they add "
    "Gaussian noise to an image over T small steps until nothing but N(0, 1) noise is left, and because Gaussians "
    "add up to Gaussians, any step t can be reached in **one jump**. A network then learns to undo the noise.",
)
frame.formula(
    r"p(x) = \frac{1}{\sigma\sqrt{2\pi}}\, e^{-\frac{(x-\mu)^2}{2\sigma^2}}",
    r"\frac{\bar X_n - \mu}{\sigma/\sqrt{n}} \;\longrightarrow\; \mathcal{N}(0, 1) \quad (n \to \infty)",
    r"x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\qquad "
    r"\bar\alpha_t = \prod_{s \le t} (1-\beta_s),\quad \varepsilon \sim \mathcal{N}(0, I)",
)

TERMS = [1, 2, 3, 5, 10, 20, 30, 50, 100, 200]
DRAWS = [1000, 2000, 5000, 10000, 20000]
DISTRIBUTION_LABELS = {"uniform": "uniform U(0, 1)", "exponential": "exponential Exp(1), skewed"}
SCHEDULE_LABELS = {"linear": "linear (DDPM)", "cosine": "cosine (improved DDPM)"}
SEED_MAX = 1_000_000


def short(value: float) -> str:
    return f"{value:.4g}"


def latex_number(value: float) -> str:
    """4 significant digits, with a power of ten written as LaTeX (4.036e-05 -> 4.036 \\times 10^{-5})."""
    mantissa, _, exponent = f"{value:.4g}".partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else mantissa


@st.fragment
def bell_curve() -> None:
    section = frame.Section(
        "The bell curve",
        "μ moves the curve, σ stretches it. However you set them, the same share of the area lies within one, "
        'two and three σ of the centre — that is why "3σ" means "almost never".',
    )
    controls, plot = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        mu = widgets.slider("mean μ", key="df_mu", min_value=-4.0, max_value=4.0, value=0.0, step=0.1)
        sigma = widgets.slider(
            "standard deviation σ", key="df_sigma", min_value=0.2, max_value=3.0, value=1.0, step=0.1
        )
    density = section.run(noise.gaussian_density, mu, sigma)
    if density is None:
        return
    with controls:
        frame.metric("peak p(μ) = 1/(σ√(2π))", f"{density.peak:.4f}")
        frame.metric("within μ ± σ", f"{density.within[0]:.2%}")
        frame.metric("within μ ± 2σ", f"{density.within[1]:.2%}")
        frame.metric("within μ ± 3σ", f"{density.within[2]:.2%}")
    with plot:
        section.chart(charts.density_figure(density))
    sign = "-" if density.mu >= 0 else "+"
    frame.formula(
        rf"p(x) = \frac{{1}}{{{density.sigma:g} \cdot \sqrt{{2\pi}}}}\, e^{{-\frac{{(x {sign} {abs(density.mu):g})^2}}"
        rf"{{2 \cdot {density.sigma:g}^2}}}},\qquad p(\mu) = {density.peak:.4f}"
    )
    section.code_panel()


@st.fragment
def central_limit() -> None:
    section = frame.Section(
        "The central limit theorem",
        "Each draw is the mean of n random values. With n = 1 the histogram is the distribution itself — flat for "
        "the uniform, a steep slope for the exponential. As n grows it turns into the bell curve the theorem "
        "predicts, N(μ, σ²/n), and the Q-Q plot (sorted means against normal quantiles) straightens onto y = x.",
    )
    controls, left, right = st.columns([1, 1.6, 1.6], gap="medium")
    with frame.controls(controls):
        distribution = widgets.choice(
            "values from",
            key="df_dist",
            options=list(noise.DISTRIBUTIONS),
            value="exponential",
            labels=DISTRIBUTION_LABELS,
            horizontal=False,
        )
        n = widgets.log_slider("n, values averaged per draw", key="df_n", options=TERMS, value=5)
        draws = widgets.log_slider("draws", key="df_draws", options=DRAWS, value=10000, format_func=lambda v: f"{v:,}")
        seed = widgets.number("seed", key="df_clt_seed", value=0, min_value=0, max_value=SEED_MAX, whole=True)
    clt = section.run(noise.central_limit, distribution, n, draws, int(seed), cache=True)
    if clt is None:
        return
    with left:
        section.chart(charts.clt_histogram_figure(clt))
    with right:
        section.chart(charts.qq_figure(clt))
    with controls:
        frame.metric("std of the means", short(clt.sample_std), f"theory σ/√n = {short(clt.expected_std)}")
        frame.metric("skewness", short(clt.sample_skewness), f"theory {short(clt.expected_skewness)}")
        frame.metric(
            "excess kurtosis", short(clt.sample_excess_kurtosis), f"theory {short(clt.expected_excess_kurtosis)}"
        )
        frame.metric("Q-Q straightness r", f"{clt.qq_r:.4f}")
    st.markdown(
        f"**Mean of the {clt.draws:,} means:** {clt.sample_mean:.4f} (theory μ = {clt.expected_mean:g}). "
        "Skewness (lopsidedness) and excess kurtosis (heavy tails) are 0 for a Gaussian; for a mean of n values "
        "they shrink like 1/√n and 1/n."
    )
    section.code_panel()


@st.fragment
def forward_diffusion() -> None:
    section = frame.Section(
        "Forward diffusion: an image dissolving into noise",
        "The image is scaled to [−1, 1]. At step t it keeps a share √ᾱ_t of itself and gets √(1 − ᾱ_t) of one "
        "noise image ε (the same ε in every frame, so the frames differ only by the schedule). By t = T nothing of "
        "the image is left: its pixel values are N(0, 1).",
    )
    controls, right = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        image = picker("df_")
        name = widgets.choice(
            "noise schedule",
            key="df_schedule",
            options=list(diffusion.SCHEDULES),
            value="linear",
            labels=SCHEDULE_LABELS,
            horizontal=False,
        )
        T = widgets.slider("steps T", key="df_T", min_value=50, max_value=1000, value=1000, step=50)
        t = widgets.slider("step t", key="df_t", min_value=0, max_value=T, value=min(250, T), step=1)
        seed = widgets.number("noise seed", key="df_seed", value=0, min_value=0, max_value=SEED_MAX, whole=True)
        steps = widgets.toggle(
            "check the jump against t small steps",
            key="df_steps",
            value=False,
            help="Runs t noising steps for 2,000 noise paths: up to ~0.2 s for each new t.",
        )
    if image is None:
        return
    linear = section.run(diffusion.schedule, "linear", T, cache=True)
    cosine = section.run(diffusion.schedule, "cosine", T, cache=True)
    # The picture, not its pixels: the cache then keys on the image's name instead of hashing 2 MB a rerun.
    picture = image.picture()
    result = section.run(diffusion.forward_process, picture, name, T, t, int(seed), cache=True)
    if result is None or linear is None or cosine is None:
        return
    with controls:
        frame.metric("ᾱ_t", f"{result.alpha_bar:.4g}")
        frame.metric("image weight √ᾱ_t", f"{result.signal:.4f}")
        frame.metric("noise weight √(1 − ᾱ_t)", f"{result.noise:.4f}")
        snr = "∞ (no noise yet)" if math.isinf(result.snr) else f"{result.snr:.4g}"
        frame.metric("signal-to-noise ᾱ/(1 − ᾱ)", snr)
    with right:
        st.markdown(f"**{image.label}**, frames at t = {', '.join(str(s) for s in result.strip_t)} of T = {T}")
        section.chart(charts.strip_figure(result, name=f"{picture.cache_key} {name} T={T} seed={int(seed)}"))
        st.caption(
            f"The pictures show −1 as black and +1 as white; values outside are clipped to those colours — "
            f"{result.clipped:.1%} of x_t's values at t = {t}. Frames show every k-th pixel, which keeps the noise's "
            "statistics (averaging pixels would smooth it away)."
        )
        view, histogram = st.columns(2)
        with view:
            section.chart(charts.view_figure(result))
        with histogram:
            section.chart(charts.pixel_histogram_figure(result))
        st.markdown(
            f"**x_t's values:** mean {result.mean:.4f} (theory √ᾱ_t·mean(x₀) = {result.expected_mean:.4f}), "
            f"std {result.std:.4f} (theory √(ᾱ_t·var(x₀) + 1 − ᾱ_t) = {result.expected_std:.4f})."
            + (
                f" {result.outside:.2%} of the values lie outside ±4 and are not in the histogram."
                if result.outside
                else ""
            )
        )
    frame.formula(
        rf"x_{{{t}}} = \sqrt{{{latex_number(result.alpha_bar)}}}\, x_0 + "
        rf"\sqrt{{1 - {latex_number(result.alpha_bar)}}}\,\varepsilon"
        rf" = {result.signal:.4f}\, x_0 + {result.noise:.4f}\,\varepsilon"
    )
    section.chart_row(
        [
            charts.schedule_figure([linear, cosine], result, quantity="alpha_bar"),
            charts.schedule_figure([linear, cosine], result, quantity="snr"),
        ],
        key="schedules",
    )
    st.markdown(
        "The **linear** schedule destroys the image fast: ᾱ_t is nearly 0 long before t = T, so the last steps "
        "are noise on noise. The **cosine** schedule keeps ᾱ_t falling evenly and its log-SNR nearly straight, "
        f"so fewer steps are wasted. With T below 1000 the linear β range is scaled by 1000/T (here β from "
        f"{float(linear.betas[0]):.4g} to {float(linear.betas[-1]):.4g}), so both end in noise at any T."
    )
    section.code_panel()
    if steps:
        jump_panel(name, T, t, int(seed))


def jump_panel(name: str, T: int, t: int, seed: int) -> None:
    section = frame.Section(
        "One jump = t small steps",
        "Each small step shrinks x by √(1 − β_s) and adds √β_s of fresh noise. Run t of them from a pixel value "
        "x₀ for 2,000 independent noise paths, and compare with one jump using ᾱ_t: the two clouds have the same "
        "mean √ᾱ_t·x₀ and variance 1 − ᾱ_t — the same normal distribution — though they use different random "
        "numbers.",
    )
    check = section.run(diffusion.jump_check, name, T, t, seed, cache=True)
    if check is None:
        return
    plot, table = st.columns([1.6, 1], gap="medium")
    with table:
        start = widgets.choice(
            "pixel value x₀",
            key="df_x0",
            options=list(check.x0),
            value=check.x0[-1],
            labels={v: f"{v:g}" for v in check.x0},
        )
        st.dataframe(
            {
                "x₀": [f"{v:g}" for v in check.x0],
                "mean, steps": [f"{v:.4f}" for v in check.stepwise_mean],
                "mean, jump": [f"{v:.4f}" for v in check.jumped_mean],
                "√ᾱ·x₀": [f"{v:.4f}" for v in check.expected_mean],
                "var, steps": [f"{v:.4f}" for v in check.stepwise_var],
                "var, jump": [f"{v:.4f}" for v in check.jumped_var],
            },
            hide_index=True,
        )
        st.caption(f"Theory: variance 1 − ᾱ_t = {check.expected_var:.4f} for every x₀.")
    with plot:
        section.chart(charts.jump_figure(check, list(check.x0).index(start)))
    section.code_panel()


bell_curve()
central_limit()
forward_diffusion()

frame.try_this(
    [
        "Bell curve: set σ = 0.5, then 2. The peak height 1/(σ√(2π)) halves when σ doubles, but the shares within "
        "1, 2 and 3 σ stay 68 %, 95 %, 99.7 %.",
        "CLT: pick the exponential with n = 1 — a steep slope, skewness 2. Raise n to 5, 30, 200 and watch the "
        "histogram hug the bell curve and the Q-Q points fall onto the line; skewness falls like 2/√n.",
        "Diffusion: with the linear schedule, slide t to T/2. The picture is already almost gone — compare the "
        "cosine schedule at the same t, and the two ᾱ_t curves.",
        "Slide t to T and look at the pixel histogram: whatever the image, it is the N(0, 1) curve. That is why a "
        "diffusion model can start generating from pure noise.",
        "Switch on the check and set t = 1000: a thousand small steps and one jump give the same mean and variance.",
        "Upload your own photo: a dark or a bright image starts with a different histogram, and ends in the same "
        "N(0, 1).",
    ]
)
frame.where_in_ai(
    [
        "**Diffusion models** (DDPM, Stable Diffusion, DALL·E 2, Imagen) are trained with exactly this forward "
        "process: pick a random t, jump to x_t in one step, and train a network to predict the noise ε.",
        "**Noise schedules** are a design choice: the cosine schedule (Nichol & Dhariwal 2021) replaced the linear "
        "one for small images; later work picks schedules by their log-SNR curve.",
        "**Weight initialization**: a neuron sums many random weights times inputs, so by the central limit theorem "
        "its output is close to Gaussian — Xavier and He initialization choose the weights' σ to keep that "
        "Gaussian's width the same from layer to layer.",
        "**Noise in SGD**: a mini-batch gradient is a mean of per-example gradients, so its error is roughly "
        "Gaussian with a spread falling like 1/√(batch size).",
        "**Gaussian assumptions**: mean-squared error is the log-likelihood of Gaussian noise, VAEs sample their "
        "latents from Gaussians, and the reparameterization trick z = μ + σ·ε is the same jump as x_t above.",
    ]
)
