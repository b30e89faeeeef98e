"""paperkg: knowledge graphs of ML research papers, with evidence for every edge.

The public API, for notebooks and scripts: build or load a graph, ask it questions, export it.
"""

from kg.api import build_graph, entity, export, load, papers
from kg.errors import (
    ExportError,
    KGError,
    NotFoundError,
    ParseError,
    RegistryError,
    StoreError,
    UnknownFormatError,
)
from kg.model import Entity, Evidence, Extraction, Mention, Paper, Relation
from kg.query import PaperHit
from kg.readers import read_papers
from kg.stores.networkx_store import NetworkXStore

__all__ = [
    "Entity",
    "Evidence",
    "ExportError",
    "Extraction",
    "KGError",
    "Mention",
    "NetworkXStore",
    "NotFoundError",
    "Paper",
    "PaperHit",
    "ParseError",
    "RegistryError",
    "Relation",
    "StoreError",
    "UnknownFormatError",
    "build_graph",
    "entity",
    "export",
    "load",
    "papers",
    "read_papers",
]
