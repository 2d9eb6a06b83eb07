"""SLOPE estimators: ``slope_path``, ``SLOPE``, ``SLOPEClassifier`` and ``SLOPECV``.

The maths lives in :mod:`._sorted_l1` (penalty), :mod:`._datafits` (losses) and
:mod:`._solver` (hybrid coordinate descent for the squared loss, proximal Newton around
it for the binary logistic loss, FISTA for the multinomial one, on working sets; path
driver with strong screening and KKT checks); the estimators are
thin shells that validate input, standardise implicitly and map the coefficients back
to the original scale.
"""

import numbers

import numpy as np
from scipy import sparse
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import check_cv
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed

from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    check_is_fitted,
    validate_data,
)
from ._datafits import Logistic, Multinomial, Quadratic
from ._solver import Design, null_model, solve_path
from ._sorted_l1 import SortedL1, check_lambda, lambda_sequence

__all__ = ["SLOPE", "SLOPECV", "SLOPEClassifier", "slope_path"]

_DATAFITS = {"squared": Quadratic, "logistic": Logistic, "multinomial": Multinomial}


def check_weights(sample_weight, X):
    """Sample weights as float64, ones for ``None``; negative weights raise.

    A negative weight makes the loss concave in its row: the problem is no longer
    convex, and may be unbounded below.
    """
    return _check_sample_weight(sample_weight, X, ensure_non_negative=True)


def make_design(X, sample_weight, *, fit_intercept, standardize):
    """Implicitly centred / scaled design for ``X`` (dense, or sparse kept sparse).

    Centres by the weighted column means when an intercept is fitted and scales by the
    weighted standard deviation (root mean square without intercept) when
    ``standardize``; constant columns keep scale 1, and are marked null in the design
    when an intercept is fitted (they are zero once centred).

    Returns
    -------
    design : Design
    """
    if sparse.issparse(X):
        X = X.tocsc()
    w = sample_weight / sample_weight.sum()
    p = X.shape[1]
    offset = np.asarray(X.T @ w).ravel() if fit_intercept else np.zeros(p)
    scale = np.ones(p)
    if standardize:
        sq = X.multiply(X) if sparse.issparse(X) else X * X
        var = np.asarray(sq.T @ w).ravel() - offset**2
        scale = np.sqrt(np.maximum(var, 0.0))
        scale[scale <= 1e-12 * max(1.0, float(np.max(scale, initial=0)))] = 1.0
    null = _constant_columns(X, sample_weight) if fit_intercept else None
    return Design(X, offset, scale, null)


def _constant_columns(X, sample_weight):
    """Columns that take one value on the rows of positive weight (dense or CSC)."""
    rows = X[sample_weight > 0] if np.any(sample_weight <= 0) else X
    high, low = rows.max(axis=0), rows.min(axis=0)
    if sparse.issparse(rows):
        high, low = high.toarray(), low.toarray()
    return np.ravel(high == low)


def _resolve_lambda(lam, n_entries, n_samples, q, theta1, theta2):
    if isinstance(lam, str):
        return lambda_sequence(
            lam, n_entries, q=q, n_samples=n_samples, theta1=theta1, theta2=theta2
        )
    return check_lambda(lam, n_entries)


def _default_alphas(alpha_max, n_alphas, alpha_min_ratio, n_samples, n_features):
    if alpha_min_ratio is None:
        alpha_min_ratio = 1e-2 if n_features > n_samples else 1e-4
    return alpha_max * np.geomspace(1.0, alpha_min_ratio, n_alphas)


def _to_original(design, coef_std, intercept_std):
    """Coefficients and intercept on the original scale of X."""
    coef = coef_std / design.scale[:, None]
    intercept = intercept_std - design.offset @ coef
    return coef, intercept


def slope_path(
    X,
    y,
    *,
    loss="squared",
    lam="bh",
    q=0.1,
    theta1=1.0,
    theta2=0.5,
    alphas=None,
    n_alphas=100,
    alpha_min_ratio=None,
    fit_intercept=True,
    standardize=False,
    sample_weight=None,
    screening=True,
    tol=1e-6,
    max_iter=10_000,
    max_clusters="auto",
):
    """The SLOPE regularisation path with strong screening and KKT checks.

    Solves ``min_B F(X B + b0) + alpha * sum_j lam_j |vec(B)|_(j)`` for a decreasing
    grid of ``alpha`` from ``alpha_max`` (where the solution first becomes non-zero).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Design; sparse input stays sparse (centring and scaling are implicit).
    y : ndarray of shape (n_samples,)
        Targets; labels in {0, 1} for ``loss="logistic"``, any labels for
        ``loss="multinomial"``.
    loss : {"squared", "logistic", "multinomial"}, default="squared"
        Datafit.
    lam : {"bh", "gaussian", "oscar"} or array-like, default="bh"
        Lambda sequence (length ``n_features``, ``n_features * n_classes`` for
        multinomial).
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
        Use the strong rule (with KKT checks); False solves on all features.
    tol : float, default=1e-6
        Relative duality-gap tolerance of each step.
    max_iter : int, default=10000
        Iteration cap per solve.
    max_clusters : int, "auto" or None, default="auto"
        Stop the path early, after the first step whose coefficients reach this many
        clusters (distinct magnitudes, the zero cluster included when some
        coefficient is zero, as ``sortedl1`` counts them); the returned arrays then
        hold only the steps solved. "auto" is ``n_samples + 1``, the default of
        ``sortedl1`` and of the R package SLOPE: the path ends at ``n_samples``
        non-zero clusters, where the fit has as many free parameters as
        observations and interpolates the data, so the rest of the grid only
        overfits. None runs the whole grid (``sortedl1`` also runs the whole grid
        when given ``alphas``; here the rule applies to any grid).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas), or (n_classes, n_features, n_alphas)
        Coefficients on the original scale of X.
    intercepts : ndarray of shape (n_alphas,) or (n_classes, n_alphas)
    info : PathResult
        Duality gaps, iterations, screened / active / touched set sizes and KKT
        violations per step (on the standardised scale).

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg.linear_model import slope_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 8))
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(50)
    >>> alphas, coefs, intercepts, info = slope_path(X, y, n_alphas=10)
    >>> coefs.shape
    (8, 10)
    >>> bool(np.all(coefs[:, 0] == 0)), bool(info.gaps.max() < 1e-4)
    (True, True)
    """
    if sparse.issparse(X):
        X = X.tocsc()
    X = X if sparse.issparse(X) else np.asarray(X, dtype=np.float64)
    sample_weight = check_weights(sample_weight, X)
    if loss == "multinomial":
        Y = LabelBinarizer().fit_transform(y).astype(float)
        if Y.shape[1] == 1:
            Y = np.hstack([1 - Y, Y])
    else:
        Y = np.asarray(y, dtype=np.float64)
    return _path(
        X,
        Y,
        sample_weight,
        loss=loss,
        lam=lam,
        q=q,
        theta1=theta1,
        theta2=theta2,
        alphas=alphas,
        n_alphas=n_alphas,
        alpha_min_ratio=alpha_min_ratio,
        fit_intercept=fit_intercept,
        standardize=standardize,
        screening=screening,
        tol=tol,
        max_iter=max_iter,
        max_clusters=max_clusters,
    )


def _path(
    X,
    Y,
    sample_weight,
    *,
    loss,
    lam,
    q,
    theta1,
    theta2,
    alphas,
    n_alphas,
    alpha_min_ratio,
    fit_intercept,
    standardize,
    screening,
    tol,
    max_iter,
    max_clusters="auto",
):
    design = make_design(X, sample_weight, fit_intercept=fit_intercept, standardize=standardize)
    datafit = _DATAFITS[loss](Y, sample_weight)
    n, p = X.shape
    K = datafit.n_outputs
    penalty = SortedL1(_resolve_lambda(lam, p * K, n, q, theta1, theta2))
    if alphas is None:
        alpha_max = null_model(design, datafit, penalty, fit_intercept)[2]
        alphas = _default_alphas(alpha_max, n_alphas, alpha_min_ratio, n, p)
    res = solve_path(
        design,
        datafit,
        penalty,
        alphas,
        fit_intercept=fit_intercept,
        screening=screening,
        tol=tol,
        max_iter=max_iter,
        max_clusters=max_clusters,
    )
    coefs = res.coefs / design.scale[None, :, None]  # original scale, in one pass
    intercepts = (res.intercepts - np.einsum("p,apk->ak", design.offset, coefs)).T
    coefs = np.moveaxis(coefs, 0, -1)  # (p, K, n_alphas), a view
    if K == 1:
        return res.alphas, coefs[:, 0], intercepts[0], res
    return res.alphas, np.moveaxis(coefs, 1, 0), intercepts, res


_COMMON_CONSTRAINTS = {
    "alpha": [Interval(numbers.Real, 0, None, closed="left")],
    "lam": [StrOptions({"bh", "gaussian", "oscar"}), "array-like"],
    "q": [Interval(numbers.Real, 0, 1, closed="neither")],
    "theta1": [Interval(numbers.Real, 0, None, closed="left")],
    "theta2": [Interval(numbers.Real, 0, None, closed="left")],
    "fit_intercept": ["boolean"],
    "standardize": ["boolean"],
    "screening": ["boolean"],
    "tol": [Interval(numbers.Real, 0, None, closed="neither")],
    "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
    "warm_start": ["boolean"],
}

# ``max_clusters`` of the CV estimators (SLOPE and group), as ``resolve_max_clusters``
_MAX_CLUSTERS_CONSTRAINT = [
    Interval(numbers.Integral, 1, None, closed="left"),
    StrOptions({"auto"}),
    None,
]

_COMMON_DOC = """
    alpha : float, default=0.01
        Multiplier of the lambda sequence (the penalty is ``alpha * sum_j lam_j
        |b|_(j)``, with the loss averaged over samples, as in ``sortedl1``). ``0``
        fits the unpenalised model (least squares is then solved directly).
    lam : {"bh", "gaussian", "oscar"} or array-like, default="bh"
        Lambda sequence: Benjamini-Hochberg, its Gaussian correction, OSCAR, or
        non-increasing non-negative weights of length ``n_features`` (times the number
        of classes for the multinomial model).
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
        Stop when the duality gap is at most ``tol`` times the null model's loss.
    max_iter : int, default=10000
        Iteration cap of the solver.
    warm_start : bool, default=False
        Start from the previous solution (and screen from the previous alpha).
"""


class _SLOPEBase(BaseEstimator):
    _parameter_constraints = dict(_COMMON_CONSTRAINTS)

    def __init__(
        self,
        alpha=0.01,
        *,
        lam="bh",
        q=0.1,
        theta1=1.0,
        theta2=0.5,
        fit_intercept=True,
        standardize=True,
        screening=True,
        tol=1e-6,
        max_iter=10_000,
        warm_start=False,
    ):
        self.alpha = alpha
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

    def _fit(self, X, Y, sample_weight, loss):
        design = make_design(
            X, sample_weight, fit_intercept=self.fit_intercept, standardize=self.standardize
        )
        datafit = _DATAFITS[loss](Y, sample_weight)
        n, p = X.shape
        K = datafit.n_outputs
        lam = _resolve_lambda(self.lam, p * K, n, self.q, self.theta1, self.theta2)
        penalty = SortedL1(lam)
        init = {}
        if self.warm_start and getattr(self, "_coef_std", np.empty(0)).shape == (p, K):
            init = dict(
                coef_init=self._coef_std, intercept_init=self._intercept_std, alpha_init=self.alpha_
            )
        res = solve_path(
            design,
            datafit,
            penalty,
            [self.alpha],
            fit_intercept=self.fit_intercept,
            screening=self.screening,
            tol=self.tol,
            max_iter=self.max_iter,
            **init,
        )
        self._coef_std, self._intercept_std = res.coefs[0], res.intercepts[0]
        coef, intercept = _to_original(design, res.coefs[0], res.intercepts[0])
        self.alpha_ = float(self.alpha)
        self.lambda_ = lam
        self.alpha_max_ = res.alpha_max
        self.dual_gap_ = float(res.gaps[0])
        self.n_iter_ = max(1, int(res.n_iter[0]))
        self.n_screened_ = int(res.n_screened[0])
        self.n_violations_ = int(res.n_violations[0])
        return coef, intercept

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class SLOPE(RegressorMixin, _SLOPEBase):
    __doc__ = (
        """Sorted L1 penalised least squares (SLOPE).

    Minimises ``||y - X b - b0||^2 / (2 n) + alpha * sum_j lam_j |b|_(j)`` where
    ``|b|_(1) >= |b|_(2) >= ...``: a Lasso whose penalty grows with the rank of the
    coefficient, which controls the false discovery rate (Bogdan et al. 2015) and
    clusters correlated features. Solved by the hybrid coordinate descent of Larsson et
    al. (2023) on working sets chosen by the strong screening rule (Larsson et al. 2020)
    and checked against the KKT conditions.

    Parameters
    ----------"""
        + _COMMON_DOC
        + """
    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Coefficients on the original scale of X.
    intercept_ : float
        Intercept.
    lambda_ : ndarray of shape (n_features,)
        The lambda sequence used.
    alpha_ : float
        The alpha used.
    alpha_max_ : float
        Smallest alpha with an all-zero solution (on the standardised scale).
    dual_gap_ : float
        Duality gap at the solution.
    n_iter_ : int
        Solver iterations (at least 1).
    n_screened_ : int
        Features the strong rule kept.
    n_violations_ : int
        Features the KKT check added back.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when X has string column names.

    See Also
    --------
    SLOPECV : alpha chosen by cross-validation.
    slope_path : the whole regularisation path.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg.linear_model import SLOPE
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 10))
    >>> y = 3 * X[:, 0] - 2 * X[:, 1] + 0.5 * rng.standard_normal(100)
    >>> model = SLOPE(alpha=0.05).fit(X, y)
    >>> np.flatnonzero(model.coef_)
    array([0, 1])
    """
    )

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
        self : SLOPE
        """
        X, y = validate_data(
            self, X, y, accept_sparse=["csc", "csr"], y_numeric=True, dtype=np.float64
        )
        sample_weight = check_weights(sample_weight, X)
        coef, intercept = self._fit(X, y, sample_weight, "squared")
        self.coef_ = coef[:, 0]
        self.intercept_ = float(intercept[0])
        return self

    def predict(self, X):
        """Predict with the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csc", "csr"], reset=False)
        return safe_sparse_dot(X, self.coef_) + self.intercept_


class SLOPEClassifier(ClassifierMixin, _SLOPEBase):
    __doc__ = (
        """SLOPE-penalised logistic regression (multinomial for more than two classes).

    Minimises the mean (weighted) logistic or multinomial loss plus
    ``alpha * sum_j lam_j |vec(B)|_(j)``; the multinomial model penalises all
    ``n_features * n_classes`` coefficients with one sorted-L1 norm. The binary model
    is solved by proximal Newton (IRLS) steps around the hybrid coordinate descent of
    :class:`SLOPE`, as ``sortedl1`` does, the multinomial one by FISTA, both on working
    sets chosen by the strong screening rule and checked against the KKT conditions.

    Parameters
    ----------"""
        + _COMMON_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients on the original scale of X.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts.
    lambda_ : ndarray
        The lambda sequence used.
    alpha_ : float
        The alpha used.
    alpha_max_ : float
        Smallest alpha with an all-zero solution.
    dual_gap_ : float
        Duality gap at the solution.
    n_iter_ : int
        Solver iterations (at least 1).
    n_screened_ : int
        Features the strong rule kept.
    n_violations_ : int
        Features the KKT check added back.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when X has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklreg.linear_model import SLOPEClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = SLOPEClassifier(alpha=0.01).fit(X, y)
    >>> round(clf.score(X, y), 2) > 0.9
    True
    """
    )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : SLOPEClassifier
        """
        X, y = validate_data(self, X, y, accept_sparse=["csc", "csr"], dtype=np.float64)
        check_classification_targets(y)
        sample_weight = check_weights(sample_weight, X)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                "SLOPEClassifier needs at least two classes in y; got one class: "
                f"{self.classes_[0]!r}."
            )
        if np.unique(y_idx[sample_weight > 0]).size < 2:
            raise ValueError(
                "SLOPEClassifier needs at least two classes with positive sample weight."
            )
        if self.classes_.size == 2:
            coef, intercept = self._fit(X, y_idx.astype(float), sample_weight, "logistic")
            self.coef_, self.intercept_ = coef.T, intercept
        else:
            Y = np.eye(self.classes_.size)[y_idx]
            coef, intercept = self._fit(X, Y, sample_weight, "multinomial")
            self.coef_, self.intercept_ = coef.T, intercept
        return self

    def decision_function(self, X):
        """Linear predictor.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csc", "csr"], reset=False)
        scores = safe_sparse_dot(X, self.coef_.T) + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p1 = expit(scores)
            return np.column_stack([1 - p1, p1])
        return softmax(scores, axis=1)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        idx = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[idx]


def _fold_mse(path_func, X, y, sample_weight, train, test, alphas, params):
    """Test mean squared error of the path fitted on ``train``, one per alpha."""
    _, coefs, intercepts, _ = path_func(
        X[train], y[train], sample_weight=sample_weight[train], alphas=alphas, **params
    )
    pred = safe_sparse_dot(X[test], coefs) + intercepts
    err = (pred - y[test][:, None]) ** 2
    return np.average(err, axis=0, weights=sample_weight[test])


def _cv_fit(estimator, path_func, X, y, sample_weight, params):
    """The CV estimators' fit: full-data path, folds in parallel, best alpha.

    ``path_func(X, y, sample_weight=..., alphas=..., **params)`` returns
    ``(alphas, coefs, intercepts, info)``. The folds run on the grid of the full-data
    path (cut where that path stopped early, with no early stop of their own), in
    parallel through joblib. Sets the attributes every CV estimator shares and returns
    ``(X, info)`` of the full-data path.
    """
    X, y = validate_data(
        estimator, X, y, accept_sparse=["csr", "csc"], y_numeric=True, dtype=np.float64
    )
    if sparse.issparse(X):
        X = X.tocsr()  # row slicing for the folds
    sample_weight = check_weights(sample_weight, X)
    alphas, coefs, intercepts, res = path_func(
        X, y, sample_weight=sample_weight, alphas=estimator.alphas, **params
    )
    fold_params = dict(params, max_clusters=None) if "max_clusters" in params else params
    folds = list(check_cv(estimator.cv).split(X, y))
    mse = Parallel(n_jobs=estimator.n_jobs)(
        delayed(_fold_mse)(path_func, X, y, sample_weight, train, test, alphas, fold_params)
        for train, test in folds
    )
    estimator.mse_path_ = np.column_stack(mse)
    best = int(np.argmin(estimator.mse_path_.mean(axis=1)))
    estimator.alphas_ = alphas
    estimator.alpha_ = float(alphas[best])
    estimator.coef_path_ = coefs
    estimator.coef_ = coefs[:, best].copy()
    estimator.intercept_ = float(intercepts[best])
    estimator.n_screened_path_ = res.n_screened
    estimator.n_active_path_ = res.n_active
    estimator.n_violations_path_ = res.n_violations
    return X, res


class SLOPECV(RegressorMixin, BaseEstimator):
    """SLOPE with alpha chosen by cross-validation over the regularisation path.

    Each fold fits the path (strong screening + KKT checks) on the same grid of
    alphas, folds in parallel through joblib; the alpha with the least mean squared
    error is refitted on all data.

    Parameters
    ----------
    lam : {"bh", "gaussian", "oscar"} or array-like, default="bh"
        Lambda sequence.
    q : float, default=0.1
        FDR level for "bh" and "gaussian".
    theta1 : float, default=1.0
        OSCAR intercept.
    theta2 : float, default=0.5
        OSCAR slope.
    alphas : array-like, default=None
        Grid of alphas; by default ``n_alphas`` values down from ``alpha_max``.
    n_alphas : int, default=100
        Length of the default grid.
    alpha_min_ratio : float, default=None
        Smallest alpha of the default grid relative to ``alpha_max`` (``1e-2`` when
        ``n_features > n_samples`` else ``1e-4``).
    cv : int, cross-validation generator or iterable, default=5
        Folds, as in :func:`sklearn.model_selection.check_cv`.
    n_jobs : int, default=None
        Folds run in parallel.
    fit_intercept : bool, default=True
        Fit an intercept.
    standardize : bool, default=True
        Scale the columns to unit standard deviation.
    screening : bool, default=True
        Strong screening with KKT checks.
    tol : float, default=1e-6
        Relative duality-gap tolerance.
    max_iter : int, default=10000
        Iteration cap per solve.
    max_clusters : int, "auto" or None, default="auto"
        Stop the full-data path early, after the first alpha whose coefficients
        reach this many clusters (as in :func:`slope_path`: "auto" is
        ``n_samples + 1``, ``sortedl1``'s default, where the fit interpolates); the
        grid ``alphas_`` is then cut there and the folds are evaluated on that grid.
        None runs the whole grid.

    Attributes
    ----------
    alpha_ : float
        The chosen alpha.
    alphas_ : ndarray of shape (n_alphas,)
        The grid (up to where the full-data path stopped, with ``max_clusters``).
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Test mean squared error per alpha and fold.
    coef_ : ndarray of shape (n_features,)
        Coefficients at ``alpha_`` (refitted on all data).
    intercept_ : float
        Intercept at ``alpha_``.
    lambda_ : ndarray of shape (n_features,)
        The lambda sequence.
    coef_path_ : ndarray of shape (n_features, n_alphas)
        Coefficients along the path on all data.
    dual_gap_path_ : ndarray of shape (n_alphas,)
        Duality gaps along the full-data path.
    n_screened_path_ : ndarray of shape (n_alphas,)
        Strong-set sizes along the full-data path.
    n_active_path_ : ndarray of shape (n_alphas,)
        Non-zero coefficients along the full-data path.
    n_violations_path_ : ndarray of shape (n_alphas,)
        Features the KKT check added along the full-data path.
    n_iter_ : int
        Solver iterations over the full-data path.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from sklreg.linear_model import SLOPECV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((80, 10))
    >>> y = 3 * X[:, 0] + rng.standard_normal(80)
    >>> model = SLOPECV(n_alphas=20, cv=3).fit(X, y)
    >>> model.mse_path_.shape
    (20, 3)
    >>> bool(model.alpha_ in model.alphas_)
    True
    """

    _parameter_constraints = {
        "lam": _COMMON_CONSTRAINTS["lam"],
        "q": _COMMON_CONSTRAINTS["q"],
        "theta1": _COMMON_CONSTRAINTS["theta1"],
        "theta2": _COMMON_CONSTRAINTS["theta2"],
        "alphas": ["array-like", None],
        "n_alphas": [Interval(numbers.Integral, 1, None, closed="left")],
        "alpha_min_ratio": [Interval(numbers.Real, 0, 1, closed="neither"), None],
        "cv": ["cv_object"],
        "n_jobs": [numbers.Integral, None],
        "fit_intercept": ["boolean"],
        "standardize": ["boolean"],
        "screening": ["boolean"],
        "tol": _COMMON_CONSTRAINTS["tol"],
        "max_iter": _COMMON_CONSTRAINTS["max_iter"],
        "max_clusters": _MAX_CLUSTERS_CONSTRAINT,
    }

    def __init__(
        self,
        *,
        lam="bh",
        q=0.1,
        theta1=1.0,
        theta2=0.5,
        alphas=None,
        n_alphas=100,
        alpha_min_ratio=None,
        cv=5,
        n_jobs=None,
        fit_intercept=True,
        standardize=True,
        screening=True,
        tol=1e-6,
        max_iter=10_000,
        max_clusters="auto",
    ):
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Cross-validate the path and refit at the best alpha.

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
        self : SLOPECV
        """
        params = dict(
            lam=self.lam,
            q=self.q,
            theta1=self.theta1,
            theta2=self.theta2,
            n_alphas=self.n_alphas,
            alpha_min_ratio=self.alpha_min_ratio,
            fit_intercept=self.fit_intercept,
            standardize=self.standardize,
            screening=self.screening,
            tol=self.tol,
            max_iter=self.max_iter,
            max_clusters=self.max_clusters,
        )
        X, res = _cv_fit(self, slope_path, X, y, sample_weight, params)
        self.lambda_ = _resolve_lambda(
            self.lam, X.shape[1], X.shape[0], self.q, self.theta1, self.theta2
        )
        self.dual_gap_path_ = res.gaps
        self.n_iter_ = max(1, int(res.n_iter.sum()))
        return self

    def predict(self, X):
        """Predict with the model at ``alpha_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csc", "csr"], reset=False)
        return safe_sparse_dot(X, self.coef_) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
