"""paperkg's own RDF terms, as a closed rdflib namespace so a misspelt term raises.

``KG.Paper`` is ``https://w3id.org/paperkg/vocab#Paper``; ``KG.Papr`` raises ``AttributeError``
instead of quietly minting a new IRI (rdflib ``DefinedNamespace`` with ``_fail = True``, as in
``rdflib/namespace/_SKOS.py``). The same terms are declared, with labels, comments and their
schema.org super-classes, in ``schemas/paperkg.ttl``; a test keeps the two in step. Terms that
schema.org, Dublin Core or PROV already name (``schema:name``, ``dcterms:title``,
``prov:wasDerivedFrom``) are reused from those vocabularies, not repeated here.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

VOCAB_IRI = "https://w3id.org/paperkg/vocab#"
ID_IRI = "https://w3id.org/paperkg/id/"


class KG(DefinedNamespace):
    """The paperkg vocabulary: node classes, edge properties and edge metadata."""

    _fail = True

    # Classes: one per node kind (kg.schema.NODE_KINDS) ...
    Paper: URIRef  # A research paper; also typed schema:ScholarlyArticle.
    Model: URIRef  # A machine-learning model or model family.
    Dataset: URIRef  # A dataset or benchmark; also typed schema:Dataset.
    Method: URIRef  # A technique, algorithm or training recipe.
    Task: URIRef  # A problem a paper addresses; also typed schema:DefinedTerm.
    Metric: URIRef  # A measure results are reported in (BLEU, F1); also schema:DefinedTerm.
    Organization: URIRef  # A lab, company or university; also typed schema:Organization.
    Link: URIRef  # A URL: code repository, model/dataset hub page or project page.
    # ... and the two that carry an edge's provenance.
    Assertion: URIRef  # One graph edge, reified: subject, predicate, object and metadata.
    Evidence: URIRef  # One sentence and character span that supports an assertion.

    # Edge kinds (kg.schema.EDGE_KINDS), as direct properties between nodes.
    proposes: URIRef  # PROPOSES: the paper introduces the model, dataset or method.
    uses: URIRef  # USES: the paper uses, builds on, evaluates on or compares with it.
    addresses: URIRef  # ADDRESSES: the paper works on the task.
    reports: URIRef  # REPORTS: the paper reports results in the metric.
    affiliatedWith: URIRef  # AFFILIATED_WITH: the paper comes from the organization.
    hasLink: URIRef  # HAS_LINK: the paper points to the URL.
    variantOf: URIRef  # VARIANT_OF: e.g. a sized checkpoint of a model family.
    hostedBy: URIRef  # HOSTED_BY: the organization owning a link's repository or page.

    # Edge metadata, on kg:Assertion and kg:Evidence nodes.
    confidence: URIRef  # How sure the extractor was, 0..1 (xsd:decimal).
    extractor: URIRef  # Name of the extractor that found the edge.
    role: URIRef  # "proposed" or "used", as the extractor saw it.
    relation: URIRef  # Finer role: evaluates_on, compares_with, fine_tunes, builds_on.
    evidence: URIRef  # From an assertion to one of its kg:Evidence nodes.
    evidenceText: URIRef  # The sentence the mention was found in.
    start: URIRef  # Start offset of the mention in the paper's text (title, blank line, abstract).
    end: URIRef  # End offset (exclusive) of the mention in the paper's text.
    position: URIRef  # 1-based place in an ordered list (authors, evidence).

    # Node attributes schema.org and Dublin Core have no term for.
    authorCount: URIRef  # Number of authors, known even when their names are not.
    upvotes: URIRef  # Upvotes on the listing page the paper was read from.
    organizationName: URIRef  # The organization as the listing page names it (text).
    organizationHandle: URIRef  # The organization's hub handle shown beside its name.
    sourceRecord: URIRef  # A "file:line" the paper was read from.
    linkKind: URIRef  # What a link points to: code, model, dataset or project.
    attributes: URIRef  # Other node or edge attributes, as one rdf:JSON literal.

    _NS = Namespace(VOCAB_IRI)
