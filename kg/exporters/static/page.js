/* paperkg: the script of the interactive graph page written by kg/exporters/html.py.
 *
 * Everything that came from papers (names, aliases, titles, abstracts, evidence sentences) is
 * data: it is read with JSON.parse and reaches the DOM through textContent only, never through
 * innerHTML, and tooltips are our own element rather than vis-network's HTML-string titles.
 * For tests and the console: window.kgNetwork (the vis Network), window.kgNodes and
 * window.kgEdges (its DataSets), window.kgSelectNode(id), window.kgShowEdge(id), and
 * window.kgReady once laid out and drawn, with window.kgTimings.stable the milliseconds from
 * navigation start to that first drawing of the final layout.
 */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("kg-data").textContent);
  const nodeById = new Map(data.nodes.map((n) => [n.id, n]));
  const edgeById = new Map(data.edges.map((e) => [e.id, e]));
  const nodeStyle = new Map(data.node_kinds.map((k) => [k.kind, k]));
  const edgeStyle = new Map(data.edge_kinds.map((k) => [k.kind, k]));
  const edgesOf = new Map();
  for (const e of data.edges) {
    for (const end of [e.from, e.to]) {
      if (!edgesOf.has(end)) edgesOf.set(end, []);
      edgesOf.get(end).push(e);
    }
  }

  const $ = (id) => document.getElementById(id);
  const panel = $("kg-panel");
  const tip = $("kg-tip");
  const status = $("kg-status");

  /* An element with text set through textContent (never parsed as HTML). */
  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  }

  /* A 14px picture of a vis-network node shape, for the legend and the panel. */
  function shapeIcon(shape, color) {
    const box = svg("svg", { width: 14, height: 14, viewBox: "0 0 14 14", "aria-hidden": "true" });
    const paint = { fill: color, stroke: "#444", "stroke-width": 0.8 };
    const poly = (pts) => svg("polygon", Object.assign({ points: pts }, paint));
    const star = [];
    for (let i = 0; i < 10; i++) {
      const r = i % 2 ? 2.8 : 6.5;
      const a = Math.PI / 5 * i - Math.PI / 2;
      star.push((7 + r * Math.cos(a)).toFixed(2) + "," + (7.4 + r * Math.sin(a)).toFixed(2));
    }
    const shapes = {
      dot: () => svg("circle", Object.assign({ cx: 7, cy: 7, r: 6 }, paint)),
      square: () => svg("rect", Object.assign({ x: 1.5, y: 1.5, width: 11, height: 11 }, paint)),
      diamond: () => poly("7,0.5 13.5,7 7,13.5 0.5,7"),
      triangle: () => poly("7,1 13.5,12.5 0.5,12.5"),
      triangleDown: () => poly("0.5,1.5 13.5,1.5 7,13"),
      hexagon: () => poly("3.5,1 10.5,1 13.8,7 10.5,13 3.5,13 0.2,7"),
      star: () => poly(star.join(" ")),
    };
    box.appendChild((shapes[shape] || shapes.dot)());
    return box;
  }

  function lineIcon(style) {
    const box = svg("svg", { width: 28, height: 10, viewBox: "0 0 28 10", "aria-hidden": "true" });
    const line = svg("line", {
      x1: 1, y1: 5, x2: 27, y2: 5, stroke: style.color, "stroke-width": Math.max(1, style.width),
    });
    if (Array.isArray(style.dashes)) line.setAttribute("stroke-dasharray", style.dashes.join(" "));
    box.appendChild(line);
    return box;
  }

  function kindBadge(kind) {
    const style = nodeStyle.get(kind) || { shape: "dot", color: "#999" };
    const badge = el("span", null, "kg-badge");
    badge.appendChild(shapeIcon(style.shape, style.color));
    badge.appendChild(el("span", kind));
    return badge;
  }

  /* ---- the network ---------------------------------------------------------------------- */

  const nodes = new vis.DataSet(data.nodes);
  const edges = new vis.DataSet(data.edges);
  const container = $("kg-network");
  const network = new vis.Network(container, { nodes, edges }, data.options);
  window.kgNetwork = network;
  window.kgNodes = nodes;
  window.kgEdges = edges;
  window.kgReady = false;
  window.kgTimings = { script: performance.now(), stable: null };

  $("kg-counts").textContent =
    data.nodes.length + " nodes · " + data.edges.length + " edges";

  /* Ready means laid out for good and drawn: the next drawing after the layout is final. */
  function ready() {
    const done = () => {
      if (window.kgReady) return;
      window.kgTimings.stable = performance.now();
      window.kgReady = true;
      const loading = $("kg-loading");
      if (loading) loading.remove();
      selectFocus();
    };
    // Later, not now: the rest of this script (panel, legend) must be set up first.
    if (data.nodes.length === 0) {
      setTimeout(done, 0);
      return;
    }
    network.once("afterDrawing", done);
    requestAnimationFrame(() => network.redraw());
  }
  if (data.physics && data.nodes.length > 0) {
    const loading = el("div", "Laying out…", null);
    loading.id = "kg-loading";
    container.appendChild(loading);
    network.on("stabilizationProgress", (p) => {
      loading.textContent = "Laying out… " + Math.round((100 * p.iterations) / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", () => {
      network.stopSimulation(); // still from here on; dragging a node wakes the physics again
      network.fit();
      ready();
    });
  } else {
    ready();
  }

  /* ---- tooltips: our own element, filled with textContent -------------------------------- */

  function showTip(parts, event) {
    tip.replaceChildren(...parts);
    tip.style.display = "block";
    const x = event && event.clientX !== undefined ? event.clientX : 0;
    const y = event && event.clientY !== undefined ? event.clientY : 0;
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    tip.style.left = Math.max(4, Math.min(x + 14, window.innerWidth - w - 4)) + "px";
    tip.style.top = Math.max(4, Math.min(y + 14, window.innerHeight - h - 4)) + "px";
  }
  function hideTip() {
    tip.style.display = "none";
    tip.replaceChildren();
  }

  function firstEvidence(e) {
    const ev = (e.attrs && e.attrs.evidence) || [];
    return ev.length ? ev[0].text : "";
  }

  /* A quoted evidence sentence with the mention in a <mark>: text nodes and one element built
   * here, so nothing in the sentence is ever parsed as HTML. A mark that does not fit the
   * sentence (not two integers within it) is ignored and the sentence shown plain. */
  function evidenceBlock(text, mark) {
    const block = el("div", null, "kg-evidence");
    const ok = Array.isArray(mark) && mark.length === 2 && Number.isInteger(mark[0]) &&
      Number.isInteger(mark[1]) && mark[0] >= 0 && mark[0] < mark[1] && mark[1] <= text.length;
    if (ok) {
      block.append("“" + text.slice(0, mark[0]));
      block.appendChild(el("mark", text.slice(mark[0], mark[1])));
      block.append(text.slice(mark[1]) + "”");
    } else {
      block.textContent = "“" + text + "”";
    }
    return block;
  }

  function markOf(e, i) {
    return Array.isArray(e.marks) ? e.marks[i] : null;
  }

  network.on("hoverNode", (p) => {
    const n = nodeById.get(p.node);
    if (!n) return;
    const parts = [el("div", n.name, "kg-tip-name"), el("div", n.kind, "kg-tip-sub")];
    if (n.aliases.length) parts.push(el("div", "also: " + n.aliases.join(", "), "kg-tip-sub"));
    showTip(parts, p.event);
  });
  network.on("hoverEdge", (p) => {
    const e = edgeById.get(p.edge);
    if (!e) return;
    const from = nodeById.get(e.from);
    const to = nodeById.get(e.to);
    const parts = [
      el("div", e.kind, "kg-tip-name"),
      el("div", (from ? from.name : e.from) + " → " + (to ? to.name : e.to), "kg-tip-sub"),
    ];
    const text = firstEvidence(e);
    if (text) parts.push(evidenceBlock(text, markOf(e, 0)));
    showTip(parts, p.event);
  });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  /* ---- side panel ------------------------------------------------------------------------ */

  const PAPER_FIELDS = [
    ["title", "Title"], ["date", "Date"], ["authors", "Authors"], ["author_count", "Authors (count)"],
    ["organization", "Organization"], ["upvotes", "Upvotes"], ["arxiv_id", "arXiv"],
    ["doi", "DOI"], ["url", "URL"], ["link_kind", "Link kind"], ["sources", "Sources"],
  ];
  const SHOWN = new Set(["kind", "name", "aliases", "abstract"].concat(PAPER_FIELDS.map((f) => f[0])));

  function asText(value) {
    if (Array.isArray(value)) return value.map(asText).join(", ");
    if (value !== null && typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function valueNode(key, value) {
    // Only http(s) URLs become links; anything else (javascript:, data:...) stays text.
    if (key === "url" && typeof value === "string" && /^https?:\/\//i.test(value)) {
      const a = el("a", value);
      a.href = value;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    return document.createTextNode(asText(value));
  }

  function fieldList(rows) {
    const dl = el("dl");
    for (const [label, key, value] of rows) {
      dl.appendChild(el("dt", label));
      const dd = el("dd");
      dd.appendChild(valueNode(key, value));
      dl.appendChild(dd);
    }
    return dl;
  }

  function nodeButton(id) {
    const n = nodeById.get(id);
    const b = el("button", n ? n.name : id, "kg-linkbtn");
    b.type = "button";
    b.addEventListener("click", () => selectNode(id));
    return b;
  }

  function evidenceItems(e) {
    const out = [];
    ((e.attrs && e.attrs.evidence) || []).forEach((ev, i) => {
      if (ev && typeof ev.text === "string" && ev.text) out.push(evidenceBlock(ev.text, markOf(e, i)));
    });
    const meta = [];
    if (e.attrs) {
      if (typeof e.attrs.confidence === "number") meta.push("confidence " + e.attrs.confidence.toFixed(2));
      if (e.attrs.extractor) meta.push("by " + e.attrs.extractor);
      if (e.attrs.relation) meta.push(String(e.attrs.relation));
    }
    if (meta.length) out.push(el("div", meta.join(" · "), "kg-meta"));
    return out;
  }

  /* "2024-03-11 · Acme Labs": how a paper is told apart in a list (date, organization). */
  function paperMeta(n) {
    const a = n.attrs || {};
    return [a.date, a.organization].filter((v) => v !== undefined && v !== null && v !== "")
      .map(asText).join(" · ");
  }

  function showNode(id) {
    const n = nodeById.get(id);
    if (!n) return;
    const a = n.attrs || {};
    const parts = [kindBadge(n.kind), el("h2", n.name)];
    const rows = [];
    if (n.aliases.length) rows.push(["Aliases", "aliases", n.aliases]);
    if (n.kind !== "Paper") rows.push(["Papers", "papers", n.papers + " in the whole graph"]);
    for (const [key, label] of PAPER_FIELDS) {
      if (a[key] === undefined || a[key] === null || a[key] === "") continue;
      if (key === "title" && a.title === n.name) continue;
      rows.push([label, key, a[key]]);
    }
    for (const key of Object.keys(a).sort()) {
      if (!SHOWN.has(key) && a[key] !== null && a[key] !== "") rows.push([key, key, a[key]]);
    }
    if (rows.length) parts.push(fieldList(rows));
    if (a.abstract) {
      parts.push(el("h3", "Abstract"));
      parts.push(el("p", a.abstract, "kg-abstract"));
    }

    // Connections, grouped by edge kind and direction: a paper's entities, an entity's papers.
    const groups = new Map();
    for (const e of edgesOf.get(id) || []) {
      const out = e.from === id;
      const key = (out ? "out:" : "in:") + e.kind;
      if (!groups.has(key)) groups.set(key, { out, kind: e.kind, edges: [] });
      groups.get(key).edges.push(e);
    }
    const order = data.edge_kinds.map((k) => k.kind);
    const sorted = Array.from(groups.values()).sort(
      (x, y) => order.indexOf(x.kind) - order.indexOf(y.kind) || (x.out === y.out ? 0 : x.out ? -1 : 1)
    );
    for (const g of sorted) {
      const style = edgeStyle.get(g.kind) || {};
      const heading = el("h3", (g.out ? style.out : style.in) || g.kind);
      heading.appendChild(document.createTextNode(" (" + g.edges.length + ")"));
      parts.push(heading);
      const ul = el("ul");
      for (const e of g.edges) {
        const other = g.out ? e.to : e.from;
        const li = el("li");
        const o = nodeById.get(other);
        li.appendChild(nodeButton(other));
        if (o && o.kind === "Paper") {
          const meta = paperMeta(o);
          if (meta) li.appendChild(el("div", meta, "kg-meta kg-paper-meta"));
        } else if (o) {
          li.appendChild(el("span", " · " + o.kind, "kg-meta"));
        }
        for (const item of evidenceItems(e)) li.appendChild(item);
        ul.appendChild(li);
      }
      parts.push(ul);
    }
    panel.replaceChildren(...parts);
    panel.scrollTop = 0;
  }

  function showEdge(id) {
    const e = edgeById.get(id);
    if (!e) return;
    const style = edgeStyle.get(e.kind) || {};
    const head = el("span", null, "kg-badge");
    head.appendChild(lineIcon(style));
    head.appendChild(el("span", e.kind));
    const route = el("p");
    route.appendChild(nodeButton(e.from));
    route.appendChild(document.createTextNode(" → "));
    route.appendChild(nodeButton(e.to));
    const parts = [head, el("h2", style.out || e.kind), route];
    const a = e.attrs || {};
    const rows = [];
    for (const key of Object.keys(a).sort()) {
      if (key !== "evidence" && key !== "kind" && a[key] !== null && a[key] !== "") rows.push([key, key, a[key]]);
    }
    if (rows.length) parts.push(fieldList(rows));
    const evidence = (a.evidence || [])
      .map((ev, i) => [ev, markOf(e, i)])
      .filter(([ev]) => ev && typeof ev.text === "string" && ev.text);
    if (evidence.length) {
      parts.push(el("h3", "Evidence"));
      const ul = el("ul");
      for (const [ev, mark] of evidence) {
        const li = el("li");
        li.appendChild(evidenceBlock(ev.text, mark));
        if (ev.start !== undefined) li.appendChild(el("div", "characters " + ev.start + "–" + ev.end + " of the paper's text", "kg-meta"));
        ul.appendChild(li);
      }
      parts.push(ul);
    }
    panel.replaceChildren(...parts);
    panel.scrollTop = 0;
  }
  window.kgShowEdge = showEdge;

  function clearPanel() {
    panel.replaceChildren(el("p", "Click a node or an edge, or search for a name, to see its details here.", "hint"));
  }

  network.on("click", (p) => {
    hideTip();
    if (p.nodes.length) showNode(p.nodes[0]);
    else if (p.edges.length) showEdge(p.edges[0]);
    else clearPanel();
  });

  /* ---- legend: node kinds (click to hide/show) and edge kinds ----------------------------- */

  const hiddenKinds = new Set();
  function setKindHidden(kind, hidden) {
    if (hidden) hiddenKinds.add(kind);
    else hiddenKinds.delete(kind);
    const updates = [];
    for (const n of data.nodes) if (n.kind === kind) updates.push({ id: n.id, hidden });
    nodes.update(updates);
    const item = document.querySelector('#kg-legend-nodes li[data-kind="' + kind + '"]');
    if (item) item.classList.toggle("kg-off", hidden);
  }

  for (const k of data.node_kinds) {
    const li = el("li", null, "kg-toggle");
    li.dataset.kind = k.kind;
    li.title = "Hide or show " + k.kind + " nodes";
    li.appendChild(shapeIcon(k.shape, k.color));
    li.appendChild(el("span", k.kind));
    li.appendChild(el("span", k.count, "kg-count"));
    li.addEventListener("click", () => setKindHidden(k.kind, !hiddenKinds.has(k.kind)));
    $("kg-legend-nodes").appendChild(li);
  }
  for (const k of data.edge_kinds) {
    const li = el("li");
    li.appendChild(lineIcon(k));
    li.appendChild(el("span", k.kind.replace(/_/g, " ").toLowerCase()));
    li.appendChild(el("span", k.count, "kg-count"));
    $("kg-legend-edges").appendChild(li);
  }

  /* ---- selection and search --------------------------------------------------------------- */

  function selectNode(id) {
    const n = nodeById.get(id);
    if (!n) return false;
    if (hiddenKinds.has(n.kind)) setKindHidden(n.kind, false);
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 400 } });
    showNode(id);
    return true;
  }
  window.kgSelectNode = selectNode;

  /* A focused view opens with its subject selected and described, the layout left as fitted. */
  function selectFocus() {
    const id = (data.focus || []).find((f) => nodeById.has(f));
    if (id === undefined) return;
    network.selectNodes([id]);
    showNode(id);
  }

  // Names compared without case, spaces, hyphens or punctuation: "Net-Mamba" finds "NetMamba".
  const compact = (s) => String(s).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
  const index = data.nodes.map((n) => ({
    id: n.id,
    degree: (edgesOf.get(n.id) || []).length,
    keys: [n.name].concat(n.aliases).map(compact).filter((k) => k.length > 0),
  }));

  function search(query) {
    const q = compact(query);
    if (!q) return [];
    const hits = [];
    for (const entry of index) {
      let rank = 3;
      for (const k of entry.keys) {
        if (k === q) rank = Math.min(rank, 0);
        else if (k.startsWith(q)) rank = Math.min(rank, 1);
        else if (k.includes(q)) rank = Math.min(rank, 2);
      }
      if (rank < 3) hits.push({ id: entry.id, rank, degree: entry.degree });
    }
    hits.sort((x, y) => x.rank - y.rank || y.degree - x.degree);
    return hits.map((h) => h.id);
  }

  let lastQuery = null;
  let matches = [];
  let position = -1;
  $("kg-search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = $("kg-search").value;
    if (query !== lastQuery) {
      lastQuery = query;
      matches = search(query);
      position = -1;
    }
    if (!matches.length) {
      status.textContent = query.trim() ? "No node matches “" + query.trim() + "”" : "";
      return;
    }
    position = (position + 1) % matches.length;
    const id = matches[position];
    selectNode(id);
    const n = nodeById.get(id);
    status.textContent = n.name + " (" + n.kind + ")" +
      (matches.length > 1 ? " · match " + (position + 1) + " of " + matches.length + ", Enter for next" : "");
  });
})();
