"""Exporters: one module per format, each registering a writer ``(graph, path) -> None``.

``export(graph, "turtle", path)`` looks the writer up by name; an unknown name raises
``UnknownFormatError`` listing the available ones. Writers write to a temporary file beside the
target and rename it, so a failed export never leaves a half-written file.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from kg.errors import RegistryError, UnknownFormatError

Writer = Callable[[nx.MultiDiGraph, Path], None]

_WRITERS: dict[str, Writer] = {}

# format name -> module that registers it; imported lazily so rdflib, pyvis and neo4j load only
# when their format is asked for.
_MODULES: dict[str, str] = {
    "turtle": "kg.exporters.rdf",
    "jsonld": "kg.exporters.rdf",
    "nt": "kg.exporters.rdf",
    "graphml": "kg.exporters.graphml",
    "html": "kg.exporters.html",
    "jsonl": "kg.exporters.jsonl",
    "cypher": "kg.exporters.cypher",
    "neo4j-csv": "kg.exporters.neo4j_csv",
}


def register(name: str) -> Callable[[Writer], Writer]:
    """Register ``writer`` under ``name``; registering a different writer twice fails loudly."""

    def decorator(writer: Writer) -> Writer:
        existing = _WRITERS.get(name)
        if existing is not None and existing is not writer:
            raise RegistryError(f"exporter {name!r} is already registered to {existing!r}")
        _WRITERS[name] = writer
        return writer

    return decorator


def available() -> list[str]:
    """Names of every exporter, registered or registrable."""
    return sorted(set(_MODULES) | set(_WRITERS))


def get_writer(name: str) -> Writer:
    """The writer for format ``name``, importing its module on first use."""
    if name not in _WRITERS and name in _MODULES:
        importlib.import_module(_MODULES[name])
    try:
        return _WRITERS[name]
    except KeyError:
        raise UnknownFormatError("exporter", name, available()) from None


def export(graph: nx.MultiDiGraph, fmt: str, path: str | Path) -> Path:
    """Write ``graph`` as ``fmt`` to ``path`` and return the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    get_writer(fmt)(graph, target)
    return target
