"""Hostile input on every lesson page: each is refused with a sentence or handled, and the session keeps working.

The fields are found on the page, not listed by hand: every text area and number box a page shows,
including those that appear only after a drop-down or radio choice ("type my own"), and every
widget key for the malformed links. After each hostile value the page must

- raise nothing (no exception element) and print no raw Python error ("Traceback", "KeyError");
- never show "nan" or "inf" as a metric's value;
- echo user text escaped: no live "<script>", link, emphasis or math made of what was typed;
- either draw its charts as before or say why not (an error box, or a note under the control);
- and be as it was (same charts, same boxes) once the control is set back to its default.

Image files are tested where they are decoded, in tests/engine/test_images.py: empty, broken,
truncated, mislabelled (text renamed .png, SVG), decompression-bomb headers, 1×1, 20000×1, 16-bit,
CMYK, palette, transparent and animated files, random and cut-short bytes. Here only the page side
of an upload is checked: a refused file is explained on the page, and the page keeps working.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app_pages.catalog import lesson_pages
from engine import expressions
from tests.app.helpers import errors, open_page, plotly_figures, widget_extremes
from tests.app.test_tiny_gpt_page import QUICK
from tests.engine.test_images import png_header, truncated_jpeg

PAGES = [page.path for _, page in lesson_pages()]
# The tiny GPT trains on opening; these settings keep that to a few seconds.
START_STATE = {"app_pages/tiny_gpt.py": QUICK}
# A text that is only read when a button is pressed: the button's key.
USED_ON_CLICK = {"gpt_own_text": "gpt_train"}

HOSTILE_TEXTS = [
    "",
    "   \n\t ",
    "x" * 20_000,
    "a\x00b\x07c\x1b[31m",
    "\u202eevil\u202c text",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "**bold** $x$ [link](javascript:alert(1))",
    "__import__('os').system('echo pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "9" * 5000,
    "🙂" * 3000,
    "x" * 10 + "(" * 500 + ")" * 500,
]
MARKUP_TEXTS = HOSTILE_TEXTS[5:7]
HOSTILE_NUMBERS = [math.nan, math.inf, -math.inf, 1e308, -1e308]
# For every key at once. "%00" arrives literally from a test; a browser decodes it to a NUL, so both are sent.
MALFORMED_LINK_VALUES = ["", "%00", "\x00", "💥", "1e309", "nan", "inf", "[]", "x" * 500, ["1", "2"]]
# For one number box at a time: a finite number out of range is clamped, with a note (ui/widgets.number).
HUGE_LINK_NUMBERS = ["1e308", "-1e308"]

# Markup made of user text: each pattern only matches when the text was echoed without escaping
# (ui.frame.quoted puts a backslash before every markdown special character).
UNESCAPED_MARKUP = re.compile(r"(?<!\\)<(script|img)\b|(?<!\\)\]\(javascript|(?<!\\)\*\*bold|(?<!\\)\$x\$")
RAW_PYTHON_ERROR = re.compile(r"Traceback|\b[A-Z][a-z]+(Error|Exception)\b|\bline \d+, in\b")
NOT_A_NUMBER = re.compile(r"(?<![a-z])[+-]?(nan|inf)(?![a-z])", re.IGNORECASE)
MARKDOWN_KINDS = ("markdown", "caption", "info", "success")  # the page's own text, where it echoes user text
BOX_KINDS = ("error", "warning")


@dataclass(frozen=True)
class Field:
    """A control that takes typed input, and the choice that shows it (None: always shown)."""

    kind: str  # "text_area" or "number_input"
    key: str
    default: object
    shown_by: tuple[str, str, object, object] | None = None  # (widget type, key, option, its default)


@dataclass(frozen=True)
class Baseline:
    """The page at its defaults: its number of charts, and the boxes it shows anyway (a lesson's own
    warning, such as the matrix page's failing ``A * B``)."""

    charts: int
    boxes: tuple[str, ...]

    @classmethod
    def of(cls, at) -> Baseline:
        return cls(len(plotly_figures(at)), tuple(texts_in(at, *BOX_KINDS)))


def open_lesson(path: str, query: dict | None = None):
    at = open_page(path, query, state=START_STATE.get(path))
    assert not at.exception, at.exception
    return at


def widget(at, kind: str, key: str):
    return next(w for w in at.get(kind) if w.key == key)


def texts_in(at, *kinds: str) -> list[str]:
    """The markdown of every element of these kinds, as the page sent it (escapes and all)."""
    return [str(e.value) for kind in kinds for e in at.get(kind)]


def typed_fields(at) -> Iterator[Field]:
    """Text areas and number boxes on the page, then those that one drop-down or radio choice reveals."""
    seen = set()
    for kind in ("text_area", "number_input"):
        for w in at.get(kind):
            seen.add(w.key)
            yield Field(kind, w.key, w.value)
    switches = [(w.type, w.key, w.value, list(w.options)) for w in (*at.selectbox, *at.radio)]
    for kind, key, default, options in switches:
        for option in options:
            if option == default:
                continue
            widget(at, kind, key).set_value(option).run()
            for field_kind in ("text_area", "number_input"):
                for w in at.get(field_kind):
                    if w.key not in seen:
                        seen.add(w.key)
                        yield Field(field_kind, w.key, w.value, (kind, key, option, default))
        widget(at, kind, key).set_value(default).run()


@functools.cache
def fields_of(path: str) -> tuple[Field, ...]:
    return tuple(typed_fields(open_lesson(path)))


def reveal(at, field: Field, *, shown: bool) -> None:
    if field.shown_by:
        kind, key, option, default = field.shown_by
        widget(at, kind, key).set_value(option if shown else default).run()


def set_field(at, field: Field, value, *, press: bool = True) -> None:
    widget(at, field.kind, field.key).set_value(value).run()
    if press and field.key in USED_ON_CLICK:
        widget(at, "button", USED_ON_CLICK[field.key]).click().run()


def said(at) -> list[str]:
    """What the page says about refused input: error, warning and info boxes, and notes under controls."""
    notes = [c for c in texts_in(at, "caption") if "ignored" in c or "outside" in c or "using" in c]
    return texts_in(at, *BOX_KINDS, "info") + notes


def unescaped(at, case: str, kinds: tuple[str, ...]) -> list[str]:
    return [
        f"{case}: user markup echoed unescaped in {text[:160]!r}"
        for text in texts_in(at, *kinds)
        if UNESCAPED_MARKUP.search(text)
    ]


def problems(at, case: str, before: Baseline) -> list[str]:
    """Everything wrong with the page as drawn after ``case``; empty when it coped."""
    if at.exception:
        return [f"{case}: exception {at.exception[0].message!r}"]
    found = unescaped(at, case, MARKDOWN_KINDS)
    for m in at.metric:
        for shown in (m.value, m.proto.delta):
            if shown and NOT_A_NUMBER.search(shown):
                found.append(f"{case}: metric '{m.label}' shows {shown!r}")
    for text in texts_in(at, *MARKDOWN_KINDS, *BOX_KINDS):
        if RAW_PYTHON_ERROR.search(text):
            found.append(f"{case}: raw Python error text {text[:200]!r}")
    for text in set(texts_in(at, *BOX_KINDS)) - set(before.boxes):
        if not text.rstrip().endswith((".", ")", "?", "!")) or len(text) > 1000:
            found.append(f"{case}: not a clear sentence {text[:200]!r}")
    if len(plotly_figures(at)) < before.charts and not said(at):
        found.append(f"{case}: charts missing and nothing says why")
    return found


def recovered(at, field: Field, case: str, before: Baseline) -> list[str]:
    """Set the field back to its default: the page must be as it was, all its charts drawn again.

    A text used on a click is not pressed again: its default (nothing pasted) is not a text to
    train on, and the page must go back to showing what it showed before the refused click.
    """
    set_field(at, field, field.default, press=False)
    found = problems(at, f"{case} -> back to default", before)
    if not found and Baseline.of(at) != before:
        found.append(f"{case}: back at the default the page is {Baseline.of(at)}, not {before}")
    return found


def shown_case(key: str, value) -> str:
    shown = repr(value)
    return f"{key}={shown[:40]}{'…' if len(shown) > 40 else ''}"


# --- typed text and numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_hostile_text_and_numbers_are_refused_in_words_and_the_page_recovers(path):
    fields = fields_of(path)
    if not fields:
        pytest.skip("no text areas or number boxes on this page")
    at = open_lesson(path)
    found: list[str] = []
    for field in fields:
        reveal(at, field, shown=True)
        before = Baseline.of(at)
        for value in HOSTILE_TEXTS if field.kind == "text_area" else HOSTILE_NUMBERS:
            case = shown_case(field.key, value)
            set_field(at, field, value)
            found += problems(at, case, before)
            if field.kind == "number_input":
                # A browser cannot send NaN; Streamlit keeps the old value. Whatever happens, the box is finite.
                box = widget(at, "number_input", field.key).value
                if box is None or not math.isfinite(box):
                    found.append(f"{case}: the box holds {box!r}")
            found += recovered(at, field, case, before)
        reveal(at, field, shown=False)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", PAGES)
def test_typed_markup_quoted_in_an_error_box_stays_plain_text(path):
    fields = [f for f in fields_of(path) if f.kind == "text_area"]
    if not fields:
        pytest.skip("no text areas on this page")
    at = open_lesson(path)
    found: list[str] = []
    for field in fields:
        reveal(at, field, shown=True)
        for text in MARKUP_TEXTS:
            set_field(at, field, text)
            found += unescaped(at, shown_case(field.key, text), BOX_KINDS)
        set_field(at, field, field.default, press=False)
        reveal(at, field, shown=False)
    assert not found, "\n".join(found)


# --- expressions: parsed by engine/expressions.py, never run by Python ---------------------------------------

EXPRESSION_PAGES = {  # page: (the drop-down, the choice that shows the formula box, the box, its variables)
    "app_pages/derivatives.py": ("fn", "type my own", "fx", ("x",)),
    "app_pages/chain_rule.py": ("fxy_preset", "type my own", "fxy", ("x", "y")),
}


def injections(sentinel: Path) -> list[tuple[str, str]]:
    """(formula, what its refusal must name: the offending name, or the cap it breaks)."""
    return [
        (f"__import__('os').system('touch {sentinel}')", "__import__"),
        (f"open('{sentinel}', 'w').write('x')", "open"),
        ("().__class__.__bases__[0].__subclasses__()", "__subclasses__"),
        ("x.__class__", "__class__"),
        ("lambda: 1", "lambda"),
        ("eval('1')", "eval"),
        ("[c for c in ().__class__.__mro__]", "__mro__"),
        ("x" * 10 + "(" * 500 + ")" * 500, f"limit is {expressions.MAX_CHARS}"),
        ("sin(" * 30 + "x" + ")" * 30, f"{expressions.MAX_DEPTH} levels"),
        ("9**9**9**9", f"±{expressions.MAX_EXPONENT}"),
    ]


@pytest.mark.parametrize("path", list(EXPRESSION_PAGES))
def test_code_in_a_formula_gets_the_parsers_sentence_and_never_runs(path, tmp_path):
    choice_key, choice, key, variables = EXPRESSION_PAGES[path]
    sentinel = tmp_path / "pwned"
    at = open_lesson(path, {choice_key: choice})
    for formula, named in injections(sentinel):
        with pytest.raises(ValueError) as refusal:  # the parser's own verdict, independent of the page
            expressions.parse(formula, variables)
        at.text_area(key=key).set_value(formula).run()
        assert not at.exception, (formula, at.exception)
        assert str(refusal.value) in errors(at), (formula, errors(at))
        assert named in str(refusal.value), (formula, str(refusal.value))
        assert not sentinel.exists(), f"{formula!r} was run"
    at.text_area(key=key).set_value("x**2").run()
    assert not at.error and plotly_figures(at), "a good formula draws again"


# --- links: every widget key with a value no control can take ---------------------------------------------

# Controls that check their link value themselves (ui/widgets.py) and must say, under themselves, that it was
# ignored; a text box takes any text, so there the page itself must cope with it.
CHECKED_KINDS = ("slider", "select_slider", "number_input", "radio", "selectbox", "checkbox", "button_group")


def link_keys(at) -> list[str]:
    keys = {w.key for w, _ in widget_extremes(at)}
    keys |= {w.key for kind in ("text_area", "number_input", "multiselect", "button_group") for w in at.get(kind)}
    return sorted(k for k in keys if k)


def unexplained(at, case: str, keys: list[str]) -> list[str]:
    notes = " ".join(texts_in(at, "caption"))
    return [
        f"{case}: {kind} '{w.key}' ignored the link without a note"
        for kind in CHECKED_KINDS
        for w in at.get(kind)
        if w.key in keys and f"{w.key}=" not in notes
    ]


@pytest.mark.parametrize("path", PAGES)
def test_malformed_link_values_are_explained_and_the_page_keeps_working(path):
    first = open_lesson(path)
    before = Baseline.of(first)
    keys = [key for key in link_keys(first) if key not in START_STATE.get(path, {})]  # preset: the link is unread
    texts = {("text_area", w.key): w.value for w in first.text_area}
    choices = {(w.type, w.key): w.value for kind in ("button_group", "multiselect") for w in first.get(kind)}
    numbers = [w.key for w in first.number_input]
    links = [{key: raw for key in keys} for raw in MALFORMED_LINK_VALUES]
    links += [{numbers[0]: huge} for huge in HUGE_LINK_NUMBERS if numbers]
    found: list[str] = []
    for link in links:
        raw = next(iter(link.values()))
        case = f"?{'every key' if len(link) == len(keys) else next(iter(link))}={raw!r}"[:60]
        at = open_page(path, link, state=START_STATE.get(path))
        found += problems(at, case, before)
        if at.exception:
            continue
        # A repeated parameter: Streamlit reads its last value, "2". An empty one is how a link says "none
        # chosen" for a many-option control, which the page may then answer with a sentence.
        explained = [k for k in link if not (raw == "" and k in {key for _, key in choices})]
        if not isinstance(raw, list):
            found += unexplained(at, case, explained)
        for (kind, key), default in {**texts, **choices}.items():  # now good values again
            widget(at, kind, key).set_value(default).run()
        if Baseline.of(at) != before:
            found.append(f"{case}: with every text back at its default the page is {Baseline.of(at)}, not {before}")
    assert not found, "\n".join(found)


# A linked number out of range used to be replaced with st.rerun(), which wiped the notes drawn before its box.
def test_a_note_about_an_ignored_link_value_survives_another_box_being_clamped():
    at = open_lesson("app_pages/vectors.py", {"a_len": "north", "w1": "1000"})
    notes = " ".join(texts_in(at, "caption"))
    assert "w1=1000 is outside" in notes
    assert "`a_len=north` was ignored" in notes


def test_two_linked_numbers_out_of_range_each_get_their_note():
    at = open_lesson("app_pages/vectors.py", {"w1": "1000", "w2": "-1000"})
    notes = " ".join(texts_in(at, "caption"))
    assert at.number_input(key="w1").value == 10.0 and at.number_input(key="w2").value == -10.0
    assert "w2=-1000 is outside" in notes
    assert "w1=1000 is outside" in notes


def test_a_switch_in_a_link_takes_true_or_false_in_any_case_and_explains_anything_else():
    at = open_lesson("app_pages/vectors.py", {"zoom": "maybe"})
    assert any("`zoom=maybe` was ignored: use true or false." in c for c in texts_in(at, "caption"))
    at = open_lesson("app_pages/vectors.py", {"zoom": "TRUE"})
    assert at.checkbox(key="zoom").value is True
    assert not any("zoom=" in c for c in texts_in(at, "caption"))


# --- uploads: the page side of a refused file ---------------------------------------------------------------


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


HOSTILE_FILES = [  # (name, bytes); which sentence each gets is tested in tests/engine/test_images.py
    ("cut.jpg", truncated_jpeg()),
    ("bomb.png", png_header(20000, 20000)),
    ("notes.png", b"# shopping\n- milk\n- bread\n"),
    ("line.png", png(np.zeros((1, 20000, 3), dtype=np.uint8))),
    ("empty.png", b"\x89PNG"),
]


@pytest.mark.parametrize("path", PAGES)
def test_a_refused_upload_is_explained_and_a_good_one_is_used_afterwards(path):
    at = open_lesson(path)
    uploaders = [w.key for w in at.file_uploader]
    if not uploaders:
        pytest.skip("no upload on this page")
    before = Baseline.of(at)
    found: list[str] = []
    for key in uploaders:
        for name, data in HOSTILE_FILES:
            at.file_uploader(key=key).upload(name, data, "image/png").run()
            found += problems(at, f"{key}: {name}", before)
            if not texts_in(at, "error"):
                found.append(f"{key}: {name} was not refused in words")
            if len(plotly_figures(at)) != before.charts:
                found.append(f"{key}: {name} left {len(plotly_figures(at))} of {before.charts} charts")
        at.file_uploader(key=key).upload("good.png", png(np.full((40, 60, 3), 90, np.uint8)), "image/png").run()
        if at.exception or at.error or len(plotly_figures(at)) != before.charts:
            found.append(f"{key}: a good file after the bad ones: {texts_in(at, 'error')}, {at.exception}")
    assert not found, "\n".join(found)
