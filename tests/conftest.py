"""Shared fixtures: small graphs written for the tests, in the shape ``kg.schema`` describes."""

from __future__ import annotations

import networkx as nx
import pytest

HOSTILE_TITLE = "<script>alert('x')</script> & \"Quotes\" '}) DETACH DELETE n //"


def _evidence(text: str, start: int, end: int) -> list[dict]:
    return [{"text": text, "start": start, "end": end}]


def make_small_graph() -> nx.MultiDiGraph:
    """Two papers, five entities, every edge kind, and text that must be escaped."""
    g = nx.MultiDiGraph()
    g.add_node(
        "paper:2301.00001", kind="Paper", name="NetMamba: Traffic Classification",
        title="NetMamba: Traffic Classification", abstract="We propose NetMamba. We use GLUE.",
        date="2024-03-11", authors=["A. Author", "B. Author"], author_count=2,
        arxiv_id="2301.00001", sources=["page.txt:10"],
    )
    g.add_node(
        "paper:t-5f3c", kind="Paper", name=HOSTILE_TITLE, title=HOSTILE_TITLE,
        abstract="Evaluated on GLUE. <img src=x onerror=alert(1)> Code: https://github.com/acme/tool",
        author_count=3, organization="Acme Labs", upvotes=4, sources=["page.txt:20"],
    )
    g.add_node("model:netmamba", kind="Model", name="NetMamba", aliases=["Net-Mamba"])
    g.add_node("model:mamba", kind="Model", name="Mamba", aliases=[])
    g.add_node("dataset:glue", kind="Dataset", name="GLUE",
               aliases=["General Language Understanding Evaluation"])
    g.add_node("task:traffic-classification", kind="Task", name="traffic classification",
               aliases=[])
    g.add_node("method:lora", kind="Method", name="LoRA", aliases=["low-rank adaptation"])
    g.add_node("organization:acme-labs", kind="Organization", name="Acme Labs", aliases=["acme"])
    g.add_node("link:github.com/acme/tool", kind="Link", name="github.com/acme/tool",
               url="https://github.com/acme/tool", link_kind="code", aliases=[])

    def paper_edge(p: str, e: str, kind: str, role: str, text: str, s: int, t: int,
                   relation: str = "") -> None:
        attrs = dict(kind=kind, role=role, confidence=0.9, extractor="gazetteer",
                     evidence=_evidence(text, s, t))
        if relation:
            attrs["relation"] = relation
        g.add_edge(p, e, key=kind, **attrs)

    p1, p2 = "paper:2301.00001", "paper:t-5f3c"
    paper_edge(p1, "model:netmamba", "PROPOSES", "proposed", "We propose NetMamba.", 45, 53)
    paper_edge(p1, "dataset:glue", "USES", "used", "We use GLUE.", 62, 66, "evaluates_on")
    paper_edge(p1, "task:traffic-classification", "ADDRESSES", "used",
               "NetMamba: Traffic Classification", 10, 32)
    paper_edge(p2, "dataset:glue", "USES", "used", "Evaluated on GLUE.", 80, 84)
    paper_edge(p2, "method:lora", "USES", "used", "We tune with LoRA.", 100, 104)
    paper_edge(p2, "organization:acme-labs", "AFFILIATED_WITH", "used", "Acme Labs", 0, 0)
    paper_edge(p2, "link:github.com/acme/tool", "HAS_LINK", "proposed",
               "Code: https://github.com/acme/tool", 120, 148)
    g.add_edge("model:netmamba", "model:mamba", key="VARIANT_OF", kind="VARIANT_OF",
               confidence=1.0, extractor="knowledge-base", evidence=[])
    g.add_edge("link:github.com/acme/tool", "organization:acme-labs", key="HOSTED_BY",
               kind="HOSTED_BY", confidence=0.8, extractor="code-host-owner", evidence=[])
    return g


@pytest.fixture
def small_graph() -> nx.MultiDiGraph:
    return make_small_graph()


@pytest.fixture(scope="session")
def sample_graph() -> nx.MultiDiGraph:
    """The graph of the bundled sample pages (data/sample), built once per test session."""
    from pathlib import Path

    from kg.api import build_graph

    return build_graph([Path(__file__).resolve().parent.parent / "data" / "sample"]).graph
