"""Sentence boundaries (``extractors.tokens.sentence_starts``), written to the doc.

The first component: it reads the doc's tokens into ``TokenArrays`` once, finds the sentences
on those plain lists (spaCy's ``Sentencizer`` rule plus a break after the title, without a
``Token`` object per token), and sets them on the doc so ``Span.sent`` agrees (the trained NER
reads it).
"""

from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from extractors.tokens import token_arrays


@Language.component("kg_sentences")
def sentences_component(doc: Doc) -> Doc:
    if not len(doc):
        return doc
    arrays = token_arrays(doc)  # the doc has no sentences yet: computed by sentence_starts
    column = numpy.full((len(doc), 1), -1, dtype=numpy.int64)
    column[arrays.sentence_starts, 0] = 1
    doc.from_array([SENT_START], column.astype(numpy.uint64))  # -1 as spaCy stores it
    return doc
