"""MkDocs hook: keep the notebook pages offline-safe and downloadable.

mkdocs-jupyter renders each notebook of ``docs/notebooks/`` with nbconvert's
template, which puts two scripts from another host into the page: MathJax (even
with ``custom_mathjax_url: ""``, as a ``<script src="">``) and a Mermaid loader.
The site renders math with its vendored KaTeX and has no Mermaid diagram, so
:func:`strip_foreign_scripts` removes both blocks. :func:`on_files` adds, next to
each notebook's page, the ``.ipynb`` that Jupyter opens (the page links to it;
mkdocs-jupyter already copies the jupytext ``.py`` there).
"""

from __future__ import annotations

import logging
import posixpath
import re

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.notebooks")

NOTEBOOKS = re.compile(r"^notebooks/[^/]+\.py$")
"""Source paths (relative to ``docs/``) of the jupytext notebooks."""

FOREIGN_SCRIPTS = (
    re.compile(r"[ \t]*<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->\n?", re.S),
    re.compile(r"[ \t]*<script type=\"module\">(?:(?!</script>).)*?mermaid.*?</script>\n?", re.S),
)
"""The MathJax block and the Mermaid loader of nbconvert's ``lab`` template."""


def strip_foreign_scripts(html: str) -> str:
    """``html`` without nbconvert's MathJax and Mermaid script blocks."""
    for pattern in FOREIGN_SCRIPTS:
        html = pattern.sub("", html)
    return html


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
    stripped = strip_foreign_scripts(output)
    if "mathjax" in stripped.lower() or "cdnjs" in stripped:
        log.warning("notebooks: %s still refers to MathJax or a CDN", page.file.src_uri)
    return stripped
