"""MkDocs hook: the bibliography's "Cited on" links, generated from the pages.

``docs/bibliography.md`` holds one ``<dt id="key">Label Year</dt>`` and
``<dd markdown>...</dd>`` pair per paper, and no backlinks. While the site is
built, this hook sorts the entries oldest first (by the year in the label, then
by the label) and ends each with the pages that link to it
(``bibliography.md#key`` from a Markdown page, ``bibliography/#key`` from a
notebook), in the order of the navigation, so the backlinks can never be wrong.
An entry that no page cites, or a citation of a key with no entry, is logged as
a warning, which fails the strict build.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping

log = logging.getLogger("mkdocs.hooks.bibliography")

BIBLIOGRAPHY = "bibliography.md"

ENTRY = re.compile(
    r'<dt id="(?P<key>[\w-]+)">(?P<label>[^<]*)</dt>\s*<dd markdown>(?P<body>.*?)</dd>\s*', re.S
)
CITATION = re.compile(r"bibliography(?:\.md|/)#(?P<key>[\w-]+)")
YEAR = re.compile(r"(\d{4})")

_titles: dict[str, str] = {}
"""Source path -> navigation title of every page in the navigation, in order."""


def citations(text: str) -> set[str]:
    """The bibliography keys that ``text`` links to.

    Examples
    --------
    >>> sorted(citations("see [He](bibliography.md#he2015) and [x](../../bibliography/#lu2020)"))
    ['he2015', 'lu2020']
    """
    return {m["key"] for m in CITATION.finditer(text)}


def cited_on(markdown: str, pages: Mapping[str, tuple[str, str]]) -> tuple[str, list[str]]:
    """The bibliography ``markdown`` sorted oldest first, each entry ending with
    the pages that cite it; and the problems found (uncited entries, unknown keys).

    ``pages`` maps a page's source path to its title and source text, in the
    order the links should appear.

    Examples
    --------
    >>> bib = ('<dl markdown>\\n\\n'
    ...        '<dt id="b2">B 2010</dt>\\n<dd markdown>Second.</dd>\\n\\n'
    ...        '<dt id="a1">A 1990</dt>\\n<dd markdown>First.</dd>\\n\\n</dl>\\n')
    >>> pages = {"x.md": ("X", "[A](bibliography.md#a1)"),
    ...          "y.md": ("Y", "[A](bibliography.md#a1) [?](bibliography.md#zz)")}
    >>> text, problems = cited_on(bib, pages)
    >>> print(text)
    <dl markdown>
    <BLANKLINE>
    <dt id="a1">A 1990</dt>
    <dd markdown>First.
    <BLANKLINE>
    Cited on: [X](x.md), [Y](y.md).</dd>
    <BLANKLINE>
    <dt id="b2">B 2010</dt>
    <dd markdown>Second.
    <BLANKLINE>
    Cited on: no page.</dd>
    <BLANKLINE>
    </dl>
    <BLANKLINE>
    >>> problems
    ['bibliography entry b2 (B 2010) is cited by no page', 'y.md cites bibliography.md#zz, which has no entry']
    """
    entries = list(ENTRY.finditer(markdown))
    if not entries:
        return markdown, ["the bibliography has no <dt id=...>/<dd markdown> entries"]
    problems = []
    keys = {m["key"] for m in entries}
    for path, (_, text) in pages.items():
        problems += [
            f"{path} cites {BIBLIOGRAPHY}#{key}, which has no entry"
            for key in sorted(citations(text) - keys)
        ]
    blocks = []
    for m in sorted(entries, key=_year_then_label):
        citing = [
            f"[{title}]({path})" for path, (title, text) in pages.items() if m["key"] in citations(text)
        ]
        if not citing:
            problems.insert(0, f"bibliography entry {m['key']} ({m['label']}) is cited by no page")
        links = ", ".join(citing) if citing else "no page"
        blocks.append(
            f'<dt id="{m["key"]}">{m["label"]}</dt>\n'
            f'<dd markdown>{m["body"].rstrip()}\n\nCited on: {links}.</dd>\n\n'
        )
    head = markdown[: entries[0].start()]
    tail = markdown[entries[-1].end():]
    return head + "".join(blocks) + tail, problems


def _year_then_label(entry: re.Match) -> tuple[int, str]:
    year = YEAR.search(entry["label"])
    return (int(year.group(1)) if year else 0, entry["label"])


def _pages(files: Iterable, titles: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    sources = {f.src_uri: f for f in files if f.src_uri.endswith((".md", ".py"))}
    pages = {}
    for path, title in titles.items():
        if path != BIBLIOGRAPHY and path in sources:
            with open(sources[path].abs_src_path, encoding="utf-8") as handle:
                pages[path] = (title, handle.read())
    return pages


def on_nav(nav, config, files):
    """Remember every navigation page's title, in navigation order."""
    _titles.clear()
    for page in nav.pages:
        _titles[page.file.src_uri] = page.title or page.file.src_uri
    return nav


def on_page_markdown(markdown: str, page, config, files) -> str:
    """Add the generated backlinks to the bibliography page."""
    if page.file.src_uri != BIBLIOGRAPHY:
        return markdown
    text, problems = cited_on(markdown, _pages(files, _titles))
    for problem in problems:
        log.warning(problem)
    return text
