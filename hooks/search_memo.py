"""MkDocs hook: index each page for search once per process while its HTML is unchanged.

Material's search plugin parses every page's HTML (Python's ``html.parser``)
on every build to cut it into the sections of the search index. Under
``mkdocs serve`` a prose edit changes one page, yet the parse of all 27 was
about 1.4 s of each rebuild, half of what remained. This hook keeps, within
one process, the entries each page gave, keyed by everything they are made of
(the page's URL, title, metadata and HTML); a page whose key is unchanged gets
copies of its entries back without a parse, any other page is indexed as
Material does. The first build of a process (``mkdocs build``, the test
suite's build) indexes every page.

It reaches into Material's ``SearchIndex.add_entry_from_context``; if a new
version lacks it, the hook does nothing (``tests/test_hooks_search_memo.py``
fails, to say so).
"""

from __future__ import annotations

import copy
import hashlib

_entries: dict[str, list[dict]] = {}
"""A page's search entries, by :func:`key`."""


def key(page) -> str:
    """What a page's search entries are made of, hashed."""
    parts = (page.url, str(page.title), repr(sorted(page.meta.items(), key=str)), page.content or "")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def memoised(add_entry):
    """``SearchIndex.add_entry_from_context`` that reuses a page's entries (see the module)."""

    def add_entry_once(self, page) -> None:
        page_key = key(page)
        if page_key in _entries:
            self.entries.extend(copy.deepcopy(_entries[page_key]))
            return
        before = len(self.entries)
        add_entry(self, page)
        _entries[page_key] = copy.deepcopy(self.entries[before:])

    add_entry_once.indexes = add_entry  # type: ignore[attr-defined]
    return add_entry_once


def on_config(config):
    try:
        from material.plugins.search.plugin import SearchIndex
    except ImportError:
        return config
    add_entry = getattr(SearchIndex, "add_entry_from_context", None)
    if add_entry is not None:
        SearchIndex.add_entry_from_context = memoised(getattr(add_entry, "indexes", add_entry))
    return config
