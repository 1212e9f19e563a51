"""MkDocs hook: keep the notebook pages offline-safe, light, accessible and downloadable.

mkdocs-jupyter renders each notebook of ``docs/notebooks/`` with nbconvert's
template, and this hook mends what that template does to a page:

- it puts two scripts from another host into the page: MathJax (even with
  ``custom_mathjax_url: ""``, as a ``<script src="">``) and a Mermaid loader. The
  site renders math with its vendored KaTeX and has no Mermaid diagram, so
  :func:`strip_foreign_scripts` removes both blocks;
- it inlines JupyterLab's stylesheets, about 600 KB, into every notebook page.
  :func:`share_stylesheets` keeps of each only the rules that can match the
  page (:func:`used_css`: a render-blocking 575 KB stylesheet held the first
  paint of a notebook page back by a second in Lighthouse's mobile test) and
  moves it into one file under ``assets/notebooks/``, which the browser caches;
- it puts each image a cell draws into the page's HTML as base64 (120 KB of
  the 150 KB that a notebook page sent gzipped). :func:`extract_images` moves each
  into a file under ``assets/notebooks/`` that the browser fetches when the
  reader scrolls to it (``loading="lazy"``, with its width and height so
  nothing moves when it arrives);
- it gives every image the alt text "No description has been provided for this
  image". :func:`describe_images` puts in its place the ``alt`` of the code cell
  that drew it, written in the notebook as ``# %% alt="..."``;
- its code blocks scroll sideways but cannot get the keyboard's focus:
  :func:`focusable_code` makes them focusable, as the outputs already are.

:func:`on_config` keeps the executed notebooks in the build cache
(``hooks/build_cache.py``): it points mkdocs-jupyter's own cache, whose key is
the notebook's source and the plugin's options, at a folder named
by the fingerprint of the vgp sources and the installed packages. A notebook is
therefore executed again when its source, vgp's code or a package changes, and
read from the cache after an edit elsewhere.

:func:`on_files` adds, next to each notebook's page, the ``.ipynb`` that Jupyter
opens (the page links to it; mkdocs-jupyter already copies the jupytext ``.py``
there), the same from build to build.
"""

from __future__ import annotations

import hashlib
import html
import logging
import posixpath
import re
from pathlib import Path

import build_cache
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

log = logging.getLogger("mkdocs.hooks.notebooks")

NOTEBOOKS = re.compile(r"^notebooks/[^/]+\.py$")
"""Source paths (relative to ``docs/``) of the jupytext notebooks."""

FOREIGN_SCRIPTS = (
    re.compile(r"[ \t]*<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->\n?", re.S),
    re.compile(r"[ \t]*<script type=\"module\">(?:(?!</script>).)*?mermaid.*?</script>\n?", re.S),
)
"""The MathJax block and the Mermaid loader of nbconvert's ``lab`` template."""


NO_ALT = 'alt="No description has been provided for this image"'
"""The alt text nbconvert gives every image of a notebook."""

STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)

CLASS_ATTRIBUTE = re.compile(r"""\sclass=["']([^"']*)["']""")
CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
PARENTHESES = re.compile(r"\([^()]*\)")
RUNTIME_CLASSES = ("md-",)
"""Prefixes of the classes Material's script adds to a page once loaded (a table's
``md-typeset__scrollwrap``): a selector naming one is kept."""
VARIABLE_USE = re.compile(r"var\(\s*(--[\w-]+)")

SHARED_MINIMUM = 4000
"""Inline stylesheets at least this long (in characters) move to a shared file."""


def strip_foreign_scripts(page: str) -> str:
    """``page`` without nbconvert's MathJax and Mermaid script blocks."""
    for pattern in FOREIGN_SCRIPTS:
        page = pattern.sub("", page)
    return page


CODE_BLOCK = re.compile(r'<div class="highlight-ipynb')


def focusable_code(page: str) -> str:
    """``page`` with every notebook code block focusable (``tabindex="0"``), so that
    a keyboard can scroll the long lines of one."""
    return CODE_BLOCK.sub('<div tabindex="0" class="highlight-ipynb', page)


def used_css(css: str, page: str, read_elsewhere: str = "") -> str:
    """The rules of ``css`` that can apply to ``page``, with the custom properties they use.

    A selector is dropped when it needs a class that no element of ``page`` has
    (classes inside parentheses, as in ``:not(.a)`` or ``:is(.a, .b)``, do not count); a rule with
    no selector left is dropped, and so is an ``@media`` or ``@supports`` block
    left empty. Then every custom property (``--name: value``) that no kept
    declaration reads with ``var()`` is dropped, until none is left unread;
    a property read with ``var()`` in ``read_elsewhere`` (the page's other
    stylesheets) is kept.
    Other at-rules (``@font-face``, ``@keyframes``...) are kept as they are.
    The only script of the page that adds classes is Material's, whose classes
    begin with ``md-`` (:data:`RUNTIME_CLASSES`): selectors naming one are kept,
    so nothing dropped could ever match.

    Examples
    --------
    >>> css = ".a{--c:red;--unused:0;color:var(--c)} .b, .a>i{color:blue} @media print{.b{x:y}}"
    >>> used_css(css, '<p class="a"><i>text</i></p>')
    '.a{--c:red;color:var(--c)}.a>i{color:blue}'
    >>> used_css(".a :is(h1, .b) p, .c{margin:0}", '<p class="a">')
    '.a :is(h1, .b) p{margin:0}'
    >>> used_css(".a{--c:red;--d:0}", '<p class="a">', read_elsewhere=".x{color:var(--c)}")
    '.a{--c:red}'
    """
    import tinycss2

    present = {name for names in CLASS_ATTRIBUTE.findall(page) for name in names.split()}

    def applies(selector: str) -> bool:
        while PARENTHESES.search(selector):  # :not(.a), :is(.a, .b): no one class is needed
            selector = PARENTHESES.sub("", selector)
        return all(name in present or name.startswith(RUNTIME_CLASSES) for name in CLASS_SELECTOR.findall(selector))

    def rules(nodes) -> list:
        kept = []
        for node in nodes:
            if node.type == "qualified-rule":
                selectors, current = [], []  # split at the top level's commas, not :is(a, b)'s
                for token in [*node.prelude, ","]:
                    if token == "," or getattr(token, "value", None) == ",":
                        selectors.append(tinycss2.serialize(current).strip())
                        current = []
                    else:
                        current.append(token)
                selectors = [s for s in selectors if applies(s)]
                if selectors:
                    declarations = tinycss2.parse_blocks_contents(node.content, skip_whitespace=True,
                                                                  skip_comments=True)
                    kept.append([",".join(selectors), declarations])
            elif node.type == "at-rule" and node.lower_at_keyword in ("media", "supports"):
                inner = rules(tinycss2.parse_rule_list(node.content, skip_whitespace=True, skip_comments=True))
                if inner:
                    kept.append([f"@{node.at_keyword}{tinycss2.serialize(node.prelude)}", inner])
            elif node.type == "at-rule":
                kept.append(node.serialize())
        return kept

    tree = rules(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))

    def declarations(nodes):
        for node in nodes:
            if isinstance(node, list) and isinstance(node[1], list) and node[1] and isinstance(node[1][0], list):
                yield from declarations(node[1])
            elif isinstance(node, list):
                yield from (d for d in node[1] if d.type == "declaration")

    elsewhere = set(VARIABLE_USE.findall(read_elsewhere))

    def read(unread: set[str]) -> set[str]:
        return elsewhere | {name for d in declarations(tree) if d.name not in unread
                            for name in VARIABLE_USE.findall(tinycss2.serialize(d.value))}

    unread: set[str] = set()
    while True:
        defined = {d.name for d in declarations(tree) if d.name.startswith("--")}
        more = defined - unread - read(unread)
        if not more:
            break
        unread |= more

    def write(nodes) -> str:
        out = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif node[1] and isinstance(node[1][0], list):
                out.append(f"{node[0]}{{{write(node[1])}}}")
            else:
                body = ";".join(f"{d.name}:{tinycss2.serialize(d.value).strip()}"
                                + ("!important" if d.important else "")
                                for d in node[1] if d.type == "declaration" and d.name not in unread)
                if body:
                    out.append(f"{node[0]}{{{body}}}")
        return "".join(out)

    return write(tree)


_USED_CSS: dict[str, str] = {}
""":func:`used_css`'s results in this process, by a hash of its arguments."""


def used_css_once(css: str, page: str, read_elsewhere: str = "") -> str:
    """:func:`used_css`, computed once per process for the same arguments: under
    ``mkdocs serve`` a notebook page is the same from one rebuild to the next (it
    comes from the cache of executed notebooks), and parsing JupyterLab's 600 KB
    of CSS again was about 1.5 s of every rebuild, whatever page was edited."""
    key = hashlib.sha256("\0".join((css, page, read_elsewhere)).encode()).hexdigest()
    if key not in _USED_CSS:
        if len(_USED_CSS) >= 16:
            _USED_CSS.clear()
        _USED_CSS[key] = used_css(css, page, read_elsewhere)
    return _USED_CSS[key]


def share_stylesheets(page: str, page_url: str) -> tuple[str, dict[str, str]]:
    """Replace each long inline ``<style>`` of ``page`` by a ``<link>`` to a shared file
    holding the part of it that can apply to the page (:func:`used_css`).

    Returns the new page and the files to write, ``{site path: css}``; the file
    name is a hash of the CSS, so identical stylesheets share one file.
    """
    files: dict[str, str] = {}

    def link(match: re.Match) -> str:
        css = match.group(1)
        if len(css) < SHARED_MINIMUM:
            return match.group(0)
        css = used_css_once(css, page, read_elsewhere=page.replace(css, ""))
        path = f"assets/notebooks/{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
        files[path] = css
        return f'<link rel="stylesheet" href="{get_relative_url(path, page_url)}">'

    return STYLE.sub(link, page), files


INLINE_IMAGE = re.compile(
    r'<img(?P<before>[^>]*?) src="data:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)"(?P<after>[^>]*?)\s*/?>'
)
"""An ``<img>`` whose picture (a PNG, as matplotlib's inline backend draws) is in the page."""


def extract_images(page: str, page_url: str) -> tuple[str, dict[str, bytes]]:
    r"""Move every inline PNG of ``page`` into a file of its own.

    Returns the new page and the files to write, ``{site path: bytes}``, named by
    a hash of the picture. Each ``<img>`` gets the file's URL, the PNG's width and
    height (the page keeps its layout while the file loads) and ``loading="lazy"``
    ``decoding="async"``.

    Examples
    --------
    >>> import base64, struct
    >>> png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", 640, 480) + b"rest"
    >>> page = f'<p><img alt="a plot" class="" src="data:image/png;base64,{base64.b64encode(png).decode()}"/></p>'
    >>> new, files = extract_images(page, "notebooks/nb/")
    >>> print(new.replace(" width", "\n width"))
    <p><img alt="a plot" class="" src="../../assets/notebooks/51708f38affa.png"
     width="640" height="480" loading="lazy" decoding="async" /></p>
    >>> files == {"assets/notebooks/51708f38affa.png": png}
    True
    """
    import base64

    files: dict[str, bytes] = {}

    def move(match: re.Match) -> str:
        png = base64.b64decode(match.group("data"))
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        path = f"assets/notebooks/{hashlib.sha256(png).hexdigest()[:12]}.png"
        files[path] = png
        return (f'<img{match.group("before")} src="{get_relative_url(path, page_url)}"{match.group("after")}'
                f' width="{width}" height="{height}" loading="lazy" decoding="async" />')

    return INLINE_IMAGE.sub(move, page), files


def describe_images(page: str, alts: list[str]) -> str:
    """Give the images of ``page`` that have nbconvert's placeholder alt text the
    texts ``alts``, in order; there must be exactly one text per such image."""
    found = page.count(NO_ALT)
    if found != len(alts):
        raise ValueError(
            f"the notebook draws {found} images but its cells give {len(alts)} alt texts "
            '(write one # %% alt="..." on each code cell that draws a figure)'
        )
    for alt in alts:
        page = page.replace(NO_ALT, f'alt="{html.escape(alt)}"', 1)
    return page


def cell_alts(path: str) -> list[str]:
    """The ``alt`` of every code cell of the notebook at ``path`` that has one, in order."""
    import jupytext

    cells = jupytext.read(path).cells
    return [c.metadata["alt"] for c in cells if c.cell_type == "code" and "alt" in c.metadata]


def ipynb_path(src_uri: str, use_directory_urls: bool = True) -> str:
    """Where the ``.ipynb`` of the notebook ``src_uri`` goes in the site.

    mkdocs-jupyter copies the source next to the page's ``index.html``
    (``notebooks/name/name.py`` with directory URLs); the ``.ipynb`` goes beside it.
    """
    folder, name = posixpath.split(src_uri)
    stem = name.removesuffix(".py")
    if use_directory_urls:
        folder = posixpath.join(folder, stem)
    return posixpath.join(folder, f"{stem}.ipynb")


def on_config(config):
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is not None:
        key = build_cache.fingerprint()
        jupyter.config["cache_dir"] = str(build_cache.folder(config.config_file_path, "notebooks", key))
    return config


def as_ipynb(path: str) -> str:
    """The jupytext notebook at ``path`` as ``.ipynb`` text, each cell's id its
    place (``cell-0``, ``cell-1``, ...): nbformat would draw random ids, and the
    download would change with every build."""
    import jupytext

    notebook = jupytext.read(path)
    for index, cell in enumerate(notebook.cells):
        if "id" in cell:
            cell["id"] = f"cell-{index}"
    return jupytext.writes(notebook, fmt="ipynb")


def on_files(files: Files, config) -> Files:
    for file in list(files):
        if file.abs_src_path and NOTEBOOKS.match(file.src_uri):
            path = ipynb_path(file.src_uri, config["use_directory_urls"])
            files.append(File.generated(config, path, content=as_ipynb(file.abs_src_path)))
    return files


def on_post_page(output: str, page, config) -> str:
    if not NOTEBOOKS.match(page.file.src_uri):
        return output
    output = strip_foreign_scripts(output)
    if "mathjax" in output.lower() or "cdnjs" in output:
        log.warning("notebooks: %s still refers to MathJax or a CDN", page.file.src_uri)
    try:
        output = describe_images(output, cell_alts(page.file.abs_src_path))
    except ValueError as error:
        log.warning("notebooks: %s: %s", page.file.src_uri, error)
    output = focusable_code(output)
    output, stylesheets = share_stylesheets(output, page.url)
    output, images = extract_images(output, page.url)
    for path, content in [*stylesheets.items(), *images.items()]:
        target = Path(config["site_dir"]) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)
    return output
