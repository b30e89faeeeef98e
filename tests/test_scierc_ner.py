"""The SciERC-trained NER's data and scoring (extractors/ner/scierc.py) on a one-abstract fixture.

No training here: a blank pipeline with an entity ruler stands in for the trained model, so the
load-predict-score path is the real one without the big files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from spacy.tokens import DocBin

from extractors.ner.scierc import evaluate, prepare, read_abstracts, tagger
from extractors.ner.tokenizer import blank_nlp
from kg.evaluation.counts import Counts
from kg.evaluation.external import scierc

FIXTURE = Path(__file__).parent / "fixtures" / "external" / "scierc" / "scierc_test_text.jsonl"


@pytest.fixture
def splits(tmp_path: Path) -> Path:
    """The fixture abstract as a train and a dev split."""
    for split in ("train", "dev"):
        shutil.copy(FIXTURE, tmp_path / f"scierc_{split}_text.jsonl")
    return tmp_path


@pytest.fixture
def ruler_model(tmp_path: Path) -> Path:
    """A saved pipeline that finds "machine translation" (Task) and "BLEU" (Metric) only."""
    nlp = blank_nlp()
    nlp.add_pipe("entity_ruler").add_patterns([
        {"label": "Task", "pattern": "machine translation"},
        {"label": "Metric", "pattern": "BLEU"}])
    nlp.to_disk(tmp_path / "model")
    return tmp_path / "model"


def test_prepare_keeps_six_labels_and_the_longest_of_nested_spans(splits, tmp_path):
    report = prepare(splits, tmp_path / "out")
    assert report["train"]["nested spans dropped"] == 1  # "Turkish" inside "Turkish text"
    assert report["dev"]["abstracts"] == 1
    doc = next(DocBin().from_disk(tmp_path / "out" / "train.spacy").get_docs(blank_nlp().vocab))
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("machine translation", "Task"), ("Turkish text", "Material"), ("approach", "Generic"),
        ("phrase-based model", "Method"), ("BLEU", "Metric")]
    assert [t.text for t in doc.ents[3]] == ["phrase", "-", "based", "model"]  # our tokenizer
    assert all(t.ent_iob_ for t in doc)  # every other token is outside, not missing


def test_read_abstracts_rejects_unknown_labels(tmp_path):
    bad = tmp_path / "scierc_train_text.jsonl"
    bad.write_text('{"abstract": "Some text", "entities": [{"start": 0, "end": 4, '
                   '"type": "Dataset"}]}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"scierc_train_text\.jsonl:1: .*'Dataset'"):
        read_abstracts(bad)


def test_tagger_and_dev_scores(splits, ruler_model):
    text = read_abstracts(FIXTURE)[0].text
    assert tagger(ruler_model)([text]) == [[(9, 28, "Task"), (100, 104, "Metric")]]
    scores = evaluate(ruler_model, splits, "dev").by_type
    assert scores["all 6 types"].exact == Counts(tp=2, fp=0, fn=4)
    assert scores["4 mapped types"].exact == Counts(tp=2, fp=0, fn=2)
    with pytest.raises(ValueError, match="only train, dev"):
        evaluate(ruler_model, splits, "test")


def test_external_suite_loads_a_model_folder(ruler_model):
    class NoMentions:
        def extract(self, papers):
            from extractors.pipeline import PaperMentions

            return (PaperMentions(p, (), ()) for p in papers)

    result = scierc(FIXTURE.parent.parent, NoMentions(), trained=ruler_model)
    assert result.trained is not None and result.trained.model.endswith("model")
    assert result.trained.by_type["all 6 types"].exact == Counts(tp=2, fp=0, fn=4)
    assert "paperkg SciERC-trained CPU NER (6 types, exact)  50.0" in result.table()
