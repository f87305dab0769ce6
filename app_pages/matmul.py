"""Matrix multiplication."""

import streamlit as st

from engine import matmul
from ui import frame, loading, widgets
from viz import matrices as charts

frame.header(
    "Matrix multiplication",
    "Dense layers, attention and the big products inside every model are matrix multiplications — and each "
    "entry of the result is one dot product.",
    "Multiplying A (m×n) by B (n×p) takes every row of A and every column of B and computes their dot "
    "product: that number lands in row i, column j of C. So the inner sizes must agree — a row of A and "
    "a column of B need the same length — and the result is m×p. A GPU is, above all, a machine for "
    "doing these millions of dot products at once.",
)
frame.formula(
    r"C_{ij} = \sum_{k=0}^{n-1} A_{ik} B_{kj}",
    r"(m, n) \,@\, (n, p) \rightarrow (m, p)",
    r"\text{cost} = m p\,n \text{ multiplications} + m p\,(n-1) \text{ additions} \approx 2\,m\,n\,p \text{ FLOPs}",
)


ENTRIES = ("random integers", "type my own")
FORMAT_HELP = (
    "One row per line (or rows separated by ;), numbers separated by spaces or commas, e.g. 1 2; 3 4. "
    f"Use a point for decimals (0.5). At most {matmul.MAX_SIDE}×{matmul.MAX_SIDE}, entries up to "
    f"{matmul.MAX_ENTRY:,.0f} in size, {matmul.MAX_TEXT:,} characters."
)


# The random setting's controls and their defaults: (m, n, n2, p, seed).
RANDOM_DEFAULTS = {"m": 3, "n": 4, "n2": 4, "p": 2, "matrix_seed": 0}
DEFAULT_SETTING = tuple(RANDOM_DEFAULTS.values())
RANDOM_SIDE_MAX, SEED_MAX = 8, 9999
STARTED_FROM = "_matmul_started_from"  # {"a_text", "b_text", "setting"}: what "type my own" last filled in
# The link parameter naming the random setting "type my own" started from, as "m,n,n2,p,seed". The boxes'
# own parameters hold only an edited text (Streamlit leaves a box's default out of the link), so without it
# a link opens an unedited box on the page's default matrices instead of the ones the learner saw.
TYPED_FROM = "typed_from"


def random_shapes() -> tuple[int, int, int, int, int]:
    """The shape sliders and the seed: (m, n, n2, p, seed)."""
    shapes = st.columns(5)
    labels = {"m": "rows of A (m)", "n": "columns of A (n)", "n2": "rows of B (n₂)", "p": "columns of B (p)"}
    sides = []
    for column, (key, label) in zip(shapes[:4], labels.items(), strict=True):  # the fifth holds the seed
        with column:
            sides.append(
                widgets.slider(label, key=key, min_value=1, max_value=RANDOM_SIDE_MAX, value=RANDOM_DEFAULTS[key])
            )
    with shapes[4]:
        seed = int(
            widgets.number(
                "numbers (seed)",
                key="matrix_seed",
                value=RANDOM_DEFAULTS["matrix_seed"],
                min_value=0,
                max_value=SEED_MAX,
                step=1,
                whole=True,
                help="Draw new integer entries from -4 to 4",
            )
        )
    return (*sides, seed)


def filled_in(setting: tuple[int, ...]) -> dict:
    """What "type my own" fills in from the random setting (m, n, n2, p, seed): the matrices' text, right-aligned."""
    # Only their text is needed, drawn on the CPU: the page's device, even a refused one, plays no part.
    a, b = matmul.integer_pair(*setting, device="cpu")
    return {"a_text": matmul.matrix_text(a), "b_text": matmul.matrix_text(b), "setting": setting}


def type_from_shown() -> None:
    """Radio callback: "type my own" starts from the random matrices on screen, ready to edit.

    Runs before the rerun, while the random controls still hold their values. The text becomes the
    boxes' value and also their default (``STARTED_FROM``): a click while the page's first run is still
    drawing makes Streamlit run the whole page again right after this fragment, and that run's boxes
    reach the browser without the value set here, so the browser shows their default.
    """
    if st.session_state.get("entries") != ENTRIES[1]:
        return
    start = filled_in(tuple(int(st.session_state.get(key, value)) for key, value in RANDOM_DEFAULTS.items()))
    st.session_state.update(a_text=start["a_text"], b_text=start["b_text"], **{STARTED_FROM: start})


def linked_setting() -> tuple[int, ...]:
    """The random setting the link's ``typed_from`` names, or the page's defaults (with a note if it is unusable)."""
    raw = st.query_params.get(TYPED_FROM)
    if raw is None:
        return DEFAULT_SETTING
    parts = str(raw).split(",")
    limits = [(1, RANDOM_SIDE_MAX)] * 4 + [(0, SEED_MAX)]
    if len(parts) == len(limits) and all(part.strip().isdigit() for part in parts):
        setting = tuple(int(part) for part in parts)
        if all(low <= value <= high for value, (low, high) in zip(setting, limits, strict=True)):
            return setting
    widgets.say_ignored(
        TYPED_FROM, str(raw), f"it names m, n, n₂, p (1 to {RANDOM_SIDE_MAX}) and a seed, e.g. 3,4,4,2,0."
    )
    return DEFAULT_SETTING


def link_typed_from(setting: tuple[int, ...] | None) -> None:
    """Put ``setting`` in the link as ``typed_from`` (None, or the default setting, takes it out).

    Written only when it changes: each write sends the browser a message.
    """
    linked = None if setting in (None, DEFAULT_SETTING) else ",".join(map(str, setting))
    if st.query_params.get(TYPED_FROM) != linked:
        if linked is None:
            del st.query_params[TYPED_FROM]
        else:
            st.query_params[TYPED_FROM] = linked


def typing_start() -> dict:
    """What the typed boxes start from, and show until edited: what "type my own" filled in this session,
    else the random setting the link names. Kept in the link while it is not the default one."""
    if STARTED_FROM not in st.session_state:
        st.session_state[STARTED_FROM] = filled_in(linked_setting())
    else:
        widgets.say_again(TYPED_FROM)  # a note on an unusable link, on a phone's redraw for its width
    start = st.session_state[STARTED_FROM]
    link_typed_from(start["setting"])
    return start


def result_chart(section: frame.Section, matrix, title: str, name: str) -> None:
    """A*B or B@A alone, in a column about as wide per matrix column as A, B and C above (full width on a phone)."""
    share = charts.result_share(matrix)
    with st.columns([share, 1 - share])[0] if share < 1 else st.container():
        section.chart(charts.result_figure(matrix, title=title, name=name))


@st.fragment
def products() -> None:
    section = frame.Section("Shapes, and C[i, j] as a dot product")
    with frame.controls():
        entries = widgets.choice(
            "entries of A and B",
            key="entries",
            options=ENTRIES,
            value=ENTRIES[0],
            help="Random small integers, drawn from a seed, or matrices you type (starting from those shown).",
            on_change=type_from_shown,
        )
        if entries == ENTRIES[1]:
            start = typing_start()
            left, right = st.columns(2)
            with left:
                a_text = widgets.text("A", key="a_text", value=start["a_text"], help=FORMAT_HELP)
            with right:
                b_text = widgets.text("B", key="b_text", value=start["b_text"], help=FORMAT_HELP)
        else:
            link_typed_from(None)  # the sliders' own parameters say it now
            m, n, n2, p, seed = random_shapes()
    if entries == ENTRIES[1]:
        # Both are read before stopping, so a mistake in each is reported at once.
        a = section.run(matmul.parse_matrix, a_text, "A")
        b = section.run(matmul.parse_matrix, b_text, "B")
        if a is None or b is None:
            return
        (m, n), (n2, p) = a.shape, b.shape
    pick_row, pick_col = st.columns(2)
    with pick_row:
        i = widgets.position("output row i", key="i", size=m)
    with pick_col:
        j = widgets.position("output column j", key="j", size=p)
    if entries == ENTRIES[1]:
        lesson = section.run(matmul.matmul_lesson_from, a, b, i, j)
    else:
        lesson = section.run(matmul.matmul_lesson, m, n, n2, p, i, j, seed)
    if lesson is None:
        return
    if lesson.matmul.error:
        st.error(
            f"**The shapes do not fit.** {lesson.shape_rule}. The inner sizes must match: a row of A has "
            f"{n} numbers, a column of B has {n2}. PyTorch says:",
            icon=":material/block:",
        )
        st.code(f"RuntimeError: {lesson.matmul.error}", language="text")
    else:
        st.success(
            f"**{lesson.shape_rule}** · cost 2·m·n·p = 2·{m}·{n}·{p} = {lesson.flops:,} FLOPs",
            icon=":material/check_circle:",
        )
    row = charts.product_panels(lesson)
    section.chart_row(row.figures, key="abc", widths=row.widths, one_figure=True)
    if lesson.cell_value is not None:
        left, right = st.columns([1, 1], gap="medium")
        with left:
            st.markdown(f"**C[{lesson.row}, {lesson.col}] = row {lesson.row} of A · column {lesson.col} of B**")
            section.chart(charts.cell_sum(lesson))
        with right:
            terms = " + ".join(
                f"({charts.number_text(a)})({charts.number_text(b)})"
                for a, b in zip(lesson.row_of_a, lesson.col_of_b, strict=True)
            )
            frame.formula(rf"C_{{{lesson.row}{lesson.col}}} = {terms} = {charts.number_text(lesson.cell_value)}")
            st.markdown(
                f"The blue outline is row {lesson.row} of A, the orange one column {lesson.col} of B. Multiply them "
                f"pairwise and add: that single number is the outlined cell of C. C has {m}×{p} = {m * p} cells, "
                f"so the product is {m * p} dot products of length {n}."
            )

    st.header("Element-wise A * B is a different operation", divider="gray")
    st.markdown(
        "`A * B` multiplies entries in the same position. It needs equal shapes — or **broadcasting**: "
        "the shapes are aligned from the right (last dimension with last dimension; a missing leading "
        "dimension counts as 1), and each aligned pair must be equal or one of them 1 (the 1 is "
        "stretched). `A @ B` instead needs only the inner sizes to match."
    )
    st.caption(f"Broadcasting check for A {tuple(lesson.a.shape)} * B {tuple(lesson.b.shape)}: {lesson.broadcast_rule}")
    if lesson.elementwise.error:
        st.warning(f"`A * B` fails here. PyTorch says: {lesson.elementwise.error}", icon=":material/block:")
    else:
        st.markdown(
            "A * B is drawn below; compare it with C = A @ B above: the same A and B, different numbers."
            if lesson.matmul.value is not None
            else "A @ B fails for these shapes (above), yet A * B works: the two operations have different rules."
        )
        result_chart(section, lesson.elementwise.value, "A * B (element-wise)", "A*B")

    st.header("Order matters: AB ≠ BA", divider="gray")
    if lesson.reversed.error and lesson.matmul.error:
        st.info("Neither order works with these shapes.")
    elif lesson.reversed.error:
        st.info(
            f"A @ B works but B @ A does not: ({n2}, {p}) @ ({m}, {n}) needs p = m. PyTorch says: "
            f"{lesson.reversed.error}"
        )
    elif lesson.order_gap is not None:
        verdict = (
            "they happen to be equal"
            if lesson.order_gap == 0
            else f"they differ by up to {charts.number_text(lesson.order_gap)}"
        )
        more = "" if entries == ENTRIES[1] else " Try square shapes with several seeds."
        st.markdown(f"Both products are {m}×{p}, and {verdict}: compare B @ A below with C = A @ B above.{more}")
    elif lesson.matmul.error:
        st.info(
            f"A @ B fails, yet B @ A works: ({n2}, {p}) @ ({m}, {n}) -> ({n2}, {n}). Order decides even "
            "whether a product exists."
        )
    else:
        st.markdown(f"A @ B is {m}×{p} (C above) but B @ A is {n2}×{n}: not even the same shape.")
    if lesson.reversed.value is not None:
        result_chart(section, lesson.reversed.value, "B @ A", "B@A")
    section.code_panel()


SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048]


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1e3:.3g}"


COST_TITLE = "Cost: about 2·m·n·p floating-point operations"
LOADED_KEY = "_matmul_loaded"  # this session's page has been drawn: timing may start (ui/loading.py)


def cost() -> None:
    """The timing panel, which times nothing while the page is still loading (ui/loading.py)."""
    if loading.page_has_loaded(LOADED_KEY):
        measured_panel()
    else:
        st.header(COST_TITLE, divider="gray")
        st.caption(":material/hourglass_top: The timing starts when the page has finished loading…")


@st.fragment
def measured_panel() -> None:
    section = frame.Section(
        COST_TITLE,
        "Each of the m·p output cells is a dot product of length n: n multiplications and n − 1 "
        "additions. FLOP counts round that to 2n (a multiply-add counted as two), so the product costs "
        "about 2·m·n·p. Doubling every side of a square product multiplies the work by 8. Time a real "
        "N×N float32 product on this machine:",
    )
    controls, numbers = st.columns([1, 3], gap="medium")
    with frame.controls(controls):
        size = widgets.log_slider("matrix size N (N×N @ N×N)", key="size", options=SIZES, value=256)
        again = st.button(
            "Measure again",
            key="measure_again",
            icon=":material/timer:",
            help="Results are kept and shared until someone measures again; the label says when.",
        )
    # Cached per size and shared: timing is the slow part. The label below says when it was measured.
    timing = section.run(matmul.time_square_matmul, size, cache=True, refresh=again)
    # N/2 too, and measured again with N, so the ratio compares two timings taken side by side.
    half = section.run(matmul.time_square_matmul, size // 2, cache=True, refresh=again) if size > SIZES[0] else None
    if timing is None:
        return
    growth = None if half is None else timing.seconds / half.seconds
    with numbers:
        work, seconds, rate = st.columns(3)
        frame.metric("work 2N³ (GFLOP)", f"{timing.flops / 1e9:.3g}", place=work)
        frame.metric(
            "time per product (ms)",
            milliseconds(timing.seconds),
            None if half is None else f"×{growth:.1f} vs N = {half.size}",
            help="Median over blocks of repeated products, after a warm-up.",
            place=seconds,
        )
        frame.metric("speed (GFLOP/s)", f"{timing.gflops_per_second:.3g}", place=rate)
        st.caption(
            f"Median of {timing.calls:,} products after a warm-up; the middle half of the repeated blocks took "
            f"{milliseconds(timing.low_seconds)}–{milliseconds(timing.high_seconds)} ms. Measured "
            f"{timing.measured_at} on {timing.device_label}."
            + (
                ""
                if half is None
                else f" Doubling N from {half.size} multiplied the work by 8 and the time by {growth:.1f}."
            )
        )
    section.code_panel()


products()
cost()

frame.try_this(
    [
        "Set n₂ different from n: the product fails with PyTorch's real message. Make them equal again.",
        "Pick an output cell and check it by hand from the outlined row and column.",
        "Make everything 3×3 and change the seed: AB and BA almost never agree.",
        "Make B a single column (p = 1): A @ B is A applied to one vector — a matrix–vector product.",
        "Double N in the cost panel: the work grows 8×; watch whether the time does too.",
    ]
)
frame.where_in_ai(
    [
        "**Dense layers**: a batch of inputs X (batch × d_in) times Wᵀ (d_in × d_out) — one matmul per layer.",
        "**Attention**: Q Kᵀ is a matmul of all queries with all keys; its output is another matmul with V.",
        "**Training cost** of a transformer is about 6 × parameters × tokens FLOPs, almost all in matmuls.",
        "**GPUs and tensor cores** exist to run these products in parallel: the cost panel's GFLOP/s on a GPU "
        "is hundreds of times the CPU's.",
    ]
)
