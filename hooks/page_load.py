"""MkDocs hook: four changes to what Material puts in every page, each found with Lighthouse's mobile test.

**Scripts start after the first paint.** Material writes its script and the
site's ``extra_javascript`` as ``<script src>`` at the end of ``<body>``. Run
there, or ``defer``-red, they start while the browser is still turning the
first frame of a long page into pixels, and the first thing Material's script
does (apply the palette, read the header's computed style, measure the
viewport) restyles the whole page. On the long chapters (4,000 to 4,700
elements, most of them KaTeX's) that race decided the score: one load in two
or three presented its first frame after the scripts had run, and Lighthouse
then counts the scripts' download and run time into the largest contentful
paint (3.3 to 3.6 s: diagnosing, normalisation, initialisation and chain-rule
scored 73 to 83 on a quiet machine, where the same pages score 96 to 98 when
the frame comes first: ``benchmarks/run.py lighthouse`` and Chromium's traces).
This hook (:func:`after_paint`) turns each ``<script src>`` into an inert
``<script type="text/plain" data-after-paint="...">`` and a
``<link rel="preload">`` (the download still starts at once) and adds
:data:`LOADER`, which runs them, in their order, once the browser reports the
page's first contentful paint (or at once where it cannot report paints, and
after 3 s at the latest). Material starts its components on
``DOMContentLoaded``, which has fired by then, so the loader fires it again
for the scripts it ran (Material's, and the site's own, which listen for
Material's ``document$`` or that event). A reader sees the text and figures
as before and the copy buttons, search and palette toggle a moment later.

**Blocks far from the screen are held.** Before it runs the scripts, the
loader gives every block of the article (:data:`SKIPPABLE`) that lies more than
a screen above or two screens below the viewport ``content-visibility: auto``
at the size it was just laid out at (``assets/stylesheets/content.css``,
attribute ``data-held``: a class would change what selectors such as
Material's ``table:not([class])`` match). Material's start-up then
restyles the whole page four times (reading the viewport, the search results,
the header's colour after setting the palette, the header's size); held blocks
are left out of each. On the long chapters total blocking time fell from
230-440 ms to 40-210 ms. On the API pages, whose modules' inner blocks are held
too, it was 240-440 ms; with that, their parameters as lists instead of tables
(``mkdocs.yml``) and the reference in seven pages instead of five, 40-120 ms. The
height is the block's own, so nothing moves, nothing overflows a held block
(axe's colour check hit-tests what lies under text; a block held at a guessed
height let its text overlap the footer), and the blocks near the screen are
never held, so the first frames do not shift. ``tests/test_browser.py`` checks
that every block is where it was, to the pixel, with the holding undone.

**Tables come already wrapped.** Material's start-up moves each bare table
into a scrolling wrapper, which lays the table out again and restyles the
article; the pages come with the wrapper in place (:func:`prewrap_tables`) and
Material's table rules extended to those tables (:func:`restyle_tables`).

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

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.page_load")

SCRIPT = re.compile(r"<script src=\"(?P<src>[^\"]*)\"(?P<rest>[^>]*)></script>")
"""An external classic ``<script>`` element (``src`` first, as MkDocs writes it)."""

SKIPPABLE = ", ".join(
    f"{parent} > :not(h1, h2, h3, h4, h5, h6, hr, .arithmatex, .doc, .md-typeset__scrollwrap, .vgp-explore)"
    for parent in (".md-typeset", ".md-typeset .doc-object", ".md-typeset .doc-contents",
                   ".md-typeset .md-typeset__table", ".md-typeset .arithmatex > .katex-display")
)
"""The blocks :data:`LOADER` may hold off screen: the article's, and on the API
pages those inside each documented object (its signature, its docstring's
paragraphs, lists and examples), since one module is most of its page. Never
held: headings (the table of contents and the links to a section measure them),
the API's containers themselves (``.doc``: each holds headings), the explore
widget (it is the page), and the boxes that scroll sideways, a display
formula's and a table's: a held box shows no scroll bar, so its height would
change. What they hold is held instead, at its own width as well as height, so
the box still scrolls: the table, and the formula (KaTeX's, up to 1,700
elements for an aligned block)."""

LOADER = """<script>(function () {
  var SKIPPABLE = {skippable};
  var waiting = [].slice.call(document.querySelectorAll("script[data-after-paint]")), started = false;
  // Blocks of the article far from the screen are not styled or laid out again
  // until they come near it (content-visibility: auto, assets/stylesheets/content.css),
  // each held at the height it has now: measured after the first paint, when the
  // layout is there to read.
  function skipOffscreen() {
    var height = window.innerHeight;
    var blocks = document.querySelectorAll(SKIPPABLE);
    var boxes = [].map.call(blocks, function (block) { return block.getBoundingClientRect(); });
    var edges = [].map.call(blocks, function (block) {
      var style = getComputedStyle(block);
      return [parseFloat(style.paddingLeft) + parseFloat(style.paddingRight)
                + parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth),
              parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)
                + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth)];
    });
    [].forEach.call(blocks, function (block, i) {
      if (boxes[i].top > 2 * height || boxes[i].bottom < -height) {
        // The held size is the content's: the block's padding and border come on
        // top. The width counts for the blocks that shrink to fit (tables).
        block.style.containIntrinsicSize = "auto " + (boxes[i].width - edges[i][0]) + "px auto "
          + (boxes[i].height - edges[i][1]) + "px";
        block.setAttribute("data-held", "");
      }
    });
  }
  function start() {
    if (started) return;
    started = true;
    skipOffscreen();
    var left = waiting.length;
    waiting.forEach(function (inert) {
      var script = document.createElement("script");
      script.src = inert.getAttribute("data-after-paint");
      script.async = false;  // run in document order, as the page wrote them
      script.onload = script.onerror = function () {
        if (--left === 0) document.dispatchEvent(new Event("DOMContentLoaded"));
      };
      document.body.appendChild(script);
    });
  }
  var types = window.PerformanceObserver && PerformanceObserver.supportedEntryTypes;
  if (types && types.indexOf("paint") >= 0) {
    new PerformanceObserver(function (list) {
      if (list.getEntriesByName("first-contentful-paint").length) start();
    }).observe({type: "paint", buffered: true});
    setTimeout(start, 3000);
  } else {
    start();
  }
})();</script>""".replace("{skippable}", json.dumps(SKIPPABLE))
"""Holds the blocks far from the screen, then runs the page's scripts, after its
first contentful paint (see the module's text)."""


def after_paint(page: str) -> str:
    """``page`` with every external classic script run by :data:`LOADER` after the
    first paint instead of where it stands (``async`` scripts and modules are left).

    Examples
    --------
    >>> page = after_paint('<body><script src="a.js"></script><script>inline()</script></body>')
    >>> page.startswith('<body><link rel="preload" href="a.js" as="script">'
    ...                 '<script type="text/plain" data-after-paint="a.js"></script><script>inline()</script>')
    True
    >>> page.endswith(LOADER + "</body>")
    True
    >>> after_paint('<body><script src="m.js" type="module"></script></body>')
    '<body><script src="m.js" type="module"></script></body>'
    """

    def inert(match: re.Match) -> str:
        if re.search(r"\basync\b|type=\"module\"", match.group("rest")):
            return match.group(0)
        src = match.group("src")
        return (f'<link rel="preload" href="{src}" as="script">'
                f'<script type="text/plain" data-after-paint="{src}"></script>')

    changed = SCRIPT.sub(inert, page)
    if changed == page:
        return page
    head, body_end, tail = changed.rpartition("</body>")
    if not body_end:
        raise ValueError("after_paint: the page has scripts but no </body> to put the loader before")
    return head + LOADER + body_end + tail


TABLE = re.compile(r"<table>(?P<body>.*?)</table>", re.DOTALL)
"""A table as Markdown writes it: no attributes, so Material would wrap it
(``table:not([class])``) when it starts."""


def prewrap_tables(page: str) -> str:
    """``page`` with each bare table already in the scrolling wrapper Material
    would put it in, and marked so that Material leaves it there
    (:func:`restyle_tables` gives it Material's table style).

    Material's start-up moved each table into its wrapper: the table and all it
    holds (formulas too) were laid out again, and the article restyled, 45 to
    75 ms on the cheat sheet; and the first frames showed the table unwrapped.

    Examples
    --------
    >>> page = prewrap_tables('<p>x</p><table><td>1</td></table><table class="d"></table>')
    >>> page.startswith('<p>x</p><div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
    ...                 '<table class="vgp-table"><td>1</td></table></div></div>')
    True
    >>> page.endswith('</div></div><table class="d"></table>')
    True
    """
    return TABLE.sub(
        r'<div class="md-typeset__scrollwrap"><div class="md-typeset__table">'
        r'<table class="vgp-table">\g<body></table></div></div>',
        page,
    )


BARE_TABLE = "table:not([class])"
"""How Material's stylesheet and its start-up script find the tables they style and wrap."""


def restyle_tables(css: str) -> str:
    """``css`` (Material's main stylesheet) with every rule for bare tables also
    for the tables :func:`prewrap_tables` marked.

    Examples
    --------
    >>> restyle_tables(".md-typeset table:not([class]) th{font-weight:700}")
    '.md-typeset table:is(:not([class]),.vgp-table) th{font-weight:700}'
    """
    return css.replace(BARE_TABLE, "table:is(:not([class]),.vgp-table)")


def on_post_page(output: str, page, config) -> str:
    return after_paint(prewrap_tables(output))


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


def _rewrite(folder: Path, pattern: str, needle: str, change: Callable[[str], str]) -> bool:
    """Apply ``change`` to the first stylesheet in ``folder`` matching ``pattern``
    that holds ``needle``; whether there was one."""
    for path in folder.glob(pattern):
        css = path.read_text(encoding="utf-8")
        if needle in css:
            path.write_text(change(css), encoding="utf-8")
            return True
    return False


def on_post_build(config) -> None:
    stylesheets = Path(config["site_dir"]) / "assets" / "stylesheets"
    if not _rewrite(stylesheets, "palette.*.min.css", SWITCHING, without_switching_rule):
        log.info("page_load: Material's palette stylesheet has no [data-md-color-switching] rule to remove")
    if not _rewrite(stylesheets, "main.*.min.css", BARE_TABLE, restyle_tables):
        raise PluginError(f"page_load: Material's main stylesheet has no {BARE_TABLE} rule to extend to the "
                          "pre-wrapped tables; they would show unstyled")
