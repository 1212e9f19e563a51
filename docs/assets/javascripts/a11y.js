// Accessibility fixes for four things axe-core flags in Material's markup:
// the search dialog has no accessible name; every code block's copy button
// sits in a <nav>, one unnamed navigation landmark per block; every nested
// level of a table of contents is a <nav> of its own, named after its heading,
// so two headings with one name (the API's vgp.Probe and vgp.probe.Probe) make
// two landmarks with one name; and code blocks that scroll sideways cannot be
// reached with the keyboard.
function unlandmark(nav) {
  nav.setAttribute("role", "none"); // a copy button, not a navigation landmark
}

function scrolls(block) {
  return block.scrollWidth > block.clientWidth;
}

const later = window.requestIdleCallback || ((callback) => setTimeout(callback, 1));

// Give every block that scrolls sideways a tab stop. The blocks far from the
// screen are held unlaid-out (hooks/page_load.py), and asking a block for its
// width lays it out: asked all at once, that would lay out the whole page in
// one long task. So: slices of about 8 ms in idle time, each reading
// its blocks' widths before writing any tabindex (a write between two reads
// would void the layout).
function markScrolling(blocks) {
  let next = 0;
  const slice = () => {
    const start = performance.now();
    const scrolling = [];
    while (next < blocks.length && performance.now() - start < 8) {
      const block = blocks[next++];
      if (!block.hasAttribute("tabindex") && scrolls(block)) scrolling.push(block);
    }
    scrolling.forEach((block) => block.setAttribute("tabindex", "0"));
    if (next < blocks.length) later(slice);
    else document.body.setAttribute("data-scroll-checked", "");
  };
  later(slice);
}

function fixAccessibility(body) {
  body.querySelectorAll('.md-search[role="dialog"]:not([aria-label])').forEach((dialog) => {
    dialog.setAttribute("aria-label", "Search");
  });
  body.querySelectorAll("nav.md-code__nav:not([role])").forEach(unlandmark);
  body.querySelectorAll("[data-md-component='toc'] nav.md-nav:not([role])").forEach((nav) => {
    // A level of the page's table of contents, which is the landmark: no role and
    // no name of its own (a name would make role="none" void).
    nav.removeAttribute("aria-label");
    nav.setAttribute("role", "none");
  });
  markScrolling(Array.from(body.querySelectorAll(
    ".md-code__content, .highlight pre > code, .arithmatex, .katex-display, .md-typeset__scrollwrap")));
}

// Material mounts a code block only when it comes into view (mkdocs.yml's
// content.lazy): it then adds the copy button's <nav> (unnamed here as it
// comes) and sets the block's tabindex from its own check, which removes it
// where the screen has no hover (a phone): put it back on a block that scrolls.
new MutationObserver((records) => {
  for (const record of records) {
    if (record.type === "attributes") {
      const block = record.target;
      if (!block.hasAttribute("tabindex") && block.matches(".highlight pre > code") && scrolls(block)) {
        block.setAttribute("tabindex", "0");
      }
      continue;
    }
    for (const node of record.addedNodes) {
      if (node.nodeType === 1 && node.matches("nav.md-code__nav:not([role])")) unlandmark(node);
    }
  }
}).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["tabindex"] });

if (typeof document$ !== "undefined") {
  document$.subscribe(({ body }) => fixAccessibility(body));
} else {
  document.addEventListener("DOMContentLoaded", () => fixAccessibility(document.body));
}
