"""``--engine dask``: a Dask distributed build gives the single-process graph, byte for byte.

These start real worker processes (a two-worker ``LocalCluster``, shared by the module), so they
are integration tests; they still run under plain ``pytest``.
"""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

import networkx as nx
import pytest

from kg.build import build
from kg.cli import main
from kg.stores.networkx_store import NetworkXStore

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "data" / "sample"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import Client

    from kg.dask_engine import _cluster

    with _cluster(2) as local, Client(local, set_as_default=False) as client:
        yield local, client


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The store of a single-process build of the sample pages."""
    path = tmp_path_factory.mktemp("reference") / "one.json"
    store = NetworkXStore(path=path)
    build([SAMPLE], store, jobs=1)
    store.save()
    return path


def _pipelines(client) -> dict[str, int | None]:
    """Per worker: the id of its cached rules pipeline, or None if it has not built one."""

    def cached() -> int | None:
        from kg.build import _PIPELINES

        return id(_PIPELINES["rules"][0]) if "rules" in _PIPELINES else None

    return client.run(cached)


def test_a_dask_build_gives_the_single_process_graph(cluster, reference, tmp_path):
    local, client = cluster
    path = tmp_path / "dask.json"
    store = NetworkXStore(path=path)
    report = build([SAMPLE], store, engine="dask", scheduler=local.scheduler_address)
    store.save()
    assert report.papers == 199
    one = NetworkXStore.open(reference).graph
    assert nx.node_link_data(store.graph, edges="links") == \
        nx.node_link_data(one, edges="links")
    assert path.read_bytes() == reference.read_bytes()

    # every worker got partitions and built its pipeline once; a second build reuses it
    built = _pipelines(client)
    assert len(built) == 2 and all(built.values())
    again = NetworkXStore()
    build([SAMPLE], again, engine="dask", scheduler=local.scheduler_address)
    assert _pipelines(client) == built
    assert list(again.graph.edges(keys=True, data=True)) == \
        list(store.graph.edges(keys=True, data=True))


def test_small_partitions_come_back_in_input_order(cluster):
    from kg.build import extract_and_link
    from kg.dask_engine import extract_dask
    from kg.readers import read_papers

    local, _ = cluster
    papers = read_papers([SAMPLE]).papers[:40]
    records = list(extract_dask(papers, scheduler=local.scheduler_address, partition=3))
    assert [r.paper.id for r in records] == [p.id for p in papers]
    assert records == list(extract_and_link(papers))  # packed by the workers, unpacked here


def test_the_cli_dask_engine_starts_its_own_cluster(reference, tmp_path, capsys):
    path = tmp_path / "cli.json"
    assert main(["build", str(SAMPLE), "--store", str(path), "--engine", "dask",
                 "--jobs", "2"]) == 0
    assert path.read_bytes() == reference.read_bytes()
    assert capsys.readouterr().err == ""  # quiet: no Dask logging, no progress on a pipe


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_bad_scheduler_fails_quickly_with_one_line(tmp_path, capsys):
    address = f"tcp://127.0.0.1:{_closed_port()}"
    path = tmp_path / "never.json"
    started = time.monotonic()
    code = main(["build", str(SAMPLE), "--store", str(path), "--scheduler", address])
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2 and not path.exists()
    assert err.count("\n") == 1 and err.startswith(f"kg: error: --scheduler {address}: ")
    assert "expected a running Dask scheduler" in err and "Traceback" not in err
    assert took < 15  # reading the pages, then a 3 s connect timeout


def test_bad_scheduler_addresses_raise_scheduler_errors():
    from kg.dask_engine import SchedulerError, connect
    from kg.errors import KGError

    with pytest.raises(SchedulerError, match=r"--scheduler nonsense: .*missing port"):
        connect("nonsense", timeout=1)
    assert issubclass(SchedulerError, KGError) and issubclass(SchedulerError, ConnectionError)


def test_a_scheduler_without_workers_is_an_error():
    from dask.distributed import LocalCluster

    from kg.dask_engine import SchedulerError, connect

    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0",
                      silence_logs=logging.ERROR) as empty, \
            pytest.raises(SchedulerError, match="has no worker"):
        connect(empty.scheduler_address, timeout=1)


def test_scheduler_needs_the_dask_engine():
    from kg.parallel import EngineError

    with pytest.raises(EngineError, match="needs engine dask"):
        build([SAMPLE], NetworkXStore(), engine="local", scheduler="tcp://127.0.0.1:8786")


def test_an_error_in_a_worker_comes_back_as_one_kg_error(cluster):
    from kg.dask_engine import WorkerError, extract_dask
    from kg.readers import read_papers

    local, _ = cluster
    papers = read_papers([SAMPLE]).papers[:4]
    with pytest.raises(WorkerError, match="no pipeline 'nope'; available: rules, statistical"):
        list(extract_dask(papers, "nope", scheduler=local.scheduler_address))


def test_a_cluster_started_from_the_command_line_builds_the_same_graph(reference, tmp_path,
                                                                       capsys):
    """``--scheduler`` with a scheduler and a worker started as their own processes by
    Dask's command-line tools, as on a real cluster (here all on this machine)."""
    import subprocess
    import sys

    from dask.distributed import Client

    port = _closed_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                                  "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], **quiet)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                               "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                              cwd=tmp_path, **quiet)
    try:
        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(1, timeout=120)
        path = tmp_path / "cluster.json"
        assert main(["build", str(SAMPLE), "--store", str(path), "--scheduler", address]) == 0
        assert path.read_bytes() == reference.read_bytes()
        assert capsys.readouterr().err == ""
    finally:
        for process in (worker, scheduler):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
