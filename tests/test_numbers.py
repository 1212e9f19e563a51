"""The numbers audit: every number a page writes is one its snippets print, or a set-up value it declares.

The site's numbers are computed, so readers trust them; the words around them are
typed, and drift. This test reads every page under ``docs/`` (the bibliography
excepted: its numbers are volumes, pages and years) and the jupytext notebooks of
``docs/notebooks/``, and checks each number written in prose, in a heading, in a
table, in a figure's alt text, or as a measurement inside math, against

1. the page's printed output: the expected output lines of its ``>>>`` doctests
   (read from the page, nothing re-run), and for a notebook what its cells print
   or display when it runs (shared with ``tests/test_notebooks.py``, which runs
   each notebook once anyway);
2. the page's allow-list of set-up values, a YAML list in its front matter,
   one commented entry each (for a notebook, under ``jupyter:`` in its header)::

       allow_numbers:
         - 2015   # He et al.'s year, in a heading
         - 30     # hidden layers of the miniature

   A number belongs there only if the page sets it up (a year, a layer count of a
   described net, a seed, a parameter's value); a measurement belongs in a
   snippet's output. An entry that is printed anyway, or that the prose no longer
   uses, fails the test, so the lists stay short.

What counts as a number
-----------------------
- Digits, decimals, ``1,500``, percentages (``25%``, ``25 percent`` and the 9
  of ``9 to 24 %`` are 0.25, 0.25 and 0.09, to two more decimals), fractions
  (``1/4``), and scientific forms: ``2e-10``, ``2 x 10^-10``, ``2 × 10⁻¹⁰``,
  ``2·10⁻¹⁰``, ``2 \\times 10^{-10}``. A minus sign is ignored (magnitudes are
  compared), except in an exponent.
- Not: anything in code (fenced blocks, inline code), link and image targets,
  HTML tags and attribute lists, digits glued to letters (``fc1``,
  ``float32``, ``3rd``), and the year in the text of a citation link (a link to
  the bibliography, like ``[He et al. (2015)](bibliography.md#he2015)``, or to
  the paper itself).
- Number words only where they state a magnitude: ``eleven orders of magnitude``,
  ``two decades``, ``ten to the minus fifteen``, ``twenty times``, ``a factor of
  two``. Elsewhere (``three seeds``, ``the two conditions``) they count things the
  page describes, and are left alone.
- Inside math (``\\( \\)``, ``\\[ \\]``, ``$ $``, ``$$ $$``) only what can be a
  measurement: decimals (``2.30``), powers of ten (``10^{-5}``,
  ``3 \\times 10^{-31}``) and integer powers (``2^{-15}``). Plain integers and
  fractions there are the formula's constants (the 2 of ``x^2``, the ``1/2`` of
  ``E[\\phi'^2] = 1/2``, the 2 of ``2/n_\\text{in}``) and are not audited.

When a written number matches a printed one
-------------------------------------------
The printed value, rounded (half up) to the precision the prose writes, must
equal the prose's value:

- a decimal keeps its decimals: "0.3" matches a printed 0.30 or 0.304, not 0.35;
- a scientific form keeps its significant digits: "3e-31" matches 3.4e-31;
- an integer is exact ("20" matches 20 or 20.3), unless the prose hedges it
  ("about", "around", "roughly", "nearly", "almost", "some", "near", "close to",
  "~", "≈"): then its trailing zeros are not significant, and "about 700"
  matches a printed 7.2e+02;
- a bare power of ten ("10^{-5}", "ten to the minus fifteen") is an order of
  magnitude: it matches a printed value whose base-10 logarithm rounds to its
  exponent;
- "N orders of magnitude" or "N decades" (and the N of "N to M orders") matches a printed N followed by
  "decades" or "orders", or a printed ratio whose base-10 logarithm rounds to
  plus or minus N;
- an exact value (a fraction, ``2^{-15}``) matches a printed value
  that it equals when rounded to the printed precision ("1/4" matches 0.25).

The test says, for each number that matches nothing, where it is and how to fix it.
"""

from __future__ import annotations

import ast
import doctest
import math
import re
import textwrap
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.py"))
PAGES = sorted(p for p in DOCS.rglob("*.md") if p.name != "bibliography.md")

# --------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class Number:
    """A number as written: its exact value, and how precisely it was written.

    ``kind`` is ``"decimal"`` (precision = decimals), ``"sig"`` (precision =
    significant digits), ``"exact"`` (a fraction, a power, a percentage: matched at
    the printed precision), ``"order"`` (a bare power of ten: precision = the
    exponent) or ``"decades"`` (N orders of magnitude).
    """

    text: str
    value: Decimal
    kind: str
    precision: int = 0


SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
MINUS = "-−⁻"

WORDS = {
    "zero": 0, "one": 1, "an": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
}  # fmt: skip
WORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five"
    r"|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|hundred|thousand)"
)


def word_value(word: str) -> int:
    return sum(WORDS[part] for part in word.lower().split("-"))


def significant(digits: str) -> int:
    """Significant digits of a mantissa as written ("3.40" has 3, "0.05" has 1)."""
    stripped = digits.replace(".", "").lstrip("0")
    return max(len(stripped), 1)


def integer(text: str, hedged: bool) -> Number:
    value = Decimal(text.replace(",", ""))
    if not hedged:
        return Number(text, value, "decimal", 0)
    digits = text.replace(",", "")
    return Number(text, value, "sig", max(len(digits.rstrip("0")), 1) if value else 1)


def decimal(text: str) -> Number:
    return Number(text, Decimal(text), "decimal", len(text.split(".")[1]))


def scientific(mantissa: str | None, exponent: str) -> Number:
    exponent = exponent.translate(SUPERSCRIPTS).replace("−", "-").replace("{", "").replace("}", "")
    if mantissa is None:
        return Number(f"10^{exponent}", Decimal(10) ** int(exponent), "order", int(exponent))
    value = Decimal(mantissa) * Decimal(10) ** int(exponent)
    return Number(f"{mantissa}e{exponent}", value, "sig", significant(mantissa))


def round_to(value: Decimal, kind: str, precision: int) -> Decimal:
    """``value`` rounded half up as a number written with this precision would be."""
    with localcontext(Context(prec=400)):  # 1e66 to the unit has 67 digits
        return _round_to(value, kind, precision)


def _round_to(value: Decimal, kind: str, precision: int) -> Decimal:
    if value == 0:
        return value
    if kind == "decimal":
        return value.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
    exponent = value.adjusted() - precision + 1  # "sig"
    rounded = value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    if rounded.adjusted() > value.adjusted():  # 9.96 -> 10.0: one digit fewer after the point
        rounded = rounded.quantize(Decimal(1).scaleb(exponent + 1), rounding=ROUND_HALF_UP)
    return rounded


def log10_rounded(value: Decimal) -> int:
    return math.floor(math.log10(float(abs(value))) + 0.5)


@dataclass(frozen=True)
class Printed:
    """A number in a snippet's output, with the precision it was printed at."""

    text: str
    value: Decimal
    kind: str  # "decimal" or "sig"
    precision: int
    decades: bool  # followed by "decades" or "orders"


def matches(number: Number, printed: Printed) -> bool:
    p, q = number.value, abs(printed.value)
    if number.kind == "order":
        return q != 0 and log10_rounded(q) == number.precision
    if number.kind == "decades":
        if printed.decades and round_to(q, "decimal", 0) == p:
            return True
        return q != 0 and abs(log10_rounded(q)) == p
    if number.kind == "exact":
        if q == 0:
            return p == 0
        return round_to(p, printed.kind, printed.precision) == q
    return round_to(q, number.kind, number.precision) == p


# --------------------------------------------------------------------------- printed output

PRINTED = re.compile(
    r"(?<![^\Wx])(?<!\d\.)(?P<mantissa>\d+(?:\.\d+)?)(?:[eE](?P<exponent>[-+]?\d+))?(?P<percent>%)?"
    r"(?![\w])(?P<after>\s+(?:decade|order))?"
)


def typed_in(source: str) -> set[str]:
    """Numbers typed inside the string literals of a snippet's code (``print("of 100")``):
    the output shows them, but nothing computed them, so they do not count as printed."""
    try:
        tree = ast.parse(re.sub(r"^%", "# %", textwrap.dedent(source), flags=re.MULTILINE))
    except SyntaxError:
        return set()
    typed: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FormattedValue):
            visit(node.value)  # its format_spec (":.2f") is not printed
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            typed.update(match[0].strip() for match in PRINTED.finditer(node.value))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return typed


def printed_numbers(output: str, typed: set[str] = frozenset()) -> list[Printed]:
    """The numbers of a snippet's output, less those its code typed in a string literal."""
    numbers = []
    for match in PRINTED.finditer(output):
        if match[0].strip() in typed:
            continue
        mantissa, exponent = match["mantissa"], match["exponent"]
        decades = match["after"] is not None
        try:
            if exponent is not None:
                value = Decimal(mantissa) * Decimal(10) ** int(exponent)
                numbers.append(
                    Printed(match[0].strip(), value, "sig", significant(mantissa), decades)
                )
                continue
            value = Decimal(mantissa)
        except InvalidOperation:  # pragma: no cover - the regex admits only numbers
            continue
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        if match["percent"]:
            numbers.append(Printed(match[0].strip(), value / 100, "decimal", decimals + 2, decades))
        numbers.append(Printed(match[0].strip(), value, "decimal", decimals, decades))
    return numbers


FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")


def split_fences(text: str) -> tuple[str, list[list[Printed]]]:
    """The page with every fenced block blanked (offsets kept), and the expected
    outputs of its Python doctests, as the numbers each printed."""
    lines = text.split("\n")
    outputs = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening["fence"]
        end = i + 1
        while end < len(lines):
            closing = FENCE.match(lines[end])
            if (
                closing
                and closing["fence"].startswith(fence[0] * len(fence))
                and not closing["info"].strip()
            ):
                break
            end += 1
        body = textwrap.dedent("\n".join(lines[i + 1 : end]))
        if re.search(r"\b(python|py|pycon)\b", opening["info"]) and ">>>" in body:
            for example in doctest.DocTestParser().get_examples(body):
                outputs.append(printed_numbers(example.want, typed_in(example.source)))
        for j in range(i, min(end + 1, len(lines))):
            lines[j] = " " * len(lines[j])
        i = end + 1
    return "\n".join(lines), outputs


# --------------------------------------------------------------------------- prose

HEDGE = re.compile(
    r"(?:about|around|roughly|nearly|almost|some|near|close to|approximately|~|≈|\\approx)\s*$",
    re.IGNORECASE,
)
TIMES = r"(?:\s*(?:x|×|\\times|·|\\cdot)\s*)"
POWER_OF_TEN = r"10\s*(?:\^\s*\{?\s*(?P<NAME>[-−+]?\d+)\s*\}?|(?P<NAMEs>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))"
NUMBER = re.compile(
    # 2 x 10^-10, 2·10⁻¹⁰, 2 \times 10^{-10}
    r"(?<![\w^])(?<!\d\.)(?P<mantissa>\d+(?:\.\d+)?)"
    + TIMES
    + POWER_OF_TEN.replace("NAME", "exp1")
    # 10^-5, 10⁻⁵
    + r"|(?<![\w^])(?<!\d\.)"
    + POWER_OF_TEN.replace("NAME", "exp2")
    + r"(?![\d])"
    # 2^{-15}: an exact power
    + r"|(?<![\w^])(?<!\d\.)(?P<base>\d+)\s*\^\s*\{?\s*(?P<exp3>[-−]?\d+)\s*\}?"
    # 2e-10
    + r"|(?<![\w^])(?<!\d\.)(?P<emantissa>\d+(?:\.\d+)?)[eE](?P<exp4>[-−+]?\d+)(?!\w|\.\d)"
    # 1/4
    + r"|(?<![\w/^])(?<!\d\.)(?P<numerator>\d+)/(?P<denominator>\d+)(?!\w|/|\.\d)"
    # N orders of magnitude, N decades
    + r"|\b(?P<decades>\d+|"
    + WORD
    + r"|an?)\s+(?:orders?\b|decades?\b)"
    # 25%, 0.25, 1,500, 20
    + r"|(?<![\w^])(?<!\d\.)(?P<plain>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w])"
    + r"(?P<percent>\s?(?:%|percent\b)|(?=\s*(?:to|-|–|and)\s*\d+(?:\.\d+)?\s?(?:%|percent\b)))?"
    + r"(?P<decrange>(?=\s*(?:to|-|–|and)\s*\d+\s+(?:orders?|decades?)\b))?"
    # ten to the minus fifteen
    + r"|\bten to the (?P<minus>minus )?(?P<wordexp>"
    + WORD
    + r"|\d+)\b"
    # a millionth
    + r"|\b(?P<fraction>thousandth|millionth|billionth)s?\b"
    # twenty times, a factor of two, five-fold
    + r"|\b(?P<times>"
    + WORD
    + r")(?:\s+times\b|-fold\b)|\bfactor of (?P<factor>"
    + WORD
    + r")\b",
    re.IGNORECASE,
)


def parse(match: re.Match, hedged: bool, in_math: bool) -> Number | None:
    """The number a match of ``NUMBER`` writes, or None if it is not audited there."""
    g = match.groupdict()
    text = match.group(0).strip()
    if g["mantissa"] is not None:
        return scientific(g["mantissa"], g["exp1"] or g["exp1s"])
    if g["exp2"] is not None or g["exp2s"] is not None:
        return scientific(None, g["exp2"] or g["exp2s"])
    if g["base"] is not None:
        base, exponent = int(g["base"]), int(g["exp3"].replace("−", "-"))
        if base == 10:
            return scientific(None, str(exponent))
        if exponent > 0:  # 20^2 in a formula: arithmetic, not a measurement
            return None
        return Number(text, Decimal(base) ** exponent, "exact")
    if g["emantissa"] is not None:
        return scientific(g["emantissa"], g["exp4"])
    if g["numerator"] is not None:
        if in_math or int(g["denominator"]) == 0:
            return None
        return Number(text, Decimal(g["numerator"]) / Decimal(g["denominator"]), "exact")
    if g["plain"] is not None:
        plain = g["plain"]
        if g["decrange"] is not None:  # the 18 of "18 to 41 orders of magnitude"
            return Number(text, Decimal(plain), "decades", 0)
        if g["percent"] is not None:  # 25%, or the 9 of "9 to 24 percent"
            decimals = len(plain.split(".")[1]) if "." in plain else 0
            return Number(text, Decimal(plain.replace(",", "")) / 100, "decimal", decimals + 2)
        if "." in plain:
            return decimal(plain)
        return None if in_math else integer(plain, hedged)
    if g["decades"] is not None:
        word = g["decades"].lower()
        count = int(word) if word.isdigit() else word_value(word) if word not in ("a", "an") else 1
        return Number(text, Decimal(count), "decades", 0)
    if g["wordexp"] is not None:
        word = g["wordexp"]
        exponent = int(word) if word.isdigit() else word_value(word)
        return scientific(None, str(-exponent if g["minus"] else exponent))
    if g["fraction"] is not None:
        exponent = {"thousandth": -3, "millionth": -6, "billionth": -9}[g["fraction"].lower()]
        return scientific(None, str(exponent))
    word = g["times"] or g["factor"]
    return integer(str(word_value(word)), hedged)


@dataclass(frozen=True)
class Written:
    """A number written on a page: where, in what kind of text, and its context."""

    number: Number
    line: int
    where: str
    context: str


MATH = re.compile(
    r"\\\((?P<a>.*?)\\\)|\\\[(?P<b>.*?)\\\]|\$\$(?P<c>.*?)\$\$|\$(?P<d>[^$\n]+?)\$", re.DOTALL
)
IMAGE = re.compile(r"!\[(?P<alt>(?:[^\[\]]|\[[^\]]*\])*)\]\((?P<target>[^)]*)\)")
LINK = re.compile(
    r"(?<!!)\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\](?:\((?P<target>[^)]*)\)|\[(?P<ref>[^\]]*)\])"
)
CODE = re.compile(r"(`+)(?s:.+?)\1")
BLANKED = [
    re.compile(r"<!--.*?-->", re.DOTALL),  # comments
    re.compile(r"</?[A-Za-z][^>]*>"),  # HTML tags and their attributes
    re.compile(r"\{[:#.][^}\n]*\}"),  # attribute lists
]
ADDRESS = re.compile(r"https?://\S+")
CITATION_YEAR = re.compile(r"\b(?:19|20)\d\d[a-z]?\b")


def blank(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def written_numbers(prose: str, first_line: int = 1) -> list[Written]:
    """Every audited number of ``prose`` (Markdown without its fenced blocks)."""
    for pattern in [CODE, *BLANKED]:
        for match in pattern.finditer(prose):
            prose = blank(prose, *match.span())
    alt_spans = []
    for match in IMAGE.finditer(prose):
        alt_spans.append(match.span("alt"))
        prose = blank(prose, *match.span("target"))
    for match in LINK.finditer(prose):
        target = match["target"] or match["ref"] or ""
        if match["ref"] is not None:
            prose = blank(prose, *match.span("ref"))
        else:
            prose = blank(prose, *match.span("target"))
        if "bibliography" in target or target.startswith(("http://", "https://")):
            for year in CITATION_YEAR.finditer(match["text"]):
                prose = blank(
                    prose, match.start("text") + year.start(), match.start("text") + year.end()
                )
    for match in ADDRESS.finditer(prose):  # bare addresses, once the links are read
        prose = blank(prose, *match.span())
    found = []

    def where(offset: int, in_math: bool) -> str:
        line_start = prose.rfind("\n", 0, offset) + 1
        line = prose[line_start : prose.find("\n", offset) if "\n" in prose[offset:] else None]
        if any(a <= offset < b for a, b in alt_spans):
            return "alt text"
        if in_math:
            return "math"
        if line.lstrip().startswith("#"):
            return "heading"
        if line.lstrip().startswith("|"):
            return "table"
        return "prose"

    def scan(text: str, offset: int, in_math: bool) -> None:
        for match in NUMBER.finditer(text):
            before = prose[max(0, offset + match.start() - 20) : offset + match.start()]
            number = parse(match, bool(HEDGE.search(before)), in_math)
            if number is None:
                continue
            start = offset + match.start()
            line = first_line + prose.count("\n", 0, start)
            context = " ".join(prose[max(0, start - 50) : start + len(match.group(0)) + 30].split())
            found.append(Written(number, line, where(start, in_math), context))

    for match in MATH.finditer(prose):
        group = next(name for name in "abcd" if match[name] is not None)
        scan(match[group], match.start(group), in_math=True)
    outside = prose
    for match in MATH.finditer(prose):
        outside = blank(outside, *match.span())
    scan(outside, 0, in_math=False)
    return sorted(found, key=lambda w: w.line)


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class Allowed:
    number: Number
    line: int
    comment: str


@dataclass(frozen=True)
class Page:
    path: Path
    written: list[Written]
    allowed: list[Allowed]


def allow_list(header: list[tuple[int, str]]) -> list[Allowed]:
    """The ``allow_numbers:`` entries of a YAML header given as (line number, line)."""
    entries, inside, indent = [], False, 0
    for number, line in header:
        if re.match(r"\s*allow_numbers:\s*$", line):
            inside, indent = True, len(line) - len(line.lstrip())
            continue
        if not inside:
            continue
        item = re.match(r"(?P<indent>\s*)-\s*(?P<value>[^#]+?)\s*(?:#\s*(?P<comment>.*))?$", line)
        if not item or len(item["indent"]) < indent:
            break
        value = str(yaml.safe_load(item["value"]))
        match = NUMBER.fullmatch(value)
        assert match, f"{number}: allow_numbers entry {value!r} is not a number"
        entries.append(Allowed(parse(match, False, False), number, item["comment"] or ""))
    return entries


def read_page(path: Path) -> tuple[Page, list[Printed]]:
    """A Markdown page's written numbers and allow-list, and its doctests' expected output."""
    text = path.read_text(encoding="utf-8")
    header: list[tuple[int, str]] = []
    if text.startswith("---\n"):
        end = text.index("\n---\n", 4)
        header = list(enumerate(text[4:end].split("\n"), start=2))
        text = blank(text, 0, end + 4)
    prose, outputs = split_fences(text)
    return Page(path, written_numbers(prose), allow_list(header)), [n for ns in outputs for n in ns]


def read_notebook(path: Path) -> Page:
    """A jupytext percent notebook's written numbers (Markdown cells and ``alt=``
    of code cells) and allow-list (under ``jupyter:`` in its header)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header: list[tuple[int, str]] = []
    if lines[0] == "# ---":
        end = lines.index("# ---", 1)
        header = [(i + 1, line[2:]) for i, line in enumerate(lines[1:end], start=1)]
    written, cell = [], None
    for i, line in enumerate(lines):
        if line.startswith("# %%"):
            cell = "markdown" if "[markdown]" in line else "code"
            alt = re.search(r'alt="(?P<alt>[^"]*)"', line)
            if alt:
                prose = "![" + alt["alt"] + "]()"
                written += written_numbers(prose, first_line=i + 1)
            start = i + 1
            if cell == "markdown":
                end = start
                while (
                    end < len(lines)
                    and lines[end].startswith("#")
                    and not lines[end].startswith("# %%")
                ):
                    end += 1
                markdown = "\n".join(re.sub(r"^# ?", "", line) for line in lines[start:end])
                written += written_numbers(split_fences(markdown)[0], first_line=start + 1)
    return Page(path, written, allow_list(header))


def unmatched(page: Page, printed: list[Printed]) -> list[Written]:
    allowed = {a.number.value for a in page.allowed}
    return [
        w
        for w in page.written
        if w.number.value not in allowed and not any(matches(w.number, p) for p in printed)
    ]


def nearest(number: Number, printed: list[Printed]) -> str:
    if not printed or number.value == 0:
        return "nothing printed"
    target = math.log10(float(number.value)) if number.kind != "decades" else None
    candidates = [p for p in printed if p.value != 0]
    if target is None or not candidates:
        return "nothing close"
    best = sorted(candidates, key=lambda p: abs(math.log10(float(abs(p.value))) - target))[:3]
    return ", ".join(p.text for p in best)


def report(page: Page, missing: list[Written], printed: list[Printed]) -> str:
    name = page.path.relative_to(ROOT)
    lines = [
        f"{name}: {len(missing)} number(s) written but neither printed by a snippet on the page "
        "nor in its allow_numbers:",
    ]
    for w in missing:
        lines.append(
            f'  {name}:{w.line} ({w.where}) {w.number.text!r} in "...{w.context}..."\n'
            f"      nearest printed: {nearest(w.number, printed)}"
        )
    lines.append(
        "Fix each: if it is a measurement, print it in a >>> snippet on the page (rounded to the "
        "precision the prose uses) or correct the prose to what is printed; if the page sets it up "
        "(a year, a layer count, a seed, a parameter), add it to the page's front matter as "
        "`allow_numbers:` with a `# comment` saying what it is. Rules: tests/test_numbers.py's docstring."
    )
    return "\n".join(lines)


def check(page: Page, printed: list[Printed]) -> None:
    missing = unmatched(page, printed)
    assert not missing, report(page, missing, printed)
    name = page.path.relative_to(ROOT)
    values = {w.number.value for w in page.written}
    for entry in page.allowed:
        where = f"{name}:{entry.line} allow_numbers entry {entry.number.text}"
        assert entry.comment.strip(), f"{where} has no `# comment` saying what it is"
        assert entry.number.value in values, f"{where} is not written on the page: remove it"
        needed = [
            w for w in page.written
            if w.number.value == entry.number.value and not any(matches(w.number, p) for p in printed)
        ]  # fmt: skip
        assert needed, f"{where} is printed by a snippet already: remove it"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_number_on_a_page_is_printed_or_allowed(path):
    page, printed = read_page(path)
    check(page, printed)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_number_in_a_notebook_is_printed_or_allowed(path, notebook_run):
    page = read_notebook(path)
    cells = [cell.source for cell in jupytext.read(path).cells if cell.cell_type == "code"]
    outputs = notebook_run(path.name).outputs
    check(
        page,
        [
            n
            for cell, out in zip(cells, outputs, strict=True)
            for n in printed_numbers(out, typed_in(cell))
        ],
    )


def audit(markdown: str) -> list[str]:
    """The numbers a page made of ``markdown`` writes but neither prints nor allows."""
    prose, outputs = split_fences(markdown)
    page = Page(Path("page.md"), written_numbers(prose), [])
    return [w.number.text for w in unmatched(page, [n for ns in outputs for n in ns])]


def page_printing(output: str, prose: str) -> str:
    return f"{prose}\n\n```pycon\n>>> print(result)\n{output}\n```\n"


@pytest.mark.parametrize(
    ("prose", "output", "unmatched_numbers"),
    [
        ("it is 0.3", "0.304", []),  # rounded to the prose's precision
        ("it is 0.3", "0.35", ["0.3"]),
        ("it is 0.304", "0.3", ["0.304"]),  # the prose may not claim more than is printed
        ("it falls to 3e-31", "3.4e-31", []),
        ("it falls to \\(3 \\times 10^{-31}\\)", "3.4e-31", []),
        ("it falls to 2·10⁻¹⁰", "2.2e-10", []),
        ("it is 1e-34 with or without", "3e-31", ["1e-34"]),
        ("it stays near 700", "7.2e+02", []),  # hedged: trailing zeros not significant
        ("it is 700", "7.2e+02", ["700"]),
        ("about 10", "15", ["10"]),  # 15 rounds half up to 20
        ("a quarter, 1/4", "0.25", []),
        ("25% of them", "0.25", []),
        ("9 to 24 percent", "0.09 0.24", []),
        ("it falls by 20 orders of magnitude", "6e-20", ["20 orders"]),  # log10 is -19.2
        ("it falls by eleven orders of magnitude", "1.2e-11", []),
        ("they span 18 to 41 orders of magnitude", "7.7e+17 7.7e+40", []),
        ("about ten to the minus fifteen", "8.9e-16", []),
        ("\\(10^{-5}\\) where", "2.8e-05", []),  # a bare power of ten: an order of magnitude
        ("grows about 20 times", "1.8e+01", []),
        ("\\(E[h^2] = 1/2\\) and \\(\\operatorname{Var}[W] = 2/n\\)", "", []),  # formula constants
        ("a signal of \\(2^{-15}\\)", "1e-3", ["2^{-15}"]),
        ("see [He et al. (2015)](bibliography.md#he2015), `fc1` and float32", "", []),
        ("![falls to 4e-11](figures/x.svg) in 2015", "", ["4e-11", "2015"]),
    ],
)
def test_the_audit_rules(prose, output, unmatched_numbers):
    assert audit(page_printing(output, prose)) == unmatched_numbers


def test_a_number_typed_in_a_printed_string_does_not_count():
    page = '20 entries\n\n```pycon\n>>> print(3, "of 20 entries")\n3 of 20 entries\n```\n'
    assert audit(page) == ["20"]
    computed = (
        '20 entries\n\n```pycon\n>>> print(3, "of", 4 * 5, "entries")\n3 of 20 entries\n```\n'
    )
    assert audit(computed) == []


def test_allow_lists_are_commented_used_and_needed():
    written = [Written(Number("30", Decimal(30), "decimal"), 9, "prose", "30 layers")]
    entry = Allowed(Number("30", Decimal(30), "decimal"), 3, "")
    with pytest.raises(AssertionError, match="no `# comment`"):
        check(Page(Path(ROOT / "docs/x.md"), written, [entry]), [])
    used = Allowed(Number("30", Decimal(30), "decimal"), 3, "layers")
    unused = Allowed(Number("31", Decimal(31), "decimal"), 4, "weight layers")
    with pytest.raises(AssertionError, match="not written on the page"):
        check(Page(Path(ROOT / "docs/x.md"), written, [used, unused]), [])
    printed = printed_numbers("30")
    needless = Allowed(Number("30", Decimal(30), "decimal"), 3, "layers")
    with pytest.raises(AssertionError, match="printed by a snippet already"):
        check(Page(Path(ROOT / "docs/x.md"), written, [needless]), printed)
