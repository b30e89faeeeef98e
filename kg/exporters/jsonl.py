"""The extraction contract (``DESIGN.md``): one JSON object per paper, read back from the graph.

Each paper edge becomes one entity entry; its ``aliases`` are the spellings this paper used
(recovered from the evidence offsets), not every alias the graph knows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import networkx as nx

from kg.atomic import atomic_write
from kg.exporters import register
from kg.model import paper_text
from kg.schema import PAPER, PAPER_EDGE_KINDS, TYPE_OF_NODE_KIND


def _surface_forms(text: str, evidence: list[dict[str, Any]]) -> list[str]:
    forms = []
    for e in evidence:
        if e["end"] > e["start"]:
            forms.append(text[e["start"]: e["end"]])
    return list(dict.fromkeys(forms))


def paper_record(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """The contract object of one paper node."""
    data = graph.nodes[node]
    text = paper_text(data.get("title", ""), data.get("abstract", ""))
    entities = []
    for _, target, kind, edge in graph.out_edges(node, keys=True, data=True):
        if kind not in PAPER_EDGE_KINDS:
            continue
        entity = graph.nodes[target]
        etype = TYPE_OF_NODE_KIND[entity["kind"]]
        evidence = edge.get("evidence", [])
        sentences = " ".join(e["text"] for e in evidence)
        forms = _surface_forms(text, evidence)
        forms += [a for a in entity.get("aliases", []) if a in sentences and a not in forms]
        record: dict[str, Any] = {
            "type": etype, "name": entity["name"],
            "aliases": [f for f in forms if f != entity["name"]],
            "id": target, "confidence": round(float(edge.get("confidence", 0.0)), 3),
            "extractor": edge.get("extractor", ""),
            "evidence": [{"text": e["text"], "start": e["start"], "end": e["end"]}
                         for e in evidence],
        }
        if etype in ("model", "dataset", "method", "link"):
            record["role"] = edge.get("role", "used")
        if edge.get("relation"):
            record["relation"] = edge["relation"]
        if etype == "link":
            record["url"] = entity.get("url", "")
            record["kind"] = entity.get("link_kind", "")
        entities.append(record)
    entities.sort(key=lambda r: (r["type"], r["evidence"][0]["start"] if r["evidence"] else 0))
    return {"paper_id": node.removeprefix("paper:"), "title": data.get("title", ""),
            "entities": entities}


def iter_records(graph: nx.MultiDiGraph) -> Iterator[dict[str, Any]]:
    for node, kind in graph.nodes(data="kind"):
        if kind == PAPER:
            yield paper_record(graph, node)


def write_records(graph: nx.MultiDiGraph, handle: IO[str]) -> int:
    count = 0
    for record in iter_records(graph):
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


@register("jsonl")
def write_jsonl(graph: nx.MultiDiGraph, path: Path) -> None:
    with atomic_write(path) as handle:
        write_records(graph, handle)
