"""Measure the statistical NER: alone, and combined with the rules, against rules only.

* SciERC dev: entity F1 over Task/Method/Material/Metric mapped to task/method/dataset/metric
  (a predicted ``model`` counts as SciERC's Method), exact and overlapping boundaries;
* dataset_mentions dev (the held-out tenth of ``Train_set``): dataset F1 and false positives
  on the "Geen Dataset" sentences;
* our dev gold: the contract records of the pages scored by ``score.py``, rules only and
  rules + NER, per type;
* throughput, abstracts per second, of both pipelines on paperlists abstracts.

No test split is read. The combined pipeline is the one ``add_statistical_ner`` builds, read by
an ``Extractor`` whose groups include ``"ner"`` (what the proposed ``build_nlp(statistical=True)``
does).

    python -m extractors.ner.evaluate --data ../shared/data/external \\
        --pages ../shared/data/pages --gold ../shared/data/gold/dev.jsonl
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

import extractors.pipeline as pipeline
from extractors.components.ner import (
    DEFAULT_TYPES,
    GROUP,
    TYPES,
    add_statistical_ner,
    load_model,
)
from extractors.ner.prepare import (
    SILVER_BUCKET,
    RuleLabeller,
    Stats,
    dataset_mention_docs,
    read_jsonl,
    row_key,
    scierc_docs,
    stable_bucket,
)
from extractors.ner.tokenizer import blank_nlp
from kg.model import Paper

NER_CONFIDENCE = 0.55  # below every rule group: the model's names are the least certain
SCIERC_TYPES = {"Task": "task", "Method": "method", "Material": "dataset", "Metric": "metric"}
Spans = set[tuple[int, int, str]]


@contextlib.contextmanager
def ner_group(confidence: float = NER_CONFIDENCE) -> Iterator[None]:
    """Make ``Extractor`` read the ``ner`` span group, last, while the block runs."""
    groups, table = pipeline.GROUPS, dict(pipeline.CONFIDENCE)
    pipeline.GROUPS = (*groups, GROUP)
    pipeline.CONFIDENCE[GROUP] = confidence
    try:
        yield
    finally:
        pipeline.GROUPS = groups
        pipeline.CONFIDENCE.clear()
        pipeline.CONFIDENCE.update(table)


def build(statistical: bool, model: str | Path | None = None,
          types: Iterable[str] = DEFAULT_TYPES, names_only: bool = True) -> Language:
    nlp = pipeline.build_nlp(lean=not statistical)
    return add_statistical_ner(nlp, model, types, names_only) if statistical else nlp


# -- span scoring --------------------------------------------------------------------
def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r
            else 0.0, "tp": tp, "pred": n_pred, "gold": n_gold}


def match_spans(pred: Spans, gold: Spans, overlap: bool) -> int:
    """True positives: same type and same offsets (or overlapping ones), one-to-one.

    >>> match_spans({(0, 5, "task")}, {(0, 7, "task")}, overlap=True)
    1
    """
    if not overlap:
        return len(pred & gold)
    used: set[tuple[int, int, str]] = set()
    tp = 0
    for s, e, t in sorted(pred):
        for g in sorted(gold):
            if g not in used and g[2] == t and s < g[1] and g[0] < e:
                used.add(g)
                tp += 1
                break
    return tp


def score_spans(pairs: Iterable[tuple[Spans, Spans]], types: Iterable[str]
                ) -> dict[str, dict[str, dict[str, float]]]:
    """Per type and over all: exact and overlap P/R/F1 of ``(pred, gold)`` span sets."""
    pairs = list(pairs)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for kind in [*types, "all"]:
        def keep(spans: Spans, kind: str = kind) -> Spans:
            return spans if kind == "all" else {s for s in spans if s[2] == kind}
        tp_exact = tp_overlap = n_pred = n_gold = 0
        for pred, gold in pairs:
            p, g = keep(pred), keep(gold)
            tp_exact += match_spans(p, g, overlap=False)
            tp_overlap += match_spans(p, g, overlap=True)
            n_pred, n_gold = n_pred + len(p), n_gold + len(g)
        out[kind] = {"exact": prf(tp_exact, n_pred, n_gold),
                     "overlap": prf(tp_overlap, n_pred, n_gold)}
    return out


def _extract_spans(nlp: Language, texts: list[str], statistical: bool) -> list[Spans]:
    """Character spans with our types that the pipeline's mentions cover, one set per text."""
    extractor = pipeline.Extractor(nlp)
    papers = [Paper(id=f"eval-{i}", title="-", abstract="") for i in range(len(texts))]
    found = []
    with ner_group() if statistical else contextlib.nullcontext():
        for paper, doc in zip(papers, nlp.pipe(texts, batch_size=32), strict=True):
            mentions = extractor.mentions_of(paper, doc).mentions
            found.append({(m.start, m.end, m.type) for m in mentions
                          if m.type in ("model", "dataset", "method", "task", "metric")})
    return found


def _as_method(spans: Spans) -> Spans:
    return {(s, e, "method" if t == "model" else t) for s, e, t in spans}


def scierc_dev(path: Path, nlps: dict[str, Language]) -> dict[str, object]:
    """SciERC dev entity scores of the model alone, rules only and rules + NER."""
    rows = list(read_jsonl(path))
    texts = [r["abstract"] for r in rows]
    gold = [{(e["start"], e["end"], SCIERC_TYPES[e["type"]]) for e in r["entities"]
             if e["type"] in SCIERC_TYPES} for r in rows]
    types = list(SCIERC_TYPES.values())
    combined = nlps["rules+ner"]
    alone = [_as_method({(e.start_char, e.end_char, e.label_.lower()) for e in doc.ents})
             for doc in combined.pipe(texts)]
    results: dict[str, object] = {"model alone": score_spans(zip(alone, gold, strict=True),
                                                             types)}
    for name, nlp in nlps.items():
        pred = [_as_method(s) for s in _extract_spans(nlp, texts, name == "rules+ner")]
        results[name] = score_spans(zip(pred, gold, strict=True), types)
    return results


def scierc_dev_converted(path: Path, trained: Language) -> dict[str, object]:
    """The model alone on SciERC dev as ``prepare`` converts it (our labels, MODEL relabelled,
    non-names missing): the figure training selected the model on, with spaCy's scorer."""
    from spacy.training import Example

    docs = scierc_docs(path, blank_nlp(), Stats(), RuleLabeller())
    scores = trained.evaluate([Example(trained.make_doc(d.text), d) for d in docs])
    per_type = {k: {m: round(v, 3) for m, v in x.items()}
                for k, x in (scores.get("ents_per_type") or {}).items()}
    return {"p": round(scores["ents_p"], 3), "r": round(scores["ents_r"], 3),
            "f1": round(scores["ents_f"], 3), "per_type": per_type}


def dataset_mentions_dev(path: Path, nlps: dict[str, Language]) -> dict[str, object]:
    """Dataset F1 on the held-out tenth of Train_set, and false positives on negatives."""
    docs: list[Doc] = dataset_mention_docs(path, blank_nlp(), Stats(), "dev")
    texts = [d.text for d in docs]
    gold = [{(e.start_char, e.end_char, "dataset") for e in d.ents} for d in docs]
    results: dict[str, object] = {}
    for name, nlp in nlps.items():
        pred = [{s for s in spans if s[2] == "dataset"}
                for spans in _extract_spans(nlp, texts, name == "rules+ner")]
        scores = score_spans(zip(pred, gold, strict=True), ["dataset"])["dataset"]
        negatives = [p for p, g in zip(pred, gold, strict=True) if not g]
        scores["negative sentences with a prediction"] = {
            "count": sum(bool(p) for p in negatives), "of": len(negatives)}
        results[name] = scores
    return results


# -- the dev gold, through the contract ----------------------------------------------
def contract_records(nlp: Language, pages: Path, statistical: bool) -> str:
    """The ``kg extract --format jsonl`` output of ``pages`` with this pipeline, as text."""
    from extractors.kb import load_kb
    from kg.exporters.jsonl import write_records
    from kg.link import Linker
    from kg.readers import read_papers
    from kg.stores.networkx_store import NetworkXStore

    papers = read_papers([pages]).papers
    extractor = pipeline.Extractor(nlp)
    linker = Linker(load_kb())
    store = NetworkXStore()
    with ner_group() if statistical else contextlib.nullcontext():
        store.add(linker.link(f.paper, f.mentions, f.alias_pairs)
                  for f in extractor.extract(papers))
    handle = io.StringIO()
    write_records(store.graph, handle)
    return handle.getvalue()


def score_gold(records: str, gold: Path, scorer: Path) -> dict[str, object]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False,
                                     encoding="utf-8") as handle:
        handle.write(records)
    result = subprocess.run([sys.executable, str(scorer), handle.name, str(gold), "--json"],
                            check=True, capture_output=True, text=True)
    Path(handle.name).unlink()
    return json.loads(result.stdout)


def throughput(nlps: dict[str, Language], paperlists: Path, n: int) -> dict[str, float]:
    """Abstracts per second, extraction to mentions, on the last ``n`` paperlists abstracts
    that are not silver training data."""
    rows = [r for r in read_jsonl(paperlists)
            if r.get("abstract") and stable_bucket(row_key(r), 20) != SILVER_BUCKET][-n:]
    papers = [Paper(id=r["id"], title=r["title"] or "-", abstract=r["abstract"]) for r in rows]
    speeds: dict[str, float] = {}
    for name, nlp in nlps.items():
        extractor = pipeline.Extractor(nlp)
        with ner_group() if name == "rules+ner" else contextlib.nullcontext():
            start = time.perf_counter()
            count = sum(1 for _ in extractor.extract(papers))
            speeds[name] = round(count / (time.perf_counter() - start), 1)
    return speeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/external"))
    parser.add_argument("--pages", type=Path, default=Path("../shared/data/pages"))
    parser.add_argument("--gold", type=Path, default=Path("../shared/data/gold/dev.jsonl"))
    parser.add_argument("--scorer", type=Path, default=Path("../shared/eval/score.py"))
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    parser.add_argument("--types", default=",".join(DEFAULT_TYPES),
                        help=f"NER types kept, comma-separated, of {','.join(TYPES)}")
    parser.add_argument("--all-phrases", action="store_true",
                        help="keep lower-case phrases too (names_only off)")
    parser.add_argument("--throughput", type=int, default=2000, help="abstracts; 0 to skip")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    types = [t for t in args.types.split(",") if t]
    nlps = {"rules": build(False),
            "rules+ner": build(True, args.model, types, not args.all_phrases)}
    scierc = args.data / "scierc" / "scierc_dev_text.jsonl"
    report: dict[str, object] = {
        "scierc_dev": scierc_dev(scierc, nlps),
        "scierc_dev_converted": scierc_dev_converted(scierc, load_model(args.model)),
        "dataset_mentions_dev": dataset_mentions_dev(
            args.data / "dataset_mentions" / "Train_set_sentences.csv", nlps),
    }
    gold: dict[str, object] = {}
    for name, nlp in nlps.items():
        records = contract_records(nlp, args.pages, name == "rules+ner")
        if args.out is not None:
            args.out.with_suffix(f".{name}.jsonl").write_text(records, encoding="utf-8")
        gold[name] = score_gold(records, args.gold, args.scorer)
    report["dev_gold"] = gold
    if args.throughput:
        report["abstracts_per_second"] = throughput(
            nlps, args.data / "paperlists" / "paperlists_title_abstract.jsonl.gz",
            args.throughput)
    text = json.dumps(report, indent=1)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    print(_summary(report), file=sys.stderr)
    return 0


def _summary(report: dict) -> str:
    """A short table of the dev gold per type, rules only vs rules + NER."""
    lines = ["type          rules P/R/F1          rules+ner P/R/F1"]
    gold = report["dev_gold"]
    for kind in ("model", "dataset", "method", "task", "organization", "link", "all"):
        cells = []
        for name in ("rules", "rules+ner"):
            s = gold[name].get(kind, {})
            cells.append(f"{s.get('precision', 0):.3f} {s.get('recall', 0):.3f} "
                         f"{s.get('f1', 0):.3f}")
        lines.append(f"{kind:<13} {cells[0]:<21} {cells[1]}")
    counts = Counter()
    for name in ("rules", "rules+ner"):
        counts[name] = gold[name].get("all", {}).get("tp", 0)
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
