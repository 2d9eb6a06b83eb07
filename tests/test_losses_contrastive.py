"""Contrastive losses against independent computations.

NT-Xent and SupCon are compared with pytorch-metric-learning (an independent
implementation); ConR and Rank-N-Contrast with plain numpy loops written from the papers'
formulas. All comparisons are in float64, so the tolerances (1e-10 relative) only absorb
rounding in sums of at most a few hundred terms.
"""

import numpy as np
import pytest
import torch

from sklreg.neural.losses import (
    ConRLoss,
    NTXentLoss,
    RankNContrastLoss,
    SupConLoss,
    conr_loss,
    nt_xent_loss,
    rank_n_contrast_loss,
    supcon_loss,
)

pml_losses = pytest.importorskip("pytorch_metric_learning.losses")


def _cosine(z):
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    return z @ z.T


@pytest.mark.parametrize("temperature", [0.07, 0.5, 1.0])
def test_nt_xent_matches_pytorch_metric_learning(temperature):
    # pml's NTXentLoss with labels [0..n-1, 0..n-1]: each anchor's positive is its other
    # view and its denominator holds that positive and all negatives, i.e. every k != i;
    # it averages over the 2n positive pairs, which are our 2n anchors.
    gen = torch.Generator().manual_seed(0)
    z1 = torch.randn(16, 5, generator=gen, dtype=torch.float64)
    z2 = torch.randn(16, 5, generator=gen, dtype=torch.float64)
    ids = torch.arange(16)
    expected = pml_losses.NTXentLoss(temperature=temperature)(
        torch.cat([z1, z2]), torch.cat([ids, ids])
    )
    got = nt_xent_loss(z1, z2, temperature)
    np.testing.assert_allclose(float(got), float(expected), rtol=1e-10)
    np.testing.assert_allclose(float(NTXentLoss(temperature)(z1, z2)), float(expected), rtol=1e-10)


def test_nt_xent_numpy_reference():
    rng = np.random.default_rng(1)
    z1, z2 = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    z, tau, n = np.vstack([z1, z2]), 0.3, 6
    s = _cosine(z) / tau
    losses = []
    for i in range(2 * n):
        j = (i + n) % (2 * n)
        others = [k for k in range(2 * n) if k != i]
        losses.append(-(s[i, j] - np.log(np.exp(s[i, others]).sum())))
    got = nt_xent_loss(torch.from_numpy(z1), torch.from_numpy(z2), tau)
    np.testing.assert_allclose(float(got), np.mean(losses), rtol=1e-10)


@pytest.mark.parametrize("temperature", [0.1, 0.7])
def test_supcon_matches_pytorch_metric_learning(temperature):
    # pml's SupConLoss is Khosla's L_out: denominator over all a != i, mean log-prob over
    # positives, then the mean over anchors with a non-zero loss (anchors without
    # positives give zero); label 5 below is a singleton, an anchor without positives.
    gen = torch.Generator().manual_seed(2)
    z = torch.randn(20, 4, generator=gen, dtype=torch.float64)
    labels = torch.tensor([0, 1, 2, 3] * 4 + [0, 1, 2, 5])
    expected = pml_losses.SupConLoss(temperature=temperature)(z, labels)
    np.testing.assert_allclose(
        float(supcon_loss(z, labels, temperature)), float(expected), rtol=1e-10
    )
    np.testing.assert_allclose(
        float(SupConLoss(temperature)(z, labels)), float(expected), rtol=1e-10
    )


def test_supcon_without_positives_is_zero():
    z = torch.randn(4, 3, dtype=torch.float64)
    assert float(supcon_loss(z, torch.arange(4))) == 0.0


def _conr_numpy(z, y, y_pred, w, tau, e, eta):
    """ConR, Eq. (1) of Keramati et al. (2024), one anchor and one positive at a time."""
    s = _cosine(z) / tau
    n, total = len(y), 0.0
    for j in range(n):
        pos = [i for i in range(n) if i != j and abs(y[i] - y[j]) <= w]
        neg = [q for q in range(n) if abs(y[q] - y[j]) > w and abs(y_pred[q] - y_pred[j]) <= w]
        if not pos or not neg:
            continue
        den = sum(np.exp(s[j, p]) for p in pos) + sum(
            eta[j] * np.exp(e * abs(y[j] - y[q])) * np.exp(s[j, q]) for q in neg
        )
        total += eta[j] * np.mean([-np.log(np.exp(s[j, i]) / den) for i in pos])
    return total / n


@pytest.mark.parametrize("weights", [False, True])
def test_conr_matches_paper_formula(weights):
    rng = np.random.default_rng(3)
    n = 24
    z = rng.normal(size=(n, 5))
    y = rng.normal(size=n)
    y_pred = y + rng.normal(scale=0.8, size=n)  # predictions confuse some far labels
    eta = rng.uniform(0.5, 2.0, size=n) if weights else np.ones(n)
    expected = _conr_numpy(z, y, y_pred, w=0.3, tau=0.2, e=0.5, eta=eta)
    assert expected > 0  # the data has anchors with both positives and negatives
    got = conr_loss(
        torch.from_numpy(z),
        torch.from_numpy(y),
        torch.from_numpy(y_pred),
        threshold=0.3,
        temperature=0.2,
        push=0.5,
        anchor_weights=torch.from_numpy(eta),
    )
    np.testing.assert_allclose(float(got), expected, rtol=1e-10)
    module = ConRLoss(threshold=0.3, temperature=0.2, push=0.5)
    got = module(
        torch.from_numpy(z), torch.from_numpy(y), torch.from_numpy(y_pred), torch.from_numpy(eta)
    )
    np.testing.assert_allclose(float(got), expected, rtol=1e-10)


def test_conr_is_zero_without_confusion():
    # predictions as far apart as the labels: no negative pair, no anchor
    y = torch.arange(6, dtype=torch.float64)
    assert float(conr_loss(torch.randn(6, 3, dtype=torch.float64), y, y, threshold=0.5)) == 0


def test_conr_pushes_confused_negative():
    # moving a confused negative away from the anchor lowers the loss
    y = torch.tensor([0.0, 0.05, 3.0], dtype=torch.float64)
    y_pred = torch.zeros(3, dtype=torch.float64)
    near = torch.tensor([[1.0, 0.0], [1.0, 0.1], [1.0, 0.2]], dtype=torch.float64)
    far = torch.tensor([[1.0, 0.0], [1.0, 0.1], [-1.0, 0.2]], dtype=torch.float64)
    kwargs = dict(threshold=0.5, temperature=0.5)
    assert conr_loss(far, y, y_pred, **kwargs) < conr_loss(near, y, y_pred, **kwargs)


def test_rank_n_contrast_matches_paper_formula():
    rng = np.random.default_rng(4)
    n, tau = 9, 2.0
    z, y = rng.normal(size=(n, 3)), rng.normal(size=n)
    s = -np.linalg.norm(z[:, None] - z[None], axis=2) / tau
    terms = []
    for i in range(n):
        for j in range(n):
            if j == i:
                continue
            ks = [k for k in range(n) if k != i and abs(y[i] - y[k]) >= abs(y[i] - y[j])]
            terms.append(-(s[i, j] - np.log(np.exp(s[i, ks]).sum())))
    expected = np.mean(terms)
    got = rank_n_contrast_loss(torch.from_numpy(z), torch.from_numpy(y), tau)
    # the epsilon 1e-12 inside the square root moves distances by < 1e-12 / (2 * 0.1)
    np.testing.assert_allclose(float(got), expected, rtol=1e-9)
    got = RankNContrastLoss(tau)(torch.from_numpy(z), torch.from_numpy(y))
    np.testing.assert_allclose(float(got), expected, rtol=1e-9)


def test_rank_n_contrast_gradient_is_finite_with_duplicates():
    z = torch.zeros(4, 2, dtype=torch.float64, requires_grad=True)
    rank_n_contrast_loss(z, torch.arange(4.0)).backward()
    assert torch.isfinite(z.grad).all()


@pytest.mark.parametrize(
    "call",
    [
        lambda: nt_xent_loss(torch.ones(2, 2), torch.ones(2, 2), temperature=0.0),
        lambda: supcon_loss(torch.ones(2, 2), torch.zeros(2), temperature=-1.0),
        lambda: conr_loss(torch.ones(2, 2), torch.zeros(2), torch.zeros(2), temperature=0),
        lambda: RankNContrastLoss(temperature=0.0),
    ],
)
def test_bad_temperature_raises(call):
    with pytest.raises(ValueError, match="temperature must be > 0"):
        call()


def test_nt_xent_shape_mismatch_raises():
    with pytest.raises(ValueError, match="same shape"):
        nt_xent_loss(torch.ones(3, 2), torch.ones(4, 2))


def test_rank_n_contrast_with_tied_labels():
    # ties: k is in the set of pair (i, j) when |y_i - y_k| >= |y_i - y_j|, ties included
    rng = np.random.default_rng(5)
    n, tau = 8, 1.0
    z, y = rng.normal(size=(n, 2)), np.array([0.0, 1.0, 1.0, 2.0, 0.0, 3.0, 1.0, 2.0])
    s = -np.linalg.norm(z[:, None] - z[None], axis=2) / tau
    terms = [
        -(
            s[i, j]
            - np.log(
                sum(
                    np.exp(s[i, k])
                    for k in range(n)
                    if k != i and abs(y[i] - y[k]) >= abs(y[i] - y[j])
                )
            )
        )
        for i in range(n)
        for j in range(n)
        if j != i
    ]
    got = rank_n_contrast_loss(torch.from_numpy(z), torch.from_numpy(y), tau)
    np.testing.assert_allclose(float(got), np.mean(terms), rtol=1e-9)
