"""Time to a drawn, stable whole-graph view in headless Chromium (issue 6: 5,000 nodes).

Prints, per run, the milliseconds from navigation start to the page's first drawing of its
final layout (``window.kgTimings.stable``: layout computed in Python, physics off), and the
seconds Python spent selecting the view and writing the page (layout included).

    # a store of ~3,000 paperlists abstracts (every 30th record), cut to its 5,000 most
    # connected nodes:
    python bench/html_view.py --every 30 --limit 3000 --max-nodes 5000 \\
        --papers ../shared/data/external/paperlists/paperlists_title_abstract.jsonl.gz
    python bench/html_view.py --store graph.json --max-nodes 5000     # an existing store
    python bench/html_view.py --synthetic 5000                         # no extraction at all

Not part of the test run; tests/test_export_html.py checks the same state within a bound.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from browser import headless_chromium, open_page

from kg.exporters.html import write_view
from kg.views import select_view


def synthetic(n_nodes: int, seed: int = 11) -> nx.MultiDiGraph:
    """Papers (60 %) each using one to four entities, a few of them popular (Zipf-like)."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    n_papers = n_nodes * 3 // 5
    kinds = ("Model", "Dataset", "Method", "Task", "Organization")
    edge_of = {"Task": "ADDRESSES", "Organization": "AFFILIATED_WITH"}
    entities = [f"{kinds[i % 5].lower()}:{i}" for i in range(n_nodes - n_papers)]
    for i, e in enumerate(entities):
        g.add_node(e, kind=kinds[i % 5], name=f"{kinds[i % 5]} {i}", aliases=[])
    weights = [1 / (r + 1) for r in range(len(entities))]
    for p in range(n_papers):
        g.add_node(f"paper:{p}", kind="Paper", name=f"Paper {p}", title=f"Paper {p}")
        for e in set(rng.choices(entities, weights, k=rng.randint(1, 4))):
            kind = edge_of.get(g.nodes[e]["kind"], "USES")
            g.add_edge(f"paper:{p}", e, key=kind, kind=kind, role="used", evidence=[])
    return g


def from_papers(path: Path, every: int, limit: int) -> nx.MultiDiGraph:
    """The graph of every ``every``-th well-formed record of a JSON lines file, up to ``limit``."""
    from kg.api import build_graph

    opener = gzip.open if path.suffix == ".gz" else open
    picked = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for i, line in enumerate(lines):
            if i % every:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if record.get("title") and record.get("abstract"):
                picked.append(record)
            if len(picked) == limit:
                break
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "papers.jsonl"
        sample.write_text("".join(json.dumps(r) + "\n" for r in picked), encoding="utf-8")
        return build_graph([sample]).graph


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--store", type=Path, help="a saved store")
    source.add_argument("--papers", type=Path, help="JSON lines of {title, abstract}")
    source.add_argument("--synthetic", type=int, metavar="N", help="a made-up graph of N nodes")
    parser.add_argument("--every", type=int, default=1, help="with --papers: every k-th record")
    parser.add_argument("--limit", type=int, default=3000, help="with --papers: how many")
    parser.add_argument("--max-nodes", type=int, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="also copy the page here")
    args = parser.parse_args()

    if args.store:
        from kg.api import load

        graph = load(args.store).graph
    elif args.papers:
        graph = from_papers(args.papers, args.every, args.limit)
    else:
        graph = synthetic(args.synthetic)

    with tempfile.TemporaryDirectory() as tmp:
        page = Path(args.keep or Path(tmp) / "view.html")
        started = time.perf_counter()
        view = select_view(graph, max_nodes=args.max_nodes)
        write_view(view, page)
        python_s = time.perf_counter() - started
        size_mb = page.stat().st_size / 1e6
        print(f"view: {view.note}")
        print(f"python: select + layout + write {python_s:.2f} s, page {size_mb:.1f} MB")
        stable = []
        with headless_chromium() as driver:
            for run in range(args.runs):
                result = open_page(driver, page)
                if result["errors"]:
                    print(f"console errors: {result['errors']}")
                    return 1
                stable.append(result["stable"])
                print(f"run {run + 1}: drawn and stable {result['stable']:.0f} ms after "
                      f"navigation start (script started at {result['script']:.0f} ms; "
                      f"{result['wall_s']:.2f} s seen from Selenium)")
        print(f"median: {statistics.median(stable):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
