"""The statistical NER: the shipped model, its place in the rule pipeline, its training data."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.components.ner import (
    GROUP,
    TYPES,
    ModelNotFoundError,
    NerSpans,
    add_statistical_ner,
    is_junk,
    load_model,
)
from extractors.ner import LABELS, MODEL_DIR
from extractors.ner.prepare import Stats, dataset_mention_docs, scierc_docs
from extractors.ner.tokenizer import blank_nlp
from extractors.pipeline import build_nlp

FIXTURES = Path(__file__).parent / "fixtures" / "ner"
# Made-up names: "Quibble" the rules find ("the X corpus"), "OrbitQA" and "GrapeNorm" they do not.
TEXT = "Results on the Quibble corpus and on OrbitQA confirm the gains of GrapeNorm."


@pytest.fixture(scope="module")
def trained() -> Language:
    return load_model()


@pytest.fixture(scope="module")
def combined(trained: Language) -> Language:
    return add_statistical_ner(build_nlp(), trained)


def _ents(doc: Doc) -> list[tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents]


def _iob(doc: Doc) -> str:
    """One letter a token: B/I/O, or ``-`` where the annotation is missing."""
    return "".join(t.ent_iob_ or "-" for t in doc)


# -- the model ---------------------------------------------------------------------------------
def test_model_loads_offline_from_the_package(trained: Language) -> None:
    assert MODEL_DIR.is_dir()
    assert trained.pipe_names == ["ner"]
    assert set(trained.get_pipe("ner").labels) == set(LABELS)
    # The model tokenizes exactly as the extraction pipeline does.
    text = "GPT-4 and DiT-L/2 reach ~7B on ImageNet-1K (Llama 2)."
    assert [t.text for t in trained(text)] == [t.text for t in build_nlp().make_doc(text)]


def test_missing_model_names_the_path_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=r"no trained NER model at .*make model"):
        load_model(tmp_path)


def test_tokenizer_is_the_pipeline_tokenizer() -> None:
    ours = blank_nlp().tokenizer.infix_finditer.__self__.pattern
    assert ours == build_nlp().tokenizer.infix_finditer.__self__.pattern


# -- the combined pipeline --------------------------------------------------------------------
def test_sourced_ner_runs_after_the_rules(combined: Language) -> None:
    names = combined.pipe_names
    assert names[-2:] == ["sci_ner", "kg_ner_spans"]
    doc = combined(TEXT)
    assert doc.spans[GROUP], "the model finds names the rules did not"
    assert {s.label_ for s in doc.spans[GROUP]} <= set(TYPES)
    rule_tokens = {i for g in doc.spans if g != GROUP for s in doc.spans[g]
                   for i in range(s.start, s.end)}
    overlapped = [e for e in doc.ents if rule_tokens & set(range(e.start, e.end))]
    assert overlapped, "the model also finds a name the rules found"
    for span in doc.spans[GROUP]:
        assert not rule_tokens & set(range(span.start, span.end)), span.text


def test_rule_spans_win_and_junk_is_dropped() -> None:
    doc = blank_nlp()("We train ZetaNet and BERT on FooBench with fine-tuning .")
    ents = {"ZetaNet": "METHOD", "BERT": "MODEL", "FooBench": "DATASET", "fine": "METHOD"}
    spans = []
    for token in doc:
        if token.text in ents:
            end = token.i + 3 if token.text == "fine" else token.i + 1  # "fine - tuning"
            spans.append(Span(doc, token.i, end, label=ents[token.text]))
    doc.ents = spans
    bert = next(t.i for t in doc if t.text == "BERT")
    doc.spans["gazetteer"] = [Span(doc, bert, bert + 1, label="model")]
    NerSpans("kg_ner_spans", TYPES)(doc)
    # BERT is the gazetteer's; "fine-tuning" is a bare activity; ZetaNet is a model by shape.
    assert [(s.text, s.label_) for s in doc.spans[GROUP]] == [("ZetaNet", "model"),
                                                               ("FooBench", "dataset")]


def test_types_can_be_limited() -> None:
    doc = blank_nlp()("FooBench measures BLEU .")
    doc.ents = [Span(doc, 0, 1, label="DATASET"), Span(doc, 2, 3, label="METRIC")]
    NerSpans("kg_ner_spans", ["dataset"])(doc)
    assert [s.text for s in doc.spans[GROUP]] == ["FooBench"]
    with pytest.raises(ValueError, match=r"unknown NER types \['person'\]"):
        NerSpans("kg_ner_spans", ["person"])


@pytest.mark.parametrize(("text", "kind", "junk"), [
    ("ActivityNet Captions", "dataset", False), ("video benchmark", "dataset", True),
    ("multimodal LLMs", "model", True), ("in-context learning", "method", False),
    ("training", "method", True), ("captioning", "task", False), ("performance", "task", True),
])
def test_junk(text: str, kind: str, junk: bool) -> None:
    assert is_junk(text, kind) is junk


# -- training data -------------------------------------------------------------------------------
def test_scierc_conversion() -> None:
    stats = Stats()
    first, second = scierc_docs(FIXTURES / "scierc_tiny.jsonl", blank_nlp(), stats)
    # "( GMM )" is split off; a generic-headed Method and a bare language are missing, not
    # wrong; Generic spans are outside.
    assert _ents(first) == [("GMM", "METHOD"), ("speech recognition", "TASK"),
                            ("Wall Street Journal corpus", "DATASET"), ("accuracy", "METRIC")]
    missing = [t.text for t in first if t.ent_iob_ == ""]
    assert missing == ["differential", "Gaussian", "mixture", "model", "lexical", "cohesion",
                       "-", "based", "approach", "English"]
    assert next(t for t in first if t.text == "baselines").ent_iob_ == "O"
    assert _ents(second) == [("Named entity recognition", "TASK"),
                             ("conditional random fields", "METHOD"), ("CRF", "METHOD"),
                             ("F1", "METRIC")]
    assert stats.counts["scierc: spans dropped (no token alignment)"] == 0
    assert stats.counts["scierc: Method"] == 3


def test_dataset_mentions_conversion() -> None:
    path = FIXTURES / "dataset_mentions_tiny.csv"
    stats = Stats()
    train = dataset_mention_docs(path, blank_nlp(), stats, "train")
    assert [_ents(d) for d in train] == [
        [("MegaFace", "DATASET")],
        [],  # "Geen Dataset": a negative
        [("ImageNet", "DATASET"), ("CIFAR-10", "DATASET")],  # "the background corpus": no name
    ]
    assert all("-" not in _iob(d) for d in train), "every token is annotated"
    assert stats.counts["dataset_mentions: spans with no name (outside)"] == 1
    dev = dataset_mention_docs(path, blank_nlp(), Stats(), "dev")
    assert [_ents(d) for d in dev] == [[("3DMatch", "DATASET")]]
