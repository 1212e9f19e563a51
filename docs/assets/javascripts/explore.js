// The page "Explore": controls, two charts, a table and a code block, all redrawn
// from the numbers vgp measured when the site was built (hooks/explore.py embeds
// them in the page as JSON). Nothing is computed here but the drawing. The state
// lives in the URL query (?activation=sigmoid&scale=1&depth=20&norm=none&residual=0).
(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const SCALE_NAMES = { 1: "LeCun", 2: "He" };

  // Python's f"{x:.2e}": JavaScript writes the exponent with one digit at least.
  function e2(x) {
    if (typeof x === "string") return x; // "inf" or "nan", as Python prints them
    return x.toExponential(2).replace(/e([+-])(\d)$/, "e$10$2");
  }

  function keyOf(state) {
    return [state.activation, state.scale, state.depth, state.norm, state.residual].join("|");
  }

  // Names of the weight layers, as vgp.mlp names them.
  function layerNames(state) {
    const names = [];
    for (let i = 1; i <= state.depth; i++) {
      names.push(state.residual && i > 1 ? `block${i}.block.fc${i}` : `fc${i}`);
    }
    names.push("out");
    return names;
  }

  // A state from a URL query: each value must be one the page offers, else the default's.
  function parseState(search, data) {
    const params = new URLSearchParams(search);
    const state = {};
    for (const [axis, values] of Object.entries(data.axes)) {
      const given = params.get(axis);
      const match = values.find((v) => String(v) === given ||
        (typeof v === "number" && given !== null && given.trim() !== "" && Number(given) === v));
      state[axis] = match === undefined ? data.default[axis] : match;
    }
    return state;
  }

  function query(state) {
    return "?" + new URLSearchParams(Object.entries(state).map(([k, v]) => [k, String(v)])).toString();
  }

  function el(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function scaleText(scale) {
    return SCALE_NAMES[scale] ? `${scale} (${SCALE_NAMES[scale]})` : String(scale);
  }

  // ---- controls: native inputs built from the axes the JSON lists ----------

  function radios(form, axis, legend, values, state) {
    const set = el("fieldset", { class: "vgp-explore__group" });
    set.append(el("legend", {}, legend));
    for (const value of values) {
      const id = `explore-${axis}-${value}`;
      const input = el("input", { type: "radio", name: axis, id, value: String(value) });
      input.checked = value === state[axis];
      const label = el("label", { for: id, class: "vgp-explore__choice" });
      label.append(input, document.createTextNode(" " + value));
      set.append(label);
    }
    form.append(set);
  }

  function slider(form, axis, legend, values, state, text) {
    const wrap = el("div", { class: "vgp-explore__group vgp-explore__slider" });
    const id = `explore-${axis}`;
    const label = el("label", { for: id }, legend + ": ");
    const output = el("output", { for: id, id: id + "-value" });
    label.append(output);
    const input = el("input", {
      type: "range", id, name: axis, min: "0", max: String(values.length - 1), step: "1",
    });
    input.value = String(values.indexOf(state[axis]));
    wrap.append(label, input);
    form.append(wrap);
    const show = () => {
      const value = values[Number(input.value)];
      output.textContent = text(value);
      input.setAttribute("aria-valuetext", text(value));
    };
    show();
    input.addEventListener("input", show);
  }

  function buildControls(form, data, state) {
    form.textContent = "";
    const axes = data.axes;
    radios(form, "activation", "Activation", axes.activation, state);
    slider(form, "scale", "Weight scale σw² (Var[W] × fan-in)", axes.scale, state, scaleText);
    slider(form, "depth", "Depth (hidden layers)", axes.depth, state, String);
    radios(form, "norm", "Normalisation", axes.norm, state);
    const skip = el("div", { class: "vgp-explore__group" });
    const box = el("input", { type: "checkbox", id: "explore-residual", name: "residual" });
    box.checked = state.residual === 1;
    const label = el("label", { for: "explore-residual", class: "vgp-explore__choice" });
    label.append(box, document.createTextNode(" Identity skips (residual)"));
    skip.append(label);
    form.append(skip);
  }

  function readControls(form, data) {
    const axes = data.axes;
    return {
      activation: form.querySelector("input[name=activation]:checked").value,
      scale: axes.scale[Number(form.elements.scale.value)],
      depth: axes.depth[Number(form.elements.depth.value)],
      norm: form.querySelector("input[name=norm]:checked").value,
      residual: form.elements.residual.checked ? 1 : 0,
    };
  }

  // ---- charts: hand-written SVG, log scale ----------------------------------

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function positive(values) {
    return values.filter((v) => typeof v === "number" && v > 0);
  }

  function chart(title, measured, theory, names) {
    const W = 360, H = 230, left = 52, right = 10, top = 30, bottom = 38;
    const all = positive(measured.concat(theory || []));
    if (!all.length) all.push(1); // every value 0: an empty chart, the table says so
    let lo = Math.floor(Math.log10(Math.min(...all)));
    let hi = Math.ceil(Math.log10(Math.max(...all)));
    if (hi - lo < 2) { lo -= 1; hi += 1; }
    const n = measured.length;
    const x = (i) => left + (n === 1 ? 0 : (i * (W - left - right)) / (n - 1));
    const y = (v) => top + ((hi - Math.log10(v)) * (H - top - bottom)) / (hi - lo);
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "vgp-explore__chart", role: "img" });
    const first = measured[0], last = measured[n - 1];
    root.setAttribute("aria-label", `${title}, log scale, layer 1 to the output layer: ` +
      `${e2(first)} at ${names[0]}, ${e2(last)} at ${names[n - 1]}. The table below lists every layer.`);
    root.append(svg("text", { x: left, y: 14, class: "vgp-explore__title" }, title));
    const step = Math.max(1, Math.ceil((hi - lo) / 6));
    for (let d = lo; d <= hi; d += step) {
      const yy = y(10 ** d);
      root.append(svg("line", { x1: left, x2: W - right, y1: yy, y2: yy, class: "vgp-explore__grid" }));
      root.append(svg("text", { x: left - 6, y: yy + 4, class: "vgp-explore__tick", "text-anchor": "end" }, `1e${d}`));
    }
    const ticks = new Set([0, n - 1]);
    const every = n > 30 ? 10 : n > 12 ? 5 : 2;
    for (let i = every - 1; i < n - 2; i += every) ticks.add(i);
    for (const i of ticks) {
      root.append(svg("text", { x: x(i), y: H - bottom + 16, class: "vgp-explore__tick", "text-anchor": "middle" },
        i === n - 1 ? "out" : String(i + 1)));
    }
    root.append(svg("text", { x: (left + W - right) / 2, y: H - 6, class: "vgp-explore__tick", "text-anchor": "middle" }, "layer"));
    const line = (values, cls) => {
      let d = "", pen = "M";
      values.forEach((v, i) => {
        if (typeof v === "number" && v > 0) { d += `${pen}${x(i).toFixed(1)},${y(v).toFixed(1)}`; pen = "L"; } else pen = "M";
      });
      root.append(svg("path", { d, class: cls }));
    };
    if (theory) line(theory, "vgp-explore__theory");
    line(measured, "vgp-explore__measured");
    measured.forEach((v, i) => {
      if (typeof v === "number" && v > 0) root.append(svg("circle", { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2.5, class: "vgp-explore__dot" }));
    });
    return root;
  }

  // ---- table, verdict, code --------------------------------------------------

  function table(names, row) {
    const theory = row.theory_grad_norms !== null;
    const t = el("table", { class: "vgp-explore__numbers" });
    t.append(el("caption", {}, "Per layer: the numbers the charts plot, as the code block below prints them" +
      (theory ? "" : " (no mean-field prediction with a norm or skips)")));
    const head = el("tr");
    for (const h of ["Layer", "‖∂L/∂W‖", "predicted", "activation std", "predicted"]) head.append(el("th", { scope: "col" }, h));
    const thead = el("thead");
    thead.append(head);
    t.append(thead);
    const body = el("tbody");
    names.forEach((name, i) => {
      const tr = el("tr");
      tr.append(el("th", { scope: "row" }, name));
      tr.append(el("td", {}, e2(row.grad_norms[i])));
      tr.append(el("td", {}, theory ? e2(row.theory_grad_norms[i]) : "-"));
      tr.append(el("td", {}, e2(row.act_stds[i])));
      tr.append(el("td", {}, theory && i < row.theory_act_stds.length ? e2(row.theory_act_stds[i]) : "-"));
      body.append(tr);
    });
    t.append(body);
    return t;
  }

  function verdict(node, state, row) {
    node.textContent = "";
    const words = el("strong", {}, "verdict: " + row.verdicts.join(", "));
    node.append(words, el("br"), document.createTextNode(row.finding));
    if (row.chi_1 !== null) {
      const chi = Number(row.chi_1);
      const trend = chi < 1 ? "below 1: the gradient shrinks layer by layer"
        : chi > 1 ? "above 1: the gradient grows layer by layer" : "1 to three digits: the critical point";
      node.append(el("br"), document.createTextNode(`chi_1 at layer ${state.depth}: ${row.chi_1} (${trend})`));
    } else {
      node.append(el("br"), document.createTextNode("No mean-field line: its recursion describes a plain net, without norm or skips."));
    }
  }

  function pythonValue(axis, value) {
    if (axis === "norm") return value === "none" ? ["None", "kc"] : [`"${value}"`, "s2"];
    if (axis === "residual") return [value ? "True" : "False", "kc"];
    if (axis === "activation") return [`"${value}"`, "s2"];
    if (axis === "scale") return [Number.isInteger(value) ? value.toFixed(1) : String(value), "mf"];
    return [String(value), "mi"];
  }

  // The code block's five assignments ("depth = 20" at the start of a line):
  // put the state's values in, keeping Pygments' token classes.
  function updateCode(code, state) {
    for (const name of code.querySelectorAll("span.n")) {
      const axis = name.textContent;
      if (!(axis in state)) continue;
      const before = name.previousSibling;
      if (before && !before.textContent.endsWith("\n")) continue;
      let eq = name.nextElementSibling;
      if (!eq || eq.textContent !== "=") continue;
      const value = eq.nextElementSibling;
      const [text, cls] = pythonValue(axis, state[axis]);
      value.textContent = text;
      value.className = cls;
    }
  }

  function findCode(root) {
    for (const code of root.querySelectorAll(".highlight code")) {
      if (/^activation = /m.test(code.textContent)) return code;
    }
    return null;
  }

  // ---- wiring ------------------------------------------------------------------

  function start(root) {
    const source = root.querySelector("#explore-data");
    if (!source || root.dataset.ready) return;
    root.dataset.ready = "1";
    const data = JSON.parse(source.textContent);
    const form = root.querySelector("#explore-controls");
    const charts = root.querySelector("#explore-charts");
    const tableBox = root.querySelector("#explore-table");
    const verdictBox = root.querySelector("#explore-verdict");
    const code = findCode(document);
    let state = parseState(window.location.search, data);
    buildControls(form, data, state);

    function render() {
      const t0 = performance.now();
      const shipped = data.states[keyOf(state)];
      const row = Object.fromEntries(data.fields.map((f, i) => [f, shipped[i]]));
      const names = layerNames(state);
      charts.replaceChildren(
        chart("Gradient norm ‖∂L/∂W‖", row.grad_norms, row.theory_grad_norms, names),
        chart("Activation std", row.act_stds, row.theory_act_stds, names),
      );
      tableBox.replaceChildren(table(names, row));
      verdict(verdictBox, state, row);
      if (code) updateCode(code, state);
      root.dataset.state = keyOf(state);
      root.dataset.renderMs = (performance.now() - t0).toFixed(2);
    }

    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("input", () => {
      state = readControls(form, data);
      window.history.replaceState(null, "", query(state) + window.location.hash);
      render();
    });
    render();
  }

  function init() {
    const root = document.getElementById("explore");
    if (root) start(root);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(init); // Material: on every page, instant navigation or not
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
