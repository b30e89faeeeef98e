"""How the NetworkX graph is laid out in Neo4j: labels, property maps, and the way back.

Shared by the Neo4j store and the Cypher and neo4j-admin CSV exporters, so a database loaded
by any of the three is the same; this module does not import ``neo4j``.

* A node is one node labelled with its ``kind`` (a ``kg.schema.NODE_KINDS`` label), with the
  NetworkX node id in ``id`` (unique per label, see ``schemas/neo4j-constraints.cypher``) and
  every NetworkX attribute as a property of the same name, ``kind`` included; lists stay lists.
* Entity nodes also get two derived properties so Cypher can match names as ``kg.query`` does:
  ``name_key`` (``kg.ids.match_key`` of the name) and ``match_keys`` (the keys of the name and
  every alias).
* Every node gets ``seq``, its position in the NetworkX graph's node order (the order nodes were
  first added). ``kg.query`` breaks ties between equally good entities by that order, and so
  can Cypher; ``to_networkx`` gives the nodes back in it. Only the order counts: the Neo4j
  store numbers every row it writes from past the largest ``seq`` in the database, so numbers
  of rows that found their node already there are skipped.
* An edge is one relationship whose type is its NetworkX key (a ``kg.schema.EDGE_KINDS``
  type), with the attributes as properties. Neo4j properties cannot hold maps, so the evidence
  list ``[{text, start, end}, ...]`` is stored as three parallel lists ``evidence_text``,
  ``evidence_start`` and ``evidence_end`` (kept in order, so the first sentence is
  ``evidence_text[0]``); queryable in Cypher, unlike a JSON string.

``node_data`` and ``edge_data`` turn properties back into NetworkX attributes. Entity
``aliases`` and edge ``evidence`` come back as ``[]`` when the database has none, because
neo4j-admin import cannot write an empty list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.ids import match_key
from kg.schema import EDGE_KINDS, NODE_KIND_OF_TYPE, NODE_KINDS, PAPER

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "neo4j-constraints.cypher"
ENTITY_LABELS: tuple[str, ...] = tuple(k for k in NODE_KINDS if k != PAPER)
DERIVED_NODE_KEYS = ("id", "seq", "name_key", "match_keys")
EVIDENCE_KEYS = ("evidence_text", "evidence_start", "evidence_end")
_SCALARS = (str, bool, int, float)


def label(kind: object) -> str:
    """``kind`` if it is one of our node labels; the only way a label reaches Cypher text."""
    if kind not in NODE_KINDS:
        raise StoreError(f"node kind {kind!r} is not a paperkg label; expected one of "
                         f"{', '.join(NODE_KINDS)}")
    return str(kind)


def rel_type(kind: object) -> str:
    """``kind`` if it is one of our relationship types (the only way one reaches Cypher)."""
    if kind not in EDGE_KINDS:
        raise StoreError(f"edge kind {kind!r} is not a paperkg relationship type; expected one "
                         f"of {', '.join(EDGE_KINDS)}")
    return str(kind)


def label_of_id(node_id: str) -> str:
    """The label a node id implies: ``paper:...`` -> Paper, ``dataset:...`` -> Dataset.

    >>> label_of_id("paper:2301.00001"), label_of_id("link:github.com/a/b")
    ('Paper', 'Link')
    """
    prefix = node_id.split(":", 1)[0]
    if prefix == "paper":
        return PAPER
    if prefix in NODE_KIND_OF_TYPE:
        return NODE_KIND_OF_TYPE[prefix]
    raise StoreError(f"node id {node_id!r} has no known prefix (paper: or an entity type)")


_UNFIT = object()


def _fit(value: Any) -> Any:
    """``value`` as a Neo4j property (a scalar or a list of one scalar type), else ``_UNFIT``.

    The exact types come first: this runs for every attribute of a ``kg push``."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool:
        return value  # floats include NaN and infinities, which Neo4j stores
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list | tuple):
        items = list(value)
        if all(type(v) is str for v in items):
            return items
        types = {bool if isinstance(v, bool) else type(v) for v in items}
        if all(isinstance(v, _SCALARS) for v in items) and (
                len(types) <= 1 or types == {int, float}):
            return items
    return _UNFIT


def _unfit(where: str, key: str, value: Any) -> StoreError:
    return StoreError(f"{where}: property {key!r} = {value!r} cannot be stored in Neo4j "
                      "(only strings, numbers, booleans and lists of one of those)")


def node_properties(node_id: str, data: Mapping[str, Any], seq: int) -> dict[str, Any]:
    """The Neo4j properties of NetworkX node ``node_id``, ``seq``-th in the graph's order:
    attributes plus id, seq and name keys."""
    for key in DERIVED_NODE_KEYS:
        if key in data:
            raise StoreError(f"node {node_id!r}: attribute {key!r} is reserved for the Neo4j "
                             "layout")
    props: dict[str, Any] = {}
    for key, value in data.items():
        if value is not None:
            props[key] = fit = _fit(value)
            if fit is _UNFIT:
                raise _unfit(f"node {node_id!r}", key, value)
    props["id"] = node_id
    props["seq"] = seq
    if data.get("kind") != PAPER:
        names = [data.get("name", ""), *data.get("aliases", [])]
        props["name_key"] = match_key(data.get("name", "") or "")
        props["match_keys"] = sorted({match_key(n) for n in names if n})
    return props


def node_data(props: Mapping[str, Any]) -> dict[str, Any]:
    """NetworkX attributes from a node's properties (the inverse of ``node_properties``)."""
    data = {k: v for k, v in props.items() if k not in DERIVED_NODE_KEYS}
    if data.get("kind") in ENTITY_LABELS:
        data.setdefault("aliases", [])
    return data


_EVIDENCE_ITEM_KEYS = frozenset({"text", "start", "end"})


def edge_properties(source: str, kind: str, target: str,
                    data: Mapping[str, Any]) -> dict[str, Any]:
    """The Neo4j properties of edge ``source -[kind]-> target``: evidence flattened into three
    parallel lists."""
    props: dict[str, Any] = {}
    for key, value in data.items():
        if key == "evidence":
            items = value or ()
            texts, starts, ends = [], [], []
            for item in items:
                if not _is_evidence_item(item):
                    raise StoreError(f"{_edge(source, kind, target)}: evidence item {item!r} "
                                     "is not {text, start, end}")
                texts.append(str(item["text"]))
                starts.append(int(item["start"]))
                ends.append(int(item["end"]))
            props["evidence_text"], props["evidence_start"], props["evidence_end"] = \
                texts, starts, ends
        elif key in EVIDENCE_KEYS:
            raise StoreError(f"{_edge(source, kind, target)}: attribute {key!r} is reserved "
                             "for the Neo4j layout")
        elif value is not None:
            props[key] = fit = _fit(value)
            if fit is _UNFIT:
                raise _unfit(_edge(source, kind, target), key, value)
    return props


def _is_evidence_item(item: Any) -> bool:
    if type(item) is dict:  # the usual case, without building a set
        return len(item) == 3 and "text" in item and "start" in item and "end" in item
    return isinstance(item, Mapping) and set(item) == _EVIDENCE_ITEM_KEYS


def _edge(source: str, kind: str, target: str) -> str:
    return f"edge {source!r} -[{kind}]-> {target!r}"


def edge_data(props: Mapping[str, Any]) -> dict[str, Any]:
    """NetworkX edge attributes from a relationship's properties."""
    data = {k: v for k, v in props.items() if k not in EVIDENCE_KEYS}
    texts = props.get("evidence_text") or []
    starts = props.get("evidence_start") or []
    ends = props.get("evidence_end") or []
    data["evidence"] = [{"text": t, "start": s, "end": e}
                        for t, s, e in zip(texts, starts, ends, strict=True)]
    return data


def schema_statements(path: str | Path = SCHEMA_FILE) -> list[str]:
    """The constraint and index statements of ``schemas/neo4j-constraints.cypher``."""
    text = Path(path).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def property_key(key: str) -> str:
    """A property key as Cypher text: bare when it is a plain identifier, else back-quoted.

    >>> property_key("author_count"), property_key("odd`key")
    ('author_count', '`odd``key`')
    """
    if _IDENTIFIER.fullmatch(key):
        return key
    if not key or any(ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f for ch in key):
        raise StoreError(f"property key {key!r} cannot be written in Cypher")
    return "`" + key.replace("`", "``") + "`"
