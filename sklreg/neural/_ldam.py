"""LDAM-DRW classifier for long-tailed data, built around skorch (Cao et al., 2019)."""

import copy
import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from skorch import NeuralNetClassifier
from skorch.callbacks import EarlyStopping, EpochScoring, LRScheduler
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
from ._base import (
    RowView,
    SliceLoader,
    check_device,
    epoch_losses,
    silent,
    softmax,
    torch_seed,
)
from ._callbacks import DeferredResampling, DeferredReweighting
from ._modules import MLP
from .losses._ldam import ClassBalancedCrossEntropy, FocalLoss, LDAMLoss

__all__ = ["LDAMClassifier"]


class _PackedTargetLoss(nn.Module):
    """Adapter: skorch passes ``y`` as columns (class index, sample weight)."""

    def __init__(self, loss):
        super().__init__()
        self.loss = loss

    def set_class_weight(self, weight):
        self.loss.set_class_weight(weight)

    def forward(self, input, target):
        return self.loss(input, target[:, 0].long(), sample_weight=target[:, 1])


def _valid_balanced_accuracy(net, X, y):
    """Balanced accuracy on skorch's validation split (labels in column 0 of ``y``)."""
    proba = net.predict_proba(X)
    return balanced_accuracy_score(np.asarray(y)[:, 0].astype(int), proba.argmax(axis=1))


def _pack_targets(y_index, sample_weight):
    return np.column_stack([y_index, sample_weight]).astype(np.float32)


def _make_loss(name, counts, *, max_margin, s, gamma, beta):
    if name == "ldam":
        return LDAMLoss(counts, max_margin=max_margin, s=s)
    if name == "focal":
        return FocalLoss(gamma=gamma)
    if name == "class_balanced":
        return ClassBalancedCrossEntropy(counts, beta=beta)
    return FocalLoss(gamma=0.0)  # cross-entropy, with sample and class weights


class LDAMClassifier(ClassifierMixin, BaseEstimator):
    """Neural classifier for long-tailed data: LDAM loss with deferred re-balancing.

    Trains a torch module with the label-distribution-aware margin loss of Cao et al.
    (2019): class ``j`` gets the margin ``Delta_j = C / n_j^(1/4)`` (largest
    ``max_margin``) on cosine logits scaled by ``s``. With ``schedule="drw"`` the loss is
    unweighted until ``deferred_epoch`` and weighted by the effective-number class weights
    ``(1 - beta) / (1 - beta^n_j)`` afterwards (deferred re-weighting); ``"drs"`` re-samples
    classes instead. The network is built and trained by a
    :class:`skorch.NeuralNetClassifier` created in :meth:`fit` (``net_``).

    Parameters
    ----------
    module : torch.nn.Module class or instance, default=None
        The network; its output size must equal the number of classes. A class is
        instantiated with ``module_params``; an instance is deep-copied (the parameter is
        never trained in place). ``None``: :class:`~sklreg.neural.MLP` with
        ``hidden_layer_sizes`` and ``dropout`` and a cosine head
        (:class:`~sklreg.neural.NormedLinear`) when ``normalized_head`` says so.
    module_params : dict, default=None
        Keyword arguments of ``module`` when it is a class.
    hidden_layer_sizes : tuple of int, default=(128, 128)
        Hidden widths of the default MLP.
    dropout : float, default=0.0
        Dropout of the default MLP.
    normalized_head : bool or "auto", default="auto"
        Cosine last layer in the default MLP; ``"auto"``: only with ``loss="ldam"`` (as
        in the paper, whose baselines use a linear head).
    loss : {"ldam", "cross_entropy", "focal", "class_balanced"}, default="ldam"
        Training loss. The others are the paper's baselines on the same network:
        cross-entropy, focal loss (``gamma``) and class-balanced cross-entropy (``beta``).
    max_margin : float, default=0.5
        Largest LDAM margin (that of the rarest class).
    s : float, default=30.0
        LDAM logit scale.
    gamma : float, default=1.0
        Focusing parameter of the focal loss.
    beta : float, default=0.9999
        Effective-number hyper-parameter of the DRW / DRS / class-balanced weights.
    schedule : {"drw", "drs", "none"}, default="drw"
        Deferred re-weighting, deferred re-sampling, or neither. With
        ``loss="class_balanced"`` and a deferred schedule, the class weights apply only
        from ``deferred_epoch``.
    deferred_epoch : int, default=None
        First (1-based) epoch of the re-balanced phase; ``None``: after 80% of
        ``max_epochs`` (the reference's 160 of 200). Beyond ``max_epochs``, training
        never re-balances.
    lr_decay : float, default=0.1
        Factor applied to the learning rate at ``deferred_epoch`` (the reference decays
        it there); ``1.0`` keeps it constant.
    max_epochs : int, default=50
        Number of training epochs (fewer with early stopping).
    batch_size : int, default=128
        Mini-batch size.
    optimizer : {"adam", "sgd"}, default="adam"
        Adam, or SGD with momentum 0.9 (the reference).
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=1e-4
        L2 penalty of the optimizer.
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the training data, stop when its
        balanced accuracy has not improved for ``n_iter_no_change`` epochs and restore the
        best weights. Keep ``deferred_epoch`` early enough for DRW to start.
    validation_fraction : float, default=0.1
        Share of the data held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    class_weight : dict, "balanced" or None, default=None
        Multiplies the sample weights by ``class_weight[y_i]`` (scikit-learn's
        convention), on top of any DRW weights.
    device : str, default="cpu"
        Torch device (``"cuda"`` needs a GPU that torch sees).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, dropout and the validation split; an
        integer makes CPU fits reproducible.
    verbose : int, default=0
        skorch's per-epoch log when positive.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    class_counts_ : ndarray of shape (n_classes,)
        Training count of each class (after the validation split), from which the
        margins and the DRW weights are computed.
    margins_ : ndarray of shape (n_classes,)
        LDAM margins (``None`` for other losses).
    drw_weights_ : ndarray of shape (n_classes,)
        Effective-number class weights of the deferred phase.
    net_ : skorch.NeuralNetClassifier
        The trained skorch net (its ``module_`` is the trained network).
    n_iter_ : int
        Number of epochs run (named as in scikit-learn's MLP).
    loss_curve_ : list of float
        Training loss of each epoch (as :class:`~sklearn.neural_network.MLPClassifier`'s).
    validation_loss_curve_ : list of float or None
        Loss on the held-out rows after each epoch with ``early_stopping``, else ``None``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    sklreg.neural.losses.LDAMLoss : The loss on its own.
    sklreg.neural.DeferredReweighting : The DRW schedule as a skorch callback.

    References
    ----------
    .. [1] K. Cao, C. Wei, A. Gaidon, N. Arechiga, T. Ma. "Learning Imbalanced Datasets
       with Label-Distribution-Aware Margin Loss", NeurIPS 2019.

    Examples
    --------
    >>> from sklreg.datasets import make_long_tailed_classification
    >>> from sklreg.neural import LDAMClassifier
    >>> X, y, X_test, y_test = make_long_tailed_classification(
    ...     n_samples_max=200, n_classes=4, imbalance_ratio=10, random_state=0)
    >>> clf = LDAMClassifier(hidden_layer_sizes=(32,), max_epochs=10, random_state=0)
    >>> clf.fit(X, y).predict_proba(X_test[:2]).sum(axis=1)
    array([1., 1.])
    """

    _parameter_constraints = {
        "module": [None, nn.Module, type],
        "module_params": [None, dict],
        "hidden_layer_sizes": [tuple, list],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "normalized_head": ["boolean", StrOptions({"auto"})],
        "loss": [StrOptions({"ldam", "cross_entropy", "focal", "class_balanced"})],
        "max_margin": [Interval(numbers.Real, 0, None, closed="left")],
        "s": [Interval(numbers.Real, 0, None, closed="neither")],
        "gamma": [Interval(numbers.Real, 0, None, closed="left")],
        "beta": [Interval(numbers.Real, 0, 1, closed="left")],
        "schedule": [StrOptions({"drw", "drs", "none"})],
        "deferred_epoch": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "lr_decay": [Interval(numbers.Real, 0, 1, closed="right")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "optimizer": [StrOptions({"adam", "sgd"})],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "class_weight": [None, dict, StrOptions({"balanced"})],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        module=None,
        *,
        module_params=None,
        hidden_layer_sizes=(128, 128),
        dropout=0.0,
        normalized_head="auto",
        loss="ldam",
        max_margin=0.5,
        s=30.0,
        gamma=1.0,
        beta=0.9999,
        schedule="drw",
        deferred_epoch=None,
        lr_decay=0.1,
        max_epochs=50,
        batch_size=128,
        optimizer="adam",
        lr=1e-3,
        weight_decay=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        class_weight=None,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.module = module
        self.module_params = module_params
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.normalized_head = normalized_head
        self.loss = loss
        self.max_margin = max_margin
        self.s = s
        self.gamma = gamma
        self.beta = beta
        self.schedule = schedule
        self.deferred_epoch = deferred_epoch
        self.lr_decay = lr_decay
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (standardise it: the default MLP has no input scaling). A
            float32 :class:`numpy.memmap` is read one mini-batch at a time and never
            copied whole, so the training data may be larger than memory (only the
            validation split of ``early_stopping`` is loaded).
        y : array-like of shape (n_samples,)
            Class labels; every class needs at least two samples.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights (a weighted mean of the loss in each mini-batch).

        Returns
        -------
        self : LDAMClassifier
            The fitted classifier.
        """
        device = check_device(self.device)
        X, y = validate_data(self, X, y, dtype=[np.float32, np.float64])
        check_classification_targets(y)
        sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        counts = np.bincount(y_index, minlength=self.classes_.size)
        self._check_classes(counts)
        if self.class_weight is not None:
            sample_weight = sample_weight * compute_sample_weight(self.class_weight, y)
        X = X.astype(np.float32, copy=False)
        seed = torch_seed(self.random_state)

        train_idx, valid_idx = self._split(y_index, seed)
        counts = np.bincount(y_index[train_idx], minlength=self.classes_.size)
        self.class_counts_ = counts
        deferred = self._deferred_epoch()
        loss = _make_loss(
            self.loss,
            counts,
            max_margin=self.max_margin,
            s=self.s,
            gamma=self.gamma,
            beta=self.beta,
        )
        self.margins_ = loss.margins.numpy().astype(float) if self.loss == "ldam" else None

        fork_devices = [device.index or 0] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=fork_devices):
            torch.manual_seed(seed)
            module = self._build_module(X)
            self._check_module_output(module, X)
            callbacks = self._callbacks(deferred, counts, seed)
            train_split = None
            if valid_idx is not None:
                train_split = predefined_split(
                    Dataset(
                        X[valid_idx], _pack_targets(y_index[valid_idx], sample_weight[valid_idx])
                    )
                )
            net = NeuralNetClassifier(
                module,
                criterion=_PackedTargetLoss(loss),
                optimizer=torch.optim.Adam if self.optimizer == "adam" else torch.optim.SGD,
                optimizer__weight_decay=self.weight_decay,
                lr=self.lr,
                max_epochs=self.max_epochs,
                batch_size=self.batch_size,
                iterator_train=SliceLoader,
                iterator_valid=SliceLoader,
                iterator_train__shuffle=True,
                train_split=train_split,
                callbacks=callbacks,
                callbacks__valid_acc=None,
                classes=np.arange(self.classes_.size),
                predict_nonlinearity=softmax,
                device=str(device),
                verbose=self.verbose,
                **({"optimizer__momentum": 0.9} if self.optimizer == "sgd" else {}),
            )
            targets = _pack_targets(y_index[train_idx], sample_weight[train_idx])
            # a row view, not X[train_idx]: X (possibly a memmap) is never copied whole
            net.fit(RowView(X, targets, train_idx), targets)
        self.drw_weights_ = callbacks[0][1].weights_ if self.schedule == "drw" else None
        self.net_ = net
        self.n_iter_ = len(net.history)
        self.loss_curve_, self.validation_loss_curve_ = epoch_losses(net.history)
        return self

    def _check_classes(self, counts):
        if counts.size < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; got 1 class "
                f"({self.classes_[0]!r})."
            )
        lonely = self.classes_[counts < 2]
        if lonely.size:
            raise ValueError(
                f"Class(es) {lonely.tolist()} have a single sample: LDAM needs at least 2 "
                "samples per class (margins and re-weighting are estimated from class "
                "counts, and the validation split is stratified). Drop or merge them."
            )

    def _split(self, y_index, seed):
        all_idx = np.arange(y_index.size)
        if not self.early_stopping:
            return all_idx, None
        try:
            return train_test_split(
                all_idx,
                test_size=self.validation_fraction,
                stratify=y_index,
                random_state=seed,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping: cannot hold out a stratified validation_fraction="
                f"{self.validation_fraction} of {y_index.size} samples in "
                f"{self.classes_.size} classes ({exc})."
            ) from exc

    def _deferred_epoch(self):
        if self.deferred_epoch is not None:
            return int(self.deferred_epoch)
        return int(0.8 * self.max_epochs) + 1

    def _build_module(self, X):
        n_classes = self.classes_.size
        if self.module is None:
            head = self.normalized_head
            if head == "auto":
                head = self.loss == "ldam"
            return MLP(
                X.shape[1],
                n_classes,
                hidden_layer_sizes=tuple(self.hidden_layer_sizes),
                dropout=self.dropout,
                normalized_head=bool(head),
            )
        if isinstance(self.module, nn.Module):
            return copy.deepcopy(self.module)
        if isinstance(self.module, type) and issubclass(self.module, nn.Module):
            return self.module(**(self.module_params or {}))
        raise TypeError(
            f"module must be None, a torch.nn.Module subclass or instance; got "
            f"{type(self.module).__name__}."
        )

    def _check_module_output(self, module, X):
        param = next(module.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
        was_training = module.training
        module.eval()
        with torch.no_grad():
            out = module(torch.as_tensor(np.array(X[:2]), device=device))
        module.train(was_training)
        if not isinstance(out, torch.Tensor) or out.ndim != 2:
            raise ValueError(
                "module must return a 2-d tensor of logits (n_samples, n_classes); got "
                f"{type(out).__name__} of shape {getattr(out, 'shape', None)}."
            )
        if out.shape[1] != self.classes_.size:
            raise ValueError(
                f"module outputs {out.shape[1]} logits per sample but y has "
                f"{self.classes_.size} classes: make the module's last layer output "
                f"{self.classes_.size} values."
            )

    def _callbacks(self, deferred, counts, seed):
        callbacks = []
        if self.schedule == "drw":
            callbacks.append(
                ("drw", DeferredReweighting(deferred, beta=self.beta, class_counts=counts))
            )
        elif self.schedule == "drs":
            callbacks.append(("drs", DeferredResampling(deferred, beta=self.beta, seed=seed)))
        if self.lr_decay < 1 and self.schedule != "none" and deferred <= self.max_epochs:
            callbacks.append(
                (
                    "lr_decay",
                    LRScheduler(
                        torch.optim.lr_scheduler.MultiStepLR,
                        milestones=[deferred - 1],
                        gamma=self.lr_decay,
                    ),
                )
            )
        if self.early_stopping:
            callbacks.append(
                (
                    "valid_bacc",
                    EpochScoring(
                        _valid_balanced_accuracy, name="valid_bacc", lower_is_better=False
                    ),
                )
            )
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_bacc",
                        patience=self.n_iter_no_change,
                        lower_is_better=False,
                        load_best=True,
                        sink=print if self.verbose else silent,
                    ),
                )
            )
        return callbacks

    # -------------------------------------------------------------- predict
    def _logits(self, X):
        """Logits as trained on: the module's output, times ``s`` for the LDAM loss."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
        # Inference in float64 on a copy of the trained module: float32 matrix products
        # depend on the number of rows (kernel blocking), float64 ones only at ~1e-16, so
        # predictions do not change when computed on a subset of the rows.
        module = copy.deepcopy(self.net_.module_).double().eval()
        device = next(module.parameters(), torch.empty(0)).device
        chunks = []
        with torch.no_grad():
            for start in range(0, X.shape[0], 4096):
                rows = torch.as_tensor(np.array(X[start : start + 4096], dtype=np.float64))
                chunks.append(module(rows.to(device)).cpu().numpy())
        logits = np.concatenate(chunks) if chunks else np.empty((0, self.classes_.size))
        return logits * self.s if self.loss == "ldam" else logits

    def predict_proba(self, X):
        """Class probabilities: softmax of the logits (scaled by ``s`` for LDAM).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one; columns follow ``classes_``.
        """
        return softmax(torch.as_tensor(self._logits(X))).numpy()

    def decision_function(self, X):
        """Logits of the network (scaled by ``s`` for LDAM).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            Logits; for two classes, the logit of ``classes_[1]`` minus that of
            ``classes_[0]`` (the log-odds).
        """
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy on ``(X, y)``; labels unseen during fit raise an error.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test data.
        y : array-like of shape (n_samples,)
            True labels, all among ``classes_``.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean accuracy.
        """
        check_is_fitted(self)
        unseen = np.setdiff1d(np.unique(np.asarray(y)), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not seen during fit: {unseen.tolist()}; the classifier "
                f"knows {self.classes_.tolist()}."
            )
        return super().score(X, y, sample_weight=sample_weight)
