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
    "Hardware": [
        PageEntry(
            "app_pages/hardware.py",
            "Why GPUs: matrix multiplication at speed",
            ":material/memory:",
            "hardware",
            "GFLOP/s measured against matrix size, a memory-bound op, the roofline, and a transformer's FLOPs.",
        ),
    ],
}


def lesson_pages() -> list[tuple[str, PageEntry]]:
    """(section, page) for every page except the home page, in menu order."""
    return [(section, page) for section, pages in SECTIONS.items() for page in pages if page is not HOME]
