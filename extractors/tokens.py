"""A doc's tokens as plain lists, read from spaCy once per doc.

spaCy builds a new ``Token`` object on every ``doc[i]`` and walks every token on every
``doc.sents``; the rule components look at the same few hundred tokens dozens of times, and
before this module most of the extraction time went into those objects (``bench/``). The
lists hold exactly what the rules read: text, lower case, the space after, character offsets
and sentence ranges. First built by ``kg_links``, after sentence boundaries are final
(``kg_title_break``).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from spacy.attrs import IDX, SENT_START, SPACY
from spacy.tokens import Doc

_KEY = "kg_token_arrays"


@dataclass(frozen=True, slots=True)
class TokenArrays:
    """Per-token lists of one doc, indexed like the doc's tokens."""

    text: str
    words: list[str]
    lower: list[str]
    spaced: list[bool]
    starts: list[int]  # character offset of each token
    ends: list[int]
    sentence_starts: list[int]  # first token of each sentence, ascending

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
        return self.span_text(*self.span_sentence(start, end))


def token_arrays(doc: Doc) -> TokenArrays:
    """The doc's ``TokenArrays``, built on first use and kept in ``doc.user_data``.

    >>> from extractors.ner.tokenizer import blank_nlp
    >>> nlp = blank_nlp(); nlp.add_pipe("sentencizer")  # doctest: +ELLIPSIS
    <...>
    >>> arrays = token_arrays(nlp("We use GPT-4. It works."))
    >>> arrays.words[:4], arrays.sentences(), arrays.span_text(2, 5)
    (['We', 'use', 'GPT', '-'], [(0, 6), (6, 9)], 'GPT-4')
    """
    cached = doc.user_data.get(_KEY)
    if cached is not None and len(cached) == len(doc):
        return cached
    text = doc.text
    columns = doc.to_array([IDX, SPACY, SENT_START]).tolist() if len(doc) else []
    starts = [row[0] for row in columns]
    ends = [*starts[1:], len(text)]
    spaced = [bool(row[1]) for row in columns]
    for i, space in enumerate(spaced):
        if space:
            ends[i] -= 1
    words = [text[s:e] for s, e in zip(starts, ends, strict=True)]
    sentence_starts = [0] + [i for i in range(1, len(columns)) if columns[i][2] == 1]
    arrays = TokenArrays(text, words, [w.lower() for w in words], spaced, starts, ends,
                         sentence_starts)
    doc.user_data[_KEY] = arrays
    return arrays
