"""The ``kg`` command: build, extract, query and export paper knowledge graphs.

Every command that reads the graph takes ``--store FILE``. Errors print one line naming the
file, line and what was expected, and exit with status 2; the store is left as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kg.errors import KGError, ParseError

if TYPE_CHECKING:
    import networkx as nx

    from kg.stores.index import StoreIndex

T = TypeVar("T")
DEFAULT_STORE = "paperkg-store.json"
EXIT_ERROR = 2


def _store_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=DEFAULT_STORE, metavar="FILE",
                        help=f"the graph file (default: {DEFAULT_STORE})")


def _backend_args(parser: argparse.ArgumentParser, choose: bool = True) -> None:
    """``--backend`` and the Neo4j connection (each also from NEO4J_URI, _USER, _PASSWORD,
    _DATABASE)."""
    if choose:
        parser.add_argument("--backend", choices=["networkx", "neo4j"], default="networkx",
                            help="networkx: the --store file (default); neo4j: a Neo4j server")
    parser.add_argument("--neo4j-uri", default=None, metavar="URI",
                        help="e.g. bolt://127.0.0.1:7687 (default: $NEO4J_URI)")
    parser.add_argument("--neo4j-user", default=None, help="(default: $NEO4J_USER or neo4j)")
    parser.add_argument("--neo4j-password", default=None,
                        help="(default: $NEO4J_PASSWORD; none means no authentication)")
    parser.add_argument("--neo4j-database", default=None,
                        help="(default: $NEO4J_DATABASE or the server's default)")


def _neo4j(args: argparse.Namespace):
    from kg.stores import open_store

    store = open_store("neo4j", uri=args.neo4j_uri, user=args.neo4j_user,
                       password=args.neo4j_password, database=args.neo4j_database)
    try:
        store.verify()  # fail at once, not after the driver's 30 s of retries
    except KGError:
        store.close()
        raise
    return store


def _input_args(parser: argparse.ArgumentParser) -> None:
    from kg.readers import formats

    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="files or directories of papers (gzip is read directly)")
    parser.add_argument("--input-format", choices=formats(), default=None,
                        help="skip sniffing and read every input as this format")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="extraction processes (default: all cores; small inputs use one)")
    parser.add_argument("--pipeline", choices=["rules", "statistical"], default="rules",
                        help="rules (default, fast) or statistical (rules plus the trained NER)")
    parser.add_argument("--skip-bad", action="store_true",
                        help="skip records that cannot be parsed and report them at the end")
    parser.add_argument("--engine", choices=["local", "dask"], default=None,
                        help="local: a process pool on this machine (default); dask: Dask "
                             "distributed, a local cluster of --jobs workers or --scheduler")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="a running Dask scheduler, e.g. tcp://host:8786 (implies --engine "
                             "dask; its workers need paperkg installed)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="papers done, papers/s and ETA on stderr (default: only when "
                             "stderr is a terminal)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kg", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="read papers, extract, link and add them to a store")
    _input_args(p)
    _store_arg(p)
    _backend_args(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("extract", help="print the extraction of each paper (the contract)")
    _input_args(p)
    p.add_argument("--format", choices=["jsonl"], default="jsonl")
    p.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("papers", help="papers linked to entities (all filters must hold)")
    for etype in ("dataset", "model", "method", "task", "org", "link"):
        p.add_argument(f"--{etype}", action="append", default=[], metavar="NAME")
    p.add_argument("--role", choices=["proposed", "used"], default=None)
    p.add_argument("--json", action="store_true")
    _store_arg(p)
    _backend_args(p)
    p.set_defaults(func=cmd_papers)

    p = sub.add_parser("entity", help="an entity, its aliases and its papers")
    p.add_argument("name")
    p.add_argument("--type", choices=["model", "dataset", "method", "task", "organization",
                                      "link"], default=None)
    p.add_argument("--json", action="store_true")
    _store_arg(p)
    _backend_args(p)
    p.set_defaults(func=cmd_entity)

    p = sub.add_parser("stats", help="counts per node kind and edge kind")
    p.add_argument("--json", action="store_true")
    _store_arg(p)
    _backend_args(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("push", help="load a saved store into Neo4j (merging, idempotent)")
    _store_arg(p)
    _backend_args(p, choose=False)
    p.set_defaults(func=cmd_push)

    p = sub.add_parser("pull", help="save the graph in Neo4j as a store file (replacing it)")
    _store_arg(p)
    _backend_args(p, choose=False)
    p.set_defaults(func=cmd_pull)

    p = sub.add_parser("export", help="write the graph as turtle, jsonld, nt, graphml, html, "
                                      "jsonl")
    p.add_argument("format")
    p.add_argument("-o", "--output", required=True, metavar="PATH")
    p.add_argument("--no-validate", action="store_true",
                   help="turtle, jsonld, nt: skip the SHACL check (schemas/shapes.ttl), which "
                        "takes longer than writing on a large graph")
    _view_args(p, "html only: ")
    _store_arg(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("view", help="write a focused, interactive HTML view of the graph")
    _view_args(p)
    p.add_argument("-o", "--output", required=True, metavar="PATH")
    _store_arg(p)
    p.set_defaults(func=cmd_view)
    from kg.evaluation.cli import add_eval_command

    add_eval_command(sub)
    return parser


def _view_args(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """The focus options of ``kg view`` (and of ``kg export html``); see kg/views.py."""
    parser.add_argument("--entity", metavar="NAME",
                        help=f"{prefix}an entity (any alias), its papers and what they share")
    parser.add_argument("--paper", metavar="TITLE-OR-ID",
                        help=f"{prefix}a paper and what it proposes, uses and links to")
    parser.add_argument("--hops", type=int, choices=[1, 2], default=1,
                        help=f"{prefix}with --entity: 2 adds every entity of its papers; with "
                             "--paper: 2 adds papers sharing two of its entities (default: 1)")
    parser.add_argument("--type", dest="types", metavar="TYPE,...",
                        help=f"{prefix}keep papers and these entity types, e.g. dataset,model")
    parser.add_argument("--min-papers", type=int, metavar="N",
                        help=f"{prefix}hide entities linked to fewer than N papers")
    parser.add_argument("--max-nodes", type=int, metavar="N",
                        help=f"{prefix}keep the N most connected nodes")


def _view_asked(args: argparse.Namespace) -> bool:
    return any(getattr(args, k) is not None for k in
               ("entity", "paper", "types", "min_papers", "max_nodes")) or args.hops != 1


def _write_view(args: argparse.Namespace, graph: nx.MultiDiGraph) -> int:
    """Select the view the options describe and write it as one HTML page."""
    from kg.exporters.html import write_view
    from kg.views import select_view

    view = select_view(graph, entity=args.entity, paper=args.paper, hops=args.hops,
                       types=args.types, min_papers=args.min_papers, max_nodes=args.max_nodes)
    path = Path(args.output)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_view(view, path)
    print(f"wrote {path}: {view.title}")
    print(f"  {view.note}")
    return 0


def _report_skipped(skipped: Sequence[ParseError]) -> None:
    if skipped:
        print(f"skipped {len(skipped)} bad record(s):", file=sys.stderr)
        for error in skipped:
            print(f"  {error}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from kg.build import build
    from kg.stores.networkx_store import NetworkXStore

    if args.backend == "neo4j":
        with _neo4j(args) as store:
            report = build(args.inputs, store, input_format=args.input_format,
                           skip_bad=args.skip_bad, pipeline=args.pipeline, jobs=args.jobs,
                           engine=args.engine or ("dask" if args.scheduler else "local"),
                           scheduler=args.scheduler, progress=args.progress)
        target = store.uri
    else:
        store = NetworkXStore.open(args.store)
        report = build(args.inputs, store, input_format=args.input_format,
                       skip_bad=args.skip_bad, pipeline=args.pipeline, jobs=args.jobs,
                       engine=args.engine or ("dask" if args.scheduler else "local"),
                       scheduler=args.scheduler, progress=args.progress)
        store.save()
        target = args.store
    print(f"read {report.papers} papers from {len(report.files)} file(s) into {target}")
    _print_stats(report.stats)
    _report_skipped(report.skipped)
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from kg.build import build
    from kg.exporters.jsonl import write_records
    from kg.stores.networkx_store import NetworkXStore

    store = NetworkXStore()
    report = build(args.inputs, store, input_format=args.input_format, skip_bad=args.skip_bad,
                   pipeline=args.pipeline, jobs=args.jobs,
                   engine=args.engine or ("dask" if args.scheduler else "local"),
                   scheduler=args.scheduler, progress=args.progress)
    if args.output == "-":
        write_records(store.graph, sys.stdout)
    else:
        from kg.atomic import atomic_write

        with atomic_write(args.output) as handle:
            write_records(store.graph, handle)
    _report_skipped(report.skipped)
    return 0


def _open_existing(args: argparse.Namespace):
    from kg.stores.networkx_store import NetworkXStore

    if getattr(args, "backend", "networkx") == "neo4j":
        return _neo4j(args)
    return NetworkXStore.open(args.store, create=False)


def _indexed(args: argparse.Namespace, ask: Callable[[StoreIndex], T]) -> T | None:
    """``ask``'s answer from the store's query index, or None when there is no up-to-date
    index (or the store is not a file), so the caller loads the graph instead."""
    if getattr(args, "backend", "networkx") != "networkx":
        return None
    from kg.stores.index import open_index

    index = open_index(args.store)
    if index is None:
        return None
    try:
        return ask(index)
    finally:
        index.close()


def cmd_papers(args: argparse.Namespace) -> int:
    from kg.query import papers

    filters = [(t if t != "org" else "organization", name)
               for t in ("dataset", "model", "method", "task", "org", "link")
               for name in getattr(args, t)]
    if not filters:
        raise KGError("kg papers: name at least one of --dataset, --model, --method, --task, "
                      "--org, --link")
    hits = _indexed(args, lambda index: index.papers(filters, role=args.role))
    if hits is None:
        store = _open_existing(args)
        if store.backend == "neo4j":
            with store:
                hits = store.papers(filters, role=args.role)
        else:
            hits = papers(store.graph, filters, role=args.role)
    if args.json:
        print(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=1))
        return 0
    asked = " and ".join(f"{t} {n!r}" for t, n in filters)
    print(f"{len(hits)} paper(s) linked to {asked}{f' ({args.role})' if args.role else ''}:")
    for hit in hits:
        roles = ", ".join(sorted(set(hit.roles.values())))
        print(f"  {hit.date or '----------'}  {hit.title}  [{roles}]")
    return 0


def cmd_entity(args: argparse.Namespace) -> int:
    from kg.query import entity

    info = _indexed(args, lambda index: index.entity(args.name, args.type))
    if info is None:
        store = _open_existing(args)
        if store.backend == "neo4j":
            with store:
                info = store.entity(args.name, args.type)
        else:
            info = entity(store.graph, args.name, args.type)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
        return 0
    print(f"{info['name']}  ({info['type']}, {info['id']})")
    if info["aliases"]:
        print(f"  aliases: {', '.join(info['aliases'])}")
    for rel in info["related"]:
        print(f"  {rel['relation']}: {rel['name']}")
    print(f"  {len(info['papers'])} paper(s):")
    for paper in info["papers"]:
        print(f"    [{paper['role']}] {paper['title']}")
        if paper["evidence"]:
            print(f"        \u201c{paper['evidence'][0][:160]}\u201d")
    return 0


def _print_stats(stats: dict[str, dict[str, int]]) -> None:
    for section in ("nodes", "edges"):
        counts = stats[section]
        total = sum(counts.values())
        print(f"{section}: {total}")
        for kind, count in counts.items():
            print(f"  {kind:16} {count:7}")


def cmd_stats(args: argparse.Namespace) -> int:
    stats = _indexed(args, lambda index: index.stats())
    if stats is None:
        store = _open_existing(args)
        stats = store.stats()
        if store.backend == "neo4j":
            store.close()
    if args.json:
        print(json.dumps(stats, indent=1))
    else:
        _print_stats(stats)
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    import time

    from kg.stores.networkx_store import NetworkXStore

    graph = NetworkXStore.open(args.store, create=False).graph
    started = time.perf_counter()
    with _neo4j(args) as store:
        store.load_networkx(graph)
        stats = store.stats()
    seconds = time.perf_counter() - started
    edges = graph.number_of_edges()
    print(f"pushed {graph.number_of_nodes()} nodes and {edges} relationships from {args.store} "
          f"to {store.uri} in {seconds:.1f} s ({edges / max(seconds, 1e-9):.0f} relationships/s)")
    _print_stats(stats)
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from kg.stores.networkx_store import NetworkXStore

    with _neo4j(args) as store:
        graph = store.to_networkx()
    path = NetworkXStore(graph).save(args.store)
    print(f"pulled {graph.number_of_nodes()} nodes and {graph.number_of_edges()} relationships "
          f"from {store.uri} into {path}")
    return 0


def cmd_view(args: argparse.Namespace) -> int:
    return _write_view(args, _open_existing(args).graph)


def cmd_export(args: argparse.Namespace) -> int:
    from kg.exporters import export, get_writer

    get_writer(args.format)  # an unknown format fails before the store is read
    if args.format == "html":
        return _write_view(args, _open_existing(args).graph)
    if _view_asked(args):
        raise KGError(f"--entity, --paper, --hops, --type, --min-papers and --max-nodes shape "
                      f"an html view; the {args.format} export writes the whole graph")
    if args.no_validate:
        from kg.exporters.rdf import RDFLIB_FORMAT, write_rdf

        if args.format not in RDFLIB_FORMAT:
            raise KGError(f"--no-validate is for the RDF formats ({', '.join(RDFLIB_FORMAT)}); "
                          f"the {args.format} export has no SHACL check")
        path = Path(args.output)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_rdf(_open_existing(args).graph, path, args.format, check=False)
    else:
        path = export(_open_existing(args).graph, args.format, Path(args.output))
    print(f"wrote {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if getattr(args, "jobs", 0) is None:
        from kg.parallel import default_jobs

        args.jobs = default_jobs()
    try:
        return args.func(args)
    except KGError as error:
        print(f"kg: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return 0


def run() -> None:
    """The ``kg`` console script: ``main()``, then exit without tearing the process down.

    Freeing a built or loaded graph object by object at exit took 3-4 s after a 95,097-paper
    build, and nothing needs it: by the time ``main`` returns, every file is written and
    closed, every worker pool, cluster and driver closed. The output streams are flushed
    first. An uncaught exception leaves the ordinary way, with its traceback.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
