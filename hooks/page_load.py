"""MkDocs hook: two changes to what Material puts in every page, each found with Lighthouse's mobile test.

**Scripts run after the page is parsed.** Material writes its script and the
site's ``extra_javascript`` as ordinary ``<script src>`` at the end of
``<body>``: the parser stops there to run them, and the first thing Material's
script does (apply the palette, read the header's computed style, measure every
code block and the viewport) forces the browser to style and lay out the whole
page inside that one script task, the longest task of every page. This hook
gives each ``<script src>`` of a page ``defer`` (:func:`deferred`): the scripts
still run in the same order, before ``DOMContentLoaded``, where Material
expects them, but after the parser is done and the page has been laid out,
so their measurements read a layout that is already there. On four chapters,
total blocking time fell from 470-650 ms to 90-170 ms and the largest
contentful paint from 3.2-3.7 s to 2.0-2.4 s (``benchmarks/run.py lighthouse``,
under load).

**No restyle of every element for a palette switch on load.** Material's
``palette.*.min.css`` holds::

    [data-md-color-switching] *, [data-md-color-switching] :after,
    [data-md-color-switching] :before {transition-duration: 0s !important}

and Material's script sets ``data-md-color-switching`` on ``<body>`` when it
applies the palette, which it does on every page load, not only when the reader
switches, then removes it. With that rule in a stylesheet, each of the two
changes makes the browser restyle every element of the page (a selector
``[attribute] *`` matches the whole subtree): a quarter to a third of all the
elements styled during a page load (Chromium's trace, three chapters). The rule
is removed from the built stylesheet (``on_post_build``); the only difference is
that a click on the palette toggle fades the header's and the links' colours
over Material's transition times (0.25 s at most) instead of switching them at
once. If a new version of Material has no such rule (renamed file, new text),
the hook changes nothing and logs so (at info level: the site is still right,
only slower), and ``tests/test_hooks_page_load.py`` fails, to say so.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.page_load")

SCRIPT = re.compile(r"<script src=(?P<src>\"[^\"]*\")(?P<rest>[^>]*)>")
"""A ``<script>`` element with a ``src``."""


def deferred(page: str) -> str:
    """``page`` with ``defer`` on every ``<script src>`` that has neither ``defer``
    nor ``async`` nor ``type="module"`` (deferred already).

    Examples
    --------
    >>> deferred('<script src="a.js"></script><script>inline()</script><script src="b.js" async></script>')
    '<script src="a.js" defer></script><script>inline()</script><script src="b.js" async></script>'
    """

    def defer(match: re.Match) -> str:
        if re.search(r"\b(defer|async)\b|type=\"module\"", match.group("rest")):
            return match.group(0)
        return f'<script src={match.group("src")}{match.group("rest")} defer>'

    return SCRIPT.sub(defer, page)


def on_post_page(output: str, page, config) -> str:
    return deferred(output)

SWITCHING = (
    "[data-md-color-switching] *,[data-md-color-switching] :after,"
    "[data-md-color-switching] :before{transition-duration:0s!important}"
)
"""The rule, as Material's minified stylesheet writes it."""


def without_switching_rule(css: str) -> str:
    """``css`` without :data:`SWITCHING`.

    Examples
    --------
    >>> without_switching_rule("a{color:red}" + SWITCHING + "b{color:blue}")
    'a{color:red}b{color:blue}'
    """
    return css.replace(SWITCHING, "")


def on_post_build(config) -> None:
    for path in (Path(config["site_dir"]) / "assets" / "stylesheets").glob("palette.*.min.css"):
        css = path.read_text(encoding="utf-8")
        if SWITCHING in css:
            path.write_text(without_switching_rule(css), encoding="utf-8")
            return
    log.info("page_load: Material's palette stylesheet has no [data-md-color-switching] rule to remove")
