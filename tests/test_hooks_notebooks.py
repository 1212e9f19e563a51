"""``hooks/notebooks.py``: notebook pages load nothing from another host, and
each notebook can be downloaded as ``.ipynb``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _hooks import load_hook

ROOT = Path(__file__).resolve().parents[1]


hook = load_hook("notebooks")

NOTEBOOK = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A title
#
# Math: $\\sigma'(z) \\le 1/4$.

# %%
1 + 1
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A notebook rendered by mkdocs-jupyter's own converter, as the build does."""
    from mkdocs_jupyter.convert import nb2html

    path = tmp_path_factory.mktemp("nb") / "tiny.py"
    path.write_text(NOTEBOOK)
    return nb2html(str(path), execute=False, custom_mathjax_url="")


def test_the_template_does_put_foreign_scripts_in(rendered):
    # The reference: without the hook, the page would load MathJax and Mermaid.
    assert "<!-- Load mathjax -->" in rendered
    assert "cdnjs" in rendered


def test_strip_removes_mathjax_and_mermaid_and_keeps_the_notebook(rendered):
    page = hook.strip_foreign_scripts(rendered)
    assert "mathjax" not in page.lower()
    assert "cdnjs" not in page and "import(" not in page
    assert "A title" in page and "\\sigma'(z)" in page and "jp-CodeCell" in page


def test_strip_leaves_other_pages_alone():
    page = '<script src="../assets/katex/katex.min.js"></script><p>$x$</p>'
    assert hook.strip_foreign_scripts(page) == page


@pytest.mark.parametrize(
    ("src", "directory_urls", "expected"),
    [
        ("notebooks/six-treatments.py", True, "notebooks/six-treatments/six-treatments.ipynb"),
        ("notebooks/six-treatments.py", False, "notebooks/six-treatments.ipynb"),
    ],
)
def test_ipynb_goes_beside_the_copied_source(src, directory_urls, expected):
    assert hook.ipynb_path(src, directory_urls) == expected


def test_on_files_adds_an_ipynb_of_each_notebook(tmp_path):
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files

    docs = tmp_path / "docs"
    (docs / "notebooks").mkdir(parents=True)
    (docs / "notebooks" / "tiny.py").write_text(NOTEBOOK)
    (docs / "index.md").write_text("# Home\n")
    config = MkDocsConfig()
    config.load_dict({"site_name": "t", "docs_dir": str(docs), "site_dir": str(tmp_path / "site")})
    config.validate()
    config.plugins._current_plugin = "hooks/notebooks.py"  # set by MkDocs while hooks run
    files = Files(
        [
            File(p, str(docs), str(tmp_path / "site"), True)
            for p in ("index.md", "notebooks/tiny.py")
        ]
    )
    files = hook.on_files(files, config)
    added = files.get_file_from_path("notebooks/tiny/tiny.ipynb")
    notebook = json.loads(added.content_string)
    assert [cell["cell_type"] for cell in notebook["cells"]] == ["markdown", "code"]
    assert "".join(notebook["cells"][1]["source"]) == "1 + 1"
    # the same download from build to build: cell ids by place, not drawn at random
    assert [cell["id"] for cell in notebook["cells"]] == ["cell-0", "cell-1"]
    assert hook.as_ipynb(str(docs / "notebooks" / "tiny.py")) == added.content_string


def test_long_inline_stylesheets_move_to_one_shared_file_each():
    name = "x" * hook.SHARED_MINIMUM
    big = f".{name}{{color:red}}"
    page = f'<style>{big}</style><p class="{name}">text</p><style>.small{{}}</style><style>{big}</style>'
    shared, files = hook.share_stylesheets(page, "notebooks/tiny/")
    assert list(files.values()) == [big]  # the same CSS twice: one file
    (path,) = files
    assert path.startswith("assets/notebooks/") and path.endswith(".css")
    link = f'<link rel="stylesheet" href="../../{path}">'
    assert shared == f'{link}<p class="{name}">text</p><style>.small{{}}</style>{link}'


def test_shared_stylesheets_keep_only_what_can_apply_to_the_page():
    css = (".used{--a:1px;--b:var(--a);--dead:0;margin:var(--b)} .unused{color:red}"
           " .md-typeset__table .used{padding:0} @media print{.unused{color:blue}}"
           " .used:not(.absent){top:0} " + "/*" + "x" * hook.SHARED_MINIMUM + "*/")
    page = f'<style>{css}</style><p class="used">text</p><style>.pygments{{color:var(--dead)}}</style>'
    _, files = hook.share_stylesheets(page, "notebooks/tiny/")
    assert list(files.values()) == [
        # --dead is read by the page's other stylesheet; md- classes are added by
        # Material's script once the page loads
        ".used{--a:1px;--b:var(--a);--dead:0;margin:var(--b)}"
        ".md-typeset__table .used{padding:0}.used:not(.absent){top:0}"
    ]


def test_share_stylesheets_on_the_real_template_leaves_a_light_page(rendered):
    shared, files = hook.share_stylesheets(hook.strip_foreign_scripts(rendered), "notebooks/t/")
    assert len(shared) < 20_000 < sum(map(len, files.values()))


def test_inline_pictures_move_to_files_the_page_loads_lazily():
    import base64
    import struct

    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", 30, 20) + b"pixels"
    inline = base64.b64encode(png).decode()
    page = (f'<img alt="one" src="data:image/png;base64,{inline}"/>'
            f'<img alt="two" class="" src="data:image/png;base64,{inline}">')
    new, files = hook.extract_images(page, "notebooks/tiny/")
    (path,) = files  # the same picture twice: one file
    assert files[path] == png and path.startswith("assets/notebooks/") and path.endswith(".png")
    src = f'src="../../{path}" width="30" height="20" loading="lazy" decoding="async" />'
    assert new == f'<img alt="one" {src}<img alt="two" class="" {src}'


def test_each_image_gets_the_alt_text_of_its_cell():
    page = f"<img {hook.NO_ALT} src=a><img {hook.NO_ALT} src=b>"
    assert hook.describe_images(page, ["first <plot>", "second"]) == (
        '<img alt="first &lt;plot&gt;" src=a><img alt="second" src=b>'
    )
    with pytest.raises(ValueError, match="draws 2 images but its cells give 1 alt texts"):
        hook.describe_images(page, ["only one"])


def test_cell_alts_reads_the_jupytext_cell_markers(tmp_path):
    path = tmp_path / "nb.py"
    path.write_text(NOTEBOOK.replace("# %%\n1 + 1", '# %% alt="two"\n1 + 1'))
    assert hook.cell_alts(str(path)) == ["two"]


@pytest.mark.parametrize("path", sorted((ROOT / "docs" / "notebooks").glob("*.py")), ids=str)
def test_every_site_notebook_describes_its_figures(path):
    source = path.read_text()
    drawing_cells = [
        cell
        for cell in source.split("\n# %%")[1:]
        if not cell.startswith(" [markdown]") and ("vgp.plot." in cell or "Figure(" in cell)
    ]
    assert len(hook.cell_alts(str(path))) == len(drawing_cells) > 0


def test_code_blocks_become_focusable(rendered):
    page = hook.focusable_code(rendered)
    assert (
        page.count('<div tabindex="0" class="highlight-ipynb')
        == rendered.count('<div class="highlight-ipynb')
        > 0
    )
