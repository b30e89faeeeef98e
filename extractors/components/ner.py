"""The statistical NER trained by the project, combined with the rules.

``add_statistical_ner(nlp)`` sources the trained ``ner`` component (its tok2vec is inside it,
so it runs standalone) from ``extractors/models/sci-ner`` into a rule pipeline, and adds
``kg_ner_spans``, which copies the entities into ``doc.spans["ner"]`` with our types. The rules
win where they are certain: an entity that overlaps any rule span, or that is a defined short
form whose long form the rules found, is dropped; so are names our guidelines do not count as
entities (generic words, class names, one common lower-case word). What is left are the names
the rules have never seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

import extractors.ner.tokenizer  # noqa: F401  (registers the tokenizer callback of the model)
from extractors.ner import LABELS, MODEL_DIR
from extractors.shapes import is_acronym, is_generic, is_name_shaped, lexicon, morphology_type
from kg.errors import KGError

GROUP = "ner"
NER_PIPE = "sci_ner"
SPANS_PIPE = "kg_ner_spans"
TYPES: tuple[str, ...] = tuple(LABELS.values())

_LEADING = frozenset({"a", "an", "the", "our", "their", "its", "this", "these", "those", "such",
                      "each", "both", "all", "any", "some", "several", "various", "novel"})
# Activities the guidelines name as not a method on their own.
_BARE_METHODS = frozenset({
    "training", "pre-training", "pretraining", "fine-tuning", "finetuning", "learning",
    "optimization", "evaluation", "inference", "quantization", "pruning", "tuning", "sampling",
    "modeling", "modelling", "prompting", "encoding", "decoding", "search", "adaptation",
    "augmentation", "distillation training", "alignment", "generation", "reasoning",
})
_MAX_WORDS = 6


class ModelNotFoundError(KGError, FileNotFoundError):
    """The trained NER model is not where it was looked for."""


def load_model(path: str | Path | None = None) -> Language:
    """The trained pipeline (tokenizer + ``ner``) from ``path`` (default: the shipped one).

    Raises ``ModelNotFoundError`` naming the path and how to build the model.
    """
    path = Path(path) if path is not None else MODEL_DIR
    if not (path / "config.cfg").is_file():
        raise ModelNotFoundError(
            f"no trained NER model at {path}; expected a spaCy pipeline directory "
            "(build it with `make model`)")
    return spacy.load(path)


def add_statistical_ner(nlp: Language, model: Language | str | Path | None = None,
                        types: Iterable[str] = TYPES) -> Language:
    """Add the trained ``ner`` (as ``sci_ner``) and ``kg_ner_spans`` at the end of ``nlp``.

    Both go last so ``kg_ner_spans`` sees every rule group; ``types`` limits the entity types
    kept. Returns ``nlp``.
    """
    trained = model if isinstance(model, Language) else load_model(model)
    nlp.add_pipe("ner", name=NER_PIPE, source=trained)
    nlp.add_pipe(SPANS_PIPE, config={"types": list(types)})
    return nlp


# -- pure functions ------------------------------------------------------------------
def trim_tokens(tokens: Sequence[str]) -> tuple[int, int]:
    """The ``(start, end)`` of ``tokens`` without leading articles/fillers and edge punctuation.

    >>> trim_tokens(["the", "novel", "WikiQA", "corpus", ","])
    (2, 4)
    """
    start, end = 0, len(tokens)
    modifiers = lexicon()["generic_modifiers"]
    while start < end and (tokens[start].lower() in _LEADING | modifiers
                           or not any(c.isalnum() for c in tokens[start])):
        start += 1
    while end > start and not any(c.isalnum() for c in tokens[end - 1]) \
            and tokens[end - 1] != ")":
        end -= 1
    return start, end


def is_junk(text: str, kind: str) -> bool:
    """Whether a model entity is not a name our guidelines count as an entity of ``kind``.

    Models and datasets must look named (a capital or a digit); nothing may be a generic
    term, a class plural ("LLMs"), a bare activity ("fine-tuning") or one common lower-case
    word; tasks may be one word only when it is a task head ("summarization").

    >>> [is_junk(t, k) for t, k in [("NetMamba", "model"), ("language model", "model"),
    ...  ("fine-tuning", "method"), ("contrastive learning", "method"), ("LLMs", "model"),
    ...  ("summarization", "task"), ("results", "task"), ("WikiQA", "dataset")]]
    [False, True, True, False, True, False, True, False]
    """
    lex = lexicon()
    words = text.split()
    lowered = text.lower()
    if (not words or len(words) > _MAX_WORDS or len(text) < 2 or "://" in text
            or not any(c.isalpha() for c in text) or text.count("(") != text.count(")")):
        return True
    if is_generic(text) or lowered in lex["stop_names"] or lowered in _BARE_METHODS:
        return True
    named = any(is_name_shaped(w) or is_acronym(w) or w[:1].isupper() or
                any(c.isdigit() for c in w) for w in words)
    if kind in ("model", "dataset") and not named:
        return True
    if re.search(r"(?:LMs|LLMs|Models|models)$", text):
        return True  # a class of models, not one
    last = words[-1].lower()
    if not named and last in lex["phrase_blocked_followers"]:
        return True  # "retrieval performance", "the proposed framework"
    if len(words) == 1 and text.islower():
        return not (kind == "task" and (last in lex["task_heads"]
                                        or last in lex["phrase_task_heads"]))
    return False


def entity_type(label: str, text: str) -> str:
    """Our type for a model label; a METHOD whose own parts say model (``XNet``) is a model.

    >>> entity_type("METHOD", "PointNet"), entity_type("METHOD", "beam search")
    ('model', 'method')
    """
    kind = LABELS.get(label, "")
    if kind == "method" and morphology_type(text) == "model" and is_name_shaped(text):
        return "model"
    return kind


class NerSpans:
    """Copies ``doc.ents`` into ``doc.spans["ner"]`` with our types, after the rules.

    ``rule_groups`` names the span groups whose spans win; empty means every group already on
    the doc, so a rule component added later is respected without a config change.
    """

    def __init__(self, name: str, types: Iterable[str], rule_groups: Iterable[str] = ()) -> None:
        self.name = name
        self.types = frozenset(types)
        unknown = self.types - set(TYPES)
        if unknown:
            raise ValueError(f"unknown NER types {sorted(unknown)}; expected some of {TYPES}")
        self.rule_groups = tuple(rule_groups)

    def __call__(self, doc: Doc) -> Doc:
        taken: set[int] = set()
        groups = self.rule_groups or [g for g in doc.spans if g != GROUP]
        for group in groups:
            for span in doc.spans.get(group, []):
                taken.update(range(span.start, span.end))
        shorts = self._ruled_short_forms(doc, taken)
        spans: list[Span] = []
        for ent in doc.ents:
            start, end = trim_tokens([t.text for t in ent])
            if start >= end:
                continue
            span = doc[ent.start + start: ent.start + end]
            kind = entity_type(ent.label_, span.text)
            if (kind not in self.types or taken & set(range(span.start, span.end))
                    or span.text in shorts or is_junk(span.text, kind)):
                continue
            spans.append(Span(doc, span.start, span.end, label=kind))
        doc.spans[GROUP] = spans
        return doc

    @staticmethod
    def _ruled_short_forms(doc: Doc, taken: set[int]) -> set[str]:
        """Short forms ("MoD") whose long form the rules found: linking types them already."""
        shorts = set()
        for pair in getattr(doc._, "abbreviations", None) or ():
            span = doc.char_span(pair.long_start, pair.long_end, alignment_mode="expand")
            if span is not None and taken & set(range(span.start, span.end)):
                shorts.add(pair.short)
        return shorts


@Language.factory(SPANS_PIPE, default_config={"types": list(TYPES), "rule_groups": []})
def make_ner_spans(nlp: Language, name: str, types: list[str],
                   rule_groups: list[str]) -> NerSpans:
    return NerSpans(name, types, rule_groups)
