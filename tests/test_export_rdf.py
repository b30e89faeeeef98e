"""RDF export: Turtle, JSON-LD and N-Triples round trips, SHACL validation, SPARQL over evidence."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from conftest import HOSTILE_TITLE, make_small_graph
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rns
from rdflib.compare import isomorphic

from kg.errors import KGError, ParseError, UnknownFormatError
from kg.exporters import available, export, get_writer
from kg.exporters.rdf import (
    PREFIXES,
    SHAPES_PATH,
    VOCABULARY_PATH,
    RDFValidationError,
    assertion_iri,
    graph_to_rdf,
    node_iri,
    read_rdf,
    validate,
    write_rdf,
)
from kg.exporters.vocab import KG, VOCAB_IRI

FORMATS = ("turtle", "jsonld", "nt")
SUFFIX = {"turtle": ".ttl", "jsonld": ".jsonld", "nt": ".nt"}
PAPER_1, PAPER_2 = "paper:2301.00001", "paper:t-5f3c"


@pytest.fixture(scope="module")
def expected() -> Graph:
    return graph_to_rdf(make_small_graph())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Graph]:
    """The small graph written in each format through the registry, and parsed back."""
    folder = tmp_path_factory.mktemp("rdf")
    graph = make_small_graph()
    return {
        fmt: read_rdf(export(graph, fmt, folder / f"kg{SUFFIX[fmt]}")) for fmt in FORMATS
    }


# --- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_parses_back_to_the_same_graph(
    exported: dict[str, Graph], expected: Graph, fmt: str
) -> None:
    assert len(exported[fmt]) == len(expected)
    assert isomorphic(exported[fmt], expected)


def test_the_three_formats_hold_the_same_triples(exported: dict[str, Graph]) -> None:
    counts = {fmt: len(graph) for fmt, graph in exported.items()}
    assert len(set(counts.values())) == 1, counts
    assert isomorphic(exported["turtle"], exported["jsonld"])
    assert isomorphic(exported["turtle"], exported["nt"])


def test_export_is_deterministic_and_has_no_blank_nodes(expected: Graph) -> None:
    again = graph_to_rdf(make_small_graph())
    assert set(again) == set(expected)
    assert not [term for triple in expected for term in triple if term.__class__.__name__ ==
                "BNode"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_format_can_be_given_instead_of_guessed(
    tmp_path: Path, small_graph: nx.MultiDiGraph, fmt: str
) -> None:
    path = tmp_path / "kg.data"
    get_writer(fmt)(small_graph, path)
    assert isomorphic(read_rdf(path, format=fmt), graph_to_rdf(small_graph))


def test_writer_accepts_a_binary_file(small_graph: nx.MultiDiGraph) -> None:
    buffer = io.BytesIO()
    write_rdf(small_graph, buffer, "nt")
    parsed = Graph().parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    assert isomorphic(parsed, graph_to_rdf(small_graph))


def test_jsonld_is_compacted_with_our_prefixes(
    tmp_path: Path, small_graph: nx.MultiDiGraph
) -> None:
    document = json.loads(export(small_graph, "jsonld", tmp_path / "kg.jsonld").read_text())
    assert document["@context"]["kg"] == VOCAB_IRI
    assert set(PREFIXES) <= set(document["@context"])


# --- what the RDF says --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_exported_rdf_conforms_to_the_shapes(exported: dict[str, Graph], fmt: str) -> None:
    conforms, report = validate(exported[fmt])
    assert conforms, report


def test_the_sample_graph_with_every_edge_kind_exports_and_conforms(
        sample_graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    """``make demo``'s export: every edge kind the sample has, REPORTS included, is allowed by
    the shapes (the reified statements once listed every predicate but ``kg:reports``)."""
    kinds = {k for _, _, k in sample_graph.edges(keys=True)}
    assert {"PROPOSES", "USES", "ADDRESSES", "REPORTS", "HAS_LINK"} <= kinds
    path = export(sample_graph, "turtle", tmp_path / "sample.ttl")
    conforms, report = validate(Graph().parse(path, format="turtle"))
    assert conforms, report


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_text_comes_back_verbatim(
    exported: dict[str, Graph], small_graph: nx.MultiDiGraph, fmt: str
) -> None:
    paper = node_iri(PAPER_2)
    graph = exported[fmt]
    assert list(graph.objects(paper, rns.DCTERMS.title)) == [Literal(HOSTILE_TITLE)]
    assert str(graph.value(paper, rns.SDO.name)) == HOSTILE_TITLE
    assert str(graph.value(paper, rns.SDO.abstract)) == small_graph.nodes[PAPER_2]["abstract"]


def test_control_characters_and_quotes_survive_every_syntax(tmp_path: Path) -> None:
    graph = make_small_graph()
    nasty = 'a\r\nb\t"""c\\ \x00\x0b \u2028 \U0001f600 \'end\''
    graph.nodes[PAPER_1]["abstract"] = nasty
    for fmt in FORMATS:
        parsed = read_rdf(export(graph, fmt, tmp_path / f"nasty{SUFFIX[fmt]}"))
        assert str(parsed.value(node_iri(PAPER_1), rns.SDO.abstract)) == nasty, fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_edge_keeps_its_evidence_confidence_and_extractor(
    exported: dict[str, Graph], small_graph: nx.MultiDiGraph, fmt: str
) -> None:
    query = """
        SELECT ?assertion ?confidence ?extractor ?role ?relation ?derived ?pos ?text ?start ?end
        WHERE {
            ?s ?p ?o .
            ?assertion a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
                       kg:confidence ?confidence ; kg:extractor ?extractor .
            OPTIONAL { ?assertion kg:role ?role }
            OPTIONAL { ?assertion kg:relation ?relation }
            OPTIONAL { ?assertion prov:wasDerivedFrom ?derived }
            OPTIONAL { ?assertion kg:evidence ?ev .
                       ?ev kg:position ?pos ; kg:evidenceText ?text ; kg:start ?start ;
                           kg:end ?end }
        } ORDER BY ?pos
    """
    graph = exported[fmt]
    predicate = {"PROPOSES": KG.proposes, "USES": KG.uses, "ADDRESSES": KG.addresses,
                 "AFFILIATED_WITH": KG.affiliatedWith, "HAS_LINK": KG.hasLink,
                 "VARIANT_OF": KG.variantOf, "HOSTED_BY": KG.hostedBy}
    for source, target, key, data in small_graph.edges(keys=True, data=True):
        rows = list(graph.query(query, initNs=PREFIXES, initBindings={
            "s": node_iri(source), "p": predicate[data["kind"]], "o": node_iri(target)}))
        assert rows, (source, key, target)
        assert {row.assertion for row in rows} == {assertion_iri(source, key, target)}
        first = rows[0]
        assert float(first.confidence) == data["confidence"]
        assert first.confidence.datatype == rns.XSD.decimal
        assert str(first.extractor) == data["extractor"]
        assert (str(first.role) if first.role else None) == data.get("role")
        assert (str(first.relation) if first.relation else None) == data.get("relation")
        is_paper = small_graph.nodes[source]["kind"] == "Paper"
        assert first.derived == (node_iri(source) if is_paper else None)
        evidence = [{"text": str(r.text), "start": int(r.start), "end": int(r.end)}
                    for r in rows if r.text is not None]
        assert evidence == data["evidence"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_sparql_with_bindings_finds_papers_using_glue(
    exported: dict[str, Graph], fmt: str
) -> None:
    query = """
        SELECT ?paper ?title ?sentence WHERE {
            ?paper a kg:Paper ; kg:uses ?dataset ; dcterms:title ?title .
            ?dataset a kg:Dataset ; schema:name ?name .
            ?assertion rdf:subject ?paper ; rdf:predicate kg:uses ; rdf:object ?dataset ;
                       kg:evidence/kg:evidenceText ?sentence .
        }
    """
    graph = exported[fmt]
    rows = list(graph.query(query, initNs=PREFIXES, initBindings={"name": Literal("GLUE")}))
    assert {row.paper for row in rows} == {node_iri(PAPER_1), node_iri(PAPER_2)}
    assert {str(row.title) for row in rows} == {"NetMamba: Traffic Classification", HOSTILE_TITLE}
    assert {str(row.sentence) for row in rows} == {"We use GLUE.", "Evaluated on GLUE."}
    # A bound value is data, never query text: a hostile name just matches nothing.
    hostile = graph.query(query, initNs=PREFIXES, initBindings={"name": Literal(HOSTILE_TITLE)})
    assert list(hostile) == []


def test_nodes_are_typed_and_described_with_schema_org(expected: Graph) -> None:
    paper, glue = node_iri(PAPER_1), node_iri("dataset:glue")
    assert {KG.Paper, rns.SDO.ScholarlyArticle} <= set(expected.objects(paper, rns.RDF.type))
    assert {KG.Dataset, rns.SDO.Dataset} <= set(expected.objects(glue, rns.RDF.type))
    date = Literal("2024-03-11", datatype=rns.XSD.date)
    assert expected.value(paper, rns.SDO.datePublished) == date
    assert set(expected.objects(paper, rns.DCTERMS.identifier)) == {Literal("arXiv:2301.00001")}
    assert expected.value(paper, KG.authorCount) == Literal(2)
    authors = sorted((int(expected.value(a, KG.position)), str(expected.value(a, rns.SDO.name)))
                     for a in expected.objects(paper, rns.SDO.author))
    assert authors == [(1, "A. Author"), (2, "B. Author")]
    assert set(expected.objects(glue, rns.SDO.alternateName)) == {
        Literal("General Language Understanding Evaluation")}
    assert expected.value(node_iri(PAPER_2), KG.upvotes) == Literal(4)
    assert expected.value(node_iri(PAPER_2), KG.organizationName) == Literal("Acme Labs")


def test_link_ids_with_slashes_make_one_iri_segment(expected: Graph) -> None:
    link = node_iri("link:github.com/acme/tool")
    assert str(link) == "https://w3id.org/paperkg/id/link:github.com%2Facme%2Ftool"
    assert expected.value(link, rns.SDO.url) == Literal("https://github.com/acme/tool",
                                                    datatype=rns.XSD.anyURI)
    assert (node_iri(PAPER_2), KG.hasLink, link) in expected
    assert (link, KG.hostedBy, node_iri("organization:acme-labs")) in expected


def test_unmapped_attributes_are_kept_as_json(small_graph: nx.MultiDiGraph) -> None:
    small_graph.nodes["dataset:glue"]["external_ids"] = {"wikidata": "Q1", "pwc": ["glue"]}
    small_graph.edges[PAPER_1, "dataset:glue", "USES"]["weight"] = 2
    rdf = graph_to_rdf(small_graph)
    node_json = rdf.value(node_iri("dataset:glue"), KG.attributes)
    assert node_json.datatype == rns.RDF.JSON
    assert json.loads(str(node_json)) == {"external_ids": {"wikidata": "Q1", "pwc": ["glue"]}}
    edge_json = rdf.value(assertion_iri(PAPER_1, "USES", "dataset:glue"), KG.attributes)
    assert json.loads(str(edge_json)) == {"weight": 2}
    assert validate(rdf)[0]


# --- validation failures ------------------------------------------------------------------------


def _drop_title(g: nx.MultiDiGraph) -> None:
    del g.nodes[PAPER_1]["title"]


def _confidence_above_one(g: nx.MultiDiGraph) -> None:
    g.edges[PAPER_2, "dataset:glue", "USES"]["confidence"] = 1.5


def _start_after_end(g: nx.MultiDiGraph) -> None:
    g.edges[PAPER_2, "method:lora", "USES"]["evidence"][0]["start"] = 200


def _evidence_without_text(g: nx.MultiDiGraph) -> None:
    del g.edges[PAPER_2, "method:lora", "USES"]["evidence"][0]["text"]


def _uses_a_task(g: nx.MultiDiGraph) -> None:
    g.add_edge(PAPER_2, "task:traffic-classification", key="USES", kind="USES", role="used",
               confidence=0.5, extractor="x", evidence=[])


def _link_without_url(g: nx.MultiDiGraph) -> None:
    del g.nodes["link:github.com/acme/tool"]["url"]


def _entity_without_name(g: nx.MultiDiGraph) -> None:
    del g.nodes["method:lora"]["name"]


def _date_in_words(g: nx.MultiDiGraph) -> None:
    g.nodes[PAPER_1]["date"] = "March 2024"


def _no_extractor(g: nx.MultiDiGraph) -> None:
    del g.edges[PAPER_1, "model:netmamba", "PROPOSES"]["extractor"]


def _string_upvotes(g: nx.MultiDiGraph) -> None:
    g.nodes[PAPER_2]["upvotes"] = "4"


BREAKERS: dict[str, tuple[Callable[[nx.MultiDiGraph], None], str]] = {
    "paper without title": (_drop_title, "dcterms:title"),
    "confidence 1.5": (_confidence_above_one, "kg:confidence"),
    "start after end": (_start_after_end, "<= kg:end"),
    "evidence without text": (_evidence_without_text, "kg:evidenceText"),
    "paper uses a task": (_uses_a_task, "kg:Model, kg:Dataset or kg:Method"),
    "link without url": (_link_without_url, "schema:url"),
    "entity without name": (_entity_without_name, "schema:name"),
    "date in words": (_date_in_words, "schema:datePublished"),
    "no extractor": (_no_extractor, "kg:extractor"),
    "upvotes as text": (_string_upvotes, "upvotes"),
}


@pytest.mark.parametrize("name", BREAKERS)
def test_broken_graph_fails_validation(name: str) -> None:
    breaker, expected_text = BREAKERS[name]
    graph = make_small_graph()
    breaker(graph)
    conforms, report = validate(graph_to_rdf(graph))
    assert not conforms
    assert expected_text in report


def test_missing_direct_triple_fails_validation(expected: Graph) -> None:
    broken = Graph()
    for triple in expected:
        broken.add(triple)
    broken.remove((node_iri(PAPER_1), KG.uses, node_iri("dataset:glue")))
    conforms, report = validate(broken)
    assert not conforms
    assert "reifies is missing" in report
    assert str(assertion_iri(PAPER_1, "USES", "dataset:glue")) in report


def test_writer_refuses_invalid_rdf_and_leaves_old_file(tmp_path: Path) -> None:
    path = tmp_path / "kg.ttl"
    export(make_small_graph(), "turtle", path)
    before = path.read_bytes()
    graph = make_small_graph()
    _confidence_above_one(graph)
    with pytest.raises(RDFValidationError, match="kg:confidence") as caught:
        export(graph, "turtle", path)
    assert isinstance(caught.value, KGError)
    assert "1.5" in caught.value.report
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kg.ttl"]


def test_unknown_node_kind_raises_naming_the_node(small_graph: nx.MultiDiGraph) -> None:
    small_graph.add_node("person:x", kind="Person", name="X")
    with pytest.raises(RDFValidationError, match=r"node 'person:x' has kind 'Person'"):
        graph_to_rdf(small_graph)


def test_unknown_edge_kind_raises(small_graph: nx.MultiDiGraph) -> None:
    small_graph.add_edge(PAPER_1, "model:mamba", key="CITES", kind="CITES", confidence=0.5)
    with pytest.raises(RDFValidationError, match=r"CITES.*expected one of PROPOSES"):
        graph_to_rdf(small_graph)


# --- registry, reader, vocabulary ---------------------------------------------------------------


def test_unknown_format_lists_available_ones() -> None:
    with pytest.raises(UnknownFormatError, match=r"no exporter 'turtel'; available: .*graphml.*"
                       r"jsonld, .*nt, turtle"):
        get_writer("turtel")
    assert {"turtle", "jsonld", "nt", "graphml"} <= set(available())


def test_reading_a_broken_file_raises_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text("<a> <b> 'unterminated .\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"bad\.ttl"):
        read_rdf(path)


def test_reading_an_unknown_suffix_needs_a_format(tmp_path: Path) -> None:
    with pytest.raises(UnknownFormatError, match=r"'\.xyz'"):
        read_rdf(tmp_path / "kg.xyz")


def test_vocabulary_module_and_turtle_declare_the_same_terms() -> None:
    ontology = Graph().parse(VOCABULARY_PATH, format="turtle")
    declared = {str(s)[len(VOCAB_IRI):] for s in ontology.subjects()
                if isinstance(s, URIRef) and str(s).startswith(VOCAB_IRI)}
    in_module = {name for name in KG.__annotations__ if not name.startswith("_")}
    assert declared == in_module
    for term in declared:
        assert ontology.value(KG[term], URIRef("http://www.w3.org/2000/01/rdf-schema#label"))


def test_vocabulary_typo_raises() -> None:
    with pytest.raises(AttributeError):
        _ = KG.Papr


def test_every_term_the_exporter_writes_is_known(expected: Graph) -> None:
    known = {str(rns.PROV), str(rns.DCTERMS), str(rns.SDO), str(rns.RDF), VOCAB_IRI}
    for predicate in set(expected.predicates()):
        assert any(str(predicate).startswith(ns) for ns in known), predicate
    assert SHAPES_PATH.is_file()


def test_kg_export_no_validate_writes_without_the_shacl_check(tmp_path: Path, capsys) -> None:
    from kg import cli
    from kg.stores.networkx_store import NetworkXStore

    graph = make_small_graph()
    _confidence_above_one(graph)  # does not conform: only the checked export refuses it
    store = tmp_path / "store.json"
    NetworkXStore(graph).save(store)
    checked, unchecked = tmp_path / "checked.ttl", tmp_path / "unchecked.ttl"
    assert cli.main(["export", "turtle", "-o", str(checked), "--store", str(store)]) != 0
    assert not checked.exists()
    assert cli.main(["export", "turtle", "-o", str(unchecked), "--store", str(store),
                     "--no-validate"]) == 0
    assert isomorphic(read_rdf(unchecked), graph_to_rdf(graph))
    assert cli.main(["export", "graphml", "-o", str(tmp_path / "g.graphml"), "--store",
                     str(store), "--no-validate"]) != 0
    assert "--no-validate is for the RDF formats" in capsys.readouterr().err
