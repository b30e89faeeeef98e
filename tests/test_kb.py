"""The shipped knowledge base loads, is consistent, and the loader rejects bad files."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from extractors.kb import KB_TYPES, KBEntry, KnowledgeBase, load_kb, surface_key
from kg.errors import ParseError
from kg.ids import slug

MINIMUM = {"model": 300, "dataset": 150, "method": 150, "task": 100, "metric": 40,
           "organization": 80}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_kb()


def write(directory: Path, name: str, *rows: object) -> Path:
    path = directory / name
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def entry(entry_id: str, name: str, **extra: object) -> dict:
    return {"id": entry_id, "type": entry_id.split(":")[0], "name": name, **extra}


# ---- the shipped data


def test_shipped_kb_loads_with_enough_entries_of_each_type(kb: KnowledgeBase) -> None:
    counts = Counter(e.type for e in kb)
    for entry_type, minimum in MINIMUM.items():
        assert counts[entry_type] >= minimum, (entry_type, counts[entry_type])
    assert set(counts) <= set(KB_TYPES)
    assert len(kb) == sum(counts.values())


def test_load_kb_is_cached(kb: KnowledgeBase) -> None:
    assert load_kb() is kb


def test_no_alias_belongs_to_two_ids(kb: KnowledgeBase) -> None:
    owner: dict[str, str] = {}
    clashes = []
    for e in kb:
        for form in kb.surface_forms(e):
            key = re.sub(r"[\s\-_]+", "", form.lower())
            other = owner.setdefault(key, e.id)
            if other != e.id:
                clashes.append((form, other, e.id))
    assert clashes == []


def test_families_exist_and_have_the_same_type(kb: KnowledgeBase) -> None:
    for e in kb:
        if e.family:
            family = kb.get(e.family)
            assert family is not None, e.id
            assert family.type == e.type and family.id != e.id


def test_ids_follow_the_slug_rule(kb: KnowledgeBase) -> None:
    for e in kb:
        assert re.fullmatch(r"[a-z]+:[a-z0-9]+(-[a-z0-9]+)*", e.id), e.id
        assert e.id == f"{e.type}:{slug(e.name.replace('+', ' plus '))}", (e.id, e.name)


def test_no_blank_or_generic_aliases(kb: KnowledgeBase) -> None:
    generic = {"training", "finetuning", "pretraining", "learning", "optimization", "pruning",
               "quantization", "inference", "evaluation", "attention", "transformerbased",
               "recall", "precision", "forecasting", "model", "dataset", "benchmark"}
    for e in kb:
        for form in kb.surface_forms(e):
            assert form.strip() == form and form, (e.id, form)
            assert surface_key(form) not in generic, (e.id, form)


def test_code_owners_only_on_organizations_and_unique(kb: KnowledgeBase) -> None:
    seen: dict[str, str] = {}
    for e in kb:
        if e.code_owners:
            assert e.type == "organization", e.id
        for handle in e.code_owners:
            assert seen.setdefault(handle.lower(), e.id) == e.id, handle


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("llama-2", "model:llama-2"),
        ("Llama2", "model:llama-2"),
        ("LLaMA 2", "model:llama-2"),
        ("llama_2", "model:llama-2"),
        ("Llama-2-7B", "model:llama-2-7b"),
        ("GPT-3.5", "model:gpt-3-5"),
        ("gpt 4o", "model:gpt-4o"),
        ("XLM-R", "model:xlm-roberta"),
        ("bert base", "model:bert-base"),
        ("mscoco", "dataset:ms-coco"),
        ("SQuAD v2.0", "dataset:squad-2-0"),
        ("MultiNLI", "dataset:multinli"),
        ("masked language modeling", "method:masked-language-modeling"),
        ("MLM", "method:masked-language-modeling"),
        ("low-rank adaptation", "method:lora"),
        ("NER", "task:named-entity-recognition"),
        ("bleu", "metric:bleu"),
        ("Hugging Face", "organization:hugging-face"),
        ("PanGu-alpha", "model:pangu-alpha"),
        ("Tulu 3", "model:tulu-3"),
    ],
)
def test_lookup_folds_case_spaces_and_hyphens(kb: KnowledgeBase, surface: str,
                                              expected: str) -> None:
    found = kb.lookup(surface)
    assert found is not None and found.id == expected


def test_case_sensitive_entries_match_only_as_written(kb: KnowledgeBase) -> None:
    for surface, expected in [("OPT", "model:opt"), ("MATH", "dataset:math"),
                              ("Meta", "organization:meta"), ("BLOOM", "model:bloom"),
                              ("CNN", "model:cnn")]:
        found = kb.lookup(surface)
        assert found is not None and found.id == expected and found.case_sensitive
        assert kb.lookup(surface.lower()) is None
    assert kb.lookup("opt-1.3b") is None
    assert kb.lookup("OPT-1.3B").id == "model:opt-1-3b"


def test_surface_forms_are_name_then_aliases(kb: KnowledgeBase) -> None:
    llama = kb.get("model:llama-2")
    assert llama is not None
    assert kb.surface_forms(llama)[0] == "Llama 2"
    assert "GPT-2" in {e.name for e in kb.by_type("model")}
    assert all(e.type == "task" for e in kb.by_type("task"))


def test_owner_maps_code_hosts_to_organizations(kb: KnowledgeBase) -> None:
    meta = kb.owner("facebookresearch")
    assert meta is not None and meta.id == "organization:meta-ai"
    assert kb.owner("FacebookResearch") is meta
    assert kb.owner("openbmb").id == "organization:openbmb"
    assert kb.owner("google-deepmind").id == "organization:google-deepmind"
    assert kb.owner("no-such-handle-xyz") is None


# ---- the loader on bad input


def test_a_small_valid_directory_loads(tmp_path: Path) -> None:
    write(tmp_path, "models.jsonl", entry("model:acme", "Acme", aliases=["ACME-LM"]),
          "", entry("model:acme-7b", "Acme 7B", family="model:acme"))
    write(tmp_path, "orgs.jsonl", entry("organization:acme-labs", "Acme Labs",
                                        code_owners=["acme"], case_sensitive=True))
    kb = load_kb(tmp_path)
    assert len(kb) == 3
    assert kb.lookup("acme lm").id == "model:acme"
    assert kb.lookup("acme labs") is None and kb.lookup("Acme Labs") is not None
    assert kb.owner("ACME").id == "organization:acme-labs"
    assert kb.get("model:acme-7b") == KBEntry("model:acme-7b", "model", "Acme 7B", (),
                                              family="model:acme")


def test_malformed_json_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "models.jsonl", entry("model:a", "A"), '{"id": "model:b", ')
    with pytest.raises(ParseError, match=r"models\.jsonl:2: expected a JSON object"):
        load_kb(tmp_path)


def test_missing_field_is_a_parse_error(tmp_path: Path) -> None:
    write(tmp_path, "models.jsonl", {"id": "model:a", "type": "model"})
    with pytest.raises(ParseError, match=r"models\.jsonl:1: expected a JSON object with id"):
        load_kb(tmp_path)


def test_unknown_type_lists_the_allowed_types(tmp_path: Path) -> None:
    write(tmp_path, "extra.jsonl", entry("gadget:a", "A"))
    with pytest.raises(ParseError, match=r"extra\.jsonl:1: .*model, dataset, method, task"):
        load_kb(tmp_path)


def test_type_must_match_its_file(tmp_path: Path) -> None:
    write(tmp_path, "models.jsonl", entry("dataset:a", "A"))
    with pytest.raises(ParseError, match=r"models\.jsonl:1: expected type 'model'"):
        load_kb(tmp_path)


def test_bad_id_is_rejected(tmp_path: Path) -> None:
    write(tmp_path, "models.jsonl", entry("model:Bad Id", "Bad Id"))
    with pytest.raises(ParseError, match=r"models\.jsonl:1: .*model:bad-id"):
        load_kb(tmp_path)


def test_duplicate_id_names_both_places(tmp_path: Path) -> None:
    write(tmp_path, "models.jsonl", entry("model:a", "A"), entry("model:a", "A again"))
    with pytest.raises(ParseError, match=r"models\.jsonl:2: .*model:a also at .*models\.jsonl:1"):
        load_kb(tmp_path)


def test_alias_claimed_by_two_ids_names_both(tmp_path: Path) -> None:
    write(tmp_path, "models.jsonl", entry("model:a", "A", aliases=["Shared-Name"]))
    write(tmp_path, "tasks.jsonl", entry("task:b", "b", aliases=["shared name"]))
    with pytest.raises(ParseError, match=r"tasks\.jsonl:1: .*task:b.*model:a"):
        load_kb(tmp_path)


def test_missing_family_is_a_parse_error(tmp_path: Path) -> None:
    write(tmp_path, "models.jsonl", entry("model:a", "A"),
          entry("model:a-7b", "A 7B", family="model:nowhere"))
    with pytest.raises(ParseError, match=r"models\.jsonl:2: .*model:nowhere"):
        load_kb(tmp_path)


def test_bad_field_values_are_parse_errors(tmp_path: Path) -> None:
    write(tmp_path, "models.jsonl", entry("model:a", "A", aliases="not a list"))
    with pytest.raises(ParseError, match=r"models\.jsonl:1: expected 'aliases'"):
        load_kb(tmp_path)
    write(tmp_path, "models.jsonl", entry("model:a", "A", alias=["typo"]))
    with pytest.raises(ParseError, match=r"models\.jsonl:1: .*got alias"):
        load_kb(tmp_path)
    write(tmp_path, "models.jsonl", entry("model:a", "A", code_owners=["acme"]))
    with pytest.raises(ParseError, match=r"'code_owners' only on organization"):
        load_kb(tmp_path)


def test_code_owner_claimed_twice_is_a_parse_error(tmp_path: Path) -> None:
    write(tmp_path, "organizations.jsonl",
          entry("organization:a", "A Org", code_owners=["acme"]),
          entry("organization:b", "B Org", code_owners=["ACME"]))
    with pytest.raises(ParseError, match=r"organizations\.jsonl:2: .*'ACME'"):
        load_kb(tmp_path)
