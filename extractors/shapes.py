"""What names look like: name shapes, generic words, and typing a phrase by its head word.

Pure functions over strings, used by the candidate and role components and tested directly.
Word lists live in ``extractors/patterns/lexicon.json`` so they can be read and changed without
touching code.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).parent / "patterns" / "lexicon.json"


@lru_cache(maxsize=1)
def lexicon() -> dict[str, frozenset[str]]:
    """Word lists by name: heads of each type, generic terms, proposal verbs, ..."""
    data = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    return {key: frozenset(w.lower() for w in words) for key, words in data.items()
            if not key.startswith("_")}


_SIZE = re.compile(r"^\d+(?:\.\d+)?[xX]?\d*(?:[BMKT]|bn)$")
_VERSION = re.compile(r"^[vV]\d+(?:\.\d+)*$")
_NUMBER = re.compile(r"^[\d.,%]+$")


def is_size(token: str) -> bool:
    """``7B``, ``1.5B``, ``8x7B``, ``350M``."""
    return bool(_SIZE.match(token))


def is_version(token: str) -> bool:
    return bool(_VERSION.match(token))


@lru_cache(maxsize=1 << 16)
def is_name_shaped(word: str) -> bool:
    """A word written like a name: inner capitals, letters mixed with digits, or an acronym.

    >>> [is_name_shaped(w) for w in ["NetMamba", "T5", "GPT-4", "BERT", "the", "Language", "7B"]]
    [True, True, True, True, False, False, False]
    """
    core = word.strip("-/.")
    if len(core) < 2 or _NUMBER.match(core) or is_size(core) or is_version(core):
        return False
    if not any(c.isalpha() for c in core):
        return False
    inner_upper = any(c.isupper() for c in core[1:])
    has_digit = any(c.isdigit() for c in core)
    return inner_upper or (has_digit and core[0].isalpha() and core[0].isupper())


def is_acronym(word: str) -> bool:
    """All capitals (digits allowed), optionally a plural 's': ``MLM``, ``LLMs``."""
    core = word[:-1] if word.endswith("s") and len(word) > 2 else word
    return len(core) >= 2 and core.isupper() and any(c.isalpha() for c in core)


@lru_cache(maxsize=1 << 16)
def is_generic(name: str) -> bool:
    """Class names and jargon that are not one named thing: ``LLMs``, ``GPU``, ``SOTA``."""
    lowered = name.lower()
    generic = lexicon()["generic"]
    return lowered in generic or (lowered.endswith("s") and lowered[:-1] in generic)


_LETTER_RUNS = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=1 << 16)
def head_type(phrase: str) -> str:
    """The entity type a phrase's head word suggests, or '' when it suggests none.

    >>> head_type("multi-perspective course learning"), head_type("WebVid-2M dataset")
    ('method', 'dataset')
    >>> head_type("speech-to-text translation"), head_type("Bidirectional Encoder")
    ('task', 'model')
    """
    words = _LETTER_RUNS.findall(phrase.lower())
    if not words:
        return ""
    lex = lexicon()
    last = words[-1]
    singular = last[:-1] if last.endswith("s") and not last.endswith("ss") else last
    for kind in ("dataset", "model", "task", "method"):
        heads = lex[f"{kind}_heads"]
        if last in heads or singular in heads:
            return kind
    return ""


@lru_cache(maxsize=1 << 16)
def morphology_type(name: str) -> str:
    """The type a name's own parts suggest: ``MosaicBERT`` -> model, ``CIF-Bench`` -> dataset."""
    lowered = name.lower()
    lex = lexicon()
    if any(part in lowered for part in lex["dataset_morphemes"]):
        return "dataset"
    if any(part in lowered for part in lex["model_morphemes"]):
        return "model"
    if re.search(r"(?:Net|LM|GPT|Former|former)(?:-?\d.*)?$", name):
        return "model"
    return ""
