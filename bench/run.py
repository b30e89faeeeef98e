"""Throughput and memory of paperkg, with the baselines beside them (issue 5, part 1).

    .venv/bin/python bench/run.py                      # the full set (what `make bench` runs)
    .venv/bin/python bench/run.py --quick              # about a minute: 200 abstracts, a 1k build
    .venv/bin/python bench/run.py --sizes 1000,10000 --stages build,query
    .venv/bin/python bench/run.py --compare bench/results/OLD.json   # previous figures beside

Stages (``--stages``, default all), every one timed in a fresh process of its own so that peak
RSS (``ru_maxrss`` of that process and the processes it waited for, from ``os.wait4``) never
carries over from one row to the next:

* extraction throughput on the same first N paperlists abstracts (``--extract-papers``):
  ``regex``        one compiled regex (URLs, capitalised and acronym tokens): the ceiling;
  ``spacy``        the baseline: spaCy's en_core_web_sm architecture (tok2vec shared by tagger
                   and parser, ner with a tok2vec of its own, the model's label sets) built from
                   ``spacy.blank("en")`` and ``nlp.initialize()`` with random weights: nothing
                   can be downloaded here, and the compute does not depend on the weights;
  ``rules``        ``Extractor().extract`` (the default pipeline, one process, no linking);
  ``statistical``  ``Extractor(build_nlp(statistical=True)).extract``;
  ``parallel``     ``kg.parallel.extract_parallel`` (extraction and linking) with 1 and with
                   ``--jobs`` processes, pipeline start-up included (it is what a build pays);
  ``dask``         ``kg.dask_engine.extract_dask`` (``kg build --engine dask``): a Dask
                   ``LocalCluster`` of ``--jobs`` worker processes, cluster and pipeline
                   start-up and shut-down included;
  ``sustained``    what ``--jobs`` processes keep up over a long input (the issue's "on 2
                   cores"): ``kg.parallel`` workers extract and link the first fifth of
                   ``--sustained-papers`` abstracts (start-up, cold token caches), then the
                   rest is timed; its baseline is the 2,000/s target, not spacy-sm's one process;
  ``dask-sustained`` the same with Dask: a ``LocalCluster`` of ``--jobs`` workers started
                   first and reached by its address, as ``kg build --engine dask --scheduler
                   ADDRESS`` reaches a real cluster (each part connects a client: timed);
* ``build``: ``kg build`` of the first 1k, 10k, 30k and all paperlists papers that have an
  abstract (``--sizes``), read from gzip JSON lines, extracted, linked and saved; one process
  tree each, from interpreter start to exit;
* ``query``: ``kg papers --dataset ImageNet --store FILE`` on each store built, load included.

Extraction seconds leave out reading the papers and building the pipeline (reported apart as
``setup_s`` in the JSON), except in the ``parallel`` and ``dask`` rows. The table goes to stdout
and the figures to ``bench/results/<git short sha>.json`` (``--out``); progress goes to stderr.
Timings depend on what else the machine runs: the load average is recorded with them. Not part
of the test run (``tests/test_bench.py`` only checks the shape of the output on a few papers).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gzip
import hashlib
import importlib.metadata
import itertools
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAPERLISTS = Path("paperlists") / "paperlists_title_abstract.jsonl.gz"
RESULTS = ROOT / "bench" / "results"

EXTRACTION = ("regex", "spacy", "rules", "statistical", "parallel", "dask", "sustained",
              "dask-sustained")
SUSTAINED = ("sustained", "dask-sustained")  # on the long input, against the 2,000/s target
STAGES = (*EXTRACTION, "build", "query")
DEFAULT_SIZES = "1000,10000,30000,all"
DEFAULT_SUSTAINED_PAPERS = 10_000
QUICK = {"sizes": "1000", "extract_papers": 200, "sustained_papers": 1000}
QUERY_DATASET = "ImageNet"

# The targets, used as the baseline of the build and query rows.
TARGET_BUILD_PAPERS, TARGET_BUILD_SECONDS, TARGET_RSS_MB = 87_691, 120.0, 2048
TARGET_QUERY_SECONDS = 1.0
TARGET_EXTRACT_PER_S, TARGET_VS_SPACY = 2000, 100

# The ceiling: URLs, and tokens that start with a capital (names, acronyms, "GPT-4", "BERT").
CEILING_REGEX = r"https?://[^\s<>()\[\]{}\"',;]+|\b[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*"

# en_core_web_sm 3.x: its pipeline architecture and label sets (tagger 50, parser 45, ner 18).
SM_TAGS = ("$ '' , -LRB- -RRB- . : ADD AFX CC CD DT EX FW HYPH IN JJ JJR JJS LS MD NFP NN NNP "
           "NNPS NNS PDT POS PRP PRP$ RB RBR RBS RP SYM TO UH VB VBD VBG VBN VBP VBZ WDT WP WP$ "
           "WRB XX _SP ``")
SM_DEPS = ("ROOT acl acomp advcl advmod agent amod appos attr aux auxpass case cc ccomp compound "
           "conj csubj csubjpass dative dep det dobj expl intj mark meta neg nmod npadvmod nsubj "
           "nsubjpass nummod oprd parataxis pcomp pobj poss preconj predet prep prt punct "
           "quantmod relcl xcomp")
SM_ENTS = ("CARDINAL DATE EVENT FAC GPE LANGUAGE LAW LOC MONEY NORP ORDINAL ORG PERCENT PERSON "
           "PRODUCT QUANTITY TIME WORK_OF_ART")
SPACY_NOTE = ("spacy-sm: en_core_web_sm's architecture and labels (tok2vec shared by tagger and "
              "parser, ner with its own), random weights from nlp.initialize(): the same "
              "compute as the released model, which cannot be downloaded here.")


# -- the measuring child ------------------------------------------------------------------------

def _tok2vec(width: int, attrs: list[str], rows: list[int]) -> dict[str, Any]:
    return {"@architectures": "spacy.Tok2Vec.v2",
            "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": width,
                      "attrs": attrs, "rows": rows, "include_static_vectors": False},
            "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": width,
                       "depth": 4, "window_size": 1, "maxout_pieces": 3}}


def sm_like_nlp():
    """A pipeline with en_core_web_sm's components, architecture and labels, random weights.

    Tagger and parser listen to the shared ``tok2vec``; ``ner`` has a tok2vec of its own, as in
    the released model. (Its rule-based attribute_ruler and lemmatizer are left out: they need
    the model's data, and cost little beside the networks.)
    """
    import spacy

    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "tok2vec"}

    def parser_model(state_type: str, tok2vec: dict[str, Any]) -> dict[str, Any]:
        return {"@architectures": "spacy.TransitionBasedParser.v2", "state_type": state_type,
                "extra_state_tokens": False, "hidden_width": 64, "maxout_pieces": 2,
                "use_upper": True, "nO": None, "tok2vec": tok2vec}

    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec", config={"model": _tok2vec(
        96, ["NORM", "PREFIX", "SUFFIX", "SHAPE", "SPACY", "IS_SPACE"],
        [5000, 1000, 2500, 2500, 50, 50])})
    tagger = nlp.add_pipe("tagger", config={"model": {
        "@architectures": "spacy.Tagger.v2", "nO": None, "normalize": False,
        "tok2vec": listener}})
    parser = nlp.add_pipe("parser", config={"model": parser_model("parser", listener)})
    ner = nlp.add_pipe("ner", config={"model": parser_model("ner", _tok2vec(
        96, ["NORM", "PREFIX", "SUFFIX", "SHAPE"], [5000, 1000, 2500, 2500]))})
    for pipe, labels in ((tagger, SM_TAGS), (parser, SM_DEPS), (ner, SM_ENTS)):
        for label in labels.split():
            pipe.add_label(label)
    nlp.initialize()
    return nlp


def _vm_hwm_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(stage: str, source: Path, jobs: int, repeat: int) -> dict[str, Any]:
    """Time one extraction stage on the papers of ``source``, in this (fresh) process."""
    from kg.readers import read_papers

    papers = read_papers([source]).papers
    texts = [p.text for p in papers]
    out: dict[str, Any] = {"papers": len(papers)}
    best = float("inf")
    started = time.perf_counter()

    if stage == "regex":
        pattern = re.compile(CEILING_REGEX)
        out["setup_s"] = time.perf_counter() - started
        passes, elapsed, found = 0, 0.0, 0
        while passes < repeat or elapsed < 1.0:  # a pass over 1k texts takes ~0.1 s: repeat it
            begin = time.perf_counter()
            found = sum(len(pattern.findall(text)) for text in texts)
            took = time.perf_counter() - begin
            best, elapsed, passes = min(best, took), elapsed + took, passes + 1
        out.update(matches=found, passes=passes)
    elif stage == "spacy":
        nlp = sm_like_nlp()
        out["setup_s"] = time.perf_counter() - started
        for _ in range(repeat):
            begin = time.perf_counter()
            tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=256))
            best = min(best, time.perf_counter() - begin)
        out.update(tokens=tokens, pipeline=nlp.pipe_names)
    elif stage in ("rules", "statistical"):
        from extractors.pipeline import Extractor, build_nlp

        extractor = Extractor(build_nlp(statistical=stage == "statistical",
                                        lean=stage != "statistical"))
        out["setup_s"] = time.perf_counter() - started
        for _ in range(repeat):
            begin = time.perf_counter()
            mentions = sum(len(found.mentions) for found in extractor.extract(papers))
            best = min(best, time.perf_counter() - begin)
        out.update(mentions=mentions, pipeline=extractor.nlp.pipe_names)
    elif stage == "parallel":
        from kg.parallel import extract_parallel, jobs_for

        out["setup_s"] = 0.0  # inside the timing: every worker builds its pipeline
        for _ in range(repeat):
            begin = time.perf_counter()
            # min_per_job=0: really use ``jobs`` processes, however few the papers
            records = list(extract_parallel(papers, "rules", jobs, min_per_job=0))
            best = min(best, time.perf_counter() - begin)
        out.update(workers=jobs_for(len(papers), jobs, 0),
                   relations=sum(len(r.relations) for r in records))
    elif stage == "dask":
        from kg.dask_engine import extract_dask

        out["setup_s"] = 0.0  # inside the timing: the cluster starts, every worker loads
        for _ in range(repeat):
            begin = time.perf_counter()
            records = list(extract_dask(papers, "rules", jobs))  # its own LocalCluster
            best = min(best, time.perf_counter() - begin)
        out.update(workers=jobs, relations=sum(len(r.relations) for r in records))
    elif stage in SUSTAINED:
        out.update(_measure_sustained(papers, jobs, "dask" if stage == "dask-sustained"
                                      else "local"))
        best = out.pop("seconds")
    else:
        raise SystemExit(f"unknown extraction stage {stage!r}")

    out["seconds"] = best
    out["peak_rss_self_mb"] = _vm_hwm_mb()
    out["peak_rss_workers_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return out


def _measure_sustained(papers: list, jobs: int, engine: str) -> dict[str, Any]:
    """Extract and link the first fifth of ``papers`` untimed (workers start, caches fill),
    then time the rest on the same workers."""
    warm = len(papers) // 5
    started = time.perf_counter()
    with _sustained_workers(engine, jobs, len(papers)) as (records, workers):
        sum(1 for _ in records(papers[:warm]))
        begin = time.perf_counter()
        relations = sum(len(r.relations) for r in records(papers[warm:]))
        seconds = time.perf_counter() - begin
    return {"papers": len(papers) - warm, "warm_up_papers": warm, "seconds": seconds,
            "setup_s": begin - started, "workers": workers, "relations": relations}


@contextlib.contextmanager
def _sustained_workers(engine: str, jobs: int, papers: int):
    """``(records, workers)``: ``records(papers)`` extracts and links on workers kept between
    calls."""
    from kg.build import extract_and_link
    from kg.parallel import early_pool, extract_parallel

    if engine == "dask":
        from kg.dask_engine import _cluster, extract_dask

        with _cluster(jobs) as cluster:
            yield partial(extract_dask, scheduler=cluster.scheduler_address), jobs
        return
    with early_pool("rules", jobs, papers, min_per_job=0) as pool:
        if pool is None:  # one process: this one, its pipeline kept between the parts
            yield partial(extract_and_link, cache=True), 1
        else:
            yield partial(extract_parallel, pool=pool), jobs


# -- the parent: data, child processes, rows ----------------------------------------------------

def run_child(command: list[str], cwd: Path = ROOT) -> dict[str, Any]:
    """Run ``command``; wall seconds, exit code, output, and the peak RSS (MB) of the child and
    every process it waited for (``os.wait4``: this child's rusage only, not earlier rows')."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load, state = os.getloadavg()[0], code_state()  # the code the child starts with
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"seconds": seconds, "code": process.returncode, "load_avg": load,
                "code_state": state,
                "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace"),
                "peak_rss_mb": usage.ru_maxrss / 1024}


def write_slices(source: Path, sizes: list[int | None], workdir: Path) -> tuple[dict, int]:
    """The first N records with a title and an abstract, for each N, as gzip JSON lines (one
    pass over ``source``). ``None`` means all of them. Returns {size: (path, papers)}, total."""
    wanted = sorted({s for s in sizes if s is not None})
    keep_all = None in sizes
    handles: dict[int | None, Any] = {}
    paths: dict[int | None, Path] = {}
    opener = gzip.open if source.suffix == ".gz" else open
    count = 0
    with contextlib.ExitStack() as stack:
        for size in [*wanted, *([None] if keep_all else [])]:
            paths[size] = workdir / f"paperlists-{size or 'all'}.jsonl.gz"
            handles[size] = stack.enter_context(
                gzip.open(paths[size], "wt", encoding="utf-8", compresslevel=1))
        lines = stack.enter_context(opener(source, "rt", encoding="utf-8"))
        for line in lines:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not (isinstance(record, dict) and str(record.get("title") or "").strip()
                    and str(record.get("abstract") or "").strip()):
                continue
            count += 1
            open_sizes = [s for s in handles if s is None or count <= s]
            if not open_sizes:
                break
            for size in open_sizes:
                handles[size].write(line if line.endswith("\n") else line + "\n")
    return {size: (paths[size], count if size is None else min(size, count))
            for size in paths}, count


def parse_sizes(text: str) -> list[int | None]:
    """``"1000,10k,all"`` -> ``[1000, 10000, None]``.

    >>> parse_sizes("1000, 10k,87k,all")
    [1000, 10000, 87000, None]
    """
    sizes: list[int | None] = []
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        if part == "all":
            sizes.append(None)
        else:
            sizes.append(int(float(part[:-1]) * 1000) if part.endswith("k") else int(part))
    return sizes


def git_commit() -> tuple[str, bool]:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                    cwd=ROOT, capture_output=True, text=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        return "nogit", False
    return sha, dirty


def code_state() -> str:
    """A fingerprint of the code a row runs: HEAD and the uncommitted changes to it. Others
    may commit or edit while a long run goes on; rows measured on different code are flagged."""
    digest = hashlib.sha256()
    for command in (["git", "rev-parse", "HEAD"],
                    ["git", "diff", "HEAD", "--", "kg", "extractors", "bench", "pyproject.toml"]):
        try:
            digest.update(subprocess.run(command, cwd=ROOT, capture_output=True).stdout)
        except OSError:
            return ""
    return digest.hexdigest()[:12]


def host_info() -> dict[str, Any]:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    try:
        spacy_version = importlib.metadata.version("spacy")
    except importlib.metadata.PackageNotFoundError:
        spacy_version = ""
    return {"cpus": cpus, "python": platform.python_version(), "spacy": spacy_version,
            "machine": platform.machine(), "load_avg_start": list(os.getloadavg()),
            "threads_env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                                       "MKL_NUM_THREADS") if k in os.environ}}


def _context(child: dict[str, Any]) -> dict[str, Any]:
    """What a row was measured under: the 1-minute load average and the code fingerprint."""
    return {"load_avg": round(child["load_avg"], 2), "code_state": child["code_state"]}


def _rate(papers: int, seconds: float) -> float:
    return papers / seconds if seconds > 0 else float("inf")


def extraction_rows(stages: list[str], sources: dict[str, tuple[Path, int]], jobs: int,
                    repeat: int, log) -> list[dict[str, Any]]:
    """``sources``: the input slice and its size, under ``short`` (every stage but one) and
    ``long`` (``sustained``)."""
    runs: list[tuple[str, str, int]] = []
    for stage in (s for s in EXTRACTION if s in stages):
        if stage == "parallel":
            runs += [("parallel", "rules+link -j1", 1), ("parallel", f"rules+link -j{jobs}", jobs)]
        elif stage == "dask":
            runs.append(("dask", f"dask rules+link -j{jobs}", jobs))
        elif stage == "sustained":
            runs.append(("sustained", f"rules+link -j{jobs} sustained", jobs))
        elif stage == "dask-sustained":
            runs.append(("dask-sustained", f"dask rules+link -j{jobs} sustained", jobs))
        else:
            runs.append((stage, {"spacy": "spacy-sm"}.get(stage, stage), 1))
    rows = []
    for stage, name, stage_jobs in runs:
        source, papers = sources["long" if stage in SUSTAINED else "short"]
        log(f"{name}: {papers} abstracts ...")
        child = run_child([sys.executable, str(Path(__file__).resolve()), "--measure", stage,
                           "--input", str(source), "--jobs", str(stage_jobs),
                           "--repeat", str(repeat)])
        if child["code"] != 0:
            raise SystemExit(f"{name} failed:\n{child['stderr']}")
        result = json.loads(child["stdout"].strip().splitlines()[-1])
        row = {"stage": name, "kind": "extract", "papers": result["papers"],
               "seconds": result["seconds"], "papers_per_s": _rate(result["papers"],
                                                                    result["seconds"]),
               "peak_rss_mb": child["peak_rss_mb"], "process_s": child["seconds"],
               **_context(child), "details": result}
        notes = []
        if stage == "regex":
            notes.append(f"ceiling; best of {result['passes']} passes")
        elif stage == "spacy":
            notes.append(f"{_rate(result['tokens'], result['seconds']):,.0f} tokens/s; "
                         "en_core_web_sm architecture, random weights")
        elif stage in ("rules", "statistical"):
            notes.append(f"extraction only; pipeline set-up {result['setup_s']:.1f} s not timed")
        elif stage in SUSTAINED:
            workers = (f"a Dask LocalCluster of {result['workers']} worker(s) reached by its "
                       "address" if stage == "dask-sustained"
                       else f"{result['workers']} process(es)")
            notes.append(f"extract+link, {workers}, timed after the first "
                         f"{result['warm_up_papers']:,} papers ({result['setup_s']:.1f} s: "
                         "start-up, cold caches)")
        else:
            notes.append(f"extract+link, {result['workers']} process(es), start-up included"
                         if stage == "parallel" else
                         f"extract+link, Dask LocalCluster of {result['workers']} worker(s), "
                         "start-up and shut-down included")
            if result["workers"] > 1:
                notes.append(f"workers <= {result['peak_rss_workers_mb']:.0f} MB each, "
                             f"parent {result['peak_rss_self_mb']:.0f} MB")
        row["notes"] = "; ".join(notes)
        rows.append(row)
        log(f"  {_format_row_brief(row)}")
    spacy_row = next((r for r in rows if r["stage"] == "spacy-sm"), None)
    regex_row = next((r for r in rows if r["stage"] == "regex"), None)
    for row in rows:
        if row["stage"].endswith(" sustained"):  # several cores: against the target itself
            row["baseline"] = f"{TARGET_EXTRACT_PER_S:,}/s target"
            row["vs_baseline"] = row["papers_per_s"] / TARGET_EXTRACT_PER_S
        elif spacy_row:
            row["baseline"] = f"{spacy_row['papers_per_s']:,.1f}/s spacy-sm"
            row["vs_baseline"] = row["papers_per_s"] / spacy_row["papers_per_s"]
        if regex_row and row not in (regex_row, spacy_row) \
                and not row["stage"].endswith(" sustained"):  # one core against several
            row["notes"] += f"; {row['papers_per_s'] / regex_row['papers_per_s']:.1%} of regex"
    return rows


def marginal(first: dict[str, Any], seconds: float, rss_mb: float, papers: int) -> str:
    """What each 1k papers past the smallest build added: linear growth keeps it constant."""
    extra = (papers - first["papers"]) / 1000
    if extra <= 0:
        return "same size as the first build"
    return (f"+{(seconds - first['seconds']) / extra:.2f} s, "
            f"{(rss_mb - first['peak_rss_mb']) / extra:+.1f} MB per 1k papers past "
            f"{first['papers']:,}")


def build_rows(slices: dict, sizes: list[int | None], jobs: int | None, workdir: Path,
               log) -> tuple[list[dict[str, Any]], list[tuple[int, Path]]]:
    rows, stores = [], []
    target_rate = TARGET_BUILD_PAPERS / TARGET_BUILD_SECONDS
    for size in dict.fromkeys(sizes):
        path, papers = slices[size]
        store = workdir / f"store-{size or 'all'}.json"
        store.unlink(missing_ok=True)
        command = [sys.executable, "-m", "kg.cli", "build", str(path), "--store", str(store)]
        if jobs:
            command += ["--jobs", str(jobs)]
        log(f"kg build: {papers} papers ...")
        child = run_child(command)
        if child["code"] != 0:
            raise SystemExit(f"kg build of {papers} papers failed:\n{child['stderr']}")
        read = re.search(r"read (\d+) papers", child["stdout"])
        counts = dict(re.findall(r"^(nodes|edges): (\d+)$", child["stdout"], re.MULTILINE))
        rate = _rate(papers, child["seconds"])
        row = {"stage": f"kg build {size or 'all'}", "kind": "build", "papers": papers,
               "seconds": child["seconds"], "papers_per_s": rate,
               "peak_rss_mb": child["peak_rss_mb"], **_context(child),
               "baseline": f"{target_rate:,.0f}/s target",
               "vs_baseline": rate / target_rate,
               "notes": f"{int(counts.get('nodes', 0)):,} nodes, "
                        f"{int(counts.get('edges', 0)):,} edges; "
                        + (f"{marginal(rows[0], child['seconds'], child['peak_rss_mb'], papers)}"
                           if rows else "jobs: " + str(jobs or "kg default (all cores)")),
               "details": {"papers_read": int(read.group(1)) if read else None,
                           "nodes": int(counts.get("nodes", 0)),
                           "edges": int(counts.get("edges", 0)),
                           "store_mb": store.stat().st_size / 1e6,
                           "jobs": jobs or "default (all cores)", "input": path.name}}
        rows.append(row)
        stores.append((papers, store))
        log(f"  {_format_row_brief(row)}")
    return rows, stores


def query_rows(stores: list[tuple[int, Path]], log) -> list[dict[str, Any]]:
    rows = []
    for papers, store in stores:
        log(f"kg papers --dataset {QUERY_DATASET}: store of {papers} papers ...")
        child = run_child([sys.executable, "-m", "kg.cli", "papers", "--dataset", QUERY_DATASET,
                           "--store", str(store)])
        hits = re.match(r"(\d+) paper", child["stdout"])
        found = (f"{int(hits.group(1)):,} hits" if hits and child["code"] == 0
                 else f"exit {child['code']}: {child['stderr'].strip()[:80]}")
        rows.append({"stage": "kg papers", "kind": "query", "papers": papers,
                     "seconds": child["seconds"], "papers_per_s": None,
                     "peak_rss_mb": child["peak_rss_mb"], **_context(child),
                     "baseline": f"{TARGET_QUERY_SECONDS:g} s target",
                     "vs_baseline": TARGET_QUERY_SECONDS / child["seconds"],
                     "notes": f"--dataset {QUERY_DATASET}, load included; {found}; "
                              f"store {store.stat().st_size / 1e6:,.0f} MB",
                     "details": {"code": child["code"],
                                 "hits": int(hits.group(1)) if hits else None}})
        log(f"  {_format_row_brief(rows[-1])}")
    return rows


# -- output -------------------------------------------------------------------------------------

COLUMNS = ("stage", "papers", "seconds", "papers/s", "peak RSS MB", "baseline", "vs baseline",
           "notes")


def _cells(row: dict[str, Any], previous: dict | None) -> list[str]:
    rate = row.get("papers_per_s")
    cells = [row["stage"], f"{row['papers']:,}", f"{row['seconds']:.2f}",
             "" if rate is None else f"{rate:,.1f}", f"{row['peak_rss_mb']:,.0f}",
             row.get("baseline", "-"),
             f"{row['vs_baseline']:.2f}x" if row.get("vs_baseline") is not None else "-"]
    if previous is not None:
        old = previous.get((row["stage"], row["papers"]))
        if old is None:
            cells += ["-", "-"]
        else:
            cells += [f"{old['seconds']:.2f}", f"{(row['seconds'] / old['seconds'] - 1):+.0%}"]
    return [*cells, row.get("notes", "")]


def _format_row_brief(row: dict[str, Any]) -> str:
    rate = row.get("papers_per_s")
    return (f"{row['stage']}: {row['papers']} papers {row['seconds']:.2f} s"
            + ("" if rate is None else f" {rate:,.1f}/s")
            + f" peak {row['peak_rss_mb']:,.0f} MB")


def format_table(rows: list[dict[str, Any]], previous: dict | None = None) -> str:
    header = list(COLUMNS)
    if previous is not None:
        header[-1:-1] = ["prev s", "change s"]
    body = [_cells(row, previous) for row in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header) - 1)]
    left = {0, len(header) - 1}

    def line(cells: list[str]) -> str:
        parts = [c.ljust(w) if i in left else c.rjust(w)
                 for i, (c, w) in enumerate(zip(cells, widths, strict=False))]
        return "  ".join([*parts, cells[-1]]).rstrip()

    rule = "  ".join("-" * w for w in widths) + "  -----"
    return "\n".join([line(header), rule, *(line(cells) for cells in body)])


def summary(rows: list[dict[str, Any]]) -> list[str]:
    by = {r["stage"]: r for r in rows}
    lines = []
    spacy_row, regex_row = by.get("spacy-sm"), by.get("regex")
    for name in [r["stage"] for r in rows if r["kind"] == "extract"
                 and r["stage"] not in ("regex", "spacy-sm")]:
        row = by[name]
        text = (f"{name}: {row['papers_per_s']:,.0f} abstracts/s "
                f"(target >= {TARGET_EXTRACT_PER_S:,})")
        if name.endswith(" sustained"):
            lines.append(text + f" = {row['vs_baseline']:.2f}x the target")
            continue
        if spacy_row:
            text += (f", ours/spacy-sm = {row['vs_baseline']:.1f}x (target >= "
                     f"{TARGET_VS_SPACY}x)")
        if regex_row:
            text += f", {row['papers_per_s'] / regex_row['papers_per_s']:.1%} of the regex ceiling"
        lines.append(text)
    builds = [r for r in rows if r["kind"] == "build"]
    if builds:
        steps = [f"{a['papers']:,}->{b['papers']:,}: "
                 + marginal(a, b["seconds"], b["peak_rss_mb"], b["papers"]).split(" per 1k")[0]
                 for a, b in itertools.pairwise(builds)]
        if steps:
            lines.append("kg build growth per 1k papers, size to size (linear: about constant): "
                         + "; ".join(steps))
        last = builds[-1]
        lines.append(f"largest build: {last['papers']:,} papers in {last['seconds']:.0f} s, "
                     f"peak {last['peak_rss_mb']:,.0f} MB (target for 87,691: < "
                     f"{TARGET_BUILD_SECONDS:.0f} s, < {TARGET_RSS_MB:,} MB)")
    queries = [r for r in rows if r["kind"] == "query"]
    if queries:
        last = queries[-1]
        lines.append(f"kg papers on the {last['papers']:,}-paper store: {last['seconds']:.2f} s "
                     f"including load (target < {TARGET_QUERY_SECONDS:g} s)")
    return lines


def load_previous(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(r["stage"], r["papers"]): r for r in data.get("rows", [])}


# -- command line ---------------------------------------------------------------------------

def default_source() -> Path:
    base = os.environ.get("PAPERKG_EXTERNAL_DATA")
    return (Path(base) if base else ROOT.parent / "shared" / "data" / "external") / PAPERLISTS


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--data", type=Path, default=None,
                        help="paperlists JSON lines, gzip or not (default: $PAPERKG_EXTERNAL_DATA"
                             f" or ../shared/data/external, then {PAPERLISTS})")
    parser.add_argument("--stages", default=",".join(STAGES),
                        help=f"comma-separated, from {','.join(STAGES)} (default: all)")
    parser.add_argument("--sizes", default=None,
                        help=f"kg build sizes: numbers, 10k, all (default: {DEFAULT_SIZES})")
    parser.add_argument("--extract-papers", type=int, default=None, metavar="N",
                        help="abstracts for the extraction stages (default: 1000)")
    parser.add_argument("--sustained-papers", type=int, default=None, metavar="N",
                        help="abstracts for the sustained stages, the first fifth untimed "
                             f"(default: {DEFAULT_SUSTAINED_PAPERS:,})")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK['extract_papers']} abstracts and a {QUICK['sizes']}-paper "
                             "build unless given: about a minute")
    parser.add_argument("--jobs", type=int, default=2,
                        help="processes of the parallel row, workers of the dask row")
    parser.add_argument("--build-jobs", type=int, default=None,
                        help="kg build --jobs (default: kg's default, all cores)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="timed passes per extraction stage, best kept (default: 1)")
    parser.add_argument("--compare", type=Path, default=None, metavar="JSON",
                        help="an earlier results file: its seconds and the change beside ours")
    parser.add_argument("--out", type=Path, default=None,
                        help="results JSON (default: bench/results/<git short sha>.json)")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="keep the input slices and stores here (default: a temporary dir)")
    parser.add_argument("--measure", choices=EXTRACTION, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if args.measure:  # the child of one extraction row
        print(json.dumps(measure(args.measure, args.input, args.jobs, args.repeat)))
        return 0

    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        raise SystemExit(f"unknown stage(s) {', '.join(unknown)}; choose from {', '.join(STAGES)}")
    if "query" in stages and "build" not in stages:
        raise SystemExit("the query stage runs on the stores the build stage makes: add build")
    sizes = parse_sizes(args.sizes or (QUICK["sizes"] if args.quick else DEFAULT_SIZES))
    extract_papers = args.extract_papers or (QUICK["extract_papers"] if args.quick else 1000)
    sustained_papers = args.sustained_papers or (
        QUICK["sustained_papers"] if args.quick else DEFAULT_SUSTAINED_PAPERS)
    source = args.data or default_source()
    if not source.exists():
        raise SystemExit(f"{source}: no such file (set --data or PAPERKG_EXTERNAL_DATA)")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    sha, dirty = git_commit()
    state = code_state()
    started = datetime.datetime.now(datetime.UTC)
    host = host_info()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="paperkg-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        wanted = [*(sizes if "build" in stages else []),
                  *([extract_papers] if set(stages) & set(EXTRACTION) else []),
                  *([sustained_papers] if set(stages) & set(SUSTAINED) else [])]
        log(f"slicing {source} ...")
        slices, available = write_slices(source, wanted, workdir)
        rows: list[dict[str, Any]] = []
        if set(stages) & set(EXTRACTION):
            sources = {"short": slices[extract_papers],
                       "long": slices.get(sustained_papers, slices[extract_papers])}
            rows += extraction_rows(stages, sources, args.jobs, args.repeat, log)
        if "build" in stages:
            built, stores = build_rows(slices, sizes, args.build_jobs, workdir, log)
            rows += built
            if "query" in stages:
                rows += query_rows(stores, log)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    host["load_avg_end"] = list(os.getloadavg())

    previous = load_previous(args.compare) if args.compare else None
    print(f"paperkg bench {sha}{' (uncommitted changes)' if dirty else ''}, "
          f"{started:%Y-%m-%d %H:%M} UTC; {host['cpus']} CPUs, load average "
          f"{host['load_avg_start'][0]:.1f} at start, {host['load_avg_end'][0]:.1f} at end; "
          f"Python {host['python']}, spaCy {host['spacy']}")
    changed = sorted({r["code_state"] for r in rows} | {state, code_state()})
    if len(changed) > 1:
        print(f"WARNING: the code changed during the run (states {', '.join(changed)}): rows "
              "measured on different code are not comparable; see code_state in the JSON")
    print(f"data: {source} (" + (f"{available:,} papers with an abstract)" if None in wanted
                                 else "its first papers with an abstract)"))
    print()
    print(format_table(rows, previous))
    print()
    print("vs baseline: higher is better: papers/s over spacy-sm's for extraction (over the "
          f"{TARGET_EXTRACT_PER_S:,}/s target for the sustained rows), over the target rate "
          f"({TARGET_BUILD_PAPERS:,} papers in {TARGET_BUILD_SECONDS:.0f} s) for "
          f"builds, {TARGET_QUERY_SECONDS:g} s over the time taken for queries.")
    if any(r["stage"] == "spacy-sm" for r in rows):
        print(SPACY_NOTE)
    for line in summary(rows):
        print(line)

    out = args.out or RESULTS / f"{sha}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"schema": 1, "commit": sha, "dirty": dirty, "started": started.isoformat(),
               "code_state": state, "code_changed_during_run": len(changed) > 1,
               "host": host, "data": str(source), "papers_available": available,
               "options": {"stages": stages, "sizes": [s or "all" for s in sizes],
                           "extract_papers": extract_papers,
                           "sustained_papers": sustained_papers, "jobs": args.jobs,
                           "build_jobs": args.build_jobs, "repeat": args.repeat},
               "columns": list(COLUMNS), "rows": rows, "summary": summary(rows)}
    out.write_text(json.dumps(payload, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
