"""CCA by minibatch gradient descent on the unconstrained objective of Chapman et al."""

from numbers import Integral, Real

import numpy as np
import torch
from scipy import linalg
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin
from sklearn.utils import check_random_state

from sklreg.cross_decomposition._sparse_cca import (
    _CanonicalTransformMixin,
    _check_n_components,
    _standardise,
    _validate_views,
    canonical_correlations,
)
from sklreg.neural._base import check_device, torch_seed
from sklreg.utils._sklearn_compat import Interval, _fit_context, validate_data

__all__ = ["StochasticCCA", "ey_loss", "rayleigh_ritz_step"]


def ey_loss(x_scores, y_scores, x_scores_2=None, y_scores_2=None):
    """Chapman et al.'s Eckart-Young loss for CCA on a minibatch of scores.

    ``-2 tr(Gamma) + tr(Delta_1 Delta_2)`` with ``Gamma = Cov(X U + Y V)`` (the
    generalised eigenproblem ``A = total covariance``, ``B = block-diagonal
    covariance``, eigenvalues ``1 + rho_i``) and ``Delta = Cov(X U) + Cov(Y V)``. Its
    minimisers span the top-``k`` canonical subspace; two independent half-batches
    make the quadratic term unbiased.

    Parameters
    ----------
    x_scores, y_scores : torch.Tensor of shape (batch, n_components)
        Centred scores ``X U`` and ``Y V`` of one (half-)batch.
    x_scores_2, y_scores_2 : torch.Tensor of shape (batch, n_components), default=None
        Scores of an independent half-batch for the quadratic term; the first batch
        is reused when omitted.

    Returns
    -------
    loss : torch.Tensor
        Scalar loss.

    Examples
    --------
    >>> import torch
    >>> z = torch.randn(64, 1)
    >>> float(ey_loss(z, z)) < 0
    True
    """
    n = x_scores.shape[0]
    total = x_scores + y_scores
    gamma = total.T @ total / (n - 1)
    delta = (x_scores.T @ x_scores + y_scores.T @ y_scores) / (n - 1)
    if x_scores_2 is None:
        delta_2 = delta
    else:
        m = x_scores_2.shape[0]
        delta_2 = (x_scores_2.T @ x_scores_2 + y_scores_2.T @ y_scores_2) / (m - 1)
    return -2 * torch.trace(gamma) + torch.sum(delta * delta_2)


def _inverse_sqrt(cov):
    """``C^{-1/2}`` on the numerically non-null eigenspace of ``C`` (columns: its rank)."""
    eigval, eigvec = linalg.eigh(cov)
    keep = eigval > max(eigval.max(), 1e-300) * 1e-10
    return eigvec[:, keep] / np.sqrt(eigval[keep])


def _small_cca_from_cov(sxx, syy, sxy, k=None):
    """Rotations ``(Rx, Ry, correlations)`` solving CCA on low-dimensional scores.

    ``sxx, syy, sxy`` are the covariances of ``m``-dimensional score blocks; ``Rx`` maps
    them to the top ``k`` canonical pairs (``k`` defaults to all of them).
    """
    wx, wy = _inverse_sqrt(sxx), _inverse_sqrt(syy)
    left, rho, right_t = linalg.svd(wx.T @ sxy @ wy)
    k = min(rho.size if k is None else k, rho.size)
    return wx @ left[:, :k], wy @ right_t[:k].T, rho[:k]


def _small_cca(x_scores, y_scores):
    """Rotations making k-dimensional scores canonical: (Rx, Ry, correlations)."""
    n = x_scores.shape[0]
    x_scores = x_scores - x_scores.mean(0)
    y_scores = y_scores - y_scores.mean(0)
    return _small_cca_from_cov(
        x_scores.T @ x_scores / (n - 1),
        y_scores.T @ y_scores / (n - 1),
        x_scores.T @ y_scores / (n - 1),
    )


@torch.no_grad()
def rayleigh_ritz_step(Xt, Yt, u, v):
    """One exact CCA step in the span of the weights and their gradients.

    For centred views ``Xt, Yt`` and weights ``u, v`` (``k`` columns each), the
    gradient of the canonical correlation of the unit-norm scores ``t = X u``,
    ``s = Y v`` is ``X'(s - rho t)`` for ``u`` (``Y'(t - rho s)`` for ``v``). CCA
    restricted to the ``2k``-dimensional spans ``[u, X'(s - rho t)]`` and
    ``[v, Y'(t - rho s)]`` is solved exactly (Rayleigh-Ritz, as in LOBPCG without its
    third block), which can only raise every canonical correlation; repeated, it
    converges to the top ``k`` canonical pairs at a rate set by the conditioning of
    the within-view covariances. Cost: four passes over each view, no ``p x p``
    matrix.

    Parameters
    ----------
    Xt : torch.Tensor of shape (n_samples, n_features_x)
        Centred first view.
    Yt : torch.Tensor of shape (n_samples, n_features_y)
        Centred second view.
    u : torch.Tensor of shape (n_features_x, n_components)
        Current X weights.
    v : torch.Tensor of shape (n_features_y, n_components)
        Current Y weights.

    Returns
    -------
    u, v : torch.Tensor
        Improved weights (same shapes), with uncorrelated scores.

    Examples
    --------
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> z = torch.randn(500, 1)
    >>> X = torch.cat([z + torch.randn(500, 1), torch.randn(500, 4)], 1)
    >>> Y = torch.cat([torch.randn(500, 3), z + torch.randn(500, 1)], 1)
    >>> X, Y = X - X.mean(0), Y - Y.mean(0)
    >>> u, v = torch.ones(5, 1), torch.ones(4, 1)
    >>> for _ in range(3):
    ...     u, v = rayleigh_ritz_step(X, Y, u, v)
    >>> int(u.abs().argmax()), int(v.abs().argmax())
    (0, 3)
    """
    k = u.shape[1]
    tiny = torch.finfo(u.dtype).tiny
    x_scores, y_scores = Xt @ u, Yt @ v
    x_norm = x_scores.norm(dim=0).clamp_min(tiny)
    y_norm = y_scores.norm(dim=0).clamp_min(tiny)
    x_scores, y_scores, u, v = x_scores / x_norm, y_scores / y_norm, u / x_norm, v / y_norm
    rho = (x_scores * y_scores).sum(0)
    grad_u = Xt.T @ (y_scores - rho * x_scores)
    grad_v = Yt.T @ (x_scores - rho * y_scores)
    grad_u = grad_u / grad_u.norm(dim=0).clamp_min(tiny)
    grad_v = grad_v / grad_v.norm(dim=0).clamp_min(tiny)
    basis_x, basis_y = torch.cat([u, grad_u], 1), torch.cat([v, grad_v], 1)
    zx = torch.cat([x_scores, Xt @ grad_u], 1).double()
    zy = torch.cat([y_scores, Yt @ grad_v], 1).double()
    blocks = [(a.T @ b).cpu().numpy() for a, b in ((zx, zx), (zy, zy), (zx, zy))]
    rot_x, rot_y, _ = _small_cca_from_cov(*blocks, k=k)
    if rot_x.shape[1] < k:  # the scores lost rank: keep the weights
        return u, v
    rot_x = torch.as_tensor(rot_x, dtype=u.dtype, device=u.device)
    rot_y = torch.as_tensor(rot_y, dtype=v.dtype, device=v.device)
    return basis_x @ rot_x, basis_y @ rot_y


def _check_min_rows(n_samples):
    """Each step splits its minibatch into two halves whose covariances need 2 rows."""
    if n_samples < 4:
        raise ValueError(
            "StochasticCCA needs at least 4 rows in each call to fit or partial_fit (a "
            f"step splits its minibatch into two halves of at least 2 rows); got {n_samples}."
        )


class StochasticCCA(ClassNamePrefixFeaturesOutMixin, _CanonicalTransformMixin, BaseEstimator):
    """CCA for many samples by minibatch gradient descent (Chapman et al., 2024).

    Minimises the unconstrained Eckart-Young objective :func:`ey_loss` over weights
    ``U, V`` with Adam on minibatches (torch, so it runs on a GPU with
    ``device="cuda"``), then polishes the weights with ``n_refine`` exact
    Rayleigh-Ritz steps over the whole training set (:func:`rayleigh_ritz_step`:
    minibatch steps alone stall at a noise floor of a few hundredths in correlation)
    and rotates the learnt ``k``-dimensional subspace with a small exact CCA of the
    training scores so that each component is a canonical pair. The cost per epoch
    and per refinement step is ``O(n (p + q) k)``; no ``p x p`` matrix is ever formed.

    Parameters
    ----------
    n_components : int, default=2
        Number of components.
    batch_size : int, default=1000
        Rows per minibatch (split into two halves for the unbiased quadratic term).
    max_epochs : int, default=10
        Passes over the data in ``fit``.
    learning_rate : float, default=1e-2
        Adam step size.
    n_refine : int, default=2
        Refinement sweeps over the whole training set after the epochs of ``fit``
        (not ``partial_fit``): each solves CCA exactly in the span of the weights and
        their gradients (:func:`rayleigh_ritz_step`), which removes the noise floor
        that minibatch steps leave. Each costs about as much as an epoch; one takes a
        correlation gap of a few hundredths to about 1e-3. 0 keeps the SGD solution.
    scale : bool, default=True
        Whether to scale columns to unit variance (they are always centred).
    device : str, default="cpu"
        Torch device, e.g. ``"cuda"``.
    random_state : int, RandomState instance or None, default=None
        Seed for the initial weights and the minibatch order.

    Attributes
    ----------
    x_weights_ : ndarray of shape (n_features, n_components)
        X canonical weights (on standardised X).
    y_weights_ : ndarray of shape (n_targets, n_components)
        Y canonical weights (on standardised Y).
    x_rotations_ : ndarray of shape (n_features, n_components)
        Equal to ``x_weights_`` (no deflation is involved).
    y_rotations_ : ndarray of shape (n_targets, n_components)
        Equal to ``y_weights_``.
    x_loadings_ : ndarray of shape (n_features, n_components)
        Regression of standardised X on the X scores.
    y_loadings_ : ndarray of shape (n_targets, n_components)
        Regression of standardised Y on the Y scores.
    canonical_correlations_ : ndarray of shape (n_components,)
        Correlation of the paired scores on the data of the last ``fit`` (or batch).
    coef_ : ndarray of shape (n_targets, n_features)
        Coefficients of ``predict``.
    intercept_ : ndarray of shape (n_targets,)
        Intercept of ``predict``.
    n_iter_ : int
        Number of gradient steps taken.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has feature names that are all strings.

    See Also
    --------
    SparseCCA : Sparse CCA with the same API.

    References
    ----------
    Chapman, J., Aguila, A. L., and Wells, L. (2024). Unconstrained stochastic CCA:
    unifying multiview and self-supervised learning. ICLR.

    Examples
    --------
    >>> from sklreg.cross_decomposition import StochasticCCA
    >>> from sklreg.datasets import make_sparse_two_view
    >>> X, Y, _, _, rho = make_sparse_two_view(2000, 20, 20, random_state=0)
    >>> cca = StochasticCCA(n_components=1, batch_size=200, random_state=0).fit(X, Y)
    >>> bool(abs(cca.canonical_correlations_[0] - rho[0]) < 0.05)
    True
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 4, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "n_refine": [Interval(Integral, 0, None, closed="left")],
        "scale": ["boolean"],
        "device": [str],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        batch_size=1000,
        max_epochs=10,
        learning_rate=1e-2,
        n_refine=2,
        scale=True,
        device="cpu",
        random_state=None,
    ):
        self.n_components = n_components
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.n_refine = n_refine
        self.scale = scale
        self.device = device
        self.random_state = random_state

    def _initialise(self, Xs, Ys):
        device = check_device(self.device)
        rng = check_random_state(self.random_state)
        self._rng = np.random.RandomState(torch_seed(rng))
        p, q, k = Xs.shape[1], Ys.shape[1], self.n_components
        init_u = self._rng.standard_normal((p, k)) / np.sqrt(p)
        init_v = self._rng.standard_normal((q, k)) / np.sqrt(q)
        self._u = torch.tensor(init_u, dtype=torch.float32, device=device, requires_grad=True)
        self._v = torch.tensor(init_v, dtype=torch.float32, device=device, requires_grad=True)
        self._optimizer = torch.optim.Adam([self._u, self._v], lr=self.learning_rate)
        self._scheduler = None
        self.n_iter_ = 0

    def _tensors(self, Xs, Ys):
        """The standardised views as float32 tensors on the weights' device."""
        device = self._u.device
        return (
            torch.as_tensor(Xs, dtype=torch.float32, device=device),
            torch.as_tensor(Ys, dtype=torch.float32, device=device),
        )

    def _epoch(self, Xt, Yt):
        """One pass of Adam steps over the tensors (Xt, Yt) in shuffled minibatches."""
        device = self._u.device
        n = Xt.shape[0]
        order = torch.as_tensor(self._rng.permutation(n), device=device)
        size = min(self.batch_size, n)
        for start in range(0, n - size + 1, size):
            rows = order[start : start + size]
            xb, yb = Xt[rows], Yt[rows]
            xb, yb = xb - xb.mean(0), yb - yb.mean(0)
            half = size // 2
            xs, ys = xb @ self._u, yb @ self._v
            loss = ey_loss(xs[:half], ys[:half], xs[half:], ys[half:])
            self._optimizer.zero_grad()
            loss.backward()
            self._optimizer.step()
            if self._scheduler is not None:
                self._scheduler.step()
            self.n_iter_ += 1

    def _check_finite(self):
        if not bool(torch.isfinite(self._u).all() and torch.isfinite(self._v).all()):
            raise ValueError(
                "StochasticCCA diverged (non-finite weights); lower learning_rate or "
                "raise batch_size."
            )

    def _finish(self, Xs, Ys):
        """Rotate the learnt subspace to canonical pairs; set weights and maps."""
        self._check_finite()
        u = self._u.detach().cpu().numpy().astype(np.float64)
        v = self._v.detach().cpu().numpy().astype(np.float64)
        x_scores, y_scores = Xs @ u, Ys @ v
        rot_x, rot_y, _ = _small_cca(x_scores, y_scores)
        self.x_weights_, self.y_weights_ = u @ rot_x, v @ rot_y
        x_scores, y_scores = Xs @ self.x_weights_, Ys @ self.y_weights_
        signs = np.where(np.sum(x_scores * y_scores, axis=0) < 0, -1.0, 1.0)
        self.y_weights_ = self.y_weights_ * signs
        y_scores = y_scores * signs
        self.x_loadings_ = Xs.T @ x_scores / np.maximum(np.sum(x_scores**2, axis=0), 1e-300)
        self.y_loadings_ = Ys.T @ y_scores / np.maximum(np.sum(y_scores**2, axis=0), 1e-300)
        self.x_rotations_, self.y_rotations_ = self.x_weights_, self.y_weights_
        self.canonical_correlations_ = canonical_correlations(x_scores, y_scores)
        coef = self.x_rotations_ @ self.y_loadings_.T
        self.coef_ = (coef * self._y_std).T / self._x_std
        self.intercept_ = self._y_mean
        self._n_features_out = self.n_components

    def _prepare(self, X, Y, reset):
        if reset:
            X, Y, self._predict_1d = _validate_views(self, X, Y)
            _check_min_rows(X.shape[0])
            _check_n_components(self.n_components, X.shape[0], X.shape[1], Y.shape[1])
            Xs, self._x_mean, self._x_std = _standardise(X, "X", self.scale)
            Ys, self._y_mean, self._y_std = _standardise(Y, "Y", self.scale)
            return Xs, Ys
        X = validate_data(self, X, dtype=np.float64, reset=False)
        Y = self._check_Y(Y, X)
        _check_min_rows(X.shape[0])
        return (X - self._x_mean) / self._x_std, (Y - self._y_mean) / self._y_std

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, Y):
        """Fit by ``max_epochs`` passes of minibatch Adam.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            First view (at least 4 rows).
        Y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Second view.

        Returns
        -------
        self : StochasticCCA
            The fitted estimator.
        """
        Xs, Ys = self._prepare(X, Y, reset=True)
        self._initialise(Xs, Ys)
        steps = self.max_epochs * max(1, Xs.shape[0] // min(self.batch_size, Xs.shape[0]))
        # Adam's noise floor scales with the step: anneal it to zero over the run.
        self._scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(self._optimizer, steps)
        Xt, Yt = self._tensors(Xs, Ys)  # converted once, not once per epoch
        for _ in range(self.max_epochs):
            self._epoch(Xt, Yt)
        self._check_finite()
        u, v = self._u.detach(), self._v.detach()
        for _ in range(self.n_refine):
            u, v = rayleigh_ritz_step(Xt, Yt, u, v)
        with torch.no_grad():
            self._u.copy_(u)
            self._v.copy_(v)
        del Xt, Yt
        self._scheduler = None  # partial_fit continues at the base step size
        for group in self._optimizer.param_groups:
            group["lr"] = self.learning_rate
        self._finish(Xs, Ys)
        return self

    def partial_fit(self, X, Y):
        """One pass of minibatch Adam over a new batch of rows.

        The first call fixes the column means and scales (from that batch) and the
        number of features; the canonical rotation and correlations are then updated
        from each batch.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            First view (a batch of at least 4 rows).
        Y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Second view.

        Returns
        -------
        self : StochasticCCA
            The updated estimator.
        """
        first = not hasattr(self, "_u")
        if first:
            self._validate_params()
        Xs, Ys = self._prepare(X, Y, reset=first)
        if first:
            self._initialise(Xs, Ys)
        self._epoch(*self._tensors(Xs, Ys))
        self._finish(Xs, Ys)
        return self

    def __getstate__(self):
        state = super().__getstate__()
        for key in ("_u", "_v"):  # plain arrays in the pickle, tensors in memory
            if key in state:
                state[key] = state[key].detach().cpu().numpy()
        if "_optimizer" in state:
            state["_optimizer"] = None
            state["_scheduler"] = None
        return state

    def __setstate__(self, state):
        for key in ("_u", "_v"):
            if key in state and isinstance(state[key], np.ndarray):
                state[key] = torch.tensor(state[key], requires_grad=True)
        if state.get("_optimizer", 1) is None:
            state["_optimizer"] = torch.optim.Adam(
                [state["_u"], state["_v"]], lr=state["learning_rate"]
            )
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.device != "cpu"
        return tags
