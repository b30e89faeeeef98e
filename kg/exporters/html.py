"""Interactive HTML export: one self-contained page that works opened from disk, offline.

The page holds everything it needs: the vis-network library (``static/vis-network.min.js``,
shipped in the package), our own script (``static/page.js``), our template
(``static/page.html``) and the graph as JSON. Nothing is linked from a CDN, so the page opens
with no network, and a Content-Security-Policy with the hashes of its two scripts stops anything
else from running or loading.

Text from papers is data, never markup: it travels in a ``<script type="application/json">``
block with ``<``, ``>`` and ``&`` escaped (so no title can close the block), and the page's script
puts it into the DOM with ``textContent`` only. Tooltips and the side panel are built the same
way, never with vis-network's HTML-string titles.

Why not pyvis's ``Network``: its template links Bootstrap and vis-network from CDNs even with
``cdn_resources="in_line"``, and ``Network.add_edge`` looks each end up in a list of node ids, so
building the data costs O(nodes x edges) (1.8 s for 5,000 nodes and 20,000 edges, and growing as
the product). The node and edge records it would make are plain dicts in vis-network's format, so
they are built here directly.

Focused views (:mod:`kg.views`) are drawn with :func:`write_view`: the header says what the view
left out, the focus node is selected when the page opens, and entity sizes count the papers of
the whole graph, not only those in the view.

Layout: up to ``LARGE_GRAPH`` nodes the browser lays the graph out with vis-network's physics and
stops once stabilized. Above that (or with ``physics=False``) positions are computed here by
:func:`force_layout` with a fixed seed and physics is off, so a big page opens at once instead of
freezing the browser while it simulates. Above ``LARGE_GRAPH`` edges are also drawn solid (kind
told by colour and width): dashed lines cost about 40 % of a frame at 5,000 nodes in Chromium.
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import hashlib
import html
import json
import math
import re
from collections import Counter
from collections.abc import Hashable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import networkx as nx

from kg.atomic import atomic_write
from kg.errors import ExportError
from kg.exporters import register
from kg.highlight import mention_span, utf16_span
from kg.model import paper_text
from kg.schema import EDGE_KINDS, NODE_KINDS, PAPER

if TYPE_CHECKING:
    from kg.views import View

__all__ = [
    "LARGE_GRAPH",
    "force_layout",
    "graph_data",
    "render_html",
    "render_view",
    "write_html",
    "write_view",
]

#: Above this many nodes the layout is computed in Python and the browser's physics is off.
LARGE_GRAPH = 1000

#: Seed of every random choice in the layout, so the same graph gives the same page.
LAYOUT_SEED = 7

# Colour and vis-network shape per node kind. Only shapes whose size vis-network scales (not
# "box"/"ellipse", which size to their label) so a node's size can show its degree.
NODE_STYLES: dict[str, dict[str, str]] = {
    "Paper": {"color": "#4e79a7", "shape": "square"},
    "Model": {"color": "#f28e2b", "shape": "dot"},
    "Dataset": {"color": "#59a14f", "shape": "diamond"},
    "Method": {"color": "#b07aa1", "shape": "triangle"},
    "Task": {"color": "#d4b000", "shape": "star"},
    "Metric": {"color": "#9c755f", "shape": "dot"},  # seven scalable shapes; colour tells
    "Organization": {"color": "#e15759", "shape": "hexagon"},
    "Link": {"color": "#76b7b2", "shape": "triangleDown"},
}

# Line style per edge kind, and how the side panel names the edge seen from each end.
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "PROPOSES": {"color": "#2f4b7c", "width": 3.5, "dashes": False,
                 "out": "Proposes", "in": "Proposed by"},
    "USES": {"color": "#8c8c8c", "width": 1.5, "dashes": [6, 4],
             "out": "Uses", "in": "Used by"},
    "ADDRESSES": {"color": "#b39500", "width": 1.5, "dashes": [2, 4],
                  "out": "Addresses", "in": "Addressed by"},
    "REPORTS": {"color": "#9c755f", "width": 1.0, "dashes": [1, 3],
                "out": "Reports", "in": "Reported by"},
    "AFFILIATED_WITH": {"color": "#e15759", "width": 1.0, "dashes": False,
                        "out": "Affiliated with", "in": "Affiliated papers"},
    "HAS_LINK": {"color": "#4a9a94", "width": 1.0, "dashes": [10, 4],
                 "out": "Links", "in": "Linked from"},
    "VARIANT_OF": {"color": "#f28e2b", "width": 2.0, "dashes": False,
                   "out": "Variant of", "in": "Variants"},
    "HOSTED_BY": {"color": "#76b7b2", "width": 1.0, "dashes": [2, 2],
                  "out": "Hosted by", "in": "Hosts"},
}

#: Drawn size of a paper: fixed, so the entities' sizes (their number of papers) stand out.
PAPER_SIZE = 12.0

_LABEL_MAX = 40  # characters of a node's name drawn on the canvas; the panel shows all of it
_STATIC = "static"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def write_html(
    graph: nx.MultiDiGraph,
    path: str | Path | TextIO,
    *,
    title: str = "paperkg",
    physics: bool | None = None,
    note: str = "",
    focus: tuple[str, ...] = (),
    paper_counts: Mapping[Hashable, int] | None = None,
) -> None:
    """Write ``graph`` as one interactive HTML page that needs no network.

    Args:
        graph: a graph in the shape ``kg.schema`` describes.
        path: the file to write (atomically: a failed export leaves the old file as it was), or
            an open text file to write into.
        title: the page's title, shown as text.
        physics: ``None`` lets the graph's size decide (physics up to ``LARGE_GRAPH`` nodes,
            a precomputed layout above); ``True``/``False`` force the browser's physics on/off.
        note: a line for the page header (what a view shows and left out).
        focus: nodes selected when the page opens (the first one's details fill the panel).
        paper_counts: entity -> number of papers, for node sizes; counted in ``graph`` when
            not given (a view passes the whole graph's counts).

    Raises:
        ExportError: a node or edge has a ``kind`` outside ``kg.schema``.
    """
    page = render_html(graph, title=title, physics=physics, note=note, focus=focus,
                       paper_counts=paper_counts)
    _write(page, path)


def write_view(view: View, path: str | Path | TextIO, *, physics: bool | None = None) -> None:
    """Write a :class:`kg.views.View` as a page: its title, its note, its focus selected."""
    _write(render_view(view, physics=physics), path)


def render_view(view: View, *, physics: bool | None = None) -> str:
    """The page :func:`write_view` writes, as a string (a notebook shows it in an iframe)."""
    return render_html(view.graph, title=view.title, physics=physics, note=view.note,
                       focus=view.focus, paper_counts=view.paper_counts)


def _write(page: str, path: str | Path | TextIO) -> None:
    if hasattr(path, "write"):
        path.write(page)  # type: ignore[union-attr]
        return
    with atomic_write(Path(path)) as handle:  # type: ignore[arg-type]
        handle.write(page)


@register("html")
def _write_html_registered(graph: nx.MultiDiGraph, path: Path) -> None:
    """``export(graph, "html", path)``: :func:`write_html` with its defaults."""
    write_html(graph, path)


def render_html(
    graph: nx.MultiDiGraph,
    *,
    title: str = "paperkg",
    physics: bool | None = None,
    note: str = "",
    focus: tuple[str, ...] = (),
    paper_counts: Mapping[Hashable, int] | None = None,
) -> str:
    """The page :func:`write_html` writes, as a string (for notebooks and tests)."""
    vis_js = _asset("vis-network.min.js")
    app_js = _asset("page.js")
    data = graph_data(graph, title=title, physics=physics, note=note, focus=focus,
                      paper_counts=paper_counts)
    values = {
        "title": html.escape(title),
        "note": html.escape(note),
        "csp": _content_security_policy(vis_js, app_js),
        "data": script_json(data),
        "vis_js": vis_js,
        "app_js": app_js,
    }
    # One pass over the template only: text put in is never scanned for placeholders again.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _asset("page.html"))


def graph_data(
    graph: nx.MultiDiGraph,
    *,
    title: str = "paperkg",
    physics: bool | None = None,
    note: str = "",
    focus: tuple[str, ...] = (),
    paper_counts: Mapping[Hashable, int] | None = None,
) -> dict[str, Any]:
    """The JSON the page reads: vis-network nodes, edges and options, plus legend tables.

    Every node and edge keeps all its attributes under ``attrs`` (made JSON-safe), so the page
    loses nothing the graph holds; the vis-network fields (label, group, size, x/y, dashes...)
    sit beside them. An entity's ``papers`` is its number of papers (its size grows with it);
    an edge's ``marks`` gives, per evidence sentence, where the mention sits in it (UTF-16
    offsets, as JavaScript slices strings) or ``null``.
    """
    if physics not in (None, True, False):
        raise TypeError(f"physics must be None, True or False, not {physics!r}")
    n_nodes = graph.number_of_nodes()
    large = n_nodes > LARGE_GRAPH
    use_physics = (not large) if physics is None else physics
    positions = {} if use_physics else force_layout(graph, seed=LAYOUT_SEED)
    ids = {node: _vis_id(node) for node in graph}
    counts = paper_counts if paper_counts is not None else _paper_counts(graph)

    nodes: list[dict[str, Any]] = []
    for node, attrs in graph.nodes(data=True):
        kind = attrs.get("kind")
        if kind not in NODE_STYLES:
            raise ExportError(
                f"node {node!r} has kind {kind!r}; the HTML exporter draws {', '.join(NODE_KINDS)}"
            )
        name = str(attrs.get("name") or attrs.get("title") or node)
        n_papers = 0 if kind == PAPER else int(counts.get(node, 0))
        record: dict[str, Any] = {
            "id": ids[node],
            "label": _short(name),
            "group": kind,
            "size": PAPER_SIZE if kind == PAPER else node_size(n_papers),
            "kind": kind,
            "papers": n_papers,
            "name": name,
            "aliases": [str(a) for a in attrs.get("aliases") or ()],
            "attrs": _plain(dict(attrs)),
        }
        if positions and n_papers > 1:
            record["font"] = {"size": label_size(n_papers, n_nodes)}
        if node in positions:
            record["x"], record["y"] = positions[node]
        nodes.append(record)

    edges: list[dict[str, Any]] = []
    for i, (u, v, key, attrs) in enumerate(graph.edges(keys=True, data=True)):
        kind = attrs.get("kind", key)
        style = EDGE_STYLES.get(kind)
        if style is None:
            raise ExportError(
                f"edge {u!r} -> {v!r} has kind {kind!r}; the HTML exporter draws "
                f"{', '.join(EDGE_KINDS)}"
            )
        edges.append({
            "id": f"e{i}",
            "from": ids[u],
            "to": ids[v],
            "kind": kind,
            "arrows": "to",
            "width": style["width"],
            "dashes": False if large else style["dashes"],
            "color": {"color": style["color"], "highlight": "#222222", "hover": style["color"],
                      "opacity": 0.85},
            "attrs": _plain(dict(attrs)),
            "marks": _marks(graph, u, v, attrs.get("evidence")),
        })

    node_counts = Counter(n["kind"] for n in nodes)
    edge_counts = Counter(e["kind"] for e in edges)
    return {
        "title": title,
        "note": note,
        "focus": [ids[f] for f in focus if f in ids],
        "physics": use_physics,
        "nodes": nodes,
        "edges": edges,
        "options": _options(n_nodes, use_physics),
        "node_kinds": [
            {"kind": k, **NODE_STYLES[k], "count": node_counts[k]} for k in NODE_KINDS
        ],
        "edge_kinds": [
            {"kind": k, **EDGE_STYLES[k], "dashes": False if large else EDGE_STYLES[k]["dashes"],
             "count": edge_counts[k]}
            for k in EDGE_KINDS
        ],
    }


def node_size(papers: int) -> float:
    """Drawn size of an entity linked to ``papers`` papers: grows with the square root, capped.

    >>> node_size(0), node_size(4), node_size(10_000)
    (10.0, 18.0, 45.0)
    """
    return round(min(45.0, 10.0 + 4.0 * math.sqrt(papers)), 2)


def label_size(papers: int, n_nodes: int) -> float:
    """Font size of an entity's label on a precomputed layout of ``n_nodes`` nodes.

    Zoomed out to the whole layout (:func:`force_layout` makes it about ``70 * sqrt(n)`` px
    across, so the view's scale is about ``10 / sqrt(n)``) the label should show
    ``3 + 2 * sqrt(papers)`` px high. vis-network skips labels under 8 px (the
    ``drawThreshold`` set in :func:`_options`), so the overview names its hubs (seven papers
    and more) and nothing else, and caps labels at 20 px on screen (``maxVisible``) when
    zoomed in.

    >>> label_size(1, 100), label_size(9, 10_000), label_size(36, 10_000)
    (14.0, 90.0, 150.0)
    """
    overview_scale = min(1.0, 10.0 / math.sqrt(max(n_nodes, 1)))
    return round(max(14.0, (3.0 + 2.0 * math.sqrt(papers)) / overview_scale), 1)


def _paper_counts(graph: nx.MultiDiGraph) -> dict[Hashable, int]:
    """Entity -> distinct papers with an edge to it, in ``graph`` itself."""
    return {
        node: sum(1 for p in set(graph.predecessors(node)) if graph.nodes[p].get("kind") == PAPER)
        for node, kind in graph.nodes(data="kind") if kind != PAPER
    }


def _marks(graph: nx.MultiDiGraph, u: Hashable, v: Hashable, evidence: Any) -> list[Any]:
    """Per evidence record, ``[start, end]`` of the mention in its sentence, or ``None``.

    Offsets index the paper's text (title, blank line, abstract) when ``u`` is a paper; the
    entity's name and aliases are the fall-back (see :mod:`kg.highlight`).
    """
    if not isinstance(evidence, list):
        return []
    source, target = graph.nodes[u], graph.nodes[v]
    text = ""
    if source.get("kind") == PAPER:
        text = paper_text(str(source.get("title") or ""), str(source.get("abstract") or ""))
    names = [str(target.get("name") or ""), *(str(a) for a in target.get("aliases") or ())]
    marks: list[Any] = []
    for ev in evidence:
        sentence = ev.get("text") if isinstance(ev, Mapping) else None
        if not isinstance(sentence, str):
            marks.append(None)
            continue
        span = mention_span(text, sentence, ev.get("start"), ev.get("end"), names)
        marks.append(list(utf16_span(sentence, span)) if span else None)
    return marks


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e``, ``\\u0026`` (and the JS line
    separators U+2028/U+2029 are escaped too), so no string in the data can close the element
    or start a comment; ``JSON.parse`` gives the strings back unchanged.

    >>> script_json({"t": "</script><b>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def force_layout(
    graph: nx.Graph, *, seed: int = LAYOUT_SEED, iterations: int = 60
) -> dict[Hashable, tuple[float, float]]:
    """Node positions in pixels from a force-directed layout that scales to large graphs.

    Fruchterman-Reingold forces, with the repulsion computed on nested grids as in Barnes-Hut:
    nodes in neighbouring cells of the finest grid repel each other exactly, groups further
    away through their centres of mass (see :func:`_repulsion`), so an iteration costs about
    O(nodes + edges) instead of O(nodes^2). A pull towards the centre keeps separate
    components together. It needs only numpy: networkx's ``spring_layout`` needs scipy past
    500 nodes and ``forceatlas2_layout`` is O(nodes^2) in time and memory. The same graph and
    seed always give the same positions.
    """
    import numpy as np  # only big or physics-free pages need it

    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted({
        (min(index[u], index[v]), max(index[u], index[v]))
        for u, v in graph.edges() if u != v
    })
    src = np.array([p[0] for p in pairs], dtype=np.intp)
    dst = np.array([p[1] for p in pairs], dtype=np.intp)

    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2)) - 0.5
    k = 1.0 / math.sqrt(n)  # ideal edge length when the graph fills a unit square
    k2 = k * k
    min_d2 = (0.01 * k) ** 2
    # Finest grid: about two nodes per cell on average, between 8 x 8 and 128 x 128.
    finest = 8
    while finest < 128 and finest * finest < n / 2:
        finest *= 2
    temperature = 0.1
    cooling = temperature / (iterations + 1)

    for _ in range(iterations):
        disp = _repulsion(np, pos, k2, min_d2, finest)

        # Attraction along edges.
        if len(src):
            delta = pos[src] - pos[dst]
            dist = np.sqrt((delta * delta).sum(axis=1))
            pull = delta * (dist / k)[:, None]
            for axis in (0, 1):
                disp[:, axis] -= np.bincount(src, weights=pull[:, axis], minlength=n)
                disp[:, axis] += np.bincount(dst, weights=pull[:, axis], minlength=n)

        # Gravity: keeps components and isolated nodes within a disk of radius about 1/2.
        disp -= 4.0 * (pos - pos.mean(axis=0))

        length = np.maximum(np.sqrt((disp * disp).sum(axis=1)), 1e-12)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature -= cooling

    pos -= pos.mean(axis=0)
    radius = max(float(np.sqrt((pos * pos).sum(axis=1)).max()), 1e-9)
    scale = 35.0 * math.sqrt(n) / radius  # about 60 px between neighbours
    return {
        node: (round(float(x) * scale, 1), round(float(y) * scale, 1))
        for node, (x, y) in zip(nodes, pos, strict=True)
    }


def _repulsion(np: Any, pos: Any, k2: float, min_d2: float, finest: int) -> Any:
    """Fruchterman-Reingold repulsion (k^2/d) on every node, approximated on nested grids.

    Grids of 8, 16, ... ``finest`` cells a side cover the nodes' bounding box. On each grid a
    cell feels the centres of mass of the cells that are not its neighbours there but whose
    parents were neighbours on the grid before (on the first grid: every non-neighbour), and
    passes that force to its nodes; on the finest grid, nodes in neighbouring cells repel each
    other exactly. Every pair of nodes is thus counted once, at the coarsest grid that
    separates them.
    """
    n = len(pos)
    lo = pos.min(axis=0)
    span = max(float((pos.max(axis=0) - lo).max()), 1e-9)
    unit = (pos - lo) / span
    disp = np.zeros((n, 2))
    side = 8
    while True:
        cxy = np.minimum((unit * side).astype(np.intp), side - 1)
        cell = cxy[:, 0] * side + cxy[:, 1]
        counts = np.bincount(cell, minlength=side * side)
        used = np.flatnonzero(counts)
        mass = counts[used].astype(float)
        com = np.stack([
            np.bincount(cell, weights=pos[:, axis], minlength=side * side)[used]
            for axis in (0, 1)
        ], axis=1) / mass[:, None]
        ux, uy = used // side, used % side
        slot = np.full(side * side, -1, dtype=np.intp)
        slot[used] = np.arange(len(used))
        force = np.zeros((len(used), 2))
        if side == 8:  # every pair of cells that are not neighbours
            delta = com[:, None, :] - com[None, :, :]
            d2 = np.maximum((delta * delta).sum(axis=2), min_d2)
            far = (np.abs(ux[:, None] - ux[None, :]) > 1) | (np.abs(uy[:, None] - uy[None, :]) > 1)
            force += (delta * np.where(far, k2 * mass[None, :] / d2, 0.0)[:, :, None]).sum(axis=1)
        else:  # not neighbours here, but their parents were
            for dx in range(-3, 4):
                for dy in range(-3, 4):
                    if max(abs(dx), abs(dy)) <= 1:
                        continue
                    bx, by = ux + dx, uy + dy
                    ok = (bx >= 0) & (bx < side) & (by >= 0) & (by < side)
                    ok &= (np.abs(ux // 2 - bx // 2) <= 1) & (np.abs(uy // 2 - by // 2) <= 1)
                    a = np.flatnonzero(ok)
                    b = slot[bx[ok] * side + by[ok]]
                    a, b = a[b >= 0], b[b >= 0]
                    delta = com[a] - com[b]
                    d2 = np.maximum((delta * delta).sum(axis=1), min_d2)
                    force[a] += delta * (k2 * mass[b] / d2)[:, None]
        disp += force[slot[cell]]
        if side >= finest:
            break
        side *= 2

    # Finest grid: exact repulsion between the nodes of neighbouring cells (and of one cell).
    order = np.argsort(cell, kind="stable")
    starts = np.cumsum(counts) - counts
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            bx, by = ux + dx, uy + dy
            ok = (bx >= 0) & (bx < side) & (by >= 0) & (by < side)
            a = used[ok]
            b = bx[ok] * side + by[ok]
            ok = counts[b] > 0
            a, b = a[ok], b[ok]
            sizes = counts[a] * counts[b]
            total = int(sizes.sum())
            if total == 0:
                continue
            pair = np.repeat(np.arange(len(a)), sizes)
            within = np.arange(total) - (np.cumsum(sizes) - sizes)[pair]
            per_b = counts[b][pair]
            i = order[starts[a][pair] + within // per_b]
            j = order[starts[b][pair] + within % per_b]
            keep = i != j
            i, j = i[keep], j[keep]
            delta = pos[i] - pos[j]
            d2 = np.maximum((delta * delta).sum(axis=1), min_d2)
            push = delta * (k2 / d2)[:, None]
            for axis in (0, 1):
                disp[:, axis] += np.bincount(i, weights=push[:, axis], minlength=n)
    return disp


def _options(n_nodes: int, physics: bool) -> dict[str, Any]:
    """vis-network options: groups per kind, and physics or a fixed layout."""
    groups = {
        kind: {
            "shape": style["shape"],
            "color": {
                "background": style["color"],
                "border": _darker(style["color"]),
                "highlight": {"background": style["color"], "border": "#111111"},
                "hover": {"background": style["color"], "border": "#111111"},
            },
        }
        for kind, style in NODE_STYLES.items()
    }
    options: dict[str, Any] = {
        "autoResize": True,
        "groups": groups,
        "nodes": {
            "borderWidth": 1,
            "borderWidthSelected": 3,
            "font": {"size": 14, "face": "sans-serif", "color": "#222222",
                     "strokeWidth": 3, "strokeColor": "#ffffff"},
            # Zoomed out on a big graph only labels of 8 px and more (the hubs') are drawn.
            "scaling": {"label": {"enabled": False, "maxVisible": 20,
                                  "drawThreshold": 9 if n_nodes > LARGE_GRAPH else 5}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "selectionWidth": 2,
            "smooth": {"enabled": True, "type": "continuous"} if physics else False,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": n_nodes > LARGE_GRAPH,
            "hideEdgesOnZoom": n_nodes > LARGE_GRAPH,
            "multiselect": False,
        },
        # vis's "improved layout" runs Kamada-Kawai on the whole graph: fine for a few dozen nodes.
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": n_nodes <= 100},
    }
    if physics:
        options["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 110,
                                 "springConstant": 0.06, "avoidOverlap": 0.4},
            "stabilization": {"enabled": True, "iterations": 600, "updateInterval": 50,
                              "fit": True},
        }
    else:
        options["physics"] = {"enabled": False}
    return options


def _content_security_policy(*scripts: str) -> str:
    """A CSP that lets only our two inline scripts run and lets nothing load from anywhere."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in scripts
    )
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


@functools.cache
def _asset(name: str) -> str:
    """A file from ``static/``, checked to be safe to paste into an inline element."""
    text = (resources.files("kg.exporters") / _STATIC / name).read_text(encoding="utf-8")
    if name.endswith(".js"):
        lowered = text.lower()
        for bad in ("</script", "<!--"):
            if bad in lowered:
                raise ExportError(
                    f"kg/exporters/static/{name} contains {bad!r}, which would break out of the "
                    "inline <script> it is copied into; see static/README.md"
                )
    return text


def _vis_id(node: Hashable) -> str | int:
    """vis-network ids are strings or numbers; other hashables are shown by ``str``."""
    return node if isinstance(node, str | int) and not isinstance(node, bool) else str(node)


def _short(name: str) -> str:
    """A name cut to ``_LABEL_MAX`` characters for the canvas label."""
    name = " ".join(name.split())
    return name if len(name) <= _LABEL_MAX else name[: _LABEL_MAX - 1].rstrip() + "…"


def _darker(color: str, factor: float = 0.7) -> str:
    """``#rrggbb`` darkened, for node borders.

    >>> _darker("#ffffff", 0.5)
    '#7f7f7f'
    """
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * factor) for c in (r, g, b)))


def _plain(value: Any) -> Any:
    """``value`` made JSON-safe for display: dates as ISO text, sets sorted, others as text."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    return str(value)
