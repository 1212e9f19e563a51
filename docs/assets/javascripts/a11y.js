// Accessibility fixes for three things axe-core flags in Material's markup:
// the search dialog has no accessible name; every code block's copy button
// sits in a <nav>, one unnamed navigation landmark per block; and code blocks
// that scroll sideways cannot be reached with the keyboard.
function fixAccessibility(body) {
  body.querySelectorAll('.md-search[role="dialog"]:not([aria-label])').forEach((dialog) => {
    dialog.setAttribute("aria-label", "Search");
  });
  body.querySelectorAll("nav.md-code__nav:not([role])").forEach((nav) => {
    nav.setAttribute("role", "none"); // a copy button, not a navigation landmark
  });
  body.querySelectorAll(".md-code__content, .highlight pre > code, .katex-display, .md-typeset__scrollwrap").forEach((block) => {
    if (block.scrollWidth > block.clientWidth && !block.hasAttribute("tabindex")) {
      block.setAttribute("tabindex", "0");
    }
  });
}

if (typeof document$ !== "undefined") {
  document$.subscribe(({ body }) => fixAccessibility(body));
} else {
  document.addEventListener("DOMContentLoaded", () => fixAccessibility(document.body));
}
