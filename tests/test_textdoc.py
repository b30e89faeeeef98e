"""``TextDoc``, ``ChunkTokenizer`` and the knowledge-base phrase table: the rules pipeline runs
without spaCy's ``Doc``, so each part must give exactly what the spaCy part it replaced gives."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from spacy.matcher import PhraseMatcher

from extractors.components.gazetteer import Gazetteer
from extractors.ner.tokenizer import blank_nlp
from extractors.pipeline import Extractor, build_nlp
from extractors.textdoc import ChunkTokenizer, TextDoc, TextSpan, new_span
from kg.readers import read_papers

ROOT = Path(__file__).resolve().parent.parent
EDGE_CASES = [
    "", " ", "  ", " a", "  a  b ", "a\n b", "a \nb", "a\n\n\nb", "a \t b", "x\u00a0y",
    "a\x00b c\x00", "foo ", "foo  ", "\n\nfoo", "(SLAM) based on 3DGS-based GPT-4o/4V, e.g., "
    "U.S. data; don't (ViT-L/14@336px) 1.5% ~7B “quoted.” end.", "Hello\r\nworld\u2028x",
    # plain words and closing marks, special cases among them (ChunkTokenizer's own path)
    "cannot, Cannot; etc. etc, a. K. AbD. unilS. data. x) GPT: dont. e.g., gonna",
    # words joined by hyphens or slashes, in brackets (the same path), emoticons among them
    "state-of-the-art (LLMs), (encoder-decoder). a/b) (x (o: (A). aA. AB. x-y; (:) c-3PO e-g.",
]


def _spacy_tokens(nlp, text: str) -> tuple[list, list, list, list]:
    doc = nlp.make_doc(text)
    return ([t.text for t in doc], [bool(t.whitespace_) for t in doc], [t.idx for t in doc],
            [t.idx + len(t) for t in doc])


@pytest.fixture(scope="module")
def sample_texts() -> list[str]:
    return [paper.text for paper in read_papers([ROOT / "data" / "sample"]).papers]


def test_chunk_tokenizer_gives_spacys_tokens(sample_texts: list[str]) -> None:
    nlp = blank_nlp()
    tokenizer = ChunkTokenizer(blank_nlp().tokenizer)
    texts = [*EDGE_CASES, *sample_texts]
    for batch in (texts, texts[:3], texts):  # cold, then partly and wholly warm
        for text, doc in zip(batch, tokenizer.pipe(batch), strict=True):
            arrays = doc.arrays
            got = (list(arrays.words), list(arrays.spaced), list(arrays.starts),
                   list(arrays.ends))
            assert got == _spacy_tokens(nlp, text), text
            assert list(arrays.lower) == [w.lower() for w in arrays.words]


def test_a_full_cache_is_emptied_and_relearned() -> None:
    nlp = blank_nlp()
    tokenizer = ChunkTokenizer(blank_nlp().tokenizer, max_keys=5)
    for text in EDGE_CASES[-2:] * 2:
        doc = tokenizer(text)
        assert list(doc.arrays.words) == _spacy_tokens(nlp, text)[0]
        assert len(tokenizer._tokens) <= max(5, len(set(text.split())) + 4)


def test_simple_chunks_go_to_spacy_when_its_rules_differ() -> None:
    """The simple-chunk path assumes English punctuation rules; a tokenizer without suffix
    rules keeps "model," whole, and ChunkTokenizer must then give that."""
    nlp = blank_nlp()
    nlp.tokenizer.suffix_search = None
    tokenizer = ChunkTokenizer(nlp.tokenizer)
    assert not tokenizer._simple_chunks
    assert ChunkTokenizer(blank_nlp().tokenizer)._simple_chunks
    text = "the model, and data. cannot"
    assert list(tokenizer(text).arrays.words) == _spacy_tokens(nlp, text)[0]
    assert "model," in tokenizer(text).arrays.words


def test_char_span_matches_spacys_in_strict_and_expand_mode() -> None:
    text = "We use GPT-4 and  LLaMA (v2)\n\non SQuAD. "
    spacy_doc = blank_nlp()(text)
    doc = ChunkTokenizer(blank_nlp().tokenizer)(text)
    for mode in ("strict", "expand"):
        for start in range(len(text) + 1):
            for end in range(start + 1, len(text) + 1):
                want = spacy_doc.char_span(start, end, alignment_mode=mode)
                got = doc.char_span(start, end, alignment_mode=mode)
                assert (got is None) == (want is None), (mode, start, end)
                if want is not None:
                    assert (got.start, got.end, got.start_char, got.end_char, got.text) == (
                        want.start, want.end, want.start_char, want.end_char, want.text)
    with pytest.raises(ValueError, match="alignment_mode"):
        doc.char_span(0, 2, alignment_mode="contract")


def test_new_span_makes_the_span_type_of_its_doc() -> None:
    text = "We use GPT-4."
    doc = ChunkTokenizer(blank_nlp().tokenizer)(text)
    span = new_span(doc, 2, 5, label="model", kb_id="gpt-4", span_id="exact")
    assert isinstance(doc, TextDoc) and isinstance(span, TextSpan)
    assert (span.text, span.label_, span.kb_id_, span.id_, len(span)) == (
        "GPT-4", "model", "gpt-4", "exact", 3)
    spacy_span = new_span(blank_nlp()(text), 2, 5, label="model")
    assert (type(spacy_span).__name__, spacy_span.text) == ("Span", "GPT-4")


def test_phrase_table_finds_what_spacys_phrase_matchers_find(sample_texts: list[str]) -> None:
    nlp = build_nlp(lean=True)
    gazetteer: Gazetteer = nlp.get_pipe("kg_gazetteer")
    matchers = {True: PhraseMatcher(nlp.vocab, attr="ORTH"),
                False: PhraseMatcher(nlp.vocab, attr="LOWER")}
    for entry in gazetteer.kb:
        forms = sorted({v for form in gazetteer.kb.surface_forms(entry)
                        for v in _variants(form)})
        matchers[entry.case_sensitive].add(entry.id, list(nlp.tokenizer.pipe(forms)))
    for text in sample_texts:
        doc = nlp.make_doc(text)
        want = {(nlp.vocab.strings[m], s, e) for matcher in matchers.values()
                for m, s, e in matcher(doc)}
        words = [t.text for t in doc]
        got = {*gazetteer.exact.matches(words),
               *gazetteer.insensitive.matches([w.lower() for w in words])}
        assert got == want


def _variants(form: str) -> set[str]:
    from extractors.components.gazetteer import surface_variants
    return surface_variants(form) if len(form) > 2 else {form}


def test_textdoc_extraction_equals_the_spacy_pipelines() -> None:
    papers = read_papers([ROOT / "data" / "sample"]).papers
    nlp = build_nlp(lean=True)
    fast, spacy_path = Extractor(nlp), Extractor(nlp, textdoc=False)
    assert fast._tokenizer is not None and spacy_path._tokenizer is None
    assert list(fast.extract(papers)) == list(spacy_path.extract(papers))
    assert sum(len(found.mentions) for found in fast.extract(papers)) > 100


def test_a_batch_gives_what_each_paper_alone_gives() -> None:
    """The extractor runs each component, and ``Candidates`` each rule, over a whole batch
    before the next: nothing one doc's rules learn may reach another's results."""
    papers = read_papers([ROOT / "data" / "sample"]).papers
    extractor = Extractor()
    alone = [extractor.extract_one(paper) for paper in papers]
    assert list(extractor.extract(papers, batch_size=len(papers))) == alone
    assert list(Extractor().extract(papers[::-1], batch_size=7)) == alone[::-1]
    assert sum(len(found.mentions) for found in alone) > 100


def test_extraction_leaves_no_cyclic_garbage() -> None:
    """Every doc is freed by reference counting (its spans point back at it until released):
    cyclic garbage per paper made the collector's passes 8% of a worker's time."""
    papers = read_papers([ROOT / "data" / "sample"]).papers
    extractor = Extractor()
    list(extractor.extract(papers[:2]))  # caches and lazily built tables are not garbage
    gc.collect()
    gc.disable()
    try:
        found = list(extractor.extract(papers))
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert sum(len(f.mentions) for f in found) > 100
    assert unreachable == 0
