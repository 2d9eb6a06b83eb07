"""Tests for StochasticCCA: the minibatch EY solver against exact CCA."""

import pickle

import numpy as np
import pytest
import torch

from sklreg.cross_decomposition import (
    SparseCCA,
    StochasticCCA,
    canonical_correlations,
    ey_loss,
    rayleigh_ritz_step,
)
from sklreg.datasets import make_sparse_two_view


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    # Thousands of tiny steps: torch's thread pool only adds contention on a busy CI box.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def views():
    return make_sparse_two_view(4000, 10, 8, n_nonzero=2, correlations=(0.9, 0.6), random_state=0)[
        :2
    ]


def test_matches_exact_cca(views):
    X, Y = views
    exact = SparseCCA(2, penalty_x=1.0, penalty_y=1.0, shrinkage=0.0).fit(X, Y)
    sgd = StochasticCCA(2, batch_size=500, max_epochs=30, n_refine=0, random_state=0)
    sgd.fit(X, Y)
    # On the same training data the exact first correlation is the maximum, so SGD can
    # only fall short of it; Adam annealed to 0 over 240 steps leaves a weight error of
    # order lr / sqrt(steps), i.e. a correlation gap below 0.01 (no refinement here).
    gap = exact.canonical_correlations_ - sgd.canonical_correlations_
    assert gap[0] > -1e-9
    assert np.all(np.abs(gap) < 0.01)
    for k in range(2):
        cos = sgd.x_weights_[:, k] @ exact.x_rotations_[:, k]
        cos /= np.linalg.norm(sgd.x_weights_[:, k]) * np.linalg.norm(exact.x_rotations_[:, k])
        # a correlation gap d moves the weights by an angle ~ sqrt(d / eigengap) (the
        # objective is flat to second order at the optimum): cos > 0.95 for d < 0.01
        assert abs(cos) > 0.95


def test_rayleigh_ritz_steps_converge_to_exact_cca(views):
    X, Y = views
    exact = SparseCCA(2, penalty_x=1.0, penalty_y=1.0, shrinkage=0.0).fit(X, Y)
    Xt = torch.tensor((X - X.mean(0)) / X.std(0, ddof=1))
    Yt = torch.tensor((Y - Y.mean(0)) / Y.std(0, ddof=1))
    generator = torch.Generator().manual_seed(0)
    u = torch.randn(10, 2, generator=generator, dtype=torch.float64)
    v = torch.randn(8, 2, generator=generator, dtype=torch.float64)
    previous = np.zeros(2)
    for _ in range(14):
        u, v = rayleigh_ritz_step(Xt, Yt, u, v)
        found = canonical_correlations((Xt @ u).numpy(), (Yt @ v).numpy())
        # each step solves CCA exactly on a subspace holding the current one, so by
        # interlacing no canonical correlation can drop (up to rounding)
        assert np.all(found >= previous - 1e-12)
        previous = found
    # steepest ascent with exact line search: the gap contracts by a constant factor
    # per step (about 1/2 here, the eigenvalue-ratio bound on this well-conditioned
    # problem), so 14 steps take a random start's gap (~0.05) below 0.05 / 2^14 ~ 3e-6
    np.testing.assert_allclose(found, exact.canonical_correlations_, atol=1e-5)
    assert np.all(found <= exact.canonical_correlations_ + 1e-10)


def test_refinement_closes_the_sgd_gap(views):
    X, Y = views
    exact = SparseCCA(2, penalty_x=1.0, penalty_y=1.0, shrinkage=0.0).fit(X, Y)
    params = dict(batch_size=500, max_epochs=2, random_state=0)
    plain = StochasticCCA(2, n_refine=0, **params).fit(X, Y)
    refined = StochasticCCA(2, n_refine=8, **params).fit(X, Y)
    # 16 Adam steps leave a gap of several hundredths; 8 steps at a contraction <= 1/2
    # (previous test) take it below 0.1 / 2^8 < 1e-3 (float32 data: ~1e-6 floor)
    assert np.max(exact.canonical_correlations_ - plain.canonical_correlations_) > 0.01
    np.testing.assert_allclose(
        refined.canonical_correlations_, exact.canonical_correlations_, atol=1e-3
    )


def test_scores_are_uncorrelated_and_api(views):
    X, Y = views
    model = StochasticCCA(2, batch_size=500, max_epochs=2, random_state=0)
    x_fit, y_fit = model.fit_transform(X, Y)
    x_scores, y_scores = model.transform(X, Y)
    np.testing.assert_allclose(x_fit, x_scores)
    np.testing.assert_allclose(y_fit, y_scores)
    np.testing.assert_allclose(np.corrcoef(x_scores.T), np.eye(2), atol=1e-6)
    assert model.score(X, Y) == pytest.approx(np.mean(model.canonical_correlations_))
    frame = model.set_output(transform="pandas").transform(X)
    assert list(frame.columns) == ["stochasticcca0", "stochasticcca1"]


def test_partial_fit_streams_and_survives_pickle(views):
    X, Y = views
    model = StochasticCCA(1, batch_size=500, learning_rate=0.05, random_state=0)
    first = model.partial_fit(X[:1000], Y[:1000]).score(X, Y)
    for rep in range(5):  # five passes over four chunks, 2 steps each
        if rep == 2:
            model = pickle.loads(pickle.dumps(model))
        for start in range(0, 4000, 1000):
            model.partial_fit(X[start : start + 1000], Y[start : start + 1000])
    assert model.score(X, Y) > first
    # rho = 0.9 (training value 0.900); 40 constant-step Adam steps at lr 0.05 leave a
    # noise floor of a few hundredths in correlation, hence 0.85.
    assert model.score(X, Y) > 0.85
    with pytest.raises(ValueError, match="features"):
        model.partial_fit(X[:, :5], Y)


def test_ey_loss_is_minimised_by_the_canonical_subspace():
    # Oracle: for CCA with Gamma = Cov(XU + YV) the minimum of -2 tr(Gamma) + |Delta|^2
    # over one component is -(1 + rho)^2, at the canonical pair scaled so that
    # Var(Xu) = Var(Yv) = (1 + rho) / 2.
    rng = np.random.RandomState(0)
    z = rng.randn(5000)
    x = torch.tensor(z + rng.randn(5000), dtype=torch.float64)[:, None]
    y = torch.tensor(z + rng.randn(5000), dtype=torch.float64)[:, None]
    x, y = (x - x.mean()) / x.std(), (y - y.mean()) / y.std()
    rho = float((x * y).sum() / (len(x) - 1))
    scale = np.sqrt((1 + rho) / 2)
    best = float(ey_loss(scale * x, scale * y))
    assert best == pytest.approx(-((1 + rho) ** 2), rel=1e-9)
    for other in (0.8 * scale, 1.2 * scale):
        assert float(ey_loss(other * x, other * y)) > best


def test_bad_input_and_device(views):
    X, Y = views
    with pytest.raises(ValueError, match="different numbers of rows"):
        StochasticCCA(1).fit(X, Y[:-1])
    with pytest.raises(ValueError, match="n_components=9 is too large"):
        StochasticCCA(9).fit(X, Y)
    with pytest.raises(ValueError, match="diverged"):
        StochasticCCA(1, batch_size=100, learning_rate=1e10, random_state=0).fit(X, Y)
    # a step's two half-batches each need 2 rows for a covariance: 3 rows used to end
    # in a misleading "diverged" (a division by n - 1 = 0); 4 rows fit
    with pytest.raises(ValueError, match="at least 4 rows.*got 3"):
        StochasticCCA(1, random_state=0).fit(X[:3], Y[:3])
    assert np.isfinite(StochasticCCA(1, random_state=0).fit(X[:4], Y[:4]).x_weights_).all()
    streamed = StochasticCCA(1, random_state=0).partial_fit(X[:100], Y[:100])
    with pytest.raises(ValueError, match="at least 4 rows.*got 3"):
        streamed.partial_fit(X[100:103], Y[100:103])
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA GPU"):
            StochasticCCA(1, device="cuda").fit(X[:50], Y[:50])
