"""Names the knowledge base has never seen, found from their shape and their context.

Groups written (each one is the ``extractor`` of its mentions):

* ``title``: the title's "Name: ..." prefix (or "Name Technical Report"), always ``proposed``;
* ``proposal``: the name after "we propose/introduce/present/release ...", ``proposed``;
* ``context``: names next to a head noun ("the WebVid-2M dataset", "models such as A, B and C");
* ``abbreviation``: long forms of "long form (SF)" definitions whose head word gives a type;
* ``shape``: other name-shaped words whose own parts give a type ("MosaicBERT", "CIF-Bench").

Each span's label is the entity type; ``id_`` is ``proposed`` when the rule itself says so.
Typing order for a new name: what the text says it is (appositive "X, a new benchmark", "a
framework called X"), then what its parts say, then the title's head noun, then ``method``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, count, filterfalse

from spacy.lang.en.lex_attrs import like_num
from spacy.lang.lex_attrs import is_punct
from spacy.language import Language
from spacy.util import filter_spans, minibatch

from extractors.components.gazetteer import known_spans
from extractors.shapes import (
    head_type,
    is_acronym,
    is_generic,
    is_name_shaped,
    lexicon,
    morphology_type,
)
from extractors.textdoc import AnyDoc, AnySpan, new_span
from extractors.tokens import TokenArrays, indexes, occurrences, positions, token_arrays

ENTITY_TYPES = ("model", "dataset", "method", "task")
_ATTACHING = {"-", "/", "+", "_"}
_ATTACHING_OR_BANG = _ATTACHING | {"!"}
_CLAUSE_STOPS = {"based", "using", "with", "than", "such", "including", "compared", "over",
                 "via", "through", "by", "on", "from", "like", "against", "outperforms",
                 "outperform", "which", "that", "where", "while", "to"}


def name_extent(arrays: TokenArrays, i: int) -> tuple[int, int]:
    """The run of tokens written together around token ``i``: ``P``-``Aligner``, ``DiT-L/2``."""
    texts, spaced = arrays.words, arrays.spaced
    n = len(texts)
    start, end = i, i + 1
    if not texts[i][:1].isalnum():
        return start, end
    while end < n and not spaced[end - 1] and (
        texts[end] in _ATTACHING or texts[end - 1] in _ATTACHING
        or texts[end][:1].isalnum() or texts[end] == "!"
    ):
        if texts[end].lower() in ("'s", "’s"):
            break
        end += 1
    while end - 1 > start and texts[end - 1] in _ATTACHING_OR_BANG:
        end -= 1
    while start > 0 and not spaced[start - 1] and (
        texts[start - 1] in _ATTACHING or texts[start] in _ATTACHING
    ) and texts[start - 1] not in ("(", '"', "“"):
        start -= 1
    while start < end - 1 and texts[start] in _ATTACHING:
        start += 1
    return start, end


_ADJECTIVAL = re.compile(
    r"-(?:[a-z]+ed|[a-z]+ing|like|based|style|aware|free|specific|level|language|scale|wise|"
    r"only|centric|oriented|agnostic|friendly|efficient|[Tt]ransformed)$")
_CLASS_PLURAL = re.compile(r"(?:LMs|LLMs|Models|models|Nets|NNs)$")
# "Sinhala-English", "Over-Flowing": capitalized words joined by hyphens, no inner capitals
# or digits: language pairs and compound adjectives, not names (unless a title names them).
_TITLE_COMPOUND = re.compile(r"^[A-Z][a-z]{2,}(?:-[A-Z][a-z]{2,})+$")
_QUANTITY = re.compile(r"^\d[\d.,]*[A-Za-z]{1,3}$")  # "1.1TB", "8x", "175B"


def _valid_name(text: str) -> bool:
    """Not a stop word, generic term, adjectival compound ("LLM-based") or class plural."""
    stop = lexicon()["stop_names"]
    return (
        2 <= len(text) <= 60 and text not in stop and not is_generic(text)
        and _has_letter(text) and not _ADJECTIVAL.search(text)
        and not _CLASS_PLURAL.search(text) and "://" not in text
        and not _QUANTITY.match(text)
    )


def _has_letter(text: str) -> bool:
    """Some character of ``text`` is a letter (``str.isalpha``); for ASCII, one search."""
    if text.isascii():
        return _ASCII_LETTER.search(text) is not None
    return any(c.isalpha() for c in text)


_ASCII_LETTER = re.compile(r"[A-Za-z]")


def _free_name(text: str) -> bool:
    """A name found outside the title: also not a capitalized hyphen compound."""
    return _valid_name(text) and not _TITLE_COMPOUND.match(text)


_APPOSITIVE_STOPS = {"for", "of", "in", "with", "that", "to", "which", "on", "by", "from",
                     "via", "and", "or", "where", "using", "based"}


def _appositive_type(doc: AnyDoc, start: int, end: int, before: bool = True) -> str:
    """What the text says a name is: "X, a/an ... HEAD", "X is a ... HEAD", and with
    ``before`` also "HEAD (called) X"."""
    arrays = token_arrays(doc)
    words, lower, n = arrays.words, arrays.lower, len(arrays)
    i = end
    if i < n and words[i] in (",", "("):
        i += 1
        if i + 1 < n and lower[i] == "which" and lower[i + 1] == "is":
            i += 2
    elif i < n and lower[i] == "is":
        i += 1
    else:
        i = -1
    if 0 <= i < n and lower[i] in ("a", "an", "the", "our"):
        found = ""  # the last head before the phrase ends: "a ... instruction tuning dataset"
        for k in range(i + 1, min(n, i + 10)):
            if lower[k] in _APPOSITIVE_STOPS or (is_punct(words[k]) and words[k] not in "-/"):
                break
            kind = head_type(words[k])
            if kind in ("model", "dataset", "method"):
                found = kind
        if found:
            return found
    if not before:
        return ""
    j = start - 1
    if j >= 0 and lower[j] in lexicon()["naming_words"] | {","}:
        j -= 1
    if j >= 0:
        kind = head_type(words[j])
        if kind in ("model", "dataset", "method"):
            return kind
    return ""


def _type_of_new_name(doc: AnyDoc, name: str, spans: Iterable[tuple[int, int]],
                      title_head: str = "") -> str:
    for start, end in spans:
        kind = _appositive_type(doc, start, end)
        if kind:
            return kind
    return morphology_type(name) or title_head or "method"


def _subtitle_head(tokens: Iterable[str]) -> str:
    """The type of the subtitle's first noun phrase: "A Chinese ... Benchmark for ..."."""
    words: list[str] = []
    for token in tokens:
        if token.lower() in ("for", "via", "with", "of", "in", "to", "by", "on", "from", ":",
                             "and", "through", "using", "towards", "that", "--", "—"):
            break
        words.append(token)
    kind = head_type(" ".join(words)) if words else ""
    return kind if kind in ("model", "dataset", "method") else ""


def _occurrences(doc: AnyDoc, text: str) -> list[tuple[int, int]]:
    found = []
    for start, end in occurrences(token_arrays(doc).text, text):
        span = doc.char_span(start, end)
        if span is not None:
            found.append((span.start, span.end))
    return found


def _one_type_per_name(*groups: list[AnySpan]) -> list[list[AnySpan]]:
    """A new name keeps the type of its first, most telling occurrence (title, then proposal)."""
    first: dict[str, str] = {}
    for group in groups:
        for span in group:
            first.setdefault(span.text, span.label_)
    return [[s if s.label_ == first[s.text]
             else new_span(s.doc, s.start, s.end, label=first[s.text], span_id=s.id_)
             for s in group] for group in groups]


_LIST_BOUNDARIES = {",", "and", "or", ")", "."}
_DATA_VERBS = {"trained", "outperform", "outperformed", "pretrained", "pre-trained", "fine-tuned",
               "finetuned", "evaluated",
               "evaluate", "evaluating", "tested", "results", "experiments", "performance",
               "accuracy", "achieves", "achieve", "achieving", "outperforms", "sota",
               "state-of-the-art", "benchmarked", "validated", "gains", "improvements", "score",
               "scores"}
_DATA_FILLERS = {"the", "a", "both", "several", "various", "popular", "standard", "public",
                 "challenging", "in-domain", "out-of-domain", "domain", "in", "out", "of",
                 "benchmark", "benchmarks", "datasets", "dataset", "widely", "used"}


@dataclass
class _DocFacts:
    """What the rules know of one doc before reading it: the tokens earlier components named
    (``covered``), its defined short forms and the tokens of their long forms, and the names
    its title introduces (``new_names``, set by the title rule)."""

    covered: set[int]
    long_forms: dict[str, str]
    long_form_tokens: set[int]
    new_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: AnyDoc) -> _DocFacts:
        covered: set[int] = set()
        for span in [*known_spans(doc), *doc.spans.get("links", [])]:
            covered.update(range(span.start, span.end))
        long_form_tokens: set[int] = set()
        for pair in doc._.abbreviations or ():
            span = doc.char_span(pair.long_start, pair.long_end, alignment_mode="expand")
            if span is not None:
                long_form_tokens.update(range(span.start, span.end))
        long_forms = {a.short: a.long for a in doc._.abbreviations or ()}
        return cls(covered, long_forms, long_form_tokens)


class Candidates:
    """Finds unknown names; see the module docstring for the groups it writes."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        lex = lexicon()
        self.propose_verbs = lex["propose_verbs"]
        self.naming_words = lex["naming_words"]
        self.triggers = lex["enumeration_triggers"]
        heads = lex["dataset_heads"] | lex["model_heads"]
        self.context_head_forms = heads | {head + "s" for head in heads}
        self._head_kinds: dict[str, str] = {}  # word -> _context_head_kind(word), memoized
        self._read(_DocFacts(set(), {}, set()))

    def __call__(self, doc: AnyDoc) -> AnyDoc:
        self._find([doc])
        return doc

    def pipe(self, docs: Iterable[AnyDoc], batch_size: int = 64) -> Iterator[AnyDoc]:
        """The docs, each with its groups written (spaCy's ``nlp.pipe`` calls this)."""
        for batch in minibatch(docs, batch_size):
            self._find(batch)
            yield from batch

    def _find(self, docs: list[AnyDoc]) -> None:
        """Run each rule over every doc, then the next rule, as ``Extractor.extract`` runs the
        components: a rule's tables and memos stay in the processor's caches from one doc to
        the next (1-3% of a paper, against each doc through every rule)."""
        facts = [_DocFacts.of(doc) for doc in docs]
        titles = []
        for doc, known in zip(docs, facts, strict=True):
            self._read(known)
            title = self._title(doc)
            known.new_names = {s.text: s.label_ for s in title}
            titles.append(title)
        proposals = self._each(docs, facts, self._proposals)
        contexts = self._each(docs, facts, self._context)
        abbreviations = self._each(docs, facts, self._abbreviations)
        repeats = []
        for doc, known, title, proposal in zip(docs, facts, titles, proposals, strict=True):
            self._read(known)
            repeats.append(self._repeats(doc, [*title, *proposal]))
        shapes = self._each(docs, facts, self._shapes)
        for doc, title, proposal, context, abbreviation, repeat, shape in zip(
                docs, titles, proposals, contexts, abbreviations, repeats, shapes, strict=True):
            taken = {(s.start, s.end) for group in (title, proposal, context) for s in group}
            repeat = [s for s in repeat if (s.start, s.end) not in taken]
            taken.update((s.start, s.end) for s in repeat)
            shape = [s for s in shape if (s.start, s.end) not in taken]
            title, proposal, shape = _one_type_per_name(
                title, filter_spans([*proposal, *repeat]), shape)
            doc.spans["title"] = title
            doc.spans["proposal"] = proposal
            doc.spans["context"] = context
            doc.spans["abbreviation"] = abbreviation
            doc.spans["shape"] = shape

    def _each(self, docs: list[AnyDoc], facts: list[_DocFacts],
              rule: Callable[[AnyDoc], list[AnySpan]]) -> list[list[AnySpan]]:
        """``rule``'s spans in each doc, read with that doc's facts."""
        found = []
        for doc, known in zip(docs, facts, strict=True):
            self._read(known)
            found.append(rule(doc))
        return found

    def _read(self, facts: _DocFacts) -> None:
        """Make ``facts`` those of the doc the rules read next."""
        self._covered = facts.covered
        self._long_forms = facts.long_forms
        self._long_form_tokens = facts.long_form_tokens
        self._new_names = facts.new_names

    def _is_known(self, start: int, end: int) -> bool:
        if end - start == 1:  # most names are one token
            return start in self._covered
        return not self._covered.isdisjoint(range(start, end))

    def _span(self, doc: AnyDoc, start: int, end: int, label: str, role: str = "") -> AnySpan:
        return new_span(doc, start, end, label=label, span_id=role)

    # -- the title ------------------------------------------------------------------------
    def _title(self, doc: AnyDoc) -> list[AnySpan]:
        arrays = token_arrays(doc)
        title_start, title_end = arrays.sentence(0)
        colon = next((i for i in range(title_start, title_end) if arrays.words[i] == ":"), None)
        if colon is not None and 0 < colon - title_start <= 6:
            start, end = title_start, colon
            subtitle_head = _subtitle_head(arrays.words[colon + 1: title_end])
        else:
            title_text = arrays.span_text(title_start, title_end)
            report = re.match(r"^(.{2,40}?) (?:Technical Report|Model Card)\b", title_text)
            if not report:
                return []
            title_char = arrays.starts[title_start]
            span = doc.char_span(title_char, title_char + len(report.group(1)))
            if span is None:
                return []
            start, end, subtitle_head = span.start, span.end, "model"
        text = arrays.span_text(start, end)
        words = text.split()
        if not _valid_name(text) or len(words) > 4:
            return []
        if len(words) > 1 and (
            not words[0][:1].isupper() or not words[-1][:1].isupper()
            or (head_type(text) in ("task", "method") and not is_name_shaped(words[-1]))
        ):
            return []
        if self._is_known(start, end):
            return []  # the gazetteer has it; its role comes from the title position
        if len(words) > 1 and len(_occurrences(doc, text)) < 2:
            return []  # "Frozen in Time: ...": a phrase unless the abstract names it again
        label = _type_of_new_name(doc, text, _occurrences(doc, text)[1:], subtitle_head)
        return [self._span(doc, start, end, label, "proposed")]

    # -- "we propose X" ---------------------------------------------------------------------
    def _proposals(self, doc: AnyDoc) -> list[AnySpan]:
        found: list[AnySpan] = []
        arrays = token_arrays(doc)
        for sent_start, sent_end in arrays.sentences()[1:]:
            lowered = arrays.lower[sent_start:sent_end]
            if self.propose_verbs.isdisjoint(lowered):
                continue
            subject = ("we" in lowered or "our" in lowered or "paper" in lowered
                       or "work" in lowered or "report" in lowered)
            for offset in positions(lowered, self.propose_verbs):
                word = lowered[offset]
                if not subject and word not in self.naming_words:
                    continue
                span = self._first_name_after(doc, sent_start + offset + 1, sent_end)
                if span is not None:
                    found.append(span)
                    break
        return filter_spans(found)

    def _first_name_after(self, doc: AnyDoc, i: int, stop: int) -> AnySpan | None:
        steps = 0
        arrays = token_arrays(doc)
        while i < stop and steps < 16:
            if arrays.lower[i] in _CLAUSE_STOPS:
                return None
            if i in self._long_form_tokens:  # the name is the short form that follows
                i += 1
                continue
            start, end = name_extent(arrays, i)
            text = arrays.span_text(start, end)
            if self._is_known(start, end):
                return None  # a known thing first: the gazetteer's role rules decide
            if is_name_shaped(text) and _free_name(text) and not (
                    is_acronym(text) and is_generic(text)):
                long_type = head_type(self._long_forms.get(text, ""))
                family = next((t for n, t in self._new_names.items()
                               if text.startswith(n + "-")), "")
                label = family or (long_type if long_type in ENTITY_TYPES and long_type != "task"
                                   else _type_of_new_name(doc, text, [(start, end)]))
                return self._span(doc, start, end, label, "proposed")
            i = max(end, i + 1)
            steps += 1
        return None

    # -- "the X dataset", "models such as A, B and C" ------------------------------------------
    def _context(self, doc: AnyDoc) -> list[AnySpan]:
        found: list[AnySpan] = []
        words = token_arrays(doc).words
        kinds = self._head_kinds
        if len(kinds) > 200_000:
            kinds.clear()  # bounded memory over a corpus
        for word in set(filterfalse(kinds.__contains__, words)):
            kinds[word] = self._context_head_kind(word)
        heads = list(map(kinds.__getitem__, words))
        for i in compress(count(), heads):
            kind = heads[i]
            found.extend(self._names_before(doc, i, kind))
            found.extend(self._names_after(doc, i, kind))
        found.extend(self._evaluated_on(doc))
        return filter_spans(found)

    def _context_head_kind(self, word: str) -> str:
        """``dataset`` or ``model`` for a word heading "the X dataset", else ''."""
        # an ASCII word of letters is a dataset/model head only if it is one, or its plural
        if not word.islower() or (word not in self.context_head_forms
                                  and word.isalpha() and word.isascii()):
            return ""
        kind = head_type(word)
        return kind if kind in ("dataset", "model") else ""

    def _evaluated_on(self, doc: AnyDoc) -> list[AnySpan]:
        """"trained/evaluated on X", "+4.1 on X", "results on X, Y and Z": X is data."""
        found: list[AnySpan] = []
        arrays = token_arrays(doc)
        lower, n = arrays.lower, len(arrays)
        for index in indexes(lower, "on"):
            if index == 0:
                continue
            sent_start = arrays.sentence(index)[0]
            before = lower[max(sent_start, index - 3): index]
            if _DATA_VERBS.isdisjoint(before) and not any(
                    like_num(arrays.words[k]) or arrays.words[k].startswith("+")
                    for k in range(max(sent_start, index - 2), index)):
                continue  # neither a data verb nor a number before "on"
            j = index + 1
            while j < n and j < index + 7 and (lower[j] in _DATA_FILLERS or lower[j] == "-"):
                j += 1
            while j < n:
                start, end = name_extent(arrays, j)
                text = arrays.span_text(start, end)
                if self._is_known(start, end):
                    j = max(end, j + 1)
                    while j < n and self._is_known(j, j + 1):
                        j += 1
                elif is_name_shaped(text) and _free_name(text) and not is_generic(text):
                    found.append(self._span(doc, start, end, "dataset"))
                    j = end
                else:
                    break
                if j < n and lower[j] in (",", "and", "or"):
                    while j < n and lower[j] in (",", "and", "or", "the"):
                        j += 1
                    continue
                break
        return found

    def _name_candidate(self, doc: AnyDoc, start: int, end: int, kind: str) -> AnySpan | None:
        arrays = token_arrays(doc)
        text = arrays.span_text(start, end)
        if self._is_known(start, end) or not _valid_name(text):
            return None
        if not is_name_shaped(text):
            # One capitalized word is a name only in "the X dataset/benchmark/corpus".
            follows_the = start > 0 and arrays.lower[start - 1] == "the"
            if not (kind == "dataset" and follows_the and text[:1].isupper()
                    and end - start == 1 and arrays.sentence(start)[0] != start):
                return None
        if is_acronym(text) and is_generic(text):
            return None
        return self._span(doc, start, end, kind)

    def _names_before(self, doc: AnyDoc, head: int, kind: str) -> list[AnySpan]:
        """``A, B and C datasets`` / ``the X benchmark``: names right before the head noun."""
        found: list[AnySpan] = []
        arrays = token_arrays(doc)
        lower = arrays.lower
        i = head - 1
        while i >= 0:
            start, end = name_extent(arrays, i)
            span = self._name_candidate(doc, start, end, kind)
            if span is None:
                break
            found.append(span)
            i = start - 1
            while i >= 0 and lower[i] in (",", "and", "or"):
                i -= 1
            if i >= 0 and lower[i + 1] not in (",", "and", "or"):
                break
        return found

    def _names_after(self, doc: AnyDoc, head: int, kind: str) -> list[AnySpan]:
        """``datasets such as A, B, and C`` / ``benchmarks (A, B)``."""
        arrays = token_arrays(doc)
        lower, n = arrays.lower, len(arrays)
        i = head + 1
        j = i
        while j < n and j < i + 3 and lower[j] in self.triggers | {"(", ",", "as", "such"}:
            j += 1
        if j == i or not any(lower[k] in self.triggers | {"(", "such"} for k in range(i, j)):
            return []
        found: list[AnySpan] = []
        while j < n:
            start, end = name_extent(arrays, j)
            span = self._name_candidate(doc, start, end, kind)
            if span is None:
                if self._is_known(start, end):
                    j = max(end, j + 1)
                    while j < n and lower[j] not in _LIST_BOUNDARIES and self._is_known(j, j + 1):
                        j += 1
                else:
                    break
            else:
                found.append(span)
                j = end
            if j < n and lower[j] in (",", "and", "or"):
                while j < n and lower[j] in (",", "and", "or"):
                    j += 1
                continue
            break
        return found

    # -- abbreviations ----------------------------------------------------------------------
    def _abbreviations(self, doc: AnyDoc) -> list[AnySpan]:
        found: list[AnySpan] = []
        for pair in doc._.abbreviations or ():
            span = doc.char_span(pair.long_start, pair.long_end, alignment_mode="expand")
            if span is None or self._is_known(span.start, span.end):
                continue
            if is_generic(pair.short):
                continue
            kind = head_type(pair.long)
            if not kind:
                words = pair.long.replace("-", " ").split()
                titled = sum(w[:1].isupper() for w in words) >= max(2, len(words) - 1)
                kind = morphology_type(pair.short) or ("method" if titled else "")
            if kind in ("model", "dataset") and pair.short.endswith("s") and (
                    pair.short[:-1].isupper() or kind == "model"):
                continue  # "pre-trained language models (PLMs)": a class, not one thing
            if kind in ENTITY_TYPES:
                found.append(self._span(doc, span.start, span.end, kind))
        return filter_spans(found)

    # -- the new names again ---------------------------------------------------------------------
    def _repeats(self, doc: AnyDoc, new_names: list[AnySpan]) -> list[AnySpan]:
        """Every other occurrence of a name the paper introduces, and its checkpoints.

        "FuxiTranyu" in the title makes "FuxiTranyu-8B" and "FuxiTranyu-8B-SFT" in the abstract
        new models too; a plain repeat adds evidence.
        """
        found: list[AnySpan] = []
        arrays = token_arrays(doc)
        for span in new_names:
            for start, end in occurrences(arrays.text, span.text, free_before=True):
                occurrence = doc.char_span(start, end)
                if occurrence is None or occurrence.start == span.start:
                    continue
                start, end = name_extent(arrays, occurrence.start)
                if start != occurrence.start or end < occurrence.end:
                    continue
                found.append(self._span(doc, start, end, span.label_, "proposed"))
        return found

    # -- name shapes with a telling part --------------------------------------------------------
    def _shapes(self, doc: AnyDoc) -> list[AnySpan]:
        found: list[AnySpan] = []
        arrays = token_arrays(doc)
        words = arrays.words
        for chunk_start, chunk_end in _chunks_with_capitals(arrays):
            if chunk_end - chunk_start == 1 and not is_name_shaped(words[chunk_start]):
                continue  # one word between spaces ("We", "The"): its own name or nothing
            found.extend(self._shapes_in(doc, arrays, chunk_start, chunk_end))
        return found

    def _shapes_in(self, doc: AnyDoc, arrays: TokenArrays, i: int, stop: int) -> list[AnySpan]:
        """Name-shaped words among tokens ``i:stop``, a run written without spaces."""
        found: list[AnySpan] = []
        texts, spaced = arrays.words, arrays.spaced
        while i < stop:
            word = texts[i]
            if (word.islower() or not word[:1].isalnum()) and spaced[i] and (
                    i == 0 or spaced[i - 1]):
                i += 1  # a lone lower-case word or punctuation is never a name
                continue
            start, end = name_extent(arrays, i)
            text = arrays.span_text(start, end)
            if (not self._is_known(start, end) and is_name_shaped(text) and _free_name(text)
                    and start not in self._long_form_tokens):
                kind = _appositive_type(doc, start, end, before=False)
                if not kind and not is_acronym(text):
                    kind = morphology_type(text)
                if kind:
                    found.append(self._span(doc, start, end, kind))
            i = max(end, i + 1)
        return found


_CAPITAL_OR_NON_ASCII = re.compile(r"[A-Z\x80-\U0010ffff]")


def _chunks_with_capitals(arrays: TokenArrays) -> list[tuple[int, int]]:
    """The ``(start, end)`` token ranges written without a space between them that hold a
    capital letter (or any non-ASCII character), in text order.

    A name's tokens are never split by a space (``name_extent``), and a name-shaped word has a
    capital (``is_name_shaped``), so the other runs, most of an abstract, hold no new name.
    Each search starts after the run found last: the pattern, not Python, skips the rest of
    its capitals.
    """
    text, starts, ends, spaced, n = (arrays.text, arrays.starts, arrays.ends, arrays.spaced,
                                     len(arrays))
    search = _CAPITAL_OR_NON_ASCII.search
    chunks: list[tuple[int, int]] = []
    match = search(text)
    while match is not None:
        at = match.start()
        resume = at + 1
        i = bisect_right(starts, at) - 1
        if i >= 0:
            start, end = i, i + 1
            while start > 0 and not spaced[start - 1]:
                start -= 1
            while end < n and not spaced[end - 1]:
                end += 1
            if not chunks or chunks[-1] != (start, end):  # a non-ASCII space maps to the run before
                chunks.append((start, end))
            resume = max(resume, ends[end - 1])
        match = search(text, resume)
    return chunks


@Language.factory("kg_candidates")
def make_candidates(nlp: Language, name: str) -> Candidates:
    return Candidates(nlp, name)
