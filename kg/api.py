"""The notebook-sized API: build a graph, load one, ask it questions, export it.

>>> import kg
>>> store = kg.build_graph(["data/sample"])                      # doctest: +SKIP
>>> [p.title for p in kg.papers(store, dataset="GLUE")][:1]     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from kg.build import build
from kg.exporters import export as _export
from kg.query import PaperHit
from kg.query import entity as _entity
from kg.query import papers as _papers
from kg.stores.networkx_store import NetworkXStore


def build_graph(inputs: Iterable[str | Path], store: str | Path | None = None,
                input_format: str | None = None, skip_bad: bool = False) -> NetworkXStore:
    """Read ``inputs``, extract, link, and return the store (saved when ``store`` is a path)."""
    target = NetworkXStore.open(store) if store is not None else NetworkXStore()
    build(inputs, target, input_format=input_format, skip_bad=skip_bad)
    if store is not None:
        target.save()
    return target


def load(path: str | Path) -> NetworkXStore:
    """The store saved at ``path``."""
    return NetworkXStore.open(path, create=False)


def _graph(store: NetworkXStore | nx.MultiDiGraph) -> nx.MultiDiGraph:
    return store.graph if isinstance(store, NetworkXStore) else store


def papers(store: NetworkXStore | nx.MultiDiGraph, *, dataset: str | None = None,
           model: str | None = None, method: str | None = None, task: str | None = None,
           org: str | None = None, role: str | None = None) -> list[PaperHit]:
    """Papers linked to every entity named (by any alias): ``papers(g, dataset="GLUE")``."""
    asked = {"dataset": dataset, "model": model, "method": method, "task": task,
             "organization": org}
    return _papers(_graph(store), [(t, n) for t, n in asked.items() if n], role=role)


def entity(store: NetworkXStore | nx.MultiDiGraph, name: str,
           entity_type: str | None = None) -> dict[str, Any]:
    """An entity, its aliases, its papers with evidence, and its neighbours."""
    return _entity(_graph(store), name, entity_type)


def export(store: NetworkXStore | nx.MultiDiGraph, fmt: str, path: str | Path) -> Path:
    """Write the graph as ``fmt`` (turtle, jsonld, nt, graphml, html, jsonl) to ``path``."""
    return _export(_graph(store), fmt, path)
