"""Sybil: run every Python snippet of the site's pages and of vgp's docstrings.

Markdown pages accept fences ```` ```python ````, ```` ```py ```` and
```` ```pycon ````, with or without attributes (``title="..."``, ``hl_lines``,
``{.python ...}``): Sybil's stock Markdown parser would silently skip all but a
bare ```` ```python ````. A block that starts with ``>>>`` (and every ``pycon``
block) is a doctest; any other block is run as plain code. The snippets of one
page share a namespace, top to bottom, like a reader's session.
"""

from __future__ import annotations

import doctest
import os
import re

from sybil import Sybil
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.abstract import DocTestStringParser
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer
from sybil.parsers.rest import DocTestParser

OPTIONFLAGS = doctest.NORMALIZE_WHITESPACE
"""No ELLIPSIS: an output line shows the whole number the page is about."""

PYTHON_FENCE = re.compile(
    r"(?:\{\s*\.?)?(?P<language>python|py|pycon)\b(?P<attributes>[^\n]*)$\n", re.MULTILINE
)
"""The info string of a Python fence: the language, then any attributes."""


class PythonFenceParser:
    """Parse Markdown fences whose language is python, py or pycon."""

    def __init__(self) -> None:
        self.lexer = RawFencedCodeBlockLexer(info_pattern=PYTHON_FENCE)
        self.doctest = DocTestStringParser(DocTestEvaluator(OPTIONFLAGS))
        self.code = PythonEvaluator()

    def __call__(self, document):
        for region in self.lexer(document):
            source = region.lexemes["source"]
            if region.lexemes["language"] == "pycon" or source.lstrip().startswith(">>>"):
                for doctest_region in self.doctest(source, document.path):
                    doctest_region.adjust(region, source)
                    yield doctest_region
            else:
                region.parsed = source
                region.evaluator = self.code
                yield region


def setup_namespace(namespace: dict) -> None:
    """Give every document the same start: fixed seeds, no display, one thread."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    import torch

    torch.manual_seed(0)
    np.random.seed(0)  # noqa: NPY002 - readers' snippets may use the legacy global RNG
    torch.set_num_threads(1)


def teardown_namespace(namespace: dict) -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


os.environ.setdefault("MPLBACKEND", "Agg")

pages = Sybil(
    parsers=[PythonFenceParser()],
    patterns=["*.md"],
    path="docs",
    setup=setup_namespace,
    teardown=teardown_namespace,
    name="docs",
)

docstrings = Sybil(
    parsers=[DocTestParser(optionflags=OPTIONFLAGS)],
    patterns=["*.py"],
    path="vgp",
    setup=setup_namespace,
    teardown=teardown_namespace,
    name="docstrings",
)

pytest_collect_file = (pages + docstrings).pytest()
