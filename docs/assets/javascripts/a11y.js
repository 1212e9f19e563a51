// Accessibility fixes for two things axe-core flags in Material's markup:
// the search dialog has no accessible name, and code blocks that scroll
// sideways cannot be reached with the keyboard.
function fixAccessibility(body) {
  body.querySelectorAll('.md-search[role="dialog"]:not([aria-label])').forEach((dialog) => {
    dialog.setAttribute("aria-label", "Search");
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
