"""Neural layers against torch.nn and numpy."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from engine import layers

weights = st.tuples(*(st.floats(-3, 3),) * 4)
biases = st.tuples(st.floats(-3, 3), st.floats(-3, 3))
activations = st.sampled_from(["none", "relu", "tanh", "sigmoid", "gelu"])
REFERENCE = {
    "none": torch.nn.Identity(),
    "relu": torch.nn.ReLU(),
    "tanh": torch.nn.Tanh(),
    "sigmoid": torch.nn.Sigmoid(),
    "gelu": torch.nn.GELU(),
}


def nn_layer(weight, bias):
    layer = torch.nn.Linear(2, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weight).reshape(2, 2))
        layer.bias.copy_(torch.tensor(bias))
    return layer


@given(st.sampled_from(layers.CLOUD_KINDS), weights, biases, activations)
def test_layer_2d_matches_torch_nn(kind, weight, bias, act):
    r = layers.layer_2d(kind, weight, bias, act)
    layer = nn_layer(weight, bias)
    with torch.no_grad():
        expected_pre = layer(r.points)
        expected = REFERENCE[act](expected_pre)
        expected_grid = REFERENCE[act](layer(r.grid_before))
    torch.testing.assert_close(r.pre_activation, expected_pre)
    torch.testing.assert_close(r.output, expected)
    torch.testing.assert_close(r.grid_after, expected_grid)
    assert r.zeroed_share == pytest.approx(float((expected == 0).float().mean()))


def test_point_clouds():
    grid = layers.point_cloud("grid")
    assert grid.points.shape == (layers.GRID_SIDE**2, 2)
    assert grid.points.abs().max() == 2
    above = grid.points[:, 1] > grid.points[:, 0]
    assert torch.equal(grid.labels.bool(), above)
    # The classes are named by the input coordinates x₁, x₂: "y" is the layer's output.
    below, above = layers.CLASS_NAMES["grid"]
    assert "x₂ ≤ x₁" in below and "x₂ > x₁" in above
    assert "y" not in below + above
    clusters = layers.point_cloud("clusters", seed=3)
    assert clusters.points.shape == (2 * layers.CLUSTER_SIZE, 2)
    means = [clusters.points[clusters.labels == k].mean(0) for k in (0, 1)]
    assert means[0][0] < 0 < means[1][0]  # the two clusters sit either side of the y-axis
    with pytest.raises(ValueError, match="grid, clusters"):
        layers.point_cloud("moons")


@pytest.mark.parametrize("bad", [(float("nan"), 0, 0, 1), (4.0, 0, 0, 1)])
def test_layer_2d_refuses_bad_weights(bad):
    with pytest.raises(ValueError):
        layers.layer_2d("grid", bad, (0.0, 0.0))


@given(st.sampled_from(["relu", "tanh", "sigmoid", "gelu"]), st.integers(0, 500))
def test_linear_layers_collapse_and_nonlinear_ones_do_not(act, seed):
    r = layers.depth_collapse(act, seed)
    w1, w2, w3 = (w.numpy().astype(np.float64) for w in r.weights)
    x = r.inputs.numpy().astype(np.float64)
    np.testing.assert_allclose(r.combined.numpy(), w3 @ w2 @ w1, atol=1e-5)
    np.testing.assert_allclose(r.stacked_linear.numpy(), x @ w1.T @ w2.T @ w3.T, atol=1e-5)
    assert r.linear_gap < 1e-5  # float32 rounding only
    assert r.nonlinear_gap > 100 * r.linear_gap


def numpy_best_fit(x, targets):
    """Least squares with a bias column, in float64 numpy: the reference for the engine's fit."""
    design = np.c_[x, np.ones(len(x))]
    solution, *_ = np.linalg.lstsq(design, targets, rcond=None)
    return solution[:-1].T, solution[-1], targets - design @ solution


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", "gelu", "none"])
@pytest.mark.parametrize("seed", [0, 5])
def test_best_single_matrix_matches_numpy_lstsq(act, seed):
    r = layers.depth_collapse(act, seed)
    x = r.fit_inputs.numpy().astype(np.float64)
    assert len(x) == layers.FIT_SAMPLES and np.array_equal(r.fit_inputs[: len(r.inputs)], r.inputs)
    w1, w2, w3 = (w.double() for w in r.weights)
    f = REFERENCE[act]
    with torch.no_grad():
        targets = (f(f(torch.from_numpy(x) @ w1.T) @ w2.T) @ w3.T).numpy()  # the network, in float64
    weight, bias, residual = numpy_best_fit(x, targets)
    fit = r.best_fit
    np.testing.assert_allclose(fit.weight.numpy(), weight, atol=1e-4)
    np.testing.assert_allclose(fit.bias.numpy(), bias, atol=1e-4)
    assert fit.rms_error == pytest.approx(np.sqrt(np.mean(residual**2)), rel=1e-3, abs=1e-5)
    assert fit.max_error == pytest.approx(np.abs(residual).max(), rel=1e-3, abs=1e-5)
    assert fit.target_rms == pytest.approx(np.sqrt(np.mean(targets**2)), rel=1e-4)
    if act == "none":
        assert fit.max_error < 1e-5  # three linear layers are one matrix: only float32 rounding is left
    else:
        assert fit.rms_error > 1e-3 and fit.rms_error > 1000 * r.linear_gap


@pytest.mark.parametrize("seed", range(5))
def test_no_single_matrix_matches_a_relu_network(seed):
    fit = layers.depth_collapse("relu", seed).best_fit
    assert fit.rms_error > 0.1 * fit.target_rms  # misses by a tenth of the outputs' size or more


def test_best_linear_fit_recovers_an_affine_map():
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(200, 3, generator=generator)
    weight, bias = torch.randn(2, 3, generator=generator), torch.tensor([0.5, -2.0])
    fit = layers.best_linear_fit(x, layers.dense(x, weight, bias))
    torch.testing.assert_close(fit.weight, weight, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(fit.bias, bias, atol=1e-5, rtol=1e-5)
    assert fit.max_error < 1e-5


@given(st.integers(1, 64), st.integers(1, 16), st.integers(1, 16), st.integers(1, 8), activations)
def test_two_layer_forward_equals_torch_nn_sequential(batch, d_in, d_hidden, d_out, act):
    r = layers.two_layer_forward(batch, d_in, d_hidden, d_out, act)
    model = torch.nn.Sequential(torch.nn.Linear(d_in, d_hidden), REFERENCE[act], torch.nn.Linear(d_hidden, d_out))
    with torch.no_grad():
        model[0].weight.copy_(r.w1)
        model[0].bias.copy_(r.b1)
        model[2].weight.copy_(r.w2)
        model[2].bias.copy_(r.b2)
        expected = model(r.x)
    torch.testing.assert_close(r.y, expected)
    assert r.y.shape == (batch, d_out) and r.hidden.shape == (batch, d_hidden)
    assert r.parameters == sum(p.numel() for p in model.parameters())
    with FlopCounterMode(display=False) as counter:
        layers.dense(layers.dense(r.x, r.w1, r.b1), r.w2, r.b2)
    assert r.flops == counter.get_total_flops()  # torch's own count of the two matrix products
    assert r.nn_linear_gap < 1e-6
    # Initialised like nn.Linear: uniform within +-1/sqrt(fan_in).
    assert r.w1.abs().max() <= 1 / d_in**0.5 and r.w2.abs().max() <= 1 / d_hidden**0.5


@pytest.mark.parametrize("sizes", [(0, 8, 16, 3), (300, 8, 16, 3), (32, 65, 16, 3)])
def test_forward_caps(sizes):
    with pytest.raises(ValueError):
        layers.two_layer_forward(*sizes)


@pytest.mark.cuda
def test_layers_on_cuda():
    r = layers.two_layer_forward(device="cuda")
    assert r.y.device.type == "cuda" and r.nn_linear_gap < 1e-5
    depth = layers.depth_collapse("relu", device="cuda")
    assert depth.best_fit.weight.device.type == "cuda"  # torch.linalg.lstsq's CUDA driver
    w1, w2, w3 = (w.cpu().double() for w in depth.weights)
    x = depth.fit_inputs.cpu().double()
    targets = (torch.relu(torch.relu(x @ w1.T) @ w2.T) @ w3.T).numpy()
    *_, residual = numpy_best_fit(x.numpy(), targets)
    assert depth.best_fit.rms_error == pytest.approx(np.sqrt(np.mean(residual**2)), rel=1e-3)
    assert layers.layer_2d("grid", (1, 0, 0, 1), (0, 0), device="cuda").output.device.type == "cuda"
