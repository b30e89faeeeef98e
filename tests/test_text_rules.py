"""Pure text rules: URLs, abbreviation definitions, name shapes, head-word typing."""

from __future__ import annotations

import re

import pytest

from extractors.abbreviations import best_long_form, find_abbreviations
from extractors.components.candidates import _has_letter
from extractors.shapes import head_type, is_generic, is_name_shaped, morphology_type
from extractors.urls import FOLDS_TO_ASCII_LETTER, URL, find_identifiers, find_urls, strip_trailing
from kg.links import classify, link_entity


@pytest.mark.parametrize("text, url", [
    ("Code is at https://github.com/acme/tool.", "https://github.com/acme/tool"),
    ("(see https://example.org/page)", "https://example.org/page"),
    ("Model: https://huggingface.co/org/model-7b;", "https://huggingface.co/org/model-7b"),
    ("at https://aka.ms/LongMem, and", "https://aka.ms/LongMem"),
    ("site https://x.github.io/Proj/ now", "https://x.github.io/Proj/"),
    ("wiki https://en.wikipedia.org/wiki/A_(b).", "https://en.wikipedia.org/wiki/A_(b)"),
])
def test_urls_are_found_as_written_without_trailing_punctuation(text, url):
    found = find_urls(text)
    assert [f.url for f in found] == [url]
    assert text[found[0].start:found[0].end] == url


def test_the_cheap_url_check_misses_nothing_the_pattern_finds():
    """``find_urls`` runs the pattern only on texts that may hold a URL; a character that the
    pattern matches to an ASCII letter regardless of case must still send the text to it."""
    folding = {chr(i) for i in range(0x80, 0x110000) if re.match("[a-z]", chr(i), re.I)}
    assert folding == FOLDS_TO_ASCII_LETTER
    for text in ("see HTTPS://X.org/a ü", "see httpſ://x.org/a", "at \u212aaggle ſ",
                 "at gİthub.com/a/b ü", "at WWW.x.org é", "nothing here é", "nothing here"):
        assert [f.url for f in find_urls(text)] == [
            strip_trailing(m.group(0)) for m in URL.finditer(text)], text
    assert find_identifiers("doi 10.1145/3292500.3330701 and 10. x") == (
        "doi:10.1145/3292500.3330701",)


@pytest.mark.parametrize("url, kind, name, owner", [
    ("https://github.com/bytedance/HLLM/tree/main", "code", "github.com/bytedance/HLLM",
     "bytedance"),
    ("https://gitlab.com/grp/proj.git", "code", "gitlab.com/grp/proj", "grp"),
    ("https://huggingface.co/datasets/m-a-p/COIG", "dataset", "huggingface.co/datasets/m-a-p/COIG",
     "m-a-p"),
    ("https://huggingface.co/openbmb/MiniCPM-2B", "model", "huggingface.co/openbmb/MiniCPM-2B",
     "openbmb"),
    ("https://huggingface.co/spaces/a/demo", "project", "huggingface.co/spaces/a/demo", "a"),
    ("https://sites.google.com/view/mend", "project", "sites.google.com/view/mend", ""),
])
def test_link_kinds_and_canonical_names(url, kind, name, owner):
    assert classify(url) == (kind, name, owner)


def test_link_entity_ids_fold_case_and_map_owner():
    class Org:
        id, type = "organization:bytedance", "organization"

    entity = link_entity("https://github.com/ByteDance/HLLM", {"ByteDance": Org()}.get)
    assert entity.id == "link:github.com/bytedance/hllm"
    assert entity.owner == "organization:bytedance" and entity.kind == "code"
    assert strip_trailing("https://a.org/x).") == "https://a.org/x"


@pytest.mark.parametrize("text, short, long", [
    ("the objective Mixture-of-Denoisers (MoD) works", "MoD", "Mixture-of-Denoisers"),
    ("with masked language modeling (MLM) only", "MLM", "masked language modeling"),
    ("via Parameter-Efficient Fine-Tuning (PEFTs) methods", "PEFTs",
     "Parameter-Efficient Fine-Tuning"),
    ("One-Shot Neural Architecture Search (NAS) algorithms", "NAS",
     "Neural Architecture Search"),
])
def test_abbreviation_definitions(text, short, long):
    pairs = find_abbreviations(text)
    assert [(p.short, p.long) for p in pairs] == [(short, long)]
    pair = pairs[0]
    assert text[pair.short_start:pair.short_end] == short
    assert text[pair.long_start:pair.long_end] == long


def test_parentheses_that_are_not_definitions():
    assert find_abbreviations("accuracy improves (by 3 points) on average") == []
    assert find_abbreviations("we use BERT (Devlin et al., 2019) here") == []
    assert best_long_form("XYZ", "nothing matches here") is None


def test_name_shapes_and_generic_terms():
    assert all(map(is_name_shaped, ["NetMamba", "bert2BERT", "P-Aligner", "C4", "GPT-4"]))
    assert not any(map(is_name_shaped, ["Language", "the", "7B", "v2", "2.8%"]))
    assert is_generic("LLMs") and is_generic("GPU") and not is_generic("NetMamba")


def test_head_and_morphology_types():
    assert head_type("a new benchmark") == "dataset"
    assert head_type("linear-time state space model") == "model"
    assert head_type("contrastive learning framework") == "method"
    assert head_type("network traffic classification") == "task"
    assert head_type("the results") == ""
    assert morphology_type("MosaicBERT") == "model"
    assert morphology_type("CIF-Bench") == "dataset"
    assert morphology_type("TALE") == ""


@pytest.mark.parametrize("text", ["GPT-4", "1.5%", "", "--", "x", "²", "½", "Éval", "ǅ-3",
                                  "٣٤", "αβ", "_1", " ", "7B "])
def test_the_letter_check_is_isalpha_on_any_character(text):
    assert _has_letter(text) == any(c.isalpha() for c in text)
