"""The SciERC NER's pretraining text and objective (extractors/ner/pretrain.py), on fixtures.

No pretraining here: the corpus step on a few records, and one update of the objective on the
real config's model, whose tok2vec weights must load into a trained model's ``ner`` as spaCy's
``[initialize] init_tok2vec`` loads them.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from spacy.training.pretrain import create_pretraining_model, get_tok2vec_ref, make_update
from spacy.util import load_config, load_model_from_config, registry
from thinc.api import fix_random_seed

from extractors.ner.pretrain import corpus
from extractors.ner.scierc import CONFIG

EXTERNAL = Path(__file__).parent / "fixtures" / "external"
HELD_OUT = ("We present ResNet, a residual learning framework. On the ImageNet test set, "
            "ResNet reaches 3.57% top-5 error.")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """SciERC splits and SciREX from the fixtures, and a paperlists file of five records."""
    (tmp_path / "scierc").mkdir()
    for split in ("train", "dev", "test"):
        shutil.copy(EXTERNAL / "scierc" / "scierc_test_text.jsonl",
                    tmp_path / "scierc" / f"scierc_{split}_text.jsonl")
    shutil.copytree(EXTERNAL / "scirex", tmp_path / "scirex")
    records = [{"id": "a", "venue": "acl", "abstract": "We parse  sentences\nwith a CNN."},
               {"id": "b", "venue": "nips", "abstract": HELD_OUT},  # a SciREX abstract
               {"id": "c", "venue": "icra", "abstract": "A robot grasps cups."},
               {"id": "d", "venue": "cvpr", "abstract": "We parse sentences with a CNN."},
               {"id": "e", "venue": "iclr", "abstract": "Transformers learn in context."},
               {"id": "f", "venue": "iclr", "abstract": ""}]
    (tmp_path / "paperlists").mkdir()
    with gzip.open(tmp_path / "paperlists" / "paperlists_title_abstract.jsonl.gz", "wt") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)
    return tmp_path


def test_corpus_leaves_out_held_out_abstracts_far_venues_and_duplicates(data, tmp_path):
    stats = corpus(data, tmp_path / "raw.jsonl", papers=10)
    texts = [json.loads(line)["text"]
             for line in (tmp_path / "raw.jsonl").read_text(encoding="utf-8").splitlines()]
    # SciERC train (here the fixture's dev and test too, so it is held out: nothing from it)
    assert texts == ["We parse sentences with a CNN.", "Transformers learn in context."]
    assert stats["paperlists dropped as held out"] == 1
    assert stats["paperlists dropped as duplicates"] == 1
    assert stats["scierc train abstracts"] == 0


def test_corpus_sample_is_fixed_by_the_seed(data, tmp_path):
    corpus(data, tmp_path / "one.jsonl", papers=1, seed=3)
    corpus(data, tmp_path / "two.jsonl", papers=1, seed=3)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert len((tmp_path / "one.jsonl").read_text(encoding="utf-8").splitlines()) == 1


def test_pretrained_tok2vec_loads_into_the_ner_model():
    import extractors.ner.pretrain  # noqa: F401  (registers the objective)

    fix_random_seed(0)
    config = load_config(CONFIG)
    nlp = load_model_from_config(config, auto_fill=True)
    pretraining = registry.resolve(nlp.config.interpolate()["pretraining"])
    assert (pretraining["component"], pretraining["layer"]) == ("ner", "tok2vec")
    model = create_pretraining_model(nlp, pretraining)
    docs = [nlp.make_doc("We train a phrase-based model on Turkish text and report BLEU.")] * 4
    loss = make_update(model, docs, pretraining["optimizer"], model.attrs["loss"])
    assert loss > 0
    weights = model.get_ref("tok2vec").to_bytes()

    trained = load_model_from_config(config, auto_fill=True)
    trained.get_pipe("ner").add_label("Task")
    trained.initialize()
    get_tok2vec_ref(trained, pretraining).from_bytes(weights)
    assert get_tok2vec_ref(trained, pretraining).to_bytes() == weights
