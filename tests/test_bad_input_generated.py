"""Generated bad input (Hypothesis) for gradient_norms, Probe, diagnose and train.

Hypothesis draws the batch a reader might hand over by mistake: shapes off by a
row, a feature or a dimension, the wrong dtype, labels out of range or fractional,
NaN and infinities in ``X``, custom losses that are not a scalar. Each call must
either

- raise ``ValueError`` or ``TypeError`` whose message names an argument, or
- return finite numbers equal to a reference computed here with autograd (for
  ``diagnose`` a non-finite batch may instead be reported by the ``non-finite``
  verdict, for ``train`` by ``History.diverged``), and never return for a batch
  that the rules below call invalid without a warning.

Never another exception, never NaN without a warning. One exception, accepted:
inside a ``Probe`` the reader runs the forward and backward pass with their own
code, so a bad batch reaches the probe only through it; there the probe must
report exactly autograd's gradients of that pass, NaN where autograd's are NaN
(``gradient_norms`` and ``diagnose``, which take the batch, must name it).

The examples are bounded (60 per function) and derandomised (a fixed seed), so
the suite is reproducible and takes a few seconds.

The rules of validity are written here, independently of ``vgp``'s checks: ``X``
a floating tensor of shape ``(n, features)`` with ``n >= 1`` and finite values;
``y`` with one entry per row; for one output logit (binary cross-entropy) labels
in ``[0, 1]``, for ``k`` logits (cross-entropy) whole numbers in ``0 .. k-1``; a
custom loss returning a scalar tensor that depends on the output.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, replace

import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import vgp
from vgp.data import Dataset

FEATURES = 3
ARGUMENT = re.compile(r"\b(X|y|loss|model|data|X_train|y_train|X_test|y_test|labels?)\b")
"""A message names an argument when one of these words appears in it."""

SETTINGS = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.bool]


@dataclass(frozen=True)
class Case:
    """One drawn call: the net's output width and dtype, the batch, the loss."""

    outputs: int
    net_dtype: torch.dtype
    X: torch.Tensor
    y: torch.Tensor
    loss: object  # None or a callable
    loss_kind: str

    def net(self) -> torch.nn.Module:
        return vgp.mlp(2, 4, activation="tanh", in_features=FEATURES, out_features=self.outputs,
                       seed=1).to(self.net_dtype)

    def valid(self) -> bool:
        """The rules of validity of the module docstring, checked by hand."""
        X, y = self.X, self.y
        if not X.is_floating_point() or X.dtype != self.net_dtype:
            return False
        if X.dim() != 2 or X.shape[0] < 1 or X.shape[1] != FEATURES:
            return False
        if not bool(torch.isfinite(X).all()):
            return False
        if y.dim() != 1 or y.shape[0] != X.shape[0]:
            return False
        if self.loss_kind != "default":
            return self.loss_kind == "mse"
        labels = y.double()
        if self.outputs == 1:
            return bool(((labels >= 0) & (labels <= 1)).all())
        return bool(((labels == labels.round()) & (labels >= 0) & (labels < self.outputs)).all())


LOSSES = {
    "default": None,
    "mse": lambda out, y: ((out - y.reshape(-1, 1).to(out.dtype)) ** 2).mean(),
    "non-scalar": lambda out, y: torch.cat([out.reshape(-1), out.reshape(-1)]),
    "python-float": lambda out, y: 0.5,
    "constant": lambda out, y: torch.tensor(0.5),
}

FAULTS = (
    "X-wider", "X-narrower", "X-1d", "X-3d", "X-0d", "X-empty", "X-dtype", "X-nan", "X-inf",
    "X--inf", "y-fewer", "y-more", "y-2d", "y-0d", "label-too-big", "label-negative",
    "label-fraction", "label-nan", "loss-non-scalar", "loss-python-float", "loss-constant",
)
"""One wrong thing each; a third of the draws have none (a valid call, whose
numbers are then checked against autograd), and some draw every part at random."""


@st.composite
def cases(draw) -> Case:
    fault = draw(st.sampled_from(["none"] * 11 + list(FAULTS) + ["random"] * 3))
    random = fault == "random"
    outputs = draw(st.sampled_from([1, 3]))
    net_dtype = draw(st.sampled_from([torch.float32, torch.float32, torch.float64]))
    rows = draw(st.integers(1, 6))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))

    shape = {"X-wider": (rows, FEATURES + 1), "X-narrower": (rows, FEATURES - 1), "X-1d": (rows,),
             "X-3d": (rows, 1, FEATURES), "X-0d": (), "X-empty": (0, FEATURES)}.get(fault)
    if random:
        shape = draw(st.sampled_from([(rows, FEATURES), (0, FEATURES), (rows, FEATURES + 1),
                                      (rows,), (rows, 1, FEATURES), ()]))
    shape = shape or (rows, FEATURES)
    X = torch.randn(shape, generator=generator, dtype=torch.float64)
    value = {"X-nan": math.nan, "X-inf": math.inf, "X--inf": -math.inf}.get(fault)
    if random and X.numel() and draw(st.booleans()):
        value = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    if value is not None and X.numel():
        X.view(-1)[draw(st.integers(0, X.numel() - 1))] = value
    dtype = net_dtype
    if fault == "X-dtype" or random:
        dtype = draw(st.sampled_from([d for d in DTYPES if d != net_dtype]))
    X = X.to(dtype) if dtype.is_floating_point else (X * 3).nan_to_num(0.0).to(dtype)

    n = shape[0] if shape else 1
    label_rows = {"y-fewer": n - 1, "y-more": n + 2}.get(fault, n)
    y_shape = {"y-2d": (label_rows, 2), "y-0d": ()}.get(fault, (label_rows,))
    if random:
        label_rows = draw(st.sampled_from([n, 0, 1, 7]))
        y_shape = draw(st.sampled_from([(label_rows,), (label_rows, 2), ()]))
    if outputs == 1:
        y = torch.randint(0, 2, y_shape, generator=generator).float()
    else:
        y = torch.randint(0, outputs, y_shape, generator=generator)
    bad = {"label-too-big": float(outputs + 1), "label-negative": -1.0, "label-fraction": 0.7,
           "label-nan": math.nan}.get(fault)
    if random:
        bad = draw(st.sampled_from([None, float(outputs + 1), -1.0, 0.7, math.nan]))
    if bad is not None and y.numel():
        y = y.double()
        y.view(-1)[0] = bad
        if outputs > 1 and not math.isnan(bad) and bad == round(bad) and draw(st.booleans()):
            y = y.long()
    loss_kind = fault.removeprefix("loss-") if fault.startswith("loss-") else "default"
    if fault == "none" and draw(st.booleans()) and draw(st.booleans()):
        loss_kind = "mse"
    if random:
        loss_kind = draw(st.sampled_from(list(LOSSES)))
    return Case(outputs, net_dtype, X, y, LOSSES[loss_kind], loss_kind)


def reference_norms(case: Case) -> list[float]:
    """||dL/dW|| of every Linear weight, first layer first, by autograd alone."""
    net = case.net()
    weights = [m.weight for m in net.modules() if isinstance(m, torch.nn.Linear)]
    out = net(case.X)
    if case.loss is not None:
        loss = case.loss(out, case.y)
    elif case.outputs == 1:
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            out.reshape(-1), case.y.reshape(-1).to(out.dtype)
        )
    else:
        loss = torch.nn.functional.cross_entropy(out, case.y.long())
    return [g.norm().item() for g in torch.autograd.grad(loss, weights)]


def outcome(call):
    """Run ``call``: its result and warnings, or the ValueError/TypeError it raised.
    Any other exception propagates and fails the test."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call()
        except (ValueError, TypeError) as error:
            assert ARGUMENT.search(str(error)), f"the error names no argument: {error}"
            event(f"raised {type(error).__name__}")
            return None, error, caught
    event("warned" if caught else "returned")
    return result, None, caught


def check_returned(case: Case, numbers: list[float], caught, reported: bool = False) -> None:
    """A returned result: finite and equal to the reference, or warned about."""
    if caught or reported:
        return
    assert case.valid(), f"returned without a word for an invalid batch: {case}"
    assert all(math.isfinite(v) for v in numbers), f"NaN or inf without a warning: {numbers}"
    assert numbers == pytest.approx(reference_norms(case), rel=1e-3, abs=1e-6)


@SETTINGS
@given(cases())
def test_gradient_norms(case: Case) -> None:
    result, _, caught = outcome(lambda: vgp.gradient_norms(case.net(), case.X, case.y, case.loss))
    if result is not None:
        check_returned(case, result, caught)


@SETTINGS
@given(cases())
def test_probe(case: Case) -> None:
    """Inside a Probe the reader runs their own forward and backward pass: where
    that fails on its own (torch's error in the reader's code) the probe has
    nothing to answer for, and must only leave no hook behind. Where it runs,
    the probe raises a named error or reports finite, right numbers (or warns)."""
    def passes(net) -> None:
        out = net(case.X)
        (case.loss or vgp.probe.default_loss)(out, case.y).backward()

    try:
        passes(case.net())
    except Exception:  # the reader's own code fails, probe or not
        net = case.net()
        try:
            with vgp.Probe(net):
                passes(net)
        except Exception:  # the same failure, now with the probe open
            pass
        else:
            raise AssertionError("the pass failed without the probe and ran with it")
        assert all(not m._forward_hooks for m in net.modules())
        return
    net = case.net()

    def probed() -> list[float]:
        with vgp.Probe(net) as probe:
            passes(net)
        return [s.grad_norm for s in probe.stats]

    result, _, caught = outcome(probed)
    if result is not None and not caught:
        # The probe records the pass the reader ran, whatever its batch: what it
        # reports must be autograd's dL/dW of that pass, NaN where autograd's is
        # (accepted: a non-finite X or a label out of range reaches the probe
        # through the reader's own code; gradient_norms and diagnose name them).
        assert result == pytest.approx(reference_norms(case), rel=1e-3, abs=1e-6, nan_ok=True)


@SETTINGS
@given(cases())
def test_diagnose(case: Case) -> None:
    result, _, caught = outcome(lambda: vgp.diagnose(case.net(), case.X, case.y, case.loss))
    if result is not None:
        reported = result.verdict == "non-finite"
        check_returned(case, [s.grad_norm for s in result.stats], caught, reported)


@SETTINGS
@given(cases(), st.integers(1, 4))
def test_train(case: Case, batch_size: int) -> None:
    """train needs a Dataset: the drawn batch is its training split and a valid
    copy of the first rows its test split, so only the training split is bad."""

    case = replace(case, loss=None, loss_kind="default")  # train takes vgp's default loss

    def trained():
        X_test, y_test = (case.X[:2], case.y[:2]) if case.X.dim() and case.y.dim() else (case.X, case.y)
        data = Dataset("drawn", case.X, case.y, X_test, y_test,
                       n_classes=2 if case.outputs == 1 else case.outputs)
        return vgp.train(case.net(), data, lr=0.1, epochs=1, batch_size=batch_size)

    result, _, caught = outcome(trained)
    if result is None or caught or result.diverged:
        return
    assert case.valid(), f"trained without a word on an invalid batch: {case}"
    numbers = [*result.train_loss, *result.test_loss, *(g for row in result.grad_norms for g in row)]
    assert all(math.isfinite(v) for v in numbers)
