"""MkDocs hook: tell the reader, at the top of every page with code, how its
blocks run.

The snippets of a page are tested in page order, in one namespace (Sybil), so a
block may use a name that an earlier block defined. A reader who copies one
block alone should know that, so every page with a Python block gets a note
under its title saying so. Pages without code get nothing.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^\s*```(?:python|py|pycon)\b", re.M)
TITLE = re.compile(r"^# .*\n", re.M)

NOTE = (
    '!!! info "Running this page\'s code"\n'
    "    The code blocks run in order, in one Python session: that is how the tests\n"
    "    run them. A block may use names that an earlier block on the page defined, so\n"
    "    paste them in order, starting with the first, after installing the package\n"
    "    ([Run it yourself](index.md#run-it-yourself)). The copy button copies the\n"
    "    code only, without prompts or output.\n\n"
)


def with_note(markdown: str) -> str:
    """``markdown`` with the note under its first level-1 title, if it has code.

    Examples
    --------
    >>> print(with_note("# T\\n\\ntext\\n\\n```pycon\\n>>> 1\\n1\\n```\\n").splitlines()[2])
    !!! info "Running this page's code"
    >>> with_note("# T\\n\\nno code\\n")
    '# T\\n\\nno code\\n'
    """
    if not FENCE.search(markdown):
        return markdown
    title = TITLE.search(markdown)
    at = title.end() if title else 0
    return markdown[:at] + "\n" + NOTE + markdown[at:].lstrip("\n")


def on_page_markdown(markdown: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".md") or page.file.src_uri.startswith("reference/"):
        return markdown
    return with_note(markdown)
