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
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError, KGError
from kg.exporters import register
from kg.stores.neo4j_layout import edge_properties, label, node_properties, rel_type

ARRAY_DELIMITER = "\x1f"
IMPORT_OPTIONS = ("--array-delimiter=U+001F", "--multiline-fields=true")
_OURS = ("nodes_", "rels_", "import.sh")


def _scalar_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def column_type(where: str, key: str, values: Iterable[Any]) -> str:
    """The neo4j-admin type of a column: ``string``, ``long``, ``double``, ``boolean`` or
    one of those with ``[]``; ints mixed with floats make ``double``.

    >>> column_type("x", "k", [[1, 2], []]), column_type("x", "k", [1, 2.5])
    ('long[]', 'double')
    """
    kinds: set[str] = set()
    arrays: set[bool] = set()
    for value in values:
        items = value if isinstance(value, list) else [value]
        arrays.add(isinstance(value, list))
        kinds.update(_scalar_type(v) for v in items)
    if len(arrays) > 1:
        raise ExportError(f"{where}: property {key!r} holds both lists and single values")
    if kinds == {"long", "double"}:
        kinds = {"double"}
    if len(kinds) > 1:
        raise ExportError(f"{where}: property {key!r} mixes {', '.join(sorted(kinds))}")
    base = kinds.pop() if kinds else "string"
    return base + ("[]" if arrays == {True} else "")


def _field(where: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        items = [_field(where, v) for v in value]
        for item in items:
            if ARRAY_DELIMITER in item:
                raise ExportError(f"{where}: {item!r} holds U+001F, the array delimiter")
        return ARRAY_DELIMITER.join(items)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _write_table(path: Path, fixed: list[str], rows: list[tuple[list[str], Mapping[str, Any]]],
                 where: str) -> None:
    keys = list(dict.fromkeys(k for _, props in rows for k in props))
    types = {k: column_type(where, k, [p[k] for _, p in rows if k in p]) for k in keys}
    header = fixed + [k if types[k] == "string" else f"{k}:{types[k]}" for k in keys]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for first, props in rows:
            writer.writerow(first + [_field(where, props.get(k)) for k in keys])


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
