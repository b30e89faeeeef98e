"""A tokenized text without spaCy's ``Doc``: what the rule components read and write.

The rules pipeline spent over a third of its time in spaCy objects it did not need: the
tokenizer pushing lexemes into a ``Doc``, reading the tokens back out into plain lists
(``extractors.tokens``), setting sentence starts, building ``Span`` objects. ``TextDoc`` holds
the plain lists (``TokenArrays``) from the start, with the few ``Doc`` features the components
use (``spans`` groups, ``char_span``, ``_.abbreviations``), and ``TextSpan`` the few ``Span``
features. ``ChunkTokenizer`` gives exactly spaCy's tokens (compared on all 95,562 paperlists
texts when it was written; ``tests/test_textdoc.py`` compares the sample pages and edge cases):
spaCy tokenizes each whitespace-separated chunk on its own, so the tokens of a chunk are
computed once, by spaCy, and reused.

The components accept a spaCy ``Doc`` too (``new_span`` makes the matching span type): the
statistical pipeline runs them inside a spaCy ``Language``, where the trained NER needs a Doc.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate, chain, filterfalse, pairwise
from operator import add
from sys import intern
from types import SimpleNamespace
from typing import Any

from spacy.attrs import IDX, LENGTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

from extractors.tokens import TokenArrays, sentence_starts


class TextSpan:
    """Tokens ``start:end`` of a ``TextDoc``, with the ``Span`` attributes the rules read."""

    __slots__ = ("doc", "end", "id_", "kb_id_", "label_", "start")

    def __init__(self, doc: TextDoc, start: int, end: int, label: str = "", kb_id: str = "",
                 span_id: str = "") -> None:
        self.doc = doc
        self.start = start
        self.end = end
        self.label_ = label
        self.kb_id_ = kb_id
        self.id_ = span_id

    def __len__(self) -> int:
        return self.end - self.start

    def __repr__(self) -> str:
        return f"TextSpan({self.text!r}, {self.start}, {self.end}, {self.label_!r})"

    @property
    def start_char(self) -> int:
        arrays = self.doc.arrays
        return arrays.starts[self.start] if self.start < len(arrays) else len(arrays.text)

    @property
    def end_char(self) -> int:
        return self.doc.arrays.ends[self.end - 1] if self.end > self.start else self.start_char

    @property
    def text(self) -> str:
        return self.doc.arrays.span_text(self.start, self.end)


class TextDoc:
    """One text's ``TokenArrays`` and the span groups the components write."""

    __slots__ = ("_", "arrays", "spans")

    def __init__(self, arrays: TokenArrays) -> None:
        self.arrays = arrays
        self.spans: dict[str, list[TextSpan]] = {}
        self._ = SimpleNamespace(abbreviations=None)

    def __len__(self) -> int:
        return len(self.arrays.words)

    @property
    def text(self) -> str:
        return self.arrays.text

    def _token_at(self, char: int) -> int:
        """The token whose text or trailing space holds ``char``, or -1 (spaCy's
        ``token_by_char``)."""
        arrays = self.arrays
        i = bisect_right(arrays.starts, char) - 1
        if i < 0 or char >= arrays.ends[i] + arrays.spaced[i]:
            return -1
        return i

    def char_span(self, start_char: int, end_char: int, label: str = "",
                  alignment_mode: str = "strict") -> TextSpan | None:
        """``Doc.char_span`` for the ``strict`` and ``expand`` modes."""
        arrays = self.arrays
        start = self._token_at(start_char)
        if start < 0 or (alignment_mode == "strict" and start_char != arrays.starts[start]):
            return None
        end = self._token_at(end_char - 1)
        if end < 0 or (alignment_mode == "strict" and end_char != arrays.ends[end]):
            return None
        if alignment_mode == "expand" and start_char == arrays.ends[start]:
            start += 1  # the trailing space is not part of the token before it
        elif alignment_mode not in ("strict", "expand"):
            raise ValueError(f"alignment_mode {alignment_mode!r}: expected strict or expand")
        return TextSpan(self, start, end + 1, label)


AnyDoc = Doc | TextDoc
AnySpan = Span | TextSpan


def new_span(doc: AnyDoc, start: int, end: int, label: str = "", kb_id: str = "",
             span_id: str = "") -> Any:
    """A span of ``doc`` of its own kind: ``TextSpan`` of a ``TextDoc``, else spaCy's ``Span``."""
    if type(doc) is TextDoc:
        return TextSpan(doc, start, end, label, kb_id, span_id)
    return Span(doc, start, end, label=label, kb_id=kb_id, span_id=span_id)


class ChunkTokenizer:
    """Text to ``TextDoc`` with spaCy's tokens, each distinct chunk tokenized once by spaCy.

    spaCy splits text at whitespace and tokenizes every chunk (a run of non-space characters,
    or of whitespace) by itself; one space right after a token is that token's trailing space,
    not a chunk. This splits the same way with one regex (a chunk with its trailing space is
    one key), and builds the token lists from per-key flat tuples with C-level ``map``/``chain``:
    no Python code runs per token. Keys not seen before are tokenized by ``tokenizer``
    (spaCy's, with paperkg's rules) in one call per batch of texts.
    """

    def __init__(self, tokenizer: Tokenizer, max_keys: int = 500_000) -> None:
        self.tokenizer = tokenizer
        self.max_keys = max_keys
        # special cases ("cannot", "etc.") are tokenized by spaCy; simple chunks need not be
        self._specials = frozenset(tokenizer.rules or ())
        self._simple_chunks = _splits_simple_chunks(tokenizer)
        # key -> text, lower-case text, trailing space and advance of each token, one flat
        # tuple (a tuple per token cost a memory access more per token, in a dict too large
        # for the processor's caches); the advance is the number of characters from the
        # token's start to the next token's start
        self._tokens: dict[str, tuple[str | bool | int, ...]] = {}

    def __call__(self, text: str) -> TextDoc:
        return self.pipe([text])[0]

    def pipe(self, texts: Iterable[str]) -> list[TextDoc]:
        split = [(text, _KEYS.findall(text)) for text in texts]
        new = set(filterfalse(self._tokens.__contains__,
                              chain.from_iterable(keys for _, keys in split)))
        if new and len(self._tokens) + len(new) > self.max_keys:
            self._tokens.clear()  # bounded memory, as spaCy's own cache
            new = set(chain.from_iterable(keys for _, keys in split))
        if new:
            self._learn(new)
        return [TextDoc(self._arrays(text, keys)) for text, keys in split]

    def _arrays(self, text: str, keys: list[str]) -> TokenArrays:
        fields = list(chain.from_iterable(map(self._tokens.__getitem__, keys)))
        if not fields:
            return TokenArrays(text, [], [], [], [], [], [])
        words, lower, spaced, advance = (fields[0::4], fields[1::4], fields[2::4],
                                         fields[3::4])
        starts = list(accumulate(advance, initial=0))
        starts.pop()
        return TokenArrays(text, words, lower, spaced, starts,
                           list(map(add, starts, map(len, words))), sentence_starts(words))

    def _learn(self, keys: set[str]) -> None:
        """Tokenize the keys not seen before, each distinct chunk once."""
        chunk_of = {key: _chunk(key) for key in keys}
        spans_of: dict[str, list[tuple[int, int]]] = {}
        joinable = []
        for chunk in set(chunk_of.values()):
            simple = self._simple_chunk_spans(chunk)
            if simple is not None:
                spans_of[chunk] = simple
            # a whitespace run would merge with the separator's spaces; NUL is the separator
            elif chunk[0].isspace() or "\x00" in chunk:
                spans_of[chunk] = [(t.idx, t.idx + len(t)) for t in self.tokenizer(chunk)]
            else:
                joinable.append(chunk)
        spans_of.update(self._tokenize_together(sorted(joinable)))
        for key, chunk in chunk_of.items():
            self._remember(key, chunk, spans_of[chunk])

    def _simple_chunk_spans(self, chunk: str) -> list[tuple[int, int]] | None:
        """The tokens of a chunk of ASCII words joined by hyphens or slashes, with at most an
        opening bracket and a closing one and a mark ("model,", "data.", "(LLMs),",
        "state-of-the-art", "(encoder-decoder)."), which spaCy's rules split at each hyphen,
        slash, bracket and mark; None for any other chunk, or when a special case could apply.
        Such chunks are 76% of the distinct chunks of the paperlists abstracts (278,789 of
        367,828, each tokenized as spaCy does), and spaCy took 17-30 us for each."""
        if not self._simple_chunks:
            return None
        if chunk.isalpha() and chunk.isascii():  # one plain word: a third of them
            return None if chunk in self._specials else [(0, len(chunk))]
        match = _SIMPLE_CHUNK.fullmatch(chunk)
        if match is None:
            return None
        words_start, words_end = match.span("words")
        spans = [(0, words_start)] if words_start else []
        start = words_start
        for separator in _WORD_SEPARATOR.finditer(chunk, words_start, words_end):
            spans += [(start, separator.start()), (separator.start(), separator.end())]
            start = separator.end()
        spans.append((start, words_end))
        spans.extend((i, i + 1) for i in range(words_end, len(chunk)))
        # spaCy looks the special cases up between affixes and across tokens ("e-g." ends in the
        # one token "g.", "(o:" is one): any run of the tokens that is one goes to spaCy
        specials = self._specials
        for first, (start, _) in enumerate(spans):
            for _, end in spans[first:]:
                if chunk[start:end] in specials:
                    return None
        return spans

    def _tokenize_together(self, chunks: list[str]) -> dict[str, list[tuple[int, int]]]:
        """Token offsets of each chunk, from one spaCy call on all of them joined by
        " \x00 ", which keeps them separate chunks, each tokenized as if alone."""
        if not chunks:
            return {}
        doc = self.tokenizer(" \x00 ".join(chunks))
        columns = doc.to_array([IDX, LENGTH]).tolist()
        offsets: dict[str, list[tuple[int, int]]] = {chunk: [] for chunk in chunks}
        k, base, next_base = 0, 0, len(chunks[0]) + 3
        for start, length in columns:
            while start >= next_base:
                k += 1
                base, next_base = next_base, next_base + len(chunks[k]) + 3
            if start - base < len(chunks[k]):  # not the separator
                offsets[chunks[k]].append((start - base, start - base + length))
        return offsets

    def _remember(self, key: str, chunk: str, spans: list[tuple[int, int]]) -> None:
        """Keep the key's tokens. Their texts are interned: "the" in every key that holds it
        is one object, and a doc's lists point at a few thousand objects the processor has
        cached, not at a new copy per key (1-2% of a paper)."""
        if not spans:
            self._tokens[key] = ()
            return
        trailing = len(chunk) < len(key)  # the key's one trailing space
        fields: list[str | bool | int] = []
        for (start, end), (next_start, _) in pairwise(spans):
            word = intern(chunk[start:end])
            fields += (word, intern(word.lower()), False, next_start - start)
        start, end = spans[-1]
        word = intern(chunk[start:end])
        fields += (word, intern(word.lower()), trailing, len(key) - start)
        self._tokens[key] = tuple(fields)


# A chunk with the one space after it, or a whitespace run: spaCy's split, see ChunkTokenizer.
_KEYS = re.compile(r"\S+ ?|\s+")


# ASCII words joined by hyphens or slashes, between an optional opening bracket and an optional
# closing one and mark that spaCy's English affix rules split off: a full stop only after a
# lower-case letter or a bracket ("AbD." and "K." stay whole). No digits: spaCy splits units
# off numbers ("7M") and keeps decimals whole.
_SIMPLE_CHUNK = re.compile(
    r"\(?(?P<words>[A-Za-z]+(?:[-/][A-Za-z]+)*)\)?(?:[,;:]|(?<=[a-z)])\.)?")
_WORD_SEPARATOR = re.compile(r"[-/]")

# Probes of _splits_simple_chunks: each with the tokens _simple_chunk_spans gives it.
_SIMPLE_PROBES = {
    "x": ["x"], "Z": ["Z"], "word": ["word"], "WORD": ["WORD"], "camelCase": ["camelCase"],
    "model,": ["model", ","], "data.": ["data", "."], "Aa;": ["Aa", ";"], "aB:": ["aB", ":"],
    "x)": ["x", ")"], "(LLMs),": ["(", "LLMs", ")", ","], "(x": ["(", "x"],
    "(A).": ["(", "A", ")", "."], "state-of-the-art": ["state", "-", "of", "-", "the", "-", "art"],
    "Aa-Bb.": ["Aa", "-", "Bb", "."], "encoder/decoder)": ["encoder", "/", "decoder", ")"],
    "(Text-to-SQL)": ["(", "Text", "-", "to", "-", "SQL", ")"], "A-B;": ["A", "-", "B", ";"],
}


def _splits_simple_chunks(tokenizer: Tokenizer) -> bool:
    """``tokenizer`` tokenizes simple chunks as ``ChunkTokenizer._simple_chunk_spans`` assumes
    (spaCy's English punctuation rules with paperkg's infixes do); checked on probes, else every
    chunk goes to it."""
    specials = tokenizer.rules or {}
    return all([t.text for t in tokenizer(probe)] == tokens
               for probe, tokens in _SIMPLE_PROBES.items() if probe not in specials)


def _chunk(key: str) -> str:
    """The chunk spaCy tokenizes for a key: without a non-space chunk's trailing space."""
    return key[:-1] if len(key) > 1 and key[-1] == " " and not key[0].isspace() else key
