"""The token lists and text searches the rule components read instead of spaCy objects: each
must give exactly what the spaCy or ``re`` call it replaced gives."""

from __future__ import annotations

import re

import pytest
from spacy.attrs import LOWER, NORM, PREFIX, SHAPE, SUFFIX
from spacy.pipeline import Sentencizer

from extractors.components.candidates import _chunks_with_capitals
from extractors.components.ner import add_statistical_ner
from extractors.ner.tokenizer import blank_nlp
from extractors.pipeline import Extractor, build_nlp
from extractors.tokens import occurrences, remember_text, sentence_starts, token_arrays
from kg.model import Paper

TEXTS = [
    "NetMamba: Efficient Traffic Classification\n\nWe propose NetMamba. It wins (see Tab. 1)! "
    "Really?! \"Yes.\" ...and more... e.g. 3.5 points.",
    "A title without a break. Then: the abstract; with 'quotes.' And “curly.” End",
    "Ein Satz. Noch einer！ 中文句子。 Done",
    "",
    "one sentence only",
    "Trailing punctuation ... ? !",
]


@pytest.mark.parametrize("text", TEXTS)
def test_sentence_starts_agree_with_spacys_sentencizer_and_title_break(text: str) -> None:
    nlp = blank_nlp()
    nlp.add_pipe("sentencizer")
    doc = nlp(text)
    expected = [s.start for s in doc.sents] if len(doc) else []
    words = [t.text for t in doc]
    newline = next((t.i for t in doc[:-1] if t.is_space and "\n" in t.text), None)
    if newline is not None and newline + 1 not in expected:
        expected = sorted([*expected, newline + 1])
    assert sentence_starts(words) == expected
    assert Sentencizer.default_punct_chars  # the rule's characters come from spaCy itself


@pytest.mark.parametrize("text", TEXTS)
def test_the_pipeline_sets_the_same_sentences_on_the_doc(text: str) -> None:
    doc = build_nlp()(text)
    arrays = token_arrays(doc)
    assert [(s.start, s.end) for s in doc.sents] == arrays.sentences() or not len(doc)
    assert arrays.text == doc.text
    assert arrays.words == [t.text for t in doc]


def test_remembered_text_gives_the_same_arrays() -> None:
    nlp = blank_nlp()
    text = TEXTS[0]
    plain, remembered = token_arrays(nlp(text)), token_arrays(remember_text(nlp(text), text))
    assert plain == remembered


@pytest.mark.parametrize("needle", ["GPT", "GPT-4", "a", "-", "x_y", "Ü"])
def test_occurrences_match_re_finditer(needle: str) -> None:
    text = "GPT-4 and GPT, xGPT, GPT_2, -GPT-, a-a aa a x_y_x x_y Ü Üb ÜÜ"
    escaped = re.escape(needle)
    for before, after in ((False, False), (True, False), (True, True)):
        pattern = (r"(?<![\w-])" if before else "") + escaped + (r"(?![\w-])" if after else "")
        expected = [m.span() for m in re.finditer(pattern, text)]
        assert occurrences(text, needle, free_before=before, free_after=after) == expected


def test_runs_without_a_capital_are_skipped_and_each_run_is_listed_once() -> None:
    arrays = token_arrays(blank_nlp()("we use GPT-4\u00a0and the Müller set, (ALBERT)x. lower."))
    runs = [arrays.span_text(a, b) for a, b in _chunks_with_capitals(arrays)]
    assert runs == ["GPT-4\u00a0and", "Müller", "(ALBERT)x."]


def test_only_a_rules_extractor_gives_new_words_just_the_lower_case_attribute() -> None:
    rules = Extractor()
    found = rules.extract_one(Paper(id="p", title="Zorblax: A Model",
                                    abstract="We propose Zorblax, trained on Quuxset."))
    assert "Zorblax" in [m.text for m in found.mentions]
    assert list(rules.nlp.vocab.lex_attr_getters) == [LOWER]
    assert rules.nlp.vocab["Quuxset"].lower_ == "quuxset"
    statistical = Extractor(build_nlp(statistical=True))  # the trained NER reads NORM, SHAPE...
    assert {NORM, SHAPE, PREFIX, SUFFIX} <= set(statistical.nlp.vocab.lex_attr_getters)
    with pytest.raises(ValueError, match="lean"):
        build_nlp(statistical=True, lean=True)
    with pytest.raises(ValueError, match="lean=False"):
        add_statistical_ner(build_nlp(lean=True))


def test_a_lean_pipeline_extracts_what_a_full_one_does() -> None:
    papers = [Paper(id=str(i), title=title, abstract=TEXTS[0]) for i, title in
              enumerate(["Zorblax: A Model", "MosaicBERT: Fast Pretraining", "On GLUE"])]
    lean = Extractor(build_nlp(lean=True))
    full = Extractor(build_nlp())
    assert list(lean.extract(papers)) == list(full.extract(papers))
