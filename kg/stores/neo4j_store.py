"""The server store: the same graph as ``NetworkXStore``, in Neo4j 5, over Bolt.

Only this module imports ``neo4j``. The layout (labels, properties, evidence as parallel lists)
is in ``kg.stores.neo4j_layout``. Writing:

* the constraints and indexes of ``schemas/neo4j-constraints.cypher`` are created first;
* rows are computed once in Python (``neo4j_layout``'s properties) and sent in large
  ``UNWIND $rows`` statements, one per label and one per (label, relationship type, label), so
  each MERGE on ``id`` uses the label's uniqueness constraint; nodes before relationships;
* the server merges: a new node or relationship is created with the row's properties, an
  existing one is merged in Cypher with ``NetworkXStore``'s rules (``kg.schema.UNIONED_KEYS``:
  lists unioned in order, the longer abstract and author list kept, the first non-empty value
  kept otherwise, evidence unioned without duplicates,
  confidence the larger; see ``_node_statement`` and ``_edge_statement``). Nothing is read back
  into Python, and a re-run finds every value already equal and changes nothing;
* every transaction is a managed one (``session.execute_write``: retried whole on transient
  errors and lost connections). ``add`` writes one transaction per ``batch_size`` papers (the
  batch merged by ``NetworkXStore`` first), ``load_networkx`` (``kg push``) one per
  ``rows_per_transaction`` rows; a load cut off between transactions leaves whole ones, which a
  re-run completes into the graph one uninterrupted run makes.

Cypher text never holds input: values are parameters, and labels and relationship types are
``kg.schema`` constants checked by ``neo4j_layout.label``/``rel_type``. The merge assumes one
writer at a time (two concurrent builds may each miss the other's aliases).
"""

from __future__ import annotations

import contextlib
import functools
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
    LONGER_KEPT_KEYS,
    NODE_KIND_OF_TYPE,
    NODE_KINDS,
    PAPER,
    TYPE_OF_NODE_KIND,
    UNIONED_KEYS,
    paper_node,
)
from kg.stores.neo4j_layout import (
    DERIVED_NODE_KEYS,
    ENTITY_LABELS,
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

    def __init__(self, uri: str | None = None, user: str | None = None,
                 password: str | None = None, database: str | None = None, *,
                 batch_size: int = 500, rows_per_transaction: int = 10_000) -> None:
        self.uri, self.user, password, self.database = _settings(uri, user, password, database)
        self.batch_size = batch_size  # papers per transaction in add()
        self.rows_per_transaction = rows_per_transaction  # in load_networkx()
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
                start = self._start_seq()
                nodes, edges, next_seq = _extraction_rows(batch, start)
                # one transaction per batch; the counter moves only once it commits
                session.execute_write(_write_rows, nodes, edges)
                self._next_seq = next_seq
                if on_batch:
                    on_batch(number)

    def load_networkx(self, graph: nx.MultiDiGraph, on_batch: BatchHook | None = None) -> None:
        """Merge a whole NetworkX graph (``kg push``) with the same rules as ``add``:
        ``rows_per_transaction`` nodes, then relationships, per transaction, each statement
        one label or one (label, type, label) group."""
        self.ensure_schema()
        for node, data in graph.nodes(data=True):
            label(data.get("kind"))  # fail before writing anything
            if label_of_id(node) != data["kind"]:
                raise StoreError(f"node {node!r} has kind {data['kind']!r}, not "
                                 f"{label_of_id(node)!r} as its id says")
        for _, _, key in graph.edges(keys=True):
            rel_type(key)
        start = self._start_seq()
        self._next_seq = start + graph.number_of_nodes()  # numbers reserved before writing
        nodes = _node_rows(graph.nodes(data=True), start)
        edges = _edge_rows(graph)
        size = self.rows_per_transaction
        batches = [({kind: chunk}, {}) for kind, rows in nodes.items()
                   for chunk in _chunks(rows, size)]
        batches += [({}, {group: chunk}) for group, rows in edges.items()
                    for chunk in _chunks(rows, size)]  # after every node they connect
        with self._session() as session:
            for number, (node_batch, edge_batch) in enumerate(batches, 1):
                session.execute_write(_write_rows, node_batch, edge_batch)
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


# -- the merge, done by the server ----------------------------------------------------------------
# One statement per label and one per (label, type, label) group, so every MATCH and MERGE on
# ``id`` uses the label's uniqueness constraint. A node or relationship that is new is created
# with its properties as they are (``ON CREATE SET x = row.props``); one that exists is merged
# with NetworkXStore's rules, written in Cypher:
#
# * node: the lists of UNIONED_KEYS unioned in order, a longer value of LONGER_KEPT_KEYS (the
#   abstract, the author list) taken, every other attribute filled only where the node has none
#   or "", an alias equal to the name dropped,
#   ``name_key``/``match_keys`` extended to match (``row.keys``: the keys of the new aliases);
# * relationship: evidence unioned (a (text, start, end) already there is not added again),
#   confidence the larger; everything else kept.
#
# A new node carries the row's ``seq`` (a number no existing node has), which is how the
# statement tells a node it has just created from one that was there; relationships merge in
# ``ON MATCH``. Merging a row into what it already made changes nothing, so a retried
# transaction that had in fact committed, or a re-run, leaves every value as it was.
_UNION = "reduce(acc = [], x IN {old} + {new} | CASE WHEN x IN acc THEN acc ELSE acc + x END)"


def _kept(kind: str) -> list[str]:
    """Node keys the merge does not fill: the unioned, the longer kept and the layout's own."""
    return [*UNIONED_KEYS[kind], *LONGER_KEPT_KEYS[kind], *DERIVED_NODE_KEYS]


@functools.cache
def _node_statement(kind: str) -> str:
    kind = label(kind)
    lists = [key for key in UNIONED_KEYS[kind] if key != "aliases"]
    sets = [f"n.{key} = CASE WHEN n.{key} IS NULL OR size(row.props.{key}) > size(n.{key}) "
            f"THEN coalesce(row.props.{key}, n.{key}) ELSE n.{key} END"
            for key in LONGER_KEPT_KEYS[kind]]
    sets += [f"n.{key} = CASE WHEN row.props.{key} IS NULL THEN n.{key} "
             f"ELSE {_UNION.format(old=f'coalesce(n.{key}, [])', new=f'row.props.{key}')} END"
             for key in lists]
    aliases = ""
    if kind != PAPER:
        added = "coalesce(row.add, row.props.aliases)"
        aliases = (f"WITH n, row, 'name' IN empty AS renamed, CASE WHEN {added} IS NULL "
                   f"THEN n.aliases ELSE {_UNION.format(old='coalesce(n.aliases, [])', new=added)}"
                   " END AS aliases ")
        sets += ["n.aliases = CASE WHEN aliases IS NULL THEN NULL "
                 "ELSE [a IN aliases WHERE n.name IS NULL OR a <> n.name] END",
                 "n.name_key = CASE WHEN renamed THEN row.props.name_key ELSE n.name_key END",
                 "n.match_keys = COLLECT { UNWIND coalesce(n.match_keys, []) + row.keys + "
                 "CASE WHEN renamed AND row.props.name <> '' THEN [row.props.name_key] "
                 "ELSE [] END AS k RETURN DISTINCT k ORDER BY k }"]
    return (f"UNWIND $rows AS row MERGE (n:{kind} {{id: row.props.id}}) "
            "ON CREATE SET n = row.props "
            "WITH n, row WHERE n.seq IS NULL OR n.seq <> row.props.seq "
            "WITH n, row, [k IN keys(row.props) WHERE NOT k IN $kept "
            "AND (n[k] IS NULL OR n[k] = '')] AS empty "
            "CALL (n, row, empty) { UNWIND empty AS k SET n[k] = row.props[k] } "
            f"{aliases}SET {', '.join(sets)}")


@functools.cache
def _edge_statement(source: str, kind: str, target: str) -> str:
    return (f"UNWIND $rows AS row MATCH (a:{label(source)} {{id: row.s}}) "
            f"MATCH (b:{label(target)} {{id: row.t}}) MERGE (a)-[r:{rel_type(kind)}]->(b) "
            "ON CREATE SET r = row.props "
            "ON MATCH SET r += reduce(acc = {"
            " evidence_text: coalesce(r.evidence_text, []),"
            " evidence_start: coalesce(r.evidence_start, []),"
            " evidence_end: coalesce(r.evidence_end, []),"
            " confidence: CASE WHEN coalesce(row.props.confidence, 0.0) >"
            " coalesce(r.confidence, 0.0) THEN coalesce(row.props.confidence, 0.0)"
            " ELSE coalesce(r.confidence, 0.0) END},"
            " i IN range(0, size(coalesce(row.props.evidence_text, [])) - 1) |"
            " CASE WHEN any(j IN range(0, size(acc.evidence_text) - 1)"
            "  WHERE acc.evidence_text[j] = row.props.evidence_text[i]"
            "  AND acc.evidence_start[j] = row.props.evidence_start[i]"
            "  AND acc.evidence_end[j] = row.props.evidence_end[i]) THEN acc"
            " ELSE acc {.*, evidence_text: acc.evidence_text + row.props.evidence_text[i],"
            "  evidence_start: acc.evidence_start + row.props.evidence_start[i],"
            "  evidence_end: acc.evidence_end + row.props.evidence_end[i]} END) "
            "RETURN count(*) AS n")


NodeRows = dict[str, list[dict[str, Any]]]  # label -> rows
EdgeRows = dict[tuple[str, str, str], list[dict[str, Any]]]  # (label, type, label) -> rows


def _node_rows(nodes: Iterable[tuple[str, dict[str, Any]]], next_seq: int,
               added: dict[str, list[str]] | None = None) -> NodeRows:
    """Statement rows of ``nodes``, numbered from ``next_seq`` in their order. An entity's
    ``add`` (when given in ``added``) is the aliases to union into an existing node, when they
    differ from its own."""
    rows: NodeRows = defaultdict(list)
    for seq, (node, data) in enumerate(nodes, next_seq):
        kind = label(data.get("kind"))
        row: dict[str, Any] = {"props": node_properties(node, data, seq)}
        if kind != PAPER:
            aliases = data.get("aliases")
            if added is not None and node in added and added[node] != aliases:
                row["add"] = aliases = added[node]
            row["keys"] = [match_key(a) for a in aliases or () if a]
        rows[kind].append(row)
    return rows


def _edge_rows(graph: nx.MultiDiGraph) -> EdgeRows:
    rows: EdgeRows = defaultdict(list)
    kinds = graph.nodes
    for source, target, kind, data in graph.edges(keys=True, data=True):
        group = (label(kinds[source].get("kind")), rel_type(kind),
                 label(kinds[target].get("kind")))
        rows[group].append({"s": source, "t": target,
                            "props": edge_properties(source, kind, target, data)})
    return rows


def _extraction_rows(batch: Sequence[Extraction], next_seq: int
                     ) -> tuple[NodeRows, EdgeRows, int]:
    """The rows of a batch of extractions: the batch merged by ``NetworkXStore`` itself (its
    rules, in its order), plus what merging that into existing nodes needs, the aliases before
    the batch dropped its own names from them (the database's node may have another name).
    Returns the next free seq."""
    scratch = NetworkXStore()
    defined: set[str] = set()
    referenced: set[str] = set()
    added: dict[str, list[str]] = {}
    for ex in batch:
        defined.add(paper_node(ex.paper.id))
        for entity in ex.entities:
            defined.add(entity.id)
            added[entity.id] = list(dict.fromkeys([*added.get(entity.id, ()),
                                                   *entity.aliases]))
            if entity.family and entity.family != entity.id:
                referenced.add(entity.family)
            if entity.owner:
                referenced.add(entity.owner)
    # a family or owner this batch does not define must already be in the database: the
    # relationship's MATCH finds it there or the batch fails, as NetworkXStore would
    outside = referenced - defined
    for node in outside:
        scratch.graph.add_node(node, kind=label_of_id(node))
    scratch.add(batch)
    nodes = [(n, d) for n, d in scratch.graph.nodes(data=True) if n not in outside]
    return _node_rows(nodes, next_seq, added), _edge_rows(scratch.graph), next_seq + len(nodes)


def _write_rows(tx: ManagedTransaction, nodes: NodeRows, edges: EdgeRows) -> None:
    """Merge node rows, then relationship rows (a transaction function: retried whole)."""
    for kind, rows in nodes.items():
        tx.run(_node_statement(kind), rows=rows, kept=_kept(kind)).consume()
    for (source, kind, target), rows in edges.items():
        written = tx.run(_edge_statement(source, kind, target), rows=rows).single()
        if written is None or written["n"] != len(rows):
            raise StoreError(f"{len(rows) - (written['n'] if written else 0)} {kind} edge(s) "
                             "point at nodes missing from the database")
