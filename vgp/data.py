"""Small datasets from scikit-learn as float tensors, split for training and testing.

Nothing is downloaded: ``circles`` and ``moons`` are generated, ``digits`` ships
with scikit-learn. Every dataset is split 67/33 into train and test sets with the
same ``seed`` that generates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch
from torch import Tensor

from vgp._checks import check_int, check_number


@dataclass(frozen=True)
class Dataset:
    """Train and test tensors of one dataset.

    ``X_*`` are ``float32`` of shape ``(n, n_features)``. ``y_*`` are ``float32``
    zeros and ones for a binary task, ``int64`` class indices otherwise.

    A dataset you build yourself is checked when it is made, so that a mistake
    surfaces there rather than as a NaN test accuracy or a shape error deep in
    :func:`vgp.train`: each split needs at least one sample, ``X_train`` and
    ``X_test`` floating-point tensors of the same shape past the first dimension
    with finite values, one label per row, and every label a whole number from
    0 to ``n_classes - 1``. A violation raises ``ValueError`` (``TypeError`` for
    a wrong type) naming the field.

    Examples
    --------
    >>> import vgp
    >>> data = vgp.datasets.digits()
    >>> data.X_train.shape, data.y_train.dtype, data.n_features, data.out_features
    (torch.Size([1203, 64]), torch.int64, 64, 10)
    """

    name: str
    X_train: Tensor = field(repr=False)
    y_train: Tensor = field(repr=False)
    X_test: Tensor = field(repr=False)
    y_test: Tensor = field(repr=False)
    n_classes: int = 2

    def __post_init__(self) -> None:
        check_int("n_classes", self.n_classes, minimum=2)
        for split in ("train", "test"):
            X, y = getattr(self, f"X_{split}"), getattr(self, f"y_{split}")
            for argument, value in ((f"X_{split}", X), (f"y_{split}", y)):
                if not isinstance(value, Tensor):
                    raise TypeError(f"{argument} must be a torch.Tensor, got {type(value).__name__}")
            if not X.is_floating_point():
                raise TypeError(f"X_{split} must be a floating-point tensor, got dtype {X.dtype}")
            if X.dim() < 2 or X.shape[0] == 0:
                raise ValueError(
                    f"X_{split} must hold at least one sample, as a tensor of shape "
                    f"(n, features...) with n >= 1; got shape {tuple(X.shape)}"
                )
            if y.dim() == 0 or y.shape[0] != X.shape[0]:
                raise ValueError(
                    f"y_{split} must have one label per row of X_{split}: X_{split} has "
                    f"{X.shape[0]} rows, y_{split} has shape {tuple(y.shape)}"
                )
            bad = (~torch.isfinite(X)).sum().item()
            if bad:
                raise ValueError(f"X_{split} must be finite; it holds {bad} NaN or infinite values")
            labels = y.detach().double()
            wrong = (labels != labels.round()) | (labels < 0) | (labels > self.n_classes - 1)
            if wrong.any():
                value = labels[wrong][0].item()
                raise ValueError(
                    f"y_{split} must hold whole-number labels from 0 to {self.n_classes - 1} "
                    f"(n_classes={self.n_classes}); got {value:g}"
                )
        if self.X_test.shape[1:] != self.X_train.shape[1:]:
            raise ValueError(
                f"X_test must have the same shape per sample as X_train: X_train has shape "
                f"{tuple(self.X_train.shape)}, X_test {tuple(self.X_test.shape)}"
            )

    @property
    def n_features(self) -> int:
        """Width of one input row (of one step, for a sequence task)."""
        return self.X_train.shape[-1]

    @property
    def out_features(self) -> int:
        """Outputs a classifier needs: 1 logit for two classes, else one per class."""
        return 1 if self.n_classes == 2 else self.n_classes

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}, train={len(self.X_train)}, test={len(self.X_test)}, "
            f"features={self.n_features}, classes={self.n_classes})"
        )


def _split(name: str, X: np.ndarray, y: np.ndarray, seed: int, n_classes: int) -> Dataset:
    from sklearn.model_selection import train_test_split

    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.33, random_state=seed)
    label = torch.float32 if n_classes == 2 else torch.int64
    tensors = [torch.tensor(a, dtype=torch.float32) for a in (X_tr, X_te)]
    labels = [torch.tensor(a, dtype=label) for a in (y_tr, y_te)]
    return Dataset(name, tensors[0], labels[0], tensors[1], labels[1], n_classes)


def circles(seed: int = 0, *, n_samples: int = 1000, noise: float = 0.1) -> Dataset:
    """Two concentric circles, ``make_circles(n_samples=1000, factor=0.85, noise=0.1)``.

    The classic vanishing-gradient demonstration: the circles are close
    (``factor=0.85``) and noisy, so a net must bend its boundary to separate them.

    Examples
    --------
    >>> import vgp
    >>> vgp.datasets.circles()
    Dataset('circles', train=670, test=330, features=2, classes=2)
    """
    from sklearn.datasets import make_circles

    check_int("seed", seed, minimum=0)
    check_int("n_samples", n_samples, minimum=4)
    check_number("noise", noise, minimum=0.0)
    X, y = make_circles(n_samples=n_samples, factor=0.85, noise=noise, random_state=seed)
    return _split("circles", X, y, seed, 2)


def moons(seed: int = 0, *, n_samples: int = 1000, noise: float = 0.2) -> Dataset:
    """Two interleaving half-moons, ``make_moons(n_samples=1000, noise=0.2)``.

    Examples
    --------
    >>> import vgp
    >>> vgp.datasets.moons()
    Dataset('moons', train=670, test=330, features=2, classes=2)
    """
    from sklearn.datasets import make_moons

    check_int("seed", seed, minimum=0)
    check_int("n_samples", n_samples, minimum=4)
    check_number("noise", noise, minimum=0.0)
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return _split("moons", X, y, seed, 2)


@lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.data / 16.0, bunch.target


def digits(seed: int = 0) -> Dataset:
    """The 1797 8x8 handwritten digits bundled with scikit-learn, pixels scaled to [0, 1].

    Examples
    --------
    >>> import vgp
    >>> vgp.datasets.digits()
    Dataset('digits', train=1203, test=594, features=64, classes=10)
    """
    check_int("seed", seed, minimum=0)
    X, y = _digits_arrays()
    return _split("digits", X, y, seed, 10)




def long_lag(lag: int = 40, n: int = 1500, seed: int = 0, *, signal: float = 2.0,
             noise: float = 1.0) -> Dataset:
    """Remember the first symbol: a sequence task whose answer lies ``lag`` steps back.

    Each sequence has ``lag + 1`` steps of one feature. Step 0 holds the symbol,
    ``+signal`` or ``-signal`` with equal probability; steps 1 to ``lag`` hold
    distractors drawn from ``N(0, noise^2)``. The label is 1 for ``+signal``, 0
    for ``-signal``: a net read out at the last step must carry the first input
    across ``lag`` steps of noise (after the "two-sequence" problems of
    Hochreiter and Schmidhuber 1997). ``X_*`` are ``(samples, lag + 1, 1)``.

    Examples
    --------
    >>> import vgp
    >>> data = vgp.datasets.long_lag(lag=40)
    >>> data
    Dataset('long_lag', train=1005, test=495, features=1, classes=2)
    >>> data.X_train.shape
    torch.Size([1005, 41, 1])
    >>> bool(((data.X_train[:, 0, 0] > 0).float() == data.y_train).all())
    True
    """
    lag = check_int("lag", lag)
    n = check_int("n", n, minimum=4)
    check_int("seed", seed, minimum=0)
    signal = check_number("signal", signal, minimum=0.0, strict=True)
    noise = check_number("noise", noise, minimum=0.0)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    X = noise * rng.standard_normal((n, lag + 1, 1))
    X[:, 0, 0] = signal * (2 * y - 1)
    return _split("long_lag", X, y, seed, 2)


__all__ = ["Dataset", "circles", "digits", "long_lag", "moons"]
