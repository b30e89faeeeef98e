"""Focused views of the graph: the part that answers one question, and a note of what was cut.

A picture of every node answers neither "what is around GLUE?" nor "what does this paper
build on?", so the HTML view starts from a selection made here. Each function is pure: it takes
the NetworkX graph (or a :class:`View`) and returns a new :class:`View` holding a copied
subgraph, the nodes it is about (``focus``) and an :class:`Omission` for every step that left
something out, so the page can say so instead of silently showing less. Nothing here knows
about browsers; :mod:`kg.exporters.html` draws a view.

Steps, in the order :func:`select_view` applies them:

* a starting set: the whole graph, :func:`entity_view` or :func:`paper_view`;
* :func:`only_types`: papers plus the entity kinds asked for;
* :func:`at_least_papers`: entities in fewer than N papers (of the whole graph) hidden;
* :func:`most_connected`: the N most connected nodes kept.

The focus nodes survive every filter, and a filter drops the papers it leaves without any
entity (a square with no edges tells nothing there), counting them in the same omission.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from kg.errors import NotFoundError, ViewError
from kg.ids import ARXIV_ID, title_key
from kg.query import resolve
from kg.schema import NODE_KIND_OF_TYPE, PAPER

__all__ = [
    "HOPS",
    "Omission",
    "View",
    "at_least_papers",
    "entity_view",
    "find_paper",
    "most_connected",
    "only_types",
    "paper_counts",
    "paper_view",
    "parse_types",
    "select_view",
    "whole_graph",
]

#: The neighbourhood depths a focused view offers.
HOPS = (1, 2)

_TYPE_ALIASES = {"org": "organization", "orgs": "organization"}


@dataclass(frozen=True, slots=True)
class Omission:
    """What one step of a view left out, and why (shown in the page's header)."""

    reason: str
    nodes: int
    edges: int

    def __str__(self) -> str:
        return f"{_count(self.nodes, 'node')} and {_count(self.edges, 'edge')} left out: " \
               f"{self.reason}"


@dataclass(frozen=True, slots=True)
class View:
    """A subgraph to draw, what it is about, and what was left out on the way.

    ``paper_counts`` holds, for every entity in ``graph``, the number of papers linked to it in
    the *whole* graph: a view of GLUE shows ELECTRA's full weight, not only its GLUE papers.
    """

    graph: nx.MultiDiGraph = field(compare=False)
    title: str
    focus: tuple[str, ...] = ()
    omissions: tuple[Omission, ...] = ()
    paper_counts: Mapping[str, int] = field(default_factory=dict, compare=False)
    total_nodes: int = 0
    total_edges: int = 0

    @property
    def note(self) -> str:
        """One line for the page header: what is shown out of how much, and what was cut."""
        n, m = self.graph.number_of_nodes(), self.graph.number_of_edges()
        shown = f"{_count(n, 'node')} and {_count(m, 'edge')}"
        if (n, m) == (self.total_nodes, self.total_edges):
            return f"{shown}: the whole graph."
        shown += f" of {self.total_nodes:,} and {self.total_edges:,}"
        if not self.omissions:
            return f"{shown}."
        return f"{shown}; " + "; ".join(str(o) for o in self.omissions) + "."

    def _replace(self, graph: nx.MultiDiGraph, omission: Omission | None) -> View:
        omissions = self.omissions + ((omission,) if omission and omission.nodes else ())
        return View(graph=graph, title=self.title, focus=self.focus, omissions=omissions,
                    paper_counts={n: c for n, c in self.paper_counts.items() if n in graph},
                    total_nodes=self.total_nodes, total_edges=self.total_edges)


def paper_counts(graph: nx.MultiDiGraph) -> dict[str, int]:
    """Entity id -> number of distinct papers with an edge to it (papers are left out).

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("paper:1", kind="Paper"); g.add_node("dataset:x", kind="Dataset")
    >>> _ = g.add_edge("paper:1", "dataset:x", key="USES")
    >>> _ = g.add_edge("paper:1", "dataset:x", key="PROPOSES")
    >>> paper_counts(g)
    {'dataset:x': 1}
    """
    counts: dict[str, int] = {}
    for node, data in graph.nodes(data=True):
        if data.get("kind") == PAPER:
            continue
        counts[node] = sum(1 for p in set(graph.predecessors(node)) if _is_paper(graph, p))
    return counts


def whole_graph(graph: nx.MultiDiGraph, title: str = "paperkg: the whole graph") -> View:
    """Every node and edge (the starting point of the filters)."""
    return View(graph=graph.copy(), title=title, paper_counts=paper_counts(graph),
                total_nodes=graph.number_of_nodes(), total_edges=graph.number_of_edges())


def entity_view(graph: nx.MultiDiGraph, name: str, hops: int = 1) -> View:
    """An entity, its papers, and what those papers share.

    ``hops=1``: the other entities linked to at least two of the entity's papers (what its
    papers have in common); ``hops=2``: every entity of those papers. The entity's own
    neighbours among entities (its model family, its variants, a link's owner) are always in.

    Raises:
        NotFoundError: no entity is called ``name`` (by name or alias), with near misses.
        ViewError: ``hops`` is not 1 or 2.
    """
    _check_hops(hops)
    node = resolve(graph, name)
    papers = {p for p in nx.all_neighbors(graph, node) if _is_paper(graph, p)}
    shared: Counter[str] = Counter()
    for p in papers:
        shared.update(e for e in set(graph.successors(p)) if e != node and not _is_paper(graph, e))
    around = {n for n in nx.all_neighbors(graph, node) if not _is_paper(graph, n)}
    wide = {node, *papers, *shared, *around}
    keep = wide if hops == 2 else {node, *papers, *around, *(e for e, c in shared.items()
                                                              if c >= 2)}
    data = graph.nodes[node]
    title = f"{data.get('name', node)} ({data.get('kind', 'entity')}), {_count(hops, 'hop')}"
    view = View(graph=graph.subgraph(wide).copy(), title=title, focus=(node,),
                paper_counts=paper_counts(graph), total_nodes=graph.number_of_nodes(),
                total_edges=graph.number_of_edges())
    return _keep(view, keep, "entities only one of these papers links to (--hops 2 shows them)")


def paper_view(graph: nx.MultiDiGraph, paper: str, hops: int = 1) -> View:
    """A paper and everything it links to: what it proposes, uses, addresses, reports, its
    links and organizations.

    ``hops=2`` adds the other papers that share at least two of those entities (the papers
    most like it), with their edges to them.

    Raises:
        NotFoundError: no paper has that id or title; ViewError: several do, or bad ``hops``.
    """
    _check_hops(hops)
    node = find_paper(graph, paper)
    entities = {e for e in graph.successors(node) if not _is_paper(graph, e)}
    keep = {node, *entities}
    if hops == 2:
        related: Counter[str] = Counter()
        for e in entities:
            related.update(p for p in set(graph.predecessors(e)) if _is_paper(graph, p))
        keep |= {p for p, c in related.items() if c >= 2 and p != node}
    title = f"{graph.nodes[node].get('title') or node}, {_count(hops, 'hop')}"
    return View(graph=graph.subgraph(keep).copy(), title=title, focus=(node,),
                paper_counts=paper_counts(graph), total_nodes=graph.number_of_nodes(),
                total_edges=graph.number_of_edges())


def find_paper(graph: nx.MultiDiGraph, query: str) -> str:
    """The node id of the paper ``query`` names: its id, arXiv id, exact title, or the one
    title that contains it (compared without case and punctuation).

    Raises:
        NotFoundError: nothing matches. ViewError: several titles contain ``query``.
    """
    text = query.strip()
    for candidate in (text, f"paper:{text}"):
        if candidate in graph and _is_paper(graph, candidate):
            return candidate
    arxiv = ARXIV_ID.fullmatch(text)
    wanted = title_key(text)
    exact: list[str] = []
    partial: list[str] = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") != PAPER:
            continue
        if arxiv and data.get("arxiv_id") == arxiv.group(1):
            return node
        key = title_key(str(data.get("title", "")))
        if wanted and key == wanted:
            exact.append(node)
        elif wanted and wanted in key:
            partial.append(node)
    found = sorted(exact) or sorted(partial)
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFoundError(f"no paper with id or title {query!r} in the graph")
    titles = "; ".join(repr(graph.nodes[n].get("title", n)) for n in found[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    raise ViewError(f"{len(found)} papers match {query!r}: {titles}{more}; give more of the "
                    "title or the paper's id")


def parse_types(types: str | Iterable[str]) -> tuple[str, ...]:
    """Node kinds from ``"dataset,model"`` (or a list of names); ``ViewError`` names the
    allowed ones when a name is wrong.

    >>> parse_types("dataset, Model")
    ('Dataset', 'Model')
    """
    names = types.split(",") if isinstance(types, str) else list(types)
    kinds: list[str] = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        kind = NODE_KIND_OF_TYPE.get(_TYPE_ALIASES.get(name, name))
        if kind is None:
            raise ViewError(f"no entity type {raw.strip()!r}; allowed: "
                            f"{', '.join(NODE_KIND_OF_TYPE)}")
        if kind not in kinds:
            kinds.append(kind)
    if not kinds:
        raise ViewError(f"--type needs at least one of {', '.join(NODE_KIND_OF_TYPE)}")
    return tuple(kinds)


def only_types(view: View, types: str | Iterable[str]) -> View:
    """Papers plus entities of the kinds in ``types`` (and the focus)."""
    kinds = parse_types(types)
    g = view.graph
    keep = {n for n, d in g.nodes(data=True) if d.get("kind") in (PAPER, *kinds)}
    label = ", ".join(k.lower() for k in kinds)
    return _keep(view, keep | set(view.focus), f"entities other than {label} (--type)")


def at_least_papers(view: View, n: int) -> View:
    """Entities linked to fewer than ``n`` papers of the whole graph hidden (not the focus)."""
    if n < 1:
        raise ViewError(f"--min-papers must be at least 1, not {n}")
    g = view.graph
    keep = {node for node, d in g.nodes(data=True)
            if d.get("kind") == PAPER or view.paper_counts.get(node, 0) >= n}
    return _keep(view, keep | set(view.focus),
                 f"entities in fewer than {_count(n, 'paper')} (--min-papers {n})")


def most_connected(view: View, n: int) -> View:
    """The ``n`` most connected nodes of the view (focus first, ties by id, so the cut is the
    same every time)."""
    if n < 1:
        raise ViewError(f"--max-nodes must be at least 1, not {n}")
    g = view.graph
    if g.number_of_nodes() <= n:
        return view
    focus = [f for f in view.focus if f in g]
    rest = sorted((node for node in g if node not in focus), key=lambda x: (-g.degree(x), x))
    keep = set(focus + rest[: max(0, n - len(focus))])
    sub = g.subgraph(keep).copy()
    omission = Omission(f"kept the {n:,} most connected (--max-nodes {n})",
                        g.number_of_nodes() - sub.number_of_nodes(),
                        g.number_of_edges() - sub.number_of_edges())
    return view._replace(sub, omission)


def select_view(
    graph: nx.MultiDiGraph,
    *,
    entity: str | None = None,
    paper: str | None = None,
    hops: int = 1,
    types: str | Iterable[str] | None = None,
    min_papers: int | None = None,
    max_nodes: int | None = None,
) -> View:
    """The view the ``kg view`` options describe: a starting set, then the filters in order.

    Raises:
        ViewError: both ``entity`` and ``paper``, or an option out of range.
        NotFoundError: the entity or paper is not in the graph.
    """
    if entity is not None and paper is not None:
        raise ViewError("choose one of --entity and --paper, not both")
    if entity is not None:
        view = entity_view(graph, entity, hops)
    elif paper is not None:
        view = paper_view(graph, paper, hops)
    else:
        if hops != 1:
            raise ViewError("--hops needs --entity or --paper")
        view = whole_graph(graph)
    if types:
        view = only_types(view, types)
    if min_papers is not None:
        view = at_least_papers(view, min_papers)
    if max_nodes is not None:
        view = most_connected(view, max_nodes)
    return view


def _keep(view: View, keep: set[str], reason: str) -> View:
    """``view`` cut to ``keep``, minus papers the cut left without any edge; one omission."""
    g = view.graph
    sub = g.subgraph(keep).copy()
    orphans = [p for p in sub if _is_paper(sub, p) and sub.degree(p) == 0 and p not in view.focus]
    sub.remove_nodes_from(orphans)
    if orphans:
        reason += f", with {_count(len(orphans), 'paper')} left with no entity"
    omission = Omission(reason, g.number_of_nodes() - sub.number_of_nodes(),
                        g.number_of_edges() - sub.number_of_edges())
    return view._replace(sub, omission)


def _is_paper(graph: nx.MultiDiGraph, node: str) -> bool:
    return graph.nodes[node].get("kind") == PAPER


def _check_hops(hops: int) -> None:
    if hops not in HOPS:
        raise ViewError(f"--hops must be 1 or 2, not {hops!r}")


def _count(n: int, noun: str) -> str:
    """``3 papers``, ``1 paper``, ``1,200 nodes``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
