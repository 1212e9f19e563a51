// Render math with the vendored KaTeX: arithmatex's \( \) and \[ \] spans on
// Markdown pages, and $ / $$ in notebook Markdown cells. Runs on every page
// load, also after Material's instant navigation (document$).
function renderMath(root) {
  renderMathInElement(root, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
      { left: "$", right: "$", display: false },
    ],
    ignoredClasses: ["highlight", "md-search"],
    throwOnError: false,
  });
}

if (typeof document$ !== "undefined") {
  document$.subscribe(({ body }) => renderMath(body));
} else {
  document.addEventListener("DOMContentLoaded", () => renderMath(document.body));
}
