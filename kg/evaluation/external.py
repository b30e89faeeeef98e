"""The external suite: how the extraction does on third-party annotated text.

Three measurements over ``../shared/data/external`` (``--data-dir`` or the environment variable
``PAPERKG_EXTERNAL_DATA`` point elsewhere), each a span comparison of our mentions against the
annotators' character spans, exact (same boundaries) and overlap (boundary-tolerant: greedy
one-to-one pairs of overlapping spans of the same type):

* ``dataset_mentions``: dataset names in single sentences of NIPS, vision, SIGIR and SDM papers
  (``Test_set_sentences.csv``, ``Zero-shot_sentences.csv``: names unseen in training), plus the
  datasets we predict in sentences labelled "Geen Dataset" (no dataset, only generic words such as
  "the dataset": false-positive traps);
* ``scirex``: Method, Task, Material (our datasets) and Metric mentions in 282 titles+abstracts;
* ``scierc``: the SciERC test abstracts with their types mapped to ours, beside the published
  trained systems; and, when ``extractors/models/scierc-ner`` exists (``make scierc-model``),
  that CPU NER trained on SciERC train with all six SciERC types, scored as those systems are
  (six types, exact span and type) and over the four types ours map to.

Only test splits are read, and only to measure: nothing here feeds back into the extractors.
Text without a title (a sentence, a SciERC abstract) is extracted as a title-only paper, so its
offsets are ours unchanged; the pipeline then treats its first sentence as the title.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import ParseError
from kg.evaluation.counts import Counts, table_header, table_row
from kg.evaluation.gold import numbered_jsonl
from kg.model import Mention, Paper

if TYPE_CHECKING:
    from extractors.pipeline import Extractor

ENV_VAR = "PAPERKG_EXTERNAL_DATA"
SUITES: tuple[str, ...] = ("dataset_mentions", "scirex", "scierc")

DATASET_MENTION_FILES: tuple[str, ...] = ("Test_set_sentences.csv", "Zero-shot_sentences.csv")
# "Datatset" is a typo in 9 labels of Test_set_sentences.csv; the spans are dataset names.
DATASET_LABELS = frozenset({"Dataset", "Datatset"})
NO_DATASET_LABEL = "Geen Dataset"
SCIREX_FILE = "scirex/scirex_title_abstract.jsonl"
SCIERC_FILE = "scierc/scierc_test_text.jsonl"

# Our mention type -> the external label it is compared with.
OUR_TO_EXTERNAL: dict[str, str] = {"method": "Method", "task": "Task", "dataset": "Material",
                                   "metric": "Metric"}
# SciREX and SciERC annotate models as methods; each suite also reports models left out.
MODEL_AS_METHOD: dict[str, str] = {**OUR_TO_EXTERNAL, "model": "Method"}
EXTERNAL_TYPES: tuple[str, ...] = ("Method", "Task", "Material", "Metric")
SCIERC_EXCLUDED: tuple[str, ...] = ("OtherScientificTerm", "Generic")
SCIERC_PUBLISHED: tuple[tuple[str, float], ...] = (
    ("DyGIE++", 67.5), ("PURE", 69.5), ("PL-Marker", 69.9))
SCIERC_TRAINED = "paperkg SciERC-trained CPU NER"
ALL_SIX = "all 6 types"
MAPPED_FOUR = "4 mapped types"
# Abstracts -> each one's predicted entities as (start, end, SciERC label).
SciercTagger = Callable[[Sequence[str]], list[list[tuple[int, int, str]]]]
TOP = 15
# The row where a span matches whatever the types: how much of the gap is type conventions.
ANY_TYPE = "types ignored"
# The sentences' annotators include the head noun ("UCF-Sports dataset"); our names do not.
_HEAD_NOUN = re.compile(r"\b(?:data ?sets?|databases?|corpus|corpora|collections?|benchmarks?|"
                        r"data)\W*$", re.IGNORECASE)


def default_data_dir() -> Path:
    """``$PAPERKG_EXTERNAL_DATA``, else ``../shared/data/external`` beside the repository."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "external"


# -- spans and their matching ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Span:
    """A labelled character span in document ``doc`` (gold or predicted)."""

    doc: int
    start: int
    end: int
    label: str
    text: str
    extractor: str = ""  # predictions: the extractor that found it
    our_type: str = ""  # predictions: our mention type, before mapping


@dataclass(frozen=True, slots=True)
class SpanScore:
    """Counts under exact and under boundary-tolerant matching."""

    exact: Counts
    overlap: Counts


def match_spans(gold: Sequence[Span], predicted: Sequence[Span], overlap: bool
                ) -> list[tuple[int, int]]:
    """One-to-one pairs ``(gold index, predicted index)`` of same-document, same-label spans.

    Exact pairs need equal boundaries; overlap pairs need at least one shared character, each
    gold span taking the untaken prediction that shares the most characters with it.

    >>> g = [Span(0, 0, 12, "D", "UCF-Sports dataset"[:12])]
    >>> p = [Span(0, 0, 10, "D", "UCF-Sports")]
    >>> match_spans(g, p, overlap=False), match_spans(g, p, overlap=True)
    ([], [(0, 0)])
    """
    by_key: dict[tuple[int, str], list[int]] = defaultdict(list)
    for j, p in enumerate(predicted):
        by_key[(p.doc, p.label)].append(j)
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for i, g in enumerate(gold):
        best, best_shared = -1, 0
        for j in by_key.get((g.doc, g.label), ()):
            if j in used:
                continue
            p = predicted[j]
            if not overlap:
                if (p.start, p.end) == (g.start, g.end):
                    best = j
                    break
                continue
            shared = min(g.end, p.end) - max(g.start, p.start)
            if shared > best_shared:
                best, best_shared = j, shared
        if best >= 0:
            pairs.append((i, best))
            used.add(best)
    return pairs


def _counts(pairs: list[tuple[int, int]], gold: Sequence[Span], predicted: Sequence[Span]
            ) -> Counts:
    return Counts(tp=len(pairs), fp=len(predicted) - len(pairs), fn=len(gold) - len(pairs))


def score_spans(gold: Sequence[Span], predicted: Sequence[Span]) -> SpanScore:
    """Exact and overlap counts of ``predicted`` against ``gold`` (both de-duplicated first)."""
    gold, predicted = _unique(gold), _unique(predicted)
    return SpanScore(exact=_counts(match_spans(gold, predicted, False), gold, predicted),
                     overlap=_counts(match_spans(gold, predicted, True), gold, predicted))


def _unique(spans: Sequence[Span]) -> list[Span]:
    seen: dict[tuple[int, int, int, str], Span] = {}
    for s in spans:
        seen.setdefault((s.doc, s.start, s.end, s.label), s)
    return list(seen.values())


@dataclass(frozen=True, slots=True)
class Pattern:
    """A surface form that recurs among the errors, with how often and (for false positives)
    the extractor that produced it most."""

    label: str
    text: str
    count: int
    extractor: str = ""


FP_KINDS: tuple[str, ...] = ("on a taken gold span", "on gold of another type", "on no gold span")


def false_positive_kinds(gold: Sequence[Span], predicted: Sequence[Span]) -> dict[str, int]:
    """Why overlap false positives are false: they lie on a gold span another prediction
    already took (a coordination such as "MNIST and NORB datasets" is one gold span), on gold
    of another type (a convention: "machine translation system" is a Method), or on no gold.

    >>> g = [Span(0, 0, 24, "D", "MNIST and NORB datasets"), Span(0, 30, 34, "T", "x")]
    >>> p = [Span(0, 0, 5, "D", "MNIST"), Span(0, 10, 14, "D", "NORB"),
    ...      Span(0, 30, 34, "D", "x"), Span(0, 40, 44, "D", "y")]
    >>> false_positive_kinds(g, p)
    {'on a taken gold span': 1, 'on gold of another type': 1, 'on no gold span': 1}
    """
    gold, predicted = _unique(gold), _unique(predicted)
    hit = {j for _, j in match_spans(gold, predicted, True)}
    by_doc: dict[int, list[Span]] = defaultdict(list)
    for g in gold:
        by_doc[g.doc].append(g)
    kinds = dict.fromkeys(FP_KINDS, 0)
    for j, p in enumerate(predicted):
        if j in hit:
            continue
        touching = [g for g in by_doc[p.doc] if g.start < p.end and p.start < g.end]
        if any(g.label == p.label for g in touching):
            kinds[FP_KINDS[0]] += 1
        elif touching:
            kinds[FP_KINDS[1]] += 1
        else:
            kinds[FP_KINDS[2]] += 1
    return kinds


def _kinds_line(title: str, kinds: Mapping[str, int]) -> str:
    return f"{title}: " + ", ".join(f"{n} {kind}" for kind, n in kinds.items())


def error_patterns(gold: Sequence[Span], predicted: Sequence[Span], top: int = TOP
                   ) -> tuple[tuple[Pattern, ...], tuple[Pattern, ...]]:
    """The most frequent false positives and misses under overlap matching, case-folded."""
    gold, predicted = _unique(gold), _unique(predicted)
    pairs = match_spans(gold, predicted, True)
    hit_gold = {i for i, _ in pairs}
    hit_pred = {j for _, j in pairs}
    fp: Counter[tuple[str, str]] = Counter()
    fp_by: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for j, p in enumerate(predicted):
        if j not in hit_pred:
            key = (p.label, p.text.lower())
            fp[key] += 1
            fp_by[key][p.extractor] += 1
    fn = Counter((g.label, g.text.lower()) for i, g in enumerate(gold) if i not in hit_gold)
    return (
        tuple(Pattern(lab, text, n, fp_by[(lab, text)].most_common(1)[0][0])
              for (lab, text), n in fp.most_common(top)),
        tuple(Pattern(lab, text, n) for (lab, text), n in fn.most_common(top)),
    )


# -- running the pipeline ----------------------------------------------------------------------

def _extractor(extractor: Extractor | None) -> Extractor:
    if extractor is not None:
        return extractor
    from extractors.pipeline import Extractor

    return Extractor()


def predict_spans(extractor: Extractor, papers: Sequence[Paper], mapping: Mapping[str, str]
                  ) -> list[Span]:
    """Our mentions of the types ``mapping`` names, labelled by it; document ``i`` is
    ``papers[i]`` and offsets index ``Paper.text`` (metadata mentions, with no span, left out)."""
    spans = []
    for doc, found in enumerate(extractor.extract(list(papers))):
        spans += [Span(doc, m.start, m.end, mapping[m.type], m.text, m.extractor, m.type)
                  for m in found.mentions if _usable(m, mapping)]
    return spans


def _usable(mention: Mention, mapping: Mapping[str, str]) -> bool:
    return mention.type in mapping and mention.end > mention.start


def _require(path: Path, what: str) -> Path:
    if not path.is_file():
        raise ParseError(str(path), None, f"{what} (point --data-dir or ${ENV_VAR} at the "
                         "external data folder)", got="no such file")
    return path


# -- dataset_mentions --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LabelledSentence:
    """One CSV row: the sentence, its dataset spans, and whether it is a "Geen Dataset" trap."""

    text: str
    spans: tuple[tuple[int, int], ...]
    no_dataset: bool
    line: int


def read_dataset_sentences(path: Path) -> list[LabelledSentence]:
    """Rows of a ``*_sentences.csv`` file (columns ``text`` and ``labels``: a Python list of
    ``[start, end, label]`` with character offsets into ``text``).

    Raises:
        ParseError: the file is missing, lacks a column, or a label list is malformed, names an
            unknown label or spans outside the sentence; with the file and line.
    """
    _require(path, "a dataset_mentions sentences CSV")
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if not {"text", "labels"} <= set(reader.fieldnames or ()):
            raise ParseError(str(path), 1, "a CSV header with columns text and labels",
                             got=", ".join(reader.fieldnames or ()) or "no header")
        for row in reader:
            line = reader.line_num
            text = row["text"] or ""
            try:
                labels = ast.literal_eval(row["labels"] or "[]")
                triples = [(int(s), int(e), str(lab)) for s, e, lab in labels]
            except (ValueError, SyntaxError, TypeError) as exc:
                raise ParseError(str(path), line, "labels as a list of [start, end, label]",
                                 got=repr((row["labels"] or "")[:60])) from exc
            spans = []
            for start, end, label in triples:
                if label not in DATASET_LABELS and label != NO_DATASET_LABEL:
                    raise ParseError(str(path), line, "labels Dataset or Geen Dataset",
                                     got=repr(label))
                if label in DATASET_LABELS:
                    if not 0 <= start < end <= len(text):
                        raise ParseError(str(path), line, f"a span inside the {len(text)}-"
                                         "character sentence", got=f"{start}..{end}")
                    spans.append((start, end))
            no_dataset = not spans and any(lab == NO_DATASET_LABEL for _, _, lab in triples)
            rows.append(LabelledSentence(text, tuple(spans), no_dataset, line))
    return rows


@dataclass(frozen=True)
class DatasetMentionsFile:
    """The figures of one sentences file."""

    name: str
    sentences: int
    gold_spans: int
    predicted_spans: int
    score: SpanScore
    no_dataset_sentences: int  # labelled "Geen Dataset" only
    no_dataset_predictions: int  # datasets we predicted in them (all false positives)
    no_dataset_sentences_hit: int  # how many of them got at least one
    gold_with_head_noun: int = 0  # gold spans ending in "dataset", "database", "corpus"...
    false_positive_kinds: dict[str, int] = field(default_factory=dict)
    false_positives: tuple[Pattern, ...] = ()
    misses: tuple[Pattern, ...] = ()


@dataclass(frozen=True)
class DatasetMentionsResult:
    files: tuple[DatasetMentionsFile, ...]
    seconds: float = 0.0

    def table(self) -> str:
        lines = ["dataset_mentions: dataset-name spans in single sentences "
                 "(exact = same boundaries; overlap = boundary-tolerant)", table_header("file", 24)]
        for f in self.files:
            short = f.name.removesuffix("_sentences.csv")
            lines.append(table_row(f"{short} exact", f.score.exact, 24))
            lines.append(table_row(f"{short} overlap", f.score.overlap, 24))
        for f in self.files:
            lines.append(f"{f.name}: {f.gold_with_head_noun} of {f.gold_spans} gold spans end "
                         "in a head noun (dataset, database, corpus...) that our names leave "
                         "out, so exact matching undercounts")
        for f in self.files:
            lines.append(_kinds_line(f"{f.name} overlap false positives",
                                     f.false_positive_kinds))
        for f in self.files:
            if f.no_dataset_sentences:
                lines.append(f"{f.name}: {f.no_dataset_predictions} dataset(s) predicted in "
                             f"{f.no_dataset_sentences_hit} of the {f.no_dataset_sentences} "
                             "\"Geen Dataset\" sentences (all false positives)")
        for f in self.files:
            lines += _patterns(f"{f.name} top false positives", f.false_positives)
            lines += _patterns(f"{f.name} top misses", f.misses)
        return "\n".join(lines)


def dataset_mentions(data_dir: Path | None = None, extractor: Extractor | None = None,
                     files: Sequence[str] = DATASET_MENTION_FILES) -> DatasetMentionsResult:
    """Dataset-span figures for each sentences file in ``data_dir/dataset_mentions``."""
    base = Path(data_dir or default_data_dir()) / "dataset_mentions"
    rows_by_file = {name: read_dataset_sentences(base / name) for name in files}
    started = time.perf_counter()
    nlp = _extractor(extractor)
    results = []
    for name, rows in rows_by_file.items():
        papers = [Paper(f"sentence-{r.line}", title=r.text) for r in rows]
        predicted = predict_spans(nlp, papers, {"dataset": "Dataset"})
        gold = [Span(i, s, e, "Dataset", r.text[s:e]) for i, r in enumerate(rows)
                for s, e in r.spans]
        negative = {i for i, r in enumerate(rows) if r.no_dataset}
        in_negative = [p for p in _unique(predicted) if p.doc in negative]
        fps, misses = error_patterns(gold, predicted)
        results.append(DatasetMentionsFile(
            name=name, sentences=len(rows), gold_spans=len(_unique(gold)),
            predicted_spans=len(_unique(predicted)), score=score_spans(gold, predicted),
            no_dataset_sentences=len(negative), no_dataset_predictions=len(in_negative),
            no_dataset_sentences_hit=len({p.doc for p in in_negative}),
            gold_with_head_noun=sum(bool(_HEAD_NOUN.search(g.text)) for g in _unique(gold)),
            false_positive_kinds=false_positive_kinds(gold, predicted),
            false_positives=fps, misses=misses))
    return DatasetMentionsResult(tuple(results), time.perf_counter() - started)


# -- SciREX and SciERC -------------------------------------------------------------------------

@dataclass(frozen=True)
class TypedVariant:
    """Per-type scores under one mapping of our types, plus ``all`` (micro-averaged) and
    ``types ignored`` (a span matches a gold span of any type)."""

    label: str
    by_type: dict[str, SpanScore]


@dataclass(frozen=True)
class TrainedNERResult:
    """A NER trained on SciERC train with its six types (``extractors/ner/scierc.py``), on the
    SciERC test abstracts: per SciERC type, over all six (the published systems' metric when
    exact) and over the four ours map to."""

    model: str
    by_type: dict[str, SpanScore]

    def rows(self) -> list[str]:
        lines = [f"[{SCIERC_TRAINED}: {self.model}]", table_header("type / match", 27)]
        for etype, s in self.by_type.items():
            lines.append(table_row(f"{etype} exact", s.exact, 27))
            lines.append(table_row(f"{etype} overlap", s.overlap, 27))
        return lines


@dataclass(frozen=True)
class TypedSuiteResult:
    """A suite with typed gold spans: SciREX or SciERC."""

    name: str
    documents: int
    gold_spans: dict[str, int]
    variants: tuple[TypedVariant, ...]
    excluded: dict[str, int] = field(default_factory=dict)  # gold types left out, with counts
    notes: tuple[str, ...] = ()
    published: tuple[tuple[str, float], ...] = ()
    false_positives: tuple[Pattern, ...] = ()
    misses: tuple[Pattern, ...] = ()
    false_positive_kinds: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    trained: TrainedNERResult | None = None  # SciERC: the SciERC-trained NER, when shipped

    def table(self) -> str:
        gold = ", ".join(f"{t} {n}" for t, n in self.gold_spans.items())
        lines = [f"{self.name}: {self.documents} documents; gold spans {gold}"]
        if self.excluded:
            lines.append("  gold types not ours, left out: "
                         + ", ".join(f"{t} {n}" for t, n in self.excluded.items()))
        for variant in self.variants:
            lines += ["", f"[{variant.label}]", table_header("type / match", 22)]
            for etype, s in variant.by_type.items():
                lines.append(table_row(f"{etype} exact", s.exact, 22))
                lines.append(table_row(f"{etype} overlap", s.overlap, 22))
        if self.trained is not None:
            lines += ["", *self.trained.rows()]
        if self.published:
            ours = self.variants[0].by_type["all"]
            rows = [("paperkg (4 types, exact)", ours)]
            if self.trained is not None:
                rows += [(f"{SCIERC_TRAINED} (6 types, exact)", self.trained.by_type[ALL_SIX]),
                         (f"{SCIERC_TRAINED} (4 types, exact)",
                          self.trained.by_type[MAPPED_FOUR])]
            width = max(28, *(len(name) for name, _ in rows))
            lines += ["", "published trained systems (entity F1, all 6 SciERC types, exact "
                      "match, pretrained transformers):"]
            lines += [f"  {name:{width}} {f1:5.1f}" for name, f1 in self.published]
            lines += [f"  {name:{width}} {100 * s.exact.f1:5.1f}   overlap "
                      f"{100 * s.overlap.f1:5.1f}" for name, s in rows]
            lines.append("  not directly comparable: paperkg (4 types) covers 4 of the 6 types "
                         "and is a rule pipeline, not trained on SciERC")
            if self.trained is not None:
                lines.append(f"  {SCIERC_TRAINED}: same task and metric as the published "
                             "systems (6 types exact), trained on SciERC train only, picked on "
                             "dev; a CNN on hash embeddings, pretrained (spacy pretrain) on "
                             "unlabeled abstracts only, no pretrained transformer or vectors")
        lines += [f"  note: {n}" for n in self.notes]
        lines.append(_kinds_line(f"{self.name} overlap false positives "
                                 f"({self.variants[0].label})", self.false_positive_kinds))
        lines += _patterns(f"{self.name} top false positives ({self.variants[0].label})",
                           self.false_positives)
        lines += _patterns(f"{self.name} top misses ({self.variants[0].label})", self.misses)
        return "\n".join(lines)


def _typed_result(name: str, gold: list[Span], predicted: list[Span], documents: int,
                  excluded: dict[str, int], published: tuple[tuple[str, float], ...] = (),
                  seconds: float = 0.0) -> TypedSuiteResult:
    """Score ``predicted`` (labelled by ``MODEL_AS_METHOD``) with and without our models
    counted as methods; one extraction serves both."""
    variants = []
    without_models = [p for p in predicted if p.our_type != "model"]
    for label, spans in (("model -> Method", predicted), ("models left out", without_models)):
        by_type = {t: score_spans([g for g in gold if g.label == t],
                                  [p for p in spans if p.label == t]) for t in EXTERNAL_TYPES}
        by_type["all"] = score_spans(gold, spans)
        by_type[ANY_TYPE] = score_spans([dataclasses.replace(g, label=ANY_TYPE) for g in gold],
                                        [dataclasses.replace(p, label=ANY_TYPE) for p in spans])
        variants.append(TypedVariant(label, by_type))
    notes = []
    if not any(p.label == "Metric" for p in predicted):
        notes.append("no metric mentions predicted: the pipeline does not extract metrics yet")
    fps, misses = error_patterns(gold, predicted)
    return TypedSuiteResult(
        name=name, documents=documents,
        gold_spans={t: sum(g.label == t for g in _unique(gold)) for t in EXTERNAL_TYPES},
        variants=tuple(variants), excluded=excluded, notes=tuple(notes), published=published,
        false_positives=fps, misses=misses,
        false_positive_kinds=false_positive_kinds(gold, predicted), seconds=seconds)


def _read_jsonl(path: Path, what: str) -> list[tuple[int, dict[str, Any]]]:
    _require(path, what)
    return numbered_jsonl(path, what)


def _entity(path: Path, number: int, e: Any, text: str, keys: Sequence[str]) -> tuple[int, int,
                                                                                      str]:
    try:
        start, end, label = int(e["start"]), int(e["end"]), str(e["type"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ParseError(str(path), number, "entities with start, end and type",
                         got=repr(e)[:80]) from exc
    if not 0 <= start < end <= len(text):
        raise ParseError(str(path), number, f"an entity span inside its {len(text)}-character "
                         f"{'/'.join(keys)}", got=f"{start}..{end}")
    return start, end, label


def scirex(data_dir: Path | None = None, extractor: Extractor | None = None) -> TypedSuiteResult:
    """Mention F1 on SciREX titles+abstracts, by type, exact and overlap."""
    path = Path(data_dir or default_data_dir()) / SCIREX_FILE
    records = _read_jsonl(path, "SciREX titles+abstracts with entities")
    started = time.perf_counter()
    papers, gold = [], []
    for doc, (number, r) in enumerate(records):
        title, abstract = str(r.get("title") or ""), str(r.get("abstract") or "")
        if not title.strip():
            raise ParseError(str(path), number, "a non-empty title", got=repr(title))
        paper = Paper(str(r.get("doc_id") or f"scirex-{number}"), title=title, abstract=abstract)
        papers.append(paper)
        offset = {"title": 0, "abstract": len(title) + 2}
        for e in r.get("entities") or []:
            where = e.get("field") if isinstance(e, dict) else None
            if where not in offset:
                raise ParseError(str(path), number, "entities with field title or abstract",
                                 got=repr(where))
            source = title if where == "title" else abstract
            start, end, label = _entity(path, number, e, source, (where,))
            if label in EXTERNAL_TYPES:
                s, t = start + offset[where], end + offset[where]
                gold.append(Span(doc, s, t, label, paper.text[s:t]))
    predicted = predict_spans(_extractor(extractor), papers, MODEL_AS_METHOD)
    return _typed_result("SciREX", gold, predicted, len(papers), {},
                         seconds=time.perf_counter() - started)


def scierc(data_dir: Path | None = None, extractor: Extractor | None = None,
           trained: bool | str | Path | SciercTagger = True) -> TypedSuiteResult:
    """Entity F1 on the SciERC test abstracts, its types mapped to ours, beside published
    systems (Task, Method, Material, Metric kept; OtherScientificTerm and Generic left out).

    ``trained`` adds the SciERC-trained NER's scores (``TypedSuiteResult.trained``): ``True``
    the shipped ``extractors/models/scierc-ner`` if it exists, a path another model, a function
    from abstracts to ``(start, end, label)`` entities a stand-in, ``False`` none.
    """
    path = Path(data_dir or default_data_dir()) / SCIERC_FILE
    records = _read_jsonl(path, "SciERC abstracts with character-offset entities")
    started = time.perf_counter()
    papers, texts, gold, all_gold = [], [], [], []
    excluded: Counter[str] = Counter()
    for doc, (number, r) in enumerate(records):
        text = str(r.get("abstract") or "")
        if not text.strip():
            raise ParseError(str(path), number, "a non-empty abstract", got=repr(text[:40]))
        papers.append(Paper(str(r.get("doc_key") or f"scierc-{number}"), title=text))
        texts.append(text)
        for e in r.get("entities") or []:
            start, end, label = _entity(path, number, e, text, ("abstract",))
            all_gold.append(Span(doc, start, end, label, text[start:end]))
            if label in EXTERNAL_TYPES:
                gold.append(Span(doc, start, end, label, text[start:end]))
            elif label in SCIERC_EXCLUDED:
                excluded[label] += 1
            else:
                raise ParseError(str(path), number, "SciERC entity types "
                                 f"{', '.join((*EXTERNAL_TYPES, *SCIERC_EXCLUDED))}",
                                 got=repr(label))
    predicted = predict_spans(_extractor(extractor), papers, MODEL_AS_METHOD)
    result = _typed_result("SciERC test", gold, predicted, len(papers),
                           {t: excluded[t] for t in SCIERC_EXCLUDED}, SCIERC_PUBLISHED)
    found = _scierc_tagger(trained)
    if found is not None:
        name, tag = found
        result = dataclasses.replace(result, trained=score_trained(
            name, all_gold, tag(texts)))
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def _scierc_tagger(trained: bool | str | Path | SciercTagger
                   ) -> tuple[str, SciercTagger] | None:
    """The model's name and its tagging function, or ``None`` (not asked for, not shipped)."""
    if trained is False:
        return None
    if callable(trained):
        return getattr(trained, "__name__", "stand-in"), trained
    from extractors.ner.scierc import MODEL_DIR, tagger

    model = MODEL_DIR if trained is True else Path(trained)
    if not (model / "meta.json").is_file():
        if trained is True:
            return None
        raise ParseError(str(model), None, "a spaCy model folder (make scierc-model)",
                         got="no meta.json")
    root = Path(__file__).resolve().parents[2]
    name = str(model.relative_to(root)) if model.is_relative_to(root) else str(model)
    return name, tagger(model)


def score_trained(name: str, gold: Sequence[Span],
                  predicted: Sequence[Sequence[tuple[int, int, str]]]) -> TrainedNERResult:
    """Scores of ``predicted`` (for document ``i``, its ``(start, end, label)`` entities)
    against ``gold`` spans of all six SciERC types: per type, all six, the four ours map to."""
    spans = [Span(doc, start, end, label, "", "scierc-ner")
             for doc, entities in enumerate(predicted) for start, end, label in entities]
    kinds = (*EXTERNAL_TYPES, *SCIERC_EXCLUDED)
    by_type = {t: score_spans([g for g in gold if g.label == t],
                              [p for p in spans if p.label == t]) for t in kinds}
    by_type[ALL_SIX] = score_spans(gold, spans)
    by_type[MAPPED_FOUR] = score_spans([g for g in gold if g.label in EXTERNAL_TYPES],
                                       [p for p in spans if p.label in EXTERNAL_TYPES])
    return TrainedNERResult(name, by_type)


# -- the whole suite ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ExternalReport:
    """Every suite that ran, and the wall time (pipeline build included)."""

    data_dir: str
    dataset_mentions: DatasetMentionsResult | None = None
    scirex: TypedSuiteResult | None = None
    scierc: TypedSuiteResult | None = None
    seconds: float = 0.0

    def table(self) -> str:
        parts = [f"external suite over {self.data_dir} ({self.seconds:.1f} s)"]
        for result in (self.dataset_mentions, self.scirex, self.scierc):
            if result is not None:
                parts.append(result.table())
        return "\n\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data; every count also carries its precision, recall and F1."""
        return _jsonable(self)


def run_external(data_dir: str | Path | None = None, extractor: Extractor | None = None,
                 suites: Sequence[str] = SUITES,
                 trained: bool | str | Path | SciercTagger = True) -> ExternalReport:
    """Run the named suites (all by default) with one pipeline (``trained``: see ``scierc``).

    Raises:
        ValueError: an unknown suite name.
        ParseError: a data file is missing or malformed (before any extraction runs for it).
    """
    unknown = [s for s in suites if s not in SUITES]
    if unknown:
        raise ValueError(f"unknown external suite(s) {unknown}; available: {', '.join(SUITES)}")
    started = time.perf_counter()
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    if not base.is_dir():
        raise ParseError(str(base), None, f"the external data folder (with {', '.join(SUITES)}"
                         f"; set --data-dir or ${ENV_VAR})", got="no such directory")
    nlp = _extractor(extractor)
    results: dict[str, Any] = {}
    if "dataset_mentions" in suites:
        results["dataset_mentions"] = dataset_mentions(base, nlp)
    if "scirex" in suites:
        results["scirex"] = scirex(base, nlp)
    if "scierc" in suites:
        results["scierc"] = scierc(base, nlp, trained)
    return ExternalReport(str(base), seconds=time.perf_counter() - started, **results)


def _patterns(title: str, patterns: Sequence[Pattern]) -> list[str]:
    if not patterns:
        return []
    shown = "; ".join(f"{p.text!r} {p.label} x{p.count}" + (f" [{p.extractor}]"
                                                             if p.extractor else "")
                      for p in patterns)
    return [f"{title}: {shown}"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Counts):
        return value.as_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
