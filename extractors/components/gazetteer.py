"""Knowledge-base matching: every alias of every entry, with its case, hyphen, space and plural
variants, in two ``PhraseMatcher``s (case-insensitive, and exact for ambiguous names).

A model match is then widened to the checkpoint the text names: ``Llama 3`` in "Llama 3 8B",
``Qwen2.5`` in "Qwen2.5-72B-Instruct". The span's ``kb_id_`` is the entry matched and its
``id_`` says ``exact`` or ``variant`` (a sized or suffixed checkpoint of that entry).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors.kb import KnowledgeBase, load_kb
from extractors.shapes import is_size, is_version, lexicon

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
    """Matches knowledge-base names in a doc and writes them to ``doc.spans["gazetteer"]``."""

    def __init__(self, nlp: Language, name: str, kb: KnowledgeBase | None = None) -> None:
        self.name = name
        self.kb = kb if kb is not None else load_kb()
        self.insensitive = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._add_patterns(nlp)

    def _add_patterns(self, nlp: Language) -> None:
        by_matcher: dict[tuple[bool, str], set[str]] = {}
        for entry in self.kb:
            for form in self.kb.surface_forms(entry):
                variants = surface_variants(form) if len(form) > 2 else {form}
                by_matcher.setdefault((entry.case_sensitive, entry.id), set()).update(variants)
        for (exact, entry_id), forms in by_matcher.items():
            matcher = self.exact if exact else self.insensitive
            matcher.add(entry_id, list(nlp.tokenizer.pipe(sorted(forms))))

    def __call__(self, doc: Doc) -> Doc:
        strings = doc.vocab.strings
        spans = []
        for match_id, start, end in [*self.exact(doc), *self.insensitive(doc)]:
            entry = self.kb.get(strings[match_id])
            spans.append(Span(doc, start, end, label=entry.type, kb_id=entry.id, span_id="exact"))
        widened = [widen_checkpoint(s) if s.label_ in ("model", "dataset") else s
                   for s in filter_spans(spans) if not _names_a_host(doc, s)]
        doc.spans[GROUP] = filter_spans(widened)
        return doc


def _names_a_host(doc: Doc, span: Span) -> bool:
    """An organization written as the modifier of a hosted thing ("a GitHub repository")."""
    return (span.label_ == "organization" and span.end < len(doc)
            and doc[span.end].lower_ in HOSTED_THINGS)


def _attached(doc: Doc, i: int) -> bool:
    """Token ``i`` is written with no space before it."""
    return i > 0 and not doc[i - 1].whitespace_


_YEAR = re.compile(r"^(?:19|20)\d\d$")


def _is_checkpoint_word(text: str) -> bool:
    return (is_size(text) or is_version(text) or bool(_YEAR.match(text))
            or text.lower() in CHECKPOINT_SUFFIXES)


def _checkpoint_tail(doc: Doc, end: int) -> Iterator[tuple[int, bool]]:
    """Yield ``(new end, still a checkpoint)`` after each token that continues the name.

    Attached hyphenated parts extend any name ("GPT-4-turbo", "Gemma-2-SimPO"); spaced words
    only when they are sizes, versions or checkpoint suffixes ("Llama 3 8B", "Mistral 7B v0.1").
    """
    i = end
    checkpoint = True
    while i < len(doc):
        token = doc[i]
        if token.text in ("-", "/") and _attached(doc, i) and i + 1 < len(doc) \
                and _attached(doc, i + 1):
            nxt = doc[i + 1].text
            if token.text == "/" and (len(nxt) > 2 or not nxt.isalnum()):
                return  # "IWSLT14/WMT14": two names, not one
            if _is_checkpoint_word(nxt) or nxt[:1].isupper() or nxt[:1].isdigit():
                checkpoint = checkpoint and _is_checkpoint_word(nxt)
                i += 2
                if i < len(doc) and _attached(doc, i) and doc[i].text in ("K", "M", "B", "T"):
                    i += 1  # "WebVid-2M", tokenized "2" "M"
                yield i, checkpoint
                continue
            return
        if is_size(token.text) or is_version(token.text) or _YEAR.match(token.text) or (
                token.text.lower() in CHECKPOINT_SUFFIXES and token.text[:1].isupper()):
            i += 1
            yield i, checkpoint
            continue
        return


def widen_checkpoint(span: Span) -> Span:
    """``Llama 3`` -> ``Llama 3 8B`` (a ``variant``); ``CLIP-T5`` (``derived``); else unchanged."""
    doc = span.doc
    end, checkpoint = span.end, True
    for end, checkpoint in _checkpoint_tail(doc, span.end):  # noqa: B007  (keep the last)
        pass
    if doc[end - 1].text in lexicon()["stop_names"]:
        end, checkpoint = span.end, True
    start = span.start
    # "CAD-Llama", "Chinese-Llama2": a name attached in front makes a new, derived model.
    if (span.label_ == "model" and start >= 2 and doc[start - 1].text == "-"
            and _attached(doc, start) and _attached(doc, start - 1)
            and doc[start - 2].text[:1].isupper() and doc[start - 2].text not in
            lexicon()["stop_names"]):
        start, checkpoint = start - 2, False
    if (start, end) == (span.start, span.end):
        return span
    kind = "variant" if checkpoint else "derived"
    return Span(doc, start, end, label=span.label_, kb_id=span.kb_id_, span_id=kind)


@Language.factory("kg_gazetteer")
def make_gazetteer(nlp: Language, name: str) -> Gazetteer:
    return Gazetteer(nlp, name)


def known_spans(doc: Doc) -> Iterable[Span]:
    return doc.spans.get(GROUP, [])
