"""The Cypher and neo4j-admin CSV exporters and the Neo4j property layout, without a server.

``tests/test_neo4j.py`` loads both exports into a real Neo4j; these check the text itself.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import networkx as nx
import pytest
from conftest import HOSTILE_TITLE, make_small_graph

from kg.errors import ExportError, StoreError
from kg.exporters import available, export
from kg.exporters.cypher import cypher_string, cypher_value, read_statements
from kg.exporters.neo4j_csv import ARRAY_DELIMITER, column_type, import_arguments
from kg.schema import NODE_KINDS
from kg.stores.neo4j_layout import (
    edge_data,
    edge_properties,
    label,
    node_data,
    node_properties,
    rel_type,
    schema_statements,
)

# A Cypher single-quoted string token: anything but a quote, a backslash or a line break, or a
# backslash escape.
STRING_TOKEN = re.compile(r"'(?:[^'\\\n\r]|\\.)*'")
NASTY = ["'}) DETACH DELETE n //", "a\\'b", "\\u0041", "trailing \\", "", 'double "q"',
         "line\nbreak\r\ttab", "\x00\x1f\x7f\x85", "\u2028\u2029", "🦙 αβγ", "`tick`", ";"]


def _unescape(literal: str) -> str:
    """Read a literal back the way Cypher's lexer does (for the escapes the writer uses)."""
    simple = {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\":
            if body[i + 1] == "u":
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(simple[body[i + 1]])
            i += 2
            continue
        out.append(body[i])
        i += 1
    return "".join(out)


@pytest.mark.parametrize("text", NASTY)
def test_cypher_string_is_one_token_that_reads_back(text: str) -> None:
    literal = cypher_string(text)
    assert STRING_TOKEN.fullmatch(literal)
    assert "\n" not in literal and "\u2028" not in literal
    assert _unescape(literal) == text


def test_cypher_values() -> None:
    assert cypher_value([1, 2]) == "[1, 2]"
    assert cypher_value([]) == "[]"
    assert cypher_value(1e-7) == "1e-07"
    with pytest.raises(ExportError, match="no Cypher literal"):
        cypher_value(float("nan"))
    with pytest.raises(ExportError, match="no Cypher literal"):
        cypher_value({"a": 1})


def test_exporters_are_registered() -> None:
    assert {"cypher", "neo4j-csv"} <= set(available())


def test_cypher_script_has_schema_then_blocks(tmp_path: Path) -> None:
    graph = make_small_graph()
    script = export(graph, "cypher", tmp_path / "g.cypher")
    blocks = read_statements(script)
    schema = [b[0] for b in blocks if b[0].startswith("CREATE")]
    assert schema == [" ".join(s.split()) for s in schema_statements()]
    merges = [s for b in blocks for s in b if not s.startswith("CREATE")]
    assert len(merges) == graph.number_of_nodes() + graph.number_of_edges()
    assert all(s.startswith(("MERGE (n:", "MATCH (a:")) for s in merges)
    hostile = next(s for s in merges if "t-5f3c'}" in s and s.startswith("MERGE"))
    assert cypher_string(HOSTILE_TITLE) in hostile
    # outside string literals the statement is only our own words
    assert "DETACH" not in STRING_TOKEN.sub("''", hostile)


def test_cypher_export_refuses_kinds_outside_the_vocabulary(tmp_path: Path) -> None:
    graph = make_small_graph()
    graph.nodes["model:mamba"]["kind"] = "Model) DETACH DELETE (n"
    with pytest.raises(ExportError, match="not a paperkg label"):
        export(graph, "cypher", tmp_path / "g.cypher")
    assert not (tmp_path / "g.cypher").exists()


def _read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def test_neo4j_csv_directory(tmp_path: Path) -> None:
    graph = make_small_graph()
    target = export(graph, "neo4j-csv", tmp_path / "csv")
    names = sorted(p.name for p in target.iterdir())
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    types = {k for _, _, k in graph.edges(keys=True)}
    assert names == sorted([*(f"nodes_{k}.csv" for k in kinds),
                            *(f"rels_{k}.csv" for k in types), "import.sh"])
    header, rows = _read_table(target / "nodes_Paper.csv")
    assert header[:2] == ["id:ID", ":LABEL"]
    assert "author_count:long" in header and "authors:string[]" in header
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_id["paper:t-5f3c"]["title"] == HOSTILE_TITLE
    assert by_id["paper:2301.00001"]["authors:string[]"].split(ARRAY_DELIMITER) == [
        "A. Author", "B. Author"]
    header, rows = _read_table(target / "rels_USES.csv")
    assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert {"confidence:double", "evidence_start:long[]", "evidence_text:string[]"} <= set(header)
    script = (target / "import.sh").read_text()
    assert "neo4j-admin database import full neo4j --array-delimiter=U+001F" in script


def test_neo4j_csv_refuses_the_delimiter_in_text_and_foreign_directories(tmp_path: Path) -> None:
    graph = make_small_graph()
    graph.nodes["dataset:glue"]["aliases"] = [f"GL{ARRAY_DELIMITER}UE"]
    with pytest.raises(ExportError, match="U\\+001F"):
        export(graph, "neo4j-csv", tmp_path / "csv")
    assert not (tmp_path / "csv").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not an earlier neo4j-csv export"):
        export(make_small_graph(), "neo4j-csv", tmp_path / "mine")
    export(make_small_graph(), "neo4j-csv", tmp_path / "again")
    export(make_small_graph(), "neo4j-csv", tmp_path / "again")  # its own output is replaced


def test_column_types() -> None:
    assert column_type("x", "k", ["a", "b"]) == "string"
    assert column_type("x", "k", [1, 2]) == "long"
    assert column_type("x", "k", [1, 0.5]) == "double"
    assert column_type("x", "k", [[], ["a"]]) == "string[]"
    with pytest.raises(ExportError, match="mixes"):
        column_type("x", "k", ["a", 1])
    with pytest.raises(ExportError, match="both lists"):
        column_type("x", "k", ["a", ["b"]])


def test_import_arguments_put_the_database_first() -> None:
    args = import_arguments(["rels_USES.csv", "nodes_Paper.csv"])
    assert args[:4] == ["database", "import", "full", "neo4j"]
    assert args[-2:] == ["--nodes=nodes_Paper.csv", "--relationships=rels_USES.csv"]


# -- the layout ---------------------------------------------------------------------------------
def test_layout_round_trips_every_node_and_edge() -> None:
    graph = make_small_graph()
    for seq, (node, data) in enumerate(graph.nodes(data=True)):
        props = node_properties(node, data, seq)
        assert props["id"] == node and props["seq"] == seq
        assert node_data(props) == data
    for u, v, k, data in graph.edges(keys=True, data=True):
        props = edge_properties(u, k, v, data)
        assert not any(isinstance(x, dict) for x in props.values())
        assert edge_data(props) == data


def test_layout_match_keys_cover_name_and_aliases() -> None:
    props = node_properties("dataset:glue", make_small_graph().nodes["dataset:glue"], 0)
    assert props["name_key"] == "glue"
    assert props["match_keys"] == ["generallanguageunderstandingevaluation", "glue"]


def test_layout_refuses_what_neo4j_cannot_hold() -> None:
    with pytest.raises(StoreError, match="cannot be stored"):
        node_properties("model:x", {"kind": "Model", "name": "x", "meta": {"a": 1}}, 0)
    with pytest.raises(StoreError, match="reserved"):
        node_properties("model:x", {"kind": "Model", "name": "x", "match_keys": []}, 0)
    with pytest.raises(StoreError, match=r"edge 'paper:a' -\[USES\]-> 'model:x'.*cannot be"):
        edge_properties("paper:a", "USES", "model:x", {"role": "used", "score": [1, "a"]})
    with pytest.raises(StoreError, match="reserved"):
        edge_properties("paper:a", "USES", "model:x", {"evidence_text": ["x"]})
    for bad in ({"text": "x", "start": 0}, ["x", 0, 1]):
        with pytest.raises(StoreError, match=r"is not \{text, start, end\}"):
            edge_properties("paper:a", "USES", "model:x", {"evidence": [bad]})
    with pytest.raises(StoreError, match="not a paperkg label"):
        label("Evil")
    with pytest.raises(StoreError, match="not a paperkg relationship type"):
        rel_type("USES]->(x) DELETE x //")


def test_schema_file_constrains_every_label() -> None:
    statements = schema_statements()
    for kind in NODE_KINDS:
        assert any(f"(n:{kind}) REQUIRE n.id IS UNIQUE" in s for s in statements), kind


def test_empty_graph_exports(tmp_path: Path) -> None:
    export(nx.MultiDiGraph(), "cypher", tmp_path / "e.cypher")
    export(nx.MultiDiGraph(), "neo4j-csv", tmp_path / "e")
    assert [p.name for p in (tmp_path / "e").iterdir()] == ["import.sh"]
