"""Extraction over several processes on one machine.

Each worker builds its spaCy pipeline and linker once (``_start_worker``), then turns chunks of
papers into extraction records; the parent keeps the input order, so a parallel build adds the
same records in the same order as a single-process one and yields the same graph.
``extract_parallel(..., engine="dask")`` hands the same work to Dask instead (``kg.dask_engine``).
"""

from __future__ import annotations

import contextlib
import marshal
import math
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from dataclasses import fields
from multiprocessing.pool import Pool
from operator import attrgetter
from pathlib import Path

from kg.errors import EngineError, UnknownFormatError, WorkerError
from kg.model import Entity, Evidence, Extraction, Paper, Relation
from kg.readers import is_gzip

ENGINES = ("local", "dask")

# Starting a worker costs about a second (the pipeline and knowledge base load); below this many
# papers per worker, fewer workers finish sooner.
MIN_PAPERS_PER_JOB = 250
CHUNK_SIZE = 64

_worker = None


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_worker(pipeline: str, build_now: bool = False) -> None:
    """``build_now``: build the pipeline at once, not on the first chunk (see ``early_pool``)."""
    global _worker
    from kg.build import extract_and_link, prepare

    _worker = (extract_and_link, pipeline)
    if build_now:
        # an error here would only make the pool start worker after worker; the first chunk
        # builds again and sends the error to the parent
        with contextlib.suppress(Exception):
            prepare(pipeline)


def _process_context():
    # fork where there is one: the parent has not loaded spaCy yet, and workers start faster.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def estimated_papers(paths: Sequence[Path]) -> int:
    """About how many papers files of this size hold (2 kB a paper, 500 bytes gzipped)."""
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            with path.open("rb") as handle:
                gzipped = is_gzip(handle.read(2))
            total += path.stat().st_size * (4 if gzipped else 1)
    return total // 2000


@contextlib.contextmanager
def early_pool(pipeline: str, jobs: int, papers_expected: int,
               min_per_job: int = MIN_PAPERS_PER_JOB) -> Iterator[Pool | None]:
    """A pool of ``jobs`` workers that build their pipelines now, while the caller reads the
    papers on one core and leaves the other idle; ``None`` when fewer workers would do.

    Reading the 87,691 paperlists papers takes about 8 s, and a worker's start-up 2.4 s.
    """
    if jobs_for(papers_expected, jobs, min_per_job) < jobs or jobs <= 1:
        yield None
        return
    with _process_context().Pool(jobs, initializer=_start_worker,
                                 initargs=(pipeline, True)) as pool:
        yield pool


# What a worker sends back for a chunk of papers (a pool's chunk, a Dask partition): per paper,
# the paper only if extraction changed it (cited ids found), else None (the parent holds it, and
# its abstract is most of a record's bytes); and every paper's entities and relations, packed by
# _pack.
Reply = tuple[list[Paper | None], bytes]


def _extract_chunk(chunk: list[Paper]) -> Reply:
    assert _worker is not None, "worker not started"
    function, pipeline = _worker
    return pack_reply(chunk, list(function(chunk, pipeline, cache=True)))


def pack_reply(chunk: Sequence[Paper], records: Sequence[Extraction]) -> Reply:
    """The records of ``chunk`` as a worker sends them back (``unpack_reply`` reads them)."""
    return ([record.paper if record.paper != paper else None
             for paper, record in zip(chunk, records, strict=True)], _pack(records))


def unpack_reply(chunk: Sequence[Paper], reply: Reply) -> Iterator[Extraction]:
    """The records of ``chunk`` from what ``pack_reply`` made of them, in order."""
    changed, packed = reply
    for paper, new_paper, (entities, relations) in zip(chunk, changed, _unpack(packed),
                                                        strict=True):
        yield Extraction(new_paper or paper, entities, relations)


# Entities and relations cross from a worker to the parent as marshal data: tuples of their
# fields, read by attrgetter. Pickled as objects, each cost a Python __reduce__ call in the
# worker and a longer unpickling in the parent: 3% of two workers' throughput. The field names
# go first: a worker of a Dask cluster may run another paperkg whose fields differ.
_ENTITY_NAMES = tuple(f.name for f in fields(Entity))
_RELATION_NAMES = tuple(f.name for f in fields(Relation))
_EVIDENCE_NAMES = tuple(f.name for f in fields(Evidence))
_LAYOUT = (_ENTITY_NAMES, _RELATION_NAMES, _EVIDENCE_NAMES)
_ENTITY_FIELDS = attrgetter(*_ENTITY_NAMES)
_EVIDENCE_AT = _RELATION_NAMES.index("evidence")
_RELATION_FIELDS = attrgetter(*(name for name in _RELATION_NAMES if name != "evidence"))
_EVIDENCE_FIELDS = attrgetter(*_EVIDENCE_NAMES)


def _pack(records: Sequence[Extraction]) -> bytes:
    return marshal.dumps((_LAYOUT, [
        ([_ENTITY_FIELDS(entity) for entity in record.entities],
         [(_RELATION_FIELDS(relation), [_EVIDENCE_FIELDS(e) for e in relation.evidence])
          for relation in record.relations])
        for record in records]))


def _unpack(data: bytes) -> list[tuple[tuple[Entity, ...], tuple[Relation, ...]]]:
    """What ``_pack`` packed: each record's entities and relations."""
    layout, records = marshal.loads(data)
    if layout != _LAYOUT:
        raise WorkerError("a worker sent records whose fields differ from this paperkg's "
                          f"({layout} against {_LAYOUT}); expected workers that run the same "
                          "paperkg version")
    return [(tuple(Entity(*values) for values in entities),
             tuple(_relation(values, evidence) for values, evidence in relations))
            for entities, relations in records]


def _relation(values: tuple, evidence: list[tuple]) -> Relation:
    arguments = list(values)
    arguments.insert(_EVIDENCE_AT, tuple(Evidence(*e) for e in evidence))
    return Relation(*arguments)


def jobs_for(papers: int, jobs: int, min_per_job: int = MIN_PAPERS_PER_JOB) -> int:
    """How many workers are worth starting for ``papers`` papers, at most ``jobs``.

    >>> jobs_for(199, 2), jobs_for(10_000, 2), jobs_for(600, 8)
    (1, 2, 3)
    """
    return max(1, min(jobs, math.ceil(papers / max(1, min_per_job)) if min_per_job else jobs))


def extract_parallel(papers: Sequence[Paper], pipeline: str = "rules", jobs: int = 1,
                     min_per_job: int = MIN_PAPERS_PER_JOB, engine: str = "local",
                     scheduler: str | None = None, pool: Pool | None = None
                     ) -> Iterator[Extraction]:
    """Extraction records for ``papers`` in input order, using up to ``jobs`` processes.

    ``engine``: ``local`` (a process pool on this machine, below) or ``dask`` (Dask distributed,
    ``kg.dask_engine``: a local cluster of ``jobs`` workers, or the running one at
    ``scheduler``). Every engine gives the same records in the same order. ``pool``: the
    workers of ``early_pool`` for ``pipeline``, used whatever their number; the caller
    closes it.
    """
    from kg.build import extract_and_link

    if engine not in ENGINES:
        raise UnknownFormatError("engine", engine, ENGINES)
    if scheduler and engine != "dask":
        raise EngineError(f"--scheduler {scheduler} needs engine dask, not {engine!r}")
    if engine == "dask":
        from kg.dask_engine import extract_dask

        yield from extract_dask(papers, pipeline, jobs, scheduler=scheduler)
        return

    if pool is not None:
        yield from _records(papers, pool)
        return
    workers = jobs_for(len(papers), jobs, min_per_job)
    if workers <= 1:
        yield from extract_and_link(papers, pipeline)
        return
    with _process_context().Pool(workers, initializer=_start_worker,
                                 initargs=(pipeline,)) as own_pool:
        yield from _records(papers, own_pool)


def _records(papers: Sequence[Paper], pool: Pool) -> Iterator[Extraction]:
    chunks = [list(papers[i: i + CHUNK_SIZE]) for i in range(0, len(papers), CHUNK_SIZE)]
    for chunk, reply in zip(chunks, pool.imap(_extract_chunk, chunks), strict=True):
        yield from unpack_reply(chunk, reply)
