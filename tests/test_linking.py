"""Linking: variants of one name become one entity; abbreviations, checkpoints and links."""

from __future__ import annotations

import pytest

from extractors.kb import load_kb
from extractors.pipeline import Extractor
from kg.link import Linker, cluster_mentions, name_key
from kg.model import Mention, Paper


def mention(text: str, type_: str = "model", kb_id: str = "", extractor: str = "shape",
            start: int = 0, family: str = "") -> Mention:
    return Mention(type=type_, text=text, start=start, end=start + len(text), sentence=text,
                   extractor=extractor, kb_id=kb_id, family=family)


@pytest.fixture(scope="module")
def linker() -> Linker:
    return Linker(load_kb())


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def link_text(extractor: Extractor, linker: Linker, abstract: str, title: str = "A study"):
    paper = Paper(id="p1", title=title, abstract=abstract)
    found = extractor.extract_one(paper)
    return linker.link(paper, found.mentions, found.alias_pairs)


def test_name_key_folds_case_hyphens_spaces_and_plural():
    assert name_key("Llama 2") == name_key("LLaMA-2") == name_key("Llama2")
    assert name_key("Transformers") == name_key("transformer")
    assert name_key("Loss") != name_key("Lo")


def test_case_hyphen_space_variants_cluster():
    clusters = cluster_mentions([mention("ZorbNet-2"), mention("Zorbnet 2", start=20),
                                 mention("ZORBNET2", start=40), mention("Other", start=60)])
    assert sorted(len(c) for c in clusters) == [1, 3]


def test_abbreviation_pairs_cluster_long_and_short_forms():
    m = [mention("Mixture-of-Denoisers", "method"), mention("MoD", "method", start=30)]
    assert len(cluster_mentions(m, [("MoD", "Mixture-of-Denoisers")])) == 1


def test_known_model_spellings_become_one_kb_entity(extractor, linker):
    result = link_text(extractor, linker, "We tune Llama 2, LLaMA-2 and Llama2 models.")
    llama = [e for e in result.entities if e.id == "model:llama-2"]
    assert len(llama) == 1
    assert {"LLaMA-2", "Llama2"} <= set(llama[0].aliases) | {llama[0].name}
    relations = [r for r in result.relations if r.entity_id == "model:llama-2"]
    assert len(relations) == 1 and len(relations[0].evidence) == 3


def test_acronym_and_long_form_are_one_entity(extractor, linker):
    result = link_text(extractor, linker,
                       "We propose widget gradient regularization (WGR). WGR trains fast.")
    wgr = [e for e in result.entities if "WGR" in (e.name, *e.aliases)]
    assert len(wgr) == 1
    assert wgr[0].name == "widget gradient regularization"
    assert wgr[0].id == "method:widget-gradient-regularization"


def test_sized_checkpoint_gets_its_family(extractor, linker):
    result = link_text(extractor, linker, "We compare Qwen2.5-14B-Instruct with Mistral 7B.")
    by_id = {e.id: e for e in result.entities}
    variant = next(e for e in result.entities if e.name == "Qwen2.5-14B-Instruct")
    assert variant.family and variant.family in by_id  # the family node comes along
    assert by_id[variant.family].name.lower().startswith("qwen2.5")


def test_proposed_wins_over_used_for_one_entity(extractor, linker):
    result = link_text(extractor, linker,
                       "We introduce ZorbNet, an efficient model. ZorbNet beats BERT.",
                       title="ZorbNet: Fast Widgets")
    kinds = {(r.entity_id, r.kind) for r in result.relations}
    assert ("model:zorbnet", "PROPOSES") in kinds
    assert ("model:zorbnet", "USES") not in kinds
    assert ("model:bert", "USES") in kinds


def test_link_entity_owner_becomes_hosted_by(extractor, linker):
    result = link_text(extractor, linker, "Code: https://github.com/facebookresearch/widget.")
    link = next(e for e in result.entities if e.type == "link")
    assert link.id == "link:github.com/facebookresearch/widget"
    assert link.owner and link.owner in {e.id for e in result.entities}


def test_a_short_form_defined_otherwise_does_not_take_the_known_entry(extractor, linker):
    """The paper's definition wins: the long form never becomes an alias of another thing."""
    cases = {
        "We propose a cross-modal learning approach (CLIP) for retrieval. CLIP wins.":
            ("method:cross-modal-learning-approach", "CLIP", "model:clip"),
        "We introduce the Graph Retrieval Unit (GRU). The GRU is fast.":
            ("method:graph-retrieval-unit", "GRU", "model:gru"),
        "We devise a feature alignment and intention reasoning (FAIR) layer. FAIR helps.":
            ("task:feature-alignment-and-intention-reasoning", "FAIR", "organization:fair"),
    }
    for abstract, (new_id, short, known_id) in cases.items():
        entities = {e.id: e for e in link_text(extractor, linker, abstract).entities}
        assert known_id not in entities, abstract
        assert short in entities[new_id].aliases
    # defined as something that is no mention: dropped rather than linked to Segment Anything
    found = link_text(extractor, linker, "We use stochastic average momentum (SAM). SAM helps.")
    ids = {e.id for e in found.entities}
    assert "model:segment-anything-model" not in ids


def test_a_short_form_defined_as_its_entry_keeps_it(extractor, linker):
    """The entry's own spelling, however inflected, cut or spelled, keeps the link."""
    entities = {e.id: e for e in link_text(
        extractor, linker,
        "We fine-tune the Segment Anything (SAM) model, compare with Gated Recurrent Units "
        "(GRUs) and Facebook AI Research (FAIR) models, and study text to speech (TTS) and "
        "question and answer (QA) with low-rank adapters (LoRA).").entities}
    for known, short in (("model:segment-anything-model", "SAM"), ("model:gru", "GRUs"),
                         ("organization:fair", "FAIR"), ("task:text-to-speech", "TTS"),
                         ("task:question-answering", "QA"), ("method:lora", "LoRA")):
        assert known in entities, known
        forms = (entities[known].name, *entities[known].aliases)
        assert name_key(short) in {name_key(f) for f in forms}, known  # "GRUs" is "GRU"
