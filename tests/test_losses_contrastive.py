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
    label_density_weights,
    nt_xent_loss,
    rank_n_contrast_loss,
    supcon_loss,
)


@pytest.fixture
def pml_losses():
    """pytorch-metric-learning's losses (the bench extra); only its oracle tests skip."""
    return pytest.importorskip("pytorch_metric_learning.losses")


def _cosine(z):
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    return z @ z.T


@pytest.mark.parametrize("temperature", [0.07, 0.5, 1.0])
def test_nt_xent_matches_pytorch_metric_learning(temperature, pml_losses):
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
def test_supcon_matches_pytorch_metric_learning(temperature, pml_losses):
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


def test_conr_float32_with_an_outlying_label():
    # push * |y_j - y_q| = 0.2 * 500 = 100: exp of it overflows float32 (it used to give
    # inf, then NaN weights); the float32 loss must equal the float64 formula
    rng = np.random.default_rng(5)
    n = 12
    z = rng.normal(size=(n, 4))
    y = np.r_[rng.normal(scale=0.1, size=n - 1), 500.0]
    y_pred = np.zeros(n)  # every far label is confused with every anchor
    eta = rng.uniform(0.5, 2.0, size=n)
    expected = _conr_numpy(z, y, y_pred, w=0.2, tau=0.5, e=0.2, eta=eta)
    assert np.isfinite(expected) and expected > 0
    z32 = torch.tensor(z, dtype=torch.float32, requires_grad=True)
    got = conr_loss(
        z32,
        torch.tensor(y, dtype=torch.float32),
        torch.tensor(y_pred, dtype=torch.float32),
        threshold=0.2,
        temperature=0.5,
        push=0.2,
        anchor_weights=torch.tensor(eta, dtype=torch.float32),
    )
    np.testing.assert_allclose(got.item(), expected, rtol=1e-5)
    got.backward()
    assert torch.isfinite(z32.grad).all()


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


def test_conr_anchor_weights_are_bounded():
    # the inverse density of an (almost) empty tail bin is clipped at min_count = 5 rows,
    # so no anchor weight can exceed (peak count / 5) ** power times the smallest one; the
    # previous floor (1e-3 of a row) let one rare anchor weigh 176x the mean and swamp the
    # regression loss (rare-target RMSE 3.7 instead of the MLP's 1.0)
    rng = np.random.default_rng(0)
    y = np.exp(rng.normal(size=2000))  # log-normal: dense bulk, sparse right tail
    y = (y - y.mean()) / y.std()
    counts, _ = np.histogram(y, bins=50)
    for power in (0.5, 1.0):
        w = label_density_weights(y, power=power)
        np.testing.assert_allclose(w.mean(), 1.0)
        assert w.max() / w.min() <= (counts.max() / 5.0) ** power + 1e-9
        assert w[np.argmax(y)] > 1.0  # the rarest target still pushes harder than average
    np.testing.assert_allclose(label_density_weights(y, power=0.0), 1.0)


def _lds_by_loops(y, power, n_bins, sigma, min_count, sample_weight=None):
    """Yang et al.'s label distribution smoothing written out with loops: counts per
    equal-width bin, a Gaussian kernel truncated at 4 sigma (as scipy's) and normalised,
    zero outside the range, then ``max(density, min_count) ** -power``, mean one."""
    lo, hi = min(y), max(y)
    width = (hi - lo) / n_bins
    w = [1.0] * len(y) if sample_weight is None else list(sample_weight)
    bin_of = [min(int((v - lo) / width), n_bins - 1) for v in y]
    counts = [0.0] * n_bins
    for b, wi in zip(bin_of, w):
        counts[b] += wi
    radius = int(4.0 * sigma + 0.5)
    kernel = [np.exp(-0.5 * (k / sigma) ** 2) for k in range(-radius, radius + 1)]
    kernel = [k / sum(kernel) for k in kernel]
    density = [
        sum(
            kernel[k + radius] * counts[b + k]
            for k in range(-radius, radius + 1)
            if 0 <= b + k < n_bins
        )
        for b in range(n_bins)
    ]
    out = np.array([max(density[b], min_count) ** -power for b in bin_of])
    return out / out.mean()


@pytest.mark.parametrize(
    "power, n_bins, sigma, min_count", [(0.5, 50, 2.0, 5.0), (1.0, 17, 1.3, 0.5)]
)
def test_label_density_weights_match_loops(power, n_bins, sigma, min_count):
    rng = np.random.default_rng(1)
    y = np.exp(rng.normal(size=700))
    sample_weight = rng.integers(0, 4, size=700).astype(float)
    for sw in (None, sample_weight):
        np.testing.assert_allclose(
            label_density_weights(
                y, power=power, n_bins=n_bins, sigma=sigma, min_count=min_count, sample_weight=sw
            ),
            _lds_by_loops(list(y), power, n_bins, sigma, min_count, sw),
            rtol=1e-12,
        )


def test_label_density_weights_closed_form_and_invariances():
    # no smoothing, two bins of 90 and 10 rows: the weights are sqrt(90/10) apart
    y = np.r_[np.zeros(90), np.ones(10)]
    w = label_density_weights(y, sigma=0)
    np.testing.assert_allclose(w[-1] / w[0], 3.0)
    np.testing.assert_allclose(w.mean(), 1.0)
    np.testing.assert_array_equal(label_density_weights(np.full(5, 2.0)), np.ones(5))
    rng = np.random.default_rng(0)
    y = rng.gamma(2.0, size=500)
    # a shift or a positive rescaling of y leaves the weights unchanged
    np.testing.assert_allclose(label_density_weights(3.0 * y - 7.0), label_density_weights(y))
    # an integer weight counts as repeated rows in the histogram
    reps = rng.integers(1, 4, size=500)
    weighted = label_density_weights(y, sample_weight=reps)
    repeated = label_density_weights(np.repeat(y, reps))
    np.testing.assert_allclose(
        np.repeat(weighted, reps) / np.repeat(weighted, reps).mean(), repeated
    )


@pytest.mark.parametrize(
    "y, kwargs, error, match",
    [
        ([1.0, np.nan, 2.0], {}, ValueError, "NaN"),
        ([1.0, np.inf, 2.0], {}, ValueError, "infinity"),
        ([[1.0, 2.0], [3.0, 4.0]], {}, ValueError, "1-dimensional"),
        ([1.0, 2.0], {"power": -1.0}, ValueError, "power"),
        ([1.0, 2.0], {"n_bins": 0}, ValueError, "n_bins"),
        ([1.0, 2.0], {"sigma": -1.0}, ValueError, "sigma"),
        ([1.0, 2.0], {"min_count": 0.0}, ValueError, "min_count"),
        ([1.0, 2.0], {"sample_weight": [1.0, -1.0]}, ValueError, "[Nn]egative"),
        ([1.0, 2.0], {"sample_weight": [1.0]}, ValueError, "shape"),
    ],
)
def test_label_density_weights_bad_input_raises(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        label_density_weights(y, **kwargs)
