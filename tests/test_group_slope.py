"""Group SLOPE and Sparse-group SLOPE: oracles, screening, estimators and bad input."""

import itertools

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog, minimize

from sklreg.datasets import make_sparse_slope_regression
from sklreg.linear_model import (
    SLOPE,
    GroupSLOPE,
    GroupSLOPEClassifier,
    GroupSLOPECV,
    SLOPEClassifier,
    SparseGroupSLOPE,
    SparseGroupSLOPEClassifier,
    SparseGroupSLOPECV,
    group_slope_path,
    sparse_group_slope_path,
)
from sklreg.linear_model._group_penalties import (
    group_slope_norm,
    prox_group_slope,
    prox_sparse_group_slope,
)

# ---------------------------------------------------------------- brute-force oracle


def _epigraph_solve(smooth, p, n_extra, group_ids, weights, lam, gamma, a, x0):
    """Minimise ``smooth(x) + a * SLOPE_lam(x) + (1 - a) * gSLOPE_gamma(x)`` by SLSQP.

    An epigraph form independent of sklreg's code: ``u >= |x|`` entrywise, ``t_g >= w_g
    ||x_g||`` (as ``t_g^2 >= w_g^2 ||x_g||^2``, ``t_g >= 0``), and ``s1 >= sum_i lam_i
    u_pi(i)``, ``s2 >= sum_i gamma_i t_pi(i)`` for every permutation ``pi`` (the sorted
    norm is the largest of these sums). ``n_extra`` unpenalised variables (an
    intercept) follow the ``p`` coefficients.
    """
    m = weights.size
    d = p + n_extra
    nu, nt = p, m
    sl_x, sl_u = slice(0, d), slice(d, d + nu)
    sl_t = slice(d + nu, d + nu + nt)
    i_s1, i_s2 = d + nu + nt, d + nu + nt + 1

    def objective(z):
        return smooth(z[sl_x]) + a * z[i_s1] + (1 - a) * z[i_s2]

    cons = [
        {"type": "ineq", "fun": lambda z: z[sl_u] - z[:p]},
        {"type": "ineq", "fun": lambda z: z[sl_u] + z[:p]},
        {"type": "ineq", "fun": lambda z: z[sl_t]},
        {
            "type": "ineq",
            "fun": lambda z: (
                z[sl_t] ** 2 - weights**2 * np.bincount(group_ids, weights=z[:p] ** 2, minlength=m)
            ),
        },
    ]
    perms_p = np.array(list(itertools.permutations(range(p))))
    perms_m = np.array(list(itertools.permutations(range(m))))
    if a > 0:
        cons.append({"type": "ineq", "fun": lambda z: z[i_s1] - z[sl_u][perms_p] @ lam})
    if a < 1:
        cons.append({"type": "ineq", "fun": lambda z: z[i_s2] - z[sl_t][perms_m] @ gamma})
    u0 = np.abs(x0[:p]) + 1e-3
    t0 = weights * np.sqrt(np.bincount(group_ids, weights=x0[:p] ** 2, minlength=m)) + 1e-3
    z0 = np.concatenate([x0, u0, t0, [np.sort(u0)[::-1] @ lam + 1, np.sort(t0)[::-1] @ gamma + 1]])
    res = minimize(
        objective, z0, method="SLSQP", constraints=cons,
        options={"ftol": 1e-14, "maxiter": 500},
    )  # fmt: skip
    return res.x[sl_x], res.fun


def _sgs_objective(smooth_value, b, lam, gamma, a):
    l1 = np.sort(np.abs(b))[::-1] @ lam
    return smooth_value + a * l1 + (1 - a) * group_slope_norm(b, GROUPS, WEIGHTS, gamma)


GROUPS = np.array([0, 1, 1, 2, 2, 2])  # sizes 1, 2, 3: unequal weights sqrt(p_g)
WEIGHTS = np.sqrt(np.bincount(GROUPS)).astype(float)


def _group_dual_norm_lp(u, group_ids, weights, lam):
    """Dual norm of the group SLOPE norm by linear programming (independent oracle).

    ``J*(u) = max u'x s.t. J(x) <= 1``; aligning ``x_g`` with ``u_g`` leaves the group
    norms ``c >= 0``: maximise ``sum_g c_g ||u_g||`` s.t. ``sum_i lam_i w_pi(i) c_pi(i) <=
    1`` for every permutation ``pi`` (the sorted norm is the largest such sum).
    """
    m = weights.size
    un = np.sqrt(np.bincount(group_ids, weights=u**2, minlength=m))
    A = np.zeros((0, m))
    for perm in itertools.permutations(range(m)):
        row = np.zeros(m)
        row[list(perm)] = lam * weights[list(perm)]
        A = np.vstack([A, row])
    res = linprog(-un, A_ub=A, b_ub=np.ones(len(A)), bounds=[(0, None)] * m, method="highs")
    return -res.fun


def _assert_group_subgradient(u, b, scale, group_ids, weights, lam, tol):
    """``u`` is in ``scale * dJ(b)`` iff ``J*(u) <= scale`` and ``u'b = scale * J(b)``."""
    assert _group_dual_norm_lp(u, group_ids, weights, lam) <= scale * (1 + tol)
    assert abs(u @ b - scale * group_slope_norm(b, group_ids, weights, lam)) <= tol * scale


def test_group_prox_satisfies_lp_optimality_certificate():
    rng = np.random.default_rng(0)
    lam = np.array([1.2, 0.7, 0.3])
    for _ in range(4):
        v = 2 * rng.standard_normal(6)
        x = prox_group_slope(v, 0.8, GROUPS, WEIGHTS, lam)
        # x = prox(v) iff v - x is a subgradient of 0.8 J at x
        _assert_group_subgradient(v - x, x, 0.8, GROUPS, WEIGHTS, lam, 1e-9)

        # and the SLSQP epigraph solve finds nothing better
        def F(b, v=v):
            return 0.5 * np.sum((b - v) ** 2) + group_slope_norm(b, GROUPS, WEIGHTS, 0.8 * lam)

        x_or, _ = _epigraph_solve(
            lambda b, v=v: 0.5 * np.sum((b - v) ** 2), 6, 0, GROUPS, WEIGHTS,
            np.zeros(6), 0.8 * lam, 0.0, v.copy(),
        )  # fmt: skip
        assert F(x) <= F(x_or) + 1e-10


def test_sparse_group_prox_matches_brute_force():
    rng = np.random.default_rng(1)
    lam = np.linspace(1.0, 0.2, 6)
    gamma = np.array([1.0, 0.6, 0.3])
    for a in (0.3, 0.7):
        v = 2 * rng.standard_normal(6)
        ours = prox_sparse_group_slope(v, 0.9, GROUPS, WEIGHTS, lam, gamma, a)

        def F(b, v=v, a=a):
            return _sgs_objective(0.5 * np.sum((b - v) ** 2), b, 0.9 * lam, 0.9 * gamma, a)

        for start in (v.copy(), np.zeros(6)):
            x, _ = _epigraph_solve(
                lambda b, v=v: 0.5 * np.sum((b - v) ** 2), 6, 0, GROUPS, WEIGHTS,
                0.9 * lam, 0.9 * gamma, a, start,
            )  # fmt: skip
            # the independent solver finds no better point (its x is checked on the
            # exact objective, not on its epigraph value)
            assert F(ours) <= F(x) + 1e-10
            # and lands on ours wherever it is not stuck at a kink (strong convexity)
            assert np.linalg.norm(ours - x) <= np.sqrt(2 * max(F(x) - F(ours), 0)) + 1e-3


def test_sparse_group_prox_equal_weights_matches_brute_force():
    # equal group sizes take the compiled splitting loop: same oracle, groups of 2
    groups, weights = np.array([0, 0, 1, 1]), np.full(2, np.sqrt(2.0))
    rng = np.random.default_rng(2)
    lam, gamma = np.array([1.0, 0.7, 0.4, 0.2]), np.array([0.8, 0.3])
    for a in (0.2, 0.5, 0.8):
        v = 2 * rng.standard_normal(4)
        ours = prox_sparse_group_slope(v, 0.9, groups, weights, lam, gamma, a)

        def F(b, v=v, a=a):
            l1 = np.sort(np.abs(b))[::-1] @ (0.9 * lam)
            gs = group_slope_norm(b, groups, weights, 0.9 * gamma)
            return 0.5 * np.sum((b - v) ** 2) + a * l1 + (1 - a) * gs

        x, _ = _epigraph_solve(
            lambda b, v=v: 0.5 * np.sum((b - v) ** 2), 4, 0, groups, weights,
            0.9 * lam, 0.9 * gamma, a, v.copy(),
        )  # fmt: skip
        assert F(ours) <= F(x) + 1e-10
        # 1-strong convexity: ||ours - x||^2 / 2 <= F(x) - F(ours) (+ SLSQP slack)
        assert np.linalg.norm(ours - x) <= np.sqrt(2 * max(F(x) - F(ours), 0)) + 1e-3


def _tiny_problem(seed=0, n=40):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 6))
    y = X @ np.array([1.5, -1.0, 0.8, 0.0, 0.0, 0.0]) + 0.5 * rng.standard_normal(n) + 2.0
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_group_slope_satisfies_optimality_certificate(fit_intercept):
    X, y = _tiny_problem()
    n = X.shape[0]
    lam = np.array([1.0, 0.95, 0.9])
    kw = dict(groups=GROUPS, lam=lam, standardize=False, fit_intercept=fit_intercept)
    # the first alpha below alpha_max where some group is zero and some is not
    alpha_max = GroupSLOPE(1.0, **kw).fit(X, y).alpha_max_
    for alpha in alpha_max * np.array([0.9, 0.8, 0.7, 0.6, 0.5]):
        model = GroupSLOPE(alpha, tol=1e-13, **kw).fit(X, y)
        if 0 < np.count_nonzero(model.coef_) < 6:
            break
    assert 0 < np.count_nonzero(model.coef_) < 6  # the penalty removed a group
    # optimality: -grad f(b) = X'r / n lies in alpha * dJ(b) (LP certificate, with the
    # tolerance of a duality gap of 1e-13 relative), and the intercept zeroes sum(r)
    r = y - X @ model.coef_ - model.intercept_
    _assert_group_subgradient(X.T @ r / n, model.coef_, alpha, GROUPS, WEIGHTS, lam, 1e-5)
    if fit_intercept:
        assert abs(r.mean()) < 1e-8


def test_sparse_group_slope_matches_brute_force():
    X, y = _tiny_problem(1)
    n = X.shape[0]
    lam, gamma = np.linspace(1.0, 0.3, 6), np.array([1.0, 0.6, 0.2])
    model = SparseGroupSLOPE(
        0.2, groups=GROUPS, l1_ratio=0.4, lam=lam, group_lam=gamma, standardize=False,
        tol=1e-10,
    ).fit(X, y)  # fmt: skip

    def loss(z):
        r = y - X @ z[:6] - z[6]
        return r @ r / (2 * n)

    x0 = np.concatenate([model.coef_, [model.intercept_]])
    x, _ = _epigraph_solve(loss, 6, 1, GROUPS, WEIGHTS, 0.2 * lam, 0.2 * gamma, 0.4, x0)
    np.testing.assert_allclose(model.coef_, x[:6], atol=5e-5)
    assert abs(model.intercept_ - x[6]) < 5e-5


def test_group_slope_with_singleton_groups_is_slope():
    X, y = _tiny_problem(2, n=60)
    ours = GroupSLOPE(0.05, tol=1e-12).fit(X, y)
    ref = SLOPE(0.05, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    rng = np.random.default_rng(0)
    yc = (X[:, 0] + rng.standard_normal(60) > 0).astype(int)
    ours = GroupSLOPEClassifier(0.02, tol=1e-12).fit(X, yc)
    ref = SLOPEClassifier(0.02, tol=1e-12).fit(X, yc)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    # Sparse-group SLOPE with l1_ratio=1 is SLOPE too
    ours = SparseGroupSLOPE(0.05, groups=GROUPS, l1_ratio=1.0, tol=1e-10).fit(X, y)
    ref = SLOPE(0.05, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)


def _violation_design(seed):
    """Features that are signed copies of 3 factors: gradients move faster than the
    unit-slope bound of the strong rule assumes (seeds found by a search)."""
    rng = np.random.default_rng(seed)
    n, p = 40, 12
    Z = rng.standard_normal((n, 3))
    X = Z[:, rng.integers(0, 3, p)] * rng.choice([-1, 1], p) + 0.3 * rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    return X, y, np.repeat(np.arange(6), 2)


@pytest.mark.parametrize("path, seed", [(group_slope_path, 38), (sparse_group_slope_path, 0)])
def test_screened_path_equals_unscreened_and_kkt_catches_violations(path, seed):
    X, y, groups = _violation_design(seed)
    kw = dict(groups=groups, n_alphas=20, alpha_min_ratio=1e-2, tol=1e-10)
    a1, c1, i1, info1 = path(X, y, screening=True, **kw)
    a0, c0, i0, info0 = path(X, y, screening=False, **kw)
    np.testing.assert_array_equal(a1, a0)
    # the strong rule was violated on this design and the KKT check added the features
    assert info1.n_violations.sum() > 0
    assert info0.n_violations.sum() == 0
    # both solutions are within the solver tolerance of the (unique, n > p) optimum
    np.testing.assert_allclose(c1, c0, atol=1e-5)
    np.testing.assert_allclose(i1, i0, atol=1e-5)
    # screening did restrict the work somewhere on the path (step 0 is alpha_max)
    p = X.shape[1]
    assert info1.n_screened[1:].min() < p and np.all(info0.n_screened[1:] == p)


@pytest.mark.parametrize("path", [group_slope_path, sparse_group_slope_path])
def test_max_clusters_stops_the_path_early(path):
    X, y, groups, _ = make_sparse_slope_regression(
        30, 60, n_groups=12, n_nonzero=10, rho=0.3, random_state=1
    )
    kw = dict(groups=groups, n_alphas=15, alpha_min_ratio=1e-2, tol=1e-8)
    a_all, c_all, _, info_all = path(X, y, max_clusters=None, **kw)
    a_cut, c_cut, _, info_cut = path(X, y, max_clusters=8, **kw)

    def n_clusters(c):  # sortedl1's count: distinct magnitudes, zero included
        return np.unique(np.abs(c)).size

    k = len(a_cut)
    # it stops at the first step with 8 clusters, with the same solutions
    assert 1 < k < len(a_all)
    assert n_clusters(c_cut[:, -1]) >= 8
    assert all(n_clusters(c_cut[:, j]) < 8 for j in range(k - 1))
    np.testing.assert_array_equal(a_cut, a_all[:k])
    np.testing.assert_allclose(c_cut, c_all[:, :k], atol=1e-10)
    assert info_cut.n_active.shape == (k,)
    with pytest.raises(ValueError, match="max_clusters must be"):
        path(X, y, max_clusters=0, **kw)


def test_sparse_and_dense_and_weights_agree():
    X, y = _tiny_problem(3)
    X[np.abs(X) < 0.8] = 0.0
    for Est in (GroupSLOPE, SparseGroupSLOPE):
        dense = Est(0.05, groups=GROUPS, tol=1e-10).fit(X, y)
        sp = Est(0.05, groups=GROUPS, tol=1e-10).fit(sparse.csr_matrix(X), y)
        np.testing.assert_allclose(dense.coef_, sp.coef_, atol=1e-6)
        # an integer weight is a repeated row
        w = np.ones(len(y))
        w[:5] = 2
        rep = np.concatenate([np.arange(len(y)), np.arange(5)])
        weighted = Est(0.05, groups=GROUPS, tol=1e-10).fit(X, y, sample_weight=w)
        repeated = Est(0.05, groups=GROUPS, tol=1e-10).fit(X[rep], y[rep])
        np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-6)


def test_estimator_records_screening():
    X, y, groups, _ = make_sparse_slope_regression(
        50, 200, n_groups=40, n_nonzero=6, rho=0.3, random_state=0
    )
    alpha = 0.7 * GroupSLOPE(groups=groups).fit(X, y).alpha_max_
    on = GroupSLOPE(alpha, groups=groups).fit(X, y)
    off = GroupSLOPE(alpha, groups=groups, screening=False).fit(X, y)
    assert off.n_screened_ == 200 and on.n_screened_ < 200
    assert on.n_touched_ >= np.count_nonzero(on.coef_) > 0
    np.testing.assert_allclose(on.coef_, off.coef_, atol=1e-5)
    assert 0 <= on.dual_gap_


def test_classifiers_binary_and_predict_proba():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    groups = np.arange(30) % 10
    for Est in (GroupSLOPEClassifier, SparseGroupSLOPEClassifier):
        clf = Est(0.02, groups=groups).fit(X, y)
        assert clf.score(X, y) > 0.9
        np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
        # whole groups are zero or not (Group SLOPE), at the group level for SGS
        norms = np.bincount(groups, weights=clf.coef_[0] ** 2)
        assert np.any(norms == 0) or Est is SparseGroupSLOPEClassifier


def test_cv_parallel_folds_match_serial():
    X, y = _tiny_problem(4, n=60)
    serial = GroupSLOPECV(groups=GROUPS, n_alphas=5, cv=3).fit(X, y)
    parallel = GroupSLOPECV(groups=GROUPS, n_alphas=5, cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(serial.mse_path_, parallel.mse_path_)
    assert serial.alpha_ in serial.alphas_
    sgs = SparseGroupSLOPECV(groups=GROUPS, n_alphas=5, cv=3, tol=1e-5).fit(X, y)
    assert sgs.mse_path_.shape == (5, 3)
    # the chosen alpha minimises the mean CV error over the grid
    assert sgs.alpha_ == sgs.alphas_[np.argmin(sgs.mse_path_.mean(axis=1))]


@pytest.mark.parametrize(
    "Est, path", [(GroupSLOPECV, group_slope_path), (SparseGroupSLOPECV, sparse_group_slope_path)]
)
def test_cv_max_clusters_cuts_the_grid_like_the_path(Est, path):
    X, y, groups, _ = make_sparse_slope_regression(
        30, 60, n_groups=12, n_nonzero=10, rho=0.3, random_state=1
    )
    kw = dict(groups=groups, n_alphas=15, alpha_min_ratio=1e-2, tol=1e-8, standardize=True)
    a_cut, c_cut, _, _ = path(X, y, max_clusters=8, **kw)
    cv = Est(cv=3, max_clusters=8, **kw).fit(X, y)
    # the CV grid stops where the path function stops (a strict prefix of the full grid)
    assert 1 < len(a_cut) < 15
    np.testing.assert_array_equal(cv.alphas_, a_cut)
    np.testing.assert_allclose(cv.coef_path_, c_cut, atol=1e-10)
    assert cv.mse_path_.shape == (len(a_cut), 3)
    assert cv.alpha_ == cv.alphas_[np.argmin(cv.mse_path_.mean(axis=1))]
    assert Est().max_clusters == "auto"  # sortedl1's default path end, n_samples + 1
    with pytest.raises(ValueError, match="max_clusters"):
        Est(cv=3, max_clusters=0, **kw).fit(X, y)


# --------------------------------------------------------------------- bad input


@pytest.mark.parametrize("Est", [GroupSLOPE, SparseGroupSLOPE])
@pytest.mark.parametrize(
    "params, match",
    [
        ({"groups": [0, 0, 1]}, "one group id per feature"),
        ({"groups": [0, 0, 1, 1, 2, np.nan]}, "NaN"),
        ({"lam": [1.0, 2.0, 0.5]}, "non-increasing"),
        ({"lam": [1.0, 0.5, -0.1]}, "non-negative"),
        ({"group_weights": [1.0, 2.0]}, "group_weights"),
        ({"group_weights": [1.0, -2.0, 1.0]}, "group_weights"),
    ],
)
def test_bad_parameters(Est, params, match):
    X, y = _tiny_problem()
    params = {"groups": [0, 0, 1, 1, 2, 2], **params}
    if Est is SparseGroupSLOPE and "lam" in params:  # variable lambda: length p
        params["group_lam"] = params.pop("lam")
    with pytest.raises(ValueError, match=match):
        Est(**params).fit(X, y)


@pytest.mark.parametrize("Est", [GroupSLOPE, SparseGroupSLOPE, GroupSLOPEClassifier])
def test_bad_data(Est):
    X, y = _tiny_problem()
    if Est is GroupSLOPEClassifier:
        y = (y > y.mean()).astype(int)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Est().fit(X_nan, y)
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        Est().fit(X_inf, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Est().fit(X, y[:-1])
    with pytest.raises(ValueError, match="Negative values.*sample_weight"):
        Est().fit(X, y, sample_weight=np.where(np.arange(len(y)) == 0, -1.0, 1.0))
    fitted = Est().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X[:, :4])


@pytest.mark.parametrize(
    "path, CV",
    [(group_slope_path, GroupSLOPECV), (sparse_group_slope_path, SparseGroupSLOPECV)],
)
def test_constant_columns_give_the_intercept_only_model(path, CV):
    # centred, a constant column is zero: the rounding noise of its gradient used to set
    # a tiny alpha_max, below which the solver ran to max_iter on every alpha
    _, y = _tiny_problem()
    X = np.tile([2.0, -1.0, 0.5, 3.0, 1.0, 7.0], (len(y), 1))
    groups = [0, 0, 1, 1, 2, 2]
    alphas, coefs, intercepts, info = path(X, y, groups=groups, n_alphas=5)
    assert info.alpha_max == 0.0
    assert np.all(np.asarray(coefs) == 0)
    np.testing.assert_allclose(intercepts, y.mean())
    cv = CV(groups=groups, n_alphas=5, cv=3).fit(X, y)
    np.testing.assert_allclose(cv.predict(X), y.mean())


@pytest.mark.parametrize("Est", [GroupSLOPEClassifier, SparseGroupSLOPEClassifier])
def test_classifier_target_errors(Est):
    X, _ = _tiny_problem()
    with pytest.raises(ValueError, match="two classes"):
        Est().fit(X, np.ones(len(X)))
    with pytest.raises(ValueError, match="Only binary"):
        Est().fit(X, np.arange(len(X)) % 3)
    with pytest.raises(ValueError, match="Unknown label type"):
        Est().fit(X, np.linspace(0, 1, len(X)))
