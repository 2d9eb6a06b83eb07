"""SparseCCA with its sparsity chosen by cross-validated held-out canonical correlation."""

import warnings
from itertools import product
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, clone
from sklearn.model_selection import check_cv
from sklearn.utils.parallel import Parallel, delayed

from sklreg.cross_decomposition._sparse_cca import (
    SparseCCA,
    _CanonicalTransformMixin,
    _validate_views,
)
from sklreg.utils._sklearn_compat import Interval, StrOptions, _fit_context

__all__ = ["SparseCCACV", "penalty_grid"]


def penalty_grid(penalties, n_features):
    """The penalties to try for one view: given values, or a geometric grid.

    An integer ``m`` gives ``m`` values spaced geometrically from ``1 / sqrt(p)`` (an
    L1 bound of 1: a single feature for ``"pmd"``) to 1 (no sparsity).

    Parameters
    ----------
    penalties : int or array-like of float in (0, 1]
        Number of grid values, or the values themselves.
    n_features : int
        Number of features ``p`` of the view.

    Returns
    -------
    grid : ndarray of shape (n_values,)
        Increasing penalties in (0, 1].

    Examples
    --------
    >>> penalty_grid(3, 100)
    array([0.1       , 0.31622777, 1.        ])
    """
    if isinstance(penalties, Integral):
        low = min(1.0, 1.0 / np.sqrt(n_features))
        return np.geomspace(low, 1.0, penalties) if penalties > 1 else np.array([1.0])
    grid = np.unique(np.asarray(penalties, dtype=float))
    if grid.size == 0 or np.any((grid <= 0) | (grid > 1)):
        raise ValueError(f"penalties must lie in (0, 1]; got {penalties!r}.")
    return grid


def _fold_score(estimator, params, X, Y, train, test):
    """Held-out mean canonical correlation of one candidate fitted on one fold.

    Returns ``(score, error)``: a fit that fails (a column constant on the fold, say)
    scores NaN and passes its message on.
    """
    model = clone(estimator).set_params(**params)
    try:
        with warnings.catch_warnings():  # an empty component scores 0: the verdict
            warnings.simplefilter("ignore", UserWarning)
            model.fit(X[train], Y[train])
    except ValueError as error:
        return np.nan, str(error)
    return model.score(X[test], Y[test]), None


class SparseCCACV(ClassNamePrefixFeaturesOutMixin, _CanonicalTransformMixin, BaseEstimator):
    """Sparse CCA with the sparsity of each view chosen by cross-validation.

    Fits :class:`SparseCCA` for every candidate ``(penalty_x, penalty_y)`` on every
    training fold, in parallel, scores each on its held-out fold by the mean canonical
    correlation of the held-out scores (:meth:`SparseCCA.score`), picks the pair with
    the best mean over folds and refits it on all the data. The fitted attributes are
    those of the refitted :class:`SparseCCA`, which is also kept as
    ``best_estimator_``. Equivalent to
    ``GridSearchCV(SparseCCA(...), {"penalty_x": ..., "penalty_y": ..., "relax": ...})``,
    with a grid scaled to the number of features.

    Parameters
    ----------
    n_components : int, default=2
        Number of components, at most ``min(n_samples, n_features, n_targets)``.
    penalties_x : int or array-like of float in (0, 1], default=6
        Candidate ``penalty_x`` values, or their number: a geometric grid from
        ``1 / sqrt(n_features)`` (one feature) to 1 (no sparsity).
    penalties_y : int, array-like of float in (0, 1] or None, default=None
        Candidate ``penalty_y`` values or their number, searched jointly with
        ``penalties_x`` (all pairs). None ties ``penalty_y`` to ``penalty_x`` (each
        candidate uses the same value for both views), a grid of ``len(penalties_x)``
        candidates instead of its square.
    cv : int, cross-validation generator or iterable, default=5
        Folds, as in :func:`sklearn.model_selection.check_cv`. A candidate whose fit
        fails on a fold (a column constant on that fold, say) scores NaN and is not
        chosen, with a warning; if every fit fails the first error is raised.
    method : {"pmd", "primal_dual"}, default="pmd"
        Solver of :class:`SparseCCA`.
    shrinkage : float in [0, 1], default=1.0
        See :class:`SparseCCA`.
    relax : bool or "auto", default="auto"
        ``relax`` of :class:`SparseCCA` (re-estimate the selected weights without
        penalty). ``"auto"`` searches both values jointly with the penalties (twice the
        candidates) when ``method="pmd"``, and is False for ``"primal_dual"``.
    scale : bool, default=True
        Whether to scale the columns to unit variance (they are always centred).
    n_starts : int, default=10
        See :class:`SparseCCA`.
    max_iter : int, default=500
        Maximum number of alternating updates per component.
    tol : float, default=1e-8
        Convergence tolerance on the change of the weights.
    n_jobs : int, default=None
        Number of (candidate, fold) fits run in parallel (joblib).
    random_state : int, RandomState instance or None, default=None
        Seed of :class:`SparseCCA` (every fit gets the same one).

    Attributes
    ----------
    penalty_x_ : float
        Chosen ``penalty_x``.
    penalty_y_ : float
        Chosen ``penalty_y``.
    relax_ : bool
        Chosen ``relax``.
    best_score_ : float
        Mean held-out canonical correlation of the chosen pair.
    cv_results_ : dict of ndarray
        ``penalty_x``, ``penalty_y``, ``relax`` (one entry per candidate), ``mean_test_score``,
        ``std_test_score`` and ``split{i}_test_score``.
    best_estimator_ : SparseCCA
        The chosen pair refitted on all the data.
    x_weights_ : ndarray of shape (n_features, n_components)
        Sparse X weights of each component, as :class:`SparseCCA`.
    y_weights_ : ndarray of shape (n_targets, n_components)
        Y weights of each component.
    x_loadings_ : ndarray of shape (n_features, n_components)
        Regression of the deflated X on each component's X scores.
    y_loadings_ : ndarray of shape (n_targets, n_components)
        Regression of the deflated Y on each component's Y scores.
    x_rotations_ : ndarray of shape (n_features, n_components)
        Maps standardised X to its scores.
    y_rotations_ : ndarray of shape (n_targets, n_components)
        Maps standardised Y to its scores.
    canonical_correlations_ : ndarray of shape (n_components,)
        Correlation of the paired training scores of each component.
    coef_ : ndarray of shape (n_targets, n_features)
        Coefficients of ``predict``.
    intercept_ : ndarray of shape (n_targets,)
        Intercept of ``predict``.
    n_iter_ : ndarray of shape (n_fitted_components,)
        Number of alternating updates run for each component of the refit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has feature names that are all strings.

    See Also
    --------
    SparseCCA : The estimator being tuned.

    Examples
    --------
    >>> from sklreg.cross_decomposition import SparseCCACV
    >>> from sklreg.datasets import make_sparse_two_view
    >>> X, Y, wx, _, _ = make_sparse_two_view(
    ...     n_samples=200, n_features_x=80, n_features_y=80, random_state=0)
    >>> cca = SparseCCACV(n_components=1, penalties_x=[0.3, 1.0], cv=3).fit(X, Y)
    >>> float(cca.penalty_x_), float(cca.penalty_y_), bool(cca.best_score_ > 0.8)
    (0.3, 0.3, True)
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "penalties_x": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "penalties_y": [Interval(Integral, 1, None, closed="left"), "array-like", None],
        "cv": ["cv_object"],
        "method": [StrOptions({"pmd", "primal_dual"})],
        "shrinkage": [Interval(Real, 0, 1, closed="both")],
        "relax": ["boolean", StrOptions({"auto"})],
        "scale": ["boolean"],
        "n_starts": [Interval(Integral, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        penalties_x=6,
        penalties_y=None,
        cv=5,
        method="pmd",
        shrinkage=1.0,
        relax="auto",
        scale=True,
        n_starts=10,
        max_iter=500,
        tol=1e-8,
        n_jobs=None,
        random_state=None,
    ):
        self.n_components = n_components
        self.penalties_x = penalties_x
        self.penalties_y = penalties_y
        self.cv = cv
        self.method = method
        self.shrinkage = shrinkage
        self.relax = relax
        self.scale = scale
        self.n_starts = n_starts
        self.max_iter = max_iter
        self.tol = tol
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _candidates(self, p, q):
        grid_x = penalty_grid(self.penalties_x, p)
        if self.relax != "auto":
            relax = [bool(self.relax)]
        else:
            relax = [False, True] if self.method == "pmd" else [False]
        if self.penalties_y is None:
            pairs = [(a, a) for a in grid_x]
        else:
            pairs = list(product(grid_x, penalty_grid(self.penalties_y, q)))
        return [{"penalty_x": a, "penalty_y": b, "relax": r} for r in relax for a, b in pairs]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, Y):
        """Choose the penalties by cross-validation, then refit on all the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            First view.
        Y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Second view.

        Returns
        -------
        self : SparseCCACV
            The fitted estimator.
        """
        X, Y2, predict_1d = _validate_views(self, X, Y)
        Y = Y2.ravel() if predict_1d else Y2
        candidates = self._candidates(X.shape[1], Y2.shape[1])
        folds = list(check_cv(self.cv).split(X, Y))
        base = SparseCCA(
            self.n_components,
            method=self.method,
            shrinkage=self.shrinkage,
            scale=self.scale,
            n_starts=self.n_starts,
            max_iter=self.max_iter,
            tol=self.tol,
            random_state=self.random_state,
        )
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fold_score)(base, params, X, Y, train, test)
            for params in candidates
            for train, test in folds
        )
        scores = np.array([score for score, _ in results], dtype=float)
        scores = scores.reshape(len(candidates), len(folds))
        errors = [error for _, error in results if error is not None]
        if len(errors) == len(results):
            raise ValueError(
                f"Every fit on the cross-validation folds failed; the first: {errors[0]}"
            )
        if errors:
            warnings.warn(
                f"{len(errors)} of {len(results)} fits on the cross-validation folds failed "
                f"and score NaN (their candidates are not chosen); the first: {errors[0]}",
                UserWarning,
                stacklevel=2,
            )
        mean = np.nan_to_num(scores.mean(axis=1), nan=-np.inf)  # a failed fold rules out
        best = int(np.argmax(mean))
        self.cv_results_ = {
            "penalty_x": np.array([c["penalty_x"] for c in candidates]),
            "penalty_y": np.array([c["penalty_y"] for c in candidates]),
            "relax": np.array([c["relax"] for c in candidates]),
            "mean_test_score": scores.mean(axis=1),
            "std_test_score": scores.std(axis=1),
            **{f"split{i}_test_score": scores[:, i] for i in range(len(folds))},
        }
        self.penalty_x_ = float(candidates[best]["penalty_x"])
        self.penalty_y_ = float(candidates[best]["penalty_y"])
        self.relax_ = bool(candidates[best]["relax"])
        self.best_score_ = float(scores[best].mean())
        self.best_estimator_ = clone(base).set_params(**candidates[best]).fit(X, Y)
        for name, value in vars(self.best_estimator_).items():
            if (name.endswith("_") and not name.startswith("__")) or name in _PRIVATE_FITTED:
                setattr(self, name, value)
        return self


# fitted state of SparseCCA that the transform mixin reads
_PRIVATE_FITTED = ("_x_mean", "_x_std", "_y_mean", "_y_std", "_predict_1d", "_n_features_out")
