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
from spacy.attrs import LOWER
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

import extractors.ner.tokenizer  # noqa: F401  (registers the tokenizer callback of the model)
from extractors.ner import LABELS, MODEL_DIR
from extractors.shapes import (
    is_acronym,
    is_generic,
    is_name_shaped,
    is_size,
    lexicon,
    morphology_type,
)
from kg.errors import KGError

GROUP = "ner"
NER_PIPE = "sci_ner"
SPANS_PIPE = "kg_ner_spans"
TYPES: tuple[str, ...] = tuple(LABELS.values())
# What the model adds by default: measured on dev data (extractors/ner/evaluate.py), its
# dataset and method names help, its model types are often wrong (the knowledge base and name
# morphology type models better) and its task phrases are rarely tasks.
DEFAULT_TYPES: tuple[str, ...] = ("dataset", "method", "metric")

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
# Research fields, not tasks: "natural language processing", "machine learning".
_FIELDS = frozenset({"natural language processing", "natural language", "machine learning",
                     "deep learning", "computer vision", "artificial intelligence",
                     "data science", "nlp research", "speech processing"})
# Compound adjectives ("LLM-based", "Domain-Specific") describe, they do not name.
_ADJECTIVAL = re.compile(r"-(?:based|driven|provided|like|aware|style|specific|level|oriented|"
                         r"centric|agnostic|free|wise|only|scale|friendly)\b", re.IGNORECASE)
# "Chinese-English", "Over-Flowing": capitalized words joined by hyphens, no inner capitals.
_TITLE_COMPOUND = re.compile(r"^[A-Z][a-z]{2,}(?:-[A-Z][a-z]{2,})+$")


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
                        types: Iterable[str] = DEFAULT_TYPES, names_only: bool = True
                        ) -> Language:
    """Add the trained ``ner`` (as ``sci_ner``) and ``kg_ner_spans`` at the end of ``nlp``.

    Both go last so ``kg_ner_spans`` sees every rule group; ``types`` limits the entity types
    kept. Returns ``nlp``.
    """
    if list(nlp.vocab.lex_attr_getters) == [LOWER]:
        raise ValueError("this pipeline gives words only LOWER (build_nlp(lean=True)); the "
                         "NER reads NORM, SHAPE, PREFIX and SUFFIX: build it with lean=False")
    trained = model if isinstance(model, Language) else load_model(model)
    nlp.add_pipe("ner", name=NER_PIPE, source=trained)
    nlp.add_pipe(SPANS_PIPE, config={"types": list(types), "names_only": names_only})
    return nlp


# -- pure functions ------------------------------------------------------------------
def trim_tokens(tokens: Sequence[str]) -> tuple[int, int]:
    """The ``(start, end)`` of ``tokens`` without leading fillers, edge stop words and edge
    punctuation: the model's boundaries are its weakest part.

    >>> trim_tokens(["the", "novel", "WikiQA", "corpus", ","])
    (2, 4)
    >>> trim_tokens(["Vocabulary", "Expansion", "and"])
    (0, 2)
    """
    start, end = 0, len(tokens)
    modifiers = lexicon()["generic_modifiers"]

    def edge_junk(token: str) -> bool:
        return token in STOP_WORDS or not any(c.isalnum() for c in token)

    while start < end and (tokens[start].lower() in _LEADING | modifiers
                           or edge_junk(tokens[start])):
        start += 1
    while end > start and edge_junk(tokens[end - 1]) and tokens[end - 1] != ")":
        end -= 1
    return start, end


def _name_shaped(words: Sequence[str]) -> bool:
    return any(is_name_shaped(w) or is_acronym(w) or any(c.isdigit() for c in w)
               for w in words)


def is_junk(text: str, kind: str) -> bool:
    """Whether a model entity is not a name our guidelines count as an entity of ``kind``.

    Models and datasets must look named (a name-shaped word, or two capitalized words);
    nothing may be a generic term, a research field, a class plural ("LLMs"), a compound
    adjective ("LLM-based"), a bare activity ("fine-tuning") or one common lower-case word;
    tasks may be one word only when it is a task head ("summarization").

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
    if (is_generic(text) or lowered in lex["stop_names"] or lowered in _BARE_METHODS
            or lowered in _FIELDS or _ADJECTIVAL.search(text) or _TITLE_COMPOUND.match(text)):
        return True
    capitalized = sum(w[:1].isupper() for w in words)
    named = _name_shaped(words) or capitalized > 0
    if kind in ("model", "dataset") and not (_name_shaped(words) or capitalized >= 2):
        return True  # one plain capitalized word ("Internet") is not yet a name
    if re.search(r"(?:LMs|LLMs|Models|models)$", text):
        return True  # a class of models, not one
    last = words[-1].lower()
    if not named and last in lex["phrase_blocked_followers"]:
        return True  # "retrieval performance", "the proposed framework"
    if len(words) == 1 and text.islower():
        return not (kind == "task" and (last in lex["task_heads"]
                                        or last in lex["phrase_task_heads"]))
    return False


_UNITS = frozenset({"gb", "tb", "mb", "kb", "gpu", "gpus", "hours", "days", "tokens", "params"})
_INNER_STOPS = frozenset({"and", "or", "with", "for", "from", "on", "in", "of", "to", "by", "at",
                          "as", "via", "than", "using"})


def _is_name_word(word: str) -> bool:
    """A word that names something: name-shaped or an acronym, not jargon ("LLM"), not a
    size ("8B") and not a class plural ("LRLs")."""
    core = word.strip("().,;:")
    if not (is_name_shaped(core) or is_acronym(core)) or is_generic(core) or is_size(core) \
            or _TITLE_COMPOUND.match(core):
        return False
    return not (core.endswith("s") and core[:-1].isupper() and len(core) > 2)


def is_new_name(text: str) -> bool:
    """Whether a model entity reads as a proper name the rules could have missed.

    The model's value next to the rules is names never seen before ("GaLore", "BASE Layer");
    its lower-case phrases and jargon compounds ("LLM decoding") are mostly noise, and the
    rules' own phrase lists cover established terms. A name has a name-shaped word, no
    unit, no inner function word (two names run together: "X and Y"), does not start with a
    stop name ("Figure 1") and does not end in a generic lower-case noun ("JD matching
    process").

    >>> [is_new_name(t) for t in ["GaLore", "BASE Layer", "MindSpore Auto-parallel",
    ...  "LLM decoding", "A100 80 GB", "Hash Layer and StableMoE", "LRLs", "contrastive loss",
    ...  "Figure-1", "Sinhala-English alignment"]]
    [True, True, True, False, False, False, False, False, False, False]
    """
    lex = lexicon()
    words = text.split()
    if not any(_is_name_word(w) for w in words) or "\\" in text:
        return False  # a backslash is LaTeX source, not a name
    lowered = [w.lower() for w in words]
    if _UNITS & set(lowered) or _INNER_STOPS & set(lowered[1:-1]):
        return False
    if re.split(r"[-/]", lowered[0])[0] in lex["stop_names"]:
        return False  # "Figure-1", "Table 2"
    last = words[-1]
    heads = (lex["phrase_blocked_followers"] | lex["method_heads"] | lex["task_heads"]
             | lex["phrase_task_heads"] | lex["phrase_method_heads"])
    return not (len(words) > 1 and last.islower() and last.rstrip("s") in heads | {
        w.rstrip("s") for w in heads})


def entity_type(label: str, text: str) -> str:
    """Our type for a model label; a name whose own parts give its type (``PointNet`` a
    model, ``CodeBench`` a dataset) takes that type, as the rules would give it.

    >>> entity_type("METHOD", "PointNet"), entity_type("MODEL", "CodeBench")
    ('model', 'dataset')
    >>> entity_type("METHOD", "beam search")
    'method'
    """
    kind = LABELS.get(label, "")
    if kind in ("model", "method", "dataset") and is_name_shaped(text):
        return morphology_type(text) or kind
    return kind


def split_coordination(span: Span) -> list[Span]:
    """``Hash Layer and StableMoE`` -> ``Hash Layer``, ``StableMoE`` when every part starts
    with a capital or is name-shaped; the model often runs coordinated names into one entity.

    >>> from extractors.ner.tokenizer import blank_nlp
    >>> doc = blank_nlp()("Hash Layer and StableMoE , or deep learning")
    >>> [s.text for s in split_coordination(doc[0:4])]
    ['Hash Layer', 'StableMoE']
    >>> [s.text for s in split_coordination(doc[:])]
    ['Hash Layer and StableMoE , or deep learning']
    """
    parts: list[Span] = []
    start = span.start
    for token in span:
        if token.lower_ in ("and", "or", ",", ";"):
            parts.append(span.doc[start:token.i])
            start = token.i + 1
    parts.append(span.doc[start:span.end])
    parts = [p for p in parts if len(p)]
    if len(parts) > 1 and all(p[0].text[:1].isupper() or _name_shaped([t.text for t in p])
                              for p in parts):
        return parts
    return [span]


def _key(text: str) -> str:
    return re.sub(r"[\s\-_]+", "", text.lower())


class NerSpans:
    """Copies ``doc.ents`` into ``doc.spans["ner"]`` with our types, after the rules.

    ``rule_groups`` names the span groups whose spans win; empty means every group already on
    the doc, so a rule component added later is respected without a config change. A name the
    rules typed anywhere in the doc is theirs everywhere. ``names_only`` keeps only entities
    that read as proper names (``is_new_name``); metrics are exempt.
    """

    def __init__(self, name: str, types: Iterable[str], rule_groups: Iterable[str] = (),
                 names_only: bool = True) -> None:
        self.name = name
        self.names_only = names_only
        self.types = frozenset(types)
        unknown = self.types - set(TYPES)
        if unknown:
            raise ValueError(f"unknown NER types {sorted(unknown)}; expected some of {TYPES}")
        self.rule_groups = tuple(rule_groups)

    def __call__(self, doc: Doc) -> Doc:
        taken: set[int] = set()
        ruled: set[str] = set()  # names the rules typed somewhere in the doc
        groups = self.rule_groups or [g for g in doc.spans if g != GROUP]
        for group in groups:
            for span in doc.spans.get(group, []):
                taken.update(range(span.start, span.end))
                ruled.add(_key(span.text))
        shorts = self._ruled_short_forms(doc, taken)
        spans: list[Span] = []
        for ent in doc.ents:
            for part in split_coordination(ent):
                span = self._keep(doc, part, ent.label_, taken, ruled, shorts)
                if span is not None:
                    spans.append(span)
        doc.spans[GROUP] = spans
        return doc

    def _keep(self, doc: Doc, part: Span, label: str, taken: set[int], ruled: set[str],
              shorts: set[str]) -> Span | None:
        """The trimmed, typed span of one entity (part), or None when it is not kept."""
        start, end = trim_tokens([t.text for t in part])
        if start >= end:
            return None
        span = doc[part.start + start: part.start + end]
        kind = entity_type(label, span.text)
        if (kind not in self.types or taken & set(range(span.start, span.end))
                or span.text in shorts or _key(span.text) in ruled
                or is_junk(span.text, kind)):
            return None
        if self.names_only and kind != "metric" and not is_new_name(span.text):
            return None
        in_title = doc.has_annotation("SENT_START") and span.sent.start == 0
        if in_title and not _name_shaped([t.text for t in span]):
            return None  # Title Case makes every title word look like a name
        return Span(doc, span.start, span.end, label=kind)

    @staticmethod
    def _ruled_short_forms(doc: Doc, taken: set[int]) -> set[str]:
        """Short forms ("MoD") whose long form the rules found: linking types them already."""
        shorts = set()
        for pair in getattr(doc._, "abbreviations", None) or ():
            span = doc.char_span(pair.long_start, pair.long_end, alignment_mode="expand")
            if span is not None and taken & set(range(span.start, span.end)):
                shorts.add(pair.short)
        return shorts


@Language.factory(SPANS_PIPE, default_config={"types": list(TYPES), "rule_groups": [],
                                               "names_only": True})
def make_ner_spans(nlp: Language, name: str, types: list[str], rule_groups: list[str],
                   names_only: bool) -> NerSpans:
    return NerSpans(name, types, rule_groups, names_only)
