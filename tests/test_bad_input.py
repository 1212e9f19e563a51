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
    ("mlp-norm", lambda: vgp.mlp(2, 4, norm="group"), ValueError,
     ["norm", "'group'", "choose one of: batch, layer, rms"]),
    ("mlp-norm-position", lambda: vgp.mlp(2, 4, norm="batch", norm_position="middle"),
     ValueError, ["norm_position", "'middle'", "before, after"]),
    ("mlp-residual", lambda: vgp.mlp(2, 4, residual="yes"), TypeError,
     ["residual", "True or False", "'yes'"]),
    ("mlp-seed", lambda: vgp.mlp(2, 4, seed=-1), ValueError, ["seed", ">= 0", "-1"]),
    ("transformer-heads", lambda: vgp.transformer(2, 10, heads=4, norm_first=True), ValueError,
     ["d_model", "multiple of heads", "d_model=10, heads=4"]),
    ("transformer-norm-first", lambda: vgp.transformer(2, 8, heads=2, norm_first="pre"), TypeError,
     ["norm_first", "True or False", "'pre'"]),
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
