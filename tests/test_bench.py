"""bench/run.py on a few made-up papers: the table's shape and the JSON's keys, never a timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STAGE_ROWS = ["regex", "spacy-sm", "rules", "kg build 12", "kg build all", "kg papers",
              "kg papers"]


def _papers(n: int) -> list[dict]:
    datasets = ("ImageNet", "COCO", "GLUE")
    return [{"title": f"Method{i}: Fast Learning of Things {i}",
             "abstract": f"We propose Method{i}, a model trained on {datasets[i % 3]}. Code is "
                         f"available at https://github.com/example/method{i}. It beats BERT."}
            for i in range(n)]


def test_bench_table_and_json(tmp_path: Path) -> None:
    data = tmp_path / "papers.jsonl"
    records = _papers(20)
    # records the bench must skip: no abstract, not JSON
    lines = [json.dumps(r) for r in records[:5]] + ['{"title": "No abstract", "abstract": ""}',
                                                     "not json"]
    lines += [json.dumps(r) for r in records[5:]]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "results" / "run.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--data", str(data),
         "--stages", "regex,spacy,rules,build,query", "--extract-papers", "8",
         "--sizes", "12,all", "--out", str(out), "--keep", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr

    table = run.stdout.splitlines()
    header = next(i for i, line in enumerate(table) if line.startswith("stage "))
    assert table[header].split()[:4] == ["stage", "papers", "seconds", "papers/s"]
    assert set(table[header + 1]) <= {"-", " "}
    rows = table[header + 2: header + 2 + len(STAGE_ROWS)]
    assert [r.split("  ")[0].strip() for r in rows] == STAGE_ROWS
    assert "20 papers with an abstract" in run.stdout
    assert "ours/spacy-sm" in run.stdout

    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"schema", "commit", "dirty", "started", "code_state", "code_changed_during_run",
            "host", "options", "columns", "rows", "summary"} <= set(result)
    assert [r["stage"] for r in result["rows"]] == STAGE_ROWS
    for row in result["rows"]:
        assert {"stage", "kind", "papers", "seconds", "papers_per_s", "peak_rss_mb", "baseline",
                "vs_baseline", "notes", "load_avg", "code_state", "details"} <= set(row)
        assert row["seconds"] > 0 and row["peak_rss_mb"] > 0
    by_stage = {r["stage"]: r for r in result["rows"]}
    assert [by_stage[s]["papers"] for s in ("regex", "rules", "kg build 12", "kg build all")] \
        == [8, 8, 12, 20]
    assert by_stage["kg build all"]["details"]["papers_read"] == 20
    assert by_stage["spacy-sm"]["details"]["pipeline"] == ["tok2vec", "tagger", "parser", "ner"]
    queries = [r for r in result["rows"] if r["kind"] == "query"]
    assert [q["details"]["code"] for q in queries] == [0, 0]
    assert queries[-1]["details"]["hits"] == 7  # every third paper uses ImageNet


def test_sustained_row_times_the_papers_after_the_warm_up(tmp_path: Path) -> None:
    data = tmp_path / "papers.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in _papers(15)), encoding="utf-8")
    out = tmp_path / "run.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--data", str(data),
         "--stages", "sustained,dask-sustained", "--sustained-papers", "15", "--jobs", "2",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    local, dask = json.loads(out.read_text(encoding="utf-8"))["rows"]
    assert local["stage"] == "rules+link -j2 sustained"
    assert dask["stage"] == "dask rules+link -j2 sustained"
    assert "Dask LocalCluster of 2 worker(s)" in dask["notes"]
    for row in (local, dask):
        assert row["papers"] == 12 and row["details"]["warm_up_papers"] == 3  # the first fifth
        assert row["details"]["workers"] == 2
        assert row["baseline"] == "2,000/s target"
        assert row["vs_baseline"] == row["papers_per_s"] / 2000
    assert dask["details"]["relations"] == local["details"]["relations"] > 0
    assert run.stdout.count("x the target") == 2
