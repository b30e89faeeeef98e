"""A doc's tokens as plain lists, read from spaCy once per doc, and its sentence boundaries.

spaCy builds a new ``Token`` object on every ``doc[i]`` and walks every token on every
``doc.sents`` and ``doc.text``; the rule components look at the same few hundred tokens dozens
of times, and before this module most of the extraction time went into those objects
(``bench/``). The lists hold exactly what the rules read: text, lower case, the space after,
character offsets and sentence ranges. First built by ``kg_sentences``, the first component.
"""

from __future__ import annotations

import contextlib
import unicodedata
from bisect import bisect_right
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count

from spacy.attrs import IDX, LENGTH, SENT_START, SPACY
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

_KEY = "kg_token_arrays"
_TEXT_KEY = "kg_text"
_SENTENCE_END_CHARS = frozenset(Sentencizer.default_punct_chars)


@dataclass(frozen=True, slots=True)
class TokenArrays:
    """Per-token sequences (lists or tuples) of one doc, indexed like the doc's tokens."""

    text: str
    words: Sequence[str]
    lower: Sequence[str]
    spaced: Sequence[bool]
    starts: Sequence[int]  # character offset of each token
    ends: Sequence[int]
    sentence_starts: Sequence[int]  # first token of each sentence, ascending
    # one str per sentence, shared by every mention in it: pickled once per paper (workers
    # send records to the parent) and stored once in the graph's evidence
    sentence_texts: dict[tuple[int, int], str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.words)

    def span_text(self, start: int, end: int) -> str:
        """``doc[start:end].text``."""
        if end <= start:
            return ""
        return self.text[self.starts[start]: self.ends[end - 1]]

    def sentence(self, i: int) -> tuple[int, int]:
        """``(start, end)`` token range of the sentence holding token ``i``."""
        k = bisect_right(self.sentence_starts, i) - 1
        end = self.sentence_starts[k + 1] if k + 1 < len(self.sentence_starts) else len(self)
        return self.sentence_starts[k], end

    def span_sentence(self, start: int, end: int) -> tuple[int, int]:
        """``doc[start:end].sent`` as a token range: from the sentence of the first token to
        the end of the sentence of the last (one sentence unless the span crosses a break)."""
        return self.sentence(start)[0], self.sentence(max(start, end - 1))[1]

    def sentences(self) -> list[tuple[int, int]]:
        """Every sentence's ``(start, end)``, in order (``doc.sents``)."""
        bounds = [*self.sentence_starts, len(self)]
        return [(bounds[k], bounds[k + 1]) for k in range(len(self.sentence_starts))]

    def sentence_text(self, start: int, end: int) -> str:
        """``doc[start:end].sent.text``."""
        bounds = self.span_sentence(start, end)
        text = self.sentence_texts.get(bounds)
        if text is None:
            text = self.sentence_texts[bounds] = self.span_text(*bounds)
        return text


def positions(items: Sequence[str], wanted: Container[str]) -> Iterator[int]:
    """The indexes of the items in ``wanted``, found without a Python step per item (a
    comprehension over an abstract's tokens costs more than the rest of many a rule).

    >>> list(positions(["a", "b", "a"], {"a"}))
    [0, 2]
    """
    return compress(count(), map(wanted.__contains__, items))


def indexes(items: Sequence[str], value: str) -> list[int]:
    """The indexes of ``value`` in ``items``, found by ``list.index``: for a word that occurs
    a few times in an abstract, faster than ``positions`` (no call per item, only compares).

    >>> indexes(["on", "b", "on"], "on")
    [0, 2]
    """
    found = []
    i = -1
    with contextlib.suppress(ValueError):
        while True:
            i = items.index(value, i + 1)
            found.append(i)
    return found


def _joins(char: str) -> bool:
    """``[\\w-]`` of a ``re`` pattern: a word character or a hyphen."""
    return char.isalnum() or char in "_-"


def occurrences(text: str, needle: str, *, free_before: bool = False,
                free_after: bool = False) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-overlapping ``needle`` in ``text``, left to right.

    ``free_before``/``free_after``: only where no word character or hyphen touches it on that
    side, as ``(?<![\\w-])``/``(?![\\w-])`` would. The same matches as ``re.finditer`` on the
    escaped needle, without compiling a pattern per name: names vary, and every new pattern
    pushed a cached one out of ``re``'s 512-entry cache (about one compile per abstract, each
    costing more than the search).

    >>> occurrences("GPT-4 and GPT and xGPT", "GPT", free_before=True, free_after=True)
    [(10, 13)]
    """
    found = []
    if not needle:
        return found
    i = text.find(needle)
    while i >= 0:
        end = i + len(needle)
        if (free_before and i > 0 and _joins(text[i - 1])) or \
                (free_after and end < len(text) and _joins(text[end])):
            i = text.find(needle, i + 1)
            continue
        found.append((i, end))
        i = text.find(needle, end)
    return found


def remember_text(doc: Doc, text: str) -> Doc:
    """Keep the text ``doc`` was made from, so ``token_arrays`` need not rebuild it
    (``doc.text`` joins a new ``Token`` object per token)."""
    doc.user_data[_TEXT_KEY] = text
    return doc


@lru_cache(maxsize=1 << 16)
def _is_punct(word: str) -> bool:
    """spaCy's ``Token.is_punct``: every character is Unicode punctuation."""
    return all(unicodedata.category(c).startswith("P") for c in word)


def sentence_starts(words: Sequence[str]) -> list[int]:
    """The first token of each sentence: spaCy's rule-based ``Sentencizer`` (a sentence ends
    after a run of ``. ! ?``-like tokens and the punctuation right after them), plus a break
    after the title's line end.

    The title and abstract are joined by a blank line (``kg.model.paper_text``); the
    sentencizer only splits on punctuation, so the title would run into the first sentence.

    >>> sentence_starts(["A", "title", "\\n\\n", "We", "win", ".", "Really", "!", '"', "Yes"])
    [0, 3, 6, 9]
    """
    if not words:
        return []
    starts = {0}
    n = len(words)
    after = 0  # sentence ends before this token are already settled
    for end in list(positions(words, _SENTENCE_END_CHARS)):
        if end < after:
            continue
        i = end + 1
        while i < n and (words[i] in _SENTENCE_END_CHARS or _is_punct(words[i])):
            i += 1
        if i < n:
            starts.add(i)
        after = i
    title_end = next((i for i, word in enumerate(words[:-1])
                      if "\n" in word and word.isspace()), None)
    if title_end is not None:
        starts.add(title_end + 1)
    return sorted(starts)


def token_arrays(doc: Doc) -> TokenArrays:
    """The doc's ``TokenArrays``, built on first use and kept in ``doc.user_data`` (a
    ``TextDoc``'s own).

    Sentences are the doc's own when a component has set them, else ``sentence_starts``.

    >>> from extractors.ner.tokenizer import blank_nlp
    >>> arrays = token_arrays(blank_nlp()("We use GPT-4. It works."))
    >>> arrays.words[:4], arrays.sentences(), arrays.span_text(2, 5)
    (['We', 'use', 'GPT', '-'], [(0, 6), (6, 9)], 'GPT-4')
    """
    if doc.__class__ is not Doc:
        return doc.arrays  # a TextDoc (extractors.textdoc) is made of them
    cached = doc.user_data.get(_KEY)
    if cached is not None and len(cached.words) == len(doc):
        return cached
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.text
    columns = doc.to_array([IDX, LENGTH, SPACY])
    starts = columns[:, 0].tolist()
    ends = (columns[:, 0] + columns[:, 1]).tolist()
    spaced = columns[:, 2].astype(bool).tolist()
    words = [text[s:e] for s, e in zip(starts, ends, strict=True)]
    if doc.has_annotation("SENT_START"):
        first = [0, *(doc.to_array(SENT_START) == 1).nonzero()[0][1:].tolist()]
    else:
        first = sentence_starts(words)
    arrays = TokenArrays(text, words, [w.lower() for w in words], spaced, starts, ends, first)
    doc.user_data[_KEY] = arrays
    return arrays
