"""vgp: see, measure and fix the vanishing-gradient problem.

The public names are listed in ``__all__``; ``vgp.plot``, ``vgp.figures`` and
``vgp.experiments`` are imported on first use, so ``import vgp`` stays cheap.
"""

from __future__ import annotations

import importlib

from vgp import activations, data, init, theory
from vgp import data as datasets
from vgp.activations import ACTIVATIONS, activation, derivative
from vgp.diagnose import Diagnosis, diagnose
from vgp.nets import mlp
from vgp.probe import LayerStats, Probe, gradient_norms, time_gradients
from vgp.train import History, train

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "Diagnosis",
    "History",
    "LayerStats",
    "Probe",
    "activation",
    "activations",
    "data",
    "datasets",
    "derivative",
    "diagnose",
    "experiments",
    "figures",
    "gradient_norms",
    "init",
    "mlp",
    "plot",
    "theory",
    "time_gradients",
    "train",
]

_LAZY = ("experiments", "figures", "plot")


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return importlib.import_module(f"vgp.{name}")
    raise AttributeError(f"module 'vgp' has no attribute {name!r}")
