"""Bad input across the public API: each case raises ``ValueError`` or ``TypeError``
at the call, and its message names the argument, the value given and what is
allowed. (The command line's bad options are in ``tests/test_cli.py``: a
one-line error and exit status 2.)"""

from __future__ import annotations

import pytest
import torch

import vgp
from vgp import plot, theory
from vgp.experiments import initialisation

NET = vgp.mlp(2, 4, activation="tanh")
X = torch.zeros(8, 2)
Y = torch.zeros(8)


NET10 = vgp.mlp(2, 4, out_features=10)
CONV = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), torch.nn.Linear(8, 1))
LSTM = torch.nn.Sequential(torch.nn.LSTM(2, 3, batch_first=True))


def frozen_net() -> torch.nn.Module:
    return vgp.mlp(2, 4).requires_grad_(False)


def with_nan(value: float) -> torch.Tensor:
    x = torch.zeros(8, 2)
    x[1, 1] = value
    return x


def moons() -> vgp.data.Dataset:
    return vgp.datasets.moons(n_samples=40)


# (id, call, error, words the message must contain: argument, value, what is allowed)
CASES = [
    ("activation-name", lambda: vgp.activation("sigmod"), ValueError,
     ["activation", "'sigmod'", "choose one of: sigmoid, tanh"]),
    ("activation-keyword", lambda: vgp.activation("leaky_relu", slope=0.1), TypeError,
     ["'slope'", "allowed: negative_slope"]),
    ("derivative-name", lambda: vgp.derivative("swish", torch.zeros(2)), ValueError,
     ["activation", "'swish'", "choose one of"]),
    ("derivative-x", lambda: vgp.derivative("tanh", [0.0, 1.0]), TypeError,
     ["x must be a torch.Tensor", "list"]),
    ("mlp-depth-zero", lambda: vgp.mlp(0, 4), ValueError, ["depth", ">= 1", "got 0"]),
    ("mlp-depth-float", lambda: vgp.mlp(2.5, 4), TypeError, ["depth", "integer", "2.5"]),
    ("mlp-width", lambda: vgp.mlp(2, -3), ValueError, ["width", ">= 1", "-3"]),
    ("mlp-activation", lambda: vgp.mlp(2, 4, activation="sigmod"), ValueError,
     ["activation", "'sigmod'", "choose one of"]),
    ("mlp-init", lambda: vgp.mlp(2, 4, init="kaiming"), ValueError,
     ["init", "'kaiming'", "he_normal"]),
    ("mlp-norm", lambda: vgp.mlp(2, 4, norm="layer"), ValueError,
     ["norm", "'layer'", "choose one of: batch"]),
    ("mlp-norm-position", lambda: vgp.mlp(2, 4, norm="batch", norm_position="middle"),
     ValueError, ["norm_position", "'middle'", "before, after"]),
    ("mlp-residual", lambda: vgp.mlp(2, 4, residual="yes"), TypeError,
     ["residual", "True or False", "'yes'"]),
    ("mlp-seed", lambda: vgp.mlp(2, 4, seed=-1), ValueError, ["seed", ">= 0", "-1"]),
    ("mlp-gain", lambda: vgp.mlp(2, 4, init="xavier_normal", gain=-1.0), ValueError,
     ["gain", "> 0.0", "-1.0"]),
    ("initialise-scheme", lambda: vgp.init.initialise(NET, "glorot"), ValueError,
     ["init", "'glorot'", "xavier_normal"]),
    ("initialise-model", lambda: vgp.init.initialise("net"), TypeError,
     ["model", "torch.nn.Module", "str"]),
    ("weight-variance-fan-in", lambda: vgp.init.weight_variance("he_normal", 0, 4), ValueError,
     ["fan_in", ">= 1", "got 0"]),
    ("weight-variance-gain", lambda: vgp.init.weight_variance("lecun_normal", 4, 4, gain=2.0),
     ValueError, ["'lecun_normal'", "takes no gain", "gain=2.0"]),
    ("circles-noise", lambda: vgp.datasets.circles(noise=-0.1), ValueError,
     ["noise", ">= 0.0", "-0.1"]),
    ("circles-samples", lambda: vgp.datasets.circles(n_samples=1), ValueError,
     ["n_samples", ">= 4", "got 1"]),
    ("moons-seed", lambda: vgp.datasets.moons(seed="a"), TypeError, ["seed", "integer", "'a'"]),
    ("digits-seed", lambda: vgp.datasets.digits(seed=-2), ValueError, ["seed", ">= 0", "-2"]),
    ("gradient-norms-model", lambda: vgp.gradient_norms(None, X, Y), TypeError,
     ["model", "torch.nn.Module", "NoneType"]),
    ("gradient-norms-X", lambda: vgp.gradient_norms(NET, X.numpy(), Y), TypeError,
     ["X must be a torch.Tensor", "ndarray"]),
    ("gradient-norms-features", lambda: vgp.gradient_norms(NET, torch.zeros(8, 3), Y),
     ValueError, ["X must have 2 features", "(8, 3)"]),
    ("gradient-norms-labels", lambda: vgp.gradient_norms(NET, X, Y[:5]), ValueError,
     ["y must have one label per row of X", "y has 5"]),
    ("probe-model", lambda: vgp.Probe(42), TypeError, ["model", "torch.nn.Module", "int"]),
    ("probe-bins", lambda: vgp.Probe(NET, bins=0), ValueError, ["bins", ">= 1", "got 0"]),
    ("train-data", lambda: vgp.train(NET, (X, Y), lr=0.1, epochs=1, batch_size=8), TypeError,
     ["data", "vgp.data.Dataset", "tuple"]),
    ("train-optimizer",
     lambda: vgp.train(NET, moons(), optimizer="rmsprop", lr=0.1, epochs=1, batch_size=8),
     ValueError, ["optimizer", "'rmsprop'", "sgd, momentum, adam"]),
    ("train-lr", lambda: vgp.train(NET, moons(), lr=0.0, epochs=1, batch_size=8), ValueError,
     ["lr", "> 0.0", "0.0"]),
    ("train-epochs", lambda: vgp.train(NET, moons(), lr=0.1, epochs=-1, batch_size=8),
     ValueError, ["epochs", ">= 0", "-1"]),
    ("train-batch-size", lambda: vgp.train(NET, moons(), lr=0.1, epochs=1, batch_size=0),
     ValueError, ["batch_size", ">= 1", "got 0"]),
    ("train-clip", lambda: vgp.train(NET, moons(), lr=0.1, epochs=1, batch_size=8, clip=0),
     ValueError, ["clip", "> 0.0", "0.0"]),
    ("diagnose-model", lambda: vgp.diagnose("net", X, Y), TypeError,
     ["model", "torch.nn.Module", "str"]),
    ("diagnose-X", lambda: vgp.diagnose(NET, [[0.0, 1.0]], Y), TypeError,
     ["X must be a torch.Tensor", "list"]),
    # tensor contents, labels, dtypes, devices and losses (issues 13 and 18)
    ("y-0d", lambda: vgp.gradient_norms(NET, X, torch.tensor(1.0)), ValueError,
     ["y must have one label per row of X", "0-d tensor 1.0"]),
    ("y-two-columns-one-logit", lambda: vgp.gradient_norms(NET, X, torch.zeros(8, 2)), ValueError,
     ["y must hold one target per sample", "(8, 2)", "(8, 1)"]),
    ("labels-above-range", lambda: vgp.gradient_norms(NET10, X, torch.arange(8) + 3), ValueError,
     ["y holds labels from 3 to 10", "10 outputs", "0..9"]),
    ("labels-negative", lambda: vgp.diagnose(NET10, X, torch.arange(8) - 1), ValueError,
     ["y holds labels from -1 to 6", "0..9"]),
    ("labels-not-whole", lambda: vgp.gradient_norms(NET10, X, torch.full((8,), 0.7)), ValueError,
     ["whole class labels 0..9", "got 0.7", "truncated"]),
    ("one-logit-ten-labels", lambda: vgp.diagnose(NET, X, torch.arange(8)), ValueError,
     ["y holds targets from 0 to 7", "one output", "[0, 1]"]),
    ("one-logit-ten-labels-train",
     lambda: vgp.train(vgp.mlp(2, 4, in_features=64), vgp.datasets.digits(), lr=0.1, epochs=1,
                       batch_size=8), ValueError, ["y holds targets from 0 to 9", "one output"]),
    ("X-float64", lambda: vgp.gradient_norms(NET, X.double(), Y), TypeError,
     ["X has dtype torch.float64", "torch.float32", "not converted"]),
    ("X-bool", lambda: vgp.diagnose(NET, X.bool(), Y), TypeError, ["X must be a real", "torch.bool"]),
    ("X-integer", lambda: vgp.gradient_norms(NET, X.long(), Y), TypeError,
     ["X must be a floating-point tensor", "torch.int64", "nn.Embedding"]),
    ("X-numpy", lambda: vgp.diagnose(NET, X.numpy(), Y), TypeError, ["X", "ndarray", "torch.from_numpy"]),
    ("y-numpy", lambda: vgp.gradient_norms(NET, X, Y.numpy()), TypeError,
     ["y must be a torch.Tensor", "ndarray", "torch.from_numpy"]),
    ("X-empty", lambda: vgp.gradient_norms(NET, X[:0], Y[:0]), ValueError,
     ["X must hold at least one sample", "(0, 2)"]),
    ("X-nan", lambda: vgp.gradient_norms(NET, with_nan(float("nan")), Y), ValueError,
     ["X must be finite", "1 NaN and 0 infinite"]),
    ("X-inf", lambda: vgp.time_gradients(LSTM, with_nan(float("inf"))[:, None], Y), ValueError,
     ["X must be finite", "0 NaN and 1 infinite"]),
    ("y-nan", lambda: vgp.gradient_norms(NET, X, torch.full((8,), float("nan"))), ValueError,
     ["y must be finite"]),
    ("X-meta", lambda: vgp.gradient_norms(NET, X.to("meta"), Y), ValueError, ["X is on the meta device"]),
    ("model-meta", lambda: vgp.diagnose(vgp.mlp(2, 4).to("meta"), X, Y), ValueError,
     ["model is on the meta device", "to_empty"]),
    ("model-no-parameters", lambda: vgp.gradient_norms(torch.nn.Tanh(), X, Y), ValueError,
     ["model must have parameters", "Tanh has none"]),
    ("model-all-frozen", lambda: vgp.diagnose(frozen_net(), X, Y), ValueError,
     ["no parameter that requires grad", "requires_grad=False"]),
    ("probe-all-frozen", lambda: vgp.Probe(frozen_net()).__enter__(), ValueError,
     ["no parameter that requires grad"]),
    ("loss-non-scalar", lambda: vgp.gradient_norms(NET, X, Y, loss=lambda o, t: o - t[:, None]),
     ValueError, ["loss must return a scalar", "(8, 1)", ".mean()"]),
    ("loss-constant", lambda: vgp.diagnose(NET, X, Y, loss=lambda o, t: torch.tensor(0.5)), ValueError,
     ["loss returned a tensor that does not depend", "constant"]),
    ("loss-float", lambda: vgp.gradient_norms(NET, X, Y, loss=lambda o, t: 0.5), TypeError,
     ["loss must return a torch.Tensor", "float 0.5"]),
    ("conv-2d-X", lambda: vgp.gradient_norms(CONV, torch.zeros(8, 16), Y), ValueError,
     ["X must be 4-D (batch, channels, 2 spatial)", "'0'", "(8, 16)"]),
    ("conv-channels", lambda: vgp.diagnose(CONV, torch.zeros(8, 3, 4, 4), Y), ValueError,
     ["X must have 1 channels", "(8, 3, 4, 4)"]),
    ("embedding-ids", lambda: vgp.gradient_norms(
        torch.nn.Sequential(torch.nn.Embedding(5, 2), torch.nn.Flatten(), torch.nn.Linear(6, 1)),
        torch.tensor([[0, 1, 7]] * 8), Y), ValueError, ["X must hold token ids in 0..4", "0..7"]),
    ("default-loss-output-shape",
     lambda: vgp.gradient_norms(torch.nn.Linear(2, 3), torch.zeros(8, 5, 2), Y), ValueError,
     ["the default loss takes a model output of shape", "(8, 5, 3)", "loss="]),
    ("default-loss-tuple-output", lambda: vgp.gradient_norms(LSTM, torch.zeros(8, 5, 2), Y), TypeError,
     ["the default loss takes a tensor", "tuple", "loss="]),
    ("time-gradients-no-time-axis", lambda: vgp.time_gradients(NET, X, Y), ValueError,
     ["X must have a time axis", "(batch, time, features)", "(8, 2)"]),
    ("time-gradients-time-dim", lambda: vgp.time_gradients(LSTM, torch.zeros(8, 5, 2), Y, time_dim=0),
     ValueError, ["time_dim", "other than the batch", "got 0"]),
    ("params-name", lambda: vgp.gradient_norms(NET, X, Y, params="everything"), ValueError,
     ["params", "'everything'", "auto, weights, all"]),
    ("probe-params", lambda: vgp.Probe(NET, params=None), TypeError, ["params", "auto, weights, all", "None"]),
    ("named-flag", lambda: vgp.gradient_norms(NET, X, Y, named="yes"), TypeError,
     ["named", "True or False", "'yes'"]),
    ("diagnose-time-dim", lambda: vgp.diagnose(LSTM, torch.zeros(8, 5, 2), Y, time_dim=1.5), TypeError,
     ["time_dim", "integer", "1.5"]),
    ("theory-chi-1", lambda: theory.chi_1("tanh", sigma_w2=-1.0), ValueError,
     ["sigma_w2", "> 0.0", "-1.0"]),
    ("plot-empty-series", lambda: plot.gradient_profile({}, title="empty"), ValueError,
     ["series is empty", "at least one"]),
    ("figure-name", lambda: vgp.figures.render("no-such"), ValueError,
     ["figure", "'no-such'", "choose one of: home-gradients"]),
    ("experiment-argument", lambda: initialisation.he_miniature(depth=0), ValueError,
     ["depth", ">= 1", "got 0"]),
]


def test_at_least_thirty_cases():
    assert len(CASES) >= 30
    assert len({name for name, *_ in CASES}) == len(CASES)


@pytest.mark.parametrize(("call", "error", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_a_named_error(call, error, words):
    with pytest.raises(error) as caught:
        call()
    assert type(caught.value) is error  # not a subclass that would hide a crash
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
