"""Load rate of the Neo4j store: relationships per second for ``kg push``.

    .venv/bin/python bench/neo4j_load.py [--papers 10000] [--uri bolt://...]

Builds NetworkX stores with ``kg build`` (cached in exports/bench/) for the bundled sample and
for the first N papers of ../shared/data/external/paperlists/, then times ``kg push`` of each
into an empty database three times: the first push writes everything, the second finds
everything in place and writes nothing (the re-run cost), the third writes everything again
after the database is emptied, with the server's JIT and query plans warm. Uses the server at
--uri / NEO4J_URI, or starts services/neo4j on a free port with a temporary home and stops it
at the end. Not part of the test run: the 10,000-paper build extracts for a minute or more.
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


def push(name: str, store_path: Path, uri: str) -> None:
    from kg.stores.neo4j_store import Neo4jStore
    from kg.stores.networkx_store import NetworkXStore

    graph = NetworkXStore.open(store_path, create=False).graph
    edges, nodes = graph.number_of_edges(), graph.number_of_nodes()
    with Neo4jStore(uri) as neo:
        neo.clear()
        neo.ensure_schema()
        for attempt in ("push into an empty database", "re-push (nothing to change)",
                        "push into an emptied database again (server warmed up)"):
            if attempt.endswith("(server warmed up)"):
                neo.clear()
            started = time.perf_counter()
            neo.load_networkx(graph)
            seconds = time.perf_counter() - started
            print(f"{name}: {attempt}: {nodes} nodes, {edges} relationships in {seconds:.1f} s "
                  f"= {edges / seconds:,.0f} relationships/s", flush=True)
        assert neo.stats() == NetworkXStore(graph).stats()
    started = time.perf_counter()
    out = kg("push", "--store", str(store_path), "--neo4j-uri", uri).stdout.splitlines()[0]
    print(f"{name}: `kg push` (process included) {time.perf_counter() - started:.1f} s: {out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--uri", default=os.environ.get("NEO4J_URI"))
    parser.add_argument("--paperlists", type=Path, default=PAPERLISTS)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    stores = [("sample", store_of("sample", lambda: ROOT / "data" / "sample")),
              (f"paperlists-{args.papers}", store_of(
                  f"paperlists-{args.papers}", lambda: first_papers(args.papers,
                                                                    args.paperlists)))]
    uri, stop = args.uri, None
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
    try:
        for name, path in stores:
            push(name, path, uri)
    finally:
        if stop:
            subprocess.run(stop[0], env=stop[1], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
