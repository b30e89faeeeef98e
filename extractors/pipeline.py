"""The extraction pipeline: a blank English spaCy pipeline plus paperkg's components.

``Extractor().extract(papers)`` yields, for each paper, its ``Mention`` records and the alias
pairs (abbreviation definitions, org handle and name) that linking needs. Nothing is
downloaded: the pipeline is ``spacy.blank("en")`` with rule components and knowledge-base data
shipped in this package.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from spacy.attrs import LOWER
from spacy.language import Language

import extractors.components  # noqa: F401  (registers the factories)
from extractors.abbreviations import best_long_form
from extractors.components.ner import add_statistical_ner
from extractors.kb import load_kb
from extractors.ner.tokenizer import blank_nlp, forget_cached_chunks
from extractors.roles import relation_of, role_of
from extractors.textdoc import AnyDoc, AnySpan, ChunkTokenizer, TextDoc
from extractors.tokens import occurrences, remember_text, token_arrays
from extractors.urls import find_identifiers
from kg.links import classify
from kg.model import Mention, Paper

# Span groups in the order mentions are collected; a span at the same offsets as one of an
# earlier group is dropped (overlaps are settled inside the components and by linking).
GROUPS: tuple[str, ...] = ("links", "gazetteer", "title", "proposal", "abbreviation", "context",
                           "shape", "phrase", "ner")
CONFIDENCE = {
    "links": 0.99, "metadata": 0.95, "code-host-owner": 0.7, "gazetteer": 0.9, "title": 0.85,
    "proposal": 0.8, "abbreviation": 0.75, "context": 0.7, "phrase": 0.65, "shape": 0.6,
    "ner": 0.55,
}
PIPE_NAMES = ("kg_sentences", "kg_links", "kg_gazetteer", "kg_abbreviations", "kg_candidates",
              "kg_phrases")
PIPELINES = ("rules", "statistical")


def build_nlp(phrase_min_df: int | None = None, statistical: bool = False,
              lean: bool = False) -> Language:
    """``spacy.blank("en")`` with hyphens and slashes inside names split into tokens, and the
    paperkg components (the first one sets sentence boundaries).

    ``phrase_min_df``: how many corpus abstracts make a task/method phrase a known term.
    ``statistical``: also run the NER model trained by ``make model``
    (``extractors/models/sci-ner``); its names go to the ``ner`` group, only where no rule
    found anything. Off by default: on the dev set it moves F1 by +0.001 at a third of the speed.
    ``lean``: words get only the lexeme attributes the rules read (``_lean_lexemes``), from the
    knowledge-base names on: a faster start and run, but no trained NER can be added later.
    """
    if lean and statistical:
        raise ValueError("the statistical NER needs every lexeme attribute: lean=False")
    nlp = blank_nlp()  # one tokenizer for training data, the trained model and extraction
    if lean:
        _lean_lexemes(nlp)
    for name in PIPE_NAMES:
        config = {"min_df": phrase_min_df} if name == "kg_phrases" and phrase_min_df is not None \
            else {}
        nlp.add_pipe(name, config=config)
    if statistical:
        add_statistical_ner(nlp)
    forget_cached_chunks(nlp)  # the gazetteer tokenized ~100k names to build its matchers
    return nlp


@dataclass(frozen=True, slots=True)
class PaperMentions:
    """What extraction found in one paper."""

    paper: Paper
    mentions: tuple[Mention, ...]
    alias_pairs: tuple[tuple[str, str], ...]  # (short or handle, long form or name)


class Extractor:
    """Runs the pipeline over papers; build once per process and reuse.

    A pipeline of the rule components only runs them on ``TextDoc``s (``extractors.textdoc``:
    spaCy's tokens without spaCy's ``Doc``, the same mentions in less time); one with the
    trained NER runs as a spaCy pipeline, since the model needs a ``Doc``.
    """

    def __init__(self, nlp: Language | None = None, textdoc: bool = True) -> None:
        """``textdoc=False``: run the rules as a spaCy pipeline too (the same mentions;
        kept to check that they are the same)."""
        self.nlp = nlp or build_nlp(lean=True)
        self.kb = load_kb()
        self._tokenizer: ChunkTokenizer | None = None
        self._components: list[Callable[[AnyDoc], AnyDoc]] = []
        if textdoc and tuple(self.nlp.pipe_names) == PIPE_NAMES:
            self._tokenizer = ChunkTokenizer(self.nlp.tokenizer)
            # every TextDoc has its sentences already
            self._components = [self.nlp.get_pipe(name) for name in PIPE_NAMES
                                if name != "kg_sentences"]

    def extract(self, papers: Iterable[Paper], batch_size: int = 64) -> Iterator[PaperMentions]:
        papers = list(papers) if not isinstance(papers, list) else papers
        if self._tokenizer is None:
            make_doc = self.nlp.make_doc
            docs = self.nlp.pipe((remember_text(make_doc(p.text), p.text) for p in papers),
                                 batch_size=batch_size)
            for paper, doc in zip(papers, docs, strict=True):
                yield self.mentions_of(paper, doc)
            return
        for first in range(0, len(papers), batch_size):
            batch = papers[first: first + batch_size]
            docs = self._tokenizer.pipe([p.text for p in batch])
            # each component over the whole batch, as spaCy's nlp.pipe does: its tables (the
            # knowledge-base tries, the lexicons, its memos) stay in the processor's caches
            # from one doc to the next; doc by doc, 7% slower
            for component in self._components:
                pipe = getattr(component, "pipe", None)
                if pipe is not None:
                    docs = list(pipe(docs, batch_size=len(docs)))
                    continue
                for doc in docs:
                    component(doc)
            for paper, doc in zip(batch, docs, strict=True):
                found = self.mentions_of(paper, doc)
                _release(doc)
                yield found

    def extract_one(self, paper: Paper) -> PaperMentions:
        return next(self.extract([paper]))

    def mentions_of(self, paper: Paper, doc: AnyDoc) -> PaperMentions:
        mentions: list[Mention] = []
        seen: set[tuple[int, int]] = set()
        for group in GROUPS:
            for span in doc.spans.get(group, []):
                if (span.start_char, span.end_char) in seen:
                    continue
                seen.add((span.start_char, span.end_char))
                mentions.append(self._mention(doc, span, group))
        pairs = [(a.short, a.long) for a in doc._.abbreviations or ()]
        pairs += spelled_pairs(mentions)
        mentions.extend(self._short_forms(doc, pairs, mentions, seen))
        org_mentions, org_pairs = self._metadata_org(paper)
        mentions.extend(org_mentions)
        mentions.extend(self._owner_orgs(mentions))
        cited = find_identifiers(paper.abstract)
        if cited:
            paper = dataclasses.replace(paper, cited_ids=cited)
        return PaperMentions(paper, tuple(mentions), tuple(pairs + org_pairs))

    def _mention(self, doc: AnyDoc, span: AnySpan, group: str) -> Mention:
        arrays = token_arrays(doc)
        sentence = arrays.sentence_text(span.start, span.end)
        if group == "links":
            url = span.kb_id_
            kind, _, _ = classify(url)
            return Mention(type="link", text=url, start=span.start_char,
                           end=span.start_char + len(url), sentence=sentence,
                           role=_link_role(sentence), confidence=CONFIDENCE[group],
                           extractor="regex-url", kind=kind, url=url)
        confidence = CONFIDENCE[group]
        if group == "gazetteer" and span.id_ != "exact":
            confidence = 0.85
        if group == "phrase":
            confidence = 0.75 if span.id_ == "term" else 0.55
        role = role_of(doc, span)
        return Mention(
            type=span.label_, text=arrays.span_text(span.start, span.end),
            start=span.start_char, end=span.end_char,
            sentence=sentence, role=role, confidence=confidence,
            extractor=group,
            kb_id=span.kb_id_ if group == "gazetteer" and span.id_ == "exact" else "",
            family=span.kb_id_ if span.id_ == "variant" or (group == "phrase" and span.kb_id_)
            else "",
            relation=relation_of(doc, span) if role == "used" else "",
        )

    def _short_forms(self, doc: AnyDoc, pairs: list[tuple[str, str]], mentions: list[Mention],
                     seen: set[tuple[int, int]]) -> list[Mention]:
        """Mentions of each defined short form whose long form became a mention."""
        typed = {m.text: m for m in mentions}
        extra: list[Mention] = []
        for short, long in pairs:
            long_mention = typed.get(long)
            if long_mention is None:
                continue
            for key in occurrences(token_arrays(doc).text, short, free_before=True,
                                   free_after=True):
                if key in seen:
                    continue
                span = doc.char_span(*key, alignment_mode="expand")
                if span is None:
                    continue
                seen.add(key)
                extra.append(Mention(
                    type=long_mention.type, text=short, start=key[0], end=key[1],
                    sentence=token_arrays(doc).sentence_text(span.start, span.end),
                    role=long_mention.role,
                    confidence=long_mention.confidence, extractor="abbreviation",
                    kb_id=long_mention.kb_id,
                ))
        return extra

    def _owner_orgs(self, mentions: list[Mention]) -> list[Mention]:
        """The organization owning a linked repository, when the KB knows the owner handle
        ("github.com/bytedance/..." -> ByteDance)."""
        found = []
        for m in mentions:
            if m.type != "link":
                continue
            _, _, owner = classify(m.url)
            entry = self.kb.owner(owner) if owner else None
            if entry is None or entry.type != "organization":
                continue
            start = m.start + m.text.find(owner)
            found.append(Mention(type="organization", text=owner, start=start,
                                 end=start + len(owner), sentence=m.sentence,
                                 confidence=CONFIDENCE["code-host-owner"],
                                 extractor="code-host-owner", kb_id=entry.id))
        return found

    def _metadata_org(self, paper: Paper) -> tuple[list[Mention], list[tuple[str, str]]]:
        """The organization in the page's metadata block ("openbmb OpenBMB")."""
        if not paper.organization:
            return [], []
        line = f"{paper.organization_handle} {paper.organization}".strip()
        entry = self.kb.lookup(paper.organization) or (
            self.kb.owner(paper.organization_handle) if paper.organization_handle else None)
        kb_id = entry.id if entry is not None and entry.type == "organization" else ""
        found = [Mention(type="organization", text=paper.organization, start=0, end=0,
                         sentence=line, confidence=CONFIDENCE["metadata"],
                         extractor="metadata", kb_id=kb_id)]
        pairs = []
        if paper.organization_handle and paper.organization_handle != paper.organization:
            found.append(Mention(type="organization", text=paper.organization_handle, start=0,
                                 end=0, sentence=line, confidence=CONFIDENCE["metadata"],
                                 extractor="metadata", kb_id=kb_id))
            pairs.append((paper.organization_handle, paper.organization))
        return found, pairs


def _release(doc: TextDoc) -> None:
    """Empty ``doc``'s span groups: each ``TextSpan`` points back at its doc, and without this
    every doc would be a reference cycle that only the garbage collector frees (its passes were
    8% of a worker's time); emptied, it is freed by reference counting once its batch is done.
    """
    doc.spans.clear()
    doc._.abbreviations = None


def _lean_lexemes(nlp: Language) -> None:
    """Give words first seen from now on only the lexeme attribute the rules read (``LOWER``,
    for the gazetteer; ``ORTH`` and ``LENGTH`` are always set).

    spaCy computes about twenty attributes (norm, shape, prefix, ``like_url``...) in Python for
    every new word, and abstracts bring several new words each (about 10% of the rules
    pipeline's time, measured on 3,000 abstracts). The trained NER reads those attributes, so a
    pipeline with it keeps them all.
    """
    nlp.vocab.lex_attr_getters = {LOWER: nlp.vocab.lex_attr_getters[LOWER]}


_WORD_SEPARATORS = re.compile(r"[\s-]+")
_VERSION_SUFFIX = re.compile(r"[-_ ]?[vV]?\d+(?:\.\d+)*$")


def spelled_pairs(mentions: Iterable[Mention]) -> list[tuple[str, str]]:
    """(name, long form) for a paper's new one-word names spelled out by a longer mention.

    "PowerNorm" and "Power Normalization", "OTOv2" and "Only-Train-Once": the paper calls one
    thing by both, without a parenthesised definition between them.
    """
    mentions = list(mentions)  # dicts, not sets: the pairs come out in mention order, every run
    names = dict.fromkeys(m.text for m in mentions
                          if m.extractor in ("title", "proposal") and " " not in m.text)
    longs = dict.fromkeys(m.text for m in mentions if m.type in ("method", "model", "dataset")
                          and sum(w[:1].isalpha() for w in _WORD_SEPARATORS.split(m.text)) >= 2)
    pairs = []
    for name in names:
        core = _VERSION_SUFFIX.sub("", name)  # OTOv2 -> OTO
        for long in longs:
            if (len(core) >= 2 and core.lower() not in long.lower()
                    and best_long_form(core, long) == long):
                pairs.append((name, long))
    return pairs


_RELEASE = re.compile(r"\b(?:our|we|code|data|dataset|model|models|weights|available|release|"
                      r"released|open-source|publicly)\b", re.IGNORECASE)


def _link_role(sentence: str) -> str:
    """A URL the paper announces ("code is available at ...") is its own: ``proposed``."""
    return "proposed" if _RELEASE.search(sentence) else "used"
