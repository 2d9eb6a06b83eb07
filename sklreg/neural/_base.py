"""Helpers shared by sklreg's torch estimators (composition around skorch)."""

import numpy as np
import torch
from sklearn.utils import check_random_state
from skorch.dataset import Dataset

__all__ = [
    "RowView",
    "SliceLoader",
    "check_device",
    "epoch_losses",
    "seeded_generator",
    "softmax",
    "torch_seed",
]


def check_device(device):
    """Return a :class:`torch.device` for ``device``, failing clearly if it is absent.

    Parameters
    ----------
    device : str or torch.device
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ... .

    Returns
    -------
    device : torch.device

    Raises
    ------
    RuntimeError
        If a CUDA device is asked for and torch sees none (or too few).

    Examples
    --------
    >>> check_device("cpu")
    device(type='cpu')
    """
    dev = torch.device(device)
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(
                f"device={device!r} was requested but torch sees no CUDA GPU on this "
                "machine; use device='cpu'."
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise RuntimeError(
                f"device={device!r} was requested but torch sees only "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    return dev


def torch_seed(random_state):
    """Derive an integer torch seed from a scikit-learn ``random_state``.

    Parameters
    ----------
    random_state : int, RandomState instance or None

    Returns
    -------
    seed : int
        In ``[0, 2**31 - 1)``; drawn from ``random_state`` so the same state gives the
        same seed.

    Examples
    --------
    >>> torch_seed(0) == torch_seed(0)
    True
    """
    return int(check_random_state(random_state).randint(0, np.iinfo(np.int32).max))


def seeded_generator(seed):
    """A CPU :class:`torch.Generator` seeded with ``seed``.

    Examples
    --------
    >>> g = seeded_generator(3)
    >>> float(torch.rand(1, generator=g)) == float(torch.rand(1, generator=seeded_generator(3)))
    True
    """
    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen


def softmax(logits):
    """Module-level softmax over the last axis, used as skorch's ``predict_nonlinearity``.

    skorch does not apply a softmax when the criterion is custom; a module-level function
    (not a lambda) keeps fitted estimators picklable.

    Examples
    --------
    >>> softmax(torch.zeros(1, 4)).sum().item()
    1.0
    """
    return torch.softmax(logits, dim=-1)


def epoch_losses(history):
    """``(training losses, validation losses)`` of each epoch of a skorch ``history``.

    Plain float lists (picklable, no skorch objects); the validation list is ``None``
    when the net had no validation split.
    """
    train = [float(epoch["train_loss"]) for epoch in history]
    has_valid = len(history) > 0 and "valid_loss" in history[-1]
    valid = [float(epoch["valid_loss"]) for epoch in history] if has_valid else None
    return train, valid


def silent(*args, **kwargs):
    """A sink for skorch's EarlyStopping message (module level: picklable)."""


class RowView(torch.utils.data.Dataset):
    """Rows ``rows`` of ``X`` with targets ``y``, read batch by batch, never copied whole.

    ``X`` may be a :class:`numpy.memmap`: training then reads only the rows of each
    mini-batch from disk.
    """

    def __init__(self, X, y, rows):
        self.X, self.y, self.rows = X, y, rows

    def __len__(self):
        return self.rows.size

    def batch(self, positions):
        """Features and targets of the given positions (a slice or an index array)."""
        rows = self.rows[positions]
        order = np.argsort(rows, kind="stable")  # ascending reads: cheap on a memmap
        Xb = torch.as_tensor(np.asarray(self.X[rows[order]]))
        if self.y is None:
            return Xb, torch.zeros(Xb.shape[0])
        return Xb, torch.as_tensor(self.y[positions][order])

    def __getitem__(self, i):
        Xb, yb = self.batch(np.array([i]))
        return Xb[0], yb[0]


class SliceLoader:
    """skorch iterator that reads whole mini-batches out of in-memory or memory-mapped arrays.

    Faster than a ``DataLoader`` for arrays (no per-sample ``__getitem__`` and collation);
    falls back to a ``DataLoader`` for other datasets. Honours ``shuffle`` (torch's global
    generator, seeded in ``fit``) and ``sampler`` (used by DRS).
    """

    def __init__(
        self, dataset, batch_size=128, shuffle=False, sampler=None, drop_last=False, **kwargs
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.sampler = sampler
        self.drop_last = drop_last
        self.kwargs = kwargs

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        ds = self.dataset
        if isinstance(ds, Dataset) and isinstance(ds.X, np.ndarray):
            ds = RowView(ds.X, ds.y, np.arange(len(ds)))
        if not isinstance(ds, RowView):
            yield from torch.utils.data.DataLoader(
                ds,
                batch_size=self.batch_size,
                shuffle=self.shuffle,
                sampler=self.sampler,
                drop_last=self.drop_last,
                **self.kwargs,
            )
            return
        n = len(ds)
        if self.sampler is not None:
            order = np.fromiter(iter(self.sampler), dtype=np.int64)
        elif self.shuffle:
            order = torch.randperm(n).numpy()
        else:
            order = None
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            stop = start + self.batch_size
            yield ds.batch(slice(start, stop) if order is None else order[start:stop])
