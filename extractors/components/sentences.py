"""Sentence boundaries: the rule-based sentencizer, plus a break after the title.

The title and abstract are joined by a blank line (``kg.model.paper_text``); the sentencizer
only splits on punctuation, so the title would run into the first sentence.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("kg_title_break")
def title_break(doc: Doc) -> Doc:
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
            break
    return doc
