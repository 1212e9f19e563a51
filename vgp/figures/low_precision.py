"""The figures of the page "Low precision" (``docs/low-precision.md``)."""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import low_precision
from vgp.figures import figure


@figure("low-precision-underflow")
def low_precision_underflow() -> Figure:
    result = low_precision.underflow()
    half = torch.finfo(torch.float16)
    return plot.underflow_panels(
        {"median entry": result.median_entry, "largest entry": result.largest_entry},
        {
            "float16: smallest normal": half.smallest_normal,
            "float16: smallest subnormal": half.smallest_normal * half.eps,
            f"... divided by the loss scale {result.scale:g}":
                half.smallest_normal * half.eps / result.scale,
        },
        {mode: result.shares(mode) for mode in result.modes},
    )
