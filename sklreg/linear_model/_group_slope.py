"""Group SLOPE and Sparse-group SLOPE: paths, estimators and cross-validation.

Group SLOPE (Brzyski et al., 2019) and Sparse-group SLOPE (Feser and Evangelou, 2023)
are solved by the working-set FISTA (with backtracking) and path driver of
:mod:`._group_solver`; the Sparse-group SLOPE prox is a compiled three-operator
splitting. Both paths use group-level strong screening (two-layer for Sparse-group
SLOPE: groups, then variables; Feser and Evangelou, 2024) followed by KKT checks on
every feature.
"""

import numbers

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.multiclass import check_classification_targets

from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
)
from ._datafits import Logistic, Quadratic
from ._group_penalties import GroupSLOPEPenalty, SparseGroupSLOPEPenalty
from ._group_solver import solve_group_path
from ._slope import _COMMON_CONSTRAINTS as _SLOPE_CONSTRAINTS
from ._slope import (
    _MAX_CLUSTERS_CONSTRAINT,
    _cv_fit,
    _default_alphas,
    _resolve_lambda,
    _to_original,
    check_weights,
    make_design,
)
from ._solver import null_model

__all__ = [
    "GroupSLOPE",
    "GroupSLOPECV",
    "GroupSLOPEClassifier",
    "SparseGroupSLOPE",
    "SparseGroupSLOPECV",
    "SparseGroupSLOPEClassifier",
    "check_groups",
    "group_slope_path",
    "sparse_group_slope_path",
]

_DATAFITS = {"squared": Quadratic, "logistic": Logistic}


def check_groups(groups, n_features):
    """Validate group labels: one per feature, relabelled ``0..n_groups-1``.

    Parameters
    ----------
    groups : array-like of shape (n_features,) or None
        Group label of every feature (any sortable values). None puts every feature in
        its own group.
    n_features : int
        Number of features of X.

    Returns
    -------
    group_ids : ndarray of shape (n_features,)
        Labels ``0..n_groups-1`` in the order of ``numpy.unique(groups)``.
    n_groups : int
        Number of groups.

    Examples
    --------
    >>> from sklreg.linear_model import check_groups
    >>> check_groups(["b", "a", "b"], 3)
    (array([1, 0, 1]), 2)
    """
    if groups is None:
        return np.arange(n_features), n_features
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n_features:
        raise ValueError(
            "groups must give one group id per feature: got shape "
            f"{groups.shape} for {n_features} features."
        )
    if groups.dtype.kind == "f" and not np.all(np.isfinite(groups)):
        raise ValueError("groups must not contain NaN or infinite ids.")
    _, ids = np.unique(groups, return_inverse=True)
    return ids.astype(np.intp), int(ids.max()) + 1 if ids.size else 0


def _group_weights(group_weights, group_ids, n_groups):
    sizes = np.bincount(group_ids, minlength=n_groups).astype(float)
    if isinstance(group_weights, str):  # "sqrt": w_g = sqrt(p_g)
        return np.sqrt(sizes)
    w = np.asarray(group_weights, dtype=np.float64)
    if w.shape != (n_groups,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError(
            f"group_weights must be {n_groups} positive finite numbers (one per group); "
            f"got shape {w.shape}."
        )
    return w


def _prepare(X, y, sample_weight, groups, loss):
    if sparse.issparse(X):
        X = X.tocsc()
    else:
        X = np.asarray(X, dtype=np.float64)
    sample_weight = check_weights(sample_weight, X)
    group_ids, n_groups = check_groups(groups, X.shape[1])
    y = np.asarray(y, dtype=np.float64)
    if loss == "logistic" and not np.all(np.isin(y, (0.0, 1.0))):
        raise ValueError('loss="logistic" needs labels in {0, 1}.')
    return X, y, sample_weight, group_ids, n_groups


def _gslope_penalty(lam, group_ids, n_groups, group_weights, n, q, theta1, theta2):
    weights = _group_weights(group_weights, group_ids, n_groups)
    lam = _resolve_lambda(lam, n_groups, n, q, theta1, theta2)
    return GroupSLOPEPenalty(group_ids, weights, lam)


def _sgs_penalty(lam, group_lam, l1_ratio, group_ids, n_groups, group_weights, n, q,
                 theta1, theta2):  # fmt: skip
    weights = _group_weights(group_weights, group_ids, n_groups)
    lam_v = _resolve_lambda(lam, group_ids.shape[0], n, q, theta1, theta2)
    lam_g = _resolve_lambda(group_lam, n_groups, n, q, theta1, theta2)
    return SparseGroupSLOPEPenalty(group_ids, weights, lam_v, lam_g, l1_ratio)


def _run_path(X, y, sample_weight, penalty, solver, *, loss, alphas, n_alphas,
              alpha_min_ratio, fit_intercept, standardize, screening, tol, max_iter,
              max_clusters="auto"):  # fmt: skip
    design = make_design(X, sample_weight, fit_intercept=fit_intercept, standardize=standardize)
    datafit = _DATAFITS[loss](y, sample_weight)
    n, p = X.shape
    if alphas is None:
        alpha_max = null_model(design, datafit, penalty, fit_intercept)[2]
        alphas = _default_alphas(alpha_max, n_alphas, alpha_min_ratio, n, p)
    res = solver(
        design, datafit, penalty, alphas, fit_intercept=fit_intercept,
        screening=screening, tol=tol, max_iter=max_iter, max_clusters=max_clusters,
    )  # fmt: skip
    coefs, intercepts = [], []
    for c, b in zip(res.coefs, res.intercepts):
        co, io = _to_original(design, c, b)
        coefs.append(co[:, 0])
        intercepts.append(float(io[0]))
    return res.alphas, np.array(coefs).T, np.array(intercepts), res


_PATH_DOC = """
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Design; sparse input stays sparse (centring and scaling are implicit).
    y : ndarray of shape (n_samples,)
        Targets; labels in {0, 1} for ``loss="logistic"``.
    groups : array-like of shape (n_features,), default=None
        Group label of every feature; None puts every feature in its own group.
    loss : {"squared", "logistic"}, default="squared"
        Datafit.
    group_weights : "sqrt" or array-like of shape (n_groups,), default="sqrt"
        Group weights ``w_g``; "sqrt" is ``sqrt(group size)``.
    q : float, default=0.1
        FDR level of the "bh" / "gaussian" sequences.
    theta1, theta2 : float, default=1.0, 0.5
        OSCAR parameters.
    alphas : array-like, default=None
        Grid; by default ``n_alphas`` values from ``alpha_max`` down to
        ``alpha_min_ratio * alpha_max``.
    n_alphas : int, default=100
        Length of the default grid.
    alpha_min_ratio : float, default=None
        ``1e-2`` when ``n_features > n_samples`` else ``1e-4``.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    standardize : bool, default=False
        Scale the columns to unit (weighted) standard deviation before penalising.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights.
    screening : bool, default=True
        Strong screening with KKT checks; False solves on all features.
    tol : float, default=1e-6
        Tolerance of each step (see Returns).
    max_iter : int, default=10000
        Iteration cap per solve.
    max_clusters : int, "auto" or None, default="auto"
        Early end of the path, as ``max_clusters`` of
        :func:`~sklreg.linear_model.slope_path` (clusters of the coefficients as
        ``sortedl1`` counts them): "auto" is ``n_samples + 1``, the default of
        ``sortedl1``, where the fit interpolates; None runs the whole grid.
"""


def group_slope_path(
    X, y, *, groups=None, loss="squared", lam="bh", group_weights="sqrt", q=0.1,
    theta1=1.0, theta2=0.5, alphas=None, n_alphas=100, alpha_min_ratio=None,
    fit_intercept=True, standardize=False, sample_weight=None, screening=True,
    tol=1e-6, max_iter=10_000, max_clusters="auto",
):  # fmt: skip
    return _run_path(
        *_prepare(X, y, sample_weight, groups, loss)[:3],
        _gslope_penalty(
            lam, *check_groups(groups, X.shape[1]), group_weights, X.shape[0], q,
            theta1, theta2,
        ),
        solve_group_path, loss=loss, alphas=alphas, n_alphas=n_alphas,
        alpha_min_ratio=alpha_min_ratio, fit_intercept=fit_intercept,
        standardize=standardize, screening=screening, tol=tol, max_iter=max_iter,
        max_clusters=max_clusters,
    )  # fmt: skip


group_slope_path.__doc__ = (
    """The Group SLOPE regularisation path with group strong screening and KKT checks.

    Solves ``min_b F(X b + b0) + alpha * sum_i lam_i (w_g ||b_g||_2)_(i)`` (groups
    sorted by their weighted norms) for a decreasing grid of ``alpha`` from
    ``alpha_max``, where the solution first becomes non-zero.

    Parameters
    ----------"""
    + _PATH_DOC
    + """    lam : {"bh", "gaussian", "oscar"} or array-like, default="bh"
        Group lambda sequence, of length ``n_groups``.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas)
        Coefficients on the original scale of X.
    intercepts : ndarray of shape (n_alphas,)
    info : PathResult
        Duality gaps (each at most ``tol`` times the null model's loss), iterations,
        screened / active / touched feature counts and KKT violations per step.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg.linear_model import group_slope_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 6))
    >>> y = X[:, 0] - X[:, 1] + 0.1 * rng.standard_normal(50)
    >>> alphas, coefs, intercepts, info = group_slope_path(
    ...     X, y, groups=[0, 0, 1, 1, 2, 2], n_alphas=5)
    >>> coefs.shape, bool(np.all(coefs[:, 0] == 0))
    ((6, 5), True)
    """
)


def sparse_group_slope_path(
    X, y, *, groups=None, loss="squared", l1_ratio=0.5, lam="bh", group_lam="bh",
    group_weights="sqrt", q=0.1, theta1=1.0, theta2=0.5, alphas=None, n_alphas=100,
    alpha_min_ratio=None, fit_intercept=True, standardize=False, sample_weight=None,
    screening=True, tol=1e-6, max_iter=10_000, max_clusters="auto",
):  # fmt: skip
    X, y, sample_weight, group_ids, n_groups = _prepare(X, y, sample_weight, groups, loss)
    penalty = _sgs_penalty(
        lam, group_lam, l1_ratio, group_ids, n_groups, group_weights, X.shape[0], q,
        theta1, theta2,
    )  # fmt: skip
    return _run_path(
        X, y, sample_weight, penalty, solve_group_path, loss=loss, alphas=alphas,
        n_alphas=n_alphas, alpha_min_ratio=alpha_min_ratio, fit_intercept=fit_intercept,
        standardize=standardize, screening=screening, tol=tol, max_iter=max_iter,
        max_clusters=max_clusters,
    )  # fmt: skip


sparse_group_slope_path.__doc__ = (
    """The Sparse-group SLOPE path with two-layer strong screening and KKT checks.

    Solves ``min_b F(X b + b0) + alpha * (a * sum_j lam_j |b|_(j) + (1 - a) *
    sum_i gamma_i (w_g ||b_g||_2)_(i))`` with ``a = l1_ratio``, by three-operator
    splitting, for a decreasing grid of ``alpha``.

    Parameters
    ----------"""
    + _PATH_DOC
    + """    l1_ratio : float in [0, 1], default=0.5
        The weight ``a`` of the variable-level SLOPE term.
    lam : {"bh", "gaussian", "oscar"} or array-like, default="bh"
        Variable sequence ``lam``, of length ``n_features``.
    group_lam : {"bh", "gaussian", "oscar"} or array-like, default="bh"
        Group sequence ``gamma``, of length ``n_groups``.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The grid; the default starts at an upper bound of ``alpha_max`` (the
        exact value has no closed form for this penalty).
    coefs : ndarray of shape (n_features, n_alphas)
        Coefficients on the original scale of X.
    intercepts : ndarray of shape (n_alphas,)
    info : PathResult
        ``gaps`` holds the KKT residuals (each at most ``tol`` times
        ``||grad F(0)||_inf``); iterations, screened / active / touched counts and
        KKT violations per step.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg.linear_model import sparse_group_slope_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 6))
    >>> y = X[:, 0] - X[:, 1] + 0.1 * rng.standard_normal(50)
    >>> alphas, coefs, intercepts, info = sparse_group_slope_path(
    ...     X, y, groups=[0, 0, 1, 1, 2, 2], n_alphas=5)
    >>> coefs.shape, bool(np.all(coefs[:, 0] == 0))
    ((6, 5), True)
    """
)


_COMMON_CONSTRAINTS = {
    **_SLOPE_CONSTRAINTS,
    "groups": ["array-like", None],
    "group_weights": [StrOptions({"sqrt"}), "array-like"],
}
_SGS_CONSTRAINTS = {
    **_COMMON_CONSTRAINTS,
    "l1_ratio": [Interval(numbers.Real, 0, 1, closed="both")],
    "group_lam": [StrOptions({"bh", "gaussian", "oscar"}), "array-like"],
}

_PARAMS_DOC = """
    alpha : float, default=0.01
        Multiplier of the penalty (the loss is averaged over samples).
    groups : array-like of shape (n_features,), default=None
        Group label of every feature (any sortable values), for example
        ``[0, 0, 1, 1, 1]``. None puts every feature in its own group (Group SLOPE
        then is SLOPE). Labels that do not give one group per feature are an error.
    group_weights : "sqrt" or array-like of shape (n_groups,), default="sqrt"
        Group weights ``w_g``, in the order of ``numpy.unique(groups)``; "sqrt" is
        ``sqrt(group size)``.
    lam : {"bh", "gaussian", "oscar"} or array-like, default="bh"
        Lambda sequence: Benjamini-Hochberg, its Gaussian correction, OSCAR, or
        non-increasing non-negative values.{lam_len}
    q : float, default=0.1
        FDR level for "bh" and "gaussian".
    theta1 : float, default=1.0
        OSCAR intercept: ``lam_j = theta1 + theta2 * (p - j)``.
    theta2 : float, default=0.5
        OSCAR slope.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept (X is centred implicitly).
    standardize : bool, default=True
        Penalise the coefficients of the columns scaled to unit standard deviation;
        ``coef_`` is reported on the original scale. Sparse X is scaled implicitly.
    screening : bool, default=True
        Use the strong screening rule with KKT checks (same solution, faster).
    tol : float, default=1e-6
        Solver tolerance{tol_doc}.
    max_iter : int, default=10000
        Iteration cap of the solver.
    warm_start : bool, default=False
        Start from the previous solution (and screen from the previous alpha).
"""
_GSLOPE_PARAMS_DOC = _PARAMS_DOC.replace(
    "{lam_len}", " Group sequence, of length ``n_groups``."
).replace("{tol_doc}", ": duality gap at most ``tol`` times the null model's loss")
_SGS_PARAMS_DOC = (
    _PARAMS_DOC.replace("{lam_len}", " Variable sequence, of length ``n_features``.").replace(
        "{tol_doc}", ": KKT residual at most ``tol`` times ``||grad F(0)||_inf``"
    )
    + """    l1_ratio : float in [0, 1], default=0.5
        Weight ``a`` of the variable-level SLOPE term (``1 - a`` goes to group SLOPE).
    group_lam : {"bh", "gaussian", "oscar"} or array-like, default="bh"
        Group sequence ``gamma``, of length ``n_groups``.
"""
)

_ATTRS_DOC = """
    group_ids_ : ndarray of shape (n_features,)
        Group of every feature, in ``0..n_groups_-1``.
    n_groups_ : int
        Number of groups.
    group_weights_ : ndarray of shape (`n_groups_`,)
        The group weights used.
    lambda_ : ndarray
        The lambda sequence used.
    alpha_ : float
        The alpha used.
    alpha_max_ : float
        Smallest alpha with an all-zero solution (an upper bound of it for
        Sparse-group SLOPE), on the standardised scale.
    n_iter_ : int
        Solver iterations.
    n_screened_ : int
        Features kept by the strong rule (plus those active before), or all of them
        without screening.
    n_violations_ : int
        Features the KKT check added back (strong rule violations).
    n_touched_ : int
        Features the solver iterated on.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when X has string column names.
"""


class _GroupBase(BaseEstimator):
    _sgs = False

    def _penalty(self, n, p):
        group_ids, n_groups = check_groups(self.groups, p)
        if self._sgs:
            return _sgs_penalty(
                self.lam, self.group_lam, self.l1_ratio, group_ids, n_groups,
                self.group_weights, n, self.q, self.theta1, self.theta2,
            )  # fmt: skip
        return _gslope_penalty(
            self.lam, group_ids, n_groups, self.group_weights, n, self.q, self.theta1,
            self.theta2,
        )  # fmt: skip

    def _fit(self, X, y, sample_weight, loss):
        n, p = X.shape
        penalty = self._penalty(n, p)
        design = make_design(
            X, sample_weight, fit_intercept=self.fit_intercept, standardize=self.standardize
        )
        datafit = _DATAFITS[loss](y, sample_weight)
        init = {}
        if self.warm_start and getattr(self, "_coef_std", np.empty(0)).shape == (p, 1):
            init = dict(
                coef_init=self._coef_std,
                intercept_init=self._intercept_std,
                alpha_init=self.alpha_,
            )
        res = solve_group_path(
            design, datafit, penalty, [self.alpha], fit_intercept=self.fit_intercept,
            screening=self.screening, tol=self.tol, max_iter=self.max_iter, **init,
        )  # fmt: skip
        self._coef_std, self._intercept_std = res.coefs[0], res.intercepts[0]
        coef, intercept = _to_original(design, res.coefs[0], res.intercepts[0])
        self.group_ids_, self.n_groups_ = penalty.group_ids, penalty.n_groups
        self.group_weights_ = penalty.weights
        self.lambda_ = penalty.lam
        if self._sgs:
            self.group_lambda_ = penalty.gamma
            self.kkt_residual_ = float(res.gaps[0])
        else:
            self.dual_gap_ = float(res.gaps[0])
        self.alpha_ = float(self.alpha)
        self.alpha_max_ = res.alpha_max
        self.n_iter_ = int(res.n_iter[0])
        self.n_screened_ = int(res.n_screened[0])
        self.n_violations_ = int(res.n_violations[0])
        self.n_touched_ = int(res.n_touched[0])
        return coef[:, 0], float(intercept[0])

    def _validate(self, X, y):
        X, y = validate_data(
            self, X, y, accept_sparse=["csc", "csr"], dtype=np.float64,
            y_numeric=not isinstance(self, ClassifierMixin),
        )  # fmt: skip
        return X, y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class _RegressorMethods:
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = self._validate(X, y)
        sample_weight = check_weights(sample_weight, X)
        self.coef_, self.intercept_ = self._fit(X, y, sample_weight, "squared")
        return self

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions.
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csc", "csr"], reset=False)
        return safe_sparse_dot(X, self.coef_) + self.intercept_


class _ClassifierMethods:
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the binary logistic model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Two class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = self._validate(X, y)
        check_classification_targets(y)
        sample_weight = check_weights(sample_weight, X)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if self.classes_.size > 2:
            raise ValueError(
                f"Only binary classification is supported. {type(self).__name__} got "
                f"{self.classes_.size} classes."
            )
        if np.unique(y_idx[sample_weight > 0]).size < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of two classes (with positive "
                f"weight) in y; got one class: {self.classes_[y_idx[0]]!r}."
            )
        coef, intercept = self._fit(X, y_idx.astype(float), sample_weight, "logistic")
        self.coef_, self.intercept_ = coef[None, :], np.array([intercept])
        return self

    def decision_function(self, X):
        """Linear predictor (log-odds of the second class).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Scores.
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csc", "csr"], reset=False)
        return safe_sparse_dot(X, self.coef_[0]) + self.intercept_[0]

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Probabilities of ``classes_``.
        """
        p1 = expit(self.decision_function(X))
        return np.column_stack([1 - p1, p1])

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
            Log-probabilities.
        """
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Class labels.
        """
        check_is_fitted(self)
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


class _GSLOPEParams(_GroupBase):
    _parameter_constraints = dict(_COMMON_CONSTRAINTS)

    def __init__(
        self, alpha=0.01, *, groups=None, group_weights="sqrt", lam="bh", q=0.1,
        theta1=1.0, theta2=0.5, fit_intercept=True, standardize=True, screening=True,
        tol=1e-6, max_iter=10_000, warm_start=False,
    ):  # fmt: skip
        self.alpha = alpha
        self.groups = groups
        self.group_weights = group_weights
        self.lam = lam
        self.q = q
        self.theta1 = theta1
        self.theta2 = theta2
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.screening = screening
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start


class _SGSParams(_GroupBase):
    _parameter_constraints = dict(_SGS_CONSTRAINTS)
    _sgs = True

    def __init__(
        self, alpha=0.01, *, groups=None, l1_ratio=0.5, group_weights="sqrt", lam="bh",
        group_lam="bh", q=0.1, theta1=1.0, theta2=0.5, fit_intercept=True,
        standardize=True, screening=True, tol=1e-6, max_iter=10_000, warm_start=False,
    ):  # fmt: skip
        self.alpha = alpha
        self.groups = groups
        self.l1_ratio = l1_ratio
        self.group_weights = group_weights
        self.lam = lam
        self.group_lam = group_lam
        self.q = q
        self.theta1 = theta1
        self.theta2 = theta2
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.screening = screening
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start


class GroupSLOPE(RegressorMixin, _RegressorMethods, _GSLOPEParams):
    __doc__ = (
        """Group SLOPE: least squares with a sorted L1 penalty on weighted group norms.

    Minimises ``||y - X b - b0||^2 / (2 n) + alpha * sum_i lam_i (w_g ||b_g||_2)_(i)``
    where the groups are sorted by their weighted norms ``w_g ||b_g||_2``
    (Brzyski et al., 2019): whole groups enter or leave the model, and the rank-
    dependent penalty controls the group false discovery rate. Solved by FISTA on
    working sets chosen by the group strong rule (Feser and Evangelou, 2024), checked
    against the KKT conditions.

    Parameters
    ----------"""
        + _GSLOPE_PARAMS_DOC
        + """
    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients on the original scale of X.
    intercept_ : float
        Intercept.
    dual_gap_ : float
        Duality gap at the solution."""
        + _ATTRS_DOC
        + """
    See Also
    --------
    SparseGroupSLOPE : adds selection of variables inside the groups.
    group_slope_path : the whole regularisation path.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg.linear_model import GroupSLOPE
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 6))
    >>> y = X[:, 0] + X[:, 1] + 0.1 * rng.standard_normal(100)
    >>> model = GroupSLOPE(alpha=0.05, groups=[0, 0, 1, 1, 2, 2]).fit(X, y)
    >>> np.flatnonzero(model.coef_)
    array([0, 1])
    """
    )


class GroupSLOPEClassifier(_ClassifierMethods, ClassifierMixin, _GSLOPEParams):
    __doc__ = (
        """Group SLOPE penalised binary logistic regression.

    Minimises the mean (weighted) logistic loss plus
    ``alpha * sum_i lam_i (w_g ||b_g||_2)_(i)``; binary targets only.

    Parameters
    ----------"""
        + _GSLOPE_PARAMS_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        Class labels.
    coef_ : ndarray of shape (1, n_features)
        Coefficients on the original scale of X.
    intercept_ : ndarray of shape (1,)
        Intercept.
    dual_gap_ : float
        Duality gap at the solution."""
        + _ATTRS_DOC
        + """
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklreg.linear_model import GroupSLOPEClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> groups = [j % 10 for j in range(30)]  # mean / error / worst of each measure
    >>> clf = GroupSLOPEClassifier(alpha=0.01, groups=groups).fit(X, y)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """
    )


class SparseGroupSLOPE(RegressorMixin, _RegressorMethods, _SGSParams):
    __doc__ = (
        """Sparse-group SLOPE: least squares with SLOPE on variables and on groups.

    Minimises ``||y - X b - b0||^2 / (2 n) + alpha * (a * sum_j lam_j |b|_(j) +
    (1 - a) * sum_i gamma_i (w_g ||b_g||_2)_(i))`` with ``a = l1_ratio`` (Feser and
    Evangelou, 2023): groups and variables inside them are selected with false
    discovery rate control at both levels. Solved by three-operator splitting on
    working sets chosen by the two-layer strong rule (groups, then variables),
    checked against the optimality conditions.

    Parameters
    ----------"""
        + _SGS_PARAMS_DOC
        + """
    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients on the original scale of X.
    intercept_ : float
        Intercept.
    group_lambda_ : ndarray of shape (`n_groups_`,)
        The group sequence used.
    kkt_residual_ : float
        KKT (fixed-point) residual at the solution."""
        + _ATTRS_DOC
        + """
    See Also
    --------
    GroupSLOPE : selects whole groups only.
    sparse_group_slope_path : the whole regularisation path.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg.linear_model import SparseGroupSLOPE
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 6))
    >>> y = 2 * X[:, 0] + 0.1 * rng.standard_normal(100)
    >>> model = SparseGroupSLOPE(alpha=0.05, groups=[0, 0, 1, 1, 2, 2]).fit(X, y)
    >>> np.flatnonzero(model.coef_)
    array([0])
    """
    )


class SparseGroupSLOPEClassifier(_ClassifierMethods, ClassifierMixin, _SGSParams):
    __doc__ = (
        """Sparse-group SLOPE penalised binary logistic regression.

    Minimises the mean (weighted) logistic loss plus ``alpha * (a * sum_j lam_j
    |b|_(j) + (1 - a) * sum_i gamma_i (w_g ||b_g||_2)_(i))``; binary targets only.

    Parameters
    ----------"""
        + _SGS_PARAMS_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        Class labels.
    coef_ : ndarray of shape (1, n_features)
        Coefficients on the original scale of X.
    intercept_ : ndarray of shape (1,)
        Intercept.
    group_lambda_ : ndarray of shape (`n_groups_`,)
        The group sequence used.
    kkt_residual_ : float
        KKT (fixed-point) residual at the solution."""
        + _ATTRS_DOC
        + """
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklreg.linear_model import SparseGroupSLOPEClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> groups = [j % 10 for j in range(30)]
    >>> clf = SparseGroupSLOPEClassifier(alpha=0.01, groups=groups).fit(X, y)
    >>> bool(clf.score(X, y) > 0.9)
    True
    """
    )


_CV_CONSTRAINTS = {
    "alphas": ["array-like", None],
    "n_alphas": [Interval(numbers.Integral, 1, None, closed="left")],
    "alpha_min_ratio": [Interval(numbers.Real, 0, 1, closed="neither"), None],
    "cv": ["cv_object"],
    "n_jobs": [numbers.Integral, None],
    "max_clusters": _MAX_CLUSTERS_CONSTRAINT,
}

_CV_DOC = """    alphas : array-like, default=None
        Grid of alphas; by default ``n_alphas`` values down from ``alpha_max``.
    n_alphas : int, default=100
        Length of the default grid.
    alpha_min_ratio : float, default=None
        Smallest alpha of the default grid relative to ``alpha_max`` (``1e-2`` when
        ``n_features > n_samples`` else ``1e-4``).
    cv : int, cross-validation generator or iterable, default=5
        Folds, as in :func:`sklearn.model_selection.check_cv`.
    n_jobs : int, default=None
        Folds run in parallel through joblib.
    max_clusters : int, "auto" or None, default="auto"
        Stop the full-data path early, after the first alpha whose coefficients
        reach this many clusters (as ``max_clusters`` of the path functions: "auto"
        is ``n_samples + 1``, ``sortedl1``'s default, where the fit interpolates).
        The grid ``alphas_`` is then cut there and the folds are evaluated on that
        grid. None runs the whole grid.
"""

_CV_ATTRS_DOC = """
    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    alphas_ : ndarray of shape (n_alphas,)
        The grid (up to where the full-data path stopped, with ``max_clusters``).
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Test mean squared error per alpha and fold.
    coef_ : ndarray of shape (n_features,)
        Coefficients at ``alpha_`` (from the path on all data).
    intercept_ : float
        Intercept at ``alpha_``.
    coef_path_ : ndarray of shape (n_features, n_alphas)
        Coefficients along the path on all data.
    n_screened_path_ : ndarray of shape (n_alphas,)
        Strong-set sizes along the full-data path.
    n_active_path_ : ndarray of shape (n_alphas,)
        Non-zero coefficients along the full-data path.
    n_violations_path_ : ndarray of shape (n_alphas,)
        Features the KKT check added along the full-data path.
    n_iter_ : int
        Solver iterations along the full-data path.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when X has string column names.
"""


class _GroupCVBase(RegressorMixin, BaseEstimator):
    _path_func = None

    def _path_params(self):
        skip = {"alphas", "n_alphas", "alpha_min_ratio", "cv", "n_jobs"}
        params = {k: v for k, v in self.get_params().items() if k not in skip}
        return dict(params, n_alphas=self.n_alphas, alpha_min_ratio=self.alpha_min_ratio)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Cross-validate the path and keep the best alpha.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        _, res = _cv_fit(self, type(self)._path_func, X, y, sample_weight, self._path_params())
        self.n_iter_ = int(res.n_iter.sum())
        return self

    def predict(self, X):
        """Predict with the model at ``alpha_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions.
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csc", "csr"], reset=False)
        return safe_sparse_dot(X, self.coef_) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _cv_params_doc(params_doc):
    # the CV classes have no alpha and no warm_start
    lines = params_doc.split("\n")
    out, skip = [], False
    for line in lines:
        if line.startswith("    ") and not line.startswith("        "):
            skip = line.split(" :")[0].strip() in {"alpha", "warm_start"}
        if not skip:
            out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


class GroupSLOPECV(_GroupCVBase):
    __doc__ = (
        """Group SLOPE with alpha chosen by cross-validation over the path.

    Every fold fits the Group SLOPE path (group strong screening + KKT checks) on the
    grid of the full data, folds in parallel through joblib; the alpha with the least
    mean squared error is kept, with the full-data path's solution there.

    Parameters
    ----------"""
        + _cv_params_doc(_GSLOPE_PARAMS_DOC)
        + _CV_DOC
        + _CV_ATTRS_DOC
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from sklreg.linear_model import GroupSLOPECV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 6))
    >>> y = 3 * X[:, 0] + rng.standard_normal(80)
    >>> model = GroupSLOPECV(groups=[0, 0, 1, 1, 2, 2], n_alphas=10, cv=3).fit(X, y)
    >>> model.mse_path_.shape
    (10, 3)
    """
    )
    _parameter_constraints = {
        k: v
        for k, v in {**_COMMON_CONSTRAINTS, **_CV_CONSTRAINTS}.items()
        if k not in ("alpha", "warm_start")
    }
    _path_func = staticmethod(group_slope_path)

    def __init__(
        self, *, groups=None, group_weights="sqrt", lam="bh", q=0.1, theta1=1.0,
        theta2=0.5, alphas=None, n_alphas=100, alpha_min_ratio=None, cv=5, n_jobs=None,
        fit_intercept=True, standardize=True, screening=True, tol=1e-6, max_iter=10_000,
        max_clusters="auto",
    ):  # fmt: skip
        self.groups = groups
        self.group_weights = group_weights
        self.lam = lam
        self.q = q
        self.theta1 = theta1
        self.theta2 = theta2
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.alpha_min_ratio = alpha_min_ratio
        self.cv = cv
        self.n_jobs = n_jobs
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.screening = screening
        self.tol = tol
        self.max_iter = max_iter
        self.max_clusters = max_clusters


class SparseGroupSLOPECV(_GroupCVBase):
    __doc__ = (
        """Sparse-group SLOPE with alpha chosen by cross-validation over the path.

    Every fold fits the Sparse-group SLOPE path (two-layer strong screening + KKT
    checks) on the grid of the full data, folds in parallel through joblib; the alpha
    with the least mean squared error is kept.

    Parameters
    ----------"""
        + _cv_params_doc(_SGS_PARAMS_DOC)
        + _CV_DOC
        + _CV_ATTRS_DOC
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from sklreg.linear_model import SparseGroupSLOPECV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 6))
    >>> y = 3 * X[:, 0] + rng.standard_normal(80)
    >>> model = SparseGroupSLOPECV(groups=[0, 0, 1, 1, 2, 2], n_alphas=10, cv=3)
    >>> model.fit(X, y).mse_path_.shape
    (10, 3)
    """
    )
    _parameter_constraints = {
        k: v
        for k, v in {**_SGS_CONSTRAINTS, **_CV_CONSTRAINTS}.items()
        if k not in ("alpha", "warm_start")
    }
    _path_func = staticmethod(sparse_group_slope_path)

    def __init__(
        self, *, groups=None, l1_ratio=0.5, group_weights="sqrt", lam="bh",
        group_lam="bh", q=0.1, theta1=1.0, theta2=0.5, alphas=None, n_alphas=100,
        alpha_min_ratio=None, cv=5, n_jobs=None, fit_intercept=True, standardize=True,
        screening=True, tol=1e-6, max_iter=10_000, max_clusters="auto",
    ):  # fmt: skip
        self.groups = groups
        self.l1_ratio = l1_ratio
        self.group_weights = group_weights
        self.lam = lam
        self.group_lam = group_lam
        self.q = q
        self.theta1 = theta1
        self.theta2 = theta2
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.alpha_min_ratio = alpha_min_ratio
        self.cv = cv
        self.n_jobs = n_jobs
        self.fit_intercept = fit_intercept
        self.standardize = standardize
        self.screening = screening
        self.tol = tol
        self.max_iter = max_iter
        self.max_clusters = max_clusters
