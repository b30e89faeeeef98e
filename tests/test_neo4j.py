"""The Neo4j store against a real Neo4j 5.26 server (services/neo4j), compared with NetworkX.

The session fixture builds and starts the server from Maven Central artifacts unless
``NEO4J_URI`` points at one already. Under ``CI=true`` these tests must run: a missing Java or
Maven, or a server that does not start, fails them instead of skipping.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest
from conftest import HOSTILE_TITLE, make_small_graph

from kg.build import build, extract_and_link
from kg.errors import NotFoundError, StoreError
from kg.exporters import export
from kg.exporters.cypher import read_statements
from kg.exporters.neo4j_csv import import_arguments
from kg.model import Entity, Evidence, Extraction, Paper, Relation
from kg.query import entity as nx_entity
from kg.query import find_entities as nx_find_entities
from kg.query import papers as nx_papers
from kg.readers import read_papers
from kg.schema import NODE_KINDS, USES
from kg.stores.neo4j_layout import node_properties
from kg.stores.neo4j_store import Neo4jStore
from kg.stores.networkx_store import NetworkXStore

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
RUN_SH = ROOT / "services" / "neo4j" / "run.sh"
SAMPLE = ROOT / "data" / "sample"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true and the Neo4j server cannot be used: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A Neo4j server for the tests; ``owned`` when this session started it (and may kill it)."""

    uri: str
    owned: bool
    port: int = 0
    home: Path | None = None
    run_dir: Path | None = None

    def env(self) -> dict[str, str]:
        return {**os.environ, "PAPERKG_NEO4J_RUN": str(self.run_dir)}

    def run(self, *args: str, home: Path | None = None, port: int | None = None,
            timeout: float = 1500) -> subprocess.CompletedProcess:
        command = ["bash", str(RUN_SH), *args]
        if args[0] in ("start", "stop"):
            command += ["--port", str(port or self.port)]
        if args[0] == "start":
            command += ["--home", str(home or self.home)]
        return subprocess.run(command, env=self.env(), capture_output=True, text=True,
                              timeout=timeout, check=False)

    def pid(self) -> int:
        assert self.run_dir is not None
        return int((self.run_dir / f"neo4j-{self.port}.pid").read_text())


def _wait_until_connected(uri: str, seconds: float = 120) -> None:
    from neo4j import GraphDatabase
    from neo4j.exceptions import DriverError, Neo4jError

    deadline = time.monotonic() + seconds
    with GraphDatabase.driver(uri, auth=_auth()) as driver:
        while True:
            try:
                driver.verify_connectivity()
                return
            except (DriverError, Neo4jError, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def _process_gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state in ("Z", "X")


def _auth() -> tuple[str, str] | None:
    password = os.environ.get("NEO4J_PASSWORD")
    return (os.environ.get("NEO4J_USER", "neo4j"), password) if password else None


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if os.environ.get("NEO4J_URI"):
        uri = os.environ["NEO4J_URI"]
        _wait_until_connected(uri, 30)
        yield Server(uri=uri, owned=False)
        return
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        _unavailable(f"{' and '.join(missing)} not installed (needed to run Neo4j)")
    base = tmp_path_factory.mktemp("neo4j")
    srv = Server(uri="", owned=True, port=_free_port(), home=base / "home",
                 run_dir=base / "run")
    started = srv.run("start")
    if started.returncode != 0:
        pytest.fail(f"the Neo4j server did not start:\n{started.stdout}\n{started.stderr}")
    srv.uri = f"bolt://127.0.0.1:{srv.port}"
    try:
        _wait_until_connected(srv.uri)
        yield srv
    finally:
        srv.run("stop", timeout=120)


@pytest.fixture
def store(server: Server) -> Iterator[Neo4jStore]:
    """An empty paperkg graph on the server (tests share the database, one at a time)."""
    s = Neo4jStore(server.uri, batch_size=40)
    s.clear()
    yield s
    s.close()


@pytest.fixture(scope="module")
def sample_extractions() -> list[Extraction]:
    return list(extract_and_link(read_papers([SAMPLE]).papers))


@pytest.fixture(scope="module")
def sample_graph(sample_extractions: list[Extraction]) -> nx.MultiDiGraph:
    nx_store = NetworkXStore()
    nx_store.add(sample_extractions)
    return nx_store.graph


def canon(graph: nx.MultiDiGraph) -> tuple[dict, dict]:
    """Nodes and edges with their attributes, independent of insertion order."""
    return ({n: d for n, d in graph.nodes(data=True)},
            {(u, v, k): d for u, v, k, d in graph.edges(keys=True, data=True)})


def assert_same_graph(actual: nx.MultiDiGraph, expected: nx.MultiDiGraph) -> None:
    a_nodes, a_edges = canon(actual)
    e_nodes, e_edges = canon(expected)
    assert set(a_nodes) == set(e_nodes)
    assert set(a_edges) == set(e_edges)
    for node, data in e_nodes.items():
        assert a_nodes[node] == data, node
    for key, data in e_edges.items():
        assert a_edges[key] == data, key


def element_ids(store: Neo4jStore) -> set[str]:
    rows = store._read("MATCH (n) OPTIONAL MATCH (n)-[r]->() "
                       "RETURN elementId(n) AS n, collect(elementId(r)) AS r")
    return {row["n"] for row in rows} | {r for row in rows for r in row["r"]}


def _entity_view(info: dict) -> dict:
    """``entity()``'s answer with lists NetworkX orders by insertion put in one order."""
    return {**info, "related": sorted(info["related"], key=lambda r: (r["relation"], r["id"])),
            "papers": sorted(info["papers"], key=lambda p: (p["title"], p["id"], p["relation"]))}


# -- the server and the schema ------------------------------------------------------------------
def test_server_is_neo4j_5(store: Neo4jStore) -> None:
    rows = store._read("CALL dbms.components() YIELD name, versions RETURN versions[0] AS v")
    assert rows[0]["v"].startswith("5.")


def test_constraints_come_first_from_the_schema_file(store: Neo4jStore) -> None:
    store.ensure_schema()
    rows = store._read("SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
                       "WHERE type = 'UNIQUENESS' RETURN labelsOrTypes[0] AS label, properties")
    unique = {row["label"] for row in rows if row["properties"] == ["id"]}
    assert set(NODE_KINDS) <= unique


# -- the same graph and the same answers as NetworkX ------------------------------------------
def test_sample_builds_the_same_graph_and_answers(store: Neo4jStore,
                                                   sample_graph: nx.MultiDiGraph) -> None:
    report = build([SAMPLE], store)  # the real path: a generator of extractions, in batches
    assert report.stats == NetworkXStore(sample_graph).stats()
    assert_same_graph(store.to_networkx(), sample_graph)

    by_degree = sorted((n for n, d in sample_graph.nodes(data=True) if d["kind"] == "Dataset"),
                       key=lambda n: (-sample_graph.in_degree(n), n))
    names = [sample_graph.nodes[n]["name"] for n in by_degree[:6]]
    queries = [[("dataset", n)] for n in names] + [
        [("dataset", a), ("dataset", b)] for i, a in enumerate(names) for b in names[i + 1:]]
    queries.append([("dataset", names[0]), ("model", "BERT")])
    asked = 0
    for filters in queries:
        for role in (None, "used", "proposed"):
            try:
                expected = nx_papers(sample_graph, filters, role=role)
            except NotFoundError as error:
                with pytest.raises(NotFoundError) as raised:
                    store.papers(filters, role=role)
                assert str(raised.value) == str(error)
                continue
            assert store.papers(filters, role=role) == expected, (filters, role)
            asked += bool(expected)
    assert asked >= 10  # several multi-dataset queries had answers

    # every alias (and a variant spelling) of a spread of entities finds the same entities
    entities = [n for n, d in sample_graph.nodes(data=True) if d["kind"] != "Paper"]
    for node in entities[::5]:
        data = sample_graph.nodes[node]
        for name in [data["name"], *data.get("aliases", [])][:4]:
            for spelling in (name, name.upper().replace(" ", "-")):
                assert store.find_entities(spelling) == nx_find_entities(sample_graph, spelling)
        etype = node.split(":", 1)[0]
        expected_info = nx_entity(sample_graph, data["name"], etype)
        assert _entity_view(store.entity(data["name"], etype)) == _entity_view(expected_info)


def test_unknown_names_raise_the_same_error(store: Neo4jStore) -> None:
    graph = make_small_graph()
    store.load_networkx(graph)
    for filters in ([("dataset", "GLU")], [("model", "NetMambaX")], [("task", "zzz")]):
        with pytest.raises(NotFoundError) as expected:
            nx_papers(graph, filters)
        with pytest.raises(NotFoundError) as got:
            store.papers(filters)
        assert str(got.value) == str(expected.value)


def test_building_twice_changes_nothing(store: Neo4jStore,
                                        sample_extractions: list[Extraction],
                                        sample_graph: nx.MultiDiGraph) -> None:
    store.add(sample_extractions)
    before = element_ids(store)
    store.add(sample_extractions)
    assert element_ids(store) == before  # nothing deleted and recreated, nothing added
    assert_same_graph(store.to_networkx(), sample_graph)


def test_incremental_build_equals_one_build(store: Neo4jStore,
                                            sample_extractions: list[Extraction],
                                            sample_graph: nx.MultiDiGraph) -> None:
    half = len(sample_extractions) // 2
    store.add(sample_extractions[half:])
    store.add(sample_extractions[:half])
    store.add(sample_extractions[half:])
    expected = NetworkXStore()
    expected.add(sample_extractions[half:])
    expected.add(sample_extractions[:half])
    assert_same_graph(store.to_networkx(), expected.graph)


# -- interrupted loads converge --------------------------------------------------------------
def test_closing_the_driver_mid_load_then_rerunning(server: Server, store: Neo4jStore,
                                                    sample_extractions: list[Extraction],
                                                    sample_graph: nx.MultiDiGraph) -> None:
    def cut(batch: int) -> None:
        if batch == 2:  # the client goes away between batches, its connections with it
            store.driver.close()
            raise ConnectionAbortedError("client stopped")

    with pytest.raises(ConnectionAbortedError):
        store.add(sample_extractions, on_batch=cut)
    with Neo4jStore(server.uri) as fresh:
        partial = sum(fresh.stats()["nodes"].values())
        assert 0 < partial < sample_graph.number_of_nodes()
        fresh.add(sample_extractions)
        assert_same_graph(fresh.to_networkx(), sample_graph)


def test_server_killed_mid_load_is_retried(server: Server, store: Neo4jStore,
                                           sample_extractions: list[Extraction],
                                           sample_graph: nx.MultiDiGraph) -> None:
    if not server.owned:
        pytest.skip("NEO4J_URI names a server this session did not start")

    def crash(batch: int) -> None:
        if batch == 2:
            old_pid = server.pid()
            os.kill(old_pid, signal.SIGKILL)  # no clean shutdown: recovery on restart
            # On a loaded machine the killed JVM can take a while to disappear; starting before
            # it has would find it "already running" and start nothing.
            deadline = time.monotonic() + 120
            while not _process_gone(old_pid) or server.run("status").returncode == 0:
                assert time.monotonic() < deadline, "the killed server is still reported running"
                time.sleep(0.2)
            started = server.run("start")
            assert started.returncode == 0, started.stderr
            assert server.pid() != old_pid, started.stdout
            _wait_until_connected(server.uri)  # recovery done before the driver retries

    store.add(sample_extractions, on_batch=crash)  # batch 3 fails once, then the retry lands
    assert_same_graph(store.to_networkx(), sample_graph)
    store.add(sample_extractions)
    assert_same_graph(store.to_networkx(), sample_graph)


# -- hostile text --------------------------------------------------------------------------------
def test_hostile_title_is_stored_verbatim_and_deletes_nothing(store: Neo4jStore) -> None:
    store.load_networkx(make_small_graph())
    before = store.stats()
    title = "'}) DETACH DELETE n //"
    paper = Paper(id="t-hostile", title=title, abstract="We use GLUE.\\'\" MATCH (m) DELETE m")
    glue = Entity(id="dataset:glue", type="dataset", name="GLUE", aliases=(title,))
    relation = Relation(paper_id="t-hostile", kind=USES, entity_id="dataset:glue",
                        confidence=0.9, extractor="test",
                        evidence=(Evidence(text=title, start=0, end=5),))
    store.add([Extraction(paper=paper, entities=(glue,), relations=(relation,))])
    after = store.stats()
    assert after["nodes"]["Paper"] == before["nodes"]["Paper"] + 1
    assert after["edges"]["USES"] == before["edges"]["USES"] + 1
    graph = store.to_networkx()
    assert graph.nodes["paper:t-hostile"]["title"] == title
    assert graph.nodes["paper:t-hostile"]["abstract"] == paper.abstract
    assert title in graph.nodes["dataset:glue"]["aliases"]
    assert graph.nodes["paper:2301.00001"]["title"].startswith("NetMamba")
    assert store.find_entities(title) == ["dataset:glue"]


def test_labels_and_types_only_from_the_vocabulary(store: Neo4jStore) -> None:
    bad = make_small_graph()
    bad.nodes["model:mamba"]["kind"] = "Model`) DETACH DELETE (x"
    with pytest.raises(StoreError, match="not a paperkg label"):
        store.load_networkx(bad)
    bad = make_small_graph()
    bad.add_edge("model:mamba", "dataset:glue", key="X]->() DELETE r //", kind="X")
    with pytest.raises(StoreError, match="not a paperkg relationship type"):
        store.load_networkx(bad)
    assert store.stats() == {"nodes": {}, "edges": {}}


def test_cypher_string_literals_read_back_exactly(store: Neo4jStore) -> None:
    from kg.exporters.cypher import cypher_string

    nasty = ["'}) DETACH DELETE n //", "a\\'b", "\\u0041 is not A", "back\\slash\\", "",
             'say "hi"', "line\nbreak\r\ttab\b\f", "\x00\x01\x1f\x7f\x85 controls",
             "\u2028\u2029 separators", "emoji 🦙 and αβγ", "/* not a comment */ ;", "`tick`"]
    for text in nasty:
        rows = store._read(f"RETURN {cypher_string(text)} AS s")
        assert rows[0]["s"] == text


# -- push, pull and the exports ---------------------------------------------------------------
def test_push_pull_round_trip(server: Server, store: Neo4jStore, tmp_path: Path,
                              sample_graph: nx.MultiDiGraph) -> None:
    source = tmp_path / "graph.json"
    NetworkXStore(sample_graph).save(source)
    kg = [sys.executable, "-m", "kg.cli"]
    uri = ["--neo4j-uri", server.uri]
    for _ in range(2):  # pushing twice changes nothing
        pushed = subprocess.run([*kg, "push", "--store", str(source), *uri],
                                capture_output=True, text=True, check=False)
        assert pushed.returncode == 0, pushed.stderr
        assert "relationships/s" in pushed.stdout
    pulled = tmp_path / "pulled.json.gz"
    result = subprocess.run([*kg, "pull", "--store", str(pulled), *uri],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert_same_graph(NetworkXStore.open(pulled, create=False).graph, sample_graph)

    def cli_json(*args: str) -> object:
        out = subprocess.run([*kg, *args], capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    glue = ["papers", "--dataset", "GLUE", "--json"]
    assert cli_json(*glue, "--backend", "neo4j", *uri) == cli_json(*glue, "--store", str(source))
    stats = ["stats", "--json"]
    assert cli_json(*stats, "--backend", "neo4j", *uri) == cli_json(*stats, "--store",
                                                                    str(source))


def test_push_merges_like_the_embedded_store(store: Neo4jStore) -> None:
    graph = make_small_graph()
    store.load_networkx(graph)
    changed = make_small_graph()
    changed.nodes["dataset:glue"]["aliases"] = ["GLUE benchmark"]
    changed.nodes["dataset:glue"]["name"] = "Another name"
    edge = changed.edges["paper:2301.00001", "dataset:glue", USES]
    edge["evidence"] = [{"text": "More GLUE.", "start": 1, "end": 5}]
    edge["confidence"] = 0.5
    store.load_networkx(changed)
    result = store.to_networkx()
    assert result.nodes["dataset:glue"]["name"] == "GLUE"
    assert result.nodes["dataset:glue"]["aliases"] == [
        "General Language Understanding Evaluation", "GLUE benchmark"]
    merged = result.edges["paper:2301.00001", "dataset:glue", USES]
    assert [e["text"] for e in merged["evidence"]] == ["We use GLUE.", "More GLUE."]
    assert merged["confidence"] == 0.9


def _networkx_merge(*graphs: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``graphs`` merged one after the other by NetworkXStore's own rules (what a push of
    each, in turn, must leave in the database)."""
    merged = NetworkXStore()
    for graph in graphs:
        for node, data in graph.nodes(data=True):
            merged._merge_node(node, copy.deepcopy(data))
        for source, target, kind, data in graph.edges(keys=True, data=True):
            data = copy.deepcopy(data)
            if merged.graph.has_edge(source, target, key=kind):
                data = {"evidence": [], "confidence": 0.0, **data}
            merged._merge_edge(source, target, kind, data)
    return merged.graph


def raw_graph(store: Neo4jStore) -> tuple[dict, dict]:
    """Every property of every node and relationship, by element id (seq and keys included)."""
    nodes = {r["e"]: r["p"] for r in store._read(
        "MATCH (n) RETURN elementId(n) AS e, properties(n) AS p")}
    edges = {r["e"]: r["p"] for r in store._read(
        "MATCH ()-[r]->() RETURN elementId(r) AS e, properties(r) AS p")}
    return nodes, edges


def test_push_merge_rules_equal_networkx(store: Neo4jStore) -> None:
    first = make_small_graph()
    first.nodes["paper:2301.00001"]["organization"] = ""  # "" is filled by a later value
    first.nodes["task:traffic-classification"]["name"] = ""
    second = make_small_graph()
    p1, p2 = "paper:2301.00001", "paper:t-5f3c"
    second.nodes[p1].update(abstract="A longer abstract: we propose NetMamba and use GLUE.",
                            authors=["B. Author", "C. Author", "C. Author"], doi="10.1/x",
                            organization="Acme Labs", date="")
    second.nodes[p2].update(abstract="Shorter.", date="2024-01-01",
                            authors=["Jie Zhou", "Jie Zhou"])  # two people, one name
    second.nodes["dataset:glue"].update(
        name="Another name", aliases=["GLUE benchmark", "GLUE", "GLUE benchmark"])
    second.nodes["model:mamba"]["aliases"] = ["Mamba-1"]
    second.nodes["task:traffic-classification"].update(
        name="traffic classification", aliases=["TC"])  # the name fills "", its key too
    more, again = {"text": "More GLUE.", "start": 1, "end": 5}, {
        "text": "We use GLUE.", "start": 62, "end": 66}
    second.edges[p1, "dataset:glue", USES].update(evidence=[more, again, more], confidence=0.95)
    second.edges[p2, "dataset:glue", USES].update(evidence=[], confidence=0.5)
    variant = second.edges["model:netmamba", "model:mamba", "VARIANT_OF"]
    del variant["confidence"], variant["evidence"]  # merged as confidence 0.0, no evidence
    second.add_edge(p1, "method:lora", key=USES, kind=USES, role="used", confidence=0.7,
                    extractor="test", evidence=[more, more])  # new: duplicates kept as given
    third = make_small_graph()
    third.nodes[p1]["authors"] = ["Z. Shorter"]  # a shorter author list replaces nothing
    store.rows_per_transaction = 3  # several transactions per label and type
    for graph in (first, second, third):
        store.load_networkx(graph)
    expected = _networkx_merge(first, second, third)
    assert expected.nodes[p1]["authors"] == ["B. Author", "C. Author", "C. Author"]
    assert expected.nodes[p2]["authors"] == ["Jie Zhou", "Jie Zhou"]
    assert_same_graph(store.to_networkx(), expected)
    got = store.to_networkx()
    assert got.nodes["dataset:glue"]["aliases"] == [
        "General Language Understanding Evaluation", "GLUE benchmark"]
    assert [e["text"] for e in got.edges[p1, "dataset:glue", USES]["evidence"]] == [
        "We use GLUE.", "More GLUE."]
    assert got.edges[p1, "dataset:glue", USES]["confidence"] == 0.95
    # the derived name keys are those of the merged node: every alias finds it, the name a
    # later push did not keep does not
    by_id = {r["id"]: r for r in store._read(
        "MATCH (n) WHERE n.name_key IS NOT NULL RETURN n.id AS id, n.name_key AS name_key, "
        "n.match_keys AS match_keys")}
    for node, data in expected.nodes(data=True):
        if data["kind"] != "Paper":
            props = node_properties(node, data, 0)
            assert by_id[node]["name_key"] == props["name_key"], node
            assert by_id[node]["match_keys"] == props["match_keys"], node
    assert store.find_entities("TC") == ["task:traffic-classification"]
    assert store.find_entities("Another name") == nx_find_entities(expected, "Another name")


def test_pushing_twice_changes_nothing(store: Neo4jStore,
                                       sample_graph: nx.MultiDiGraph) -> None:
    store.load_networkx(sample_graph)
    before = raw_graph(store)
    store.load_networkx(sample_graph)
    assert raw_graph(store) == before  # same elements, every property the same (seq too)
    assert_same_graph(store.to_networkx(), sample_graph)


def test_push_cut_off_then_rerun_converges(server: Server, store: Neo4jStore,
                                           sample_graph: nx.MultiDiGraph) -> None:
    store.rows_per_transaction = 100

    def cut(number: int) -> None:
        if number == 8:  # some labels written, no relationship yet
            raise ConnectionAbortedError("client stopped")

    with pytest.raises(ConnectionAbortedError):
        store.load_networkx(sample_graph, on_batch=cut)
    assert 0 < sum(store.stats()["nodes"].values()) < sample_graph.number_of_nodes()
    with Neo4jStore(server.uri, rows_per_transaction=100) as fresh:
        fresh.load_networkx(sample_graph)
        assert_same_graph(fresh.to_networkx(), sample_graph)
        once = Neo4jStore(server.uri)
        try:  # the same properties as one uninterrupted push (seq aside)
            rerun = sorted(map(_without_seq, raw_graph(fresh)[0].values()), key=repr)
            once.clear()
            once.load_networkx(sample_graph)
            assert sorted(map(_without_seq, raw_graph(once)[0].values()), key=repr) == rerun
        finally:
            once.close()


def _without_seq(props: dict) -> dict:
    return {k: v for k, v in props.items() if k != "seq"}


def test_a_batch_merges_like_one_extraction_at_a_time(store: Neo4jStore) -> None:
    """``add`` merges a whole batch at once; an alias one extraction of the batch drops as
    its own name is still an alias of the database's node, whose name is another."""
    def extraction(pid: str, *entities: Entity) -> Extraction:
        paper = Paper(id=pid, title=f"Paper {pid}", abstract="We use X.")
        return Extraction(paper=paper, entities=entities, relations=tuple(
            Relation(paper_id=pid, kind=USES, entity_id=e.id, confidence=0.6, extractor="t",
                     evidence=(Evidence(text="We use X.", start=7, end=8),))
            for e in entities))

    first = extraction("p0", Entity(id="dataset:x", type="dataset", name="X"))
    batch = [extraction("p1", Entity(id="dataset:x", type="dataset", name="B")),
             extraction("p2", Entity(id="dataset:x", type="dataset", name="C", aliases=("B",)),
                        Entity(id="dataset:x-small", type="dataset", name="X small",
                               family="dataset:x"))]
    later = [extraction("p3", Entity(id="dataset:x-large", type="dataset", name="X large",
                                     family="dataset:x"))]  # the family from the database
    store.batch_size = 10
    store.add([first])
    store.add(batch)
    store.add(later)
    expected = NetworkXStore()
    for ex in [first, *batch, *later]:
        expected.add([ex])
    assert expected.graph.nodes["dataset:x"]["aliases"] == ["B"]
    assert_same_graph(store.to_networkx(), expected.graph)
    assert store.find_entities("B") == ["dataset:x"]

    orphan = [extraction("p4", Entity(id="dataset:y-small", type="dataset", name="Y small",
                                      family="dataset:y"))]
    before = raw_graph(store)
    with pytest.raises(StoreError):
        NetworkXStore(expected.graph.copy()).add(orphan)
    with pytest.raises(StoreError, match="missing from the database"):
        store.add(orphan)
    assert raw_graph(store) == before  # the failed batch wrote nothing


def test_cli_build_into_neo4j_equals_the_file_store(server: Server, store: Neo4jStore,
                                                    tmp_path: Path) -> None:
    papers = str(ROOT / "tests" / "fixtures" / "papers.csv")
    kg = [sys.executable, "-m", "kg.cli"]
    env = {**os.environ, "NEO4J_URI": server.uri}  # the URI from the environment
    built = subprocess.run([*kg, "build", papers, "--backend", "neo4j"], env=env,
                           capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    subprocess.run([*kg, "build", papers, "--store", str(tmp_path / "g.json")], check=True,
                   capture_output=True)
    assert_same_graph(store.to_networkx(),
                      NetworkXStore.open(tmp_path / "g.json", create=False).graph)


@pytest.mark.parametrize("which", ["small", "sample"])
def test_cypher_export_loads_into_an_empty_database(which: str, store: Neo4jStore,
                                                    tmp_path: Path,
                                                    sample_graph: nx.MultiDiGraph) -> None:
    graph = make_small_graph() if which == "small" else sample_graph
    script = export(graph, "cypher", tmp_path / "graph.cypher")
    with store.driver.session(database=store.database) as session:
        for block in read_statements(script):
            def run(tx, block=block):  # one cypher-shell :begin/:commit block
                for statement in block:
                    tx.run(statement).consume()
            if block[0].startswith("CREATE"):
                session.run(block[0]).consume()  # schema statements run on their own
            else:
                session.execute_write(run)
    assert_same_graph(store.to_networkx(), graph)
    if which == "small":
        assert store.to_networkx().nodes["paper:t-5f3c"]["title"] == HOSTILE_TITLE


def test_neo4j_csv_imports_with_neo4j_admin(server: Server, tmp_path: Path,
                                            sample_graph: nx.MultiDiGraph) -> None:
    if not server.owned:
        pytest.skip("needs the services/neo4j jars, which this session did not build")
    graph = sample_graph.copy()
    graph.add_nodes_from(make_small_graph().nodes(data=True))  # hostile text, empty lists
    graph.add_edges_from(make_small_graph().edges(keys=True, data=True))
    directory = export(graph, "neo4j-csv", tmp_path / "csv")
    home = tmp_path / "imported"
    home.mkdir()
    imported = subprocess.run(["bash", str(RUN_SH), "admin", *import_arguments(
        sorted(p.name for p in directory.glob("*.csv")))], cwd=directory,
        env={**server.env(), "NEO4J_HOME": str(home)}, capture_output=True, text=True,
        timeout=600, check=False)
    assert imported.returncode == 0, imported.stdout[-2000:] + imported.stderr[-2000:]
    port = _free_port()
    started = server.run("start", home=home, port=port)
    assert started.returncode == 0, started.stderr
    try:
        with Neo4jStore(f"bolt://127.0.0.1:{port}") as other:
            assert_same_graph(other.to_networkx(), graph)
            assert other.papers([("dataset", "GLUE")]) == nx_papers(graph, [("dataset", "GLUE")])
    finally:
        server.run("stop", port=port, timeout=120)
