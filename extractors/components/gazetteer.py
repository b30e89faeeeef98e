"""Knowledge-base matching: every alias of every entry, with its case, hyphen, space and plural
variants, in two tries of token tuples (case-insensitive, and exact for ambiguous names) that
find what two spaCy ``PhraseMatcher``s would, on a ``TextDoc`` as on a ``Doc``.

A model match is then widened to the checkpoint the text names: ``Llama 3`` in "Llama 3 8B",
``Qwen2.5`` in "Qwen2.5-72B-Instruct". The span's ``kb_id_`` is the entry matched and its
``id_`` says ``exact`` or ``variant`` (a sized or suffixed checkpoint of that entry).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress
from typing import Any

from spacy.language import Language
from spacy.util import filter_spans

from extractors.kb import KnowledgeBase, load_kb
from extractors.shapes import is_size, is_version, lexicon
from extractors.textdoc import AnyDoc, AnySpan, new_span
from extractors.tokens import TokenArrays, token_arrays

GROUP = "gazetteer"
CHECKPOINT_SUFFIXES = frozenset({
    "instruct", "chat", "base", "large", "xl", "xxl", "small", "tiny", "mini", "medium", "turbo",
    "plus", "pro", "max", "lite", "it", "hf", "sft", "dpo", "rlhf", "vision", "code", "coder",
    "math", "preview", "ultra", "nano", "flash", "huge", "giant", "distilled",
})
# Nouns for a thing kept on a platform: "a GitHub repository", "the Hugging Face page" name where
# something is hosted, not an organization the paper names.
HOSTED_THINGS = frozenset({
    "repository", "repositories", "repo", "repos", "page", "pages", "account", "accounts",
    "issue", "issues", "link", "links", "url", "urls", "star", "stars", "project", "projects",
})


def surface_variants(form: str) -> set[str]:
    """The spellings one alias is written in: hyphen/space/joined, and a plural.

    >>> sorted(surface_variants("Llama 2"))
    ['Llama 2', 'Llama-2', 'Llama2']
    >>> sorted(surface_variants("Vision Transformer"))[:3]
    ['Vision Transformer', 'Vision Transformers', 'Vision-Transformer']
    """
    base = {form, form.replace("-", " "), form.replace(" ", "-"),
            re.sub(r"(?<=[A-Za-z])[ -](?=\d)", "", form)}
    parts = re.split(r"[ -]", form)
    if 3 <= len(parts) <= 5:  # each separator either way: "Monte-Carlo tree search"
        for mask in range(2 ** (len(parts) - 1)):
            seps = ["-" if mask >> k & 1 else " " for k in range(len(parts) - 1)]
            base.add("".join(p + s for p, s in zip(parts, [*seps, ""], strict=True)))
    if " " in form and len(form.split()) <= 3:
        base.add(form.replace(" ", ""))  # "Hugging Face" -> "HuggingFace"
    if re.search(r"[a-z]-[a-z]", form):  # "cross-lingual transfer" -> "crosslingual transfer"
        base.update({re.sub(r"(?<=[a-z])-(?=[a-z])", "", v) for v in list(base)})
    camel = re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", " ", form)
    if camel != form:
        base.add(camel)  # "NaturalInstructions" -> "Natural Instructions"
    plural = {f + "s" for f in base if f[-1:].isalpha() and not f.endswith("s")}
    return {v for v in base | plural if v.strip()}


class Gazetteer:
    """Matches knowledge-base names in a doc and writes them to ``doc.spans["gazetteer"]``.

    Each alias variant is tokenized once, with the pipeline's tokenizer, into a tuple of
    token texts (exact, for case-sensitive entries) or lower-case texts; a doc is matched by
    looking up, at each token, the tuples starting there. The same matches as two spaCy
    ``PhraseMatcher``s, read from plain lists, so it runs on a ``TextDoc`` as on a ``Doc``.
    """

    def __init__(self, nlp: Language, name: str, kb: KnowledgeBase | None = None) -> None:
        self.name = name
        self.kb = kb if kb is not None else load_kb()
        self.exact = _PhraseTable()
        self.insensitive = _PhraseTable()
        self._add_patterns(nlp)

    def _add_patterns(self, nlp: Language) -> None:
        by_matcher: dict[tuple[bool, str], set[str]] = {}
        for entry in self.kb:
            for form in self.kb.surface_forms(entry):
                variants = surface_variants(form) if len(form) > 2 else {form}
                by_matcher.setdefault((entry.case_sensitive, entry.id), set()).update(variants)
        for (exact, entry_id), forms in by_matcher.items():
            table = self.exact if exact else self.insensitive
            for tokens in nlp.tokenizer.pipe(sorted(forms)):
                words = [t.text for t in tokens]
                table.add(entry_id, words if exact else [w.lower() for w in words])

    def __call__(self, doc: AnyDoc) -> AnyDoc:
        arrays = token_arrays(doc)
        spans = []
        for table, keys in ((self.exact, arrays.words), (self.insensitive, arrays.lower)):
            for entry_id, start, end in table.matches(keys):
                entry = self.kb.get(entry_id)
                spans.append(new_span(doc, start, end, label=entry.type, kb_id=entry.id,
                                      span_id="exact"))
        widened = [widen_checkpoint(doc, s) if s.label_ in ("model", "dataset") else s
                   for s in filter_spans(spans)
                   if not _names_a_host(arrays, s) and not _inside_a_compound(arrays, s)]
        doc.spans[GROUP] = filter_spans(widened)
        return doc


class _PhraseTable:
    """A trie of token tuples: each node maps a next token to a node, and ``_END`` to the
    entries whose tuple ends there, so a doc is matched with a few dict lookups per start."""

    def __init__(self) -> None:
        self._root: dict[str | None, Any] = {}

    def add(self, entry_id: str, tokens: list[str]) -> None:
        if not tokens:
            return
        node = self._root
        for token in tokens:
            node = node.setdefault(token, {})
        ids = node.setdefault(_END, [])
        if entry_id not in ids:
            ids.append(entry_id)

    def matches(self, keys: Sequence[str]) -> list[tuple[str, int, int]]:
        """``(entry id, start, end)`` of every tuple found in ``keys``, by start then end."""
        found = []
        n = len(keys)
        first_nodes = list(map(self._root.get, keys))
        for start in compress(range(n), first_nodes):
            node, end = first_nodes[start], start + 1
            while True:
                ids = node.get(_END)
                if ids:
                    found.extend((entry_id, start, end) for entry_id in ids)
                if end >= n:
                    break
                node = node.get(keys[end])
                if node is None:
                    break
                end += 1
        return found


_END = None  # the key of a node's entries: never a token, which is a str


def _names_a_host(arrays: TokenArrays, span: AnySpan) -> bool:
    """An organization written as the modifier of a hosted thing ("a GitHub repository")."""
    return (span.label_ == "organization" and span.end < len(arrays)
            and arrays.lower[span.end] in HOSTED_THINGS)


def _inside_a_compound(arrays: TokenArrays, span: AnySpan) -> bool:
    """An organization's name joined by a hyphen to the next or the previous word ("NUS-WIDE",
    "AI2-THOR", "MPI-INF-3DHP", "Caltech-UCSD", "Meta-learning"): the name of a dataset, model
    or method, not the organization. They were 19% of the organizations the gazetteer found in
    the paperlists abstracts."""
    if span.label_ != "organization":
        return False
    words, start, end = arrays.words, span.start, span.end
    joined_after = (end + 1 < len(arrays) and words[end] == "-" and _attached(arrays, end)
                    and _attached(arrays, end + 1))
    joined_before = (start >= 2 and words[start - 1] == "-" and _attached(arrays, start - 1)
                     and _attached(arrays, start))
    return joined_after or joined_before


def _attached(arrays: TokenArrays, i: int) -> bool:
    """Token ``i`` is written with no space before it."""
    return i > 0 and not arrays.spaced[i - 1]


_YEAR = re.compile(r"^(?:19|20)\d\d$")


def _is_checkpoint_word(text: str) -> bool:
    return (is_size(text) or is_version(text) or bool(_YEAR.match(text))
            or text.lower() in CHECKPOINT_SUFFIXES)


def _checkpoint_tail(arrays: TokenArrays, end: int) -> Iterator[tuple[int, bool]]:
    """Yield ``(new end, still a checkpoint)`` after each token that continues the name.

    Attached hyphenated parts extend any name ("GPT-4-turbo", "Gemma-2-SimPO"); spaced words
    only when they are sizes, versions or checkpoint suffixes ("Llama 3 8B", "Mistral 7B v0.1").
    """
    words, n = arrays.words, len(arrays)
    i = end
    checkpoint = True
    while i < n:
        text = words[i]
        if text in ("-", "/") and _attached(arrays, i) and i + 1 < n \
                and _attached(arrays, i + 1):
            nxt = words[i + 1]
            if text == "/" and (len(nxt) > 2 or not nxt.isalnum()):
                return  # "IWSLT14/WMT14": two names, not one
            if _is_checkpoint_word(nxt) or nxt[:1].isupper() or nxt[:1].isdigit():
                checkpoint = checkpoint and _is_checkpoint_word(nxt)
                i += 2
                if i < n and _attached(arrays, i) and words[i] in ("K", "M", "B", "T"):
                    i += 1  # "WebVid-2M", tokenized "2" "M"
                yield i, checkpoint
                continue
            return
        if is_size(text) or is_version(text) or _YEAR.match(text) or (
                text.lower() in CHECKPOINT_SUFFIXES and text[:1].isupper()):
            i += 1
            yield i, checkpoint
            continue
        return


def widen_checkpoint(doc: AnyDoc, span: AnySpan) -> AnySpan:
    """``Llama 3`` -> ``Llama 3 8B`` (a ``variant``); ``CLIP-T5`` (``derived``); else unchanged."""
    arrays = token_arrays(doc)
    words = arrays.words
    end, checkpoint = span.end, True
    for end, checkpoint in _checkpoint_tail(arrays, span.end):  # noqa: B007  (keep the last)
        pass
    if words[end - 1] in lexicon()["stop_names"]:
        end, checkpoint = span.end, True
    start = span.start
    # "CAD-Llama", "Chinese-Llama2": a name attached in front makes a new, derived model.
    if (span.label_ == "model" and start >= 2 and words[start - 1] == "-"
            and _attached(arrays, start) and _attached(arrays, start - 1)
            and words[start - 2][:1].isupper() and words[start - 2] not in
            lexicon()["stop_names"]):
        start, checkpoint = start - 2, False
    if (start, end) == (span.start, span.end):
        return span
    kind = "variant" if checkpoint else "derived"
    return new_span(doc, start, end, label=span.label_, kb_id=span.kb_id_, span_id=kind)


@Language.factory("kg_gazetteer")
def make_gazetteer(nlp: Language, name: str) -> Gazetteer:
    return Gazetteer(nlp, name)


def known_spans(doc: AnyDoc) -> Iterable[AnySpan]:
    return doc.spans.get(GROUP, [])
