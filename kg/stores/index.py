"""A query index saved beside a store file, so ``kg papers``, ``kg entity`` and ``kg stats``
answer without loading the graph.

Loading the JSON graph of 87k papers takes about 15 s and 2 GB; a question about one entity
needs a few hundred rows. ``NetworkXStore.save`` therefore also writes ``STORE.index.sqlite``
(SQLite, from the standard library): entities with their name keys, aliases and neighbours,
papers, each paper's edge to each entity with its kind, role and first three evidence
sentences, and the graph's counts. The index records the store file's size and modification
time; if the store changed since (or the index is missing or from another version),
``open_index`` returns ``None`` and the caller loads the graph, so an answer is never stale,
only slower. Answers equal ``kg.query.papers`` and ``kg.query.entity`` on the graph, order
included (``tests/test_store_index.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import sys
import tempfile
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import umask
from kg.errors import NotFoundError, StoreError
from kg.ids import match_key
from kg.query import PaperHit, graph_stats
from kg.schema import NODE_KIND_OF_TYPE, PAPER, TYPE_OF_NODE_KIND

INDEX_VERSION = "3"  # 2: the graph's counts in meta ("stats"); 3: what kg entity shows
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entities (id TEXT PRIMARY KEY, ordinal INTEGER NOT NULL, kind TEXT NOT NULL,
                       name TEXT NOT NULL, name_key TEXT NOT NULL, id_tail TEXT NOT NULL,
                       papers INTEGER NOT NULL, aliases TEXT NOT NULL, url TEXT NOT NULL);
CREATE TABLE entity_keys (key TEXT NOT NULL, entity TEXT NOT NULL);
CREATE TABLE papers (id TEXT PRIMARY KEY, title TEXT NOT NULL, date TEXT NOT NULL,
                     organization TEXT NOT NULL);
CREATE TABLE links (entity TEXT NOT NULL, paper TEXT NOT NULL, seq INTEGER NOT NULL,
                    relation TEXT NOT NULL, role TEXT NOT NULL, evidence TEXT NOT NULL);
CREATE TABLE related (entity TEXT NOT NULL, seq INTEGER NOT NULL, other TEXT NOT NULL,
                      name TEXT NOT NULL, relation TEXT NOT NULL);
"""
_INDEXES = """
CREATE INDEX entities_name_key ON entities (name_key);
CREATE INDEX entities_id_tail ON entities (id_tail);
CREATE INDEX entity_keys_key ON entity_keys (key);
CREATE INDEX links_entity ON links (entity, seq);
CREATE INDEX related_entity ON related (entity, seq);
"""


def index_path(store: str | Path) -> Path:
    """Where the index of ``store`` lives: ``graph.json`` -> ``graph.json.index.sqlite``."""
    p = Path(store)
    return p.with_name(p.name + ".index.sqlite")


def _stamp(store: Path) -> dict[str, str]:
    info = store.stat()
    return {"version": INDEX_VERSION, "store_size": str(info.st_size),
            "store_mtime_ns": str(info.st_mtime_ns)}


# Below this many nodes the index fills in about a second: not worth a second process.
FORK_MIN_NODES = 50_000


def write_index(graph: nx.MultiDiGraph, store: str | Path) -> Path:
    """Write the index of ``graph``, just saved at ``store``; atomically (temporary file, then
    rename), so a reader sees the old index or the new one, never half of one."""
    with index_beside(graph, store, fork=False):
        pass
    return index_path(store)


@contextlib.contextmanager
def index_beside(graph: nx.MultiDiGraph, store: str | Path, fork: bool = True
                 ) -> Iterator[None]:
    """Write the index of ``graph`` while the body saves ``graph`` at ``store``.

    A large graph's index is filled by a forked child process meanwhile, on the other core
    (5.6 s beside the store's own 5.5 s for the 95,000-paper graph); then the index is stamped
    with the store as saved and renamed into place. If the child fails, the parent fills the
    index itself; if the body fails, the child is stopped and no index is written.
    """
    store = Path(store)
    target = index_path(store)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise StoreError(f"{store}: cannot write the store: {exc.strerror or exc}") from exc
    child = None
    if fork and hasattr(os, "fork") and graph.number_of_nodes() >= FORK_MIN_NODES:
        child = _fork_filler(graph, tmp)
    try:
        yield
    except BaseException:  # the store was not saved: no index either
        _stop(child)
        _remove(tmp)
        raise
    try:
        if child is None or not _succeeded(child):
            _fill_file(graph, tmp)
        _stamp_and_publish(tmp, store, target)
    except BaseException as exc:
        _remove(tmp)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise StoreError(f"{target}: cannot write the query index: {exc}") from exc
        raise


def _stop(child: int | None) -> None:
    if child is not None:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _fork_filler(graph: nx.MultiDiGraph, tmp: str) -> int:
    """Fork a child that fills the index file ``tmp`` and exits; its pid."""
    pid = os.fork()
    if pid == 0:  # the child: no return, no atexit handlers, no flushing the parent's buffers
        code = 1
        try:
            _fill_file(graph, tmp)
            code = 0
        except BaseException:
            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(code)
    return pid


def _succeeded(child: int) -> bool:
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _fill_file(graph: nx.MultiDiGraph, tmp: str) -> None:
    """Every table, index and the counts, into an empty (or emptied) file ``tmp``."""
    open(tmp, "wb").close()
    connection = sqlite3.connect(tmp)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        _fill(connection, graph)
        connection.executescript(_INDEXES)
        connection.execute("INSERT INTO meta VALUES ('stats', ?)",
                           [json.dumps(graph_stats(graph))])
        connection.commit()
    finally:
        connection.close()


def _stamp_and_publish(tmp: str, store: Path, target: Path) -> None:
    """Record the saved store's size and time in the filled index, then move it into place."""
    connection = sqlite3.connect(tmp)
    try:
        connection.executemany("INSERT INTO meta VALUES (?, ?)", _stamp(store).items())
        connection.commit()
    finally:
        connection.close()
    os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; give the usual mode
    os.replace(tmp, target)


# one encoder for every row (json.dumps with options builds a new one per call)
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def _fill(connection: sqlite3.Connection, graph: nx.MultiDiGraph) -> None:
    entities, keys, papers, links, related = [], [], [], [], []
    nodes = graph.nodes
    kinds = dict(graph.nodes(data="kind"))
    for ordinal, (node, data) in enumerate(nodes(data=True)):
        if data.get("kind") == PAPER:
            papers.append((node, data.get("title", ""), data.get("date", "") or "",
                           data.get("organization", "") or ""))
            continue
        name = data.get("name", "")
        aliases = data.get("aliases", [])
        # networkx's own adjacency dicts ({source: {edge kind: attributes}}, in_edges' order):
        # its read-only views cost more than the rest of this loop
        predecessors = graph._pred[node]
        entities.append((node, ordinal, data.get("kind", ""), name, match_key(name),
                         node.split(":", 1)[-1], sum(map(len, predecessors.values())),
                         _to_json(aliases), data.get("url", "")))
        for key in {match_key(n) for n in [name, *aliases] if n}:
            keys.append((key, node))
        # kg.query.entity's order: out-edges, then in-edges from other entities
        others = [(target, relation) for target, edges in graph._succ[node].items()
                  for relation in edges]
        seq = 0
        for source, edges in predecessors.items():
            from_paper = kinds[source] == PAPER
            for relation, edge in edges.items():
                if from_paper:
                    evidence = [e["text"] for e in edge.get("evidence") or []][:3]
                    links.append((node, source, seq, relation, edge.get("role", "used"),
                                  _to_json(evidence)))
                else:
                    others.append((source, f"{relation} (from)"))
                seq += 1
        related.extend((node, k, other, nodes[other].get("name", other), relation)
                       for k, (other, relation) in enumerate(others))
    connection.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", entities)
    connection.executemany("INSERT INTO entity_keys VALUES (?, ?)", keys)
    connection.executemany("INSERT INTO papers VALUES (?, ?, ?, ?)", papers)
    connection.executemany("INSERT INTO links VALUES (?, ?, ?, ?, ?, ?)", links)
    connection.executemany("INSERT INTO related VALUES (?, ?, ?, ?, ?)", related)


class StoreIndex:
    """Read-only answers from an index file (see ``open_index``)."""

    def __init__(self, connection: sqlite3.Connection, stats: dict[str, dict[str, int]]
                 ) -> None:
        self.connection = connection
        self._stats = stats

    def stats(self) -> dict[str, dict[str, int]]:
        """``NetworkXStore.stats()`` of the store, as it was saved."""
        return self._stats

    def close(self) -> None:
        self.connection.close()

    def find_entities(self, name: str, entity_type: str | None = None) -> list[str]:
        """``kg.query.find_entities``: exact names first, then aliases; more papers first."""
        key = match_key(name)
        kind = NODE_KIND_OF_TYPE.get(entity_type or "", None)
        where_kind = " AND kind = ?" if kind else ""
        extra = [kind] if kind else []
        exact = [row[0] for row in self.connection.execute(
            "SELECT id FROM entities WHERE (name_key = ? OR id_tail = ?)" + where_kind +
            " ORDER BY papers DESC, ordinal", [key, name.lower(), *extra])]
        alias = [row[0] for row in self.connection.execute(
            "SELECT e.id FROM entity_keys k JOIN entities e ON e.id = k.entity "
            "WHERE k.key = ? AND NOT (e.name_key = ? OR e.id_tail = ?)" +
            where_kind.replace("kind", "e.kind") + " ORDER BY e.papers DESC, e.ordinal",
            [key, key, name.lower(), *extra])]
        return exact + alias

    def resolve(self, name: str, entity_type: str | None = None) -> str:
        found = self.find_entities(name, entity_type)
        if found:
            return found[0]
        raise NotFoundError(f"no {entity_type or 'entity'} called {name!r} in the graph"
                            f"{self._hint(name, entity_type)}")

    def _hint(self, name: str, entity_type: str | None) -> str:
        """The near misses ``kg.query`` names: keys that contain the name or that it contains."""
        key = match_key(name)
        if not key:
            return ""
        kind = NODE_KIND_OF_TYPE.get(entity_type or "", None)
        rows = self.connection.execute(
            "SELECT DISTINCT e.name FROM entity_keys k JOIN entities e ON e.id = k.entity "
            "WHERE (instr(k.key, ?) > 0 OR (length(k.key) > 3 AND instr(?, k.key) > 0))" +
            (" AND e.kind = ?" if kind else ""), [key, key, *([kind] if kind else [])])
        near = sorted({row[0] for row in rows})[:5]
        return f"; did you mean {', '.join(near)}?" if near else ""

    def entity(self, name: str, entity_type: str | None = None) -> dict[str, Any]:
        """``kg.query.entity``: the entity, its aliases, papers (role, evidence), neighbours."""
        node = self.resolve(name, entity_type)
        kind, entity_name, aliases, url = self.connection.execute(
            "SELECT kind, name, aliases, url FROM entities WHERE id = ?", [node]).fetchone()
        linked = [{"id": paper.removeprefix("paper:"), "title": title, "relation": relation,
                   "role": role, "evidence": json.loads(evidence)}
                  for paper, title, relation, role, evidence in self.connection.execute(
                      "SELECT l.paper, p.title, l.relation, l.role, l.evidence FROM links l "
                      "JOIN papers p ON p.id = l.paper WHERE l.entity = ? ORDER BY l.seq",
                      [node])]
        linked.sort(key=lambda p: p["title"])
        related = [{"id": other, "name": other_name, "relation": relation}
                   for other, other_name, relation in self.connection.execute(
                       "SELECT other, name, relation FROM related WHERE entity = ? "
                       "ORDER BY seq", [node])]
        return {"id": node, "type": TYPE_OF_NODE_KIND.get(kind, ""), "name": entity_name,
                "aliases": json.loads(aliases), "url": url, "papers": linked,
                "related": related}

    def papers(self, filters: Iterable[tuple[str, str]], role: str | None = None
               ) -> list[PaperHit]:
        """``kg.query.papers``: papers linked to every ``(type, name)``, newest first."""
        targets = [self.resolve(name, etype) for etype, name in filters]
        if not targets:
            return []
        candidates: set[str] | None = None
        per_paper: dict[str, dict[str, tuple[str, str]]] = {}
        for target in targets:
            linked: set[str] = set()
            for paper, edge_role, evidence in self.connection.execute(
                    "SELECT paper, role, evidence FROM links WHERE entity = ? ORDER BY seq",
                    [target]):
                if role and edge_role != role:
                    continue
                linked.add(paper)
                first = json.loads(evidence)[:1]
                per_paper.setdefault(paper, {})[target] = (edge_role, first[0] if first else "")
            candidates = linked if candidates is None else candidates & linked
        hits = []
        for paper in candidates or ():
            title, date, organization = self.connection.execute(
                "SELECT title, date, organization FROM papers WHERE id = ?", [paper]).fetchone()
            info = per_paper[paper]
            hits.append(PaperHit(
                id=paper.removeprefix("paper:"), title=title, date=date,
                organization=organization, roles={t: info[t][0] for t in targets},
                evidence={t: info[t][1] for t in targets}))
        return sorted(hits, key=lambda h: (h.date or "", h.title), reverse=True)


def open_index(store: str | Path) -> StoreIndex | None:
    """The index of ``store`` if it exists and was written for the store as it is now."""
    store = Path(store)
    path = index_path(store)
    if not path.exists() or not store.exists():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        meta = dict(connection.execute("SELECT key, value FROM meta"))
    except sqlite3.Error:
        return None  # damaged or foreign: the graph still answers
    stats = meta.pop("stats", None)
    if meta != _stamp(store) or stats is None:
        connection.close()
        return None
    return StoreIndex(connection, json.loads(stats))


def index_summary(path: str | Path) -> dict[str, int]:
    """Row counts of an index file (for tests and ``bench``)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("entities", "entity_keys", "papers", "links")}


__all__ = ["INDEX_VERSION", "StoreIndex", "index_beside", "index_path", "index_summary",
           "open_index", "write_index"]
