"""Building a store from pages, re-building it, querying it, and the CLI around both."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import networkx as nx
import pytest

from kg.build import build
from kg.cli import main
from kg.errors import NotFoundError, StoreError
from kg.query import entity, find_entities, papers
from kg.stores.networkx_store import NetworkXStore, load_graph

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"
FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = json.loads((ROOT / "schemas" / "extraction.schema.json").read_text())


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "sample.json"
    assert main(["build", str(SAMPLE), "--store", str(path)]) == 0
    return path


def _snapshot(path: Path) -> tuple[dict, set, set]:
    store = NetworkXStore.open(path, create=False)
    edges = {(u, v, k) for u, v, k in store.graph.edges(keys=True)}
    return store.stats(), set(store.graph.nodes), edges


def test_sample_graph_has_every_node_kind(sample_store):
    stats = NetworkXStore.open(sample_store).stats()
    assert stats["nodes"]["Paper"] == 199
    assert set(stats["nodes"]) == {"Paper", "Model", "Dataset", "Method", "Task", "Metric",
                                   "Organization", "Link"}
    assert {"PROPOSES", "USES", "ADDRESSES", "REPORTS", "AFFILIATED_WITH", "HAS_LINK",
            "VARIANT_OF"} <= set(stats["edges"])


def test_every_paper_edge_has_evidence_confidence_and_extractor(sample_store):
    graph = load_graph(sample_store)
    for u, _, kind, data in graph.edges(keys=True, data=True):
        if u.startswith("paper:"):
            assert data["evidence"], (u, kind)
            assert 0 < data["confidence"] <= 1 and data["extractor"]
            text = graph.nodes[u]["title"] + "\n\n" + graph.nodes[u].get("abstract", "")
            for e in data["evidence"]:
                if e["end"] > e["start"]:
                    assert text[e["start"]:e["end"]].strip(), (u, e)


def test_building_again_adds_nothing(sample_store, tmp_path):
    copy = tmp_path / "again.json"
    shutil.copy(sample_store, copy)
    before = _snapshot(copy)
    assert main(["build", str(SAMPLE), "--store", str(copy)]) == 0
    assert _snapshot(copy) == before


def test_building_again_changes_no_attribute(tmp_path):
    """Every node and edge attribute survives a re-build, co-authors who share a name too."""
    zhous = tmp_path / "zhous.jsonl"
    zhous.write_text(json.dumps({"title": "Two Zhous", "abstract": "We evaluate BERT on GLUE.",
                                 "authors": ["Jie Zhou", "Ann Lee", "Jie Zhou"]}) + "\n")
    store = tmp_path / "store.json"
    assert main(["build", str(zhous), str(SAMPLE), "--store", str(store)]) == 0
    first = load_graph(store)
    assert main(["build", str(zhous), str(SAMPLE), "--store", str(store)]) == 0
    again = load_graph(store)
    assert dict(again.nodes(data=True)) == dict(first.nodes(data=True))
    assert list(again.edges(keys=True, data=True)) == list(first.edges(keys=True, data=True))
    (paper,) = [d for _, d in again.nodes(data=True) if d.get("title") == "Two Zhous"]
    assert paper["authors"] == ["Jie Zhou", "Ann Lee", "Jie Zhou"]


def test_a_longer_author_list_replaces_a_shorter_one(tmp_path):
    short, full = tmp_path / "short.jsonl", tmp_path / "full.jsonl"
    paper = {"title": "Two Zhous", "abstract": "We evaluate BERT on GLUE."}
    short.write_text(json.dumps({**paper, "authors": ["Jie Zhou"]}) + "\n")
    full.write_text(json.dumps({**paper, "authors": ["Jie Zhou", "Jie Zhou", "Ann Lee"]}) + "\n")
    store = tmp_path / "store.json"
    for source in (short, full, short):  # the last, shorter list leaves the longer one
        assert main(["build", str(source), "--store", str(store)]) == 0
    (node,) = [d for _, d in load_graph(store).nodes(data=True) if d.get("kind") == "Paper"]
    assert node["authors"] == ["Jie Zhou", "Jie Zhou", "Ann Lee"]


def test_incremental_build_equals_one_build(tmp_path):
    pages = sorted(SAMPLE.iterdir())
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert main(["build", *map(str, pages), "--store", str(one)]) == 0
    assert main(["build", *map(str, pages[:2]), "--store", str(two)]) == 0
    assert main(["build", *map(str, pages[2:]), "--store", str(two)]) == 0
    assert main(["build", *map(str, pages[:3]), "--store", str(two)]) == 0
    a, b = _snapshot(one), _snapshot(two)
    assert a[1] == b[1] and a[2] == b[2]


def test_bad_input_exits_2_and_leaves_store_unchanged(sample_store, tmp_path, capsys):
    copy = tmp_path / "store.json"
    shutil.copy(sample_store, copy)
    before = copy.read_bytes()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "Fine"}\n{"title": \n')
    assert main(["build", str(FIXTURES / "papers.jsonl"), str(bad), "--store", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:2: expected one JSON object per line" in err
    assert copy.read_bytes() == before
    # --skip-bad reads the rest and reports the bad record at the end.
    assert main(["build", str(bad), "--skip-bad", "--store", str(copy)]) == 0
    assert "skipped 1 bad record" in capsys.readouterr().err


def test_corrupt_store_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(StoreError, match="not a paperkg store"):
        NetworkXStore.open(path)
    assert main(["stats", "--store", str(tmp_path / "missing.json")]) == 2
    header = '{"format": "paperkg-networkx", "version": 1, "graph": '
    for graph in ('{"nodes": [{"kind": "Paper"}], "edges": []}',  # a node without its id
                  '{"nodes": [], "edges": [{"source": "a", "target": "b"}]}',  # no key
                  '{"nodes": [], "edges": "none", "graph": {}}'):
        path.write_text(header + graph + "}")
        with pytest.raises(StoreError, match="not a paperkg store"):
            NetworkXStore.open(path)


def test_query_by_any_alias(sample_store):
    graph = load_graph(sample_store)
    by_name = {h.id for h in papers(graph, [("dataset", "GLUE")])}
    by_long = {h.id for h in papers(graph, [("dataset", "General Language Understanding "
                                                         "Evaluation")])}
    assert by_name and by_name == by_long
    assert find_entities(graph, "llama-2", "model") == find_entities(graph, "LLaMA 2", "model")


def test_query_several_datasets_and_role(sample_store):
    graph = load_graph(sample_store)
    glue = {h.id for h in papers(graph, [("dataset", "GLUE")])}
    both = {h.id for h in papers(graph, [("dataset", "GLUE"), ("dataset", "SQuAD 2.0")])}
    assert both and both <= glue
    proposed = papers(graph, [("model", "NetMamba")], role="proposed")
    assert [h.title.split(":")[0] for h in proposed] == ["NetMamba"]


def test_unknown_entity_names_near_misses(sample_store):
    graph = load_graph(sample_store)
    with pytest.raises(NotFoundError, match="no dataset called 'GLUEX'"):
        papers(graph, [("dataset", "GLUEX")])


def test_entity_lookup(sample_store):
    info = entity(load_graph(sample_store), "mlm")
    assert info["type"] == "method" and info["papers"]
    assert all(p["evidence"] for p in info["papers"])


def test_cli_papers_json_and_stats(sample_store, capsys):
    assert main(["papers", "--dataset", "glue", "--json", "--store", str(sample_store)]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and all("title" in h for h in hits)
    assert main(["stats", "--json", "--store", str(sample_store)]) == 0
    assert json.loads(capsys.readouterr().out)["nodes"]["Paper"] == 199
    assert main(["entity", "GLUE", "--store", str(sample_store)]) == 0
    assert "paper(s)" in capsys.readouterr().out


def test_cli_export_unknown_format(sample_store, tmp_path, capsys):
    assert main(["export", "turtel", "-o", str(tmp_path / "x"), "--store",
                 str(sample_store)]) == 2
    err = capsys.readouterr().err
    assert "no exporter 'turtel'; available: " in err and "turtle" in err


def test_extract_output_follows_the_contract(capsys):
    assert main(["extract", str(SAMPLE / "000_871cbea783f84595.txt"), "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7
    for line in lines:
        jsonschema.validate(json.loads(line), SCHEMA)
    first = json.loads(lines[0])
    assert {"type", "name", "id", "role", "evidence"} <= set(first["entities"][0])


def test_export_jsonl_from_store_matches_extract(sample_store, tmp_path):
    out = tmp_path / "graph.jsonl"
    assert main(["export", "jsonl", "-o", str(out), "--store", str(sample_store)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 199
    for record in records:
        jsonschema.validate(record, SCHEMA)


def test_build_api_returns_a_report(tmp_path):
    store = NetworkXStore(path=tmp_path / "s.json")
    report = build([FIXTURES / "page_with_meta.txt"], store)
    assert report.papers == 3 and report.stats["nodes"]["Paper"] == 3
    store.save()
    assert NetworkXStore.open(tmp_path / "s.json").stats() == report.stats


def test_parallel_extraction_gives_the_same_graph(tmp_path):
    from kg.parallel import extract_parallel
    from kg.readers import read_papers

    papers = read_papers([SAMPLE]).papers
    one, two = NetworkXStore(), NetworkXStore()
    one.add(extract_parallel(papers, jobs=1))
    two.add(extract_parallel(papers, jobs=2, min_per_job=1))
    assert list(one.graph.nodes(data=True)) == list(two.graph.nodes(data=True))
    assert list(one.graph.edges(keys=True, data=True)) == \
        list(two.graph.edges(keys=True, data=True))


def test_workers_started_before_reading_give_the_same_records(tmp_path):
    """``early_pool``: the workers build their pipelines while the papers are read."""
    from kg.parallel import early_pool, estimated_papers, extract_parallel
    from kg.readers import expand_paths, read_papers

    assert 100 < estimated_papers(expand_paths([SAMPLE])) < 400  # 199 papers
    papers = read_papers([SAMPLE]).papers
    with early_pool("rules", 2, papers_expected=len(papers)) as pool:
        assert pool is None  # 199 papers: one process is worth more than two start-ups
    with early_pool("rules", 2, papers_expected=10_000) as pool:
        assert pool is not None
        early = list(extract_parallel(papers, "rules", 2, pool=pool))
    assert early == list(extract_parallel(papers, jobs=1))


def test_records_packed_by_another_paperkg_version_are_refused():
    """Workers send records as marshal tuples in field order; a Dask worker running another
    paperkg, whose fields differ, must fail loudly rather than fill the wrong fields."""
    import marshal

    from kg.errors import WorkerError
    from kg.parallel import extract_parallel, pack_reply, unpack_reply
    from kg.readers import read_papers

    papers = read_papers([SAMPLE]).papers[:20]
    records = list(extract_parallel(papers, jobs=1))
    changed, packed = pack_reply(papers, records)
    assert list(unpack_reply(papers, (changed, packed))) == records
    (entity, relation, evidence), rows = marshal.loads(packed)
    reordered = marshal.dumps(((entity[::-1], relation, evidence), rows))
    with pytest.raises(WorkerError, match="same paperkg version"):
        list(unpack_reply(papers, (changed, reordered)))


def test_a_pipeline_that_fails_in_early_workers_raises_instead_of_hanging():
    from kg.errors import UnknownFormatError
    from kg.parallel import early_pool, extract_parallel
    from kg.readers import read_papers

    papers = read_papers([SAMPLE]).papers[:3]
    with early_pool("no-such-pipeline", 2, papers_expected=10_000) as pool, \
            pytest.raises(UnknownFormatError, match="no-such-pipeline"):
        list(extract_parallel(papers, "no-such-pipeline", 2, pool=pool))


def test_console_script_flushes_its_output_and_keeps_its_exit_code(sample_store, tmp_path):
    """``kg`` (``kg.cli:run``) leaves with ``os._exit``: what it printed must still arrive,
    through a pipe, and a failing command must still exit with 2."""
    import subprocess
    import sys

    kg = [sys.executable, "-c", "from kg.cli import run; run()"]
    answered = subprocess.run([*kg, "papers", "--store", str(sample_store), "--dataset",
                               "GLUE", "--json"], capture_output=True, text=True, check=False)
    assert answered.returncode == 0, answered.stderr
    assert json.loads(answered.stdout) == json.loads(_cli_json(sample_store))
    failed = subprocess.run([*kg, "papers", "--store", str(tmp_path / "none.json")],
                            capture_output=True, text=True, check=False)
    assert failed.returncode == 2 and "kg: error:" in failed.stderr


def _cli_json(store: Path) -> str:
    from contextlib import redirect_stdout
    from io import StringIO

    out = StringIO()
    with redirect_stdout(out):
        assert main(["papers", "--store", str(store), "--dataset", "GLUE", "--json"]) == 0
    return out.getvalue()


def _same_graph(a, b) -> bool:
    return (a.graph == b.graph and list(a.nodes(data=True)) == list(b.nodes(data=True))
            and list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True)))


@pytest.mark.parametrize("name", ["store.json", "store.json.gz"])
def test_store_is_written_a_record_a_line_and_read_in_parts(tmp_path, sample_store, name,
                                                             monkeypatch):
    """A record a line, parsed a few thousand lines at a time: the 87k-paper store loaded
    with a 0.86 GB peak instead of 2.1 GB. Parts of 7 lines here, so parts end inside
    the nodes, at the edges' start and inside the edges."""
    import gzip

    from kg.stores import networkx_store
    from kg.stores.networkx_store import save_graph

    graph = load_graph(sample_store)
    path = tmp_path / name
    save_graph(graph, path)
    data = path.read_bytes()
    lines = (gzip.decompress(data) if name.endswith(".gz") else data).splitlines()
    assert len(lines) == graph.number_of_nodes() + graph.number_of_edges() + 3
    assert lines[1].startswith(b'{"kind":') and lines[-1] == b"]}}"
    assert json.loads(b"\n".join(lines))["format"] == "paperkg-networkx"  # still one document
    monkeypatch.setattr(networkx_store, "_LINES_PER_PARSE", 7)
    assert _same_graph(load_graph(path), graph)
    empty = tmp_path / ("empty" + name)
    save_graph(nx.MultiDiGraph(), empty)
    assert load_graph(empty).number_of_nodes() == 0


def test_a_store_written_on_one_line_still_loads(tmp_path, sample_store):
    graph = load_graph(sample_store)
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"format": "paperkg-networkx", "version": 1,
                               "graph": nx.node_link_data(graph, edges="edges")}))
    assert _same_graph(load_graph(old), graph)


def test_a_damaged_store_line_is_named(tmp_path, small_graph):
    from kg.stores.networkx_store import save_graph

    path = tmp_path / "store.json"
    save_graph(small_graph, path)
    lines = path.read_text().splitlines(keepends=True)
    cases = {
        3: (lines[2][:-5] + "\n", "line 3: not a JSON record"),
        2: ('{"kind": "Paper"}\n', "line 2: expected a node record with id"),
        4: ("garbage\n", "line 4: expected a node"),
    }
    for number, (line, message) in cases.items():
        path.write_text("".join([*lines[:number - 1], line, *lines[number:]]))
        with pytest.raises(StoreError, match=message):
            load_graph(path)
    for header in ('{"format":"paperkg-networkx","version":1,"other":{"nodes":[\n',
                   '{"format":"paperkg-networkx","version":1,"graph":{"graph":5,"nodes":[\n'):
        path.write_text("".join([header, *lines[1:]]))
        with pytest.raises(StoreError, match="line 1: not a paperkg store"):
            load_graph(path)
    path.write_text("".join(lines[:-1]))
    with pytest.raises(StoreError, match="cut short"):
        load_graph(path)
    path.write_text("".join([*lines, "more\n"]))
    with pytest.raises(StoreError, match="nothing after"):
        load_graph(path)


def test_store_file_is_ascii_and_round_trips_any_character(tmp_path, small_graph):
    """One character beyond U+FFFF in a UTF-8 store made loading decode it into a str of four
    bytes a character (a 2 GB peak for the 95k-paper store); escaped, the file is ASCII."""
    from kg.stores.networkx_store import save_graph

    awkward = "Ł𝓛 ∑ 😀 \u2028 \x00 naïve"
    small_graph.nodes["paper:2301.00001"]["title"] = awkward
    path = tmp_path / "store.json"
    save_graph(small_graph, path)
    assert path.read_bytes().isascii()
    assert load_graph(path).nodes["paper:2301.00001"]["title"] == awkward
