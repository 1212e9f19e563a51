"""The figures of the batch norm, covariate shift, residual and exploding pages render
as lean, labelled SVG."""

from __future__ import annotations

import re

import pytest

from vgp.figures import FIGURES, render

NAMES = (
    "batchnorm-preactivations",
    "batchnorm-depth",
    "batchnorm-placement",
    "covariate-shift",
    "residual-state-gradients",
    "residual-weight-gradients",
    "exploding-profiles",
    "exploding-clipping",
)


@pytest.mark.parametrize("name", NAMES)
def test_figure_renders_lean_reproducible_svg(name: str) -> None:
    assert name in FIGURES
    svg = render(name)
    assert svg.startswith(b"<?xml") and len(svg) < 150_000
    assert render(name) == svg
    text = svg.decode()
    # text stays text (svg.fonttype none): every axis has a label
    assert len(re.findall(r"<text", text)) >= 6
