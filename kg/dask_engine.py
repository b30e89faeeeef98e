"""Extraction over partitions with Dask distributed (``kg build --engine dask``).

Papers are cut into partitions (lists of ``Paper``); each partition is one task calling the
module-level ``_extract_partition``, which builds the spaCy pipeline and linker once per worker
process (the cache of ``kg.build._extractor_and_linker``). Nothing but the papers and the
pipeline's name travels to a worker, and the records come back as ``kg.parallel``'s workers send
them (``pack_reply``: entities and relations as marshal data, a paper only when extraction changed
it): half the bytes back, and a third less of the client's CPU time. The client yields
partition i as soon as partitions 0..i are done, so records come in input order and the store
merges them into the same graph as a single-process build.

By default a ``LocalCluster`` of ``jobs`` worker processes (one thread each, no dashboard) is
started and closed around the extraction; ``scheduler="tcp://host:8786"`` uses a running
cluster instead, whose workers must have paperkg installed. Dask is imported here only, lazily.
Workers of a local cluster are spawned, not forked: a script that builds with this engine needs
the usual ``if __name__ == "__main__":`` guard (the ``kg`` command has it).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterator, Sequence

from kg.errors import KGError, SchedulerError, WorkerError
from kg.model import Extraction, Paper
from kg.parallel import Reply, pack_reply, unpack_reply

# Papers per task at most; small inputs are cut finer so that every worker gets work.
PARTITION_SIZE = 64
PARTITIONS_PER_WORKER = 4
# Seconds to wait for a --scheduler to answer, and for it to have a worker.
CONNECT_TIMEOUT_S = 3.0

# One extraction at a time in a worker process: a worker started with several threads shares
# one pipeline between them (spaCy pipelines are not meant to be used by two threads at once).
_LOCK = threading.Lock()


__all__ = ["SchedulerError", "WorkerError", "connect", "extract_dask", "partition_size"]


def partition_size(papers: int, workers: int, most: int = PARTITION_SIZE) -> int:
    """Papers per partition: ``most``, or fewer so each worker gets a few partitions.

    >>> partition_size(10_000, 2), partition_size(199, 2), partition_size(3, 4)
    (64, 25, 1)
    """
    return max(1, min(most, math.ceil(papers / max(1, workers * PARTITIONS_PER_WORKER))))


def _extract_partition(papers: list[Paper], pipeline: str) -> Reply:
    """One task, run in a worker: the extraction records of one partition, packed."""
    from kg.build import extract_and_link

    with _LOCK:
        try:
            return pack_reply(papers, list(extract_and_link(papers, pipeline, cache=True)))
        except KGError as error:
            # every KGError now pickles (kg.errors), but a worker of a real cluster may run
            # another paperkg version than the client: only the message crosses, as WorkerError
            raise WorkerError(str(error)) from None


def _cluster(jobs: int):
    """A local cluster of ``jobs`` single-threaded worker processes, quiet, no dashboard."""
    import warnings

    from dask.distributed import LocalCluster

    with warnings.catch_warnings():
        # the scheduler's HTTP endpoints move to a free port if 8787 is taken: no need to say
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        return LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                            dashboard_address=None, silence_logs=logging.ERROR)


async def _probe(address: str, timeout: float) -> None:
    """Open a comm to ``address`` and read its handshake: raises unless a Dask server answers."""
    from distributed.comm import connect as comm_connect

    comm = await comm_connect(address, timeout=timeout)
    await comm.close()


def connect(address: str, timeout: float = CONNECT_TIMEOUT_S):
    """A client of the scheduler at ``address`` that has at least one worker, or
    ``SchedulerError`` within about ``timeout`` seconds (twice that if it has no worker)."""
    import asyncio

    from dask.distributed import Client

    expected = "a running Dask scheduler, e.g. tcp://host:8786"

    def failed(error: BaseException) -> SchedulerError:
        if isinstance(error, OSError | ValueError | TypeError):  # TimeoutError is an OSError
            reason = " ".join(str(error).split()) or type(error).__name__
        else:  # e.g. a server that is not Dask's sends bytes that do not parse
            reason = f"no Dask handshake: {type(error).__name__}"
        return SchedulerError(f"--scheduler {address}: cannot connect within {timeout:g} s; "
                              f"expected {expected} ({reason})")

    # A bare comm first: a failed Client leaves a half-made object whose __del__ blocks.
    try:
        asyncio.run(_probe(address, timeout))
    except Exception as error:
        raise failed(error) from None
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except Exception as error:
        raise failed(error) from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        client.close()
        raise SchedulerError(f"--scheduler {address}: the scheduler has no worker after "
                             f"{timeout:g} s; expected {expected} with workers") from None
    return client


def extract_dask(papers: Sequence[Paper], pipeline: str = "rules", jobs: int = 1,
                 scheduler: str | None = None,
                 partition: int | None = None) -> Iterator[Extraction]:
    """Extraction records for ``papers`` in input order, computed by Dask workers.

    ``scheduler``: the address of a running scheduler; without one, a ``LocalCluster`` of
    ``jobs`` processes is started and closed when the records are all out (or the generator
    is closed). ``partition``: papers per task (default ``partition_size(...)``).
    """
    if not papers:
        return
    import contextlib
    import uuid

    with contextlib.ExitStack() as stack:
        if scheduler:
            client = connect(scheduler)
        else:
            from dask.distributed import Client

            cluster = stack.enter_context(_cluster(jobs))
            client = Client(cluster, set_as_default=False)
        stack.enter_context(client)
        workers = max(1, sum(client.nthreads().values()))
        size = partition or partition_size(len(papers), workers)
        tag = uuid.uuid4().hex[:12]
        partitions = [list(papers[i: i + size]) for i in range(0, len(papers), size)]
        futures = [client.submit(_extract_partition, partition, pipeline,
                                 key=f"kg-extract-{tag}-{n}", pure=False)
                   for n, partition in enumerate(partitions)]
        where = f"--scheduler {scheduler}" if scheduler else "the local Dask cluster"
        try:
            for n, future in enumerate(futures):
                try:
                    reply = future.result()
                except (ModuleNotFoundError, ImportError) as error:
                    raise SchedulerError(
                        f"{where}: a worker cannot import paperkg ({error}); "
                        "expected workers started in an environment with paperkg installed"
                    ) from None
                futures[n] = None  # let the scheduler forget it; the client holds one partition
                future.release()
                yield from unpack_reply(partitions[n], reply)
        finally:
            for future in futures:
                if future is not None:
                    future.cancel()
