"""Datasets: shapes, dtypes, the classic circles split, determinism."""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_circles

import vgp


def test_circles_is_the_classic_make_circles():
    data = vgp.datasets.circles()
    X, _ = make_circles(n_samples=1000, factor=0.85, noise=0.1, random_state=0)
    both = torch.cat([data.X_train, data.X_test]).numpy()
    assert sorted(map(tuple, both.round(5))) == sorted(map(tuple, X.astype(np.float32).round(5)))
    assert (len(data.X_train), len(data.X_test)) == (670, 330)


@pytest.mark.parametrize("loader", [vgp.datasets.circles, vgp.datasets.moons, vgp.datasets.digits])
def test_types_and_determinism(loader):
    a, b = loader(seed=3), loader(seed=3)
    assert a.X_train.dtype == torch.float32
    assert torch.equal(a.X_train, b.X_train) and torch.equal(a.y_test, b.y_test)
    assert len(a.X_train) == len(a.y_train) and len(a.X_test) == len(a.y_test)
    assert not torch.equal(a.X_train, loader(seed=4).X_train)


def test_digits_labels_and_scale():
    data = vgp.datasets.digits()
    assert data.y_train.dtype == torch.int64 and data.out_features == 10
    assert set(data.y_train.tolist()) == set(range(10))
    assert 0.0 <= data.X_train.min() and data.X_train.max() <= 1.0


def test_binary_labels_are_float_zero_one():
    data = vgp.datasets.moons()
    assert data.y_train.dtype == torch.float32 and data.out_features == 1
    assert set(data.y_train.unique().tolist()) == {0.0, 1.0}


def test_bad_input():
    with pytest.raises(ValueError, match="seed must be an integer >= 0, got -1"):
        vgp.datasets.circles(seed=-1)
    with pytest.raises(TypeError, match="seed must be an integer, got 1.5"):
        vgp.datasets.digits(seed=1.5)
    with pytest.raises(ValueError, match="noise must be >= 0.0"):
        vgp.datasets.moons(noise=-0.1)
