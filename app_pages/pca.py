"""PCA: the directions of greatest variance, found as eigenvectors of the covariance and through the SVD."""

from contextlib import nullcontext

import streamlit as st

from engine import digits
from ui import frame, widgets
from viz import pca as charts

frame.header(
    "PCA: the directions of greatest variance",
    "1,797 handwritten digits are points in 64 dimensions — and 21 directions hold 90 % of how they differ.",
    "Stack the samples as rows of a table and subtract the average row: the cloud now sits around the origin. "
    "The **covariance matrix** says how every pair of features moves together. Its eigenvectors are the "
    "**principal components**: the first points along the longest stretch of the cloud, the next along the "
    "longest stretch at right angles to it, and so on; each eigenvalue is the variance along its direction. "
    "Keep the first k and every sample becomes k numbers — enough to draw the data, or to rebuild each sample "
    "almost whole.",
)
frame.formula(
    r"\bar x = \tfrac{1}{n}\textstyle\sum_i x_i \qquad C = \tfrac{1}{n-1}(X - \bar x)^\top (X - \bar x)",
    r"C\,v_i = \lambda_i v_i, \quad \lambda_1 \ge \lambda_2 \ge \dots \ge 0",
    r"X - \bar x = U S V^\top \;\Rightarrow\; \lambda_i = \tfrac{s_i^2}{n-1}",
    r"z = V_k^\top (x - \bar x) \qquad \hat x = \bar x + V_k\, z",
)

LOADING = "Embedding the 240 corpus sentences with MiniLM — once per server, a few seconds…"

with st.container(border=True), frame.controls(label="Data"):
    data_name = widgets.choice(
        "data",
        key="pca_data",
        options=list(digits.DATASETS),
        value="digits",
        labels=digits.DATASETS,
        help="The digits: 1,797 images of 8 × 8 pixels (scikit-learn). The sentences: the 240 sentences of the "
        "embeddings page's search corpus, 384 numbers each from MiniLM, coloured by topic.",
    )


def run_study(section: frame.Section, name: str):
    with st.spinner(LOADING) if name == "sentences" else nullcontext():
        return section.run(digits.study, name, cache=True)


def centring_panel(name: str) -> None:
    section = frame.Section(
        "Centre the data, then measure how it varies",
        "The mean is subtracted from every sample first, so each direction is measured from the middle of the "
        "cloud. The covariance matrix then holds each feature's variance on its diagonal and, off it, how two "
        "features rise and fall together. For the digits, neighbouring pixels move together (the blue blocks "
        "along the diagonal), and the always-blank border pixels have no variance at all (white rows).",
    )
    s = run_study(section, name)
    if s is None:
        return
    if s.image_side:
        mean = charts.digit_figure(s.mean, s.image_side, title="the mean image x̄", height=400)
    else:
        mean = charts.vector_figure(s.mean, title="the mean embedding x̄", name="x̄", height=400)
    section.chart_row([mean, charts.covariance_figure(s)], key="centre", widths=[1, 1.3])
    samples, features, total = st.columns(3)
    frame.metric("samples n", f"{s.n_samples:,}", place=samples)
    frame.metric("features d", f"{s.n_features:,}", place=features)
    frame.metric("total variance (trace of C)", f"{s.total_variance:.6g}", place=total)
    section.code_panel(key="code-centre")


@st.fragment
def components_panel(name: str) -> None:
    section = frame.Section(
        "Eigenvectors of the covariance: the principal components",
        "`torch.linalg.eigh` returns the eigenvalues of the symmetric matrix C (ascending; sorted here largest "
        "first) and its eigenvectors. Each eigenvalue is the variance along its eigenvector; divided by the total "
        "it is the share that component explains. For the digits each eigenvector has 64 entries — one per "
        "pixel — so it can be drawn as an image: an **eigen-digit**. Red pixels pull one way, blue the other.",
    )
    controls, plot = st.columns([1, 3], gap="medium")
    with frame.controls(controls):
        count = widgets.slider(
            "components drawn", key="pca_show", min_value=1, max_value=digits.TOP_COMPONENTS, value=8, step=1
        )
    s = run_study(section, name)
    if s is None:
        return
    with controls:
        frame.metric("PC1's share", f"{s.ratio[0]:.2%}")
        frame.metric("k for 90 %", f"{s.k90}")
        frame.metric("k for 99 %", f"{s.k99}")
    with plot:
        section.chart(charts.variance_figure(s))
        section.chart(charts.components_figure(s, count))
    frame.formula(
        rf"\lambda_1 = {s.variance[0]:.4g},\; \lambda_2 = {s.variance[1]:.4g},\; \dots",
        rf"\frac{{\lambda_1}}{{\sum_i \lambda_i}} = \frac{{{s.variance[0]:.4g}}}{{{s.total_variance:.6g}}} = "
        rf"{s.ratio[0]:.4f}",
    )
    section.code_panel(key="code-components")


def svd_panel(name: str) -> None:
    section = frame.Section(
        "The same answer through the SVD",
        "PCA never needs C itself: the singular value decomposition of the centred data, X − x̄ = U S Vᵀ, gives "
        "the same directions as the rows of Vᵀ and the same variances as s² / (n − 1). Forming XᵀX squares the "
        "condition number, so the smallest eigenvalues drown in rounding first; the SVD avoids that. For tall, "
        "narrow data such as the digits the covariance is cheaper and accurate enough — scikit-learn's PCA "
        "picks it there too. Both routes below run in float64.",
    )
    s = run_study(section, name)
    if s is None:
        return
    section.chart(charts.routes_figure(s))
    gap_var, gap_vec, eigh_time, svd_time = st.columns(4)
    frame.metric("max |λ − s²/(n−1)|", f"{s.variance_gap:.1e}", place=gap_var)
    frame.metric("max |v_eigh ∓ v_svd|", f"{s.component_gap:.1e}", place=gap_vec)
    frame.metric("eigh route, best of 3", f"{s.eigh_ms:.1f} ms", place=eigh_time)
    frame.metric("SVD route, best of 3", f"{s.svd_ms:.1f} ms", place=svd_time)
    left_out = s.n_features - s.compared
    st.caption(
        f"Components compared up to sign (an eigenvector times −1 is still one): the {s.compared} that carry "
        "variance."
        + (
            f" The other {left_out} have zero variance ("
            + (
                "pixels that are blank in every image"
                if s.image_side
                else f"{s.n_samples} samples, centred, span at most {s.n_samples - 1} directions"
            )
            + "): any orthonormal basis of that flat subspace is correct, so the two routes may pick different ones."
            if left_out
            else ""
        )
    )
    section.code_panel(key="code-svd")


@st.fragment
def projection_panel(name: str) -> None:
    section = frame.Section(
        "Project: every sample as 2 or 3 numbers",
        "Each sample's coordinates on the first components, z = V_kᵀ(x − x̄), coloured by its label — which PCA "
        "never saw. Classes that look alike land close together.",
    )
    controls, plot = st.columns([1, 3], gap="medium")
    with frame.controls(controls):
        dims = 3 if widgets.toggle("3-D", key="pca_3d", help="The first three components; drag to turn.") else 2
        st.caption("Click a label in the legend to hide it; double-click to show it alone.")
    s = run_study(section, name)
    if s is None:
        return
    with plot:
        section.chart(charts.scatter_figure(s, dims))
    with controls:
        frame.metric(f"variance kept by {dims} axes", f"{s.cumulative[dims - 1]:.1%}")
    section.code_panel(key="code-projection")


@st.fragment
def rebuild_panel(name: str) -> None:
    section = frame.Section(
        "Rebuild one sample from k components",
        "Keep only a sample's first k coordinates and add the components back: x̂ = x̄ + z₁v₁ + … + z_kv_k. "
        "Every k adds the next most useful direction, so the error can only fall, and it reaches zero at k = d.",
    )
    s = run_study(section, name)
    if s is None:
        return
    controls, plot = st.columns([1, 3], gap="medium")
    with frame.controls(controls):
        index = widgets.position(
            "sample number",
            key="pca_index",
            size=s.n_samples,
            help=f"Which sample to rebuild, 0 to {s.n_samples - 1:,}; the arrow keys step one at a time.",
        )
        k = widgets.slider("components k", key="pca_k", min_value=1, max_value=s.n_features, value=10, step=1)
    r = section.run(digits.rebuild, name, index, k)
    if r is None:
        return
    with plot:
        if r.text:
            st.markdown(f"**Sample {r.index}** ({frame.quoted(r.label)}): {frame.quoted(r.text)}")
        figures = charts.rebuild_figures(r, s.image_side)
        section.chart_row([*figures, charts.error_curve_figure(r)], key="rebuild", timing=False)
        section.timing_note()
    with controls:
        frame.metric("mean squared error", f"{r.error:.4g}")
        frame.metric("‖x − x̂‖ / ‖x − x̄‖", f"{r.relative_error:.2%}")
        frame.metric("cos(x, x̂)", f"{r.cosine:.4f}")
        frame.metric("data set's variance kept", f"{r.variance_kept:.1%}")
    coords = ", ".join(f"{z:+.2f}" for z in r.coordinates[:4]) + (r", \dots" if r.k > 4 else "")
    frame.formula(rf"z = ({coords})", rf"\text{{{r.k} numbers instead of }}{s.n_features}")
    section.code_panel(key="code-rebuild")


centring_panel(data_name)
components_panel(data_name)
svd_panel(data_name)
projection_panel(data_name)
rebuild_panel(data_name)

frame.try_this(
    [
        "In **Rebuild**, set k = 1: every digit becomes the mean image plus a multiple of one eigen-digit — a blur "
        "between a 3 or 9 and a 4 or 6, the classes PC1 pulls apart. Raise k to 10, then 20: the digit appears "
        "well before 64.",
        "Watch the error curve: it drops steeply for the first few components and then flattens — the shape of "
        "the explained-variance bars, because the error left is the variance not yet kept.",
        "In the 2-D scatter, the 0s sit at the bottom (PC2 below zero), 1s and 7s at the top, 4s and 6s to the "
        "right, 3s and 9s to the left, while 5s and 8s stay mixed in the middle. Compare with PC1 and PC2 drawn "
        "as eigen-digits.",
        "The 1s and the 7s overlap in 2-D. Switch on **3-D** and turn the cloud: PC3 pulls the 7s up, away "
        "from the 1s.",
        "Switch the data to **sentence embeddings**: 90 % of the variance needs about 110 of 384 components "
        "(the digits: 21 of 64) — meaning is spread over many directions, so a 2-D map of it keeps only a few "
        "percent and is a rough sketch.",
        "Compare the two routes: eigh and the SVD agree to 10⁻⁹ or better, far below anything a picture can "
        "show — but the SVD never forms C.",
    ]
)
frame.where_in_ai(
    [
        "**Embedding visualisation**: 384- or 4096-dimensional vectors are drawn in 2-D by PCA (or by t-SNE / "
        "UMAP, which usually start from a PCA) — the maps of meaning on the embeddings page are exactly this.",
        "**Whitening**: dividing each principal coordinate by √λᵢ gives features that are uncorrelated with unit "
        "variance; used before ICA, in classic image pipelines, and to make sentence embeddings more isotropic.",
        "**Compression**: storing k coordinates instead of d numbers, and dimensionality reduction before a "
        "nearest-neighbour index (FAISS's PCA transform) to make search cheaper.",
        "**Eigenfaces** (1991): the principal components of face photos, the ancestor of the eigen-digits here, "
        "and one of the first working face-recognition systems.",
        "**Low-rank structure in networks**: the SVD of a weight matrix, LoRA's rank-r updates and the analysis "
        "of activations by their principal directions are the same mathematics (see the SVD and low-rank pages).",
    ]
)
