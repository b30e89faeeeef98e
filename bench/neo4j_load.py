"""Load rate of the Neo4j store: relationships per second for ``kg push``.

    .venv/bin/python bench/neo4j_load.py [--papers 10000] [--uri bolt://...] [--rows 10000]
                                         [--store GRAPH.json ...]

Builds NetworkX stores with ``kg build`` (cached in exports/bench/) for the bundled sample and
for the first N papers of ../shared/data/external/paperlists/, then times ``kg push`` of each
(``Neo4jStore.load_networkx``) four times: into an empty database (writes everything), again
(finds everything in place and changes nothing: the re-run cost), into the emptied database
with the server's JIT and query plans warm, and again. Uses the server at
--uri / NEO4J_URI, or starts services/neo4j on a free port with a temporary home and stops it
at the end. ``--store`` pushes stores built beforehand instead (e.g. all of paperlists).

Each line gives the load average (the machine may be shared), the client's CPU seconds and,
when the bench started the server, the server's (its JVM's CPU time from /proc: JIT
compilation makes a cold server's first push several times dearer than later ones). The
driver's Rust extension (``neo4j-rust-ext``, a dependency) halves the client's share.

Beside the push rates it prints the server's ceiling on this machine: the same relationships
copied by the server alone (``MATCH ... CREATE`` in transactions of 10,000, no client, no
parameters), bare and with their properties. A push cannot be faster than the second figure.
Not part of the test run: the 10,000-paper build extracts for a minute or more.
"""

from __future__ import annotations

import argparse
import gzip
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.schema import EDGE_KINDS
from kg.stores.networkx_store import NetworkXStore

if TYPE_CHECKING:
    from kg.stores.neo4j_store import Neo4jStore

ROOT = Path(__file__).resolve().parents[1]
PAPERLISTS = ROOT.parent / "shared" / "data" / "external" / "paperlists" / \
    "paperlists_title_abstract.jsonl.gz"
CACHE = ROOT / "exports" / "bench"


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=ROOT, check=True,
                          capture_output=True, text=True)


def first_papers(n: int, source: Path = PAPERLISTS) -> Path:
    target = CACHE / f"paperlists-{n}.jsonl"
    if not target.exists():
        with gzip.open(source, "rt", encoding="utf-8") as src, target.open("w") as out:
            for i, line in enumerate(src):
                if i == n:
                    break
                out.write(line)
    return target


def store_of(name: str, source: Callable[[], Path]) -> Path:
    """The NetworkX store built from ``source()`` (built once, then cached)."""
    store = CACHE / f"{name}.json.gz"
    if not store.exists():
        started = time.perf_counter()
        kg("build", str(source()), "--store", str(store))
        print(f"{name}: kg build took {time.perf_counter() - started:.0f} s", flush=True)
    return store


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of process ``pid`` (all its threads), from /proc."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def push(name: str, store_path: Path, uri: str, rows: int, server_pid: int | None) -> int:
    """Time the four pushes, the server's ceiling and ``kg push``; the number of edges."""
    from kg.stores.neo4j_store import Neo4jStore

    graph = NetworkXStore.open(store_path, create=False).graph
    edges, nodes = graph.number_of_edges(), graph.number_of_nodes()
    with Neo4jStore(uri, rows_per_transaction=rows) as neo:
        neo.clear()
        neo.ensure_schema()
        for attempt in ("push into an empty database", "re-push (nothing to change)",
                        "push into an emptied database again (server warmed up)",
                        "re-push again"):
            if attempt.endswith("(server warmed up)"):
                neo.clear()
            server = cpu_seconds(server_pid)
            client = time.process_time()
            started = time.perf_counter()
            neo.load_networkx(graph)
            seconds = time.perf_counter() - started
            client = time.process_time() - client
            after = cpu_seconds(server_pid)
            used = f", server {after - server:.1f} s" if server is not None and after else ""
            print(f"{name}: {attempt}: {nodes} nodes, {edges} relationships in {seconds:.1f} s "
                  f"= {edges / seconds:,.0f} relationships/s ({rows} rows per transaction; "
                  f"CPU: client {client:.1f} s{used}; load average "
                  f"{os.getloadavg()[0]:.2f})", flush=True)
        assert neo.stats() == NetworkXStore(graph).stats()
        server_ceiling(name, neo, edges)
    started = time.perf_counter()
    out = kg("push", "--store", str(store_path), "--neo4j-uri", uri).stdout.splitlines()[0]
    print(f"{name}: `kg push` (process included) {time.perf_counter() - started:.1f} s: {out}")
    return edges


# The graph's own relationships copied by the server alone, with no client and no parameters:
# the rate no driver-side change can beat on this machine, printed beside the push rates.
_COPY = {
    "bare": "CALL (a, b) { CREATE (a)-[:PAPERKG_BENCH_COPY]->(b) }",
    "with the same properties": "CALL (a, b, r) { CREATE (a)-[c:PAPERKG_BENCH_COPY]->(b) "
                                "SET c = properties(r) }",
}


def server_ceiling(name: str, neo: Neo4jStore, edges: int) -> None:
    """Time the server copying every relationship (``IN TRANSACTIONS OF 10000 ROWS``)."""
    for kind, create in _COPY.items():
        with neo.driver.session(database=neo.database) as session:
            started = time.perf_counter()
            session.run("MATCH (a)-[r]->(b) WHERE type(r) IN $types "  # ours only (--uri)
                        f"{create} IN TRANSACTIONS OF 10000 ROWS",
                        types=list(EDGE_KINDS)).consume()
            seconds = time.perf_counter() - started
            session.run("MATCH ()-[c:PAPERKG_BENCH_COPY]->() CALL (c) { DELETE c } "
                        "IN TRANSACTIONS OF 10000 ROWS").consume()
        print(f"{name}: server ceiling, {kind}: the server alone creates {edges} relationships "
              f"in {seconds:.1f} s = {edges / seconds:,.0f} relationships/s (load average "
              f"{os.getloadavg()[0]:.2f})", flush=True)


def bulk_import(name: str, store_path: Path, edges: int) -> None:
    """Time the bulk path into a new database: ``kg export neo4j-csv``, then ``neo4j-admin
    database import full`` of its files (a fresh JVM each, as a user runs them)."""
    from kg.exporters.neo4j_csv import import_arguments

    with tempfile.TemporaryDirectory(prefix="paperkg-bench-import-") as scratch:
        csv, home = Path(scratch, "csv"), Path(scratch, "home")
        home.mkdir()
        started = time.perf_counter()
        kg("export", "neo4j-csv", "-o", str(csv), "--store", str(store_path))
        exported = time.perf_counter() - started
        names = sorted(p.name for p in csv.glob("*.csv"))
        started = time.perf_counter()
        subprocess.run([str(ROOT / "services" / "neo4j" / "run.sh"), "admin",
                        *import_arguments(names)], cwd=csv, check=True, capture_output=True,
                       env={**os.environ, "NEO4J_HOME": str(home)})
        imported = time.perf_counter() - started
    print(f"{name}: bulk load into a new database: kg export neo4j-csv {exported:.1f} s, "
          f"neo4j-admin database import full {imported:.1f} s = {edges / imported:,.0f} "
          f"relationships/s ({edges / (exported + imported):,.0f}/s both steps; load average "
          f"{os.getloadavg()[0]:.2f})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--uri", default=os.environ.get("NEO4J_URI"))
    parser.add_argument("--paperlists", type=Path, default=PAPERLISTS)
    parser.add_argument("--rows", type=int, default=10_000, help="rows per transaction")
    parser.add_argument("--store", type=Path, action="append", default=[],
                        help="push this store instead of building the sample and paperlists")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.store:
        stores = [(path.name, path) for path in args.store]
    else:
        stores = [("sample", store_of("sample", lambda: ROOT / "data" / "sample")),
                  (f"paperlists-{args.papers}", store_of(
                      f"paperlists-{args.papers}", lambda: first_papers(args.papers,
                                                                        args.paperlists)))]
    uri, stop, server_pid = args.uri, None, None
    if not uri:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        home = tempfile.mkdtemp(prefix="paperkg-bench-neo4j-")
        run = [str(ROOT / "services" / "neo4j" / "run.sh")]
        env = {**os.environ, "PAPERKG_NEO4J_RUN": home + "/run"}
        subprocess.run([*run, "start", "--port", str(port), "--home", home + "/db"], env=env,
                       check=True)
        uri = f"bolt://127.0.0.1:{port}"
        stop = [*run, "stop", "--port", str(port)], env
        server_pid = int(Path(home, "run", f"neo4j-{port}.pid").read_text())
    print(f"load average at the start: {os.getloadavg()[0]:.2f}", flush=True)
    try:
        for name, path in stores:
            edges = push(name, path, uri, args.rows, server_pid)
            bulk_import(name, path, edges)
    finally:
        if stop:
            subprocess.run(stop[0], env=stop[1], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
