"""The built site: strict build, internal links and anchors, nothing from another
host, alt text on every image, figures only from the hook, no committed plot."""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from bs4 import BeautifulSoup

from vgp.figures import FIGURES

ROOT = Path(__file__).resolve().parents[1]
BASE = "http://site.invalid/"


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


@functools.cache
def soup(path: Path) -> BeautifulSoup:
    """The parsed page, parsed once per session (the tests only read it)."""
    return BeautifulSoup(path.read_bytes(), "lxml")


def url_of(site: Path, page: Path) -> str:
    return urljoin(BASE, page.relative_to(site).as_posix())


def resolve(site: Path, url: str) -> Path:
    """The file a same-site URL points at (``dir/`` means ``dir/index.html``)."""
    path = unquote(urlparse(url).path)[len(urlparse(BASE).path) :]
    target = site / path
    return target / "index.html" if path == "" or path.endswith("/") else target


@functools.cache
def ids(path: Path) -> set[str]:
    return {el["id"] for el in soup(path).find_all(id=True)}


def references(document: BeautifulSoup) -> list[tuple[str, str]]:
    """(tag, url) of every link and loaded resource of a page."""
    found = []
    for tag, attribute in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
                           ("source", "src"), ("iframe", "src"), ("video", "src"), ("audio", "src")):
        for element in document.find_all(tag):
            if element.get(attribute):
                found.append((tag, element[attribute]))
    return found


def test_every_internal_link_and_anchor_resolves(site):
    broken = []
    for page in pages(site):
        here = url_of(site, page)
        for tag, ref in references(soup(page)):
            if ref.startswith(("data:", "mailto:", "javascript:")):
                continue
            url = urljoin(here, ref)
            if not url.startswith(BASE):
                continue
            target = resolve(site, url)
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {tag} -> {ref} (missing)")
                continue
            fragment = unquote(urlparse(url).fragment)
            if fragment and target.suffix == ".html" and fragment not in ids(target):
                broken.append(f"{page.relative_to(site)}: {ref} (no anchor #{fragment})")
    assert not broken, "\n".join(broken)


def test_nothing_is_loaded_from_another_host(site):
    foreign = []
    for page in pages(site):
        document = soup(page)
        for tag, ref in references(document):
            if tag == "a":
                continue  # a link the reader may follow is fine; a resource load is not
            if urlparse(ref).scheme in ("http", "https") or ref.startswith("//"):
                foreign.append(f"{page.relative_to(site)}: <{tag}> {ref}")
        for style in document.find_all("style"):
            foreign += [f"{page.relative_to(site)}: @import/url {u}" for u in
                        re.findall(r"url\(['\"]?((?:https?:)?//[^'\")]+)", style.get_text())]
    for css in site.rglob("*.css"):
        for u in re.findall(r"url\(['\"]?((?:https?:)?//[^'\")]+)", css.read_text(errors="ignore")):
            foreign.append(f"{css.relative_to(site)}: url({u})")
    assert not foreign, "\n".join(foreign)


def test_every_image_has_alt_text(site):
    missing = [
        f"{page.relative_to(site)}: {img.get('src', '')[:60]}"
        for page in pages(site)
        for img in soup(page).find_all("img")
        if not (img.get("alt") or "").strip()
    ]
    assert not missing, "\n".join(missing)


def test_figures_come_only_from_the_hook(site):
    drawn = {p.stem for p in (site / "figures").glob("*.svg")}
    assert drawn == set(FIGURES)
    strays = []
    for page in pages(site):
        for img in soup(page).find_all("img"):
            src = img["src"]
            target = resolve(site, urljoin(url_of(site, page), src))
            if target.parent == site / "assets" / "notebooks" and target.suffix == ".png":
                continue  # a notebook's output, made when the build executed it (hooks/notebooks.py)
            if target.parent != site / "figures" or target.stem not in FIGURES:
                strays.append(f"{page.relative_to(site)}: {src}")
    assert not strays, "images not drawn by vgp.figures:\n" + "\n".join(strays)


def test_every_figure_is_shown_on_some_page(site):
    shown = {
        Path(urlparse(img["src"]).path).stem
        for page in pages(site)
        for img in soup(page).find_all("img")
        if "figures/" in img["src"]
    }
    assert set(FIGURES) <= shown, f"registered but never shown: {sorted(set(FIGURES) - shown)}"


def test_no_plot_is_committed():
    tracked = subprocess.run(["git", "ls-files", "docs"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    images = [f for f in tracked.stdout.splitlines()
              if re.search(r"\.(png|jpe?g|gif|svg|webp|pdf)$", f, re.I)]
    assert not images


def test_math_is_rendered_at_build_time_and_no_page_loads_math_javascript(site):
    """hooks/katex_ssr.py renders every formula with the vendored KaTeX: each
    arithmatex element holds KaTeX's markup, no TeX delimiter is left in a page's
    text, no page loads a script of KaTeX's (or MathJax's), and the stylesheet
    and fonts the markup needs are in the site."""
    problems, formulas = [], 0
    for page in pages(site):
        document = soup(page)
        for element in document.select("span.arithmatex, div.arithmatex"):
            formulas += 1
            if element.select_one(".katex") is None or element.select_one(".katex-error"):
                problems.append(f"{page.relative_to(site)}: not rendered: {element.get_text()[:60]!r}")
        content = document.select_one(".md-content")
        for text in content.find_all(string=True) if content else ():
            if any(p.name in ("code", "pre", "script", "style", "annotation") for p in text.parents):
                continue
            problems += [f"{page.relative_to(site)}: raw {raw!r} in {text[:60]!r}"
                         for raw in ("\\(", "\\[", "$$") if raw in text]
        problems += [f"{page.relative_to(site)}: loads {s['src']}" for s in document.find_all("script", src=True)
                     if re.search(r"katex|mathjax|auto-render", s["src"], re.I)]
    assert not problems, "\n".join(problems)
    assert formulas >= 100  # the chapters are full of formulas: a selector that found none is wrong
    home = soup(site / "index.html")
    assert any(link["href"].endswith("katex.min.css") for link in home.find_all("link", rel="stylesheet"))
    assert (site / "assets/katex/fonts/KaTeX_Main-Regular.woff2").exists()
    assert not (site / "assets/katex/katex.min.js").exists()
    notebook = soup(site / "notebooks/six-treatments/index.html")
    assert notebook.select(".jp-RenderedMarkdown .arithmatex .katex")


def test_copy_button_copies_code_without_prompts_or_output(site):
    """Material copies a code block's innerText while it carries data-md-copying;
    our stylesheet hides prompt (.gp) and output (.go) spans there."""
    bundle = next((site / "assets/javascripts").glob("bundle.*.min.js")).read_text()
    assert 'setAttribute("data-md-copying"' in bundle and "innerText" in bundle
    css = (site / "assets/stylesheets/vgp.css").read_text()
    hide_prompts_and_output = (
        r"code\[data-md-copying\] \.gp,\s*\.highlight code\[data-md-copying\] \.go\s*\{\s*display: none"
    )
    assert re.search(hide_prompts_and_output, css)
    home = soup(site / "index.html")
    block = home.select_one("div.language-pycon code")
    assert block is not None
    assert block.select(".gp") and block.select(".go")
    code = "".join(
        t for t in block.find_all(string=True)
        if not any(p.get("class") and set(p["class"]) & {"gp", "go"} for p in t.parents if p.name == "span")
    )
    assert ">>>" not in code and "first/last layer gradient: 2e-10" not in code
    compile(code, "copied", "exec")  # what the button copies is valid Python


def test_svgs_are_lean_and_reproducible(site):
    for svg in (site / "figures").glob("*.svg"):
        assert svg.stat().st_size < 200_000, f"{svg.name} is {svg.stat().st_size} bytes"
        text = svg.read_text()
        assert "<dc:date>" not in text
    name = next(iter(FIGURES))
    assert FIGURES[name].svg() == (site / "figures" / f"{name}.svg").read_bytes()


def test_page_weight_under_400_kb(site):
    """Each page's own HTML plus the figures it shows (shared assets not counted)."""
    heavy = []
    for page in pages(site):
        size = page.stat().st_size
        for img in soup(page).find_all("img"):
            if "figures/" in img["src"]:
                size += resolve(site, urljoin(url_of(site, page), img["src"])).stat().st_size
        if size > 400_000:
            heavy.append(f"{page.relative_to(site)}: {size / 1000:.0f} KB")
    assert not heavy, "\n".join(heavy)
