"""2x2 maps against numpy.linalg."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engine import linear_maps

entries = st.floats(-3, 3, allow_nan=False)


@given(entries, entries, entries, entries)
def test_map_matches_numpy(a, b, c, d):
    r = linear_maps.linear_map(a, b, c, d)
    m = np.array([[a, b], [c, d]])
    np.testing.assert_allclose(r.matrix.numpy(), m, atol=1e-12)  # entries under 1e-12 are flushed to 0
    assert r.determinant == pytest.approx(np.linalg.det(m), abs=1e-9)
    np.testing.assert_allclose(r.i_hat.numpy(), m @ [1, 0], atol=1e-12)
    np.testing.assert_allclose(r.j_hat.numpy(), m @ [0, 1], atol=1e-12)
    np.testing.assert_allclose(r.singular_values.numpy(), np.linalg.svd(m, compute_uv=False), atol=1e-9)
    np.testing.assert_allclose(r.square_after.numpy(), r.square_before.numpy() @ m.T, atol=1e-11)
    np.testing.assert_allclose(r.grid_after.numpy(), r.grid_before.numpy() @ m.T, atol=1e-11)
    # |det| is the product of the singular values: the square's area scale is the ellipse's.
    assert abs(r.determinant) == pytest.approx(r.singular_values.prod().item(), abs=1e-9)
    expected = sorted(np.linalg.eigvals(m), key=lambda z: (z.real, z.imag))
    got = sorted(r.eigenvalues, key=lambda z: (z.real, z.imag))
    # numpy's own error near a repeated eigenvalue is ~sqrt(machine epsilon), hence 1e-6.
    np.testing.assert_allclose(got, expected, atol=1e-6)
    discriminant = (a - d) ** 2 + 4 * b * c
    if abs(discriminant) > 1e-9:
        assert r.eigenvalues_real == (discriminant > 0)


@given(entries, entries, entries, entries)
def test_real_eigenvectors_stay_on_their_line(a, b, c, d):
    r = linear_maps.linear_map(a, b, c, d)
    assume(r.eigenvalues_real)
    m = r.matrix.numpy()
    for k in range(2):
        v = r.eigenvectors.numpy()[:, k]
        np.testing.assert_allclose(m @ v, r.eigenvalues[k].real * v, atol=1e-7)


def test_ellipse_semi_axes_are_the_singular_values():
    r = linear_maps.linear_map(2.0, 1.0, 0.5, 1.5)
    lengths = np.linalg.norm(r.circle_after.numpy(), axis=1)
    sigma = r.singular_values.numpy()
    assert lengths.max() == pytest.approx(sigma[0], rel=1e-3)
    assert lengths.min() == pytest.approx(sigma[1], rel=1e-3)


@pytest.mark.parametrize(
    ("preset", "words"),
    [
        ("rotation 30°", "complex"),
        ("reflection", "orientation flips"),
        ("projection", "collapses"),
        ("singular", "collapses"),
        ("shear", "only one eigen-direction"),
        ("symmetric", "Each eigenline stays on itself"),
    ],
)
def test_presets_are_described_in_words(preset, words):
    assert words in linear_maps.linear_map(*linear_maps.PRESETS[preset]).description


def test_rotation_has_complex_eigenvalues_of_the_right_angle():
    r = linear_maps.linear_map(*linear_maps.PRESETS["rotation 30°"])
    assert not r.eigenvalues_real and r.eigenvectors is None
    assert math.degrees(abs(math.atan2(r.eigenvalues[0].imag, r.eigenvalues[0].real))) == pytest.approx(30)
    assert r.determinant == pytest.approx(1.0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 6.0, "x"])
def test_bad_entries_are_refused(bad):
    with pytest.raises(ValueError):
        linear_maps.linear_map(bad, 0, 0, 1)


@given(st.tuples(*(entries,) * 4), st.tuples(*(entries,) * 4))
def test_composition_is_the_product_in_order(first, second):
    comp = linear_maps.compose(first, second)
    m1, m2 = np.reshape(first, (2, 2)), np.reshape(second, (2, 2))
    np.testing.assert_allclose(comp.second_after_first.numpy(), m2 @ m1, atol=1e-11)
    np.testing.assert_allclose(comp.first_after_second.numpy(), m1 @ m2, atol=1e-11)
    assert comp.stepwise_vs_composed < 1e-12
    assert comp.order_gap == pytest.approx(np.abs(m2 @ m1 - m1 @ m2).max(), abs=1e-11)


def test_rotation_and_shear_do_not_commute():
    presets = linear_maps.PRESETS
    assert linear_maps.compose(presets["rotation 30°"], presets["shear"]).order_gap > 0.1
    assert linear_maps.compose(presets["scaling"], presets["identity"]).order_gap == 0


grid_steps = st.integers(1, 12)


@given(grid_steps, grid_steps, st.integers(-300, 0), st.booleans())
def test_repeated_eigenvalues_on_the_slider_grid_are_real(p, q, d_steps, transpose):
    # b = 0.01 p^2, c = -0.01 q^2 and a - d = 0.02 p q make the discriminant (a - d)^2 + 4bc exactly 0:
    # one repeated eigenvalue (a + d) / 2 with a single eigen-direction. The sliders reach these.
    d = d_steps / 100
    a, b, c = d + 0.02 * p * q, 0.01 * p * p, -0.01 * q * q
    if transpose:
        b, c = c, b
    r = linear_maps.linear_map(a, b, c, d)
    assert r.eigenvalues_real and r.eigen_kind == "one line"
    assert "repeats" in r.description and "complex" not in r.description
    np.testing.assert_allclose([z.real for z in r.eigenvalues], [(a + d) / 2] * 2, atol=1e-9)
    v = r.eigenvectors.numpy()[:, 0]
    np.testing.assert_allclose(r.matrix.numpy() @ v, (a + d) / 2 * v, atol=1e-9)


@pytest.mark.parametrize(
    ("entries", "kind"),
    [
        ((2, 0, 0, 2), "every direction"),
        ((1, 1, 0, 1), "one line"),
        ((2, 1, 1, 2), "two lines"),
        ((0, -1, 1, 0), "complex"),
    ],
)
def test_eigen_kinds(entries, kind):
    assert linear_maps.linear_map(*entries).eigen_kind == kind


def test_only_a_true_rotation_is_said_to_rotate_every_vector():
    rotation = linear_maps.linear_map(*linear_maps.PRESETS["rotation 30°"]).description
    assert "rotates every vector by 30.0°" in rotation
    skewed = linear_maps.linear_map(1, -3, 0.1, 1)  # complex eigenvalues, but not a rotation
    assert "rotates every vector" not in skewed.description
    assert "tilted coordinate system" in skewed.description


@pytest.mark.parametrize(
    ("entries", "phrases"),
    [
        ((2, 0, 0, 0.5), ["λ₁ = 2) vectors are stretched to 2 times", "λ₂ = 0.5) they are shrunk to 0.5 times"]),
        ((2, 0, 0, -0.5), ["they are flipped to point the other way and shrunk to 0.5 times their length"]),
        (
            (-3, 0, 0, 1),
            ["λ₁ = 1) vectors are left unchanged", "they are flipped to point the other way and stretched"],
        ),
        ((1, 0, 0, 0), ["λ₂ = 0) they are collapsed to the origin"]),
        ((0.3, 0.6, 0.1, 0.2), ["λ₂ = 0) they are collapsed to the origin"]),  # rounding gives ~1e-17, not 0
        ((0, 1, 1, 0), ["λ₂ = -1) they are flipped to point the other way, with their length kept"]),
        ((1, 1, 0, 1), ["along that line vectors are left unchanged"]),
        ((0, 1, 0, 0), ["along that line vectors are collapsed to the origin"]),
        ((-2, 0, 0, -2), ["all vectors are flipped to point the other way and stretched to 2 times"]),
    ],
)
def test_each_eigenvalue_is_said_in_words(entries, phrases):
    description = linear_maps.linear_map(*entries).description
    for phrase in phrases:
        assert phrase in description
    assert "stretched by their eigenvalues" not in description


def test_a_collapsing_or_flipping_eigenline_is_not_called_stretched():
    collapse = linear_maps.linear_map(1, 0, 0, 0).description
    assert "collapsed to the origin" in collapse and "stretched" not in collapse
    flip = linear_maps.linear_map(1, 0, 0, -1).description
    assert "flipped" in flip and "stretched" not in flip


def test_small_numbers_keep_significant_figures():
    r = linear_maps.linear_map(0.01, 0, 0, 0.01)
    assert r.determinant == pytest.approx(1e-4)
    assert "det = 0.0001;" in r.description
    assert "0.01 times the identity" in r.description
    assert linear_maps.number(1e-4) == "0.0001" and linear_maps.number(-0.0) == "0"


@pytest.mark.parametrize(
    ("entries", "stays"),
    [
        (linear_maps.PRESETS["rotation 30°"], True),
        ((0.87, -0.5, 0.5, 0.87), True),  # the rotation as the sliders hold it
        (linear_maps.PRESETS["reflection"], True),
        (linear_maps.PRESETS["identity"], True),
        ((0.01, 0, 0, 0.01), True),
        ((3, 0, 0, -3), True),
        (linear_maps.PRESETS["shear"], False),
        (linear_maps.PRESETS["scaling"], False),
        (linear_maps.PRESETS["symmetric"], False),
        ((1, 0, 0, 1.01), False),
        ((0, 0, 0, 0), False),  # a point, not a circle
    ],
)
def test_circle_stays_circle_exactly_when_singular_values_match(entries, stays):
    r = linear_maps.linear_map(*entries)
    assert r.circle_stays_circle is stays
    lengths = np.linalg.norm(r.circle_after.numpy(), axis=1)
    if stays:  # every point of the image is at distance sigma: a circle
        np.testing.assert_allclose(lengths, r.singular_values[0].item(), rtol=1e-9)
    else:
        assert lengths.max() - lengths.min() > 1e-3 or lengths.max() == 0


def test_singular_values_of_a_singular_matrix_are_exactly_zero():
    r = linear_maps.linear_map(0.3, 0.6, 0.1, 0.2)  # second row = first / 3
    assert r.determinant == 0.0 and r.singular_values[1].item() == 0.0
    assert min(abs(z) for z in r.eigenvalues) == 0.0


def test_the_rounded_rotation_preset_is_still_a_rotation():
    rounded = [round(v, 2) for v in linear_maps.PRESETS["rotation 30°"]]
    assert rounded == [0.87, -0.5, 0.5, 0.87]
    description = linear_maps.linear_map(*rounded).description
    assert "M rotates every vector by 29.9°" in description
