"""The query index saved beside a store answers ``kg papers`` as the graph does, and is never
used once the store has changed."""

from __future__ import annotations

import json
import os

import networkx as nx
import pytest

from kg import cli
from kg.errors import NotFoundError
from kg.query import entity, find_entities, papers
from kg.schema import PAPER, TYPE_OF_NODE_KIND
from kg.stores import index as index_module
from kg.stores import networkx_store
from kg.stores.index import index_path, index_summary, open_index
from kg.stores.networkx_store import NetworkXStore


@pytest.fixture(scope="module")
def saved_sample(sample_graph: nx.MultiDiGraph, tmp_path_factory) -> tuple:
    path = tmp_path_factory.mktemp("index") / "store.json"
    NetworkXStore(sample_graph.copy()).save(path)
    return sample_graph, path


def _questions(graph: nx.MultiDiGraph) -> list[tuple[str, str]]:
    """Every entity by its name, and by each alias: the questions a user can ask."""
    asked = []
    for node, data in graph.nodes(data=True):
        if data.get("kind") == PAPER:
            continue
        etype = TYPE_OF_NODE_KIND[data["kind"]]
        asked.append((etype, data["name"]))
        asked.extend((etype, alias) for alias in data.get("aliases", [])[:2])
        asked.append((etype, node.split(":", 1)[-1]))
    return asked


def test_the_index_answers_every_question_as_the_graph_does(saved_sample) -> None:
    graph, path = saved_sample
    index = open_index(path)
    assert index is not None
    asked = _questions(graph)
    assert len(asked) > 500
    for question in asked:
        for role in (None, "proposed", "used"):
            assert index.papers([question], role) == papers(graph, [question], role), question


def test_the_index_describes_every_entity_as_the_graph_does(saved_sample) -> None:
    graph, path = saved_sample
    index = open_index(path)
    described = 0
    for etype, name in _questions(graph):
        assert index.entity(name, etype) == entity(graph, name, etype), name
        described += 1
    assert described > 500
    assert any(entity(graph, name, etype)["related"] for etype, name in _questions(graph))


def test_kg_entity_answers_from_the_index_without_loading_the_graph(
        saved_sample, monkeypatch, capsys) -> None:
    _, path = saved_sample
    assert cli.main(["entity", "GLUE", "--store", str(path), "--json"]) == 0
    answer = capsys.readouterr().out

    def no_loading(*args, **kwargs):
        raise AssertionError("the graph was loaded")

    monkeypatch.setattr(NetworkXStore, "open", no_loading)
    assert cli.main(["entity", "GLUE", "--store", str(path), "--json"]) == 0
    assert capsys.readouterr().out == answer
    assert json.loads(answer)["papers"]


def test_several_filters_and_untyped_names_agree(saved_sample) -> None:
    graph, path = saved_sample
    index = open_index(path)
    pairs = [[("dataset", "GLUE"), ("model", "BERT")], [("task", "machine translation")],
             [("method", "lora"), ("organization", "Google")]]
    for filters in pairs:
        try:
            expected = papers(graph, filters)
        except NotFoundError as error:
            with pytest.raises(NotFoundError) as raised:
                index.papers(filters)
            assert str(raised.value) == str(error)
            continue
        assert index.papers(filters) == expected
    assert index.find_entities("glue") == find_entities(graph, "glue")


def test_an_unknown_name_gives_the_same_error_and_near_misses(saved_sample) -> None:
    graph, path = saved_sample
    index = open_index(path)
    for name, etype in (("ImageNe", "dataset"), ("no such thing at all", None), ("BER", "model")):
        with pytest.raises(NotFoundError) as from_graph:
            papers(graph, [(etype, name)])
        with pytest.raises(NotFoundError) as from_index:
            index.papers([(etype, name)])
        assert str(from_index.value) == str(from_graph.value)


def test_the_index_holds_every_paper_and_entity(saved_sample) -> None:
    graph, path = saved_sample
    counts = index_summary(index_path(path))
    kinds = [k for _, k in graph.nodes(data="kind")]
    assert counts["papers"] == kinds.count(PAPER)
    assert counts["entities"] == len(kinds) - kinds.count(PAPER)


def test_a_changed_store_makes_the_index_stale(tmp_path, small_graph) -> None:
    path = tmp_path / "store.json"
    NetworkXStore(small_graph).save(path)
    assert open_index(path) is not None
    os.utime(path, ns=(0, 0))  # another tool rewrote the store
    assert open_index(path) is None
    NetworkXStore.open(path).save()
    assert open_index(path) is not None
    index_path(path).write_bytes(b"not a database")
    assert open_index(path) is None


def test_kg_papers_answers_from_the_index_without_loading_the_graph(
        saved_sample, monkeypatch, capsys) -> None:
    _, path = saved_sample
    expected = cli.main(["papers", "--dataset", "GLUE", "--store", str(path), "--json"])
    answer = capsys.readouterr().out

    def no_loading(*args, **kwargs):
        raise AssertionError("the graph was loaded")

    monkeypatch.setattr(NetworkXStore, "open", no_loading)
    assert cli.main(["papers", "--dataset", "GLUE", "--store", str(path), "--json"]) == expected
    assert capsys.readouterr().out == answer


def test_kg_papers_falls_back_to_the_graph_when_the_index_is_stale(tmp_path, small_graph,
                                                                   capsys) -> None:
    path = tmp_path / "store.json"
    NetworkXStore(small_graph).save(path)
    index_path(path).unlink()
    name = next(d["name"] for _, d in small_graph.nodes(data=True) if d["kind"] == "Dataset")
    assert cli.main(["papers", "--dataset", name, "--store", str(path)]) == 0
    assert "paper(s) linked to" in capsys.readouterr().out


def test_kg_stats_answers_from_the_index_as_the_graph_does(saved_sample, monkeypatch,
                                                           capsys) -> None:
    graph, path = saved_sample
    assert open_index(path).stats() == NetworkXStore(graph).stats()

    def no_loading(*args, **kwargs):
        raise AssertionError("the graph was loaded")

    monkeypatch.setattr(NetworkXStore, "open", no_loading)
    assert cli.main(["stats", "--store", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == NetworkXStore(graph).stats()


def test_kg_stats_loads_the_graph_when_the_index_is_stale(tmp_path, small_graph,
                                                          capsys) -> None:
    path = tmp_path / "store.json"
    NetworkXStore(small_graph).save(path)
    os.utime(path, ns=(0, 0))
    assert cli.main(["stats", "--store", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == NetworkXStore(small_graph).stats()


def test_a_forked_child_fills_the_index_while_the_store_is_saved(
        saved_sample, tmp_path, monkeypatch) -> None:
    graph, sequential = saved_sample
    monkeypatch.setattr(index_module, "FORK_MIN_NODES", 1)
    forked = tmp_path / "store.json"
    NetworkXStore(graph.copy()).save(forked)
    assert open_index(forked) is not None
    assert index_summary(index_path(forked)) == index_summary(index_path(sequential))
    assert open_index(forked).stats() == open_index(sequential).stats()
    assert not list(tmp_path.glob(".*.tmp"))


def test_the_parent_fills_the_index_when_the_child_fails(
        saved_sample, tmp_path, monkeypatch) -> None:
    graph, sequential = saved_sample
    monkeypatch.setattr(index_module, "FORK_MIN_NODES", 1)
    monkeypatch.setattr(index_module, "_fork_filler", lambda graph, tmp: _failing_child())
    path = tmp_path / "store.json"
    NetworkXStore(graph.copy()).save(path)
    assert index_summary(index_path(path)) == index_summary(index_path(sequential))


def _failing_child() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(3)
    return pid


def test_no_index_is_written_when_saving_the_store_fails(saved_sample, tmp_path,
                                                         monkeypatch) -> None:
    graph, _ = saved_sample
    monkeypatch.setattr(index_module, "FORK_MIN_NODES", 1)

    def broken_save(graph, path):
        raise OSError("disk full")

    monkeypatch.setattr(networkx_store, "save_graph", broken_save)
    path = tmp_path / "store.json"
    with pytest.raises(OSError):
        NetworkXStore(graph.copy()).save(path)
    assert not index_path(path).exists()
    assert not list(tmp_path.glob(".*"))
