"""MkDocs hook: keep the notebook pages offline-safe, light, accessible and downloadable.

mkdocs-jupyter renders each notebook of ``docs/notebooks/`` with nbconvert's
template, and this hook mends what that template does to a page:

- it puts two scripts from another host into the page: MathJax (even with
  ``custom_mathjax_url: ""``, as a ``<script src="">``) and a Mermaid loader. The
  site renders math with its vendored KaTeX and has no Mermaid diagram, so
  :func:`strip_foreign_scripts` removes both blocks;
- it inlines JupyterLab's stylesheets, about 600 KB, into every notebook page.
  :func:`share_stylesheets` moves each into one file under
  ``assets/notebooks/``, which the browser fetches once for all notebooks;
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
there).
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


def share_stylesheets(page: str, page_url: str) -> tuple[str, dict[str, str]]:
    """Replace each long inline ``<style>`` of ``page`` by a ``<link>`` to a shared file.

    Returns the new page and the files to write, ``{site path: css}``; the file
    name is a hash of the CSS, so identical stylesheets share one file.
    """
    files: dict[str, str] = {}

    def link(match: re.Match) -> str:
        css = match.group(1)
        if len(css) < SHARED_MINIMUM:
            return match.group(0)
        path = f"assets/notebooks/{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
        files[path] = css
        return f'<link rel="stylesheet" href="{get_relative_url(path, page_url)}">'

    return STYLE.sub(link, page), files


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


def on_files(files: Files, config) -> Files:
    import jupytext

    for file in list(files):
        if file.abs_src_path and NOTEBOOKS.match(file.src_uri):
            notebook = jupytext.writes(jupytext.read(file.abs_src_path), fmt="ipynb")
            path = ipynb_path(file.src_uri, config["use_directory_urls"])
            files.append(File.generated(config, path, content=notebook))
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
    for path, css in stylesheets.items():
        target = Path(config["site_dir"]) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    return output
