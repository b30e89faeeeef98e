"""GraphML exporter and its reader, for Gephi, yEd, Cytoscape and networkx.

GraphML holds only scalars (string, int/long, float/double, boolean), one declared type per
attribute key, and XML 1.0 text. The graph has lists (aliases, authors, sources), lists of dicts
(evidence) and free text from web pages, so the writer:

* writes each key with one type across all nodes (or edges): a key whose values are all ``int``
  is ``long``, ``int`` mixed with ``float`` is ``double`` (ints written as floats), all ``str``
  is ``string``, all ``bool`` is ``boolean``;
* JSON-encodes every value of a key that holds a list or dict, mixes other types, or has text
  XML would not keep (control characters are not allowed in XML 1.0, and a parser turns ``\\r``
  into ``\\n``). JSON escapes all of those, so the text comes back exactly;
* leaves out ``None`` and ``""``: ``kg.schema`` says attributes with no value are absent, and
  networkx's reader cannot tell an empty ``<data>`` from a missing one anyway;
* adds, for Gephi, ``evidence_text`` on edges (the first evidence sentence) and ``label`` on
  nodes (the name), when the graph does not have those keys already;
* records which keys it encoded or added in the graph attribute ``paperkg_graphml``, so
  ``read_graphml`` can restore the lists and dicts and drop the added keys;
* writes each edge's MultiDiGraph key as a ``key`` data attribute and gives edges no GraphML
  id. Our keys are edge kinds, repeated on every paper, and GraphML edge ids must be unique in
  a document (Gephi refuses repeated ones); networkx's reader takes an edge's key from its
  ``key`` attribute when the edge has no id, so plain ``nx.read_graphml`` keeps the keys too.

The file is written atomically.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import networkx as nx
from networkx.readwrite.graphml import GraphMLWriter

from kg.atomic import atomic_write
from kg.errors import ExportError, ParseError
from kg.exporters import register

META_KEY = "paperkg_graphml"
EDGE_KEY_ATTR = "key"
_SCOPES = ("graph", "node", "edge")
# Keys added for viewers, by scope, with the function that derives them from an element's data.
_DERIVED: dict[str, dict[str, Any]] = {
    "node": {"label": lambda data: data.get("name")},
    "edge": {"evidence_text": lambda data: _first_sentence(data.get("evidence"))},
}
# Characters XML 1.0 cannot carry, plus "\r", which parsers normalise to "\n".
_NOT_KEPT_BY_XML = re.compile("[\x00-\x08\x0b-\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class GraphMLExportError(ExportError):
    """The graph has a value GraphML cannot hold even as JSON, or an id XML cannot carry."""


def _first_sentence(evidence: object) -> str | None:
    if isinstance(evidence, list) and evidence and isinstance(evidence[0], Mapping):
        text = evidence[0].get("text")
        return text if isinstance(text, str) and text else None
    return None


def _xml_safe(text: str) -> bool:
    return _NOT_KEPT_BY_XML.search(text) is None


def _elements(graph: nx.MultiDiGraph, scope: str) -> Iterable[tuple[str, dict[str, Any]]]:
    """(description for messages, attribute dict) of every element in ``scope``."""
    if scope == "graph":
        yield "graph", graph.graph
    elif scope == "node":
        for node, data in graph.nodes(data=True):
            yield f"node {node!r}", data
    else:
        for u, v, key, data in graph.edges(keys=True, data=True):
            yield f"edge {u!r} -> {v!r} (key {key!r})", data


def _has_value(value: object) -> bool:
    return value is not None and value != ""


def _plan(graph: nx.MultiDiGraph) -> dict[str, dict[str, str]]:
    """For each scope and key, how its values are written: "json", "float" or "plain"."""
    plan: dict[str, dict[str, str]] = {}
    for scope in _SCOPES:
        types: dict[str, set[type]] = defaultdict(set)
        unsafe: set[str] = set()
        for _where, data in _elements(graph, scope):
            for key, value in data.items():
                if (scope == "graph" and key == META_KEY) or not _has_value(value):
                    continue
                types[key].add(type(value))
                if isinstance(value, str) and not _xml_safe(value):
                    unsafe.add(key)
        plan[scope] = {}
        for key, seen in types.items():
            if (seen <= {str} and key not in unsafe) or seen in ({int}, {float}, {bool}):
                plan[scope][key] = "plain"
            elif seen == {int, float}:
                plan[scope][key] = "float"
            else:
                plan[scope][key] = "json"
    return plan


def _to_json(value: object, where: str, key: str) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise GraphMLExportError(
            f"{where}: attribute {key!r} = {value!r} cannot be written to GraphML: {exc}; "
            "allowed are str, int, float, bool and lists/dicts of those"
        ) from exc
    # ensure_ascii=False keeps text readable; fall back to \\u escapes for what XML can't carry.
    return text if _xml_safe(text) else json.dumps(value, allow_nan=False)


def _check_id(text: str, what: str) -> str:
    if not _xml_safe(text):
        raise GraphMLExportError(
            f"{what} {text!r} has characters XML 1.0 cannot hold (control characters, "
            "surrogates, U+FFFE/U+FFFF or \\r); GraphML ids must be XML text"
        )
    return text


def to_graphml_ready(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` that networkx's GraphML writer can write without losing anything.

    Raises:
        GraphMLExportError: a value is neither a scalar nor JSON-serializable, or a node id,
            edge key or attribute name has characters XML 1.0 cannot hold.
    """
    plan = _plan(graph)
    if EDGE_KEY_ATTR in plan["edge"]:
        raise GraphMLExportError(
            f"an edge has an attribute named {EDGE_KEY_ATTR!r}; GraphML export reserves it for "
            "the edge's MultiDiGraph key"
        )
    derived: dict[str, list[str]] = {}
    for scope, makers in _DERIVED.items():
        derived[scope] = [key for key in makers if key not in plan[scope]]

    def convert(scope: str, where: str, data: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in data.items():
            if (scope == "graph" and key == META_KEY) or not _has_value(value):
                continue
            _check_id(str(key), f"{where}: attribute name")
            how = plan[scope][key]
            if how == "json":
                out[key] = _to_json(value, where, key)
            elif how == "float":
                out[key] = float(value)
            else:
                out[key] = value
        for key in derived.get(scope, ()):
            extra = _DERIVED[scope][key](data)
            if _has_value(extra) and _xml_safe(str(extra)):
                out[key] = extra
        return out

    ready = nx.MultiDiGraph()
    ready.graph.update(convert("graph", "graph", graph.graph))
    for node, data in graph.nodes(data=True):
        ready.add_node(_check_id(str(node), "node id"), **convert("node", f"node {node!r}", data))
    for u, v, key, data in graph.edges(keys=True, data=True):
        where = f"edge {u!r} -> {v!r} (key {key!r})"
        ready.add_edge(str(u), str(v), key=_check_id(str(key), f"{where}: key"),
                       **convert("edge", where, data))
    json_keys = {scope: sorted(k for k, how in plan[scope].items() if how == "json")
                 for scope in _SCOPES}
    ready.graph[META_KEY] = json.dumps(
        {"version": 1, "json": json_keys, "derived": derived, "edge_key": EDGE_KEY_ATTR},
        sort_keys=True,
    )
    return ready


class _KeyAsDataWriter(GraphMLWriter):
    """networkx's GraphML writer, writing edge keys as ``key`` data instead of edge ids."""

    def add_edges(self, G: nx.MultiDiGraph, graph_element: Any) -> None:
        default = G.graph.get("edge_default", {})
        for u, v, key, data in G.edges(keys=True, data=True):
            edge_element = self.myElement("edge", source=str(u), target=str(v))
            self.add_attributes("edge", edge_element, {EDGE_KEY_ATTR: key, **data}, default)
            graph_element.append(edge_element)


def _dump(ready: nx.MultiDiGraph, handle: IO[bytes]) -> None:
    writer = _KeyAsDataWriter(encoding="utf-8", prettyprint=True, infer_numeric_types=True)
    writer.add_graph_element(ready)
    writer.dump(handle)


@register("graphml")
def write_graphml(graph: nx.MultiDiGraph, path: str | Path | IO[bytes]) -> None:
    """Write ``graph`` as GraphML (UTF-8) to a path, atomically, or to a binary file object."""
    ready = to_graphml_ready(graph)
    if isinstance(path, str | Path):
        with atomic_write(path, "wb") as handle:
            _dump(ready, handle)
    else:
        _dump(ready, path)


def read_graphml(path: str | Path | IO[bytes]) -> nx.MultiDiGraph:
    """Read a GraphML file; for our own exports, restore lists/dicts and drop viewer-only keys.

    Node ids and edge keys come back as strings. A file another tool wrote is returned as
    networkx reads it.

    Raises:
        ParseError: the file is not GraphML, or its ``paperkg_graphml`` record is damaged.
    """
    where = str(path) if isinstance(path, str | Path) else getattr(path, "name", "<stream>")
    try:
        graph = nx.read_graphml(path, node_type=str, edge_key_type=str, force_multigraph=True)
    except (nx.NetworkXError, SyntaxError, ValueError) as exc:  # XML errors are SyntaxErrors
        raise ParseError(where, None, "GraphML", str(exc)) from exc
    for default in ("node_default", "edge_default"):
        if graph.graph.get(default) == {}:
            del graph.graph[default]
    record = graph.graph.pop(META_KEY, None)
    if record is None:
        return graph
    try:
        meta = json.loads(record)
        json_keys = {scope: set(meta["json"].get(scope, ())) for scope in _SCOPES}
        derived = {scope: set(meta["derived"].get(scope, ())) for scope in _SCOPES}
        derived["edge"].add(meta["edge_key"])
        for scope in _SCOPES:
            for _where, data in _elements(graph, scope):
                for key in derived[scope] & data.keys():
                    del data[key]
                for key in json_keys[scope] & data.keys():
                    data[key] = json.loads(data[key])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParseError(where, None, f"a valid {META_KEY} record and JSON values",
                         str(exc)) from exc
    return graph
