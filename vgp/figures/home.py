"""The figures of the page "Home" (``docs/index.md``)."""

from __future__ import annotations

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import problem
from vgp.figures import figure


@figure("home-gradients")
def home_gradients() -> Figure:
    profile = problem.gradient_profile()
    return plot.gradient_profile(
        dict(zip(profile.labels, profile.norms, strict=True)),
        title=f"{profile.depth} hidden layers of {profile.width} units, at initialisation",
    )

