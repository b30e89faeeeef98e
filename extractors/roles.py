"""Whether a paper proposes a thing or uses it, from where and how the text names it.

``proposed``: the title's "Name:" prefix, "our Name", "a framework called Name", or the name
right after "we propose/introduce/present/release"; ``used`` otherwise.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from extractors.shapes import lexicon

_FILLER = {"a", "an", "the", "new", "novel", "our", "first", "simple", "family", "of",
           "series", ",", "open", "openly", "publicly", "two", "three", "both"}


def in_title_prefix(doc: Doc, span: Span) -> bool:
    """The span is (part of) the title's "Name:" prefix or "Name Technical Report"."""
    title = next(iter(doc.sents))
    if span.start >= title.end:
        return False
    colon = next((t.i for t in title if t.text == ":"), None)
    if colon is not None:
        return span.end <= colon and colon - title.start <= 6
    return span.start == title.start and "technical report" in title.text.lower()


def role_of(doc: Doc, span: Span) -> str:
    """``proposed`` or ``used`` for one span of ``doc``."""
    if span.id_ == "proposed" or in_title_prefix(doc, span):
        return "proposed"
    lex = lexicon()
    before = [t.lower_ for t in doc[max(span.sent.start, span.start - 3): span.start]]
    if "our" in before[-2:] or any(w in lex["naming_words"] for w in before[-2:]):
        return "proposed"
    # "we propose/introduce/release [a new] NAME": only fillers between the verb and the name.
    i = span.start - 1
    while i >= span.sent.start and doc[i].lower_ in _FILLER:
        i -= 1
    if i >= span.sent.start and doc[i].lower_ in lex["propose_verbs"]:
        sentence = {t.lower_ for t in span.sent}
        if sentence & {"we", "our", "paper", "work", "report"}:
            return "proposed"
    return "used"
