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

    @property
    def n_features(self) -> int:
        """Width of one input row."""
        return self.X_train.shape[1]

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


__all__ = ["Dataset", "circles", "digits", "moons"]
