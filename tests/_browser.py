"""The browser side of ``tests/test_browser.py``: serve the built site on
127.0.0.1, drive headless Chromium through every page, run axe-core, click a copy
button, take screenshots; return what was found.

:func:`start` runs all of it in one background thread, so that Chromium works on
one core while the rest of the test suite runs on the other; the tests in
``test_browser.py`` (ordered last by ``tests/conftest.py``) wait for its report.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--window-size=1280,900",
)
SCREENSHOTS = {"home": "", "chapter": "saturation/"}
"""Screenshot name -> page path."""

EXPLORE_STATES = (
    "?activation=sigmoid&scale=1&depth=20&norm=none&residual=0",
    "?activation=relu&scale=2&depth=50&norm=none&residual=0",
    "?activation=tanh&scale=0.5&depth=10&norm=batch&residual=1",
)
"""URL states of the page "Explore" whose table the browser reads: the default,
a critical plain net, both fixes at once."""


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "no chromium on PATH (apt-get install chromium chromium-driver)"
    if not shutil.which("chromedriver"):
        return "no chromedriver on PATH (apt-get install chromium-driver)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci)"
    return None


@dataclass
class Report:
    """What the browser found: per page, its problems and axe's violations."""

    pages: dict[str, list[str]] = field(default_factory=dict)
    axe: dict[str, list[str]] = field(default_factory=dict)
    copied: str = ""
    screenshots: dict[str, Path] = field(default_factory=dict)
    explore: dict[str, object] = field(default_factory=dict)
    held: dict[str, list] = field(default_factory=dict)
    """Per page and width: the number of blocks held off screen, and those holding moved."""
    shots: dict[str, dict] = field(default_factory=dict)
    """Per screenshot, the page as it was when the shot was taken (:data:`SHOT_STATE`)."""


@contextlib.contextmanager
def _serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 from its own process; yield its URL.

    Not a thread of this process: there the server would wait for the GIL
    while the rest of the test suite runs, and every page would load slowly.
    """
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
         "--directory", str(site)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        banner = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N (http://...) ..."
        port = re.search(r"port (\d+)", banner)
        if port is None:
            raise RuntimeError(f"http.server did not start: {banner!r}")
        yield f"http://127.0.0.1:{port.group(1)}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def page_paths(site: Path) -> list[str]:
    """The URL path of every page of ``site`` (``dir/`` for ``dir/index.html``)."""
    paths = []
    for page in site.rglob("*.html"):
        if page.name != "404.html":
            relative = page.relative_to(site)
            paths.append(relative.parent.as_posix() + "/" if page.name == "index.html" else relative.as_posix())
    return sorted(paths)


def _requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


VISIBLE_TEXT = """
const root = document.querySelector('.md-content') || document.body;
const clone = root.cloneNode(true);
clone.querySelectorAll('pre, code, script, style, .katex').forEach(e => e.remove());
return clone.textContent;
"""

IMAGES = """
return Array.from(document.images)
  .map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0]);
"""

LOAD_LAZY_IMAGES = """
document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; });
return Array.from(document.images).every(i => i.complete);
"""
"""Fetch the figures the page loads only near the screen (as a reader scrolling
would); true once every image has loaded or failed."""

MATH = """
return [document.querySelectorAll('.arithmatex').length,
        document.querySelectorAll('.arithmatex .katex').length,
        document.querySelectorAll('.katex-error').length];
"""


def _wait_for_a11y(driver) -> None:
    """Wait until a11y.js, which gives the sideways-scrolling blocks a tab stop in
    idle time, says it is done (``data-scroll-checked`` on ``<body>``)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return document.body.hasAttribute('data-scroll-checked')"))


def _wait_for_math(driver) -> list[int]:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script(MATH)[0] == d.execute_script(MATH)[1]
    )
    return driver.execute_script(MATH)


AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length,
                                         v.nodes.slice(0, 3).map(n => n.target.join(' '))])))
  .catch(e => done([['axe-error', 'critical', 0, [String(e)]]]));
"""


COPY_LISTENER = """
window.__copied = null;
if (navigator.clipboard) {
  navigator.clipboard.writeText = async (text) => { window.__copied = text; };
}
document.addEventListener('copy', () => {
  const a = document.activeElement;
  window.__copied = (a && 'value' in a && a.selectionEnd > a.selectionStart)
    ? a.value.substring(a.selectionStart, a.selectionEnd)
    : String(window.getSelection());
}, true);
"""



def _chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    driver.set_page_load_timeout(30)
    return driver


def _visit(browser, server: str, path: str, axe: str) -> tuple[list[str], list[str]]:
    """Load one page; its problems and axe-core's violations (of any impact)."""
    from selenium.webdriver.support.ui import WebDriverWait

    host = urlparse(server).netloc
    problems: list[str] = []
    browser.get_log("performance")
    browser.get_log("browser")
    browser.get(server + path)
    try:
        arithmatex, rendered, errors = _wait_for_math(browser)
    except Exception:
        arithmatex, rendered, errors = browser.execute_script(MATH)
    if rendered != arithmatex or errors:
        problems.append(f"{rendered}/{arithmatex} formulas rendered, {errors} KaTeX errors")
    text = browser.execute_script(VISIBLE_TEXT)
    problems += [f"raw {raw!r} left in the visible text"
                 for raw in ("\\(", "\\)", "\\[", "\\]", "$$") if raw in text]
    with contextlib.suppress(Exception):  # the check below names what did not load
        WebDriverWait(browser, 10).until(lambda d: d.execute_script(LOAD_LAZY_IMAGES))
    problems += [f"image did not load: {src[:80]}"
                 for src, loaded in browser.execute_script(IMAGES) if not loaded]
    for url in _requested_urls(browser):
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.netloc != host:
            problems.append(f"request to another host: {url}")
    problems += [f"console error: {e['message'][:200]}"
                 for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    try:
        _wait_for_a11y(browser)
    except Exception:
        problems.append("a11y.js did not finish marking the blocks that scroll sideways")
    browser.execute_script(axe)
    violations = [f"{rule} ({impact}, {count} nodes) e.g. {targets}"
                  for rule, impact, count, targets in browser.execute_async_script(AXE_RUN)]
    return problems, violations


def _copy(browser, server: str) -> str:
    """Click the copy button of the home page's first pycon block; what it copied."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server)
    browser.execute_script(COPY_LISTENER)
    block = browser.find_element(By.CSS_SELECTOR, "div.language-pycon")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", block)
    # Material adds a block's copy button when the block comes into view (content.lazy).
    button = WebDriverWait(browser, 10).until(
        lambda d: block.find_element(By.CSS_SELECTOR, "button[data-md-type=copy], button.md-clipboard"))
    ActionChains(browser).move_to_element(block).pause(0.3).click(button).perform()
    return WebDriverWait(browser, 5).until(lambda d: d.execute_script("return window.__copied"))


NEXT_FRAME = """
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
"""
"""Return after two frames: the one that lays out what changed, the one after."""


SHOT_STATE = """
const math = document.querySelectorAll('.arithmatex');
return {
  ratio: window.devicePixelRatio, width: window.innerWidth, height: window.innerHeight,
  scroll: window.scrollY,
  images: Array.from(document.images).map(i => {
    const r = i.getBoundingClientRect();
    return [i.getAttribute('src'), i.complete && i.naturalWidth > 0, r.left, r.top, r.width, r.height];
  }),
  math: [math.length, document.querySelectorAll('.arithmatex .katex').length,
         document.querySelectorAll('.katex-error').length],
};
"""
"""What a screenshot should show, read from the DOM right before it is taken: the
viewport, every image (loaded or not, and where, in CSS pixels of the viewport)
and the formulas (in the page, rendered by KaTeX, in error)."""


def _screenshot(
    browser, server: str, path: str, target: Path, width: int = 1280
) -> tuple[Path, dict]:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(width, 900)
    browser.get(server + path)
    _wait_for_math(browser)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(height, 6000))
    # The taller window brings lazy figures into view only now: wait for them (as a
    # reader would) and for a frame that paints them, or the check names what is missing.
    with contextlib.suppress(Exception):
        WebDriverWait(browser, 10).until(lambda d: d.execute_script(LOAD_LAZY_IMAGES))
    browser.execute_async_script(NEXT_FRAME)
    state = browser.execute_script(SHOT_STATE)
    browser.save_screenshot(str(target))
    browser.set_window_size(1280, 900)
    return target, state


EXPLORE_READ = """
const root = document.getElementById('explore');
const code = Array.from(document.querySelectorAll('.highlight code'))
  .find(c => /^activation = /m.test(c.textContent));
return {
  state: root.dataset.state,
  rows: Array.from(root.querySelectorAll('#explore-table tbody tr'))
    .map(tr => Array.from(tr.children).map(c => c.textContent)),
  verdict: root.querySelector('#explore-verdict').innerText,
  chart: root.querySelector('#explore-charts').innerHTML,
  code: code.innerText,
  url: window.location.href,
  width: [document.documentElement.scrollWidth, window.innerWidth],
};
"""

EXPLORE_REDRAW = """
// Move the depth slider 20 times and time each redraw, layout included.
const input = document.getElementById('explore-depth');
const times = [];
for (let i = 0; i < 20; i++) {
  input.value = String(i % (Number(input.max) + 1));
  const t0 = performance.now();
  input.dispatchEvent(new Event('input', {bubbles: true}));
  document.body.getBoundingClientRect();  // force style and layout
  times.push(performance.now() - t0);
}
return times;
"""


def _explore(browser, server: str, axe: str, out: Path) -> dict[str, object]:
    """The page "Explore": its table and code in each of EXPLORE_STATES, a keyboard
    move, redraw times, axe in the dark palette at phone width, and screenshots."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    def load(query: str) -> dict:
        browser.get(server + "explore/" + query)
        WebDriverWait(browser, 10).until(
            lambda d: d.execute_script("return document.getElementById('explore').dataset.state"))
        return browser.execute_script(EXPLORE_READ)

    def palette(index: int) -> None:
        browser.find_element("css selector", f"label[for='__palette_{index}']").click()
        WebDriverWait(browser, 5).until(lambda d: d.execute_script(
            "return document.body.dataset.mdColorScheme") == ("slate" if index else "default"))

    found: dict[str, object] = {"states": {query: load(query) for query in EXPLORE_STATES}}
    before = load(EXPLORE_STATES[1])
    slider = browser.find_element("id", "explore-scale")
    slider.send_keys(Keys.ARROW_RIGHT)
    found["keyboard"] = {"before": before, "after": browser.execute_script(EXPLORE_READ),
                         "focused": browser.execute_script("return document.activeElement.id")}
    found["redraw_ms"] = browser.execute_script(EXPLORE_REDRAW)
    palette(1)  # the reader's way: the header's toggle; Material remembers it
    browser.set_window_size(390, 844)
    load(EXPLORE_STATES[2])
    found["dark_phone"] = {
        "scheme": browser.execute_script("return document.body.dataset.mdColorScheme"),
        "width": browser.execute_script(EXPLORE_READ)["width"],
    }
    _wait_for_a11y(browser)  # as on every page, before axe
    browser.execute_script(axe)
    found["dark_phone"]["axe"] = [f"{rule} ({impact}, {count} nodes) e.g. {targets}" for rule, impact, count, targets
                                  in browser.execute_async_script(AXE_RUN)]
    found["screenshots"] = {"explore-dark": _screenshot(browser, server, "explore/" + EXPLORE_STATES[0],
                                                        out / "explore-dark.png")[0]}
    palette(0)
    found["screenshots"]["explore-phone"] = _screenshot(
        browser, server, "explore/" + EXPLORE_STATES[2], out / "explore-phone.png", width=390)[0]
    found["screenshots"]["explore"] = _screenshot(
        browser, server, "explore/" + EXPLORE_STATES[1], out / "explore.png")[0]
    return found


HELD_PAGES = ("chain-rule/", "diagnosing/", "initialisation/", "cheatsheet/", "bibliography/",
              "notebooks/six-treatments/", "reference/api/", "reference/api-theory/")
"""Pages whose layout is compared with the blocks held off screen and without: long
chapters, tables, display formulas that scroll sideways at phone width
(initialisation), a definition list, a notebook, two API pages (one of formulas)."""

BLOCKS = """
const held = Array.from(document.querySelectorAll('[data-held]'));
if (!arguments[0]) held.forEach(el => { el.removeAttribute('data-held'); el.style.containIntrinsicSize = ''; });
return Array.from(document.querySelectorAll('.md-typeset > *, .md-typeset .doc > *'))
  .map(el => { const r = el.getBoundingClientRect();
               return [el.tagName + '.' + el.className,
                       Math.round(r.top + scrollY), Math.round(r.height)]; });
"""
"""The article's blocks (tag, class, top and height in CSS pixels) as they are
(argument true) or with every held block let go (false)."""


def _held_layout(browser, server: str) -> dict[str, list[str]]:
    """Per page and width: how many blocks the loader held, and every block that
    holding moved or resized (once each held block has been drawn, as a reader
    scrolling down sees it)."""
    import time


    found = {}
    try:
        for width in (1280, 390):
            browser.set_window_size(width, 900)
            for path in HELD_PAGES:
                browser.get(server + path)
                _wait_for_a11y(browser)
                held = browser.execute_script("return document.querySelectorAll('[data-held]').length")
                y = 0
                while y < browser.execute_script("return document.documentElement.scrollHeight"):
                    browser.execute_script(f"window.scrollTo(0, {y})")
                    time.sleep(0.05)
                    y += 400
                browser.execute_script("window.scrollTo(0, 0)")
                time.sleep(0.1)
                kept = browser.execute_script(BLOCKS, True)
                free = browser.execute_script(BLOCKS, False)
                moved = [f"{a} held, {b} not" for a, b in zip(kept, free, strict=False) if a != b][:5]
                if len(kept) != len(free):
                    moved.append(f"{len(kept)} blocks held, {len(free)} not")
                found[f"{path} at {width} px"] = [held, moved]
    finally:
        browser.set_window_size(1280, 900)
    return found


def run(site: Path) -> Report:
    """Serve ``site``, drive Chromium through it, and report what was found."""
    with _serve(site) as server:
        browser = _chromium()
        try:
            report = Report()
            axe = AXE.read_text(encoding="utf-8")
            for path in page_paths(site):
                report.pages[path], report.axe[path] = _visit(browser, server, path, axe)
            report.copied = _copy(browser, server)
            report.held = _held_layout(browser, server)
            out = Path(os.environ.get("VGP_ARTIFACTS", ROOT / "artifacts"))
            out.mkdir(parents=True, exist_ok=True)
            for name, path in SCREENSHOTS.items():
                report.screenshots[name], report.shots[name] = _screenshot(
                    browser, server, path, out / f"{name}.png"
                )
            report.explore = _explore(browser, server, axe, out)
            return report
        finally:
            browser.quit()


def start(site: Path) -> Future:
    """:func:`run` in a background thread; the future of its :class:`Report`."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="vgp-browser")
    future = pool.submit(run, site)
    pool.shutdown(wait=False)
    return future
