"""The embedded store: a NetworkX ``MultiDiGraph`` saved to one JSON file (gzip if ``.gz``).

Adding an extraction merges into what is there: a paper or entity already present gets the new
aliases and metadata, an edge already present gets the new evidence, nothing is duplicated. The
file is written to a temporary file and renamed, so an interrupted save keeps the old graph.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import atomic_write
from kg.errors import StoreError
from kg.model import Entity, Extraction, Paper, Relation
from kg.query import graph_stats
from kg.readers import is_gzip
from kg.schema import (
    HOSTED_BY,
    LONGER_KEPT_KEYS,
    NODE_KIND_OF_TYPE,
    PAPER,
    UNIONED_KEYS,
    VARIANT_OF,
    paper_node,
)
from kg.stores.index import index_beside

FORMAT = "paperkg-networkx"
VERSION = 1


def paper_attributes(paper: Paper) -> dict[str, Any]:
    """A paper's node attributes; empty values left out (GraphML and Neo4j have no null)."""
    attrs: dict[str, Any] = {
        "kind": PAPER, "name": paper.title, "title": paper.title, "abstract": paper.abstract,
        "date": paper.date, "authors": list(paper.authors), "author_count": paper.author_count,
        "organization": paper.organization, "organization_handle": paper.organization_handle,
        "upvotes": paper.upvotes, "arxiv_id": paper.arxiv_id, "doi": paper.doi,
        "sources": list(paper.sources), "cited_ids": list(paper.cited_ids),
    }
    return {k: v for k, v in attrs.items() if v not in (None, "", [])}


def entity_attributes(entity: Entity) -> dict[str, Any]:
    attrs: dict[str, Any] = {"kind": NODE_KIND_OF_TYPE[entity.type], "name": entity.name,
                             "aliases": list(entity.aliases)}
    if entity.type == "link":
        attrs.update(url=entity.url, link_kind=entity.kind)
    return attrs


def _union(old: list, new: list) -> list:
    return list(dict.fromkeys([*old, *new]))


def _evidence_dicts(relation: Relation) -> list[dict[str, Any]]:
    return [{"text": e.text, "start": e.start, "end": e.end} for e in relation.evidence]


class NetworkXStore:
    """A graph in memory, loaded from and saved to ``path``."""

    backend = "networkx"

    def __init__(self, graph: nx.MultiDiGraph | None = None, path: str | Path | None = None):
        self.graph = graph if graph is not None else nx.MultiDiGraph()
        self.path = Path(path) if path is not None else None

    # -- persistence ------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, create: bool = True) -> NetworkXStore:
        """The store saved at ``path``; an empty one if it does not exist and ``create``."""
        p = Path(path)
        if not p.exists():
            if create:
                return cls(path=p)
            raise StoreError(f"{p}: no such store; build one with 'kg build INPUT --store {p}'")
        return cls(load_graph(p), p)

    def save(self, path: str | Path | None = None) -> Path:
        target = Path(path) if path is not None else self.path
        if target is None:
            raise StoreError("no path to save the store to")
        # kg papers and kg stats answer from the index without loading the graph
        with index_beside(self.graph, target):
            save_graph(self.graph, target)
        self.path = target
        return target

    # -- writing ----------------------------------------------------------------------------
    def add(self, extractions: Iterable[Extraction]) -> None:
        for extraction in extractions:
            self.add_extraction(extraction)

    def add_extraction(self, extraction: Extraction) -> None:
        pid = paper_node(extraction.paper.id)
        self._merge_node(pid, paper_attributes(extraction.paper))
        for entity in extraction.entities:
            self._merge_node(entity.id, entity_attributes(entity))
        for entity in extraction.entities:
            self._add_entity_edges(entity)
        for relation in extraction.relations:
            self._merge_edge(pid, relation.entity_id, relation.kind, {
                "kind": relation.kind, "role": relation.role,
                "confidence": relation.confidence, "extractor": relation.extractor,
                "evidence": _evidence_dicts(relation),
                **({"relation": relation.relation} if relation.relation else {}),
            })

    def add_entity(self, entity: Entity) -> None:
        self._merge_node(entity.id, entity_attributes(entity))
        self._add_entity_edges(entity)

    def _add_entity_edges(self, entity: Entity) -> None:
        """``VARIANT_OF`` its family and ``HOSTED_BY`` its owner, once both nodes exist."""
        if entity.family and entity.family != entity.id:
            self._merge_edge(entity.id, entity.family, VARIANT_OF, {
                "kind": VARIANT_OF, "confidence": 0.9, "extractor": "checkpoint-name",
                "evidence": []})
        if entity.owner:
            self._merge_edge(entity.id, entity.owner, HOSTED_BY, {
                "kind": HOSTED_BY, "confidence": 0.8, "extractor": "code-host-owner",
                "evidence": []})

    def _merge_node(self, node: str, attrs: dict[str, Any]) -> None:
        """Add ``node``, or merge ``attrs`` into it by the rules of ``kg.schema`` (lists unioned,
        the longer abstract and author list kept, other values filled where empty)."""
        g = self.graph
        if node not in g:
            g.add_node(node, **attrs)
            return
        current = g.nodes[node]
        unioned, longer_kept = UNIONED_KEYS[attrs["kind"]], LONGER_KEPT_KEYS[attrs["kind"]]
        for key, value in attrs.items():
            if key in unioned:
                current[key] = _union(current.get(key, []), value)
            elif key in longer_kept:
                if len(value) > len(current.get(key, ())):
                    current[key] = value
            elif key not in current or current[key] in ("", None):
                current[key] = value
        if "aliases" in current and current.get("name") in current["aliases"]:
            current["aliases"] = [a for a in current["aliases"] if a != current["name"]]

    def _merge_edge(self, source: str, target: str, kind: str, attrs: dict[str, Any]) -> None:
        g = self.graph
        if target not in g:
            raise StoreError(f"edge {source} -[{kind}]-> {target}: no node {target!r}")
        if g.has_edge(source, target, key=kind):
            current = g.edges[source, target, kind]
            current["evidence"] = _union_evidence(current.get("evidence", []), attrs["evidence"])
            current["confidence"] = max(current.get("confidence", 0.0), attrs["confidence"])
            return
        g.add_edge(source, target, key=kind, **attrs)

    # -- reading ----------------------------------------------------------------------------
    def stats(self) -> dict[str, dict[str, int]]:
        return graph_stats(self.graph)


def _union_evidence(old: list[dict], new: list[dict]) -> list[dict]:
    seen = {(e["text"], e["start"], e["end"]) for e in old}
    merged = list(old)
    for e in new:
        key = (e["text"], e["start"], e["end"])
        if key not in seen:
            seen.add(key)
            merged.append(e)
    return merged


# ASCII, non-ASCII characters escaped: loading decodes the whole file into one str first, and
# one character beyond U+FFFF (95k abstracts hold 106) made that str four bytes a character:
# 1.06 GB for a 277 MB store, and a 2 GB peak when a build added to the store
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


# The file is one JSON document written a record a line: a header line ending in
# '"nodes":[', a node a line, '],"edges":[', an edge a line, then ']}}' (JSON escapes every line
# break inside a string, so a line is never cut). ``load_graph`` parses a few thousand lines at
# a time instead of the whole text: parsed whole, the 87,691-paper store (277 MB of JSON) took
# the text, its str and every record at once on top of the graph: a 2.1 GB peak.
_NODES_OPEN = b'"nodes":[\n'
_EDGES_OPEN = b'],"edges":[\n'
_END = b"]}}"
_SECTION_ENDS = {("nodes", _EDGES_OPEN.rstrip()), ("edges", _END)}
_LINES_PER_PARSE = 4096


def _node_link_chunks(graph: nx.MultiDiGraph) -> Iterator[str]:
    """The store file as JSON text, a line (a node or an edge) at a time.

    The same document ``nx.node_link_data`` gives, without building it (and its JSON string)
    in memory first: on a 95k-paper graph that copy was most of the build's peak memory.
    """
    dumps = _COMPACT_JSON.encode  # one encoder for 450k calls, not one built per call
    yield (f'{{"format":{dumps(FORMAT)},"version":{VERSION},"graph":{{"directed":true,'
           f'"multigraph":true,"graph":{dumps(graph.graph)},{_NODES_OPEN.decode()}')
    for index, (node, data) in enumerate(graph.nodes(data=True)):
        yield ("," if index else "") + dumps({**data, "id": node}) + "\n"
    yield _EDGES_OPEN.decode()
    for index, (source, target, key, data) in enumerate(graph.edges(keys=True, data=True)):
        yield ("," if index else "") + dumps({**data, "source": source, "target": target,
                                              "key": key}) + "\n"
    yield _END.decode() + "\n"


def save_graph(graph: nx.MultiDiGraph, path: str | Path) -> None:
    """Write ``graph`` as JSON node-link data, gzipped when the name ends in ``.gz``."""
    target = Path(path)
    try:
        with atomic_write(target, "wb") as raw:
            handle = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5, mtime=0) \
                if target.suffix == ".gz" else raw
            buffer: list[str] = []
            size = 0
            for chunk in _node_link_chunks(graph):
                buffer.append(chunk)
                size += len(chunk)
                if size > 1 << 20:
                    handle.write("".join(buffer).encode("utf-8"))
                    buffer, size = [], 0
            handle.write("".join(buffer).encode("utf-8"))
            if handle is not raw:
                handle.close()
    except OSError as exc:
        raise StoreError(f"{target}: cannot write the store: {exc.strerror or exc}") from exc


def load_graph(path: str | Path) -> nx.MultiDiGraph:
    """Read a graph saved by ``save_graph``; a damaged or foreign file raises ``StoreError``.

    A store written a record a line is parsed a few thousand lines at a time; any other JSON
    (a store written on one line before 2026-11-24, or by hand) is parsed whole."""
    p = Path(path)
    try:
        with p.open("rb") as handle:
            gzipped = is_gzip(handle.read(2))
            handle.seek(0)
            stream = gzip.GzipFile(fileobj=handle, mode="rb") if gzipped else handle
            first = stream.readline()
            if first.endswith(_NODES_OPEN):
                return _read_lines(p, first, stream)
            payload = json.loads(first + stream.read())
    except StoreError:
        raise
    except (OSError, EOFError) as exc:
        raise StoreError(f"{p}: cannot read the store: {exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(f"{p}: not a paperkg store (invalid JSON: {exc})") from exc
    _check_header(p, payload)
    try:
        return _graph_from_node_link(payload["graph"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise StoreError(f"{p}: not a paperkg store (damaged node-link data: {exc!r})") from exc


def _check_header(path: Path, payload: Any) -> None:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise StoreError(f"{path}: not a paperkg store (expected format {FORMAT!r})")
    if payload.get("version") != VERSION:
        raise StoreError(f"{path}: store version {payload.get('version')} is not {VERSION}")


def _read_lines(path: Path, first: bytes, lines: Iterable[bytes]) -> nx.MultiDiGraph:
    """The graph of a store written a record a line (``_node_link_chunks``), ``first`` its
    header line and ``lines`` the rest."""
    try:
        header = json.loads(first[:-1] + b"]}}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}, line 1: not a paperkg store header ({exc})") from exc
    _check_header(path, header)
    data = header.get("graph")
    attributes = (data.get("graph") or {}) if isinstance(data, dict) else None
    if not isinstance(attributes, dict) or "nodes" not in data:
        raise StoreError(f"{path}, line 1: not a paperkg store (expected \"graph\": "
                         "{\"graph\": {...}, \"nodes\": [ at the end of the line)")
    graph = nx.MultiDiGraph(**attributes)
    section, pending, number = "nodes", [], 1
    for number, line in enumerate(lines, 2):
        if line[:1] == b"{" or line[:2] == b",{":
            pending.append(line[1:] if line[:1] == b"," else line)
            if len(pending) == _LINES_PER_PARSE:
                _add_records(path, graph, section, pending, number)
                pending = []
        elif (section, line.rstrip(b"\n")) in _SECTION_ENDS:
            _add_records(path, graph, section, pending, number - 1)
            pending, section = [], "edges" if section == "nodes" else "end"
        elif section != "end" or line.strip():
            expected = {"nodes": "a node (one JSON object a line) or '],\"edges\":['",
                        "edges": "an edge (one JSON object a line) or ']}}'",
                        "end": "nothing after ']}}'"}[section]
            raise StoreError(f"{path}, line {number}: expected {expected}, not "
                             f"{line[:60].decode('ascii', 'replace')!r}")
    if section != "end":
        raise StoreError(f"{path}: the store stops at line {number}, inside its {section}: "
                         "cut short (expected ']}}' at the end)")
    return graph


def _add_records(path: Path, graph: nx.MultiDiGraph, section: str, lines: list[bytes],
                 last: int) -> None:
    """Parse ``lines`` (numbered up to ``last``) as one JSON array and add their nodes or
    edges to ``graph``."""
    try:
        # no line break inside a record: each is the end of one
        records = json.loads(b"[" + b"".join(lines).replace(b"\n", b",").rstrip(b",") + b"]")
        if len(records) != len(lines):
            raise ValueError(f"{len(records)} JSON values on {len(lines)} lines")
        (_add_nodes if section == "nodes" else _add_edges)(graph, records)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, KeyError, TypeError,
            AttributeError) as exc:
        first = last - len(lines) + 1
        for number, line in enumerate(lines, first):
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                raise StoreError(f"{path}, line {number}: not a JSON record ({error})") from None
            keys = ("id",) if section == "nodes" else ("source", "target", "key")
            if not isinstance(record, dict) or any(k not in record for k in keys):
                raise StoreError(f"{path}, line {number}: expected a {section[:-1]} record "
                                 f"with {', '.join(keys)}") from None
        raise StoreError(f"{path}, lines {first}-{last}: not a paperkg store (damaged "
                         f"{section}: {exc!r})") from exc


def _graph_from_node_link(data: dict[str, Any]) -> nx.MultiDiGraph:
    """The graph ``nx.node_link_graph`` builds from the store's node-link data, in the same
    order, but with ``add_nodes_from``/``add_edges_from`` and the records' own dicts as the
    attribute dicts: loading the 95k-paper store took 8-9 s instead of 11-13 s."""
    graph = nx.MultiDiGraph(**data.get("graph", {}))
    _add_nodes(graph, data["nodes"])
    _add_edges(graph, data["edges"])
    return graph


def _add_nodes(graph: nx.MultiDiGraph, records: Iterable[dict[str, Any]]) -> None:
    """Node-link node records into ``graph``; each record becomes the node's attribute dict."""
    graph.add_nodes_from((node.pop("id"), node) for node in records)


def _add_edges(graph: nx.MultiDiGraph, records: Iterable[dict[str, Any]]) -> None:
    """Node-link edge records into ``graph``; each record becomes the edge's attribute dict."""
    graph.add_edges_from((edge.pop("source"), edge.pop("target"), edge.pop("key"), edge)
                         for edge in records)
