"""Abbreviation definitions ("Mixture-of-Denoisers (MoD)") stored on the doc for linking."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from extractors.abbreviations import find_abbreviations
from extractors.textdoc import AnyDoc
from extractors.tokens import token_arrays

if not Doc.has_extension("abbreviations"):
    Doc.set_extension("abbreviations", default=None)


@Language.component("kg_abbreviations")
def abbreviations_component(doc: AnyDoc) -> AnyDoc:
    doc._.abbreviations = find_abbreviations(token_arrays(doc).text)
    return doc
