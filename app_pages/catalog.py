"""The table of contents: sections and pages, read by app.py (navigation) and the home page (links).

A page is listed only when its file exists and is finished.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    path: str  # relative to the app root
    title: str
    icon: str  # a Material Symbols name, as st.Page takes it
    url_path: str
    blurb: str  # one line for the home page


HOME = PageEntry("app_pages/home.py", "Welcome", ":material/home:", "", "What this lab is and how to use it.")

SECTIONS: dict[str, list[PageEntry]] = {
    "Start": [HOME],
    "Linear algebra": [
        PageEntry(
            "app_pages/vectors.py",
            "Vectors & the dot product",
            ":material/north_east:",
            "vectors",
            "Dot product, cosine similarity, a neuron, and why random embeddings are nearly orthogonal.",
        ),
        PageEntry(
            "app_pages/matmul.py",
            "Matrix multiplication",
            ":material/grid_on:",
            "matmul",
            "Shapes, C[i, j] as a dot product, element-wise vs matrix product, order, and cost.",
        ),
        PageEntry(
            "app_pages/linear_maps.py",
            "Linear transformations",
            ":material/transform:",
            "linear-maps",
            "A 2×2 matrix moving the plane: determinant, eigenvectors, singular values, composition.",
        ),
        PageEntry(
            "app_pages/neural_layer.py",
            "The neural layer",
            ":material/hub:",
            "neural-layer",
            "y = σ(Wx + b) folding the plane, why depth needs activations, shapes in a batch.",
        ),
    ],
    "Calculus & learning": [
        PageEntry(
            "app_pages/derivatives.py",
            "Derivatives",
            ":material/show_chart:",
            "derivatives",
            "The secant that becomes the tangent, autograd, and why finite differences have a best step.",
        ),
        PageEntry(
            "app_pages/chain_rule.py",
            "Gradients & the chain rule",
            ":material/account_tree:",
            "chain-rule",
            "A formula's computation graph, backpropagated by hand and checked against torch.autograd.",
        ),
        PageEntry(
            "app_pages/gradient_descent.py",
            "Gradient descent & optimizers",
            ":material/downhill_skiing:",
            "gradient-descent",
            "The learning rate on a parabola, then SGD, momentum, Nesterov, RMSprop, Adam and AdamW racing.",
        ),
        PageEntry(
            "app_pages/train_network.py",
            "Train a network",
            ":material/model_training:",
            "train",
            "A small MLP learning moons, circles, XOR or spirals: its boundary, losses and gradient norms.",
        ),
    ],
    "Transformers": [
        PageEntry(
            "app_pages/attention.py",
            "Attention, step by step",
            ":material/visibility:",
            "attention",
            "Q, K and V from a sentence, scores, the √d_k, softmax, masks and heads, on a toy model or MiniLM.",
        ),
        PageEntry(
            "app_pages/transformer.py",
            "Inside a real transformer",
            ":material/neurology:",
            "inside-transformer",
            "MiniLM's 72 heads on your text: the line view, previous-token heads, ablation, the residual stream.",
        ),
        PageEntry(
            "app_pages/embeddings.py",
            "Embeddings & similarity",
            ":material/scatter_plot:",
            "embeddings",
            "Sentences as unit vectors, cosine vs distance in semantic search, king − man + woman, maps by PCA.",
        ),
    ],
    "Compression": [
        PageEntry(
            "app_pages/svd.py",
            "SVD: compressing an image",
            ":material/photo_size_select_small:",
            "svd",
            "A photo as a sum of rank-1 layers: keep k of them, see the error Eckart–Young predicts.",
        ),
        PageEntry(
            "app_pages/pca.py",
            "PCA: the directions of greatest variance",
            ":material/insights:",
            "pca",
            "Handwritten digits by their covariance: eigen-digits, explained variance, reconstruction from k.",
        ),
        PageEntry(
            "app_pages/lowrank.py",
            "Low rank and LoRA",
            ":material/compress:",
            "low-rank",
            "How compressible MiniLM's real weights are, and LoRA fitting a low-rank update by gradient descent.",
        ),
    ],
    "Probability & information": [
        PageEntry(
            "app_pages/softmax.py",
            "Softmax & temperature",
            ":material/thermostat:",
            "softmax",
            "Logits to probabilities, temperature from argmax to uniform, top-k and top-p, sampling, overflow.",
        ),
        PageEntry(
            "app_pages/information.py",
            "Entropy, cross-entropy & KL",
            ":material/compare_arrows:",
            "entropy",
            "Surprise in bits, the loss every classifier minimises, and why KL(p‖q) ≠ KL(q‖p).",
        ),
        PageEntry(
            "app_pages/bayes.py",
            "Bayes' theorem",
            ":material/filter_alt:",
            "bayes",
            "Prior times likelihood: a spam filter word by word, and the base-rate fallacy in a medical test.",
        ),
        PageEntry(
            "app_pages/diffusion.py",
            "Gaussian noise & diffusion",
            ":material/blur_on:",
            "noise-diffusion",
            "The bell curve, the central limit theorem, and an image dissolving into noise as in diffusion models.",
        ),
        PageEntry(
            "app_pages/bootstrap.py",
            "Bootstrap confidence intervals",
            ":material/bar_chart:",
            "bootstrap",
            "How sure is a benchmark score? Resample it 10,000 times, and compare two models fairly.",
        ),
    ],
    "Hardware": [
        PageEntry(
            "app_pages/hardware.py",
            "Why GPUs: matrix multiplication at speed",
            ":material/memory:",
            "hardware",
            "GFLOP/s measured against matrix size, a memory-bound op, the roofline, and a transformer's FLOPs.",
        ),
    ],
    "Put it together": [
        PageEntry(
            "app_pages/tiny_gpt.py",
            "A tiny GPT, trained live",
            ":material/smart_toy:",
            "tiny-gpt",
            "Train a character-level transformer here, then sample from it and look inside its attention.",
        ),
    ],
}


def lesson_pages() -> list[tuple[str, PageEntry]]:
    """(section, page) for every page except the home page, in menu order."""
    return [(section, page) for section, pages in SECTIONS.items() for page in pages if page is not HOME]
