"""Questions a researcher asks of the graph: which papers use dataset X, what is entity Y.

Names are resolved by any alias of an entity, up to case, hyphens and spaces ("llama-2" finds
"Llama 2"). Several filters mean all of them: papers that use GLUE *and* SQuAD.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.errors import NotFoundError
from kg.ids import match_key
from kg.schema import NODE_KIND_OF_TYPE, PAPER, TYPE_OF_NODE_KIND

FILTER_TYPES = ("dataset", "model", "method", "task", "organization", "link")


@dataclass(frozen=True, slots=True)
class PaperHit:
    """A paper that answers a query, with how it relates to each entity asked about."""

    id: str
    title: str
    date: str
    organization: str
    roles: dict[str, str] = field(default_factory=dict)  # entity id -> proposed | used
    evidence: dict[str, str] = field(default_factory=dict)  # entity id -> first sentence

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "date": self.date,
                "organization": self.organization, "roles": self.roles,
                "evidence": self.evidence}


def graph_stats(graph: nx.MultiDiGraph) -> dict[str, dict[str, int]]:
    """Node counts by kind and edge counts by type, each sorted by name."""
    nodes: dict[str, int] = {}
    edges: dict[str, int] = {}
    for _, kind in graph.nodes(data="kind"):
        nodes[kind] = nodes.get(kind, 0) + 1
    for _, _, kind in graph.edges(keys=True):
        edges[kind] = edges.get(kind, 0) + 1
    return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}


def _keys(data: dict[str, Any]) -> set[str]:
    return {match_key(n) for n in [data.get("name", ""), *data.get("aliases", [])] if n}


def find_entities(graph: nx.MultiDiGraph, name: str, entity_type: str | None = None) -> list[str]:
    """Ids of the entities called ``name`` (name or alias), best first.

    An exact name match ranks before an alias match; ties go to the entity in more papers.
    """
    key = match_key(name)
    kind = NODE_KIND_OF_TYPE.get(entity_type or "", None)
    exact, alias = [], []
    for node, data in graph.nodes(data=True):
        if data.get("kind") == PAPER or (kind and data.get("kind") != kind):
            continue
        if match_key(data.get("name", "")) == key or node.split(":", 1)[-1] == name.lower():
            exact.append(node)
        elif key in _keys(data):
            alias.append(node)
    def degree(n: str) -> int:
        return -graph.in_degree(n)
    return sorted(exact, key=degree) + sorted(alias, key=degree)


def resolve(graph: nx.MultiDiGraph, name: str, entity_type: str | None = None) -> str:
    """The one entity meant by ``name``; ``NotFoundError`` naming near misses otherwise."""
    found = find_entities(graph, name, entity_type)
    if found:
        return found[0]
    kind = entity_type or "entity"
    near = _near_misses(graph, name, entity_type)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise NotFoundError(f"no {kind} called {name!r} in the graph{hint}")


def _near_misses(graph: nx.MultiDiGraph, name: str, entity_type: str | None) -> list[str]:
    key = match_key(name)
    kind = NODE_KIND_OF_TYPE.get(entity_type or "", None)
    hits = []
    for _, data in graph.nodes(data=True):
        if data.get("kind") == PAPER or (kind and data.get("kind") != kind):
            continue
        if key and any(key in k or (k and k in key and len(k) > 3) for k in _keys(data)):
            hits.append(data.get("name", ""))
    return sorted(set(hits))[:5]


def papers(graph: nx.MultiDiGraph, filters: Iterable[tuple[str, str]],
           role: str | None = None) -> list[PaperHit]:
    """Papers linked to every ``(type, name)`` in ``filters``, newest first.

    ``role`` keeps only papers that propose (``proposed``) or use (``used``) those entities.
    """
    targets = [resolve(graph, name, etype) for etype, name in filters]
    if not targets:
        return []
    hits: dict[str, PaperHit] = {}
    candidates: set[str] | None = None
    per_paper: dict[str, dict[str, tuple[str, str]]] = {}
    for target in targets:
        linked: set[str] = set()
        for source, _, data in graph.in_edges(target, data=True):
            if graph.nodes[source].get("kind") != PAPER:
                continue
            edge_role = data.get("role", "used")
            if role and edge_role != role:
                continue
            linked.add(source)
            evidence = data.get("evidence") or [{"text": ""}]
            per_paper.setdefault(source, {})[target] = (edge_role, evidence[0]["text"])
        candidates = linked if candidates is None else candidates & linked
    for node in candidates or ():
        data = graph.nodes[node]
        info = per_paper[node]
        hits[node] = PaperHit(
            id=node.removeprefix("paper:"), title=data.get("title", ""),
            date=data.get("date", ""), organization=data.get("organization", ""),
            roles={t: info[t][0] for t in targets}, evidence={t: info[t][1] for t in targets})
    return sorted(hits.values(), key=lambda h: (h.date or "", h.title), reverse=True)


def entity(graph: nx.MultiDiGraph, name: str, entity_type: str | None = None) -> dict[str, Any]:
    """An entity with its aliases, its papers (and role in each), and its neighbours."""
    node = resolve(graph, name, entity_type)
    data = graph.nodes[node]
    linked = []
    for source, _, kind, edge in graph.in_edges(node, keys=True, data=True):
        source_data = graph.nodes[source]
        if source_data.get("kind") == PAPER:
            evidence = edge.get("evidence") or []
            linked.append({"id": source.removeprefix("paper:"), "title": source_data["title"],
                           "relation": kind, "role": edge.get("role", "used"),
                           "evidence": [e["text"] for e in evidence][:3]})
    related = [{"id": t, "name": graph.nodes[t].get("name", t), "relation": k}
               for _, t, k in graph.out_edges(node, keys=True)]
    related += [{"id": s, "name": graph.nodes[s].get("name", s), "relation": f"{k} (from)"}
                for s, _, k in graph.in_edges(node, keys=True)
                if graph.nodes[s].get("kind") != PAPER]
    linked.sort(key=lambda p: p["title"])
    return {"id": node, "type": TYPE_OF_NODE_KIND.get(data.get("kind", ""), ""),
            "name": data.get("name", ""), "aliases": data.get("aliases", []),
            "url": data.get("url", ""), "papers": linked, "related": related}
