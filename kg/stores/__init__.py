"""Graph stores: ``NetworkXStore`` (embedded, one file) and ``Neo4jStore`` (a Neo4j 5 server).

Both take ``add(extractions)`` and ``stats()``; ``open_store`` picks one by backend name, so the
CLI and scripts never import ``neo4j`` unless asked for the server store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.errors import UnknownFormatError

BACKENDS: tuple[str, ...] = ("networkx", "neo4j")


def open_store(backend: str = "networkx", *, path: str | Path | None = None, create: bool = True,
               uri: str | None = None, user: str | None = None, password: str | None = None,
               database: str | None = None) -> Any:
    """The store of ``backend``: the NetworkX file at ``path``, or the Neo4j database at ``uri``
    (``NEO4J_URI`` and friends when not given)."""
    if backend == "networkx":
        from kg.stores.networkx_store import NetworkXStore

        return NetworkXStore.open(path, create=create) if path is not None else NetworkXStore()
    if backend == "neo4j":
        from kg.stores.neo4j_store import Neo4jStore

        return Neo4jStore(uri, user, password, database)
    raise UnknownFormatError("backend", backend, BACKENDS)
