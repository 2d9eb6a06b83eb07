"""Sparse canonical correlation analysis with scikit-learn's cross-decomposition API."""

import warnings
from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
from scipy.linalg import blas, pinv
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array, check_random_state

from sklreg.cross_decomposition._pmd import (
    _blas_controller,
    _cross_covariance,
    deflate_cross_covariance,
    pmd_rank_one,
    relax_on_support,
)
from sklreg.cross_decomposition._primal_dual import primal_dual_rank_one
from sklreg.utils._sklearn_compat import (
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
)

__all__ = ["SparseCCA"]


def _flip_sign(u, v):
    """Make the largest-magnitude entry of ``u`` positive, flipping ``v`` with it."""
    if u[np.argmax(np.abs(u))] < 0:
        return -u, -v
    return u, v


def _unit(w):
    norm = np.linalg.norm(w)
    return w / norm if norm > 0 else w


def _correlation(a, b):
    a, b = a - a.mean(), b - b.mean()
    denom = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / denom) if denom > 0 else 0.0


def canonical_correlations(x_scores, y_scores):
    """Correlation of each pair of score columns.

    Parameters
    ----------
    x_scores, y_scores : ndarray of shape (n_samples, n_components)
        Scores of the two views (for example the output of ``transform(X, Y)``).

    Returns
    -------
    correlations : ndarray of shape (n_components,)
        Pearson correlation of ``x_scores[:, k]`` with ``y_scores[:, k]`` (0 where a
        column is constant).

    Examples
    --------
    >>> canonical_correlations(np.array([[1.0], [2.0], [3.0]]), np.array([[2.0], [4.0], [7.0]]))
    array([0.99339927])
    """
    return np.array(
        [_correlation(x_scores[:, k], y_scores[:, k]) for k in range(x_scores.shape[1])]
    )


class _CanonicalTransformMixin(TransformerMixin):
    """``transform``, ``inverse_transform``, ``predict`` and ``score`` from fitted maps.

    Needs ``_x_mean, _x_std, _y_mean, _y_std, x_rotations_, y_rotations_, x_loadings_,
    y_loadings_, coef_`` and ``_predict_1d``.
    """

    def _check_Y(self, Y, X):
        """Y as a 2-D float array with the fitted columns and as many rows as ``X``."""
        Y = check_array(Y, input_name="Y", ensure_2d=False, dtype=np.float64)
        _check_same_rows(X, Y)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        if Y.shape[1] != self._y_mean.shape[0]:
            raise ValueError(
                f"Y has {Y.shape[1]} columns, but {type(self).__name__} was fitted with "
                f"{self._y_mean.shape[0]}."
            )
        return Y

    def transform(self, X, Y=None):
        """Project X (and Y) on the canonical directions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples of the first view.
        Y : array-like of shape (n_samples,) or (n_samples, n_targets), default=None
            Samples of the second view.

        Returns
        -------
        x_scores : ndarray of shape (n_samples, n_components)
            The X scores, or ``(x_scores, y_scores)`` when ``Y`` is given.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        x_scores = ((X - self._x_mean) / self._x_std) @ self.x_rotations_
        if Y is None:
            return x_scores
        Y = self._check_Y(Y, X)
        y_scores = ((Y - self._y_mean) / self._y_std) @ self.y_rotations_
        return x_scores, y_scores

    def fit_transform(self, X, y=None):
        """Fit to X and Y, then return the training scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            First view.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Second view (``Y``; named ``y`` as scikit-learn's pipelines pass it).

        Returns
        -------
        x_scores : ndarray of shape (n_samples, n_components)
            The X scores, or ``(x_scores, y_scores)`` when ``y`` is given.
        """
        return self.fit(X, y).transform(X, y)

    def inverse_transform(self, X, Y=None):
        """Map scores back to the original spaces (exact only with all components).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            X scores.
        Y : array-like of shape (n_samples, n_components), default=None
            Y scores.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Reconstructed X, or ``(X_original, Y_original)`` when ``Y`` is given.
        """
        check_is_fitted(self)
        X = check_array(X, input_name="X", dtype=np.float64)
        X_rec = X @ self.x_loadings_.T * self._x_std + self._x_mean
        if Y is None:
            return X_rec
        Y = check_array(Y, input_name="Y", dtype=np.float64)
        return X_rec, Y @ self.y_loadings_.T * self._y_std + self._y_mean

    def predict(self, X):
        """Predict Y from X through the canonical components (as scikit-learn's CCA).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        Y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``(X - mean) @ coef_.T + intercept_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        Y_pred = (X - self._x_mean) @ self.coef_.T + self.intercept_
        return Y_pred.ravel() if self._predict_1d else Y_pred

    def score(self, X, y):
        """Mean canonical correlation of the scores on (held-out) data.

        The score that :class:`~sklearn.model_selection.GridSearchCV` maximises to tune
        sparsity: the correlation of ``X @ x_rotations_`` with ``Y @ y_rotations_``,
        component by component, averaged.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            First view.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Second view (``Y``; named ``y`` as scikit-learn's scorers pass it).

        Returns
        -------
        score : float
            Mean over components of the correlation of the paired scores.
        """
        x_scores, y_scores = self.transform(X, y)
        return float(np.mean(canonical_correlations(x_scores, y_scores)))

    def _set_prediction_maps(self):
        """Rotations, regression coefficients and feature-out count from weights."""
        self.x_rotations_ = self.x_weights_ @ pinv(self.x_loadings_.T @ self.x_weights_)
        self.y_rotations_ = self.y_weights_ @ pinv(self.y_loadings_.T @ self.y_weights_)
        # (x_rotations_ y_loadings_')' rescaled to the original units, in one product
        self.coef_ = (self.y_loadings_ * self._y_std[:, None]) @ (
            self.x_rotations_ / self._x_std[:, None]
        ).T
        self.intercept_ = self._y_mean
        self._n_features_out = self.x_rotations_.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        return tags


def _check_same_rows(X, Y):
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"X and Y have different numbers of rows: {X.shape[0]} and {Y.shape[0]}.")


def _validate_views(estimator, X, Y):
    """Validate X (resetting ``n_features_in_``) and Y; reject different row counts."""
    if Y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None."
        )
    X = validate_data(estimator, X, dtype=np.float64, ensure_min_samples=2)
    Y = check_array(Y, input_name="Y", ensure_2d=False, dtype=np.float64)
    _check_same_rows(X, Y)
    predict_1d = Y.ndim == 1
    if predict_1d:
        Y = Y.reshape(-1, 1)
    return X, Y, predict_1d


def _standardise(X, name, scale):
    """Centre (and scale) the columns; refuse constant columns, which carry no signal."""
    mean = X.mean(axis=0)
    centred = X - mean  # the one copy of the data
    std = np.sqrt(np.einsum("ij,ij->j", centred, centred) / max(X.shape[0] - 1, 1))
    constant = np.flatnonzero(std <= 1e-12 * np.maximum(1.0, np.abs(mean)))
    if constant.size:
        raise ValueError(
            f"{name} has constant column(s) {constant[:10].tolist()}: a constant column "
            "has no correlation with the other view. Remove it before fitting."
        )
    if not scale:
        return centred, mean, np.ones_like(std)
    centred /= std
    return centred, mean, std


def _deflate_in_place(A, scores, loadings):
    """``A -= outer(scores, loadings)`` without temporaries (BLAS rank-one update).

    ``A`` is fit's own standardised copy of a view, C-contiguous float64: its
    transpose is Fortran-ordered, which BLAS updates in place.
    """
    if A.flags.c_contiguous and A.dtype == np.float64:
        blas.dger(-1.0, loadings, scores, a=A.T, overwrite_a=True)
    else:
        A -= np.outer(scores, loadings)


def _l1_bound(penalty, n_features):
    """Witten et al.'s L1 bound ``penalty * sqrt(p)``, at least 1; none at penalty 1."""
    return np.inf if penalty >= 1 else max(1.0, penalty * np.sqrt(n_features))


def _check_n_components(n_components, n, p, q):
    bound = min(n, p, q)
    if n_components > bound:
        raise ValueError(
            f"n_components={n_components} is too large: it must be at most "
            f"min(n_samples, n_features_x, n_features_y) = {bound}."
        )


class SparseCCA(ClassNamePrefixFeaturesOutMixin, _CanonicalTransformMixin, BaseEstimator):
    """Sparse canonical correlation analysis, one component at a time.

    Each component is a pair of sparse weight vectors ``(u, v)`` whose scores ``X u`` and
    ``Y v`` are highly correlated, found on the data deflated by the earlier components
    (scikit-learn's canonical deflation, so the scores of different components are
    uncorrelated on the training data). Two solvers:

    - ``method="pmd"``: the penalised matrix decomposition of Witten, Tibshirani and
      Hastie (2009), maximising ``u' X'Y v`` under ``||u||_2 <= 1``,
      ``||u||_1 <= penalty_x * sqrt(n_features_x)`` (same for ``v``), by alternating
      soft-thresholding with the thresholds that meet the L1 bounds (in closed form,
      where Witten et al. use a binary search), from their start and from
      ``n_starts`` sparse ones. Witten et al. treat the within-view covariances as the
      identity (``shrinkage=1``); smaller ``shrinkage`` uses the shrunk covariances,
      and ``shrinkage=0`` without sparsity is exact CCA.
    - ``method="primal_dual"``: the primal-dual sparse CCA of Hardoon and Shawe-Taylor
      (2011), sparse primal weights for X and sparse dual weights (training samples) for
      Y seen through its linear kernel, by alternating Lasso steps. For a Y better
      described by its samples than by its features, with sparsity wanted in X only:
      the Y weights ``Y'e`` are dense, so where Y's signal is a few features, PMD
      recovers it better (see the user guide).

    Parameters
    ----------
    n_components : int, default=2
        Number of components, at most ``min(n_samples, n_features, n_targets)``.
    penalty_x : float in (0, 1], default=0.3
        Sparsity of the X weights; 1 means none, smaller is sparser. For ``"pmd"`` the
        L1 bound is ``max(1, penalty_x * sqrt(n_features))`` (Witten et al.'s
        ``penaltyx``); for ``"primal_dual"`` the Lasso penalty is
        ``(1 - penalty_x)`` times the smallest one that zeroes every weight.
    penalty_y : float in (0, 1], default=0.3
        Sparsity of the Y weights (``"pmd"``) or of the dual weights
        (``"primal_dual"``), as ``penalty_x``.
    method : {"pmd", "primal_dual"}, default="pmd"
        Solver, see above.
    shrinkage : float in [0, 1], default=1.0
        ``"pmd"`` only: within-view covariances ``(1 - shrinkage) S + shrinkage I``.
        1 is Witten et al.'s PMD; 0 needs ``n_samples > n_features`` in each view.
    relax : bool, default=False
        ``"pmd"`` only: after each component's sparse step, keep its selected
        features and re-estimate their weights without the L1 penalty
        (:func:`relax_on_support`, as the relaxed lasso). The L1 bound shrinks the
        weights it keeps, which costs held-out correlation when the selected support
        is right; relaxing undoes it, and hurts when the support holds many noise
        features. Tune it with the penalties (:class:`SparseCCACV` tries both).
    scale : bool, default=True
        Whether to scale the columns to unit variance (they are always centred).
    n_starts : int, default=10
        ``"pmd"`` only: besides Witten et al.'s start (the leading singular pair of the
        deflated ``X'Y``), start the alternating updates from the ``n_starts`` columns
        of ``X'Y`` holding its largest entries and keep the start with the largest
        objective ``u' X'Y v``. A weak sparse component hides under the dense noise
        spectrum of ``X'Y`` when the features outnumber the samples, where the
        singular pair alone finds noise. 0 is Witten et al.'s algorithm exactly.
    max_iter : int, default=500
        Maximum number of alternating updates per component.
    tol : float, default=1e-8
        Convergence tolerance on the change of the weights.
    random_state : int, RandomState instance or None, default=None
        Seed of the ARPACK start vector of ``"pmd"``.

    Attributes
    ----------
    x_weights_ : ndarray of shape (n_features, n_components)
        Sparse X weights of each component (unit norm), on the deflated X.
    y_weights_ : ndarray of shape (n_targets, n_components)
        Y weights of each component (unit norm), on the deflated Y.
    x_loadings_ : ndarray of shape (n_features, n_components)
        Regression of the deflated X on each component's X scores.
    y_loadings_ : ndarray of shape (n_targets, n_components)
        Regression of the deflated Y on each component's Y scores.
    x_rotations_ : ndarray of shape (n_features, n_components)
        Maps standardised X to its scores: ``x_weights_ (x_loadings_' x_weights_)^+``.
    y_rotations_ : ndarray of shape (n_targets, n_components)
        Maps standardised Y to its scores.
    canonical_correlations_ : ndarray of shape (n_components,)
        Correlation of the paired training scores of each component.
    coef_ : ndarray of shape (n_targets, n_features)
        Coefficients of ``predict`` (as scikit-learn's CCA).
    intercept_ : ndarray of shape (n_targets,)
        Intercept of ``predict``.
    n_iter_ : ndarray of shape (n_fitted_components,)
        Number of alternating updates run for each component.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has feature names that are all strings.

    See Also
    --------
    StochasticCCA : CCA by minibatch gradient descent, for many samples.
    sklearn.cross_decomposition.CCA : Dense CCA.

    References
    ----------
    Witten, D. M., Tibshirani, R., and Hastie, T. (2009). A penalized matrix
    decomposition, with applications to sparse principal components and canonical
    correlation analysis. Biostatistics, 10(3), 515-534.

    Hardoon, D. R., and Shawe-Taylor, J. (2011). Sparse canonical correlation analysis.
    Machine Learning, 83(3), 331-353.

    Examples
    --------
    >>> from sklreg.cross_decomposition import SparseCCA
    >>> from sklreg.datasets import make_sparse_two_view
    >>> X, Y, wx, wy, rho = make_sparse_two_view(
    ...     n_samples=200, n_features_x=30, n_features_y=20, random_state=0)
    >>> cca = SparseCCA(n_components=1, penalty_x=0.4, penalty_y=0.4).fit(X, Y)
    >>> bool(np.all((cca.x_weights_[:, 0] != 0) == (wx[:, 0] != 0)))
    True
    >>> cca.transform(X).shape
    (200, 1)
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "penalty_x": [Interval(Real, 0, 1, closed="right")],
        "penalty_y": [Interval(Real, 0, 1, closed="right")],
        "method": [StrOptions({"pmd", "primal_dual"})],
        "shrinkage": [Interval(Real, 0, 1, closed="both")],
        "relax": ["boolean"],
        "scale": ["boolean"],
        "n_starts": [Interval(Integral, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        penalty_x=0.3,
        penalty_y=0.3,
        method="pmd",
        shrinkage=1.0,
        relax=False,
        scale=True,
        n_starts=10,
        max_iter=500,
        tol=1e-8,
        random_state=None,
    ):
        self.n_components = n_components
        self.penalty_x = penalty_x
        self.penalty_y = penalty_y
        self.method = method
        self.shrinkage = shrinkage
        self.relax = relax
        self.scale = scale
        self.n_starts = n_starts
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _rank_one(self, Xk, Yk, cross, random_state):
        if self.method == "pmd":
            bound_x = _l1_bound(self.penalty_x, Xk.shape[1])
            bound_y = _l1_bound(self.penalty_y, Yk.shape[1])
            u, v, n_iter = pmd_rank_one(
                Xk,
                Yk,
                bound_x,
                bound_y,
                cross=cross,
                shrinkage=self.shrinkage,
                n_starts=self.n_starts,
                max_iter=self.max_iter,
                tol=self.tol,
                random_state=random_state,
            )
            if self.relax:
                u, v = relax_on_support(Xk, Yk, u, v, shrinkage=self.shrinkage)
            return u, v, n_iter
        u, v, _, n_iter = primal_dual_rank_one(
            Xk,
            Yk,
            self.penalty_x,
            self.penalty_y,
            max_iter=self.max_iter,
            tol=max(self.tol, 1e-6),
        )
        return u, v, n_iter

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, Y):
        """Fit the sparse canonical components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            First view.
        Y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Second view.

        Returns
        -------
        self : SparseCCA
            The fitted estimator.
        """
        X, Y, self._predict_1d = _validate_views(self, X, Y)
        n, p = X.shape
        q = Y.shape[1]
        _check_n_components(self.n_components, n, p, q)
        Xk, self._x_mean, self._x_std = _standardise(X, "X", self.scale)
        Yk, self._y_mean, self._y_std = _standardise(Y, "Y", self.scale)
        if self.method == "pmd" and self.shrinkage == 0 and max(p, q) >= n:
            raise ValueError(
                f"shrinkage=0 needs more samples than features in each view (got "
                f"n_samples={n}, n_features_x={p}, n_features_y={q}); use shrinkage > 0."
            )
        if self.relax and self.method != "pmd":
            raise ValueError(
                f"relax=True applies to method='pmd' only (got method={self.method!r})."
            )
        random_state = check_random_state(self.random_state)
        k_max = self.n_components
        self.x_weights_, self.x_loadings_ = np.zeros((p, k_max)), np.zeros((p, k_max))
        self.y_weights_, self.y_loadings_ = np.zeros((q, k_max)), np.zeros((q, k_max))
        correlations = np.zeros(k_max)
        self.n_iter_ = []
        # PMD reads the data through X'Y only: form it once, deflate it in O(n (p + q))
        cross = None
        if self.method == "pmd":
            cross = _cross_covariance(Xk, Yk) if self.shrinkage == 1.0 else Xk.T @ Yk / n
            cross = cross if isinstance(cross, np.ndarray) else None
        # PMD's products past X'Y are matrix-vector ones: one BLAS thread (see pmd_rank_one)
        limit = _blas_controller().limit(limits=1, user_api="blas")
        with limit if self.method == "pmd" else nullcontext():
            for k in range(k_max):
                u, v, n_iter = self._rank_one(Xk, Yk, cross, random_state)
                u, v = _flip_sign(_unit(u), _unit(v))  # unit norm, as sklearn's CCA
                x_scores, y_scores = Xk @ u, Yk @ v
                if x_scores @ x_scores <= 1e-24 or y_scores @ y_scores <= 1e-24:
                    warnings.warn(
                        f"Component {k} has all-zero scores (the deflated views have no "
                        "correlation left, or the sparsity is too strong); the remaining "
                        "components are left at zero.",
                        UserWarning,
                        stacklevel=2,
                    )
                    break
                self.n_iter_.append(n_iter)
                self.x_weights_[:, k], self.y_weights_[:, k] = u, v
                self.x_loadings_[:, k] = Xk.T @ x_scores / (x_scores @ x_scores)
                self.y_loadings_[:, k] = Yk.T @ y_scores / (y_scores @ y_scores)
                if cross is not None and k + 1 < k_max:
                    cross = deflate_cross_covariance(
                        cross,
                        Xk,
                        Yk,
                        x_scores,
                        y_scores,
                        overwrite=True,
                        x_loadings=self.x_loadings_[:, k],
                        y_loadings=self.y_loadings_[:, k],
                    )
                correlations[k] = _correlation(x_scores, y_scores)
                if k + 1 < k_max:  # the last component's deflated views go unused
                    _deflate_in_place(Xk, x_scores, self.x_loadings_[:, k])
                    _deflate_in_place(Yk, y_scores, self.y_loadings_[:, k])
        self.n_iter_ = np.asarray(self.n_iter_, dtype=int)
        self.canonical_correlations_ = correlations
        self._set_prediction_maps()
        return self
