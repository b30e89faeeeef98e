"""RDF exporters (Turtle, JSON-LD, N-Triples), their reader, and SHACL validation.

The graph becomes RDF in one function, ``graph_to_rdf``; the three writers only pick the syntax.

* Nodes are ``https://w3id.org/paperkg/id/<node id>``, the id percent-encoded with
  ``quote(node_id, safe=":")`` so ``link:github.com/a/b`` stays one path segment. Each node is
  typed with its ``kg:`` class and the nearest schema.org class (``schema:ScholarlyArticle``,
  ``schema:Dataset`` ...), so schema.org consumers find it without reasoning.
* Attributes reuse schema.org, Dublin Core and PROV where they have the term (``schema:name``,
  ``schema:alternateName`` for aliases, ``dcterms:title``, ``dcterms:identifier`` as
  ``arXiv:<id>`` / ``doi:<doi>``, ``schema:datePublished``, ``schema:author`` ->
  ``schema:Person``); the rest come from ``kg.exporters.vocab.KG``. Attributes the mapping does
  not know go, all together, into one ``kg:attributes`` ``rdf:JSON`` literal: nothing is dropped.
* Every edge is a direct triple (``paper kg:uses dataset``) for simple queries, plus a reified
  ``kg:Assertion`` (``rdf:subject``/``rdf:predicate``/``rdf:object``) carrying confidence,
  extractor, role and relation, with one ``kg:Evidence`` node per evidence sentence (text,
  start, end, position). Both are ``prov:wasDerivedFrom`` the paper. Their IRIs are derived from
  the edge (``<source IRI>/<key>/<quoted target id>``, then ``/evidence/<n>``), so re-exporting
  the same graph gives the same triples and no blank nodes.

All text enters as ``rdflib.Literal`` and rdflib does the escaping; nothing is formatted into
Turtle by hand. The writers validate against ``schemas/shapes.ttl`` before writing and raise
``RDFValidationError`` with pySHACL's report, then write atomically. Validation costs about as
much as serializing (some 9 s for 1,500 nodes and 4,000 edges); ``write_rdf(..., check=False)``
skips it for graphs already checked.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import networkx as nx
from pyshacl import validate as shacl_validate
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SDO

from kg import schema
from kg.atomic import atomic_write
from kg.errors import ExportError, ParseError, UnknownFormatError
from kg.exporters import register
from kg.exporters.vocab import ID_IRI, KG, VOCAB_IRI

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
SHAPES_PATH = SCHEMAS_DIR / "shapes.ttl"
VOCABULARY_PATH = SCHEMAS_DIR / "paperkg.ttl"

# Our format names -> rdflib's plugin names.
RDFLIB_FORMAT: dict[str, str] = {"turtle": "turtle", "jsonld": "json-ld", "nt": "nt"}
_FORMAT_OF_SUFFIX: dict[str, str] = {
    ".ttl": "turtle", ".turtle": "turtle", ".jsonld": "json-ld", ".json": "json-ld",
    ".nt": "nt", ".ntriples": "nt",
}

PREFIXES: dict[str, str] = {
    "kg": VOCAB_IRI,
    "schema": str(SDO),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "rdf": str(RDF),
    "xsd": str(XSD),
}

CLASS_OF_KIND: dict[str, URIRef] = {
    "Paper": KG.Paper, "Model": KG.Model, "Dataset": KG.Dataset, "Method": KG.Method,
    "Task": KG.Task, "Metric": KG.Metric, "Organization": KG.Organization, "Link": KG.Link,
}
# The schema.org class each node is also typed with (why each: see schemas/paperkg.ttl).
SCHEMA_CLASS_OF_KIND: dict[str, URIRef] = {
    "Paper": SDO.ScholarlyArticle, "Model": SDO.CreativeWork, "Dataset": SDO.Dataset,
    "Method": SDO.CreativeWork, "Task": SDO.DefinedTerm, "Metric": SDO.DefinedTerm,
    "Organization": SDO.Organization,
    "Link": SDO.WebPage,
}
PROPERTY_OF_EDGE_KIND: dict[str, URIRef] = {
    schema.PROPOSES: KG.proposes, schema.USES: KG.uses, schema.ADDRESSES: KG.addresses,
    schema.REPORTS: KG.reports,
    schema.AFFILIATED_WITH: KG.affiliatedWith, schema.HAS_LINK: KG.hasLink,
    schema.VARIANT_OF: KG.variantOf, schema.HOSTED_BY: KG.hostedBy,
}

# Node attributes written as one literal each (typed by their Python type) ...
_NODE_SCALARS: dict[str, URIRef] = {
    "name": SDO.name,
    "title": DCTERMS.title,
    "abstract": SDO.abstract,
    "author_count": KG.authorCount,
    "upvotes": KG.upvotes,
    "organization": KG.organizationName,
    "organization_handle": KG.organizationHandle,
    "link_kind": KG.linkKind,
}
# ... as one literal per list item ...
_NODE_LISTS: dict[str, URIRef] = {
    "aliases": SDO.alternateName, "sources": KG.sourceRecord,
    "cited_ids": DCTERMS.references,  # "arXiv:..." / "doi:..." written in the abstract
}
# ... as dcterms:identifier with a scheme prefix; kind, date, url and authors are handled apart.
_IDENTIFIER_PREFIX: dict[str, str] = {"arxiv_id": "arXiv:", "doi": "doi:"}

_EDGE_SCALARS: dict[str, URIRef] = {
    "extractor": KG.extractor, "role": KG.role, "relation": KG.relation,
}
_EVIDENCE_FIELDS: dict[str, URIRef] = {
    "text": KG.evidenceText, "start": KG.start, "end": KG.end,
}

_DATE_TYPES: tuple[tuple[re.Pattern[str], URIRef], ...] = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), XSD.date),
    (re.compile(r"\d{4}-\d{2}"), XSD.gYearMonth),
    (re.compile(r"\d{4}"), XSD.gYear),
)


class RDFValidationError(ExportError):
    """The graph cannot be written as RDF that conforms to ``schemas/shapes.ttl``.

    ``report`` holds pySHACL's text report (or the one structural problem found), naming the
    focus node, the property and the constraint that failed.
    """

    def __init__(self, message: str, report: str = "") -> None:
        self.report = report or message
        super().__init__(f"{message}\n{report}" if report else message)


def node_iri(node_id: str) -> URIRef:
    """The IRI of a graph node; ``/`` and every other reserved character is percent-encoded.

    >>> str(node_iri("link:github.com/acme/tool"))
    'https://w3id.org/paperkg/id/link:github.com%2Facme%2Ftool'
    """
    return URIRef(ID_IRI + quote(str(node_id), safe=":"))


def assertion_iri(source: str, key: object, target: str) -> URIRef:
    """The IRI of the reified edge ``source -[key]-> target``: stable across exports.

    >>> str(assertion_iri("paper:1", "USES", "dataset:glue"))
    'https://w3id.org/paperkg/id/paper:1/USES/dataset:glue'
    """
    return URIRef(f"{node_iri(source)}/{quote(str(key), safe=':')}/{quote(str(target), safe=':')}")


def graph_to_rdf(graph: nx.MultiDiGraph) -> Graph:
    """The RDF form of ``graph`` (see the module docstring for the mapping).

    Raises:
        RDFValidationError: a node has no or an unknown ``kind``, or an edge an unknown kind;
            those cannot be typed without minting terms. Other problems (a missing title, a
            confidence of 1.5) are left for ``validate`` to report all at once.
    """
    rdf = Graph()
    for prefix, namespace in PREFIXES.items():
        rdf.bind(prefix, namespace)
    kinds: dict[str, str] = {}
    for node_id, data in graph.nodes(data=True):
        kinds[node_id] = _add_node(rdf, node_id, data)
    for source, target, key, data in graph.edges(keys=True, data=True):
        _add_edge(rdf, source, target, key, data, source_is_paper=kinds[source] == schema.PAPER)
    return rdf


def _add_node(rdf: Graph, node_id: str, data: Mapping[str, Any]) -> str:
    kind = data.get("kind")
    if kind not in CLASS_OF_KIND:
        raise RDFValidationError(
            f"node {node_id!r} has kind {kind!r}; expected one of {', '.join(schema.NODE_KINDS)}"
        )
    subject = node_iri(node_id)
    rdf.add((subject, RDF.type, CLASS_OF_KIND[kind]))
    rdf.add((subject, RDF.type, SCHEMA_CLASS_OF_KIND[kind]))
    extra: dict[str, Any] = {}
    for attr, value in data.items():
        if value is None:
            continue
        if attr in _NODE_SCALARS:
            rdf.add((subject, _NODE_SCALARS[attr], Literal(value)))
        elif attr in _NODE_LISTS:
            for item in _as_list(node_id, attr, value):
                rdf.add((subject, _NODE_LISTS[attr], Literal(item)))
        elif attr in _IDENTIFIER_PREFIX:
            rdf.add((subject, DCTERMS.identifier, Literal(_IDENTIFIER_PREFIX[attr] + str(value))))
        elif attr == "date":
            rdf.add((subject, SDO.datePublished, _date_literal(value)))
        elif attr == "url":
            rdf.add((subject, SDO.url, Literal(str(value), datatype=XSD.anyURI)))
        elif attr == "authors":
            for position, author in enumerate(_as_list(node_id, attr, value), start=1):
                person = URIRef(f"{subject}/author/{position}")
                rdf.add((subject, SDO.author, person))
                rdf.add((person, RDF.type, SDO.Person))
                rdf.add((person, SDO.name, Literal(author)))
                rdf.add((person, KG.position, Literal(position)))
        elif attr != "kind":
            extra[attr] = value
    _add_attributes(rdf, subject, extra, f"node {node_id!r}")
    return kind


def _add_edge(
    rdf: Graph, source: str, target: str, key: object, data: Mapping[str, Any],
    *, source_is_paper: bool,
) -> None:
    kind = data.get("kind", key)
    if kind not in PROPERTY_OF_EDGE_KIND:
        raise RDFValidationError(
            f"edge {source!r} -> {target!r} (key {key!r}) has kind {kind!r}; "
            f"expected one of {', '.join(schema.EDGE_KINDS)}"
        )
    predicate = PROPERTY_OF_EDGE_KIND[kind]
    subject, obj = node_iri(source), node_iri(target)
    rdf.add((subject, predicate, obj))

    assertion = assertion_iri(source, key, target)
    rdf.add((assertion, RDF.type, KG.Assertion))
    rdf.add((assertion, RDF.subject, subject))
    rdf.add((assertion, RDF.predicate, predicate))
    rdf.add((assertion, RDF.object, obj))
    if source_is_paper:
        rdf.add((assertion, PROV.wasDerivedFrom, subject))
    extra: dict[str, Any] = {}
    for attr, value in data.items():
        if value is None:
            continue
        if attr in _EDGE_SCALARS:
            rdf.add((assertion, _EDGE_SCALARS[attr], Literal(value)))
        elif attr == "confidence":
            rdf.add((assertion, KG.confidence, _decimal_literal(value)))
        elif attr == "evidence":
            where = f"edge {source!r} -> {target!r} (key {key!r})"
            for position, item in enumerate(_as_list(where, attr, value), start=1):
                node = URIRef(f"{assertion}/evidence/{position}")
                rdf.add((assertion, KG.evidence, node))
                _add_evidence(rdf, node, position, item, subject if source_is_paper else None,
                              f"{where} evidence {position}")
        elif attr != "kind":
            extra[attr] = value
    _add_attributes(rdf, assertion, extra, f"edge {source!r} -> {target!r} (key {key!r})")


def _add_evidence(
    rdf: Graph, node: URIRef, position: int, item: object, paper: URIRef | None, where: str,
) -> None:
    if not isinstance(item, Mapping):
        raise RDFValidationError(f"{where} is {item!r}; expected a {{text, start, end}} mapping")
    rdf.add((node, RDF.type, KG.Evidence))
    rdf.add((node, KG.position, Literal(position)))
    if paper is not None:
        rdf.add((node, PROV.wasDerivedFrom, paper))
    extra: dict[str, Any] = {}
    for field, value in item.items():
        if field in _EVIDENCE_FIELDS and value is not None:
            rdf.add((node, _EVIDENCE_FIELDS[field], Literal(value)))
        elif value is not None:
            extra[field] = value
    _add_attributes(rdf, node, extra, where)


def _add_attributes(rdf: Graph, subject: URIRef, extra: dict[str, Any], where: str) -> None:
    """Keep attributes the mapping has no term for, as one JSON literal, rather than drop them."""
    if not extra:
        return
    try:
        text = json.dumps(extra, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise RDFValidationError(
            f"{where}: attributes {sorted(extra)} cannot be kept as JSON: {exc}"
        ) from exc
    rdf.add((subject, KG.attributes, Literal(text, datatype=RDF.JSON)))


def _as_list(where: str, attr: str, value: object) -> list[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise RDFValidationError(f"{where}: {attr} is {value!r}; expected a list")
    return list(value)


def _date_literal(value: object) -> Literal:
    """``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear`` by shape; anything else stays a plain
    string, which the shapes then reject, naming the paper."""
    text = str(value)
    for pattern, datatype in _DATE_TYPES:
        if pattern.fullmatch(text):
            return Literal(text, datatype=datatype)
    return Literal(text)


def _decimal_literal(value: object) -> Literal:
    """A confidence as ``xsd:decimal`` in plain notation (``0.9``, not ``9e-01``), so all three
    syntaxes write it the same way; non-numbers pass through for the shapes to reject."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return Literal(value)
    text = format(Decimal(repr(value)), "f")
    return Literal(text if "." in text else f"{text}.0", datatype=XSD.decimal)


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    if not SHAPES_PATH.is_file():
        raise FileNotFoundError(f"SHACL shapes not found at {SHAPES_PATH}")
    return Graph().parse(SHAPES_PATH, format="turtle")


def validate(rdf_graph: Graph) -> tuple[bool, str]:
    """Check ``rdf_graph`` against ``schemas/shapes.ttl``; return (conforms, pySHACL's report).

    No inference is run: ``graph_to_rdf`` states every type the shapes look for.
    """
    conforms, _results, report = shacl_validate(
        rdf_graph, shacl_graph=_shapes(), inference="none", allow_warnings=True,
    )
    return bool(conforms), str(report)


def write_rdf(
    graph: nx.MultiDiGraph, target: str | Path | IO[bytes], fmt: str, *, check: bool = True,
) -> None:
    """Write ``graph`` as ``fmt`` ("turtle", "jsonld" or "nt") to a path or binary file.

    Raises:
        RDFValidationError: ``check`` is on and the RDF does not conform to the shapes; nothing
            is written then.
    """
    rdf = graph_to_rdf(graph)
    if check:
        conforms, report = validate(rdf)
        if not conforms:
            raise RDFValidationError(f"RDF for {target} does not conform to {SHAPES_PATH}", report)
    options: dict[str, Any] = {"format": RDFLIB_FORMAT[fmt], "encoding": "utf-8"}
    if fmt == "jsonld":
        options.update(context=PREFIXES, auto_compact=True)
    if isinstance(target, str | Path):
        with atomic_write(target, "wb") as handle:
            rdf.serialize(destination=handle, **options)
    else:
        rdf.serialize(destination=target, **options)


@register("turtle")
def write_turtle(graph: nx.MultiDiGraph, path: Path) -> None:
    """Write ``graph`` as Turtle, validated, atomically."""
    write_rdf(graph, path, "turtle")


@register("jsonld")
def write_jsonld(graph: nx.MultiDiGraph, path: Path) -> None:
    """Write ``graph`` as JSON-LD (compacted with our prefixes), validated, atomically."""
    write_rdf(graph, path, "jsonld")


@register("nt")
def write_nt(graph: nx.MultiDiGraph, path: Path) -> None:
    """Write ``graph`` as N-Triples, validated, atomically."""
    write_rdf(graph, path, "nt")


def read_rdf(path: str | Path, format: str | None = None) -> Graph:
    """Parse an exported file back; ``format`` is ours or rdflib's name, else from the suffix.

    Raises:
        ParseError: the file is not valid in that syntax (the message carries rdflib's reason).
        UnknownFormatError: no format given and the suffix is not one we know.
    """
    source = Path(path)
    fmt = RDFLIB_FORMAT.get(format, format) if format else _FORMAT_OF_SUFFIX.get(
        source.suffix.lower()
    )
    if fmt is None:
        raise UnknownFormatError("RDF format for suffix", source.suffix, _FORMAT_OF_SUFFIX)
    try:
        return Graph().parse(source, format=fmt)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lines", None)
        raise ParseError(str(source), line if isinstance(line, int) else None,
                         f"{fmt} RDF", str(exc)) from exc
