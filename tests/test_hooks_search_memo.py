"""``hooks/search_memo.py``: a page whose HTML, URL, title and metadata are
unchanged gets its search entries back without a parse, equal to Material's."""

from __future__ import annotations

from types import SimpleNamespace

from _hooks import load_hook

hook = load_hook("search_memo")

PAGE_HTML = ('<h1 id="title">Title</h1><p>Intro text.</p>'
             '<h2 id="part">A part</h2><p>Its text, with <code>code</code>.</p>')


def page(content: str = PAGE_HTML, url: str = "chapter/", title: str = "Title", meta=None):
    return SimpleNamespace(content=content, url=url, title=title, meta=meta or {}, toc=[])


def material_index():
    from material.plugins.search.plugin import SearchIndex

    return SearchIndex(lang=["en"], separator=r"[\s\-]+", pipeline=[], fields={})


def test_the_installed_material_has_the_method_the_hook_wraps():
    from material.plugins.search.plugin import SearchIndex

    assert callable(getattr(SearchIndex, "add_entry_from_context", None))


def test_entries_are_material_s_and_a_second_page_load_does_not_parse_again():
    from material.plugins.search.plugin import SearchIndex

    original = getattr(SearchIndex.add_entry_from_context, "indexes", SearchIndex.add_entry_from_context)
    plain = material_index()
    original(plain, page())
    assert [e["location"] for e in plain.entries] == ["chapter/", "chapter/#part"]

    hook._entries.clear()
    calls = []
    add = hook.memoised(lambda self, p: (calls.append(p.url), original(self, p)))
    first, second = material_index(), material_index()
    add(first, page())
    add(second, page())
    assert first.entries == second.entries == plain.entries
    assert calls == ["chapter/"]
    second.entries[0]["title"] = "changed by a later step"
    third = material_index()
    add(third, page())
    assert third.entries == plain.entries  # the memo holds copies


def test_any_change_to_the_page_indexes_it_again():
    hook._entries.clear()
    calls = []
    add = hook.memoised(lambda self, p: (calls.append(p.url), self.entries.append({"location": p.url})))
    index = SimpleNamespace(entries=[])
    for variant in (page(), page(content=PAGE_HTML + "<p>more</p>"), page(url="other/"),
                    page(title="Another"), page(meta={"search": {"boost": 2}}), page()):
        add(index, variant)
    assert len(calls) == 5
    assert len(index.entries) == 6
