"""Contrastive losses: NT-Xent (InfoNCE), SupCon, ConR and Rank-N-Contrast.

Each loss is a plain function of torch tensors (the maths) with a thin
:class:`torch.nn.Module` wrapper holding its hyper-parameters, usable as a skorch
criterion or on its own. :func:`label_density_weights` (numpy) gives ConR's anchor
weights, or the inverse-density sample weights of a reweighted squared error.
"""

from numbers import Integral, Real

import numpy as np
import torch
from scipy.ndimage import gaussian_filter1d
from sklearn.utils import check_array
from torch import nn
from torch.nn import functional as F

from ...utils._sklearn_compat import Interval, _check_sample_weight, validate_params

__all__ = [
    "NTXentLoss",
    "SupConLoss",
    "ConRLoss",
    "RankNContrastLoss",
    "nt_xent_loss",
    "supcon_loss",
    "conr_loss",
    "label_density_weights",
    "rank_n_contrast_loss",
]


def _check_temperature(temperature):
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}.")


def _cosine_logits(z, temperature):
    """Pairwise cosine similarities divided by the temperature."""
    z = F.normalize(z, dim=1)
    return z @ z.T / temperature


def supcon_loss(z, labels, temperature=0.1):
    """Supervised contrastive loss of Khosla et al. (2020), the "L_out" variant.

    For anchor ``i`` with positives ``P(i)`` (the other rows with the same label),

    .. math::

        \\ell_i = -\\frac{1}{|P(i)|} \\sum_{p \\in P(i)}
        \\log \\frac{\\exp(s_{ip} / \\tau)}{\\sum_{a \\ne i} \\exp(s_{ia} / \\tau)}

    with ``s`` the cosine similarity; the loss is the mean of ``l_i`` over the anchors
    that have at least one positive (the others carry no signal).

    Parameters
    ----------
    z : torch.Tensor of shape (n, d)
        Embeddings (normalised inside).
    labels : torch.Tensor of shape (n,)
        Integer labels; rows sharing a label are positives of each other.
    temperature : float, default=0.1
        Temperature ``tau > 0``.

    Returns
    -------
    loss : torch.Tensor
        A scalar (zero when no row has a positive).

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0]])
    >>> float(supcon_loss(z, torch.tensor([0, 0, 1]))) < 0.01
    True
    """
    _check_temperature(temperature)
    n = z.shape[0]
    logits = _cosine_logits(z, temperature)
    self_mask = torch.eye(n, dtype=torch.bool, device=z.device)
    logits = logits.masked_fill(self_mask, float("-inf"))
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    labels = labels.reshape(-1)
    pos = (labels[:, None] == labels[None, :]) & ~self_mask
    n_pos = pos.sum(dim=1)
    has_pos = n_pos > 0
    if not bool(has_pos.any()):
        return z.sum() * 0.0
    per_anchor = -(log_prob.masked_fill(~pos, 0.0)).sum(dim=1)[has_pos] / n_pos[has_pos]
    return per_anchor.mean()


def nt_xent_loss(z1, z2, temperature=0.1):
    """NT-Xent (normalised temperature-scaled cross entropy) of SimCLR, i.e. InfoNCE.

    Rows ``z1[i]`` and ``z2[i]`` are two views of the same sample. For each of the
    ``2n`` anchors the positive is its other view and every other row of the batch is a
    negative:

    .. math::

        \\ell_i = -\\log \\frac{\\exp(s_{ij} / \\tau)}{\\sum_{k \\ne i} \\exp(s_{ik} / \\tau)}

    averaged over both directions (all ``2n`` anchors).

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (n, d)
        Projections of the two views (normalised inside).
    temperature : float, default=0.1
        Temperature ``tau > 0``.

    Returns
    -------
    loss : torch.Tensor
        A scalar.

    Examples
    --------
    >>> import torch
    >>> z = torch.eye(3)
    >>> round(float(nt_xent_loss(z, z, temperature=1.0)), 4)  # log(e / (e + 4))
    0.9048
    """
    if z1.shape != z2.shape:
        raise ValueError(f"z1 and z2 must have the same shape, got {z1.shape} and {z2.shape}.")
    n = z1.shape[0]
    ids = torch.arange(n, device=z1.device)
    return supcon_loss(torch.cat([z1, z2]), torch.cat([ids, ids]), temperature)


def conr_loss(z, y, y_pred, *, threshold=0.2, temperature=0.07, push=0.2, anchor_weights=None):
    """ConR contrastive regulariser for imbalanced regression (Keramati et al., 2024).

    Positives of anchor ``j`` are the rows whose labels are within ``threshold`` of
    ``y_j``; negatives are the rows whose labels are farther than ``threshold`` but
    whose *predictions* are within ``threshold`` of ``y_pred_j`` (the embedding confuses
    them). With cosine similarity ``s`` and ``K+``, ``K-`` these sets (Eq. 1 of the
    paper), each positive contributes its own log term, averaged over the positives:

    .. math::

        \\ell_j = -\\frac{1}{|K^+_j|}\\sum_{i \\in K^+_j} \\log \\frac{e^{s_{ji}/\\tau}}
        {\\sum_{p \\in K^+_j} e^{s_{jp}/\\tau} + \\sum_{q \\in K^-_j} S_{jq}\\,e^{s_{jq}/\\tau}}

    with pushing weight ``S_jq = eta_j * exp(push * |y_j - y_q|)``: it grows with the label
    distance and with the anchor's weight ``eta_j`` (e.g. inverse label density, so rare
    labels push harder), as in the authors' implementation. Rows without a negative
    (nothing confused) or without a positive are not anchors and contribute zero; the loss
    is the mean over all rows of ``eta_j * l_j``.

    Parameters
    ----------
    z : torch.Tensor of shape (n, d)
        Embeddings (normalised inside).
    y : torch.Tensor of shape (n,)
        Targets.
    y_pred : torch.Tensor of shape (n,)
        Predictions of the regression head (treated as constants).
    threshold : float, default=0.2
        Label (and prediction) similarity threshold ``omega``.
    temperature : float, default=0.07
        Temperature ``tau > 0``.
    push : float, default=0.2
        Growth rate ``e`` of the pushing weight with label distance.
    anchor_weights : torch.Tensor of shape (n,), default=None
        Pushing power ``eta`` of each anchor; ones when None. ConR uses the inverse
        square root of the label density (:func:`label_density_weights`).

    Returns
    -------
    loss : torch.Tensor
        A scalar.

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    >>> y, y_pred = torch.tensor([0.0, 0.1, 5.0]), torch.tensor([0.0, 0.0, 0.0])
    >>> float(conr_loss(z, y, y_pred, threshold=0.5, temperature=1.0, push=0.0)) > 0
    True
    """
    _check_temperature(temperature)
    n = z.shape[0]
    y, y_pred = y.reshape(-1).to(z.dtype), y_pred.reshape(-1).to(z.dtype).detach()
    eta = torch.ones_like(y) if anchor_weights is None else anchor_weights.reshape(-1).to(z.dtype)
    logits = _cosine_logits(z, temperature)
    label_dist = (y[:, None] - y[None, :]).abs()
    pred_dist = (y_pred[:, None] - y_pred[None, :]).abs()
    not_self = ~torch.eye(n, dtype=torch.bool, device=z.device)
    pos = (label_dist <= threshold) & not_self
    neg = (label_dist > threshold) & (pred_dist <= threshold)
    is_anchor = pos.any(dim=1) & neg.any(dim=1)
    if not bool(is_anchor.any()):
        return z.sum() * 0.0
    neg_inf = torch.tensor(float("-inf"), dtype=z.dtype, device=z.device)
    pos_logits = torch.where(pos, logits, neg_inf)
    # log S_jq, formed in the log domain: exp(push * |y_j - y_q|) overflows float32 once
    # the label distance passes 88 / push (an outlying target)
    log_push = torch.log(eta)[:, None] + push * label_dist
    neg_logits = torch.where(neg, logits + log_push, neg_inf)
    log_den = torch.logsumexp(torch.cat([pos_logits, neg_logits], dim=1), dim=1)
    # mean over the positives i of -log(e^{s_ji} / den_j) = log den_j - s_ji
    pos_terms = torch.where(pos, log_den[:, None] - logits, torch.zeros_like(logits))
    per_positive = pos_terms.sum(dim=1) / pos.sum(dim=1).clamp(min=1).to(z.dtype)
    per_anchor = torch.where(is_anchor, per_positive, torch.zeros_like(y))
    return (eta * per_anchor).mean()


@validate_params(
    {
        "y": ["array-like"],
        "power": [Interval(Real, 0, None, closed="left")],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="left")],
        "min_count": [Interval(Real, 0, None, closed="neither")],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def label_density_weights(y, *, power=0.5, n_bins=50, sigma=2.0, min_count=5.0, sample_weight=None):
    """Inverse label-density weights for imbalanced regression, of mean one.

    The label distribution smoothing of Yang et al. ("Delving into Deep Imbalanced
    Regression", 2021): a histogram of ``y`` in ``n_bins`` equal-width bins, smoothed by
    a Gaussian kernel of ``sigma`` bins (zero beyond the range), gives each row the
    density ``d`` of its bin; ``d`` is clipped below at ``min_count`` rows (an almost
    empty tail bin would otherwise get an unbounded weight) and the weight is
    ``d ** -power``, rescaled to mean one. ``power=0.5`` is the square-root inverse that
    Yang et al. and ConR use, ``power=1`` the plain inverse, ``power=0`` equal weights.

    Passed as ``sample_weight`` to a regressor (:class:`~sklreg.neural.ConRRegressor`,
    scikit-learn's :class:`~sklearn.neural_network.MLPRegressor`, ...), they reweight the
    squared error towards rare targets; :class:`~sklreg.neural.ConRRegressor` also uses
    them as ConR's anchor weights (its ``weighting``). The weights are unchanged by a
    shift or a positive rescaling of ``y``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Continuous targets (finite).
    power : float, default=0.5
        Exponent of the inverse density, ``>= 0``.
    n_bins : int, default=50
        Number of equal-width bins over the range of ``y``.
    sigma : float, default=2.0
        Standard deviation of the smoothing kernel, in bins (``0``: no smoothing).
    min_count : float, default=5.0
        Floor of the smoothed density, in rows (``> 0``).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights: a row of weight ``w`` counts ``w`` times in the
        histogram.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        Positive weights of mean one (all ones when ``y`` is constant).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.r_[np.zeros(90), np.ones(10)]
    >>> w = label_density_weights(y, sigma=0)
    >>> float(w.mean()), round(float(w[-1] / w[0]), 3)  # sqrt(90 / 10)
    (1.0, 3.0)
    """
    y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
    if y.ndim != 1:
        raise ValueError(f"y must be 1-dimensional, got an array of shape {y.shape}.")
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, y, dtype=np.float64, ensure_non_negative=True
        )
    if np.ptp(y) == 0:
        return np.ones_like(y)
    counts, edges = np.histogram(y, bins=n_bins, weights=sample_weight)
    density = counts.astype(float)
    if sigma > 0:
        density = gaussian_filter1d(density, sigma, mode="constant")
    bins = np.clip(np.searchsorted(edges, y, side="right") - 1, 0, n_bins - 1)
    weights = np.maximum(density[bins], min_count) ** -power
    return weights / weights.mean()


def rank_n_contrast_loss(z, y, temperature=2.0):
    """Rank-N-Contrast loss of Zha et al. (2023) for continuous targets.

    With similarity ``s_ij = -||z_i - z_j||_2`` and, for anchor ``i`` and each other row
    ``j``, the set ``S_ij = {k != i : |y_i - y_k| >= |y_i - y_j|}`` of rows at least as far
    in label as ``j``,

    .. math::

        L = -\\frac{1}{n(n-1)} \\sum_i \\sum_{j \\ne i}
        \\log \\frac{\\exp(s_{ij} / \\tau)}{\\sum_{k \\in S_{ij}} \\exp(s_{ik} / \\tau)}

    which ranks the embedding distances by label distance.

    Parameters
    ----------
    z : torch.Tensor of shape (n, d)
        Embeddings (not normalised: the paper uses the L2 distance).
    y : torch.Tensor of shape (n,)
        Targets.
    temperature : float, default=2.0
        Temperature ``tau > 0`` (the paper's default).

    Returns
    -------
    loss : torch.Tensor
        A scalar.

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([[0.0], [1.0], [2.0]])
    >>> y = torch.tensor([0.0, 1.0, 2.0])
    >>> bool(rank_n_contrast_loss(z, y) < rank_n_contrast_loss(z, torch.tensor([0.0, 2.0, 1.0])))
    True
    """
    _check_temperature(temperature)
    n = z.shape[0]
    if n < 2:
        return z.sum() * 0.0
    y = y.reshape(-1).to(z.dtype)
    # Squared distances from the Gram matrix (one matmul, O(n^2 d), no (n, n, d) tensor);
    # torch.cdist's gradient is NaN at zero distance, so add a tiny epsilon in the sqrt.
    norms = (z * z).sum(dim=1)
    sq = (norms[:, None] + norms[None, :] - 2.0 * (z @ z.T)).clamp_min(0.0)
    logits = -torch.sqrt(sq + 1e-12) / temperature
    label_dist = (y[:, None] - y[None, :]).abs()
    # Drop the diagonal: row i keeps its n - 1 pairs (i, j), j != i.
    off = ~torch.eye(n, dtype=torch.bool, device=z.device)
    dist = label_dist[off].reshape(n, n - 1)
    logit = logits[off].reshape(n, n - 1)
    # Sort each row by decreasing label distance: the denominator of pair (i, j) is a
    # log-cumulative-sum up to the last k tied with j, O(n^2 log n) instead of O(n^3).
    order = torch.argsort(dist, dim=1, descending=True)
    dist_sorted = torch.gather(dist, 1, order)
    cum = torch.logcumsumexp(torch.gather(logit, 1, order), dim=1)
    neg_sorted = -dist_sorted.contiguous()
    last_tied = torch.searchsorted(neg_sorted, neg_sorted, right=True) - 1
    den = torch.gather(cum, 1, last_tied)
    return (den - torch.gather(logit, 1, order)).mean()


class _TemperatureLoss(nn.Module):
    def __init__(self, temperature):
        super().__init__()
        _check_temperature(temperature)
        self.temperature = temperature

    def extra_repr(self):
        return f"temperature={self.temperature}"


class NTXentLoss(_TemperatureLoss):
    """NT-Xent / InfoNCE loss between two views; see :func:`nt_xent_loss`.

    Parameters
    ----------
    temperature : float, default=0.1
        Temperature ``tau > 0``.

    Examples
    --------
    >>> import torch
    >>> loss = NTXentLoss(temperature=0.5)
    >>> float(loss(torch.randn(8, 4), torch.randn(8, 4))) > 0
    True
    """

    def __init__(self, temperature=0.1):
        super().__init__(temperature)

    def forward(self, z1, z2):
        return nt_xent_loss(z1, z2, self.temperature)


class SupConLoss(_TemperatureLoss):
    """Supervised contrastive loss; see :func:`supcon_loss`.

    Parameters
    ----------
    temperature : float, default=0.1
        Temperature ``tau > 0``.

    Examples
    --------
    >>> import torch
    >>> loss = SupConLoss()
    >>> float(loss(torch.randn(6, 3), torch.tensor([0, 0, 1, 1, 2, 2]))) > 0
    True
    """

    def __init__(self, temperature=0.1):
        super().__init__(temperature)

    def forward(self, z, labels):
        return supcon_loss(z, labels, self.temperature)


class ConRLoss(_TemperatureLoss):
    """ConR regulariser for imbalanced regression; see :func:`conr_loss`.

    Parameters
    ----------
    threshold : float, default=0.2
        Label similarity threshold ``omega``.
    temperature : float, default=0.07
        Temperature ``tau > 0``.
    push : float, default=0.2
        Growth rate of the pushing weight with label distance.

    Examples
    --------
    >>> import torch
    >>> loss = ConRLoss(threshold=0.5)
    >>> float(loss(torch.randn(6, 3), torch.arange(6.0), torch.zeros(6))) >= 0
    True
    """

    def __init__(self, threshold=0.2, temperature=0.07, push=0.2):
        super().__init__(temperature)
        self.threshold = threshold
        self.push = push

    def forward(self, z, y, y_pred, anchor_weights=None):
        return conr_loss(
            z,
            y,
            y_pred,
            threshold=self.threshold,
            temperature=self.temperature,
            push=self.push,
            anchor_weights=anchor_weights,
        )


class RankNContrastLoss(_TemperatureLoss):
    """Rank-N-Contrast loss; see :func:`rank_n_contrast_loss`.

    Parameters
    ----------
    temperature : float, default=2.0
        Temperature ``tau > 0``.

    Examples
    --------
    >>> import torch
    >>> loss = RankNContrastLoss()
    >>> float(loss(torch.randn(5, 2), torch.arange(5.0))) > 0
    True
    """

    def __init__(self, temperature=2.0):
        super().__init__(temperature)

    def forward(self, z, y):
        return rank_n_contrast_loss(z, y, self.temperature)
