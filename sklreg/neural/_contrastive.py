"""Contrastive embedders for tabular data: SCARF, SupCon and contrastive regression.

Every estimator composes a skorch :class:`~skorch.NeuralNet` built in ``fit`` (stored as
``net_``) around :class:`_ContrastiveModule`: an :class:`~sklreg.neural.MLP` encoder, a
projection head (classification) or a linear regression head (regression), and SCARF
views made inside the module from the empirical marginals of the training rows.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.utils.multiclass import check_classification_targets
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from torch import nn

from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    check_is_fitted,
    validate_data,
)
from ._base import RowView, SliceLoader, check_device, epoch_losses, silent, torch_seed
from ._modules import MLP
from .losses._contrastive import (
    conr_loss,
    label_density_weights,
    nt_xent_loss,
    rank_n_contrast_loss,
    supcon_loss,
)

__all__ = [
    "ConRRegressor",
    "ContrastiveEmbedder",
    "ContrastiveRegressionEmbedder",
    "SupConEmbedder",
    "scarf_corrupt",
]

_INFERENCE_BATCH = 65536


def scarf_corrupt(x, marginals, corruption_rate, generator=None):
    """SCARF corruption: replace a random subset of each row's features by marginal draws.

    For each row, exactly ``q = max(1, round(corruption_rate * n_features))`` features
    chosen uniformly at random are replaced; feature ``j`` of a corrupted entry is
    ``marginals[r, j]`` for a row ``r`` drawn uniformly, i.e. a draw from feature ``j``'s
    empirical marginal (Bahri et al., 2022).

    Parameters
    ----------
    x : torch.Tensor of shape (n, d)
        Rows to corrupt.
    marginals : torch.Tensor of shape (m, d)
        Rows whose columns define the empirical marginals (the training data).
    corruption_rate : float
        Fraction of features replaced, in ``(0, 1)``.
    generator : torch.Generator, default=None
        Source of randomness (torch's global generator when None).

    Returns
    -------
    x_tilde : torch.Tensor of shape (n, d)

    Examples
    --------
    >>> import torch
    >>> x = torch.zeros(4, 10)
    >>> out = scarf_corrupt(x, torch.ones(7, 10), 0.3)
    >>> out.sum(dim=1).tolist()
    [3.0, 3.0, 3.0, 3.0]
    """
    n, d = x.shape
    q = min(d, max(1, int(round(corruption_rate * d))))
    scores = torch.rand(n, d, generator=generator, device=x.device)
    kth = scores.kthvalue(q, dim=1, keepdim=True).values
    mask = scores <= kth
    rows = torch.randint(0, marginals.shape[0], (n, d), generator=generator, device=x.device)
    return torch.where(mask, torch.gather(marginals, 0, rows), x)


class _ContrastiveModule(nn.Module):
    """Encoder + heads: two views' outputs during ``fit``, the embedding after.

    The input is standardised by the buffers ``shift`` and ``scale``; the first view is the
    clean row and the second its SCARF corruption (as in SCARF), drawn from ``marginals``,
    a non-persistent buffer that holds the standardised training rows during ``fit`` only.
    With ``corruption_rate=0`` the second view is the clean row again (the two passes
    differ by dropout alone).
    While it is set, the forward pass returns the two views also in eval mode, so that the
    validation rows of early stopping are scored by the training loss.
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes,
        projection_dim,
        corruption_rate,
        dropout,
        regression_head=False,
    ):
        super().__init__()
        self.encoder = MLP(n_features, n_components, tuple(hidden_layer_sizes), dropout)
        self.corruption_rate = corruption_rate
        if regression_head:
            self.projector = None
            self.regressor = nn.Linear(n_components, 1)
        else:
            self.projector = MLP(n_components, projection_dim, (projection_dim,))
            self.regressor = None
        self.register_buffer("shift", torch.zeros(n_features))
        self.register_buffer("scale", torch.ones(n_features))
        self.register_buffer("marginals", None, persistent=False)

    def embed(self, x):
        return self.encoder((x - self.shift) / self.scale)

    def inference_layers(self):
        """Encoder as ``[(weight.T, bias), ...]`` with the standardisation folded in.

        ``(x - shift) / scale @ W.T + b == x @ (W / scale).T + (b - (W / scale) @ shift)``,
        so inference skips two elementwise passes over the input. None when the encoder
        holds a layer other than Linear, ReLU or (inactive in eval mode) Dropout.
        """
        linears = []
        for layer in self.encoder.body:
            if isinstance(layer, nn.Linear):
                linears.append(layer)
            elif not isinstance(layer, (nn.ReLU, nn.Dropout)):
                return None
        if not isinstance(self.encoder.head, nn.Linear):
            return None
        linears.append(self.encoder.head)
        weight = linears[0].weight / self.scale
        layers = [(weight.T, linears[0].bias - weight @ self.shift)]
        return layers + [(lin.weight.T, lin.bias) for lin in linears[1:]]

    def predict(self, x):
        return self.regressor(self.embed(x)).squeeze(-1)

    def forward(self, x):
        if self.marginals is None:  # outside fit: the embedding
            return self.embed(x)
        x = (x - self.shift) / self.scale
        h1 = self.encoder(x)
        if self.corruption_rate > 0:
            h2 = self.encoder(scarf_corrupt(x, self.marginals, self.corruption_rate))
        else:
            h2 = self.encoder(x)
        if self.regressor is None:
            return self.projector(h1), self.projector(h2)
        return h1, h2, self.regressor(h1).squeeze(-1), self.regressor(h2).squeeze(-1)


def _forward_layers(layers, x, n_linear=None):
    """ReLU MLP forward from ``[(weight.T, bias), ...]``: fused ``addmm``, in-place ReLU.

    A ReLU follows every layer but the last of the first ``n_linear`` (all by default);
    the layers after those (a regression head on the encoder output) are plain linear.
    """
    n_linear = len(layers) if n_linear is None else n_linear
    for i, (weight_t, bias) in enumerate(layers):
        x = torch.addmm(bias, x, weight_t)
        if i < n_linear - 1:
            x.relu_()
    return x


class _NTXentCriterion(nn.Module):
    def __init__(self, temperature):
        super().__init__()
        self.temperature = temperature

    def forward(self, y_pred, y_true):
        return nt_xent_loss(y_pred[0], y_pred[1], self.temperature)


class _SupConCriterion(nn.Module):
    def __init__(self, temperature):
        super().__init__()
        self.temperature = temperature

    def forward(self, y_pred, y_true):
        labels = y_true.reshape(-1)
        return supcon_loss(torch.cat(y_pred), torch.cat([labels, labels]), self.temperature)


class _RegressionCriterion(nn.Module):
    def __init__(self, loss, alpha, threshold, temperature, push):
        super().__init__()
        self.loss, self.alpha = loss, alpha
        self.threshold, self.temperature, self.push = threshold, temperature, push

    def forward(self, y_pred, y_true):
        h1, h2, p1, p2 = y_pred
        y, eta, weight = y_true[:, 0], y_true[:, 1], y_true[:, 2]
        # the batch's weighted mean of the squared error
        total = torch.sum(weight * (p1 - y) ** 2) / weight.sum().clamp_min(
            torch.finfo(weight.dtype).tiny
        )
        if self.alpha == 0:
            return total
        h, yy = torch.cat([h1, h2]), torch.cat([y, y])
        if self.loss == "conr":
            reg = conr_loss(
                h,
                yy,
                torch.cat([p1, p2]),
                threshold=self.threshold,
                temperature=self.temperature,
                push=self.push,
                anchor_weights=torch.cat([eta, eta]),
            )
        else:
            reg = rank_n_contrast_loss(h, yy, self.temperature)
        return total + self.alpha * reg


_CHUNK_ELEMENTS = 1 << 18  # values read at a time from X (which may be a memmap)
_MARGINAL_ROWS = 16_384  # rows that define the SCARF marginals on larger data


def _row_chunks(X):
    """Slices of at most ``_CHUNK_ELEMENTS`` values of ``X``, in row order."""
    step = max(1, _CHUNK_ELEMENTS // max(1, X.shape[1]))
    return [slice(i, i + step) for i in range(0, X.shape[0], step)]


def _standardisation(X):
    """Column means and scales; constant columns get scale 1 (they stay constant).

    Two passes over row chunks, so a memory-mapped ``X`` is never loaded whole.
    """
    n = X.shape[0]
    chunks = _row_chunks(X)
    shift = sum(np.sum(X[c], axis=0, dtype=np.float64) for c in chunks) / n
    ss = sum(np.sum((X[c] - shift) ** 2, axis=0, dtype=np.float64) for c in chunks)
    scale = np.sqrt(ss / n)
    scale = np.where(scale > 1e-12 * np.maximum(1.0, np.abs(shift)), scale, 1.0)
    return shift, scale


def _standardised_marginals(X, shift, scale, seed):
    """Standardised float32 rows whose columns define SCARF's empirical marginals.

    All rows up to ``_MARGINAL_ROWS``; beyond, a uniform sample of that many (read in
    file order), so that their copy on the device stays bounded on large or
    memory-mapped data.
    """
    n = X.shape[0]
    rows = slice(None)
    if n > _MARGINAL_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(n, _MARGINAL_ROWS, replace=False))
    marginals = np.array(X[rows], dtype=np.float32)
    marginals -= shift.astype(np.float32)
    marginals /= scale.astype(np.float32)
    return marginals


class _ContrastiveBase(BaseEstimator):
    """Shared parameters, skorch assembly and fast inference."""

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [tuple, list],
        "corruption_rate": [Interval(Real, 0, 1, closed="neither")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _check_hidden(self):
        sizes = tuple(self.hidden_layer_sizes)
        if not all(isinstance(s, Integral) and s >= 1 for s in sizes):
            raise ValueError(
                f"hidden_layer_sizes must hold positive integers, got {self.hidden_layer_sizes!r}."
            )
        return sizes

    def _fit_net(self, X, y_train, criterion, criterion_kwargs, module_kwargs):
        """Build the skorch net, train it on (X, y_train) and store it as ``net_``."""
        device = check_device(self.device)
        hidden = self._check_hidden()
        n_samples, n_features = X.shape
        seed = torch_seed(self.random_state)
        train_rows, train_split, callbacks = self._early_stopping_split(X, y_train, seed)
        n_train = n_samples if train_rows is None else train_rows.size
        # A batch larger than the training rows is clipped to them (documented behaviour).
        self.batch_size_ = min(self.batch_size, n_train)
        shift, scale = _standardisation(X)
        net = NeuralNet(
            module=_ContrastiveModule,
            module__n_features=n_features,
            module__n_components=self.n_components,
            module__hidden_layer_sizes=hidden,
            module__corruption_rate=self.corruption_rate,
            module__dropout=self.dropout,
            **{f"module__{k}": v for k, v in module_kwargs.items()},
            criterion=criterion,
            **{f"criterion__{k}": v for k, v in criterion_kwargs.items()},
            optimizer=torch.optim.AdamW,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size_,
            iterator_train=SliceLoader,
            iterator_train__shuffle=True,
            iterator_train__drop_last=n_train > self.batch_size_,
            iterator_valid=SliceLoader,
            train_split=train_split,
            callbacks=callbacks,
            device=str(device),
            verbose=self.verbose,
        )
        cuda = [device.index or 0] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda):
            torch.manual_seed(seed)
            net.initialize()
            module = net.module_
            module.shift.copy_(torch.as_tensor(shift, dtype=torch.float32))
            module.scale.copy_(torch.as_tensor(scale, dtype=torch.float32))
            module.marginals = torch.as_tensor(
                _standardised_marginals(X, shift, scale, seed), device=device
            )
            X32 = X.astype(np.float32, copy=False)  # no copy of float32 X (or a memmap)
            try:
                if train_rows is None:
                    net.partial_fit(X32, y_train)
                else:  # the training rows read batch by batch, never copied whole
                    targets = None if y_train is None else y_train[train_rows]
                    net.partial_fit(RowView(X32, targets, train_rows), targets)
            finally:
                module.marginals = None
        module.eval()
        self.net_ = net
        self.n_iter_ = len(net.history)
        self.loss_curve_, self.validation_loss_curve_ = epoch_losses(net.history)
        self._n_features_out = self.n_components
        return self

    def _early_stopping_split(self, X, y_train, seed):
        """``(training rows, skorch train_split, callbacks)`` for ``early_stopping``.

        Without it: all rows, no validation, no callbacks.
        """
        if not self.early_stopping:
            return None, None, []
        n_samples = X.shape[0]
        n_valid = int(round(self.validation_fraction * n_samples))
        if n_valid < 2 or n_samples - n_valid < 2:
            raise ValueError(
                f"early_stopping: validation_fraction={self.validation_fraction} of "
                f"{n_samples} rows leaves {n_valid} validation and {n_samples - n_valid} "
                "training rows; each needs at least 2 (a contrastive loss compares rows)."
            )
        order = np.random.default_rng(seed).permutation(n_samples)
        valid, train = np.sort(order[:n_valid]), np.sort(order[n_valid:])
        valid_y = None if y_train is None else y_train[valid]
        valid_set = Dataset(np.asarray(X[valid], dtype=np.float32), valid_y)
        stopper = EarlyStopping(
            monitor="valid_loss",
            patience=self.n_iter_no_change,
            load_best=True,
            sink=print if self.verbose else silent,
        )
        return train, predefined_split(valid_set), [("early_stopping", stopper)]

    def _infer(self, X, head):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        module = self.net_.module_
        device = next(module.parameters()).device
        module.eval()
        outs = []
        with torch.inference_mode():
            layers = module.inference_layers()
            # float64 input runs in float64 (the weights cast once per call): rows then do
            # not depend on the chunk they share (float32 GEMM blocking varies with it)
            dtype = np.float32 if layers is None else X.dtype
            if layers is not None:
                tdtype = torch.float64 if dtype == np.float64 else torch.float32
                if head:
                    layers.append((module.regressor.weight.T, module.regressor.bias))
                layers = [(w.to(tdtype), b.to(tdtype)) for w, b in layers]
            for start in range(0, X.shape[0], _INFERENCE_BATCH):
                chunk = np.asarray(X[start : start + _INFERENCE_BATCH], dtype=dtype)
                if not chunk.flags.writeable or not chunk.flags.c_contiguous:
                    chunk = np.array(chunk, order="C")
                x = torch.from_numpy(chunk).to(device)
                if layers is not None:
                    h = _forward_layers(layers, x, n_linear=len(layers) - head)
                else:
                    h = module.predict(x) if head else module.embed(x)
                outs.append((h.squeeze(-1) if head else h).cpu().numpy())
        out = np.concatenate(outs) if outs else np.empty((0, self.n_components), np.float32)
        return out.astype(X.dtype, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


_CORRUPTION_DOC = """corruption_rate : float, default=0.6
        Fraction of features of the second view replaced by draws from their empirical
        marginals (SCARF), in the open interval ``(0, 1)``."""

_COMMON_PARAMS_DOC = """
    n_components : int, default=64
        Size of the embedding (output of the encoder).
    hidden_layer_sizes : tuple of int, default=(128, 128)
        Hidden widths of the MLP encoder (:class:`~sklreg.neural.MLP`); ``()`` gives a
        linear encoder. On a small table where a linear model on the raw features is
        hard to beat, include ``()`` when tuning (see the user guide).
    %(corruption)s
    dropout : float, default=0.0
        Dropout probability in the encoder.
    lr : float, default=1e-3
        AdamW learning rate.
    weight_decay : float, default=1e-5
        AdamW weight decay.
    batch_size : int, default=256
        Rows per training batch. A batch size larger than the training rows is clipped
        to their number (stored in ``batch_size_``).
    max_epochs : int, default=50
        Training epochs (at most, with ``early_stopping``).
    early_stopping : bool, default=False
        Hold out a random ``validation_fraction`` of the rows, stop when the training
        loss on them (the same two-view contrastive loss, without dropout) has not
        improved for ``n_iter_no_change`` epochs, and restore the weights of the best
        epoch. Against an encoder that overfits a small table.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping (at least 2 rows).
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    device : str or torch.device, default="cpu"
        Torch device (``"cuda"`` runs on a GPU; a clear error if torch sees none).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and corruption (torch's global state is
        left untouched).
    verbose : int, default=0
        skorch's training log when positive.""".replace("%(corruption)s", _CORRUPTION_DOC)

_COMMON_ATTRS_DOC = """
    net_ : skorch.NeuralNet
        The trained network; ``net_.module_.encoder`` is the encoder.
    batch_size_ : int
        Batch size used: ``batch_size``, at most the number of training rows.
    n_iter_ : int
        Number of epochs run.
    loss_curve_ : list of float
        Training loss of each epoch (as :class:`~sklearn.neural_network.MLPClassifier`'s).
    validation_loss_curve_ : list of float or None
        Loss on the held-out rows after each epoch with ``early_stopping``, else ``None``.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during ``fit`` (only when ``X`` has string column names)."""


_REGRESSION_CORRUPTION_DOC = """corruption_rate : float, default=0.0
        Fraction of features of the second view replaced by draws from their empirical
        marginals (SCARF), in ``[0, 1)``. ``0`` (the default) makes the second view the
        row itself (the two views then differ by dropout alone): the contrastive term
        treats a row's second view as having the row's label, and a SCARF corruption
        that replaces features changes a regression target, so it is not a view with the
        same label. On the imbalanced-regression benchmark's Friedman #1 problem, over 30
        draws disjoint from the benchmark's, ``0.6`` raised the RMSE of the rarest targets
        by 0.21 ± 0.08 (rare top of the range) and 0.01 ± 0.07 (rare bottom) over ``0``;
        on its diamonds prices it changed it by -0.02 ± 0.04."""

# The regression classes document n_components in their own words, then the shared rest.
_REGRESSION_TAIL_DOC = (
    "\n    hidden_layer_sizes"
    + _COMMON_PARAMS_DOC.split("\n    hidden_layer_sizes", 1)[1].replace(
        _CORRUPTION_DOC, _REGRESSION_CORRUPTION_DOC
    )
    + """

    Attributes
    ----------
    y_mean_, y_scale_ : float
        Standardisation of the target."""
)


def _doc(text):
    """Fill the shared parameter and attribute sections into a class docstring."""
    text = text.replace("%(regression)s", _REGRESSION_TAIL_DOC.strip("\n") + "\n    %(attrs)s")
    return text.replace("%(params)s", _COMMON_PARAMS_DOC.strip()).replace(
        "%(attrs)s", _COMMON_ATTRS_DOC.strip()
    )


_DROPOUT_DOC = """dropout : float, default=0.0
        Dropout probability in the encoder."""

# SupCon's own default, with the reason (the shared text says 0.0)
_SUPCON_DROPOUT_DOC = """dropout : float, default=0.2
        Dropout probability in the encoder. Khosla et al. use none (large image data
        sets); on small tables an encoder trained on every label overfits its training
        rows, so the linear probe sees training embeddings better separated than the test
        embeddings. Over five validation draws (seeds 100-104, disjoint from the
        benchmark's seeds 0-4), 0.2 raised the 100%-label linear-probe accuracy by 0.8
        (breast cancer), 3.0 (Pima) and 2.0 (latent clusters) points, left wine and iris
        unchanged, and cost 3 points on wine with 10% of the labels."""


class ContrastiveEmbedder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, _ContrastiveBase):
    __doc__ = _doc(
        """Self-supervised SCARF embedder: contrastive learning with random feature corruption.

    Each training row ``x`` is paired with a corrupted view ``x~`` in which a random
    ``corruption_rate`` fraction of the features is replaced by draws from those
    features' empirical marginals (Bahri et al., "SCARF", ICLR 2022). An MLP encoder
    ``f`` and a projection head ``g`` are trained with the NT-Xent (InfoNCE) loss
    between ``g(f(x))`` and ``g(f(x~))`` (see :func:`~sklreg.neural.losses.nt_xent_loss`).
    ``transform`` returns the encoder output ``f(x)``. Labels are not used: ``fit`` takes
    ``X`` alone, so unlabelled rows can be used.

    Features are standardised inside (constant features are kept with unit scale: they
    carry no information and leave the embedding unchanged). NaN or infinite values
    raise a ``ValueError``.

    Parameters
    ----------
    %(params)s
    projection_dim : int, default=128
        Width of the projection head ``g`` (a one-hidden-layer MLP).
    temperature : float, default=1.0
        NT-Xent temperature (SCARF's default is 1).

    Attributes
    ----------
    %(attrs)s

    See Also
    --------
    SupConEmbedder : Supervised (and semi-supervised) contrastive embedder.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklreg.neural import ContrastiveEmbedder
    >>> X, _ = load_iris(return_X_y=True)
    >>> emb = ContrastiveEmbedder(n_components=8, max_epochs=2, random_state=0).fit(X)
    >>> emb.transform(X).shape
    (150, 8)
    >>> emb.get_feature_names_out()[:2].tolist()
    ['contrastiveembedder0', 'contrastiveembedder1']
    """
    )

    _parameter_constraints = {
        **_ContrastiveBase._parameter_constraints,
        "projection_dim": [Interval(Integral, 1, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        n_components=64,
        *,
        hidden_layer_sizes=(128, 128),
        projection_dim=128,
        corruption_rate=0.6,
        temperature=1.0,
        dropout=0.0,
        lr=1e-3,
        weight_decay=1e-5,
        batch_size=256,
        max_epochs=50,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.projection_dim = projection_dim
        self.corruption_rate = corruption_rate
        self.temperature = temperature
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the embedding from ``X`` alone.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (labelled or not; at least 2). A float32 :class:`numpy.memmap`
            is read in chunks and mini-batches and never copied whole (SCARF's marginals
            come from at most 16,384 rows), so the data may be larger than memory.
        y : None
            Ignored.

        Returns
        -------
        self : ContrastiveEmbedder
        """
        # a single row is its own only positive and has no negative: nothing to learn
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        return self._fit_net(
            X,
            None,
            _NTXentCriterion,
            {"temperature": self.temperature},
            {"projection_dim": self.projection_dim},
        )

    def transform(self, X):
        """Embed rows with the trained encoder.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            Encoder output, in the dtype of ``X`` (float32 or float64).
        """
        return self._infer(X, head=False)


class SupConEmbedder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, _ContrastiveBase):
    __doc__ = _doc(
        """Supervised contrastive embedder (Khosla et al., 2020), semi-supervised on SCARF views.

    Every row gives two views (the clean row and its SCARF corruption). With the SupCon
    loss (:func:`~sklreg.neural.losses.supcon_loss`) the positives of an anchor are its
    other view and every view of the rows of the same class in the batch. Rows whose
    label equals ``unlabeled_marker`` (``-1`` by default) are self-supervised anchors
    only: their single positive is their own other view, as in
    :class:`ContrastiveEmbedder`, and they are negatives for everyone else. With all
    rows unlabelled the estimator is SCARF. Labelled rows of a single class and no
    unlabelled row are an error: every row would be a positive of every other, and the
    loss would collapse the embedding to a point.

    Parameters
    ----------
    %(params)s
    projection_dim : int, default=128
        Width of the projection head (a one-hidden-layer MLP).
    temperature : float, default=0.1
        SupCon temperature (the paper's default is 0.1).
    unlabeled_marker : int or str, default=-1
        Label value that marks an unlabelled row.

    Attributes
    ----------
    classes_ : ndarray
        The labels seen in ``fit`` (the marker excluded).
    %(attrs)s

    See Also
    --------
    ContrastiveEmbedder : Self-supervised embedder (no labels).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklreg.neural import SupConEmbedder
    >>> X, y = load_iris(return_X_y=True)
    >>> y_semi = np.where(np.arange(150) % 5 == 0, y, -1)  # 20% of the labels
    >>> emb = SupConEmbedder(n_components=8, max_epochs=2, random_state=0).fit(X, y_semi)
    >>> emb.classes_.tolist(), emb.transform(X).shape
    ([0, 1, 2], (150, 8))
    """
    ).replace(_DROPOUT_DOC, _SUPCON_DROPOUT_DOC)

    _parameter_constraints = {
        **_ContrastiveBase._parameter_constraints,
        "projection_dim": [Interval(Integral, 1, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "unlabeled_marker": [Integral, str],
    }

    def __init__(
        self,
        n_components=64,
        *,
        hidden_layer_sizes=(128, 128),
        projection_dim=128,
        corruption_rate=0.6,
        temperature=0.1,
        unlabeled_marker=-1,
        dropout=0.2,
        lr=1e-3,
        weight_decay=1e-5,
        batch_size=256,
        max_epochs=50,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.projection_dim = projection_dim
        self.corruption_rate = corruption_rate
        self.temperature = temperature
        self.unlabeled_marker = unlabeled_marker
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Learn the embedding from labelled and unlabelled rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (at least 2). A float32 :class:`numpy.memmap` is read in chunks and
            mini-batches and never copied whole (SCARF's marginals come from at most
            16,384 rows), so the data may be larger than memory.
        y : array-like of shape (n_samples,)
            Class labels; ``unlabeled_marker`` marks rows without a label.

        Returns
        -------
        self : SupConEmbedder
        """
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], ensure_min_samples=2)
        check_classification_targets(y)
        unlabelled = np.array([label == self.unlabeled_marker for label in y], dtype=bool)
        self.classes_, codes = np.unique(y[~unlabelled], return_inverse=True)
        if self.classes_.size < 2 and not unlabelled.any():
            raise ValueError(
                "SupConEmbedder needs labelled rows of at least 2 classes, or unlabelled "
                f"rows (marked {self.unlabeled_marker!r}): with 1 class every row is a "
                "positive of every other, and the loss collapses the embedding to a point; "
                f"got 1 class ({self.classes_[0]!r})."
            )
        labels = np.empty(len(y), dtype=np.int64)
        labels[~unlabelled] = codes
        # each unlabelled row gets a label of its own: its only positive is its other view
        labels[unlabelled] = len(self.classes_) + np.arange(unlabelled.sum())
        return self._fit_net(
            X,
            labels,
            _SupConCriterion,
            {"temperature": self.temperature},
            {"projection_dim": self.projection_dim},
        )

    def transform(self, X):
        """Embed rows with the trained encoder.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            Encoder output, in the dtype of ``X`` (float32 or float64).
        """
        return self._infer(X, head=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


class _ContrastiveRegressionBase(_ContrastiveBase):
    """Encoder + linear regression head trained with MSE + alpha * (ConR or RnC)."""

    _parameter_constraints = {
        **_ContrastiveBase._parameter_constraints,
        "loss": [StrOptions({"conr", "rnc"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "threshold": [Interval(Real, 0, None, closed="neither")],
        "temperature": [Interval(Real, 0, None, closed="neither"), None],
        "push": [Interval(Real, 0, None, closed="left")],
        "weighting": [StrOptions({"sqrt_inv", "inverse", "none"})],
        # 0: no corruption (see _REGRESSION_CORRUPTION_DOC)
        "corruption_rate": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        n_components=64,
        *,
        loss="conr",
        alpha=1.0,
        threshold=0.2,
        temperature=None,
        push=0.2,
        weighting="sqrt_inv",
        hidden_layer_sizes=(128, 128),
        corruption_rate=0.0,
        dropout=0.0,
        lr=1e-3,
        weight_decay=1e-5,
        batch_size=256,
        max_epochs=50,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.loss = loss
        self.alpha = alpha
        self.threshold = threshold
        self.temperature = temperature
        self.push = push
        self.weighting = weighting
        self.hidden_layer_sizes = hidden_layer_sizes
        self.corruption_rate = corruption_rate
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the encoder and head on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows. A float32 :class:`numpy.memmap` is read in chunks and
            mini-batches and never copied whole (SCARF's marginals come from at most
            16,384 rows), so the data may be larger than memory.
        y : array-like of shape (n_samples,)
            Continuous targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights (rescaled to mean one). They weight the squared
            error (a weighted mean in each mini-batch), the mean and scale used to
            standardise ``y`` and the label histogram of the ``weighting`` anchor
            weights; the contrastive term is unweighted. For example,
            :func:`~sklreg.neural.losses.label_density_weights` of ``y`` gives the
            squared error the inverse-density reweighting of Yang et al. (2021).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, y_numeric=True, dtype=[np.float64, np.float32])
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        sample_weight = sample_weight / sample_weight.mean()
        self.y_mean_ = float(np.average(y, weights=sample_weight))
        std = float(np.sqrt(np.average((y - self.y_mean_) ** 2, weights=sample_weight)))
        self.y_scale_ = std if std > 1e-12 * max(1.0, abs(self.y_mean_)) else 1.0
        y_std = (y - self.y_mean_) / self.y_scale_
        power = {"sqrt_inv": 0.5, "inverse": 1.0, "none": 0.0}
        eta = label_density_weights(y_std, power=power[self.weighting], sample_weight=sample_weight)
        temperature = self.temperature
        if temperature is None:
            temperature = 0.07 if self.loss == "conr" else 2.0
        target = np.column_stack([y_std, eta, sample_weight]).astype(np.float32)
        criterion_kwargs = {
            "loss": self.loss,
            "alpha": self.alpha,
            "threshold": self.threshold,
            "temperature": temperature,
            "push": self.push,
        }
        return self._fit_net(
            X,
            target,
            _RegressionCriterion,
            criterion_kwargs,
            {"projection_dim": 1, "regression_head": True},
        )

    def _predict(self, X):
        return self._infer(X, head=True) * self.y_scale_ + self.y_mean_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


_REGRESSION_PARAMS_DOC = """
    n_components : int, default=64
        Size of the embedding (output of the encoder, input of the linear head).
    loss : {"conr", "rnc"}, default="conr"
        Contrastive term: ConR (:func:`~sklreg.neural.losses.conr_loss`) or Rank-N-Contrast
        (:func:`~sklreg.neural.losses.rank_n_contrast_loss`).
    alpha : float, default=1.0
        Weight of the contrastive term added to the mean squared error; ``0`` gives a
        plain MLP regressor.
    threshold : float, default=0.2
        ConR label similarity threshold, in standard deviations of ``y``.
    temperature : float or None, default=None
        Temperature of the contrastive term; None uses the paper's default (0.07 for ConR,
        2.0 for Rank-N-Contrast).
    push : float, default=0.2
        ConR growth rate of the pushing weight with label distance.
    weighting : {"sqrt_inv", "inverse", "none"}, default="sqrt_inv"
        ConR anchor weights ``eta`` (mean one): the inverse square root of the smoothed
        label density (ConR's choice, after Yang et al.'s label distribution smoothing:
        rare targets push harder), its inverse, or ones; see
        :func:`~sklreg.neural.losses.label_density_weights`, which also gives the
        squared error the same reweighting when passed as ``sample_weight``."""


class ContrastiveRegressionEmbedder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, _ContrastiveRegressionBase
):
    __doc__ = _doc(
        """Embedder for continuous targets, trained with a label-distance-aware contrastive loss.

    An MLP encoder and a linear regression head are trained on the standardised target
    with the mean squared error plus ``alpha`` times a contrastive term on the encoder
    outputs of each row's two views (the row itself twice by default, the row and its
    SCARF corruption with ``corruption_rate > 0``): ConR (Keramati et al., ICLR 2024), which
    pulls rows with close labels together and pushes away rows whose labels are far but
    whose predictions are close, harder for rare labels; or Rank-N-Contrast (Zha et al.,
    2023), which orders embedding distances by label distance. ``transform`` returns the
    encoder output; :class:`ConRRegressor` is the same model used as a regressor.

    Parameters
    ----------
    """
        + _REGRESSION_PARAMS_DOC.strip()
        + """
%(regression)s

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklreg.neural import ContrastiveRegressionEmbedder
    >>> X, y = load_diabetes(return_X_y=True)
    >>> emb = ContrastiveRegressionEmbedder(n_components=8, max_epochs=2, random_state=0)
    >>> emb.fit(X, y).transform(X).shape
    (442, 8)
    """
    )

    fit = _ContrastiveRegressionBase.fit  # listed here so that the API page shows it

    def transform(self, X):
        """Embed rows with the trained encoder.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
        """
        return self._infer(X, head=False)


class ConRRegressor(RegressorMixin, _ContrastiveRegressionBase):
    __doc__ = _doc(
        """MLP regressor regularised by ConR (or Rank-N-Contrast) for imbalanced regression.

    The model of :class:`ContrastiveRegressionEmbedder` used as a regressor: the mean
    squared error of a linear head on the MLP encoder plus ``alpha`` times the
    contrastive term (ConR by default, Keramati et al., ICLR 2024), which is meant to
    keep the features of rare targets from collapsing onto their frequent neighbours.

    Parameters
    ----------
    """
        + _REGRESSION_PARAMS_DOC.strip()
        + """
%(regression)s

    Notes
    -----
    On sklreg's imbalanced-regression benchmark (Friedman #1 with a rare top or bottom of
    the target range, and the diamonds prices) ConR did not lower the RMSE of the rarest
    10% of test targets against the same network with ``alpha=0``: ties at 1,500
    training rows, and worse at Friedman's rare top with 20,000. Compare the two on
    held-out rare targets before keeping ConR; the user guide gives the measurements.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklreg.neural import ConRRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = ConRRegressor(max_epochs=2, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape
    (3,)
    """
    )

    fit = _ContrastiveRegressionBase.fit  # listed here so that the API page shows it

    def predict(self, X):
        """Predict targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self._predict(X)
