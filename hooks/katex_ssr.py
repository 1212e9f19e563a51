"""MkDocs hook: render every formula to KaTeX's HTML while the site is built.

The pages load no math JavaScript: the browser receives KaTeX's own markup
(MathML for screen readers, HTML styled by the vendored ``katex.min.css`` and
its fonts), exactly what KaTeX's auto-render used to produce in the browser.

KaTeX itself is the vendored ``docs/assets/katex/katex.min.js``, run in V8 by
`mini-racer <https://pypi.org/project/mini-racer/>`_ (V8 in a Python wheel), so
building the site needs Python alone, no Node.js. The build renders:

- arithmatex's generic output on Markdown pages, ``<span class="arithmatex">\\(x\\)</span>``
  and ``<div class="arithmatex">\\[x\\]</div>``: the TeX inside is rendered and
  the arithmatex element kept around KaTeX's;
- ``$x$`` and ``$$x$$`` in the Markdown cells of notebook pages (mkdocs-jupyter
  leaves them as text), first wrapped in arithmatex ``<span>`` elements (a
  ``<span>`` also for display math, which sits inside a ``<p>`` there: KaTeX's
  ``katex-display`` is a block of its own).

It runs on the finished page (``on_post_page``), after the search plugin has
taken the page's text, so the search index keeps the TeX source rather than
KaTeX's markup. A formula KaTeX cannot parse is a warning, which fails a strict
build, and is shown as KaTeX's red error text. ``katex.min.js`` is not copied into
the site (no page loads it). A page with math preloads the two fonts nearly
every formula uses.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import threading
from pathlib import Path

from mkdocs.structure.files import Files

log = logging.getLogger("mkdocs.hooks.katex_ssr")

KATEX_JS = "assets/katex/katex.min.js"
"""KaTeX's script, relative to ``docs/``: run at build time, not shipped."""

ARITHMATEX = re.compile(
    r'(?P<open><(?P<tag>span|div) class="arithmatex">)'
    r"(?:\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\])"
    r"(?P<close></(?P=tag)>)",
    re.S,
)
"""An element of arithmatex's generic output, inline or display."""

MARKDOWN_CELL = re.compile(r'(<div class="[^"]*jp-RenderedMarkdown[^"]*"[^>]*>)(.*?)(</div>)', re.S)
"""A rendered Markdown cell of a notebook page (nbconvert's ``lab`` template)."""

TAG_OR_TEXT = re.compile(r"(<[^>]*>)")

DOLLARS = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>[^$\n]+?)(?<!\\)\$", re.S)
"""``$$display$$`` or ``$inline$`` math in a notebook's Markdown text."""

CODE_ELEMENTS = re.compile(r"<(code|pre|script|style)\b", re.I)


class Katex:
    """The vendored KaTeX, loaded once into V8; renders TeX to HTML."""

    def __init__(self, script: Path) -> None:
        from py_mini_racer import MiniRacer

        self._lock = threading.Lock()
        self._v8 = MiniRacer()
        self._v8.eval(script.read_text(encoding="utf-8"))
        self.version: str = self._v8.eval("katex.version")
        self._rendered: dict[tuple[str, bool], tuple[str, str | None]] = {}

    def render(self, tex: str, display: bool) -> tuple[str, str | None]:
        """KaTeX's HTML for ``tex``, and KaTeX's parse error (None if it parsed).

        A formula that does not parse comes back as KaTeX's own error markup.
        Each formula is rendered once per process (``mkdocs serve`` rebuilds).
        """
        key = (tex, display)
        if key not in self._rendered:
            with self._lock:
                try:
                    rendered = self._render(tex, display, strict=True), None
                except Exception as error:  # noqa: BLE001 - KaTeX's ParseError, raised in V8
                    rendered = self._render(tex, display, strict=False), str(error).splitlines()[0]
            self._rendered[key] = rendered
        return self._rendered[key]

    def _render(self, tex: str, display: bool, strict: bool) -> str:
        options = {"displayMode": display, "throwOnError": strict}
        return self._v8.call("katex.renderToString", tex, options)


@functools.cache
def katex_for(docs_dir: Path) -> Katex:
    """The KaTeX of ``docs_dir``, loaded once per process."""
    return Katex(docs_dir / KATEX_JS)


def render_arithmatex(page: str, katex: Katex) -> tuple[str, list[str]]:
    """``page`` with every arithmatex element's TeX replaced by KaTeX's HTML; the errors."""
    errors: list[str] = []

    def replace(match: re.Match) -> str:
        display = match.group("display") is not None
        tex = html.unescape(match.group("display") if display else match.group("inline"))
        rendered, error = katex.render(tex, display)
        if error:
            errors.append(f"{error} in {tex!r}")
        return match.group("open") + rendered + match.group("close")

    return ARITHMATEX.sub(replace, page), errors


def dollars_to_arithmatex(cell: str) -> str:
    """The ``$...$`` and ``$$...$$`` of a rendered Markdown cell, as arithmatex elements.

    Only text is read: tags, and whatever is inside ``code``, ``pre``, ``script``
    or ``style`` elements, are left alone.
    """
    parts = TAG_OR_TEXT.split(cell)
    inside_code = 0
    for i, part in enumerate(parts):
        if part.startswith("<"):
            if CODE_ELEMENTS.match(part):
                inside_code += 1
            elif re.match(r"</(code|pre|script|style)\b", part, re.I):
                inside_code = max(inside_code - 1, 0)
            continue
        if inside_code or "$" not in part:
            continue
        parts[i] = DOLLARS.sub(
            lambda m: (
                f'<span class="arithmatex">\\[{m.group("display")}\\]</span>'
                if m.group("display") is not None
                else f'<span class="arithmatex">\\({m.group("inline")}\\)</span>'
            ),
            part,
        )
    return "".join(parts)


def on_files(files: Files, config) -> Files:
    script = files.get_file_from_path(KATEX_JS)
    if script is not None:
        files.remove(script)
    return files


FONTS = {"KaTeX_Main-Regular": 'class="katex"', "KaTeX_Math-Italic": 'class="mord mathnormal"'}
"""The fonts of nearly every formula, with the markup that shows a page uses them."""


def preload_fonts(page: str, page_url: str) -> str:
    """``page`` with a ``<link rel="preload">`` in its head for each font of
    :data:`FONTS` it uses: the browser fetches them with the stylesheets rather
    than after it has read ``katex.min.css`` and laid out a formula."""
    from mkdocs.utils import get_relative_url

    links = "".join(
        f'<link rel="preload" href="{get_relative_url(f"assets/katex/fonts/{font}.woff2", page_url)}"'
        ' as="font" type="font/woff2" crossorigin>'
        for font, marker in FONTS.items() if marker in page
    )
    return page.replace("<link rel=\"stylesheet\"", links + "<link rel=\"stylesheet\"", 1) if links else page


def on_post_page(output: str, page, config) -> str:
    if "jp-RenderedMarkdown" in output:
        output = MARKDOWN_CELL.sub(
            lambda m: m.group(1) + dollars_to_arithmatex(m.group(2)) + m.group(3), output
        )
    if 'class="arithmatex"' not in output:
        return output
    output, errors = render_arithmatex(output, katex_for(Path(config["docs_dir"])))
    for error in errors:
        log.warning("math: %s: %s", page.file.src_uri, error)
    return preload_fonts(output, page.url)
