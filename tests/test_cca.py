"""Correctness, oracle and bad-input tests for SparseCCA (PMD and primal-dual)."""

import numpy as np
import pytest
from scipy import linalg, optimize
from sklearn.cross_decomposition import CCA
from sklearn.model_selection import GridSearchCV, KFold

from sklreg.cross_decomposition import (
    SparseCCA,
    SparseCCACV,
    canonical_correlations,
    deflate_cross_covariance,
    l1_bounded_direction,
    penalty_grid,
    primal_dual_fixed_index,
    primal_dual_rank_one,
    relax_on_support,
)
from sklreg.cross_decomposition._pmd import _euclidean_thresholds
from sklreg.datasets import make_sparse_two_view
from sklreg.utils._sklearn_compat import InvalidParameterError


def _standardise(A):
    return (A - A.mean(0)) / A.std(0, ddof=1)


def _gep_correlations(X, Y):
    """Exact CCA: the generalised eigenproblem [[0, Sxy], [Syx, 0]] vs diag(Sxx, Syy)."""
    Xs, Ys = _standardise(X), _standardise(Y)
    p, q = X.shape[1], Y.shape[1]
    S = np.cov(np.hstack([Xs, Ys]).T)
    A = np.zeros_like(S)
    A[:p, p:], A[p:, :p] = S[:p, p:], S[p:, :p]
    B = S.copy()
    B[:p, p:] = B[p:, :p] = 0
    return linalg.eigh(A, B, eigvals_only=True)[::-1][: min(p, q)]


@pytest.fixture(scope="module")
def small_views():
    return make_sparse_two_view(300, 8, 6, n_nonzero=2, correlations=(0.8, 0.5), random_state=1)[:2]


def test_no_sparsity_matches_sklearn_cca_and_exact_gep(small_views):
    X, Y = small_views
    ours = SparseCCA(3, penalty_x=1.0, penalty_y=1.0, shrinkage=0.0, tol=1e-12).fit(X, Y)
    theirs = CCA(3, max_iter=5000, tol=1e-14).fit(X, Y)
    exact = _gep_correlations(X, Y)[:3]
    # Both solve the same deflated eigenproblems; only iteration tolerances differ.
    np.testing.assert_allclose(ours.canonical_correlations_, exact, atol=1e-8)
    np.testing.assert_allclose(
        ours.canonical_correlations_, canonical_correlations(*theirs.transform(X, Y)), atol=1e-6
    )
    for k in range(3):
        u = ours.x_weights_[:, k] / np.linalg.norm(ours.x_weights_[:, k])
        assert abs(u @ theirs.x_weights_[:, k]) == pytest.approx(1.0, abs=1e-6)


def test_witten_pmd_without_sparsity_is_the_leading_singular_pair(small_views):
    X, Y = small_views
    model = SparseCCA(1, penalty_x=1.0, penalty_y=1.0, tol=1e-12).fit(X, Y)
    left, _, right_t = np.linalg.svd(_standardise(X).T @ _standardise(Y))
    assert abs(model.x_weights_[:, 0] @ left[:, 0]) == pytest.approx(1.0, abs=1e-8)
    assert abs(model.y_weights_[:, 0] @ right_t[0]) == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("bound", [1.3, 2.0, 2.9])
def test_l1_bounded_direction_solves_the_constrained_problem(bound):
    # Oracle: max a'u s.t. ||u||_2 <= 1, ||u||_1 <= c by SLSQP (u = u+ - u-, u+- >= 0).
    rng = np.random.RandomState(0)
    a = rng.randn(8)
    u = l1_bounded_direction(a, bound)
    assert np.linalg.norm(u) == pytest.approx(1.0)
    # the bound binds unless a's own L1/L2 ratio is already below it (then u = a/|a|)
    expected_l1 = min(bound, np.abs(a).sum() / np.linalg.norm(a))
    assert np.abs(u).sum() == pytest.approx(expected_l1, abs=1e-8)

    def objective(z):
        return -a @ (z[:8] - z[8:])

    constraints = [
        {"type": "ineq", "fun": lambda z: bound - z.sum()},
        {"type": "ineq", "fun": lambda z: 1 - np.sum((z[:8] - z[8:]) ** 2)},
    ]
    best = min(
        optimize.minimize(
            objective,
            rng.rand(16) * 0.1,
            bounds=[(0, None)] * 16,
            constraints=constraints,
            method="SLSQP",
            options={"ftol": 1e-12},
        ).fun
        for _ in range(5)
    )
    assert a @ u >= -best - 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pmd_recovers_the_generator_support(seed):
    # One signal, rho = 0.9 (|a|^2 = |b|^2 = 9), k = 5 equal loadings, n = 300, p = q = 60.
    # Entry i of X'Y v / n is ~ a_i |b| / sd_i on the support and noise of sd
    # sqrt((1 + |b|^2) / n) ~ 0.18 elsewhere: the support entries sit ~10 sd above zero,
    # so they stay within ~10% of each other and above the largest of 55 null entries
    # (~3 sd). The L1 bound 2.1 lies below sqrt(5) = 2.236, the L1/L2 ratio of 5 equal
    # entries, and above the ratio (>= 2.2) of 5 entries within 10% of each other minus
    # a threshold above the nulls: exactly the true support survives.
    X, Y, wx, wy, _ = make_sparse_two_view(300, 60, 60, random_state=seed)
    penalty = 2.1 / np.sqrt(60)
    model = SparseCCA(1, penalty_x=penalty, penalty_y=penalty).fit(X, Y)
    np.testing.assert_array_equal(model.x_weights_[:, 0] != 0, wx[:, 0] != 0)
    np.testing.assert_array_equal(model.y_weights_[:, 0] != 0, wy[:, 0] != 0)


@pytest.mark.parametrize("seed", [0, 1])
def test_pmd_later_components_reach_their_population_correlation(seed):
    # Three signals, rho = 0.9 / 0.7 / 0.5, 5 loadings each, n = 300 < p = q = 500.
    # On standardised data the third signal is a 5 x 5 block of X'Y / n with entries
    # ~ (1/5) / 1.2 = 0.17, about 2.9 noise sd (1 / sqrt(n) = 0.058) each, while the
    # dense noise spectrum of X'Y / n reaches (sqrt(p) + sqrt(q)) / sqrt(n) ~ 2.6, far
    # above the block's singular value ~0.8: the leading singular pair (Witten et
    # al.'s start) is noise, with held-out correlation ~ N(0, 1 / sqrt(n_test)), below
    # 0.14 = 3 sd. Found, the component's held-out correlation is rho_k minus a
    # sampling sd (1 - rho_k^2) / sqrt(n_test) <= 0.04 and a loss from the shrunk
    # weights: half of rho_k separates the two outcomes (with n_starts=0 these seeds
    # give 0.05 for the third component).
    n, n_test, p = 300, 500, 500
    X, Y, wx, wy, rho = make_sparse_two_view(
        n + n_test, p, p, correlations=(0.9, 0.7, 0.5), random_state=seed
    )
    penalty = 2.3 / np.sqrt(p)  # just above sqrt(5), the L1/L2 ratio of the truth
    model = SparseCCA(3, penalty_x=penalty, penalty_y=penalty, random_state=0)
    model.fit(X[:n], Y[:n])
    held_out = np.abs(canonical_correlations(*model.transform(X[n:], Y[n:])))
    assert np.all(held_out > rho / 2), held_out
    assert held_out[2] > 3 / np.sqrt(n_test)
    for k in range(3):  # each component on its own signal's support
        assert np.sum((model.x_weights_[:, k] != 0) & (wx[:, k] != 0)) >= 4
        assert np.sum((model.y_weights_[:, k] != 0) & (wy[:, k] != 0)) >= 4


def test_deflated_cross_covariance_matches_deflated_data():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(30, 6), rng.randn(30, 4)
    t, s = X @ rng.randn(6), Y @ rng.randn(4)
    X1 = X - np.outer(t, X.T @ t / (t @ t))
    Y1 = Y - np.outer(s, Y.T @ s / (s @ s))
    np.testing.assert_allclose(
        deflate_cross_covariance(X.T @ Y / 30, X, Y, t, s), X1.T @ Y1 / 30, atol=1e-12
    )


def test_closed_form_threshold_matches_bisection():
    # Oracle: the bisection on the L1/L2 ratio (the metric path, here the identity).
    rng = np.random.RandomState(0)
    for _ in range(50):
        a = rng.randn(40) * rng.exponential(size=40)
        bound = 1 + rng.rand() * (np.sqrt(40) - 1)
        closed = l1_bounded_direction(a, bound)
        bisected = l1_bounded_direction(a, bound, metric=np.eye(40), n_bisections=60)
        np.testing.assert_allclose(closed, bisected, atol=1e-9)
        assert np.abs(closed).sum() <= bound + 1e-10


def test_partial_sort_thresholds_match_the_full_sort():
    # Oracle: the full sort. n_top=5 leaves some columns' bounds beyond the top 5 (the
    # fallback path) and finds the others there (the partial path).
    rng = np.random.RandomState(1)
    A = rng.randn(300, 40) * rng.exponential(size=(1, 40))
    A[:3, :20] *= 20  # a few dominant entries: the bound binds within the top 5
    for bound in (1.5, 3.0, 6.0):
        full = _euclidean_thresholds(A, bound)
        np.testing.assert_allclose(_euclidean_thresholds(A, bound, 5), full, rtol=1e-12)


def _paper_objective(X, kernel, w, e, mu, gamma):
    return np.sum((X @ w - kernel @ e) ** 2) + mu * np.abs(w).sum() + gamma * np.abs(e).sum()


def test_fixed_index_primal_dual_matches_a_brute_force_solve():
    # Oracle: Hardoon and Shawe-Taylor's convex objective with e[k] = 1, minimised by
    # L-BFGS-B on the split z = z+ - z- (z+-, z- >= 0 makes it smooth). Both solve a
    # convex problem to ~1e-9, so the objectives agree to 1e-6 (relative) and the
    # weights to 1e-3 (the Lasso's minimiser is unique for continuous data).
    rng = np.random.RandomState(0)
    n, p, k, mu, gamma = 12, 4, 3, 2.0, 0.5
    z = rng.randn(n, 1)
    X = np.hstack([z, rng.randn(n, p - 1)]) + 0.3 * rng.randn(n, p)
    Y = np.hstack([z, rng.randn(n, 2)]) + 0.3 * rng.randn(n, 3)
    X, Y = X - X.mean(0), Y - Y.mean(0)
    kernel = Y @ Y.T
    others = np.delete(np.arange(n), k)

    def split_objective(theta):
        pos, neg = np.split(theta, 2)
        zz = pos - neg
        w, e = zz[:p], np.zeros(n)
        e[k], e[others] = 1.0, zz[p:]
        resid = X @ w - kernel @ e
        grad_z = np.concatenate([2 * X.T @ resid, -2 * kernel[:, others].T @ resid])
        weights = np.r_[np.full(p, mu), np.full(n - 1, gamma)]
        value = resid @ resid + weights @ (pos + neg)
        return value, np.concatenate([grad_z + weights, -grad_z + weights])

    size = 2 * (p + n - 1)
    best = optimize.minimize(
        split_objective,
        np.zeros(size),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0, None)] * size,
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 50_000},
    )
    pos, neg = np.split(best.x, 2)
    w_ref, e_ref = (pos - neg)[:p], np.insert((pos - neg)[p:], k, 1.0)
    w, e = primal_dual_fixed_index(X, kernel, k, mu, gamma)
    assert e[k] == 1.0
    ours = _paper_objective(X, kernel, w, e, mu, gamma)
    reference = _paper_objective(X, kernel, w_ref, e_ref, mu, gamma)  # best.fun + gamma
    assert ours <= reference * (1 + 1e-6)
    assert ours == pytest.approx(reference, rel=1e-6)
    np.testing.assert_allclose(w, w_ref, atol=1e-3)
    np.testing.assert_allclose(e, e_ref, atol=1e-3)
    with pytest.raises(ValueError, match="must be positive"):
        primal_dual_fixed_index(X, kernel, k, 0.0, gamma)


def test_primal_dual_steps_are_the_lasso_fixed_point():
    # At convergence each half-step is a Lasso whose KKT conditions hold: with the
    # target t of unit variance, |X'(t - X w)| / n <= mu everywhere, with equality
    # (sign-matched) on the support. Checked for w at the returned point.
    X, Y, *_ = make_sparse_two_view(200, 30, 20, random_state=0)
    X, Y = X - X.mean(0), Y - Y.mean(0)
    w, b, e, n_iter = primal_dual_rank_one(X, Y, 0.6, 0.6, max_iter=500, tol=1e-10)
    assert n_iter < 500
    target = Y @ b
    target = target / target.std()
    n = X.shape[0]
    start_target = Y @ np.linalg.svd(X.T @ Y)[2][0]
    mu = 0.4 * np.max(np.abs(X.T @ (start_target / start_target.std()))) / n
    grad = X.T @ (target - X @ w) / n
    support = w != 0
    assert np.all(np.abs(grad) <= mu * (1 + 1e-4))
    np.testing.assert_allclose(grad[support], mu * np.sign(w[support]), rtol=1e-3)


def test_primal_dual_recovers_the_x_support():
    # Same signal strength as above; the Lasso penalty at half its maximum keeps the
    # support features (correlation ~0.9 with the target) and drops nulls (|corr| ~
    # 3 / sqrt(n) = 0.17 at most), the usual Lasso margin.
    X, Y, wx, _, rho = make_sparse_two_view(300, 60, 20, random_state=0)
    model = SparseCCA(1, method="primal_dual", penalty_x=0.5, penalty_y=0.5).fit(X, Y)
    np.testing.assert_array_equal(model.x_weights_[:, 0] != 0, wx[:, 0] != 0)
    # the training correlation is within sampling error (~(1 - rho^2) / sqrt(n)) of rho
    assert model.canonical_correlations_[0] == pytest.approx(rho[0], abs=0.05)


@pytest.mark.parametrize("method", ["pmd", "primal_dual"])
def test_deflated_scores_are_uncorrelated(method):
    X, Y, *_ = make_sparse_two_view(
        200, 30, 20, n_nonzero=3, correlations=(0.9, 0.7, 0.5), random_state=0
    )
    model = SparseCCA(3, method=method, penalty_x=0.6, penalty_y=0.6).fit(X, Y)
    x_scores, y_scores = model.transform(X, Y)
    for scores in (x_scores, y_scores):
        corr = np.corrcoef(scores.T)
        np.testing.assert_allclose(corr, np.eye(3), atol=1e-8)
    np.testing.assert_allclose(
        canonical_correlations(x_scores, y_scores), model.canonical_correlations_, atol=1e-10
    )


def test_transform_api_like_sklearn(small_views):
    X, Y = small_views
    model = SparseCCA(2, penalty_x=0.7, penalty_y=0.7)
    x_fit, y_fit = model.fit_transform(X, Y)
    x_scores, y_scores = model.transform(X, Y)
    np.testing.assert_allclose(x_fit, x_scores)
    np.testing.assert_allclose(y_fit, y_scores)
    np.testing.assert_allclose(model.transform(X), x_scores)
    assert model.score(X, Y) == pytest.approx(np.mean(model.canonical_correlations_))
    assert list(model.get_feature_names_out()) == ["sparsecca0", "sparsecca1"]
    frame = model.set_output(transform="pandas").transform(X)
    assert list(frame.columns) == ["sparsecca0", "sparsecca1"]
    assert model.predict(X).shape == Y.shape
    assert model.inverse_transform(x_scores).shape == X.shape


def test_one_dimensional_y_like_sklearn(small_views):
    X, Y = small_views
    model = SparseCCA(1, penalty_x=1.0, penalty_y=1.0, shrinkage=0.0).fit(X, Y[:, 0])
    ref = CCA(1, tol=1e-12).fit(X, Y[:, 0])
    np.testing.assert_allclose(np.abs(model.transform(X)), np.abs(ref.transform(X)), atol=1e-6)
    assert model.predict(X).shape == (X.shape[0],)
    np.testing.assert_allclose(model.predict(X), ref.predict(X), atol=1e-6)


def test_grid_search_tunes_sparsity_by_held_out_correlation():
    X, Y, *_ = make_sparse_two_view(200, 80, 80, random_state=0)
    search = GridSearchCV(
        SparseCCA(1), {"penalty_x": [0.3, 1.0], "penalty_y": [0.3, 1.0]}, cv=3
    ).fit(X, Y)
    # 5 relevant of 80 features: 0.3 * sqrt(80) = 2.7 is just above sqrt(5), the L1/L2
    # ratio of the true weights, while the dense fit spreads weight over 75 noise
    # features, each adding ~1 / sqrt(n_train) of spurious correlation.
    assert search.best_params_ == {"penalty_x": 0.3, "penalty_y": 0.3}


def test_bad_input_raises_clear_errors(small_views):
    X, Y = small_views
    with pytest.raises(ValueError, match="different numbers of rows"):
        SparseCCA(1).fit(X, Y[:-1])
    X_const = X.copy()
    X_const[:, 3] = 2.0
    with pytest.raises(ValueError, match=r"X has constant column\(s\) \[3\]"):
        SparseCCA(1).fit(X_const, Y)
    Y_const = Y.copy()
    Y_const[:, 0] = -1.0
    with pytest.raises(ValueError, match=r"Y has constant column\(s\) \[0\]"):
        SparseCCA(1).fit(X, Y_const)
    with pytest.raises(ValueError, match="n_components=7 is too large.*= 6"):
        SparseCCA(7).fit(X, Y)
    for bad in (0.0, -0.1, 1.5):
        with pytest.raises(InvalidParameterError, match="penalty_x"):
            SparseCCA(1, penalty_x=bad).fit(X, Y)
        with pytest.raises(InvalidParameterError, match="penalty_y"):
            SparseCCA(1, penalty_y=bad).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="shrinkage"):
        SparseCCA(1, shrinkage=1.5).fit(X, Y)
    with pytest.raises(ValueError, match="shrinkage=0 needs more samples"):
        SparseCCA(1, shrinkage=0.0).fit(X[:5], Y[:5])
    with pytest.raises(ValueError, match="requires y to be passed"):
        SparseCCA(1).fit(X, None)
    model = SparseCCA(1).fit(X, Y)
    with pytest.raises(ValueError, match="Y has 5 columns"):
        model.transform(X, Y[:, :5])


def test_sparse_cca_cv_matches_grid_search_cv():
    # Oracle: scikit-learn's GridSearchCV over the same tied grid and folds, scored by
    # SparseCCA.score (mean held-out canonical correlation): the same fits, so the
    # same scores to rounding and the same choice.
    X, Y, *_ = make_sparse_two_view(150, 60, 60, random_state=0)
    folds = KFold(3, shuffle=True, random_state=0)
    grid = [0.2, 0.4, 1.0]
    ours = SparseCCACV(1, penalties_x=grid, cv=folds, random_state=0).fit(X, Y)
    search = GridSearchCV(
        SparseCCA(1, random_state=0),
        [{"penalty_x": [g], "penalty_y": [g], "relax": [r]} for r in (False, True) for g in grid],
        cv=folds,
    ).fit(X, Y)
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], search.cv_results_["mean_test_score"], atol=1e-12
    )
    best = search.best_params_
    assert (ours.penalty_x_, ours.penalty_y_, ours.relax_) == (
        best["penalty_x"],
        best["penalty_y"],
        best["relax"],
    )
    np.testing.assert_allclose(ours.x_weights_, search.best_estimator_.x_weights_)
    np.testing.assert_allclose(ours.transform(X), search.best_estimator_.transform(X))
    assert ours.best_estimator_.penalty_x == ours.penalty_x_


def test_sparse_cca_cv_product_grid_and_default_grid():
    X, Y, *_ = make_sparse_two_view(120, 30, 20, random_state=1)
    model = SparseCCACV(1, penalties_x=3, penalties_y=[0.5, 1.0], cv=2).fit(X, Y)
    # 3 geometric values from 1/sqrt(30) (an L1 bound of one feature) to 1, times 2,
    # each with and without relaxing (relax="auto")
    assert model.cv_results_["mean_test_score"].shape == (12,)
    assert model.cv_results_["relax"].sum() == 6
    fixed = SparseCCACV(1, penalties_x=3, penalties_y=[0.5, 1.0], relax=False, cv=2).fit(X, Y)
    assert not fixed.cv_results_["relax"].any() and fixed.relax_ is False
    dual = SparseCCACV(1, penalties_x=[0.5], method="primal_dual", cv=2).fit(X, Y)
    assert not dual.cv_results_["relax"].any()
    np.testing.assert_allclose(np.unique(model.cv_results_["penalty_x"]), penalty_grid(3, 30))
    np.testing.assert_allclose(penalty_grid(3, 30), [30**-0.5, 30**-0.25, 1.0])


def test_sparse_cca_cv_bad_input():
    X, Y, *_ = make_sparse_two_view(60, 10, 10, random_state=0)
    with pytest.raises(ValueError, match=r"penalties must lie in \(0, 1\]"):
        SparseCCACV(1, penalties_x=[0.0, 0.5]).fit(X, Y)
    with pytest.raises(ValueError, match="different numbers of rows"):
        SparseCCACV(1).fit(X, Y[:-1])
    Y_const = Y.copy()
    Y_const[:, 2] = 1.0
    with pytest.raises(ValueError, match=r"Every fit .* failed.*constant column"):
        SparseCCACV(1, penalties_x=[0.5, 1.0], cv=2).fit(X, Y_const)
    with pytest.raises(InvalidParameterError, match="penalties_x"):
        SparseCCACV(1, penalties_x=0).fit(X, Y)


def test_relax_on_support_is_exact_cca_on_the_selected_features():
    # Oracle: scikit-learn's CCA (its own NIPALS iterations) fitted on the selected
    # columns only. With shrinkage=0 the relaxed weights solve exact CCA there, so
    # they match CCA's first weights up to sign and reach the largest training
    # correlation any weights on that support can (>= the penalised weights').
    X, Y, wx, wy, _ = make_sparse_two_view(
        400, 40, 30, n_nonzero=4, correlations=(0.8,), random_state=3
    )
    sparse = SparseCCA(1, penalty_x=0.3, penalty_y=0.3, shrinkage=0.0, random_state=0)
    sparse.fit(X, Y)
    relaxed = SparseCCA(
        1, penalty_x=0.3, penalty_y=0.3, shrinkage=0.0, relax=True, random_state=0
    ).fit(X, Y)
    sx = np.flatnonzero(sparse.x_weights_[:, 0])
    sy = np.flatnonzero(sparse.y_weights_[:, 0])
    assert sx.size > 1 and sy.size > 1  # a support with room for re-weighting
    np.testing.assert_array_equal(np.flatnonzero(relaxed.x_weights_[:, 0]), sx)
    np.testing.assert_array_equal(np.flatnonzero(relaxed.y_weights_[:, 0]), sy)
    theirs = CCA(1, max_iter=5000, tol=1e-14).fit(X[:, sx], Y[:, sy])
    for ours, their in (
        (relaxed.x_weights_[sx, 0], theirs.x_weights_[:, 0]),
        (relaxed.y_weights_[sy, 0], theirs.y_weights_[:, 0]),
    ):
        their = their / np.linalg.norm(their)
        assert abs(ours @ their) == pytest.approx(1.0, abs=1e-8)
    exact = _gep_correlations(X[:, sx], Y[:, sy])[0]
    assert relaxed.canonical_correlations_[0] == pytest.approx(exact, abs=1e-10)
    assert relaxed.canonical_correlations_[0] >= sparse.canonical_correlations_[0] - 1e-12


def test_relax_on_support_with_identity_metric_is_the_restricted_singular_pair():
    # shrinkage=1 (Witten et al.'s PMD): the unpenalised criterion on the support is
    # u' S_xy v over unit vectors, maximised by the leading singular pair of the
    # restricted cross-covariance (numpy's SVD as the oracle).
    X, Y, *_ = make_sparse_two_view(300, 30, 25, n_nonzero=4, random_state=5)
    Xs, Ys = _standardise(X), _standardise(Y)
    u = np.zeros(30)
    v = np.zeros(25)
    u[[0, 3, 7, 11]] = [0.5, -0.2, 0.1, 0.3]
    v[[1, 2, 9]] = [0.4, 0.4, -0.1]
    ur, vr = relax_on_support(Xs, Ys, u, v)
    left, _, right_t = np.linalg.svd(Xs[:, [0, 3, 7, 11]].T @ Ys[:, [1, 2, 9]])
    assert abs(ur[[0, 3, 7, 11]] @ left[:, 0]) == pytest.approx(1.0, abs=1e-12)
    assert abs(vr[[1, 2, 9]] @ right_t[0]) == pytest.approx(1.0, abs=1e-12)
    assert np.count_nonzero(ur) == 4 and np.count_nonzero(vr) == 3
    assert ur @ u > 0  # signed like the weights it relaxes
    zero = np.zeros(25)
    assert relax_on_support(Xs, Ys, u, zero)[1] is zero  # nothing selected: unchanged


def test_relax_is_pmd_only():
    X, Y, *_ = make_sparse_two_view(60, 10, 10, random_state=0)
    with pytest.raises(ValueError, match="relax=True applies to method='pmd' only"):
        SparseCCA(1, method="primal_dual", relax=True).fit(X, Y)
