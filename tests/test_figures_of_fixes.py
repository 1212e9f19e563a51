"""The figures of the batch norm, covariate shift, residual and exploding pages:
registered, every panel drawn and labelled, and their text kept as SVG text.

Size and byte-reproducibility of every built SVG are checked once for the whole
site (``tests/test_site.py``), so only one figure is rendered to SVG here; the
others are drawn, which is all that labelling needs.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
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
def test_every_panel_has_data_and_labelled_axes(name: str) -> None:
    fig = FIGURES[name].draw()
    try:
        assert fig.axes
        for ax in fig.axes:
            assert ax.has_data()
            assert ax.get_xlabel() and ax.get_ylabel()
    finally:
        plt.close(fig)


def test_svg_keeps_text_as_text() -> None:
    # svg.fonttype none: the labels, ticks and legend are <text>, not glyph paths
    svg = render("batchnorm-placement")
    assert svg.startswith(b"<?xml") and len(svg) < 150_000
    assert svg.count(b"<text") >= 6
    assert b"test accuracy" in svg
