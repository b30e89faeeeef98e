"""URLs as ``link`` spans: code repositories, model and dataset hub pages, project pages."""

from __future__ import annotations

from spacy.language import Language

from extractors.textdoc import AnyDoc, AnySpan
from extractors.tokens import token_arrays
from extractors.urls import find_urls

GROUP = "links"


@Language.component("kg_links")
def links_component(doc: AnyDoc) -> AnyDoc:
    spans: list[AnySpan] = []
    for found in find_urls(token_arrays(doc).text):
        span = doc.char_span(found.start, found.end, label="link", alignment_mode="expand")
        if span is None:
            continue
        span.kb_id_ = found.url  # the URL exactly as written; kind and name are re-derived
        span.id_ = found.kind
        spans.append(span)
    doc.spans[GROUP] = spans
    return doc
