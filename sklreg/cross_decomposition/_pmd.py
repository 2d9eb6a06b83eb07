"""Penalised matrix decomposition for sparse CCA (Witten, Tibshirani and Hastie, 2009).

The maths behind :class:`sklreg.cross_decomposition.SparseCCA` with ``method="pmd"``:
plain functions on standardised, centred data.
"""

from functools import lru_cache

import numpy as np
from scipy import linalg
from scipy.sparse.linalg import LinearOperator, svds
from sklearn.utils import check_random_state
from threadpoolctl import ThreadpoolController

__all__ = [
    "deflate_cross_covariance",
    "l1_bounded_direction",
    "pmd_rank_one",
    "relax_on_support",
    "soft_threshold",
]


def soft_threshold(a, threshold):
    """Soft-threshold ``a``: ``sign(a) * max(|a| - threshold, 0)``.

    Parameters
    ----------
    a : ndarray
        Values to shrink.
    threshold : float
        Non-negative threshold.

    Returns
    -------
    shrunk : ndarray
        ``a`` moved towards zero by ``threshold``, entries below it set to zero.

    Examples
    --------
    >>> soft_threshold(np.array([-2.0, 0.5, 3.0]), 1.0)
    array([-1.,  0.,  2.])
    """
    return np.sign(a) * np.maximum(np.abs(a) - threshold, 0.0)


def _euclidean_norm(u):
    return float(np.linalg.norm(u))


def _euclidean_thresholds(A, l1_bound, n_top=None):
    """Witten et al.'s threshold for each column of ``A``, in closed form.

    With the entries of a column sorted, ``|a|_(1) >= |a|_(2) >= ...``, a threshold
    ``d`` in ``[|a|_(m+1), |a|_(m))`` keeps the top ``m`` entries and the ratio
    ``||S(a, d)||_1 / ||S(a, d)||_2`` is non-increasing in ``d``. The ratio at each
    breakpoint picks the active count ``m``; on that piece the bound is met where
    ``(S1 - m d)^2 = c^2 (S2 - 2 d S1 + m d^2)``, with ``S1, S2`` the sum and the sum of
    squares of the top ``m`` entries: a quadratic in ``d``. Columns whose own ratio is
    within the bound get threshold 0.

    A tight bound is reached within the few largest entries, so only the top
    ``n_top`` of each column are sorted (a partition finds them); columns whose bound
    is not reached there are solved again with the full sort.
    """
    n_rows = A.shape[0]
    n_top = n_rows if n_top is None else n_top
    if n_top >= n_rows - 1:
        top = -np.sort(-np.abs(A), axis=0)
        below = np.vstack([top[1:], np.zeros((1, top.shape[1]))])  # |a|_(m+1)
    else:  # the n_top + 1 largest entries, sorted; the last only serves as |a|_(m+1)
        part = -np.partition(-np.abs(A), n_top, axis=0)[: n_top + 1]
        part = -np.sort(-part, axis=0)
        top, below = part[:-1], part[1:]
    s1, s2 = np.cumsum(top, axis=0), np.cumsum(top**2, axis=0)
    m = np.arange(1, top.shape[0] + 1)[:, None]
    l1 = s1 - m * below
    l2_sq = np.maximum(s2 - 2 * below * s1 + m * below**2, 0.0)
    binds = l1 >= l1_bound * np.sqrt(l2_sq)  # ratio at the piece's lower end >= c
    if top.shape[0] < n_rows:
        missed = ~np.any(binds, axis=0)
        if np.any(missed):  # the bound lies deeper in these columns: full sort
            threshold = np.empty(A.shape[1])
            threshold[missed] = _euclidean_thresholds(A[:, missed], l1_bound)
            threshold[~missed] = _euclidean_thresholds(A[:, ~missed], l1_bound, n_top)
            return threshold
    binds[-1] = True
    k = np.argmax(binds, axis=0)  # first piece on which the bound is reached
    cols = np.arange(top.shape[1])
    m_k, s1_k, s2_k, c2 = k + 1.0, s1[k, cols], s2[k, cols], l1_bound**2
    low, high = below[k, cols], top[k, cols]
    with np.errstate(divide="ignore", invalid="ignore"):
        # m d^2 - 2 S1 d + (S1^2 - c^2 S2) / (m - c^2) = 0, the smaller root
        const = (s1_k**2 - c2 * s2_k) / (m_k - c2)
        root = (s1_k - np.sqrt(np.maximum(s1_k**2 - m_k * const, 0.0))) / m_k
    # m <= c^2: the ratio cannot exceed sqrt(m) <= c on this piece, nothing to solve
    threshold = np.where(m_k > c2, np.clip(root, low, high), low)
    return np.where(np.isfinite(threshold), threshold, low)


def _l1_directions(A, l1_bound):
    """:func:`l1_bounded_direction` (Euclidean) applied to each column of ``A``."""
    norms = np.linalg.norm(A, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(norms > 0, np.abs(A).sum(axis=0) / norms, 0.0)
    threshold = np.zeros(A.shape[1])
    over = ratio > l1_bound
    if np.any(over):
        # the bound binds on a piece with m active entries, m > c^2; look 4 c^2 deep
        n_top = int(min(A.shape[0], max(32, 4 * np.ceil(l1_bound**2))))
        threshold[over] = _euclidean_thresholds(A[:, over], l1_bound, n_top)
    shrunk = soft_threshold(A, threshold)
    size = np.linalg.norm(shrunk, axis=0)
    empty = (size <= 0) & (norms > 0)
    if np.any(empty):  # the threshold reached max|a|: keep the largest entries
        top = np.max(np.abs(A[:, empty]), axis=0)
        shrunk[:, empty] = np.where(np.abs(A[:, empty]) == top, A[:, empty], 0.0)
        size = np.linalg.norm(shrunk, axis=0)
    return np.divide(shrunk, size, out=np.zeros_like(shrunk), where=size > 0)


def l1_bounded_direction(a, l1_bound, *, metric=None, n_bisections=45):
    """The unit vector ``S(a, d) / ||S(a, d)||`` whose L1 norm is at most ``l1_bound``.

    Witten et al.'s update: the soft-threshold level ``d`` is 0 when the normalised ``a``
    already satisfies the L1 bound, otherwise the level at which the normalised,
    thresholded vector has L1 norm ``l1_bound``. With the Euclidean norm that level
    is found in closed form from the sorted ``|a|`` (the ratio of norms is piecewise a
    ratio of a linear and the square root of a quadratic function of ``d``); with a
    ``metric`` it is found by bisection.

    Parameters
    ----------
    a : ndarray of shape (n_features,)
        The direction to sparsify (for PMD, ``X' Y v``).
    l1_bound : float
        Bound on the L1 norm of the result, at least 1.
    metric : ndarray of shape (n_features, n_features), default=None
        Positive semi-definite matrix ``C`` defining the norm ``sqrt(u' C u)`` that the
        result is normalised to. ``None`` is the Euclidean norm (Witten et al.).
    n_bisections : int, default=45
        Number of bisection steps for the threshold when ``metric`` is given (each
        halves its bracket).

    Returns
    -------
    u : ndarray of shape (n_features,)
        Unit-norm (in ``metric``) vector with ``||u||_1 <= l1_bound`` (exactly, up to
        rounding, for the Euclidean norm; up to the bisection's resolution otherwise),
        or zeros when ``a`` is zero.

    Examples
    --------
    >>> u = l1_bounded_direction(np.array([3.0, 2.0, 0.1, -0.1]), 1.2)
    >>> bool(abs(np.abs(u).sum() - 1.2) < 1e-10), bool(abs(np.linalg.norm(u) - 1) < 1e-12)
    (True, True)
    """
    if metric is None:
        norm = _euclidean_norm
    else:

        def norm(u):
            return float(np.sqrt(max(u @ metric @ u, 0.0)))

    top = float(np.max(np.abs(a))) if a.size else 0.0
    if top <= 1e-300 or norm(a) <= 1e-300:
        return np.zeros_like(a)

    def ratio(threshold):
        shrunk = soft_threshold(a, threshold)
        size = norm(shrunk)
        return np.abs(shrunk).sum() / size if size > 0 else 0.0

    if metric is None:
        return _l1_directions(a.reshape(-1, 1), l1_bound).ravel()
    if ratio(0.0) <= l1_bound:
        return a / norm(a)
    low, high = 0.0, top  # ratio(low) > bound; at high the vector vanishes
    for _ in range(n_bisections):
        mid = 0.5 * (low + high)
        if ratio(mid) > l1_bound:
            low = mid
        else:
            high = mid
    shrunk = soft_threshold(a, high)
    size = norm(shrunk)
    if size <= 0:  # the threshold reached max|a|: keep the single largest entry
        shrunk = np.where(np.abs(a) == top, a, 0.0)
        size = norm(shrunk)
    return shrunk / size


def _whitening(cov, shrinkage):
    """``C^+`` and ``C^{+1/2}`` for ``C = (1 - shrinkage) cov + shrinkage I``; None at 1."""
    if shrinkage == 1.0:
        return None, None, None
    metric = (1.0 - shrinkage) * cov + shrinkage * np.eye(cov.shape[0])
    eigval, eigvec = linalg.eigh(metric)
    keep = eigval > eigval.max() * cov.shape[0] * np.finfo(float).eps
    vec = eigvec[:, keep]
    inverse = (vec / eigval[keep]) @ vec.T
    inverse_sqrt = (vec / np.sqrt(eigval[keep])) @ vec.T
    return metric, inverse, inverse_sqrt


def relax_on_support(X, Y, u, v, *, shrinkage=1.0):
    """Re-estimate sparse canonical weights without penalty on their supports.

    The relaxed step (as the relaxed lasso of Meinshausen, 2007): keep the features
    that ``u`` and ``v`` select and replace their values by the unpenalised solution
    of the same criterion restricted to them, ``max a' S_xy b`` under
    ``a' C_x a <= 1`` and ``b' C_y b <= 1`` with ``C = (1 - shrinkage) S + shrinkage I``
    (the leading singular pair of ``S_xy`` on the supports when ``shrinkage=1``;
    exact CCA on them when ``shrinkage=0``). This undoes the shrinkage that the L1
    bound applies to the selected weights; it helps when the support is right and
    hurts when it holds many noise features, so choose it by cross-validation.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features_x)
        Centred (and scaled) first view.
    Y : ndarray of shape (n_samples, n_features_y)
        Centred (and scaled) second view.
    u : ndarray of shape (n_features_x,)
        Sparse X weights.
    v : ndarray of shape (n_features_y,)
        Sparse Y weights.
    shrinkage : float in [0, 1], default=1.0
        Weight of the identity in the within-view covariances.

    Returns
    -------
    u_relaxed, v_relaxed : ndarray
        Unit-norm weights with the supports of ``u`` and ``v``, signed so that
        ``u_relaxed @ u >= 0``; ``u`` and ``v`` themselves when either is zero.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.standard_normal(200)
    >>> X = np.c_[z, z + rng.standard_normal(200), rng.standard_normal(200)]
    >>> Y = np.c_[z + rng.standard_normal(200), rng.standard_normal(200)]
    >>> X, Y = X - X.mean(0), Y - Y.mean(0)
    >>> u, v = relax_on_support(X, Y, np.array([0.6, 0.1, 0.0]), np.array([1.0, 0.0]))
    >>> bool(u[2] == 0 and v[1] == 0 and u[0] > 0)
    True
    """
    sx, sy = np.flatnonzero(u), np.flatnonzero(v)
    if sx.size == 0 or sy.size == 0:
        return u, v
    n = X.shape[0]
    Xs, Ys = X[:, sx], Y[:, sy]
    cross = Xs.T @ Ys / n
    _, _, root_x = _whitening(Xs.T @ Xs / n, shrinkage)
    _, _, root_y = _whitening(Ys.T @ Ys / n, shrinkage)
    if root_x is not None:
        cross = root_x @ cross @ root_y
    left, _, right_t = linalg.svd(cross, full_matrices=False)
    a, b = left[:, 0], right_t[0]
    if root_x is not None:
        a, b = root_x @ a, root_y @ b
    if a @ u[sx] < 0:
        a, b = -a, -b
    u_relaxed, v_relaxed = np.zeros_like(u), np.zeros_like(v)
    u_relaxed[sx], v_relaxed[sy] = a / np.linalg.norm(a), b / np.linalg.norm(b)
    return u_relaxed, v_relaxed


POWER_STEPS = 2  # power iterations for the start; the alternation refines it


def _leading_singular_pair(operator, random_state):
    """Leading singular vectors of a matrix or LinearOperator.

    Exact SVD for small matrices; for a large dense matrix ``POWER_STEPS`` power
    iterations on ``C'C`` from a seeded random vector (the error shrinks as
    ``(s_2 / s_1)^(2 POWER_STEPS)``: only a start for the alternating updates, which
    are themselves thresholded power iterations and refine it); ARPACK with a seeded
    start for a LinearOperator.
    """
    shape = operator.shape
    if min(shape) <= 2 or (isinstance(operator, np.ndarray) and min(shape) <= 50):
        u, _, vt = linalg.svd(np.asarray(operator), full_matrices=False)
        return u[:, 0], vt[0]
    if isinstance(operator, np.ndarray):
        v = random_state.standard_normal(shape[1])
        for _ in range(POWER_STEPS):
            u = operator @ v
            v = operator.T @ u
            v /= max(np.linalg.norm(v), 1e-300)
        u = operator @ v
        return u / max(np.linalg.norm(u), 1e-300), v
    v0 = random_state.uniform(-1, 1, size=min(shape))
    u, _, vt = svds(operator, k=1, v0=v0, tol=1e-6, random_state=random_state)
    return u[:, 0], vt[0]


def _cross_covariance(X, Y):
    """``X'Y / n`` as a dense matrix, or as matvecs when it is large and costly.

    Dense when ``p q <= max(n (p + q), 2^22)``: a product with the dense ``p x q``
    matrix then costs no more than one through the data (or the matrix is small), and
    its largest entries give :func:`pmd_rank_one` its extra starts.
    """
    n, p = X.shape
    q = Y.shape[1]
    if p * q <= max(n * (p + q), 2**22):
        cross = X.T @ Y
        cross /= n  # in place: no second p x q array
        return cross
    return LinearOperator(
        (p, q),
        matvec=lambda v: X.T @ (Y @ v) / n,
        rmatvec=lambda u: Y.T @ (X @ u) / n,
        dtype=X.dtype,
    )


def deflate_cross_covariance(
    cross, X, Y, x_scores, y_scores, *, overwrite=False, x_loadings=None, y_loadings=None
):
    """``X_1' Y_1 / n`` after deflating both views by their scores, from ``X' Y / n``.

    With ``t = x_scores``, ``s = y_scores`` and the canonical (projection) deflation
    ``X_1 = X - t p'``, ``p = X' t / t't`` (the same for Y with ``s`` and ``r``),
    ``X_1' Y_1 = X'Y - p (Y't)' - (X's) r' + (t's) p r'``: three rank-one terms,
    ``O(n (p + q) + p q)`` instead of the ``O(n p q)`` of a new product.

    Parameters
    ----------
    cross : ndarray of shape (n_features_x, n_features_y)
        ``X' Y / n`` before deflation.
    X : ndarray of shape (n_samples, n_features_x)
        First view before deflation.
    Y : ndarray of shape (n_samples, n_features_y)
        Second view before deflation.
    x_scores : ndarray of shape (n_samples,)
        Scores ``t`` the first view is deflated by.
    y_scores : ndarray of shape (n_samples,)
        Scores ``s`` the second view is deflated by.
    overwrite : bool, default=False
        Update ``cross`` in place (when it is a C-contiguous float64 array) instead of
        returning a new array.
    x_loadings, y_loadings : ndarray of shape (n_features_x,) and (n_features_y,), \
            default=None
        ``p = X' t / t't`` and ``r = Y' s / s's`` when already computed.

    Returns
    -------
    cross : ndarray of shape (n_features_x, n_features_y)
        ``X_1' Y_1 / n`` (a new array unless ``overwrite``).

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> X, Y = rng.randn(20, 4), rng.randn(20, 3)
    >>> t, s = X @ rng.randn(4), Y @ rng.randn(3)
    >>> X1 = X - np.outer(t, X.T @ t / (t @ t))
    >>> Y1 = Y - np.outer(s, Y.T @ s / (s @ s))
    >>> np.allclose(deflate_cross_covariance(X.T @ Y / 20, X, Y, t, s), X1.T @ Y1 / 20)
    True
    """
    n = X.shape[0]
    x_load = X.T @ x_scores / (x_scores @ x_scores) if x_loadings is None else x_loadings
    y_load = Y.T @ y_scores / (y_scores @ y_scores) if y_loadings is None else y_loadings
    y_on_t, x_on_s = Y.T @ x_scores, X.T @ y_scores
    both = x_scores @ y_scores
    left = np.column_stack([x_load, x_on_s - both * x_load]) / n
    right = np.vstack([y_on_t, y_load])
    if overwrite and cross.flags.c_contiguous and cross.dtype == np.float64:
        # cross' -= right' left' in place (BLAS gemm on the Fortran-ordered transpose)
        return linalg.blas.dgemm(-1.0, right.T, left.T, 1.0, cross.T, overwrite_c=True).T
    return cross - left @ right  # one rank-2 product


@lru_cache(maxsize=1)
def _blas_controller():
    """One threadpoolctl controller: building one scans the loaded libraries (~10 ms)."""
    return ThreadpoolController()


BURST = 3  # sweeps every start runs before the best one is kept


def _entry_starts(cross, n_starts):
    """Starting ``v``: the unit vectors of the columns holding the largest ``|cross|``."""
    if n_starts <= 0 or not isinstance(cross, np.ndarray):
        return np.zeros((cross.shape[1], 0))
    column_max = np.maximum(cross.max(axis=0), -cross.min(axis=0))
    columns = np.argsort(column_max)[::-1][: min(n_starts, cross.shape[1])]
    starts = np.zeros((cross.shape[1], columns.size))
    starts[columns, np.arange(columns.size)] = 1.0
    return starts


def _sparse_product(matrix, W):
    """``matrix @ W`` reading only the rows of ``W`` that some column uses.

    Sparse weights touch a few columns of ``X'Y``: the product over those is the same
    sum (exact zeros dropped) at a fraction of the cost. Columns of ``W`` that are
    dense (the singular-pair start) are multiplied in full.
    """
    used = W != 0
    dense = used.sum(axis=0) > W.shape[0] // 4
    rows = np.flatnonzero(np.any(used[:, ~dense], axis=1))
    if np.all(dense) or rows.size > W.shape[0] // 4:
        return matrix @ W
    out = np.empty((matrix.shape[0], W.shape[1]))
    out[:, ~dense] = matrix[:, rows] @ W[rows][:, ~dense]
    if np.any(dense):
        out[:, dense] = matrix @ W[:, dense]
    return out


class _Alternation:
    """Witten et al.'s alternating updates for one component, from several ``v`` at once.

    Weights are matrices whose columns are independent runs, so that every sweep reads
    ``X'Y`` once (a matrix product) whatever the number of starts.
    """

    def __init__(self, cross, bounds, inverses, metrics):
        self.cross, self.bounds = cross, bounds
        self.inverses, self.metrics = inverses, metrics

    def _direction(self, target, view):
        if self.inverses[view] is not None:
            target = self.inverses[view] @ target
        if self.metrics[view] is None:
            return _l1_directions(target, self.bounds[view])
        return np.column_stack(
            [
                l1_bounded_direction(column, self.bounds[view], metric=self.metrics[view])
                for column in target.T
            ]
        )

    def objective(self, U, V):
        """``u' X'Y v`` for each pair of columns."""
        return np.sum(U * _sparse_product(self.cross, V), axis=0)

    def run(self, V, max_iter, tol):
        """At most ``max_iter`` sweeps from the columns of ``V``; ``(U, V, n_iter)``.

        Stops when no column moves by more than ``tol`` (Euclidean norm).
        """
        U = np.zeros((self.cross.shape[0], V.shape[1]))
        n_iter = 0
        for n_iter in range(1, max_iter + 1):  # noqa: B007 (read after the loop)
            U_new = self._direction(_sparse_product(self.cross, V), 0)
            V_new = self._direction(_sparse_product(self.cross.T, U_new), 1)
            change = max(
                np.max(np.linalg.norm(U_new - U, axis=0)),
                np.max(np.linalg.norm(V_new - V, axis=0)),
            )
            U, V = U_new, V_new
            if change < tol:
                break
        return U, V, n_iter


def pmd_rank_one(
    X,
    Y,
    l1_bound_x,
    l1_bound_y,
    *,
    cross=None,
    shrinkage=1.0,
    n_starts=10,
    max_iter=500,
    tol=1e-8,
    random_state=None,
):
    """One pair of sparse canonical weights by penalised matrix decomposition.

    Maximises ``u' X'Y v`` subject to ``||u||_1 <= c_x``, ``||v||_1 <= c_y`` and unit
    norms, alternating ``u = S(X'Y v, d_x) / ||.||`` and the same for ``v`` with the
    thresholds that make the L1 bounds hold (Witten et al., 2009, algorithm for
    PMD(L1, L1)). Witten et al. take the within-view covariances as the identity;
    ``shrinkage < 1`` uses ``C = (1 - shrinkage) S + shrinkage I`` instead: the update
    becomes ``u = S(C_x^+ X'Y v, d_x)`` normalised to ``u' C_x u = 1`` (a thresholded
    CCA power iteration), so that ``shrinkage=0`` without sparsity is exact CCA.

    The problem is not concave, and the leading singular pair of ``X'Y`` (Witten et
    al.'s start) can sit on noise when the signal is sparse and weak: the dense
    spectrum of ``p x q`` noise reaches ``~(1/sqrt(n)) (sqrt(p) + sqrt(q))`` while a
    sparse signal shows as a small block of large entries. So the updates also start
    from ``v = e_j`` for the ``n_starts`` columns ``j`` holding the largest ``|X'Y|``
    entries; all starts run 3 sweeps together (one matrix product per sweep), and the
    one with the largest ``u' X'Y v`` (each sweep can only raise it) is run to
    convergence.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features_x)
        Centred (and usually scaled) first view.
    Y : ndarray of shape (n_samples, n_features_y)
        Centred second view.
    l1_bound_x, l1_bound_y : float
        L1 bounds ``c_x, c_y`` (at least 1; ``sqrt(n_features)`` imposes no sparsity).
    cross : ndarray of shape (n_features_x, n_features_y), default=None
        ``X' Y / n_samples`` when already computed (for example updated by
        :func:`deflate_cross_covariance`); computed here when None.
    shrinkage : float, default=1.0
        Shrinkage of the within-view covariances towards the identity, in [0, 1].
    n_starts : int, default=10
        Number of extra starts at the largest entries of ``X'Y`` (0: the singular
        pair only). Needs the dense ``X'Y``, which is formed unless it is both large
        and costlier to apply than the data.
    max_iter : int, default=500
        Maximum number of alternating updates.
    tol : float, default=1e-8
        Stop when neither weight vector moves by more than ``tol`` (Euclidean norm).
    random_state : int, RandomState instance or None, default=None
        Seed of the ARPACK start vector for the leading singular pair.

    Returns
    -------
    u : ndarray of shape (n_features_x,)
        Weights for X.
    v : ndarray of shape (n_features_y,)
        Weights for Y.
    n_iter : int
        Number of alternating updates run from the chosen start.

    Examples
    --------
    >>> rng = np.random.RandomState(0)
    >>> z = rng.randn(200, 1)
    >>> X = np.hstack([z, rng.randn(200, 9)])
    >>> Y = np.hstack([z + rng.randn(200, 1), rng.randn(200, 4)])
    >>> u, v, _ = pmd_rank_one(X - X.mean(0), Y - Y.mean(0), 1.0, 1.0)
    >>> int(np.argmax(np.abs(u))), int(np.argmax(np.abs(v)))
    (0, 0)
    """
    random_state = check_random_state(random_state)
    n = X.shape[0]
    if cross is None:
        cross = _cross_covariance(X, Y) if shrinkage == 1.0 else X.T @ Y / n
    # the solver is matrix-vector products: BLAS threads only contend (10x slower on a
    # busy machine), as scikit-learn's KMeans also finds for its iterations
    with _blas_controller().limit(limits=1, user_api="blas"):
        if shrinkage == 1.0:
            inverses = metrics = (None, None)
            _, v = _leading_singular_pair(cross, random_state)
        else:
            cross = np.asarray(cross)
            metric_x, inv_x, inv_sqrt_x = _whitening(X.T @ X / n, shrinkage)
            metric_y, inv_y, inv_sqrt_y = _whitening(Y.T @ Y / n, shrinkage)
            inverses, metrics = (inv_x, inv_y), (metric_x, metric_y)
            _, v = _leading_singular_pair(inv_sqrt_x @ cross @ inv_sqrt_y, random_state)
            v = inv_sqrt_y @ v
        alternation = _Alternation(cross, (l1_bound_x, l1_bound_y), inverses, metrics)
        starts = np.column_stack([v, _entry_starts(cross, n_starts)])
        burst = min(BURST, max_iter)  # each sweep raises u' X'Y v: rank the starts early
        U, V, n_iter = alternation.run(starts, burst, tol)
        best = int(np.argmax(alternation.objective(U, V)))
        u, v = U[:, best], V[:, best]
        if n_iter == burst and max_iter > burst:
            U, V, more = alternation.run(v[:, None], max_iter - burst, tol)
            u, v, n_iter = U[:, 0], V[:, 0], n_iter + more
    return u, v, n_iter
