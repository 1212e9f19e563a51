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


def split_with(**fields) -> vgp.data.Dataset:
    """moons with some fields replaced, built through the constructor (and its checks)."""
    data = vgp.datasets.moons(n_samples=40)
    values = {
        "name": "mine", "X_train": data.X_train, "y_train": data.y_train,
        "X_test": data.X_test, "y_test": data.y_test, "n_classes": 2,
    }
    return vgp.data.Dataset(**{**values, **fields})


D = vgp.datasets.moons(n_samples=40)
BAD_DATASETS = [
    ("test-width", dict(X_test=D.X_test[:, :1]), ValueError,
     r"X_test must have the same shape per sample as X_train: X_train has shape \(26, 2\), "
     r"X_test \(14, 1\)"),
    ("test-3d", dict(X_test=D.X_test[:, None, :]), ValueError, "X_test must have the same shape"),
    ("empty-test", dict(X_test=D.X_test[:0], y_test=D.y_test[:0]), ValueError,
     r"X_test must hold at least one sample.*got shape \(0, 2\)"),
    ("empty-train", dict(X_train=D.X_train[:0], y_train=D.y_train[:0]), ValueError,
     "X_train must hold at least one sample"),
    ("test-1d", dict(X_test=D.X_test[:, 0]), ValueError, r"X_test must hold .*got shape \(14,\)"),
    ("test-labels-short", dict(y_test=D.y_test[:5]), ValueError,
     r"y_test must have one label per row of X_test: X_test has 14 rows, y_test has shape \(5,\)"),
    ("test-label-0d", dict(y_test=torch.tensor(1.0)), ValueError, "y_test must have one label"),
    ("test-label-range", dict(y_test=D.y_test * 3), ValueError,
     r"y_test must hold whole-number labels from 0 to 1 \(n_classes=2\); got 3"),
    ("train-label-fraction", dict(y_train=D.y_train * 0.7), ValueError,
     "y_train must hold whole-number labels.*got 0.7"),
    ("train-label-negative", dict(y_train=D.y_train - 1), ValueError, "got -1"),
    ("test-nan", dict(X_test=D.X_test.clone().index_fill_(0, torch.tensor([3]), float("nan"))),
     ValueError, "X_test must be finite; it holds 2 NaN or infinite values"),
    ("train-inf", dict(X_train=D.X_train.clone().fill_(float("inf"))), ValueError,
     "X_train must be finite; it holds 52 NaN"),
    ("test-integer", dict(X_test=D.X_test.long()), TypeError,
     "X_test must be a floating-point tensor, got dtype torch.int64"),
    ("test-numpy", dict(X_test=D.X_test.numpy()), TypeError,
     "X_test must be a torch.Tensor, got ndarray"),
    ("labels-list", dict(y_train=D.y_train.tolist()), TypeError, "y_train must be a torch.Tensor"),
    ("one-class", dict(n_classes=1), ValueError, "n_classes must be an integer >= 2, got 1"),
    ("classes-float", dict(n_classes=2.0), TypeError, "n_classes must be an integer"),
]


@pytest.mark.parametrize(
    ("fields", "error", "message"), [c[1:] for c in BAD_DATASETS], ids=[c[0] for c in BAD_DATASETS]
)
def test_a_bad_dataset_is_refused_where_it_is_made(fields, error, message):
    with pytest.raises(error, match=message):
        split_with(**fields)


def test_train_never_sees_a_test_split_it_cannot_evaluate():
    """Before the check, a test split of the wrong width failed inside the first
    evaluation (a matmul shape error) and an empty one gave test_accuracy NaN."""
    net = vgp.mlp(depth=1, width=4)
    with pytest.raises(ValueError, match="X_test must have the same shape"):
        vgp.train(net, split_with(X_test=D.X_test[:, :1]), lr=0.1, epochs=1, batch_size=8)
    with pytest.raises(ValueError, match="X_test must hold at least one sample"):
        vgp.train(
            net, split_with(X_test=D.X_test[:0], y_test=D.y_test[:0]), lr=0.1, epochs=1, batch_size=8
        )


def test_a_good_custom_dataset_trains_and_is_evaluated_on_its_test_split():
    """The test accuracy is that of the model on X_test, recomputed here by hand."""
    data = split_with(y_train=D.y_train.long(), y_test=D.y_test.long())
    net = vgp.mlp(depth=1, width=4)
    history = vgp.train(net, data, lr=0.1, epochs=2, batch_size=8)
    with torch.no_grad():
        predicted = (net(data.X_test).reshape(-1) > 0).long()
    assert history.test_accuracy[-1] == (predicted == data.y_test).float().mean().item()
