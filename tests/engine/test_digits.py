"""The PCA page's data sets and lessons, against scikit-learn's loader and its PCA."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from sklearn import datasets
from sklearn.decomposition import PCA

from engine import digits, search

REF = datasets.load_digits()


def host(tensor):
    return np.asarray(tensor.detach().cpu().double().numpy() if torch.is_tensor(tensor) else tensor, dtype=np.float64)


def signs_against(ours, theirs):
    """+1 or -1 per row, so that ours * signs points the way theirs does."""
    return np.sign(np.sum(ours * theirs, axis=1))


def test_digits_are_sklearns_digits():
    d = digits.load_digits()
    assert d.data.shape == (1797, 64) and d.data.dtype == torch.float32
    np.testing.assert_array_equal(d.data.numpy(), REF.data)
    np.testing.assert_array_equal(d.labels.numpy(), REF.target)
    assert d.label_names == tuple(str(i) for i in range(10)) and d.image_side == 8 and d.texts == ()
    assert digits.load_digits() is d  # loaded once
    assert digits.dataset("digits") is d


def test_unknown_data_set_is_refused_in_words():
    with pytest.raises(ValueError, match="Unknown data set 'faces'"):
        digits.study("faces")
    with pytest.raises(ValueError, match="Unknown data set"):
        digits.rebuild("<script>", 0, 1)


def test_digits_study_matches_sklearn():
    s = digits.study("digits")
    ref = PCA().fit(REF.data)
    assert (s.n_samples, s.n_features) == (1797, 64)
    np.testing.assert_allclose(host(s.mean), REF.data.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(host(s.covariance), np.cov(REF.data, rowvar=False), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(host(s.variance), ref.explained_variance_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(host(s.ratio), ref.explained_variance_ratio_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(host(s.cumulative), np.cumsum(ref.explained_variance_ratio_), atol=1e-6)
    assert s.total_variance == pytest.approx(np.var(REF.data, axis=0, ddof=1).sum())
    comps = host(s.components)
    assert comps.shape == (digits.TOP_COMPONENTS, 64)
    signs = signs_against(comps, ref.components_[: digits.TOP_COMPONENTS])
    np.testing.assert_allclose(comps * signs[:, None], ref.components_[: digits.TOP_COMPONENTS], atol=1e-4)
    np.testing.assert_allclose(host(s.coordinates) * signs[:3], ref.transform(REF.data)[:, :3], atol=1e-3)
    np.testing.assert_array_equal(host(s.labels), REF.target)
    cumulative = np.cumsum(ref.explained_variance_ratio_)
    assert s.k90 == int(np.argmax(cumulative >= 0.9)) + 1
    assert s.k99 == int(np.argmax(cumulative >= 0.99)) + 1


def test_digits_study_svd_route_agrees_with_numpy():
    s = digits.study("digits")
    centred = REF.data - REF.data.mean(axis=0)
    singular = np.linalg.svd(centred, compute_uv=False)
    np.testing.assert_allclose(host(s.svd_variance), singular**2 / (len(centred) - 1), rtol=1e-5, atol=1e-6)
    assert s.compared == int(np.sum(np.var(REF.data, axis=0) > 0))  # 61: three pixels are blank in every image
    assert s.variance_gap < 1e-9 and s.component_gap < 1e-6
    assert 0 < s.eigh_ms < 10_000 and 0 < s.svd_ms < 10_000


@pytest.mark.parametrize(("index", "k"), [(0, 1), (0, 10), (123, 30), (1796, 64)])
def test_rebuild_matches_sklearn(index, k):
    r = digits.rebuild("digits", index, k)
    ref = PCA(n_components=k).fit(REF.data)
    x = REF.data[index]
    z = ref.transform(x[None, :])[0]
    rebuilt = ref.inverse_transform(z[None, :])[0]
    assert (r.index, r.k, r.label) == (index, k, str(REF.target[index]))
    np.testing.assert_allclose(host(r.original), x)
    np.testing.assert_allclose(host(r.reconstruction), rebuilt, atol=1e-3)
    np.testing.assert_allclose(np.abs(host(r.coordinates)), np.abs(z), atol=1e-3)
    assert r.error == pytest.approx(np.mean((x - rebuilt) ** 2), rel=1e-4, abs=1e-4)
    assert r.relative_error == pytest.approx(
        np.linalg.norm(x - rebuilt) / np.linalg.norm(x - REF.data.mean(axis=0)), rel=1e-4, abs=1e-5
    )
    cosine = x @ rebuilt / (np.linalg.norm(x) * np.linalg.norm(rebuilt))
    assert r.cosine == pytest.approx(cosine, abs=1e-5)
    assert r.variance_kept == pytest.approx(ref.explained_variance_ratio_.sum(), rel=1e-5)
    assert host(r.errors)[k] == pytest.approx(r.error, rel=1e-3, abs=1e-4)


@given(st.integers(0, 1796))
def test_rebuild_error_falls_as_k_grows(index):
    errors = host(digits.rebuild("digits", index, 5).errors)
    assert errors.shape == (65,)
    assert np.all(np.diff(errors) <= 1e-4)
    assert errors[-1] == pytest.approx(0.0, abs=1e-4)


@pytest.mark.parametrize(
    ("index", "k", "message"),
    [
        (-1, 5, "between 0 and 1,796"),
        (1797, 5, "between 0 and 1,796"),
        (2.5, 5, "whole number"),
        (float("nan"), 5, "finite"),
        (0, 0, "between 1 and 64"),
        (0, 65, "between 1 and 64"),
        ("seven", 5, "must be a number"),
    ],
)
def test_rebuild_refuses_bad_input_in_words(index, k, message):
    with pytest.raises(ValueError, match=message):
        digits.rebuild("digits", index, k)


def test_sentence_embeddings_study_matches_sklearn():
    base = search.corpus("cpu")
    data = base.embeddings.double().numpy()
    s = digits.study("sentences")
    ref = PCA().fit(data)
    assert (s.n_samples, s.n_features) == (240, 384) and s.image_side == 0
    assert s.texts == base.sentences and s.label_names == search.TOPICS
    assert s.covariance.shape == (digits.SHOWN_FEATURES, digits.SHOWN_FEATURES)
    np.testing.assert_allclose(host(s.covariance), np.cov(data[:, :64], rowvar=False), atol=1e-6)
    # 240 samples span at most 239 directions: sklearn keeps 240 components, the last with no variance.
    np.testing.assert_allclose(host(s.variance[:239]), ref.explained_variance_[:239], rtol=1e-4, atol=1e-8)
    assert float(s.variance[240:].abs().max()) < 1e-8
    assert s.compared == 239
    r = digits.rebuild("sentences", 3, 50)
    pca50 = PCA(50).fit(data)
    rebuilt = pca50.inverse_transform(pca50.transform(data[3:4]))[0]
    assert r.text == base.sentences[3] and r.label == base.topics[3]
    assert r.error == pytest.approx(np.mean((rebuilt - data[3]) ** 2), rel=1e-3)
