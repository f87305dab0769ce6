"""The table of contents: sections and pages, read by app.py (navigation) and the home page (links).

A page is listed only when its file exists and is finished.
"""

from __future__ import annotations

from dataclasses import dataclass

# Where a concept shows up in a working model: the home page's map filters on these.
PLACES = ("a layer", "attention", "training", "compression", "sampling", "search", "evaluation", "hardware")


@dataclass(frozen=True)
class PageEntry:
    path: str  # relative to the app root
    title: str
    icon: str  # a Material Symbols name, as st.Page takes it
    url_path: str
    blurb: str  # one line for the home page
    concept: str = ""  # the math, in a few words (the home page's map of the math)
    role: str = ""  # what it does in AI, in one sentence
    appears: tuple[str, ...] = ()  # where it shows up, from PLACES

    def __post_init__(self) -> None:
        unknown = set(self.appears) - set(PLACES)
        assert not unknown, f"{self.title}: unknown places {unknown}"


HOME = PageEntry("app_pages/home.py", "Welcome", ":material/home:", "", "What this lab is and how to use it.")
QUIZ = PageEntry(
    "app_pages/quiz.py",
    "Check yourself",
    ":material/quiz:",
    "quiz",
    "Questions from every section, most with fresh numbers each round, checked by the engine.",
)

SECTIONS: dict[str, list[PageEntry]] = {
    "Start": [HOME],
    "Linear algebra": [
        PageEntry(
            "app_pages/vectors.py",
            "Vectors & the dot product",
            ":material/north_east:",
            "vectors",
            "Dot product, cosine similarity, a neuron, and why random embeddings are nearly orthogonal.",
            concept="Dot product and cosine similarity",
            role="How much two vectors agree: a neuron's weighted sum, and the score of every similarity search.",
            appears=("a layer", "attention", "search"),
        ),
        PageEntry(
            "app_pages/matmul.py",
            "Matrix multiplication",
            ":material/grid_on:",
            "matmul",
            "Shapes, C[i, j] as a dot product, element-wise vs matrix product, order, and cost.",
            concept="Matrix multiplication",
            role="Many dot products at once: nearly all of a model's arithmetic, and what GPUs are built for.",
            appears=("a layer", "attention", "hardware"),
        ),
        PageEntry(
            "app_pages/linear_maps.py",
            "Linear transformations",
            ":material/transform:",
            "linear-maps",
            "A 2×2 matrix moving the plane: determinant, eigenvectors, singular values, composition.",
            concept="Linear maps, determinant, eigenvectors",
            role="What a weight matrix does to space: stretch, rotate, squash, and by how much.",
            appears=("a layer", "compression"),
        ),
        PageEntry(
            "app_pages/neural_layer.py",
            "The neural layer",
            ":material/hub:",
            "neural-layer",
            "y = σ(Wx + b) folding the plane, why depth needs activations, shapes in a batch.",
            concept="Layers and activation functions",
            role="A nonlinearity between two matrices is what lets a deep network bend its decisions.",
            appears=("a layer",),
        ),
    ],
    "Calculus & learning": [
        PageEntry(
            "app_pages/derivatives.py",
            "Derivatives",
            ":material/show_chart:",
            "derivatives",
            "The secant that becomes the tangent, autograd, and why finite differences have a best step.",
            concept="Derivatives and autograd",
            role="How much the loss moves when one weight moves: the signal every update follows.",
            appears=("training",),
        ),
        PageEntry(
            "app_pages/chain_rule.py",
            "Gradients & the chain rule",
            ":material/account_tree:",
            "chain-rule",
            "A formula's computation graph, backpropagated by hand and checked against torch.autograd.",
            concept="The chain rule and backpropagation",
            role="Every weight's gradient in one backward pass through the computation graph.",
            appears=("training",),
        ),
        PageEntry(
            "app_pages/gradient_descent.py",
            "Gradient descent & optimizers",
            ":material/downhill_skiing:",
            "gradient-descent",
            "The learning rate on a parabola, then SGD, momentum, Nesterov, RMSprop, Adam and AdamW racing.",
            concept="Gradient descent, momentum and Adam",
            role="The update rules that turn gradients into learning, and why the learning rate decides.",
            appears=("training",),
        ),
        PageEntry(
            "app_pages/train_network.py",
            "Train a network",
            ":material/model_training:",
            "train",
            "A small MLP learning moons, circles, XOR or spirals: its boundary, losses and gradient norms.",
            concept="The training loop",
            role="Batches, loss, overfitting and clipping: learning a decision boundary from data.",
            appears=("training", "evaluation"),
        ),
    ],
    "Transformers": [
        PageEntry(
            "app_pages/attention.py",
            "Attention, step by step",
            ":material/visibility:",
            "attention",
            "Q, K and V from a sentence, scores, the √d_k, softmax, masks and heads, on a toy model or MiniLM.",
            concept="Scaled dot-product attention",
            role="How each token gathers what it needs from the others: softmax(QKᵀ/√d)·V.",
            appears=("attention",),
        ),
        PageEntry(
            "app_pages/transformer.py",
            "Inside a real transformer",
            ":material/neurology:",
            "inside-transformer",
            "MiniLM's 72 heads on your text: the line view, previous-token heads, ablation, the residual stream.",
            concept="Multi-head attention and the residual stream",
            role="What a real pretrained model's 72 heads attend to, and what switching one off changes.",
            appears=("attention", "a layer"),
        ),
        PageEntry(
            "app_pages/embeddings.py",
            "Embeddings & similarity",
            ":material/scatter_plot:",
            "embeddings",
            "Sentences as unit vectors, cosine vs distance in semantic search, king − man + woman, maps by PCA.",
            concept="Embeddings and semantic similarity",
            role="Meaning as direction: search, retrieval and analogies with cosine similarity.",
            appears=("search",),
        ),
    ],
    "Compression": [
        PageEntry(
            "app_pages/svd.py",
            "SVD: compressing an image",
            ":material/photo_size_select_small:",
            "svd",
            "A photo as a sum of rank-1 layers: keep k of them, see the error Eckart–Young predicts.",
            concept="Singular value decomposition",
            role="The best rank-k approximation of any matrix (Eckart–Young).",
            appears=("compression",),
        ),
        PageEntry(
            "app_pages/pca.py",
            "PCA: the directions of greatest variance",
            ":material/insights:",
            "pca",
            "Handwritten digits by their covariance: eigen-digits, explained variance, reconstruction from k.",
            concept="PCA and eigendecomposition",
            role="The directions data varies most along: maps of embeddings, and fewer numbers per example.",
            appears=("compression", "search"),
        ),
        PageEntry(
            "app_pages/lowrank.py",
            "Low rank and LoRA",
            ":material/compress:",
            "low-rank",
            "How compressible MiniLM's real weights are, and LoRA fitting a low-rank update by gradient descent.",
            concept="Low rank and LoRA",
            role="Fine-tuning a large model by training a small update B·A instead of the whole matrix.",
            appears=("compression", "training"),
        ),
    ],
    "Probability & information": [
        PageEntry(
            "app_pages/softmax.py",
            "Softmax & temperature",
            ":material/thermostat:",
            "softmax",
            "Logits to probabilities, temperature from argmax to uniform, top-k and top-p, sampling, overflow.",
            concept="Softmax, temperature, top-k and top-p",
            role="Scores into probabilities, inside attention and in how a model picks its next token.",
            appears=("sampling", "attention"),
        ),
        PageEntry(
            "app_pages/information.py",
            "Entropy, cross-entropy & KL",
            ":material/compare_arrows:",
            "entropy",
            "Surprise in bits, the loss every classifier minimises, and why KL(p‖q) ≠ KL(q‖p).",
            concept="Entropy, cross-entropy and KL divergence",
            role="The loss every classifier and language model minimises; KL keeps fine-tuned models close.",
            appears=("training", "sampling"),
        ),
        PageEntry(
            "app_pages/bayes.py",
            "Bayes' theorem",
            ":material/filter_alt:",
            "bayes",
            "Prior times likelihood: a spam filter word by word, and the base-rate fallacy in a medical test.",
            concept="Bayes' theorem",
            role="Updating a belief with evidence: naive Bayes filters, calibration, the base-rate fallacy.",
            appears=("evaluation",),
        ),
        PageEntry(
            "app_pages/diffusion.py",
            "Gaussian noise & diffusion",
            ":material/blur_on:",
            "noise-diffusion",
            "The bell curve, the central limit theorem, and an image dissolving into noise as in diffusion models.",
            concept="Gaussian noise and diffusion",
            role="Image generators learn to undo noise that a schedule adds step by step.",
            appears=("training", "sampling"),
        ),
        PageEntry(
            "app_pages/bootstrap.py",
            "Bootstrap confidence intervals",
            ":material/bar_chart:",
            "bootstrap",
            "How sure is a benchmark score? Resample it 10,000 times, and compare two models fairly.",
            concept="Bootstrap confidence intervals",
            role="Error bars on a benchmark score, and a fair test of whether one model beats another.",
            appears=("evaluation",),
        ),
    ],
    "Hardware": [
        PageEntry(
            "app_pages/hardware.py",
            "Why GPUs: matrix multiplication at speed",
            ":material/memory:",
            "hardware",
            "GFLOP/s measured against matrix size, a memory-bound op, the roofline, and a transformer's FLOPs.",
            concept="FLOPs, throughput and the roofline",
            role="Why large matrix products on GPUs make training and serving affordable.",
            appears=("hardware", "training"),
        ),
    ],
    "Put it together": [
        PageEntry(
            "app_pages/tiny_gpt.py",
            "A tiny GPT, trained live",
            ":material/smart_toy:",
            "tiny-gpt",
            "Train a character-level transformer here, then sample from it and look inside its attention.",
            concept="A transformer language model",
            role="Every lesson above in one model that learns to write, trained here.",
            appears=("a layer", "attention", "training", "sampling"),
        ),
    ],
    "Check yourself": [QUIZ],
}


# The suggested order is the menu's order; each section says why it comes where it does.
SECTION_WHY: dict[str, str] = {
    "Linear algebra": "What every layer computes: vectors, dot products and matrices.",
    "Calculus & learning": "How a network learns: derivatives, backpropagation and the optimizers.",
    "Transformers": "Attention, the idea behind today's language models, on a real pretrained one.",
    "Compression": "Why big matrices hide small ones: SVD, PCA and LoRA.",
    "Probability & information": "From scores to choices, and how to measure surprise: softmax, entropy, Bayes, noise.",
    "Hardware": "Why all of this runs on GPUs.",
    "Put it together": "Train a tiny GPT that uses every piece.",
    "Check yourself": "Questions from every section, with fresh numbers each round.",
}


def lesson_pages() -> list[tuple[str, PageEntry]]:
    """(section, page) for every lesson: every page except the home page and the quiz, in menu order."""
    return [(section, page) for section, pages in SECTIONS.items() for page in pages if page not in (HOME, QUIZ)]


def learning_path() -> list[PageEntry]:
    """The suggested order through the lab: every lesson in menu order, then the quiz."""
    return [page for _, page in lesson_pages()] + [QUIZ]


def neighbours(url_path: str) -> tuple[PageEntry | None, PageEntry | None]:
    """The pages before and after ``url_path`` on the learning path (None at either end or off it)."""
    path = learning_path()
    index = next((i for i, page in enumerate(path) if page.url_path == url_path), None)
    if index is None:
        return None, None
    return (path[index - 1] if index > 0 else None), (path[index + 1] if index + 1 < len(path) else None)
