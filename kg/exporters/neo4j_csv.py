"""neo4j-admin CSV exporter: a directory of node and relationship files for a bulk import.

``export(graph, "neo4j-csv", DIR)`` writes into the directory ``DIR`` (the registry passes it as
the path): ``nodes_<Label>.csv`` (``id:ID``, ``:LABEL``, then the properties) and
``rels_<TYPE>.csv`` (``:START_ID``, ``:END_ID``, ``:TYPE``, then the properties), with the
properties of ``kg.stores.neo4j_layout``, and ``import.sh`` holding the command::

    neo4j-admin database import full neo4j --array-delimiter=U+001F --multiline-fields=true \\
        --nodes=nodes_Paper.csv ... --relationships=rels_USES.csv ...

Each property column is typed from its values (``author_count:long``, ``confidence:double``,
``aliases:string[]``, ``evidence_start:long[]``). Arrays are joined with U+001F (the ASCII unit
separator) rather than the default ``;``: neo4j-admin has no escape for its array delimiter,
evidence sentences and titles are full of ``;``, and a control character does not occur in
paper text (a value holding one raises ``ExportError``). Fields with commas, quotes or line
breaks are quoted with quotes doubled, which neo4j-admin reads with ``--multiline-fields``.
An empty list leaves the field empty, which neo4j-admin reads as no property; reading the
database back (``Neo4jStore.to_networkx``) restores entity ``aliases`` and edge ``evidence`` as
``[]``. The directory is written beside the target and swapped in, so a failed export keeps
the old one.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError, KGError
from kg.exporters import register
from kg.stores.neo4j_layout import edge_properties, label, node_properties, rel_type

ARRAY_DELIMITER = "\x1f"
IMPORT_OPTIONS = ("--array-delimiter=U+001F", "--multiline-fields=true")
_OURS = ("nodes_", "rels_", "import.sh")


# neo4j-admin's name for each Python type; any other type is written as its str()
_TYPE_NAMES = {bool: "boolean", int: "long", float: "double", str: "string"}


def column_type(where: str, key: str, values: Iterable[Any]) -> str:
    """The neo4j-admin type of a column: ``string``, ``long``, ``double``, ``boolean`` or
    one of those with ``[]``; ints mixed with floats make ``double``.

    >>> column_type("x", "k", [[1, 2], []]), column_type("x", "k", [1, 2.5])
    ('long[]', 'double')
    """
    values = list(values)
    arrays = {type(v) is list for v in values}
    if len(arrays) > 1:
        raise ExportError(f"{where}: property {key!r} holds both lists and single values")
    items = chain.from_iterable(values) if arrays == {True} else values
    kinds = {_TYPE_NAMES.get(t, "string") for t in set(map(type, items))}
    if kinds == {"long", "double"}:
        kinds = {"double"}
    if len(kinds) > 1:
        raise ExportError(f"{where}: property {key!r} mixes {', '.join(sorted(kinds))}")
    base = kinds.pop() if kinds else "string"
    return base + ("[]" if arrays == {True} else "")


def _scalar_field(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is bool:
        return "true" if value else "false"
    return value if type(value) is str else str(value)  # str(float) is its repr


def _formatter(where: str, kind: str) -> Callable[[Any], str]:
    """How the values of a column of neo4j-admin type ``kind`` are written."""
    if not kind.endswith("[]"):
        return _scalar_field

    def array_field(value: Any) -> str:
        if value is None:
            return ""
        joined = ARRAY_DELIMITER.join(map(_scalar_field, value))
        if joined.count(ARRAY_DELIMITER) > max(len(value) - 1, 0):
            item = next(v for v in map(_scalar_field, value) if ARRAY_DELIMITER in v)
            raise ExportError(f"{where}: {item!r} holds U+001F, the array delimiter")
        return joined

    return array_field


def _write_table(path: Path, fixed: list[str], rows: list[tuple[list[str], Mapping[str, Any]]],
                 where: str) -> None:
    keys = list(dict.fromkeys(k for _, props in rows for k in props))
    types = {k: column_type(where, k, [p[k] for _, p in rows if k in p]) for k in keys}
    header = fixed + [k if types[k] == "string" else f"{k}:{types[k]}" for k in keys]
    columns = [(k, _formatter(where, types[k])) for k in keys]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(first + [write(props[k]) if k in props else "" for k, write in columns]
                         for first, props in rows)


def write_directory(graph: nx.MultiDiGraph, directory: Path) -> list[str]:
    """Write the CSV files into ``directory`` (which must exist); return their names."""
    nodes: dict[str, list[tuple[list[str], dict[str, Any]]]] = {}
    edges: dict[str, list[tuple[list[str], dict[str, Any]]]] = {}
    try:
        for seq, (node, data) in enumerate(graph.nodes(data=True)):
            kind = label(data.get("kind"))
            props = node_properties(node, data, seq)
            del props["id"]
            nodes.setdefault(kind, []).append(([node, kind], props))
        for source, target, key, data in graph.edges(keys=True, data=True):
            kind = rel_type(key)
            props = edge_properties(source, key, target, data)
            edges.setdefault(kind, []).append(([source, target, kind], props))
    except ExportError:
        raise
    except KGError as exc:
        raise ExportError(f"cannot write the graph as neo4j-admin CSV: {exc}") from exc
    names = []
    for kind, rows in nodes.items():
        names.append(f"nodes_{kind}.csv")
        _write_table(directory / names[-1], ["id:ID", ":LABEL"], rows, f"{kind} nodes")
    for kind, rows in edges.items():
        names.append(f"rels_{kind}.csv")
        _write_table(directory / names[-1], [":START_ID", ":END_ID", ":TYPE"], rows,
                     f"{kind} relationships")
    return names


def import_arguments(names: Iterable[str], database: str = "neo4j") -> list[str]:
    """The arguments after ``neo4j-admin`` that import the files ``names`` (run in their
    directory)."""
    files = list(names)
    # the database name goes first: --relationships takes every file name after it
    return (["database", "import", "full", database, *IMPORT_OPTIONS]
            + [f"--nodes={n}" for n in files if n.startswith("nodes_")]
            + [f"--relationships={n}" for n in files if n.startswith("rels_")])


@register("neo4j-csv")
def write_neo4j_csv(graph: nx.MultiDiGraph, path: Path) -> None:
    """Write ``graph`` as neo4j-admin import CSVs into the directory ``path``."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target}: neo4j-csv writes a directory, and this is a file")
    if target.is_dir():
        strangers = [p.name for p in target.iterdir() if not p.name.startswith(_OURS)]
        if strangers:
            raise ExportError(f"{target}: not an earlier neo4j-csv export (holds "
                              f"{', '.join(sorted(strangers)[:3])}); name a new directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        names = write_directory(graph, staging)
        script = staging / "import.sh"
        script.write_text("#!/bin/sh\n# Bulk-load these files into an empty database "
                          "(stop the server first).\ncd \"$(dirname \"$0\")\" && exec "
                          "neo4j-admin " + " ".join(import_arguments(names)) + "\n",
                          encoding="utf-8")
        script.chmod(0o755)
        staging.chmod(0o777 & ~_umask())
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
