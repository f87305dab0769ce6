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
        ("symmetric", "eigenvector lines map onto themselves"),
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
