"""The registry of every figure on the site: name -> function returning a Figure.

The MkDocs hook (``hooks/figures.py``) renders each entry as
``figures/<name>.svg`` during the build; a page embeds it as
``![alt text](figures/<name>.svg)`` (relative to the page). No figure is ever
committed. Figure functions only fetch an experiment's result (memoised, so
several figures share one run) and hand it to :mod:`vgp.plot`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure

from vgp import plot


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


def render_on_one_thread(names: list[str]) -> dict[str, bytes]:
    """SVG bytes of each named figure, drawn with torch on one thread.

    The experiments' printed numbers are those of one thread (a sum taken in
    another order can end a long run elsewhere), so the build draws this way.

    Examples
    --------
    >>> from vgp.figures import render_on_one_thread
    >>> list(render_on_one_thread(["home-gradients"]))
    ['home-gradients']
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return {name: render(name) for name in names}
    finally:
        torch.set_num_threads(threads)


def _register_every_chapter() -> None:
    """Import every chapter module of this package; each registers its figures."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_register_every_chapter()
