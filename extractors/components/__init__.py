"""spaCy components of the paperkg pipeline; importing this package registers their factories.

Each component writes its results to one span group (``doc.spans[<group>]``) whose name is also
the ``extractor`` recorded on every mention, so evidence says which rule found what.
"""

from extractors.components import (  # noqa: F401  (imported for their registrations)
    abbreviations,
    candidates,
    gazetteer,
    links,
    ner,
    phrases,
    sentences,
)
