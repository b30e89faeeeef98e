"""GraphML export: networkx reads it back, lists and dicts restore exactly, every key is typed."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from conftest import HOSTILE_TITLE, make_small_graph

from kg.errors import KGError, ParseError, UnknownFormatError
from kg.exporters import export, get_writer
from kg.exporters.graphml import (
    META_KEY,
    GraphMLExportError,
    read_graphml,
    write_graphml,
)

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}
GRAPHML_TYPES = {"boolean", "int", "long", "float", "double", "string"}
PAPER_1, PAPER_2 = "paper:2301.00001", "paper:t-5f3c"


def _write(graph: nx.MultiDiGraph, tmp_path: Path, name: str = "kg.graphml") -> Path:
    return export(graph, "graphml", tmp_path / name)


def _assert_same(original: nx.MultiDiGraph, restored: nx.MultiDiGraph) -> None:
    """Node and edge sets, keys and every attribute equal, with a readable first difference."""
    assert dict(restored.nodes(data=True)) == dict(original.nodes(data=True))
    got = {(u, v, k): d for u, v, k, d in restored.edges(keys=True, data=True)}
    want = {(u, v, k): d for u, v, k, d in original.edges(keys=True, data=True)}
    assert got == want
    assert restored.graph == original.graph
    assert nx.utils.graphs_equal(original, restored)


def _keys(path: Path) -> list[ET.Element]:
    return ET.parse(path).getroot().findall("g:key", NS)


# --- networkx reads it back ---------------------------------------------------------------------


def test_plain_networkx_reads_the_same_nodes_edges_and_keys(
    small_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    path = _write(small_graph, tmp_path)
    read = nx.read_graphml(path, force_multigraph=True, edge_key_type=str)
    assert read.number_of_nodes() == small_graph.number_of_nodes()
    assert read.number_of_edges() == small_graph.number_of_edges()
    assert set(read.nodes) == set(small_graph.nodes)
    assert sorted(read.edges(keys=True)) == sorted(small_graph.edges(keys=True))
    assert read.nodes[PAPER_2]["title"] == HOSTILE_TITLE
    assert read.nodes[PAPER_1]["author_count"] == 2
    assert read.edges[PAPER_1, "dataset:glue", "USES"]["confidence"] == 0.9


def test_read_graphml_restores_the_graph_exactly(
    small_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    _assert_same(small_graph, read_graphml(_write(small_graph, tmp_path)))


def test_lists_and_evidence_come_back_as_lists(
    small_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    restored = read_graphml(_write(small_graph, tmp_path))
    glue_aliases = ["General Language Understanding Evaluation"]
    assert restored.nodes["dataset:glue"]["aliases"] == glue_aliases
    assert restored.nodes["model:mamba"]["aliases"] == []
    assert restored.nodes[PAPER_1]["authors"] == ["A. Author", "B. Author"]
    assert restored.nodes[PAPER_1]["sources"] == ["page.txt:10"]
    assert restored.edges[PAPER_1, "dataset:glue", "USES"]["evidence"] == [
        {"text": "We use GLUE.", "start": 62, "end": 66}]
    assert restored.edges["model:netmamba", "model:mamba", "VARIANT_OF"]["evidence"] == []
    assert isinstance(restored, nx.MultiDiGraph)


def test_writer_accepts_a_binary_file(small_graph: nx.MultiDiGraph) -> None:
    buffer = io.BytesIO()
    write_graphml(small_graph, buffer)
    buffer.seek(0)
    _assert_same(small_graph, read_graphml(buffer))


def test_writer_is_registered() -> None:
    assert get_writer("graphml") is write_graphml


# --- what the file declares ---------------------------------------------------------------------


def test_every_attribute_key_is_declared_once_with_one_type(
    small_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    path = _write(small_graph, tmp_path)
    keys = _keys(path)
    declared = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in keys}
    assert len(declared) == len(keys), "a key is declared twice (with two types)"
    assert set(declared.values()) <= GRAPHML_TYPES
    assert all(k.get("id") for k in keys)
    assert len({k.get("id") for k in keys}) == len(keys)

    node_attrs = {a for _, d in small_graph.nodes(data=True) for a in d}
    edge_attrs = {a for _, _, d in small_graph.edges(data=True) for a in d}
    assert {("node", a) for a in node_attrs} <= declared.keys()
    assert {("edge", a) for a in edge_attrs} <= declared.keys()
    assert declared["node", "author_count"] == "long"
    assert declared["node", "upvotes"] == "long"
    assert declared["edge", "confidence"] == "double"
    assert declared["node", "aliases"] == "string"
    assert declared["edge", "evidence"] == "string"
    assert declared["edge", "evidence_text"] == "string"


def test_every_data_element_uses_a_declared_key_and_no_none(
    small_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    root = ET.parse(_write(small_graph, tmp_path)).getroot()
    ids = {k.get("id") for k in root.findall("g:key", NS)}
    data = root.findall(".//g:data", NS)
    assert data
    for element in data:
        assert element.get("key") in ids
        assert element.text not in (None, "", "None")


def test_edges_have_no_repeated_ids_and_carry_their_key(
    small_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    """GraphML edge ids must be unique; our keys (edge kinds) repeat, so they travel as data."""
    root = ET.parse(_write(small_graph, tmp_path)).getroot()
    edges = root.findall(".//g:edge", NS)
    assert len(edges) == small_graph.number_of_edges()
    assert all(edge.get("id") is None for edge in edges)


def test_gephi_gets_the_first_evidence_sentence_and_a_label(
    small_graph: nx.MultiDiGraph, tmp_path: Path
) -> None:
    read = nx.read_graphml(_write(small_graph, tmp_path), force_multigraph=True,
                           edge_key_type=str)
    assert read.edges[PAPER_2, "dataset:glue", "USES"]["evidence_text"] == "Evaluated on GLUE."
    assert "evidence_text" not in read.edges["model:netmamba", "model:mamba", "VARIANT_OF"]
    assert read.nodes["dataset:glue"]["label"] == "GLUE"
    assert json.loads(read.edges[PAPER_1, "model:netmamba", "PROPOSES"]["evidence"]) == [
        {"text": "We propose NetMamba.", "start": 45, "end": 53}]
    assert json.loads(read.graph[META_KEY])["json"]["node"] == ["aliases", "authors", "sources"]


# --- hard values --------------------------------------------------------------------------------


def test_text_xml_cannot_carry_round_trips_through_json(tmp_path: Path) -> None:
    graph = make_small_graph()
    nasty = "line\r\nbreak \x00 nul \x0b vt \ufffe <b>&amp;</b> \U0001f600"
    graph.nodes[PAPER_2]["abstract"] = nasty
    path = _write(graph, tmp_path)
    ET.parse(path)  # still well-formed XML
    restored = read_graphml(path)
    assert restored.nodes[PAPER_2]["abstract"] == nasty
    assert restored.nodes[PAPER_1]["abstract"] == graph.nodes[PAPER_1]["abstract"]
    _assert_same(graph, restored)


def test_mixed_types_keep_one_declared_type(tmp_path: Path) -> None:
    graph = make_small_graph()
    graph.nodes[PAPER_1]["upvotes"] = "12"  # text here, int on the other paper
    graph.edges[PAPER_1, "dataset:glue", "USES"]["confidence"] = 1  # int among floats
    graph.nodes["dataset:glue"]["verified"] = True
    path = _write(graph, tmp_path)
    declared = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in _keys(path)}
    assert declared["node", "upvotes"] == "string"
    assert declared["edge", "confidence"] == "double"
    assert declared["node", "verified"] == "boolean"
    restored = read_graphml(path)
    assert restored.nodes[PAPER_1]["upvotes"] == "12"
    assert restored.nodes[PAPER_2]["upvotes"] == 4
    assert restored.nodes["dataset:glue"]["verified"] is True
    assert restored.edges[PAPER_1, "dataset:glue", "USES"]["confidence"] == 1.0


def test_none_and_empty_values_are_left_out(tmp_path: Path) -> None:
    graph = make_small_graph()
    graph.nodes[PAPER_1]["doi"] = None
    graph.nodes[PAPER_1]["organization"] = ""
    restored = read_graphml(_write(graph, tmp_path))
    assert "doi" not in restored.nodes[PAPER_1]
    assert "organization" not in restored.nodes[PAPER_1]


def test_parallel_edges_and_graph_attributes_survive(tmp_path: Path) -> None:
    graph = make_small_graph()
    graph.add_edge(PAPER_1, "dataset:glue", key="PROPOSES", kind="PROPOSES", role="proposed",
                   confidence=0.4, extractor="roles", evidence=[])
    graph.graph["built_from"] = ["data/pages"]
    graph.graph["version"] = 3
    path = _write(graph, tmp_path)
    assert nx.read_graphml(path, edge_key_type=str).number_of_edges() == graph.number_of_edges()
    _assert_same(graph, read_graphml(path))


def test_unserializable_value_names_node_and_key(tmp_path: Path) -> None:
    graph = make_small_graph()
    graph.nodes["method:lora"]["aliases"] = {"a set"}
    with pytest.raises(GraphMLExportError, match=r"node 'method:lora': attribute 'aliases'"):
        _write(graph, tmp_path)


def test_id_xml_cannot_carry_is_refused(tmp_path: Path) -> None:
    graph = make_small_graph()
    graph.add_node("model:bad\x00id", kind="Model", name="bad")
    with pytest.raises(GraphMLExportError, match="node id") as caught:
        _write(graph, tmp_path)
    assert isinstance(caught.value, KGError)


def test_edge_attribute_named_key_is_refused(tmp_path: Path) -> None:
    graph = make_small_graph()
    graph.edges[PAPER_1, "dataset:glue", "USES"]["key"] = "x"
    with pytest.raises(GraphMLExportError, match="reserves it"):
        _write(graph, tmp_path)


def test_failed_export_leaves_the_old_file(tmp_path: Path) -> None:
    path = _write(make_small_graph(), tmp_path)
    before = path.read_bytes()
    graph = make_small_graph()
    graph.nodes[PAPER_1]["extra"] = object()
    with pytest.raises(GraphMLExportError):
        _write(graph, tmp_path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_files_from_other_tools_are_read_as_networkx_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "other.graphml"
    other = nx.MultiDiGraph()
    other.add_edge("a", "b", key="k", weight=2.5)
    nx.write_graphml(other, path)
    read = read_graphml(path)
    assert list(read.edges(keys=True, data=True)) == [("a", "b", "k", {"weight": 2.5})]


def test_reading_a_broken_file_raises_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.graphml"
    path.write_text("<graphml><graph>", encoding="utf-8")
    with pytest.raises(ParseError, match=r"bad\.graphml"):
        read_graphml(path)


def test_unknown_format_lists_available_ones() -> None:
    with pytest.raises(UnknownFormatError, match=r"available: .*graphml.*turtle"):
        get_writer("turtel")
