"""SLOPE, SLOPEClassifier, slope_path and SLOPECV against independent oracles.

Tolerances: the solver stops at a relative duality gap of ``tol``; for a problem whose
loss is strongly convex on the support, ||b - b*||^2 <= 2 gap / mu, so a gap of 1e-14
times the null loss keeps coefficients within ~1e-7 of the optimum, which is what the
1e-6 relative comparisons (with an absolute floor of 1e-8) need.
"""

import numpy as np
import pytest
from joblib import parallel_config
from scipy import optimize, sparse
from sklearn.base import is_classifier
from sklearn.linear_model import Lasso

from sklreg.linear_model import SLOPE, SLOPECV, SLOPEClassifier, lambda_sequence, slope_path

sortedl1 = pytest.importorskip("sortedl1")


def _problem(seed, n=60, p=30, sparse_x=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1] = X[:, 0] + 0.3 * rng.standard_normal(n)  # a correlated pair
    y = X[:, :4] @ np.array([3.0, -2.0, 1.5, 1.0]) + 2.0 + rng.standard_normal(n)
    if sparse_x:
        X = sparse.random(n, p, density=0.3, random_state=seed, format="csc") * 3
        y = X[:, :4] @ np.array([3.0, -2.0, 1.5, 1.0]) + rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse_x", [False, True])
def test_squared_matches_sortedl1(seed, fit_intercept, sparse_x):
    X, y = _problem(seed, sparse_x=sparse_x)
    alpha = 0.05
    ref = sortedl1.Slope(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=10**6).fit(
        X, y
    )
    ours = SLOPE(alpha=alpha, fit_intercept=fit_intercept, standardize=False, tol=1e-14).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-6, abs=1e-8)
    assert ours.dual_gap_ <= 1e-10


def test_standardised_and_logistic_match_sortedl1():
    X, y = _problem(2)
    ref = sortedl1.Slope(alpha=0.05, scaling="sd", centering="mean", tol=1e-12, max_iter=10**6).fit(
        X, y
    )
    ours = SLOPE(alpha=0.05, tol=1e-14).fit(X, y)  # standardize=True by default
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    yb = (y > np.median(y)).astype(float)
    ref = sortedl1.Slope(alpha=0.01, loss="logistic", tol=1e-12, max_iter=10**6).fit(X, yb)
    ours = SLOPEClassifier(alpha=0.01, standardize=False, tol=1e-14).fit(X, yb)
    np.testing.assert_allclose(ours.coef_.ravel(), ref.coef_, rtol=1e-6, atol=1e-8)
    assert ours.intercept_[0] == pytest.approx(ref.intercept_, rel=1e-6)


@pytest.mark.slow  # skglm's numba jitclasses take ~40 s to compile on a cold cache
def test_matches_skglm_slope_penalty():
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Quadratic
    from skglm.penalties import SLOPE as SkglmSLOPE
    from skglm.solvers import FISTA

    X, y = _problem(3)
    alpha = 0.05
    lam = lambda_sequence("bh", X.shape[1])
    ref = GeneralizedLinearEstimator(
        Quadratic(),
        SkglmSLOPE(alpha * lam),
        FISTA(max_iter=100_000, tol=1e-13, opt_strategy="fixpoint"),
    ).fit(X, y)
    ours = SLOPE(alpha=alpha, fit_intercept=False, standardize=False, tol=1e-14).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)


def test_constant_lambda_is_the_lasso():
    X, y = _problem(4)
    w = np.random.default_rng(0).uniform(0.5, 2.0, X.shape[0])
    ref = Lasso(alpha=0.1, tol=1e-14, max_iter=100_000).fit(X, y, sample_weight=w)
    ours = SLOPE(alpha=0.1, lam=np.ones(X.shape[1]), standardize=False, tol=1e-14).fit(
        X, y, sample_weight=w
    )
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-6)


def test_oscar_matches_brute_force_epigraph_solve():
    # tiny problem: min (1/2n)||y - Xb||^2 + t  s.t.  t >= alpha * sum_j lam_j (u+v)_pi(j)
    # for every permutation pi (b = u - v, u, v >= 0): a smooth problem SLSQP solves.
    from itertools import permutations

    rng = np.random.default_rng(5)
    n, p = 15, 3
    X = rng.standard_normal((n, p))
    X[:, 1] = X[:, 0] + 0.2 * rng.standard_normal(n)
    y = X @ np.array([2.0, 1.5, -0.5]) + 0.3 * rng.standard_normal(n)
    alpha = 0.1
    lam = lambda_sequence("oscar", p, theta1=1.0, theta2=0.5)

    def obj(z):
        b = z[:p] - z[p : 2 * p]
        return 0.5 * np.mean((y - X @ b) ** 2) + z[-1]

    cons = [
        {
            "type": "ineq",
            "fun": (
                lambda z, pi=pi: (
                    z[-1] - alpha * sum(lam[j] * (z[pi[j]] + z[p + pi[j]]) for j in range(p))
                )
            ),
        }
        for pi in permutations(range(p))
    ]
    bounds = [(0, None)] * (2 * p) + [(None, None)]
    res = optimize.minimize(
        obj,
        np.full(2 * p + 1, 0.1),
        method="SLSQP",
        constraints=cons,
        bounds=bounds,
        options={"ftol": 1e-15, "maxiter": 2000},
    )
    ours = SLOPE(alpha=alpha, lam="oscar", fit_intercept=False, standardize=False, tol=1e-14).fit(
        X, y
    )
    # SLSQP converges to ~1e-8 in the variables (ftol 1e-15 on a well-conditioned QP)
    np.testing.assert_allclose(ours.coef_, res.x[:p] - res.x[p : 2 * p], atol=1e-6)


def test_screened_path_equals_unscreened_with_a_strong_rule_violation():
    # A design found by search where the strong rule discards a feature that the next
    # solution needs: the KKT check must add it back.
    rng = np.random.default_rng(87)
    n, p = 10, 40
    X = rng.standard_normal((n, p))
    X[:, 1] = X[:, 0] + 0.05 * rng.standard_normal(n)
    y = X[:, :3] @ np.array([3.0, -3.0, 1.0]) + 0.5 * rng.standard_normal(n)
    kw = dict(n_alphas=10, alpha_min_ratio=0.1, tol=1e-12, lam="oscar")
    _, c1, i1, info1 = slope_path(X, y, screening=True, **kw)
    _, c2, i2, info2 = slope_path(X, y, screening=False, **kw)
    assert info1.n_violations.sum() >= 1  # the strong rule was violated...
    np.testing.assert_allclose(c1, c2, atol=1e-7)  # ...and the answer is still exact
    np.testing.assert_allclose(i1, i2, atol=1e-7)
    assert np.all(info1.n_screened <= info2.n_screened)


@pytest.mark.parametrize("loss", ["squared", "logistic", "multinomial"])
def test_screened_path_equals_unscreened(loss):
    rng = np.random.default_rng(6)
    X = rng.standard_normal((40, 60))
    z = X[:, :3] @ np.array([2.0, -2.0, 1.0])
    y = {
        "squared": z,
        "logistic": (z > 0).astype(float),
        "multinomial": np.digitize(z, [-1.0, 1.0]),
    }[loss]
    kw = dict(loss=loss, n_alphas=8, alpha_min_ratio=0.05, tol=1e-10, standardize=True)
    _, c1, _, info1 = slope_path(X, y, screening=True, **kw)
    _, c2, _, info2 = slope_path(X, y, screening=False, **kw)
    # both stop at a relative gap of 1e-10: coefficients agree to ~sqrt(gap) ~ 1e-5
    np.testing.assert_allclose(c1, c2, atol=1e-4)
    assert info1.n_touched.max() < X.shape[1]  # screening did discard features
    assert np.all(info1.gaps <= 1e-8)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sparse_x", [False, True])
def test_logistic_proximal_newton_matches_fista_and_sortedl1(fit_intercept, sparse_x):
    # The binary logistic model is solved by proximal Newton (IRLS around the hybrid CD);
    # FISTA through the same path driver and sortedl1 are two independent solvers of
    # the same problem. All stop at a gap of ~1e-14 of the null loss, so coefficients
    # agree to ~1e-7 (module docstring), within the 1e-6 relative / 1e-8 absolute bound.
    from sklreg.linear_model._datafits import Logistic
    from sklreg.linear_model._slope import make_design
    from sklreg.linear_model._solver import (
        _fista_subproblem,
        select_subproblem,
        solve_path,
        solve_subproblem_newton,
    )
    from sklreg.linear_model._sorted_l1 import SortedL1

    X, y = _problem(11, n=80, p=20, sparse_x=sparse_x)
    yb = (y > np.median(y)).astype(float)
    alpha = 0.01
    ours = SLOPEClassifier(alpha, fit_intercept=fit_intercept, standardize=False, tol=1e-14)
    ours.fit(X, yb)
    ref = sortedl1.Slope(
        alpha=alpha, loss="logistic", fit_intercept=fit_intercept, tol=1e-12, max_iter=10**6
    ).fit(X, yb)
    np.testing.assert_allclose(ours.coef_.ravel(), ref.coef_, rtol=1e-6, atol=1e-8)
    if fit_intercept:
        assert ours.intercept_[0] == pytest.approx(ref.intercept_, rel=1e-6, abs=1e-8)
    assert ours.dual_gap_ <= 1e-14 * np.log(2) and np.count_nonzero(ours.coef_) >= 3

    w = np.ones(X.shape[0])
    design = make_design(X, w, fit_intercept=fit_intercept, standardize=False)
    datafit, penalty = Logistic(yb), SortedL1(lambda_sequence("bh", X.shape[1]))
    assert select_subproblem(datafit, penalty) is solve_subproblem_newton
    kw = dict(fit_intercept=fit_intercept, tol=1e-14)
    newton = solve_path(design, datafit, penalty, [alpha], **kw)
    fista = solve_path(design, datafit, penalty, [alpha], subproblem=_fista_subproblem, **kw)
    np.testing.assert_allclose(newton.coefs, fista.coefs, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(newton.intercepts, fista.intercepts, rtol=1e-6, atol=1e-8)
    # Newton converges in far fewer epochs than FISTA takes iterations
    assert newton.n_iter[0] < fista.n_iter[0]


@pytest.mark.parametrize("sparse_x", [False, True])
def test_squared_without_penalty_is_least_squares(sparse_x):
    # alpha = 0: no dual ball, so no gap to stop on; the unpenalised problem is solved
    # directly (LAPACK / LSQR) and must be scikit-learn's least squares (to ~1e-12 on a
    # well-conditioned 60 x 30 design, with the 1e-8 bound of the other oracles)
    from sklearn.linear_model import LinearRegression

    X, y = _problem(15, sparse_x=sparse_x)
    ours = SLOPE(alpha=0.0, standardize=False).fit(X, y)
    # the dense solve (LAPACK) as the reference: its sparse solver stops at lsqr's 1e-6
    ref = LinearRegression().fit(X.toarray() if sparse_x else X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-8)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-8, abs=1e-8)


def test_logistic_without_penalty_is_logistic_regression():
    # alpha = 0: the gap certifies nothing (no dual ball), the Newton solver must still
    # run to the optimum; scikit-learn's lbfgs at tol 1e-12 is the oracle
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(13)
    X = rng.standard_normal((200, 5))
    y = (X[:, 0] + rng.standard_normal(200) > 0).astype(int)
    ours = SLOPEClassifier(alpha=0.0, standardize=False, tol=1e-12).fit(X, y)
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-6)


def test_logistic_sample_weights_are_repeated_rows():
    # the IRLS weights multiply the sample weights: an integer weight is a repeated row
    X, y = _problem(12, n=60, p=10)
    yb = (y > np.median(y)).astype(float)
    w = np.ones(60)
    w[:10] = 3.0
    rep = np.concatenate([np.arange(60), np.arange(10), np.arange(10)])
    kw = dict(alpha=0.01, tol=1e-14)
    weighted = SLOPEClassifier(**kw).fit(X, yb, sample_weight=w)
    repeated = SLOPEClassifier(**kw).fit(X[rep], yb[rep])
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-6)


def test_alpha_max_is_where_the_path_starts():
    X, y = _problem(7)
    alphas, coefs, _, info = slope_path(X, y, n_alphas=3)
    assert alphas[0] == pytest.approx(info.alpha_max)
    assert np.all(coefs[:, 0] == 0)
    just_below = SLOPE(alpha=0.999 * info.alpha_max, standardize=False).fit(X, y)
    assert np.any(just_below.coef_ != 0)


def test_sparse_equals_dense_and_warm_start():
    X, y = _problem(8, sparse_x=True)
    kw = dict(alpha=0.02, tol=1e-13)
    d = SLOPE(**kw).fit(X.toarray(), y)
    s = SLOPE(**kw).fit(X, y)
    r = SLOPE(**kw).fit(X.tocsr(), y)
    np.testing.assert_allclose(s.coef_, d.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(r.coef_, d.coef_, rtol=1e-7, atol=1e-9)
    warm = SLOPE(alpha=0.05, warm_start=True, tol=1e-13).fit(X, y)
    warm.set_params(alpha=0.02).fit(X, y)
    np.testing.assert_allclose(warm.coef_, d.coef_, rtol=1e-7, atol=1e-9)


def test_multinomial_certificate_and_probabilities():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((90, 5))
    y = np.digitize(X[:, 0] + 0.3 * rng.standard_normal(90), [-0.5, 0.5])
    clf = SLOPEClassifier(alpha=0.005, tol=1e-12).fit(X, y)
    assert clf.coef_.shape == (3, 5) and clf.dual_gap_ <= 1e-10
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    # the label noise (sd 0.3 around thresholds +-0.5) makes ~20% of labels ambiguous
    assert clf.score(X, y) > 0.7


def test_slopecv_parallel_equals_serial():
    X, y = _problem(10)
    a = SLOPECV(n_alphas=10, cv=3, n_jobs=1).fit(X, y)
    with parallel_config(backend="threading"):  # no process start-up in the test
        b = SLOPECV(n_alphas=10, cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(a.mse_path_, b.mse_path_)
    assert a.alpha_ == b.alpha_ and a.n_screened_path_.shape == (10,)
    # CV picks an alpha below alpha_max on a problem with strong signal
    assert a.alpha_ < a.alphas_[0] and np.count_nonzero(a.coef_) >= 3


def test_max_clusters_stops_the_path_and_cuts_the_cv_grid():
    X, y = _problem(14, n=30, p=60)
    kw = dict(n_alphas=12, alpha_min_ratio=1e-2, tol=1e-8)
    a_all, c_all, _, _ = slope_path(X, y, max_clusters=None, **kw)
    a_cut, c_cut, i_cut, info = slope_path(X, y, max_clusters=6, **kw)

    def n_clusters(c):  # sortedl1's count: distinct magnitudes, zero included
        return np.unique(np.abs(c)).size

    k = len(a_cut)
    assert 1 < k < len(a_all) and info.gaps.shape == (k,) and i_cut.shape == (k,)
    # it stops at the first step with 6 clusters, with the same solutions
    assert n_clusters(c_cut[:, -1]) >= 6
    assert all(n_clusters(c_cut[:, j]) < 6 for j in range(k - 1))
    np.testing.assert_array_equal(a_cut, a_all[:k])
    np.testing.assert_allclose(c_cut, c_all[:, :k], atol=1e-10)
    cv = SLOPECV(cv=3, max_clusters=6, standardize=False, **kw).fit(X, y)
    np.testing.assert_array_equal(cv.alphas_, a_cut)
    assert cv.mse_path_.shape == (k, 3) and cv.coef_path_.shape == (60, k)
    with pytest.raises(ValueError, match="max_clusters must be"):
        slope_path(X, y, max_clusters=0, **kw)
    with pytest.raises(ValueError, match="max_clusters must be"):
        slope_path(X, y, max_clusters="all", **kw)


@pytest.mark.parametrize("seed", [0, 2])
def test_default_path_end_is_sortedl1s(seed):
    # sortedl1's default path stops once the coefficients have n_samples + 1 clusters
    # (zero included): the fit interpolates. Only that rule may act in sortedl1
    # (tol_dev_change=0, tol_dev_ratio=1); without an intercept a p > n path reaches
    # it inside the default grid (here after about half of the 100 alphas, so a cut
    # one step early or late would show). Both default grids run from the same
    # alpha_max to 1e-2 alpha_max; tolerances are tight so that the cluster ties
    # (exact in both coordinate descents) are resolved alike.
    rng = np.random.default_rng(seed)
    n, p = 10, 40
    X = rng.standard_normal((n, p))
    y = X[:, :4] @ np.array([3.0, -2.0, 1.5, 1.0]) + rng.standard_normal(n)
    ref = sortedl1.Slope(fit_intercept=False, tol=1e-12, max_iter=10**6).path(
        X, y, tol_dev_change=0, tol_dev_ratio=1.0
    )
    alphas, coefs, _, _ = slope_path(X, y, fit_intercept=False, tol=1e-10)
    k = len(alphas)
    assert 1 < k < 100 and k == np.asarray(ref.alphas).size
    np.testing.assert_allclose(alphas, np.ravel(ref.alphas), rtol=1e-8)
    assert np.unique(np.abs(coefs[:, -1])).size == n + 1
    # None runs every alpha it is given, past the default end
    longer = np.geomspace(alphas[0], alphas[-1] / 2, k + 3)
    assert len(slope_path(X, y, alphas=longer, fit_intercept=False)[0]) < k + 3
    a_all = slope_path(X, y, alphas=longer, fit_intercept=False, max_clusters=None)[0]
    np.testing.assert_array_equal(a_all, longer)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"lam": [1.0, 2.0] + [0.5] * 28}, "non-increasing"),
        ({"lam": [1.0] * 29 + [-0.5]}, "non-negative"),
        ({"lam": [1.0] * 5}, "length 30"),
    ],
)
def test_bad_lambda(params, match):
    X, y = _problem(0)
    with pytest.raises(ValueError, match=match):
        SLOPE(**params).fit(X, y)


def test_bad_input():
    X, y = _problem(0)
    with pytest.raises(ValueError, match="one class"):
        SLOPEClassifier().fit(X, np.ones(X.shape[0]))
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SLOPE().fit(Xn, y)
    Xi = X.copy()
    Xi[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        SLOPE().fit(Xi, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SLOPE().fit(X, y[:-1])
    # a negative weight makes the loss non-convex (all -1 used to fit silently)
    for est in (SLOPE(), SLOPECV(n_alphas=3), SLOPEClassifier()):
        target = (y > y.mean()).astype(int) if is_classifier(est) else y
        with pytest.raises(ValueError, match="Negative values.*sample_weight"):
            est.fit(X, target, sample_weight=np.where(np.arange(len(y)) == 0, -1.0, 1.0))
    with pytest.raises(ValueError, match="Negative values.*sample_weight"):
        slope_path(X, y, sample_weight=-np.ones(len(y)))
    model = SLOPE().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :5])


@pytest.mark.parametrize("sparse_x", [False, True])
def test_constant_columns_give_the_intercept_only_model(sparse_x):
    # centred, a constant column is zero: the gradient at zero is rounding noise, which
    # used to set a tiny alpha_max and a path of ill-posed problems (OverflowError)
    _, y = _problem(0)
    X = np.tile([2.0, -1.0, 0.5], (len(y), 1))
    X = sparse.csc_matrix(X) if sparse_x else X
    alphas, coefs, intercepts, info = slope_path(X, y, n_alphas=5)
    assert info.alpha_max == 0.0
    assert np.all(coefs == 0)
    np.testing.assert_allclose(intercepts, y.mean())
    cv = SLOPECV(n_alphas=5, cv=3).fit(X, y)
    assert np.all(cv.coef_ == 0)
    np.testing.assert_allclose(cv.predict(X), y.mean())
    labels = (y > np.median(y)).astype(int)
    proba = SLOPEClassifier().fit(X, labels).predict_proba(X[:1])
    np.testing.assert_allclose(proba, [[1 - labels.mean(), labels.mean()]])
    # a column constant on the rows of positive weight only: zero-weight rows differ
    X2 = np.asarray(X.todense() if sparse_x else X).copy()
    X2[0] = 9.0
    weights = np.ones(len(y))
    weights[0] = 0.0
    _, coefs, _, info = slope_path(X2, y, sample_weight=weights, n_alphas=5)
    assert info.alpha_max == 0.0 and np.all(coefs == 0)


def _cluster_objective(z, k, h, x, values, sizes, lam):
    """h/2 (z - x)^2 + sorted-L1 norm with cluster ``k`` at magnitude(s) ``z``."""
    z = np.atleast_1d(z)
    mags = np.tile(np.repeat(values, sizes).astype(float), (z.size, 1))
    start = int(np.sum(sizes[:k]))
    mags[:, start : start + sizes[k]] = z[:, None]
    pen = -np.sort(-mags, axis=1) @ lam[: mags.shape[1]]
    return 0.5 * h * (z - x) ** 2 + pen


def test_cluster_threshold_matches_brute_force_1d_minimisation():
    # The hybrid CD's cluster update must be the exact minimiser, over the cluster's
    # magnitude z >= 0, of h/2 (z - x)^2 + sorted-L1 norm with the other clusters
    # fixed. Oracle: a dense grid refined by scipy's bounded scalar minimiser, on the
    # penalty evaluated by sorting (independent of the slot bookkeeping).
    from functools import partial

    from sklreg.linear_model._solver import _slope_threshold

    rng = np.random.default_rng(11)
    grid = np.linspace(0, 6, 6001)
    for trial in range(200):
        sizes = rng.integers(1, 4, rng.integers(2, 6))
        values = np.sort(rng.choice(np.arange(1, 40), sizes.size, replace=False) / 10)[::-1]
        cptr = np.concatenate(([0], np.cumsum(sizes)))
        lam = np.sort(rng.uniform(0, 1, cptr[-1] + int(rng.integers(0, 4))))[::-1]
        cumlam = np.concatenate(([0.0], np.cumsum(lam)))
        k = int(rng.integers(0, sizes.size))
        h, x = rng.uniform(0.5, 3), rng.uniform(0, 5)
        if trial % 4 == 0:  # aim at a kink: the minimiser merges with another cluster
            j = (k + 1) % sizes.size
            x = values[j] + rng.uniform(0.1, 1.0) * lam[: sizes[k]].sum() / h
        objective = partial(_cluster_objective, k=k, h=h, x=x, values=values, sizes=sizes, lam=lam)
        z, where, merge = _slope_threshold(x, h, k, k, sizes[k], cptr, values, sizes.size, cumlam)
        best = grid[np.argmin(objective(grid))]
        ref = optimize.minimize_scalar(
            lambda t, f=objective: float(f(t)[0]),
            bounds=(max(0.0, best - 2e-3), best + 2e-3),
            method="bounded",
            options={"xatol": 1e-12},
        )
        z_ref = ref.x if objective(ref.x)[0] < objective(best)[0] else best
        # the objective is h-strongly convex (h >= 0.5): a point within 1e-12 of the
        # minimal value is within sqrt(2e-12 / h) = 2e-6 of the minimiser; the grid +
        # bounded search finds it to ~1e-9, so 1e-5 bounds both errors together
        assert objective(z)[0] <= objective(z_ref)[0] + 1e-12
        assert abs(z - z_ref) < 1e-5
        if merge:
            assert z == values[where] and where != k


def test_sparse_design_is_never_densified(monkeypatch):
    # memory: the solver reads sparse X column by column (CSC arrays of the working
    # set); a densifying call would make memory O(n p).
    X, y = _problem(12, n=80, p=200, sparse_x=True)

    def refuse(*args, **kwargs):
        raise AssertionError("sparse X was densified")

    for cls in (sparse.csc_matrix, sparse.csr_matrix):
        monkeypatch.setattr(cls, "toarray", refuse)
        monkeypatch.setattr(cls, "todense", refuse)
    _, coefs, _, info = slope_path(X, y, n_alphas=10, tol=1e-8)
    assert np.count_nonzero(coefs[:, -1]) > 0 and info.gaps.max() <= 1e-6
    yb = (y > np.median(y)).astype(float)  # the proximal Newton path reads it the same way
    _, coefs, _, info = slope_path(X, yb, loss="logistic", n_alphas=10, tol=1e-8)
    assert np.count_nonzero(coefs[:, -1]) > 0 and info.gaps.max() <= 1e-6


@pytest.mark.parametrize("sparse_x", [False, True])
def test_heavily_clustered_oscar_matches_sortedl1(sparse_x):
    # OSCAR weights on blocks of near-copies make many clusters of equal |b_j| that
    # merge, split and move past each other: the hybrid CD's cluster bookkeeping is
    # exercised on every step, and the answer must still be sortedl1's.
    rng = np.random.default_rng(13)
    n, p = 50, 40
    base = rng.standard_normal((n, 8))
    X = np.repeat(base, 5, axis=1) + 0.1 * rng.standard_normal((n, p))
    y = X[:, :10] @ rng.choice([-1.0, 1.0], 10) + 0.5 * rng.standard_normal(n)
    if sparse_x:
        X = sparse.csc_matrix(X * (rng.uniform(size=(n, p)) < 0.5))
    lam = lambda_sequence("oscar", p, theta1=0.5, theta2=0.05)
    ref = sortedl1.Slope(lam=lam, alpha=0.05, tol=1e-12, max_iter=10**6).fit(X, y)
    ours = SLOPE(alpha=0.05, lam=lam, standardize=False, tol=1e-14).fit(X, y)
    assert np.unique(np.abs(ours.coef_[ours.coef_ != 0])).size < np.count_nonzero(ours.coef_)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)


def test_cd_epoch_keeps_the_cluster_lists_exact():
    # The epoch's gap-buffer bookkeeping (zeroed and merged clusters leave a gap that
    # is closed once per epoch): after every epoch the cluster arrays must describe
    # exactly the clusters of beta (by decreasing magnitude), the residual must be
    # y - X beta, and the objective must not increase (each cluster update is an
    # exact minimisation; 1e-12 relative slack for rounding). Strong OSCAR weights
    # from a spread-out start make many clusters zero, merge and move in each epoch.
    from sklreg.linear_model._solver import _cd_epoch, _Columns, _rebuild_clusters

    rng = np.random.default_rng(5)
    n, p = 40, 120
    for sparse_x in (False, True):
        X = rng.standard_normal((n, p))
        if sparse_x:
            X = sparse.csc_matrix(X * (rng.uniform(size=(n, p)) < 0.3))
        y = rng.standard_normal(n)
        cols = _Columns(X, np.arange(p))
        w = np.full(n, 1.0 / n)
        mu, inv_sigma = np.zeros(p), np.ones(p)
        lam = 0.02 * lambda_sequence("oscar", p, theta1=1.0, theta2=0.05)
        cumlam = np.concatenate(([0.0], np.cumsum(lam)))
        hdiag = cols.weighted_sq_norms(w)
        beta = np.round(rng.standard_normal(p), 1)  # ties: clusters from the start
        ru = y - cols.matvec(beta)
        shift = np.zeros(1)
        order, cptr = np.zeros(p, np.int64), np.zeros(p + 1, np.int64)
        cval, tmp, buf = np.zeros(p), np.zeros(p, np.int64), np.zeros(n)

        def objective(b, y=y, cols=cols, w=w, lam=lam):
            r = y - cols.matvec(b)
            return 0.5 * float(w @ r**2) + float(np.sort(np.abs(b))[::-1] @ lam)

        nc = _rebuild_clusters(beta, order, cptr, cval)
        f_prev, moves = objective(beta), 0
        for _ in range(6):
            nc_before = nc
            nc = _cd_epoch(
                beta, ru, shift, order, cptr, cval, nc, cumlam, hdiag, mu, inv_sigma, w,
                cols.is_sparse, cols.Xt, *cols.args, buf, tmp,
            )  # fmt: skip
            moves += abs(nc - nc_before)
            mags = np.abs(beta)
            values = np.unique(mags[mags > 0])[::-1]
            assert nc == values.size
            np.testing.assert_array_equal(cval[:nc], values)
            assert cptr[0] == 0 and cptr[nc] == np.count_nonzero(beta)
            for c in range(nc):
                members = order[cptr[c] : cptr[c + 1]]
                assert np.all(mags[members] == values[c])
                assert members.size == np.count_nonzero(mags == values[c])
            np.testing.assert_allclose(ru, y - cols.matvec(beta), atol=1e-12)
            f = objective(beta)
            assert f <= f_prev * (1 + 1e-12)
            f_prev = f
        assert moves > 10  # the epochs did zero / merge clusters
