"""The named experiments behind the site's figures, one module per chapter.

Every experiment is a pure, seeded function that runs in well under two seconds
on one CPU core and returns a small frozen dataclass. :func:`experiment`
registers it in :data:`EXPERIMENTS` and memoises it in memory, so that several
figures (and the page's snippets) drawing on one result compute it once per
process. Results are immutable, so a memoised one cannot be changed by a reader.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from typing import TypeVar

import torch

F = TypeVar("F", bound=Callable)

EXPERIMENTS: dict[str, Callable] = {}
"""Every named experiment, as ``"module.function"`` -> the memoised function."""

CHAPTERS: tuple[str, ...] = tuple(
    sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
)
"""The experiment modules, one per chapter."""


def experiment(fn: F) -> F:
    """Register ``fn`` as a named experiment and memoise its results.

    Arguments must be hashable (numbers, strings, tuples). The experiment runs
    on one CPU thread (the caller's setting is restored afterwards): with
    several threads, floating-point sums are taken in another order, and a
    long training run ends with other numbers than the pages print. The name
    is ``"<chapter module>.<function>"``.

    Examples
    --------
    >>> from vgp.experiments import EXPERIMENTS
    >>> from vgp.experiments.problem import gradient_profile
    >>> EXPERIMENTS["problem.gradient_profile"] is gradient_profile
    True
    >>> gradient_profile() is gradient_profile()   # memoised: one run per process
    True
    """

    @functools.wraps(fn)
    def on_one_thread(*args: object, **kwargs: object) -> object:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(threads)

    memoised = functools.cache(on_one_thread)
    EXPERIMENTS[f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"] = memoised
    return memoised  # type: ignore[return-value]


def load_all() -> dict[str, Callable]:
    """Import every chapter module, so that :data:`EXPERIMENTS` is complete.

    Examples
    --------
    >>> from vgp.experiments import load_all
    >>> "problem.gradient_profile" in load_all()
    True
    """
    for chapter in CHAPTERS:
        importlib.import_module(f"{__name__}.{chapter}")
    return EXPERIMENTS


def __getattr__(name: str) -> object:
    if name in CHAPTERS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
