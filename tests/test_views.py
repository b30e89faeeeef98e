"""Focused views (kg/views.py) on the small graph and the sample, and ``kg view`` around them.

Expected node sets are worked out here from the graph's edges, not by calling the function
under test a second way.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from conftest import make_small_graph

from kg.cli import main
from kg.errors import KGError, NotFoundError, ViewError
from kg.exporters.html import graph_data, render_view
from kg.query import papers
from kg.stores.networkx_store import NetworkXStore
from kg.views import (
    Omission,
    at_least_papers,
    entity_view,
    find_paper,
    most_connected,
    only_types,
    paper_counts,
    paper_view,
    parse_types,
    select_view,
    whole_graph,
)

P1, P2 = "paper:2301.00001", "paper:t-5f3c"


def _snapshot(g: nx.MultiDiGraph) -> tuple:
    return (sorted(g.nodes(data=True), key=lambda x: x[0]).__repr__(),
            sorted(g.edges(keys=True, data=True), key=lambda x: x[:3]).__repr__())


# ---- the small graph ---------------------------------------------------------------------


def test_entity_view_one_hop_keeps_what_its_papers_share(small_graph: nx.MultiDiGraph) -> None:
    view = entity_view(small_graph, "GLUE")
    assert set(view.graph) == {"dataset:glue", P1, P2}
    assert view.focus == ("dataset:glue",)
    assert view.title == "GLUE (Dataset), 1 hop"
    # The five other entities of the two papers are each linked to one of them only.
    assert view.omissions == (Omission(
        "entities only one of these papers links to (--hops 2 shows them)", 5, 6),)
    assert view.note.startswith("3 nodes and 2 edges of 9 and 9; 5 nodes and 6 edges left out")


def test_entity_view_two_hops_keeps_every_entity_of_its_papers(
    small_graph: nx.MultiDiGraph,
) -> None:
    view = entity_view(small_graph, "glue", hops=2)
    assert set(view.graph) == set(small_graph) - {"model:mamba"}
    assert view.graph.number_of_edges() == 8  # mamba's VARIANT_OF edge is the one left
    assert view.omissions == ()


def test_entity_view_by_alias_and_its_own_neighbours(small_graph: nx.MultiDiGraph) -> None:
    by_alias = entity_view(small_graph, "General Language Understanding Evaluation")
    assert set(by_alias.graph) == set(entity_view(small_graph, "GLUE").graph)
    # NetMamba's family (VARIANT_OF Mamba) is part of its neighbourhood.
    assert set(entity_view(small_graph, "Net-Mamba").graph) == {
        "model:netmamba", "model:mamba", P1}


def test_entity_view_errors(small_graph: nx.MultiDiGraph) -> None:
    with pytest.raises(NotFoundError, match="no entity called 'nothing at all'"):
        entity_view(small_graph, "nothing at all")
    with pytest.raises(ViewError, match="--hops must be 1 or 2, not 3"):
        entity_view(small_graph, "GLUE", hops=3)


def test_paper_view(small_graph: nx.MultiDiGraph) -> None:
    view = paper_view(small_graph, "NetMamba: Traffic Classification")
    assert set(view.graph) == {P1, "model:netmamba", "dataset:glue",
                               "task:traffic-classification"}
    assert view.focus == (P1,)
    two = paper_view(small_graph, "2301.00001", hops=2)
    assert set(two.graph) == set(view.graph)  # the other paper shares only GLUE with it
    hostile = paper_view(small_graph, "t-5f3c")
    assert set(hostile.graph) == {P2, "dataset:glue", "method:lora", "organization:acme-labs",
                                  "link:github.com/acme/tool"}
    assert hostile.graph.has_edge("link:github.com/acme/tool", "organization:acme-labs")


def test_paper_view_two_hops_adds_papers_sharing_two_entities(
    small_graph: nx.MultiDiGraph,
) -> None:
    g = small_graph.copy()
    g.add_edge(P2, "model:netmamba", key="USES", kind="USES", role="used", evidence=[])
    assert P1 in paper_view(g, P2, hops=2).graph  # now shares GLUE and NetMamba
    assert P1 not in paper_view(g, P2, hops=1).graph


def test_find_paper_by_id_arxiv_id_and_title(small_graph: nx.MultiDiGraph) -> None:
    for query in ("paper:2301.00001", "2301.00001", "netmamba traffic classification",
                  "NetMamba: Traffic", "  traffic  CLASSIFICATION "):
        assert find_paper(small_graph, query) == P1, query
    with pytest.raises(ViewError, match=r"2 papers match 'a'.*give more of the title"):
        find_paper(small_graph, "a")
    with pytest.raises(NotFoundError, match="no paper with id or title 'zebra'"):
        find_paper(small_graph, "zebra")


def test_only_types_keeps_papers_with_those_kinds(small_graph: nx.MultiDiGraph) -> None:
    view = only_types(whole_graph(small_graph), "dataset")
    assert set(view.graph) == {P1, P2, "dataset:glue"}
    methods = only_types(whole_graph(small_graph), ["method"])
    assert set(methods.graph) == {P2, "method:lora"}  # P1 uses no method: dropped with a note
    assert "with 1 paper left with no entity" in methods.note
    both = only_types(whole_graph(small_graph), "Dataset, model")
    assert set(both.graph) == {P1, P2, "dataset:glue", "model:netmamba", "model:mamba"}


def test_parse_types_names_the_allowed_ones() -> None:
    assert parse_types("org,link") == ("Organization", "Link")
    with pytest.raises(ViewError, match="no entity type 'datset'; allowed: model, dataset"):
        parse_types("datset")
    with pytest.raises(ViewError, match="at least one"):
        parse_types(" , ")


def test_at_least_papers_counts_papers_of_the_whole_graph(small_graph: nx.MultiDiGraph) -> None:
    assert paper_counts(small_graph)["dataset:glue"] == 2
    assert paper_counts(small_graph)["model:mamba"] == 0
    view = at_least_papers(whole_graph(small_graph), 2)
    assert set(view.graph) == {P1, P2, "dataset:glue"}
    assert view.omissions[0].reason.startswith("entities in fewer than 2 papers")
    # Inside a focused view the counts still come from the whole graph.
    focused = at_least_papers(paper_view(small_graph, P1), 2)
    assert set(focused.graph) == {P1, "dataset:glue"}
    with pytest.raises(ViewError, match="at least 1"):
        at_least_papers(whole_graph(small_graph), 0)


def test_most_connected_keeps_the_top_and_says_what_it_cut(small_graph: nx.MultiDiGraph) -> None:
    degree = dict(small_graph.degree())
    ranked = sorted(small_graph, key=lambda n: (-degree[n], n))
    view = most_connected(whole_graph(small_graph), 3)
    assert set(view.graph) == set(ranked[:3]) == {P1, P2, "dataset:glue"}
    assert view.omissions == (Omission("kept the 3 most connected (--max-nodes 3)", 6, 7),)
    assert "6 nodes and 7 edges left out: kept the 3 most connected" in view.note
    assert most_connected(whole_graph(small_graph), 100).omissions == ()
    # The focus stays even when it is not among the most connected.
    assert set(most_connected(entity_view(small_graph, "Mamba"), 1).graph) == {"model:mamba"}


def test_select_view_composes_in_order(small_graph: nx.MultiDiGraph) -> None:
    view = select_view(small_graph, entity="GLUE", hops=2, types="method,dataset", max_nodes=2)
    assert set(view.graph) == {"dataset:glue", P2}
    assert [o.reason.split(" (")[0] for o in view.omissions] == [
        "entities other than method, dataset", "kept the 2 most connected"]
    whole = select_view(small_graph)
    assert whole.note == "9 nodes and 9 edges: the whole graph."
    with pytest.raises(ViewError, match="one of --entity and --paper"):
        select_view(small_graph, entity="GLUE", paper="x")
    with pytest.raises(ViewError, match="--hops needs --entity or --paper"):
        select_view(small_graph, hops=2)


def test_views_leave_the_graph_as_it_was(small_graph: nx.MultiDiGraph) -> None:
    before = _snapshot(small_graph)
    view = select_view(small_graph, entity="GLUE", hops=2, types="dataset", min_papers=1,
                       max_nodes=3)
    view.graph.add_node("x", kind="Model", name="x")
    assert _snapshot(small_graph) == before == _snapshot(make_small_graph())


def test_page_of_a_view_says_what_was_left_out(small_graph: nx.MultiDiGraph) -> None:
    view = entity_view(small_graph, "GLUE")
    page = render_view(view)
    assert '<p id="kg-note">3 nodes and 2 edges of 9 and 9; 5 nodes and 6 edges left out' in page
    data = graph_data(view.graph, paper_counts=view.paper_counts, focus=view.focus)
    assert data["focus"] == ["dataset:glue"]
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["dataset:glue"]["papers"] == 2


# ---- the sample -------------------------------------------------------------------------


def test_glue_view_on_the_sample(sample_graph: nx.MultiDiGraph) -> None:
    view = select_view(sample_graph, entity="GLUE")
    glue = "dataset:glue"
    users = {"paper:" + h.id for h in papers(sample_graph, [("dataset", "GLUE")])}
    linked = Counter(e for p in users for e in set(sample_graph.successors(p)) if e != glue)
    family = {n for n in nx.all_neighbors(sample_graph, glue)
              if sample_graph.nodes[n]["kind"] != "Paper"}
    expected = {glue, *users, *family, *(e for e, c in linked.items() if c >= 2)}
    assert len(users) >= 5
    assert set(view.graph) == expected
    assert {glue, "model:bert"} <= set(view.graph)
    two = select_view(sample_graph, entity="GLUE", hops=2)
    assert set(two.graph) == {glue, *users, *family, *linked}


def test_sample_filters(sample_graph: nx.MultiDiGraph) -> None:
    counts = paper_counts(sample_graph)
    view = select_view(sample_graph, types="dataset,model", min_papers=2)
    kinds = Counter(d["kind"] for _, d in view.graph.nodes(data=True))
    assert set(kinds) == {"Paper", "Dataset", "Model"}
    assert all(counts[n] >= 2 for n, d in view.graph.nodes(data=True) if d["kind"] != "Paper")
    assert all(view.graph.degree(n) > 0 for n in view.graph)
    capped = select_view(sample_graph, max_nodes=200)
    assert capped.graph.number_of_nodes() == 200
    cut = capped.omissions[0]
    assert cut.nodes == sample_graph.number_of_nodes() - 200
    assert cut.edges == sample_graph.number_of_edges() - capped.graph.number_of_edges()
    mosaic = select_view(sample_graph, paper="MosaicBERT")
    (focus,) = mosaic.focus
    assert set(mosaic.graph) == {focus, *sample_graph.successors(focus)}


# ---- the command ------------------------------------------------------------------------


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    return NetworkXStore(make_small_graph()).save(tmp_path / "small.json")


def test_kg_view_and_export_html_write_the_view(
    small_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "glue.html"
    assert main(["view", "--entity", "GLUE", "-o", str(out), "--store", str(small_store)]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}: GLUE (Dataset), 1 hop" in printed and "5 nodes and 6 edges" in printed
    assert out.read_text(encoding="utf-8") == render_view(
        entity_view(make_small_graph(), "GLUE"))

    same = tmp_path / "export.html"
    assert main(["export", "html", "--entity", "GLUE", "-o", str(same),
                 "--store", str(small_store)]) == 0
    assert same.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")

    assert main(["view", "--paper", "NetMamba", "--hops", "2", "--type", "dataset,model",
                 "--min-papers", "1", "--max-nodes", "2", "-o", str(out),
                 "--store", str(small_store)]) == 0


def test_kg_view_errors_exit_2(
    small_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.html"
    cases = [
        (["view", "--entity", "nothing"], "no entity called 'nothing'"),
        (["view", "--type", "widgets"], "no entity type 'widgets'"),
        (["view", "--max-nodes", "0"], "--max-nodes must be at least 1"),
        (["export", "turtle", "--entity", "GLUE"], "the turtle export writes the whole graph"),
    ]
    for argv, message in cases:
        assert main([*argv, "-o", str(out), "--store", str(small_store)]) == 2, argv
        assert message in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(SystemExit):
        main(["view", "--hops", "3", "-o", str(out), "--store", str(small_store)])


def test_view_error_is_a_value_error() -> None:
    assert issubclass(ViewError, KGError) and issubclass(ViewError, ValueError)
