"""A CPU spaCy NER trained on SciERC itself, with all six SciERC labels: how far such a model gets.

The published SciERC systems (DyGIE++, PURE, PL-Marker) are trained on SciERC with pretrained
transformers and scored by entity F1 over the six types, exact span and type. This module gives
the same task to a model this project can train on a CPU without downloads: a hash-embedding CNN
tok2vec, pretrained on unlabeled abstracts (``extractors.ner.pretrain``), and spaCy's
transition-based NER (``scierc.cfg``), on the ``train`` split, with the best checkpoint picked on
``dev``. ``kg eval --suite external`` scores the saved model on the test split
beside those systems; this module never reads the test split.

Text is tokenized by our tokenizer (``extractors.ner.tokenizer``), so the model could be sourced
into the extraction pipeline later. SciERC's text is DyGIE tokens joined by spaces, so every gold
boundary falls on one of our token boundaries (ours only split further, at hyphens and slashes).
SciERC nests about 1% of its entities ("approximation of [HPSG]"); a flat NER keeps one, the
longest, for training; scoring keeps all of them, so nested gold is a miss.

    python -m extractors.ner.pretrain corpus --data ../shared/data/external \\
        --out build/scierc-pretrain/raw.jsonl
    python -m spacy pretrain extractors/ner/scierc.cfg build/scierc-pretrain/out \\
        --code extractors/ner/pretrain.py --paths.raw_text build/scierc-pretrain/raw.jsonl
    python -m extractors.ner.scierc prepare --data ../shared/data/external/scierc \\
        --out build/scierc-ner
    python -m spacy train extractors/ner/scierc.cfg --code extractors/ner/pretrain.py \\
        --output build/scierc-ner/training --paths.train build/scierc-ner/train.spacy \\
        --paths.dev build/scierc-ner/dev.spacy \\
        --paths.init_tok2vec build/scierc-pretrain/out/model-last.bin
    python -m extractors.ner.scierc evaluate build/scierc-ner/training/model-best \\
        --data ../shared/data/external/scierc --split dev

(``make scierc-model`` runs all but the last, the pretraining only when its weights are missing,
and copies the best model to ``MODEL_DIR``.)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

from extractors.ner.tokenizer import blank_nlp

if TYPE_CHECKING:
    from kg.evaluation.external import TrainedNERResult

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "scierc-ner"
CONFIG = Path(__file__).resolve().with_name("scierc.cfg")
# SciERC's six entity types; the first four are the ones our contract maps (model/method ->
# Method, task -> Task, dataset -> Material, metric -> Metric).
LABELS: tuple[str, ...] = ("Task", "Method", "Metric", "Material", "OtherScientificTerm",
                           "Generic")
MAPPED: tuple[str, ...] = LABELS[:4]
SPLITS: tuple[str, ...] = ("train", "dev")  # the test split is the external suite's alone

# One predicted or gold entity: character offsets into the abstract and a SciERC label.
Entity = tuple[int, int, str]
Tagger = Callable[[Sequence[str]], list[list[Entity]]]


@dataclass(frozen=True, slots=True)
class Abstract:
    """One ``scierc_*_text.jsonl`` record: the abstract and its gold entities."""

    key: str
    text: str
    entities: tuple[Entity, ...]


def read_abstracts(path: Path) -> list[Abstract]:
    """The records of a ``scierc_{split}_text.jsonl`` file (character-offset entities).

    Raises:
        ValueError: a line is not JSON, an entity has an unknown label or lies outside its text;
            with the file and line.
    """
    abstracts = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = str(record["abstract"])
                entities = tuple((int(e["start"]), int(e["end"]), str(e["type"]))
                                 for e in record.get("entities") or ())
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path}:{number}: expected a SciERC record with an abstract "
                                 f"and entities (start, end, type): {exc}") from exc
            for start, end, label in entities:
                if label not in LABELS or not 0 <= start < end <= len(text):
                    raise ValueError(f"{path}:{number}: entity {start}..{end} {label!r} is not "
                                     f"a SciERC type inside the {len(text)}-character abstract")
            abstracts.append(Abstract(str(record.get("doc_key") or number), text, entities))
    return abstracts


def to_doc(nlp: Language, abstract: Abstract, stats: Counter[str]) -> Doc:
    """``abstract`` tokenized by ``nlp`` with its entities set; where SciERC nests entities
    the longest is kept (``filter_spans``) and the others are counted as dropped."""
    doc = nlp.make_doc(abstract.text)
    spans = []
    for start, end, label in abstract.entities:
        span = doc.char_span(start, end, label=label)
        if span is None:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            stats["spans aligned by expanding to whole tokens"] += 1
        spans.append(span)
        stats[label] += 1
    kept = filter_spans(spans)
    stats["nested spans dropped"] += len(spans) - len(kept)
    doc.set_ents(kept, default="outside")
    return doc


def prepare(data: Path, out: Path) -> dict[str, dict[str, int]]:
    """Write ``train.spacy`` and ``dev.spacy`` under ``out`` from ``data`` (the SciERC folder
    with ``scierc_{train,dev}_text.jsonl``) and return per-split counts (also in
    ``out/stats.json``)."""
    nlp = blank_nlp()
    out.mkdir(parents=True, exist_ok=True)
    report = {}
    for split in SPLITS:
        stats: Counter[str] = Counter()
        abstracts = read_abstracts(data / f"scierc_{split}_text.jsonl")
        docs = [to_doc(nlp, a, stats) for a in abstracts]
        DocBin(docs=docs, attrs=["ORTH", "SPACY", "ENT_IOB", "ENT_TYPE"]).to_disk(
            out / f"{split}.spacy")
        stats["abstracts"] = len(docs)
        stats["tokens"] = sum(len(d) for d in docs)
        report[split] = dict(sorted(stats.items()))
    (out / "stats.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


def tagger(model: str | Path | Language = MODEL_DIR) -> Tagger:
    """A function from abstracts to the entities the trained model predicts in each."""
    import spacy

    nlp = model if isinstance(model, Language) else spacy.load(model)

    def tag(texts: Sequence[str]) -> list[list[Entity]]:
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
                for doc in nlp.pipe(texts, batch_size=16)]

    return tag


def evaluate(model: str | Path, data: Path, split: str = "dev") -> TrainedNERResult:
    """Scores of ``model`` on a train or dev split as the external suite scores the test split:
    every gold entity (nested ones too), per type, all six types, the four ours map to."""
    from kg.evaluation.external import Span as GoldSpan
    from kg.evaluation.external import score_trained

    if split not in SPLITS:
        raise ValueError(f"split {split!r}: only {', '.join(SPLITS)}; the test split is scored "
                         "by `kg eval --suite external`")
    abstracts = read_abstracts(data / f"scierc_{split}_text.jsonl")
    gold = [GoldSpan(i, start, end, label, a.text[start:end])
            for i, a in enumerate(abstracts) for start, end, label in a.entities]
    return score_trained(str(model), gold, tagger(model)([a.text for a in abstracts]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare", help="train.spacy and dev.spacy with the six labels")
    prep.add_argument("--data", type=Path, default=Path("../shared/data/external/scierc"))
    prep.add_argument("--out", type=Path, default=Path("build/scierc-ner"))
    ev = commands.add_parser("evaluate", help="exact entity F1 on the train or dev split")
    ev.add_argument("model", type=Path, nargs="?", default=MODEL_DIR)
    ev.add_argument("--data", type=Path, default=Path("../shared/data/external/scierc"))
    ev.add_argument("--split", choices=SPLITS, default="dev")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        json.dump(prepare(args.data, args.out), sys.stdout, indent=1)
        print()
        return 0
    print("\n".join(evaluate(args.model, args.data, args.split).rows()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
