"""The main job: read papers, extract mentions, link them, add them to a store.

``build(["pages/"], store)`` runs the stages in one direction (``DESIGN.md``). Extraction is the
only stage that imports spaCy, and it is imported here lazily so that reading a store
(``kg papers``) never pays for loading the pipeline.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from kg.collector import freezing, sparing_kept
from kg.errors import ParseError, UnknownFormatError
from kg.model import Extraction, Paper
from kg.readers import expand_paths, read_papers


@dataclass
class BuildReport:
    """What a build did: papers read, bad records skipped, and the store's counts after."""

    papers: int = 0
    files: list[str] = field(default_factory=list)
    skipped: list[ParseError] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)


_PIPELINES: dict[str, tuple] = {}


def _extractor_and_linker(pipeline: str, cache: bool) -> tuple:
    from extractors.kb import load_kb
    from extractors.pipeline import PIPELINES, Extractor, build_nlp
    from kg.link import Linker

    if pipeline not in PIPELINES:
        raise UnknownFormatError("pipeline", pipeline, PIPELINES)
    if cache and pipeline in _PIPELINES:
        return _PIPELINES[pipeline]
    statistical = pipeline == "statistical"
    built = (Extractor(build_nlp(statistical=statistical, lean=not statistical)),
             Linker(load_kb()))
    if cache:
        _PIPELINES[pipeline] = built
        # a cached pipeline lives as long as its (worker) process: the collector's full passes
        # need not walk its knowledge base and tables again (see kg.collector)
        gc.freeze()
    return built


def prepare(pipeline: str) -> None:
    """Build and keep ``pipeline`` in this process now, not on the first papers (a worker
    started while its parent still reads)."""
    _extractor_and_linker(pipeline, cache=True)


def extract_and_link(papers: Iterable[Paper], pipeline: str = "rules",
                     cache: bool = False) -> Iterator[Extraction]:
    """Extraction records for ``papers``, in order.

    ``pipeline``: ``rules`` (default) or ``statistical`` (rules plus the trained NER). With
    ``cache`` the built pipeline is kept for the next call in this process (worker processes).
    """
    extractor, linker = _extractor_and_linker(pipeline, cache)
    for found in extractor.extract(papers):
        yield linker.link(found.paper, found.mentions, found.alias_pairs)


def _expected_papers(paths: list[str | Path]) -> int:
    from kg.parallel import estimated_papers

    try:
        return estimated_papers(expand_paths(paths))
    except ParseError:  # a missing path: read_papers says so, after its own checks
        return 0


def build(paths: Iterable[str | Path], store, input_format: str | None = None,
          skip_bad: bool = False, pipeline: str = "rules", jobs: int = 1,
          engine: str = "local", scheduler: str | None = None,
          progress: bool | None = False) -> BuildReport:
    """Read every input, extract and link, add to ``store`` (not saved here).

    Reading happens first and completely, so a bad input file raises before the store changes.
    ``jobs`` > 1 extracts in that many processes (see ``kg.parallel``); the graph is the same.
    ``engine="dask"`` extracts with Dask distributed: a local cluster of ``jobs`` workers, or
    the running cluster at ``scheduler`` (``kg.dask_engine``). ``progress``: draw a progress
    line on stderr (``None``: only if stderr is a terminal; see ``kg.progress``).
    """
    from kg.parallel import early_pool, extract_parallel
    from kg.progress import Progress

    paths = list(paths)
    expected = _expected_papers(paths) if engine == "local" and scheduler is None else 0
    # the workers start while the papers are read
    with sparing_kept(), early_pool(pipeline, jobs, expected) as pool:
        result = read_papers(paths, input_format=input_format, skip_bad=skip_bad)
        records = extract_parallel(result.papers, pipeline, jobs, engine=engine,
                                   scheduler=scheduler, pool=pool)
        # closing: an error in the store also stops the workers (and a Dask cluster) at once
        with Progress(len(result.papers), enabled=progress) as bar, closing(records):
            store.add(freezing(bar.wrap(records)))
    return BuildReport(papers=len(result.papers), files=result.files, skipped=result.skipped,
                       stats=store.stats())
