"""Training data for the statistical NER, as spaCy ``DocBin`` files tokenized by our tokenizer.

Three sources, each mapped to our labels (``MODEL DATASET METHOD TASK METRIC``):

* **SciERC** (``scierc_{train,dev}_text.jsonl``, character offsets): Task -> TASK, Method ->
  METHOD, Material -> DATASET, Metric -> METRIC; OtherScientificTerm and Generic are outside.
  SciERC's types are broader than ours (``GUIDELINES.md``), so a span our guidelines would not
  call an entity becomes *missing* (no supervision) or *outside*, never a wrong positive:
  Materials that are not names ("speech data", "English") are outside; Methods headed by a
  generic noun ("lexical cohesion-based approach") and one-word lower-case Methods are
  missing. SciERC labels models as Method: a Method span our rules type as a model (knowledge
  base, name shape) is relabelled MODEL, so the model learns one meaning per label.
  "long form ( SF )" spans are split in two, as our rules and gold write them.
* **dataset_mentions** (``Train_set_sentences.csv``): DATASET spans with the trailing head noun
  removed ("MegaFace dataset" -> "MegaFace", as our gold names them); spans with no name left
  ("the background corpus") and "Geen Dataset" sentences are negatives. One tenth of the
  sentences (by a hash of their id) is held out as dev data. Only datasets are annotated here,
  so our rules' confident model/method/task mentions are added as silver.
* **Silver** labels on paperlists abstracts: the confident rule mentions (knowledge base,
  abbreviation definitions, title and proposal names, "the X dataset") plus knowledge-base
  metrics. Rules miss names, so the other content words are *missing*, not outside; only stop
  words, punctuation and numbers are outside.

Test splits (SciERC test, ``Test_set*``, ``Zero-shot``) are never read here.

    python -m extractors.ner.prepare --data ../shared/data/external --out build/ner
"""

from __future__ import annotations

import argparse
import ast
import csv
import gzip
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans

from extractors.ner.tokenizer import blank_nlp
from extractors.shapes import is_acronym, is_generic, is_name_shaped

SCIERC_LABELS = {"Task": "TASK", "Method": "METHOD", "Material": "DATASET", "Metric": "METRIC"}
# Rule groups whose mentions are certain enough to train on (``shape`` guesses are left out).
SILVER_EXTRACTORS = frozenset({"gazetteer", "title", "proposal", "abbreviation", "context"})
# Head nouns that make a Method/Task span a description rather than a name.
_GENERIC_HEADS = frozenset({
    "approach", "approaches", "method", "methods", "system", "systems", "model", "models",
    "framework", "frameworks", "algorithm", "algorithms", "technique", "techniques", "tool",
    "tools", "module", "modules", "procedure", "procedures", "scheme", "schemes", "architecture",
    "architectures", "component", "components", "strategy", "strategies", "mechanism",
    "mechanisms", "formalism", "formalisms", "representation", "representations", "paradigm",
    "paradigms", "task", "tasks", "problem", "problems", "application", "applications",
    "domain", "domains", "setting", "settings",
})
_DATASET_HEADS = re.compile(
    r"(?:\s+(?:data\s*sets?|datasets?|databases?|corpus|corpora|benchmarks?|collections?|"
    r"sets?|repository|repositories))+$", re.IGNORECASE)
_METRIC_HEADS = frozenset({
    "accuracy", "accuracies", "rate", "rates", "error", "errors", "score", "scores", "precision",
    "recall", "f1", "f-measure", "measure", "measures", "bleu", "rouge", "perplexity", "auc",
    "map", "mrr", "ndcg", "similarity", "correlation",
})
SILVER_BUCKET = 1  # stable_bucket(id, 20) of the paperlists rows used as silver
VENUES = frozenset({"acl", "naacl", "coling", "colm", "iclr", "icml", "nips", "aaai", "ijcai",
                    "kdd", "www", "cvpr", "eccv", "iccv", "wacv", "acmmm", "aistats", "uai"})


@dataclass
class Stats:
    """What conversion kept, changed and dropped, per source: printed so losses are visible."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))


@dataclass(frozen=True, slots=True)
class Labelled:
    """A character span with our label; ``label == ""`` means missing (no supervision)."""

    start: int
    end: int
    label: str


def stable_bucket(key: str, buckets: int = 10) -> int:
    """A bucket for ``key`` that is the same on every machine and run.

    >>> stable_bucket("5218") == stable_bucket("5218")
    True
    """
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % buckets


def row_key(row: dict) -> str:
    """A paperlists row's id, or its title where the id is missing."""
    return str(row.get("id") or row.get("title") or "")


# -- spans ---------------------------------------------------------------------------------------
def char_span(doc: Doc, start: int, end: int, stats: Stats, source: str) -> Span | None:
    """The token span for a character span: exact, else shrunk to whole tokens, else widened."""
    span = doc.char_span(start, end)
    if span is not None:
        return span
    for mode in ("contract", "expand"):
        span = doc.char_span(start, end, alignment_mode=mode)
        if span is not None and len(span) > 0:
            stats.add(f"{source}: spans aligned by {mode}")
            return span
    stats.add(f"{source}: spans dropped (no token alignment)")
    return None


def split_parenthesized(span: Span) -> list[Span]:
    """``differential Gaussian mixture model ( GMM )`` -> the long form and the short form."""
    doc = span.doc
    if len(span) >= 4 and doc[span.end - 1].text == ")":
        opens = [t.i for t in span if t.text == "("]
        if len(opens) == 1 and span.start < opens[0] < span.end - 2:
            return [doc[span.start:opens[0]], doc[opens[0] + 1:span.end - 1]]
    return [span]


def _has_name(span: Span) -> bool:
    return any(is_name_shaped(t.text) or is_acronym(t.text) for t in span)


def scierc_target(span: Span, label: str) -> str | None:
    """Our label for one SciERC span: the label, ``""`` for missing, or ``None`` for outside."""
    words = [t.text for t in span if not t.is_punct]
    if not words:
        return None
    text = span.text
    if label == "DATASET":
        capitalized = sum(w[:1].isupper() for w in words)
        if _has_name(span) or any(c.isdigit() for c in text) or capitalized >= 2:
            return label
        return "" if capitalized else None
    if label in ("METHOD", "TASK"):
        if is_generic(text):
            return None
        if _has_name(span):
            return label
        if words[-1].lower() in _GENERIC_HEADS:
            return ""
        if label == "METHOD" and len(words) == 1 and words[0].islower():
            return ""
        return label
    if label == "METRIC":
        if _has_name(span) or words[-1].lower() in _METRIC_HEADS:
            return label
        return ""
    return label


def trim_dataset(text: str) -> tuple[int, int] | None:
    """Offsets of the name inside a dataset span: no leading "the", no trailing head noun.

    ``None`` when nothing name-like is left ("the background corpus").

    >>> trim_dataset("the MegaFace dataset"), trim_dataset("3DMatch data set")
    ((4, 12), (0, 7))
    >>> trim_dataset("document and in the background corpus") is None
    True
    """
    start = len(text) - len(re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE))
    end = len(text)
    head = _DATASET_HEADS.search(text[start:])
    if head is not None and head.start() > 0:
        end = start + head.start()
    name = text[start:end]
    if not any(c.isupper() or c.isdigit() for c in name) or len(name.strip()) < 2:
        return None
    return start, end


def set_labels(doc: Doc, spans: Iterable[tuple[Span, str]], default: str = "outside",
               outside: Iterable[Span] = ()) -> Doc:
    """Write ``(span, label)`` pairs as entities (``label == ""``: missing) onto ``doc``."""
    ents: list[Span] = []
    missing: list[Span] = []
    for span, label in spans:
        if label:
            ents.append(Span(doc, span.start, span.end, label=label))
        else:
            missing.append(span)
    ents = filter_spans(ents)
    taken = {i for s in ents for i in range(s.start, s.end)}
    missing = [s for s in filter_spans(missing) if not taken & set(range(s.start, s.end))]
    taken.update(i for s in missing for i in range(s.start, s.end))
    outside_spans = [s for s in outside if not taken & set(range(s.start, s.end))]
    doc.set_ents(ents, missing=missing, outside=outside_spans or None, default=default)
    return doc


# -- rule mentions as silver -----------------------------------------------------------------------
class RuleLabeller:
    """Runs our rule pipeline and returns its confident mentions as token spans of a doc."""

    def __init__(self) -> None:
        from extractors.kb import load_kb
        from extractors.pipeline import Extractor

        self.extractor = Extractor()
        self.metrics = self._metric_matcher(self.extractor.nlp, load_kb())

    @staticmethod
    def _metric_matcher(nlp: Language, kb: Iterable) -> tuple[PhraseMatcher, PhraseMatcher]:
        """Knowledge-base metrics (the gazetteer skips them): exact for short names."""
        exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        for entry in kb:
            if entry.type != "metric":
                continue
            for form in (entry.name, *entry.aliases):
                short = entry.case_sensitive or len(form) <= 4 or not form.islower()
                (exact if short else folded).add("METRIC", [nlp.make_doc(form)])
        return exact, folded

    def label(self, texts: Iterable[str], extractors: frozenset[str] = SILVER_EXTRACTORS
              ) -> Iterator[list[Labelled]]:
        """For each text, the rules' confident mentions as labelled character spans."""
        from kg.model import Paper

        for i, doc in enumerate(self.extractor.nlp.pipe(texts, batch_size=64)):
            paper = Paper(id=f"silver-{i}", title=doc.text[:80] or "-")
            found = self.extractor.mentions_of(paper, doc)
            spans = [Labelled(m.start, m.end, m.type.upper()) for m in found.mentions
                     if m.extractor in extractors and m.type in ("model", "dataset", "method",
                                                                 "task")
                     and m.end > m.start and not is_generic(m.text)]
            for matcher in self.metrics:
                spans.extend(Labelled(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), "METRIC")
                             for _, s, e in matcher(doc))
            yield spans


# -- sources ---------------------------------------------------------------------------------------
def read_jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def scierc_docs(path: Path, nlp: Language, stats: Stats,
                rules: RuleLabeller | None = None) -> list[Doc]:
    """SciERC abstracts (``scierc_*_text.jsonl``) labelled with our types (module docstring)."""
    rows = list(read_jsonl(path))
    texts = [r["abstract"] for r in rows]
    stats.add("scierc: spans dropped (no token alignment)", 0)
    rule_models: list[set[tuple[int, int]]] = [set() for _ in rows]
    if rules is not None:
        for i, found in enumerate(rules.label(texts, SILVER_EXTRACTORS - {"title"}
                                              | {"shape"})):
            rule_models[i] = {(s.start, s.end) for s in found if s.label == "MODEL"}
    docs = []
    for row, text, models in zip(rows, texts, rule_models, strict=True):
        doc = nlp.make_doc(text)
        labelled: list[tuple[Span, str]] = []
        for ent in row["entities"]:
            stats.add(f"scierc: {ent['type']}")
            label = SCIERC_LABELS.get(ent["type"])
            if label is None:
                continue  # OtherScientificTerm, Generic: outside
            span = char_span(doc, ent["start"], ent["end"], stats, "scierc")
            if span is None:
                continue
            for part in split_parenthesized(span):
                target = scierc_target(part, label)
                if target == "METHOD" and (part.start_char, part.end_char) in models:
                    target = "MODEL"
                    stats.add("scierc: Method relabelled MODEL")
                if target is None:
                    stats.add(f"scierc: {label} outside")
                    continue
                stats.add(f"scierc: {target or label + ' missing'}")
                labelled.append((part, target))
        docs.append(set_labels(doc, labelled))
    return docs


def dataset_mention_docs(path: Path, nlp: Language, stats: Stats, split: str,
                         rules: RuleLabeller | None = None) -> list[Doc]:
    """``*_sentences.csv`` rows of one split ("train" or "dev": a tenth held out by id)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle)
                if (stable_bucket(r["id"]) == 0) == (split == "dev")]
    texts = [r["text"] for r in rows]
    stats.add("dataset_mentions: spans dropped (no token alignment)", 0)
    silver = rules.label(texts, SILVER_EXTRACTORS - {"title"}) if rules is not None else None
    docs = []
    for row in rows:
        doc = nlp.make_doc(row["text"])
        labelled: list[tuple[Span, str]] = []
        for start, end, label in ast.literal_eval(row["labels"]):
            if label == "Geen Dataset":
                stats.add("dataset_mentions: negative spans")
                continue
            trimmed = trim_dataset(row["text"][start:end])
            if trimmed is None:
                stats.add("dataset_mentions: spans with no name (outside)")
                continue
            span = char_span(doc, start + trimmed[0], start + trimmed[1], stats,
                             "dataset_mentions")
            if span is not None:
                stats.add("dataset_mentions: DATASET")
                labelled.append((span, "DATASET"))
        if silver is not None:
            for s in next(silver):
                if s.label == "DATASET":
                    continue  # the annotators' datasets are the truth here
                span = doc.char_span(s.start, s.end)
                if span is not None:
                    stats.add(f"dataset_mentions: silver {s.label}")
                    labelled.append((span, s.label))
        docs.append(set_labels(doc, labelled))
    return docs


def silver_docs(path: Path, nlp: Language, stats: Stats, rules: RuleLabeller,
                limit: int) -> list[Doc]:
    """Up to ``limit`` ML abstracts (2019 on) from paperlists, a hash-sampled twentieth of them
    so every venue and year is in, with the rules' confident mentions."""
    texts = []
    for row in read_jsonl(path):
        if row.get("venue") not in VENUES or int(row.get("year") or 0) < 2019:
            continue
        if not row.get("abstract") or stable_bucket(row_key(row), 20) != SILVER_BUCKET:
            continue
        texts.append(f"{row['title']}\n\n{row['abstract']}")
        if len(texts) >= limit:
            break
    docs = []
    for text, found in zip(texts, rules.label(texts), strict=True):
        doc = nlp.make_doc(text)
        labelled = []
        for s in found:
            span = doc.char_span(s.start, s.end)
            if span is None:
                stats.add("silver: spans dropped (no token alignment)")
                continue
            stats.add(f"silver: {s.label}")
            labelled.append((span, s.label))
        outside = [doc[t.i:t.i + 1] for t in doc
                   if t.is_stop or t.is_punct or t.is_space or t.like_num]
        docs.append(set_labels(doc, labelled, default="missing", outside=outside))
    stats.add("silver: abstracts", len(docs))
    return docs


def write(docs: Iterable[Doc], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    docs = list(docs)
    DocBin(docs=docs, attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"]).to_disk(path)
    return len(docs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/external"))
    parser.add_argument("--out", type=Path, default=Path("build/ner"))
    parser.add_argument("--silver", type=int, default=2000, help="paperlists abstracts")
    args = parser.parse_args(argv)
    nlp = blank_nlp()
    stats = Stats()
    rules = RuleLabeller()
    scierc = args.data / "scierc"
    mentions = args.data / "dataset_mentions" / "Train_set_sentences.csv"
    train = [*scierc_docs(scierc / "scierc_train_text.jsonl", nlp, stats, rules),
             *dataset_mention_docs(mentions, nlp, stats, "train", rules)]
    if args.silver:
        train += silver_docs(args.data / "paperlists" / "paperlists_title_abstract.jsonl.gz",
                             nlp, stats, rules, args.silver)
    dev_stats = Stats()
    scierc_dev = scierc_docs(scierc / "scierc_dev_text.jsonl", nlp, dev_stats, rules)
    mentions_dev = dataset_mention_docs(mentions, nlp, dev_stats, "dev", rules)
    sizes = {
        "train": write(train, args.out / "train.spacy"),
        "dev": write([*scierc_dev, *mentions_dev], args.out / "dev.spacy"),
        "scierc_dev": write(scierc_dev, args.out / "scierc_dev.spacy"),
        "dataset_mentions_dev": write(mentions_dev, args.out / "dataset_mentions_dev.spacy"),
    }
    report = {"docs": sizes, "train": stats.as_dict(), "dev": dev_stats.as_dict()}
    (args.out / "stats.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
