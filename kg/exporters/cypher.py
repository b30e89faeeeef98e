"""Cypher exporter: a script of parameterless ``MERGE`` statements, for ``cypher-shell -f``.

The script holds the constraints and indexes of ``schemas/neo4j-constraints.cypher``, then one
statement per line, grouped in ``:begin``/``:commit`` blocks of ``BLOCK`` statements (plain
``cypher-shell`` commands, so each block is one transaction). Each node is
``MERGE (n:Label {id: '...'}) SET n = {...}`` and each edge
``MATCH (a:L1 {id: '...'}) MATCH (b:L2 {id: '...'}) MERGE (a)-[r:TYPE]->(b) SET r = {...}``,
with the properties of ``kg.stores.neo4j_layout``, so the result equals what ``Neo4jStore``
writes (``SET =``: loading the script over an older copy of the graph gives exactly the graph
of the script). Labels and types come from ``kg.schema``; every value is a literal written by
``cypher_value``, whose strings escape quotes, backslashes and every control character, so no
text from a paper can end a literal or a statement.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import networkx as nx

from kg.atomic import atomic_write
from kg.errors import ExportError, KGError
from kg.exporters import register
from kg.stores.neo4j_layout import (
    edge_properties,
    label,
    node_properties,
    property_key,
    rel_type,
    schema_statements,
)

BLOCK = 500
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}
# Quote and backslash, C0/C1 controls, line/paragraph separators and lone surrogates.
_NEEDS_ESCAPE = re.compile("[\\\\'\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04x}"


def cypher_string(text: str) -> str:
    """``text`` as a single-quoted Cypher string literal that reads back as ``text``.

    >>> print(cypher_string("it's a \\\\ 'test'\\n"))
    'it\\'s a \\\\ \\'test\\'\\n'
    >>> print(cypher_string("'}) DETACH DELETE n //"))
    '\\'}) DETACH DELETE n //'
    """
    return "'" + _NEEDS_ESCAPE.sub(_escape, text) + "'"


def cypher_value(value: Any) -> str:
    """A property value as a Cypher literal: string, integer, float, boolean or list of them.

    >>> cypher_value(["a", "b"]), cypher_value(3), cypher_value(0.5), cypher_value(True)
    ("['a', 'b']", '3', '0.5', 'true')
    """
    if isinstance(value, str):
        return cypher_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExportError(f"{value!r} has no Cypher literal")
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(cypher_value(v) for v in value) + "]"
    raise ExportError(f"{value!r} ({type(value).__name__}) has no Cypher literal")


def cypher_map(props: Mapping[str, Any]) -> str:
    """A map literal: ``{name: 'GLUE', aliases: []}``."""
    return "{" + ", ".join(f"{property_key(k)}: {cypher_value(v)}"
                           for k, v in props.items()) + "}"


def statements(graph: nx.MultiDiGraph) -> Iterator[str]:
    """The ``MERGE`` statements that load ``graph`` (nodes first), without the schema."""
    try:
        for seq, (node, data) in enumerate(graph.nodes(data=True)):
            props = node_properties(node, data, seq)
            yield (f"MERGE (n:{label(data.get('kind'))} {{id: {cypher_string(node)}}}) "
                   f"SET n = {cypher_map(props)};")
        for source, target, key, data in graph.edges(keys=True, data=True):
            props = edge_properties(source, key, target, data)
            yield (f"MATCH (a:{label(graph.nodes[source].get('kind'))} "
                   f"{{id: {cypher_string(source)}}}) "
                   f"MATCH (b:{label(graph.nodes[target].get('kind'))} "
                   f"{{id: {cypher_string(target)}}}) "
                   f"MERGE (a)-[r:{rel_type(key)}]->(b) SET r = {cypher_map(props)};")
    except ExportError:
        raise
    except KGError as exc:  # a kind outside the vocabulary, a value Neo4j cannot hold
        raise ExportError(f"cannot write the graph as Cypher: {exc}") from exc


def write_script(graph: nx.MultiDiGraph, handle: IO[str]) -> None:
    """Write the whole script (schema, then blocks of statements) to an open text file."""
    handle.write(f"// paperkg graph: {graph.number_of_nodes()} nodes, "
                 f"{graph.number_of_edges()} relationships.\n"
                 "// Load with: cypher-shell -a bolt://HOST:7687 -f THIS_FILE\n")
    for statement in schema_statements():
        handle.write(" ".join(statement.split()) + ";\n")
    open_block = False
    for number, statement in enumerate(statements(graph)):
        if number % BLOCK == 0:
            handle.write(":commit\n:begin\n" if open_block else ":begin\n")
            open_block = True
        handle.write(statement + "\n")
    if open_block:
        handle.write(":commit\n")


@register("cypher")
def write_cypher(graph: nx.MultiDiGraph, path: Path) -> None:
    """Write ``graph`` as a cypher-shell script to ``path`` (atomically)."""
    with atomic_write(path) as handle:
        write_script(graph, handle)


def read_statements(path: str | Path) -> list[list[str]]:
    """The script's transactions, each a list of statements (the schema ones alone): what
    cypher-shell would run, for checking a script without cypher-shell."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("//"):
            continue
        if line == ":begin":
            current = []
        elif line == ":commit":
            blocks.append(current or [])
            current = None
        elif current is not None:
            current.append(line.rstrip(";"))
        else:
            blocks.append([line.rstrip(";")])
    return blocks
