"""The registry of every figure on the site: name -> function returning a Figure.

The MkDocs hook (``hooks/figures.py``) renders each entry as
``figures/<name>.svg`` during the build; a page embeds it as
``![alt text](figures/<name>.svg)`` (relative to the page). No figure is ever
committed. Figure functions only fetch an experiment's result (memoised, so
several figures share one run) and hand it to :mod:`vgp.plot`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure

from vgp import plot
from vgp.experiments import problem


@dataclass(frozen=True)
class FigureSpec:
    """One site figure: its file name (without ``.svg``) and how to draw it.

    Examples
    --------
    >>> from vgp.figures import FIGURES
    >>> spec = FIGURES["home-gradients"]
    >>> spec.name, spec.svg()[:5]
    ('home-gradients', b'<?xml')
    """

    name: str
    draw: Callable[[], Figure]

    def svg(self) -> bytes:
        """Draw the figure and return it as reproducible SVG bytes."""
        return plot.to_svg(self.draw())


FIGURES: dict[str, FigureSpec] = {}
"""Every site figure by name."""


def figure(name: str) -> Callable[[Callable[[], Figure]], Callable[[], Figure]]:
    """Register the decorated function as the figure ``name``.

    A figure function takes no argument and returns a ``Figure``; it fetches an
    experiment's (memoised) result and hands it to a :mod:`vgp.plot` function.
    Each name is registered once.

    Examples
    --------
    >>> from vgp.figures import FIGURES, figure
    >>> "home-gradients" in FIGURES
    True
    >>> figure("home-gradients")(lambda: None)
    Traceback (most recent call last):
    ...
    ValueError: figure name 'home-gradients' is registered twice
    """

    def register(draw: Callable[[], Figure]) -> Callable[[], Figure]:
        if name in FIGURES:
            raise ValueError(f"figure name {name!r} is registered twice")
        FIGURES[name] = FigureSpec(name, draw)
        return draw

    return register


def render(name: str) -> bytes:
    """The SVG bytes of the figure ``name``.

    Examples
    --------
    >>> from vgp.figures import render
    >>> render("home-gradients")[:5]
    b'<?xml'
    """
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; choose one of: {', '.join(FIGURES)}")
    return FIGURES[name].svg()


@figure("home-gradients")
def home_gradients() -> Figure:
    profile = problem.gradient_profile()
    return plot.gradient_profile(
        dict(zip(profile.labels, profile.norms, strict=True)),
        title=f"{profile.depth} hidden layers of {profile.width} units, at initialisation",
    )
