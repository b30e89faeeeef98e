"""The server store: the same graph as ``NetworkXStore``, in Neo4j 5, over Bolt.

Only this module imports ``neo4j``. The layout (labels, properties, evidence as parallel lists)
is in ``kg.stores.neo4j_layout``. Writing:

* the constraints and indexes of ``schemas/neo4j-constraints.cypher`` are created first;
* extractions are written in batches, one managed transaction (``session.execute_write``, which
  the driver retries on transient errors and lost connections) per batch. Inside it the batch's
  existing nodes and edges are read, merged with the batch by ``NetworkXStore`` itself (so the
  merge rules are the embedded store's, not a Cypher copy of them: lists unioned in order,
  evidence unioned, confidence max, the first name kept, the longest abstract kept), and only
  what changed is written back with ``UNWIND $rows AS row MERGE ... SET x = row.props``;
* so a re-run writes nothing, and a run cut off between batches leaves whole batches that a
  re-run completes into the graph one uninterrupted run makes.

Cypher text never holds input: values are parameters, and labels and relationship types are
``kg.schema`` constants checked by ``neo4j_layout.label``/``rel_type``. The read/merge/write of
a batch assumes one writer at a time (two concurrent builds may each miss the other's aliases).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

import networkx as nx
from neo4j import Driver, GraphDatabase, ManagedTransaction, Session
from neo4j.exceptions import DriverError, Neo4jError

from kg.errors import NotFoundError, StoreError
from kg.ids import match_key
from kg.model import Extraction
from kg.query import PaperHit
from kg.schema import (
    EDGE_KINDS,
    HOSTED_BY,
    NODE_KIND_OF_TYPE,
    NODE_KINDS,
    PAPER,
    TYPE_OF_NODE_KIND,
    VARIANT_OF,
    paper_node,
)
from kg.stores.neo4j_layout import (
    ENTITY_LABELS,
    LIST_KEYS,
    edge_data,
    edge_properties,
    label,
    label_of_id,
    node_data,
    node_properties,
    rel_type,
    schema_statements,
)
from kg.stores.networkx_store import NetworkXStore

# The driver logs each retry as a warning; without a handler Python would print them to stderr.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

T = TypeVar("T")
BatchHook = Callable[[int], None]
EdgeKey = tuple[str, str, str]  # (source id, target id, relationship type)

_ENTITY_MATCH = " OR ".join(f"n:{label(k)}" for k in ENTITY_LABELS)
_ANY_MATCH = " OR ".join(f"n:{label(k)}" for k in NODE_KINDS)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _settings(uri: str | None, user: str | None, password: str | None,
              database: str | None) -> tuple[str, str, str | None, str | None]:
    uri = uri or os.environ.get("NEO4J_URI")
    if not uri:
        raise StoreError("no Neo4j server: pass --neo4j-uri bolt://HOST:PORT or set NEO4J_URI")
    return (uri, user or os.environ.get("NEO4J_USER") or "neo4j",
            password if password is not None else os.environ.get("NEO4J_PASSWORD"),
            database or os.environ.get("NEO4J_DATABASE") or None)


class Neo4jStore:
    """A paperkg graph in a Neo4j 5 database; arguments default to ``NEO4J_URI``, ``NEO4J_USER``
    (``neo4j``), ``NEO4J_PASSWORD`` (none: no authentication) and ``NEO4J_DATABASE`` (the
    server's default database)."""

    backend = "neo4j"
    # 500 papers per transaction: 10,000 papers load in 45 s against 58 s with 100 (each batch
    # pays ~20 round trips whatever its size); one batch's transaction stays a few MB.

    def __init__(self, uri: str | None = None, user: str | None = None,
                 password: str | None = None, database: str | None = None, *,
                 batch_size: int = 500, edge_batch_size: int = 2000) -> None:
        self.uri, self.user, password, self.database = _settings(uri, user, password, database)
        self.batch_size = batch_size
        self.edge_batch_size = edge_batch_size
        auth = (self.user, password) if password else None
        try:
            # the server's notices (an unknown type in an empty database...) are not for users
            self.driver: Driver = GraphDatabase.driver(self.uri, auth=auth,
                                                       notifications_min_severity="OFF")
        except (DriverError, ValueError) as exc:
            raise StoreError(f"{self.uri}: cannot use this Neo4j URI: {exc}") from exc
        self._schema_ready = False
        self._next_seq: int | None = None  # seq of the next new node (see neo4j_layout)

    # -- plumbing -----------------------------------------------------------------------------
    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        """A session whose driver errors surface as ``StoreError`` naming the server."""
        try:
            with self.driver.session(database=self.database) as session:
                yield session
        except (DriverError, Neo4jError) as exc:
            raise StoreError(f"{self.uri}: {type(exc).__name__}: {exc}") from exc

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        with self._session() as session:
            return session.execute_read(lambda tx: [r.data() for r in tx.run(query, params)])

    def verify(self) -> None:
        """Raise ``StoreError`` unless the server answers."""
        with self._session():
            try:
                self.driver.verify_connectivity()
            except (DriverError, Neo4jError) as exc:
                raise StoreError(f"{self.uri}: {type(exc).__name__}: {exc}") from exc

    def ensure_schema(self) -> None:
        """Create the constraints and indexes of ``schemas/neo4j-constraints.cypher``."""
        if self._schema_ready:
            return
        with self._session() as session:
            for statement in schema_statements():
                session.run(statement).consume()
            session.run("CALL db.awaitIndexes(300)").consume()
        self._schema_ready = True

    def clear(self) -> None:
        """Delete every paperkg node and its relationships (other data is left alone)."""
        with self._session() as session:
            session.run(f"MATCH (n) WHERE {_ANY_MATCH} "
                        "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()
        self._next_seq = None

    def _start_seq(self) -> int:
        if self._next_seq is None:
            top = self._read(f"MATCH (n) WHERE {_ANY_MATCH} RETURN max(n.seq) AS top")[0]["top"]
            self._next_seq = 0 if top is None else top + 1
        return self._next_seq

    # -- writing ------------------------------------------------------------------------------
    def add(self, extractions: Iterable[Extraction], on_batch: BatchHook | None = None) -> None:
        """Merge extractions into the database, ``batch_size`` papers per transaction.

        ``on_batch(n)`` is called after the n-th batch commits (progress, tests).
        """
        self.ensure_schema()
        with self._session() as session:
            for number, batch in enumerate(_chunks(extractions, self.batch_size), 1):
                # the counter moves only once the batch commits (a retried batch reuses it)
                self._next_seq = session.execute_write(self._write_extractions, batch,
                                                       self._start_seq())
                if on_batch:
                    on_batch(number)

    def _write_extractions(self, tx: ManagedTransaction, batch: Sequence[Extraction],
                           next_seq: int) -> int:
        ids: set[str] = set()
        edges: set[EdgeKey] = set()
        for ex in batch:
            pid = paper_node(ex.paper.id)
            ids.add(pid)
            for entity in ex.entities:
                ids.add(entity.id)
                if entity.family and entity.family != entity.id:
                    ids.add(entity.family)
                    edges.add((entity.id, entity.family, VARIANT_OF))
                if entity.owner:
                    ids.add(entity.owner)
                    edges.add((entity.id, entity.owner, HOSTED_BY))
            edges.update((pid, r.entity_id, r.kind) for r in ex.relations)
        before_nodes = _fetch_nodes(tx, ids)
        before_edges = _fetch_edges(tx, {e for e in edges
                                         if e[0] in before_nodes and e[1] in before_nodes})
        scratch = NetworkXStore()
        for node, props in before_nodes.items():
            scratch.graph.add_node(node, **node_data(props))
        for (source, target, kind), props in before_edges.items():
            scratch.graph.add_edge(source, target, key=kind, **edge_data(props))
        scratch.add(batch)  # the embedded store's merge rules, on this batch's part of the graph
        return _write_changes(tx, scratch.graph, before_nodes, before_edges, next_seq)

    def load_networkx(self, graph: nx.MultiDiGraph, on_batch: BatchHook | None = None) -> None:
        """Merge a whole NetworkX graph (``kg push``) with the same rules as ``add``."""
        self.ensure_schema()
        for node, data in graph.nodes(data=True):
            label(data.get("kind"))  # fail before writing anything
            if label_of_id(node) != data["kind"]:
                raise StoreError(f"node {node!r} has kind {data['kind']!r}, not "
                                 f"{label_of_id(node)!r} as its id says")
        for _, _, key in graph.edges(keys=True):
            rel_type(key)
        number = 0
        with self._session() as session:
            for chunk in _chunks(graph.nodes(data=True), self.edge_batch_size):
                self._next_seq = session.execute_write(_merge_nodes, chunk, self._start_seq())
                number += 1
                if on_batch:
                    on_batch(number)
            for echunk in _chunks(graph.edges(keys=True, data=True), self.edge_batch_size):
                session.execute_write(_merge_edges, echunk, graph)
                number += 1
                if on_batch:
                    on_batch(number)

    # -- reading ------------------------------------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        """The graph as ``NetworkXStore`` holds it (``kg pull``), nodes in the order they were
        added, edges sorted."""
        graph = nx.MultiDiGraph()
        for row in self._read(f"MATCH (n) WHERE {_ANY_MATCH} "
                              "RETURN n.id AS id, properties(n) AS props ORDER BY n.seq, n.id"):
            graph.add_node(row["id"], **node_data(row["props"]))
        for row in self._read(
                "MATCH (a)-[r]->(b) WHERE type(r) IN $types AND a.id IS NOT NULL "
                "AND b.id IS NOT NULL RETURN a.id AS s, b.id AS t, type(r) AS kind, "
                "properties(r) AS props ORDER BY s, kind, t", types=list(EDGE_KINDS)):
            if row["s"] in graph and row["t"] in graph:
                graph.add_edge(row["s"], row["t"], key=row["kind"], **edge_data(row["props"]))
        return graph

    def stats(self) -> dict[str, dict[str, int]]:
        """Counts per node label and relationship type, in ``NetworkXStore.stats()`` shape."""
        nodes: dict[str, int] = {}
        edges: dict[str, int] = {}
        for kind in NODE_KINDS:
            count = self._read(f"MATCH (n:{label(kind)}) RETURN count(n) AS c")[0]["c"]
            if count:
                nodes[kind] = count
        for kind in EDGE_KINDS:
            count = self._read(f"MATCH ()-[r:{rel_type(kind)}]->() RETURN count(r) AS c")[0]["c"]
            if count:
                edges[kind] = count
        return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}

    def find_entities(self, name: str, entity_type: str | None = None) -> list[str]:
        """Ids of the entities called ``name`` (name or alias), best first, as
        ``kg.query.find_entities``: exact names before aliases, then more papers first, then
        the node added first."""
        key = match_key(name)
        rows = self._read(
            f"MATCH (n) WHERE ({self._type_match(entity_type)}) AND "
            "(n.name_key = $key OR $key IN n.match_keys OR "
            " substring(n.id, size(split(n.id, ':')[0]) + 1) = $lower) "
            "RETURN n.id AS id, "
            " (n.name_key = $key OR substring(n.id, size(split(n.id, ':')[0]) + 1) = $lower) "
            "   AS exact, "
            " COUNT { (n)<-[r]-() WHERE type(r) IN $types } AS degree, n.seq AS seq",
            key=key, lower=name.lower(), types=list(EDGE_KINDS))
        rows.sort(key=lambda r: (not r["exact"], -r["degree"],
                                 r["seq"] if r["seq"] is not None else float("inf"), r["id"]))
        return [r["id"] for r in rows]

    @staticmethod
    def _type_match(entity_type: str | None) -> str:
        if entity_type:
            return f"n:{label(NODE_KIND_OF_TYPE.get(entity_type))}"
        return _ENTITY_MATCH

    def resolve(self, name: str, entity_type: str | None = None) -> str:
        """The one entity meant by ``name``; ``NotFoundError`` naming near misses otherwise."""
        found = self.find_entities(name, entity_type)
        if found:
            return found[0]
        key = match_key(name)
        near = [] if not key else sorted({r["name"] for r in self._read(
            f"MATCH (n) WHERE ({self._type_match(entity_type)}) AND any(k IN n.match_keys "
            "WHERE k CONTAINS $key OR ($key CONTAINS k AND size(k) > 3)) "
            "RETURN coalesce(n.name, '') AS name", key=key)})[:5]
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise NotFoundError(f"no {entity_type or 'entity'} called {name!r} in the graph{hint}")

    def papers(self, filters: Iterable[tuple[str, str]],
               role: str | None = None) -> list[PaperHit]:
        """Papers linked to every ``(type, name)`` in ``filters``, as ``kg.query.papers``."""
        targets = [self.resolve(name, etype) for etype, name in filters]
        if not targets:
            return []
        candidates: set[str] | None = None
        per_paper: dict[str, dict[str, tuple[str, str]]] = {}
        papers: dict[str, dict[str, Any]] = {}
        for target in targets:
            linked: set[str] = set()
            for row in self._read(
                    f"MATCH (p:{label(PAPER)})-[r]->(e:{label(label_of_id(target))} {{id: $id}}) "
                    "WHERE type(r) IN $types RETURN p.id AS pid, p.title AS title, "
                    "p.date AS date, p.organization AS organization, r.role AS role, "
                    "r.evidence_text[0] AS evidence ORDER BY pid, type(r)",
                    id=target, types=list(EDGE_KINDS)):
                edge_role = row["role"] or "used"
                if role and edge_role != role:
                    continue
                linked.add(row["pid"])
                papers[row["pid"]] = row
                per_paper.setdefault(row["pid"], {})[target] = (edge_role, row["evidence"] or "")
            candidates = linked if candidates is None else candidates & linked
        hits = [PaperHit(id=pid.removeprefix("paper:"), title=papers[pid]["title"] or "",
                         date=papers[pid]["date"] or "",
                         organization=papers[pid]["organization"] or "",
                         roles={t: per_paper[pid][t][0] for t in targets},
                         evidence={t: per_paper[pid][t][1] for t in targets})
                for pid in candidates or ()]
        return sorted(hits, key=lambda h: (h.date or "", h.title), reverse=True)

    def entity(self, name: str, entity_type: str | None = None) -> dict[str, Any]:
        """An entity with its aliases, papers and neighbours, as ``kg.query.entity``."""
        node = self.resolve(name, entity_type)
        match = f"MATCH (n:{label(label_of_id(node))} {{id: $id}})"
        data = node_data(self._read(f"{match} RETURN properties(n) AS props", id=node)[0]["props"])
        linked = [{"id": r["pid"].removeprefix("paper:"), "title": r["title"],
                   "relation": r["kind"], "role": r["role"] or "used",
                   "evidence": (r["evidence"] or [])[:3]}
                  for r in self._read(
                      f"{match}<-[r]-(p:{label(PAPER)}) WHERE type(r) IN $types "
                      "RETURN p.id AS pid, p.title AS title, type(r) AS kind, r.role AS role, "
                      "r.evidence_text AS evidence ORDER BY pid, kind",
                      id=node, types=list(EDGE_KINDS))]
        related = [{"id": r["id"], "name": r["name"] if r["name"] is not None else r["id"],
                    "relation": r["kind"]}
                   for r in self._read(
                       f"{match}-[r]->(t) WHERE type(r) IN $types RETURN t.id AS id, "
                       "t.name AS name, type(r) AS kind ORDER BY kind, id",
                       id=node, types=list(EDGE_KINDS))]
        related += [{"id": r["id"], "name": r["name"] if r["name"] is not None else r["id"],
                     "relation": f"{r['kind']} (from)"}
                    for r in self._read(
                        f"{match}<-[r]-(s) WHERE type(r) IN $types AND NOT s:{label(PAPER)} "
                        "RETURN s.id AS id, s.name AS name, type(r) AS kind ORDER BY kind, id",
                        id=node, types=list(EDGE_KINDS))]
        linked.sort(key=lambda p: p["title"])
        return {"id": node, "type": TYPE_OF_NODE_KIND.get(data.get("kind", ""), ""),
                "name": data.get("name", ""), "aliases": data.get("aliases", []),
                "url": data.get("url", ""), "papers": linked, "related": related}


# -- transaction functions (retried as a whole by execute_write) --------------------------------
def _fetch_nodes(tx: ManagedTransaction, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Properties of the nodes among ``ids`` that exist, by id."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for node in ids:
        by_label[label_of_id(node)].append(node)
    found: dict[str, dict[str, Any]] = {}
    for kind, group in by_label.items():
        result = tx.run(f"UNWIND $ids AS id MATCH (n:{label(kind)} {{id: id}}) "
                        "RETURN n.id AS id, properties(n) AS props", ids=group)
        found.update((r["id"], r["props"]) for r in result)
    return found


def _fetch_edges(tx: ManagedTransaction, keys: Iterable[EdgeKey]) -> dict[EdgeKey, dict]:
    """Properties of the relationships among ``keys`` that exist."""
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for source, target, kind in keys:
        groups[(label_of_id(source), kind, label_of_id(target))].append({"s": source, "t": target})
    found: dict[EdgeKey, dict[str, Any]] = {}
    for (src, kind, dst), rows in groups.items():
        result = tx.run(f"UNWIND $rows AS row MATCH (a:{label(src)} {{id: row.s}})"
                        f"-[r:{rel_type(kind)}]->(b:{label(dst)} {{id: row.t}}) "
                        "RETURN row.s AS s, row.t AS t, properties(r) AS props", rows=rows)
        found.update(((r["s"], r["t"], kind), r["props"]) for r in result)
    return found


def _write_changes(tx: ManagedTransaction, graph: nx.MultiDiGraph,
                   before_nodes: dict[str, dict], before_edges: dict[EdgeKey, dict],
                   next_seq: int, nodes: bool = True) -> int:
    """Write the nodes (unless not ``nodes``) and edges of ``graph`` whose properties differ
    from ``before_*``; new nodes are numbered from ``next_seq`` in ``graph``'s order. Returns
    the next free seq."""
    node_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node, data in graph.nodes(data=True) if nodes else ():
        seq = before_nodes.get(node, {}).get("seq")
        if seq is None:
            seq, next_seq = next_seq, next_seq + 1
        props = node_properties(node, data, seq)
        if before_nodes.get(node) != props:
            node_rows[label(data.get("kind"))].append({"id": node, "props": props})
    edge_rows: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for source, target, kind, data in graph.edges(keys=True, data=True):
        props = edge_properties(f"edge {source!r} -[{kind}]-> {target!r}", data)
        if before_edges.get((source, target, kind)) != props:
            group = (label(graph.nodes[source]["kind"]), rel_type(kind),
                     label(graph.nodes[target]["kind"]))
            edge_rows[group].append({"s": source, "t": target, "props": props})
    for kind, rows in node_rows.items():
        tx.run(f"UNWIND $rows AS row MERGE (n:{kind} {{id: row.id}}) SET n = row.props",
               rows=rows).consume()
    for (src, kind, dst), rows in edge_rows.items():
        written = tx.run(f"UNWIND $rows AS row MATCH (a:{src} {{id: row.s}}) "
                         f"MATCH (b:{dst} {{id: row.t}}) MERGE (a)-[r:{kind}]->(b) "
                         "SET r = row.props RETURN count(r) AS n", rows=rows).single()
        if written is None or written["n"] != len(rows):
            raise StoreError(f"{len(rows) - (written['n'] if written else 0)} {kind} edge(s) "
                             "point at nodes missing from the database")
    return next_seq


def merge_node(graph: nx.MultiDiGraph, node: str, data: dict[str, Any]) -> None:
    """Merge one node of another graph into ``graph`` with ``NetworkXStore``'s rules."""
    NetworkXStore(graph)._merge_node(node, data, lists=LIST_KEYS[label(data.get("kind"))])


def merge_edge(graph: nx.MultiDiGraph, source: str, target: str, kind: str,
               data: dict[str, Any]) -> None:
    """Merge one edge of another graph into ``graph``: evidence unioned, confidence max."""
    if graph.has_edge(source, target, key=kind):
        data = {"evidence": [], "confidence": 0.0, **data}
    NetworkXStore(graph)._merge_edge(source, target, kind, data)


def _merge_nodes(tx: ManagedTransaction, chunk: list[tuple[str, dict[str, Any]]],
                 next_seq: int) -> int:
    before = _fetch_nodes(tx, [node for node, _ in chunk])
    graph = nx.MultiDiGraph()
    for node, props in before.items():
        graph.add_node(node, **node_data(props))
    for node, data in chunk:
        merge_node(graph, node, dict(data))
    return _write_changes(tx, graph, before, {}, next_seq)


def _merge_edges(tx: ManagedTransaction, chunk: list[tuple[str, str, str, dict[str, Any]]],
                 source_graph: nx.MultiDiGraph) -> None:
    before = _fetch_edges(tx, [(s, t, k) for s, t, k, _ in chunk])
    graph = nx.MultiDiGraph()
    for s, t, _, _ in chunk:
        for node in (s, t):
            if node not in graph:
                graph.add_node(node, kind=source_graph.nodes[node]["kind"])
    for (s, t, k), props in before.items():
        graph.add_edge(s, t, key=k, **edge_data(props))
    for s, t, k, data in chunk:
        merge_edge(graph, s, t, k, dict(data))
    _write_changes(tx, graph, {}, before, 0, nodes=False)
