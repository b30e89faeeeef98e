"""Finding the mention inside an evidence sentence (kg/highlight.py) and the page's marks."""

from __future__ import annotations

import networkx as nx
import pytest
from conftest import HOSTILE_TITLE

from kg.exporters.html import graph_data
from kg.highlight import mention_span, utf16_span
from kg.model import paper_text

TITLE = "Tiny: GLUE again"
ABSTRACT = "We use GLUE. Results on GLUE are good. We use GLUE."
TEXT = paper_text(TITLE, ABSTRACT)


def _at(sentence: str, nth: int, word: str = "GLUE") -> tuple[int, int]:
    """Offsets in TEXT of the ``word`` inside the ``nth`` occurrence of ``sentence``."""
    pos = -1
    for _ in range(nth + 1):
        pos = TEXT.index(sentence, pos + 1)
    start = pos + sentence.index(word)
    return start, start + len(word)


@pytest.mark.parametrize("nth", [0, 1])
def test_repeated_sentence_takes_the_occurrence_the_offsets_fall_in(nth: int) -> None:
    start, end = _at("We use GLUE.", nth)
    assert mention_span(TEXT, "We use GLUE.", start, end) == (7, 11)


def test_mention_that_is_not_the_first_match_in_its_sentence() -> None:
    sentence = "GLUE or GLUE?"
    text = paper_text("T", sentence)
    second = text.rindex("GLUE")
    assert mention_span(text, sentence, second, second + 4) == (8, 12)


@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), (-1, 4), (5, 5), (10, 2), (0, 10_000), (True, 3), ("3", "7"), (1.0, 5.0)],
)
def test_bad_offsets_fall_back_to_the_names(start: object, end: object) -> None:
    assert mention_span(TEXT, "Results on GLUE are good.", start, end, ["glue"]) == (11, 15)
    assert mention_span(TEXT, "Results on GLUE are good.", start, end) is None


def test_names_match_whole_words_only_longest_first() -> None:
    sentence = "GLUEBench differs from SuperGLUE and from GLUE benchmark suites."
    assert mention_span("", sentence, None, None, ["GLUE", "GLUE benchmark"]) == (42, 56)
    assert mention_span("", "Nothing here.", None, None, ["GLUE", ""]) is None
    assert mention_span("", "", 0, 4, ["GLUE"]) is None


def test_sentence_not_in_the_text_uses_the_mention_text() -> None:
    start, end = _at("Results on GLUE are good.", 0)
    assert mention_span(TEXT, "(edited) GLUE results", start, end) == (9, 13)


def test_utf16_offsets_count_astral_characters_twice() -> None:
    sentence = "𝓐𝓑 on GLUE"
    span = mention_span("", sentence, None, None, ["GLUE"])
    assert span == (6, 10)
    assert utf16_span(sentence, span) == (8, 12)


def test_graph_data_marks_every_evidence_sentence() -> None:
    g = nx.MultiDiGraph()
    title = HOSTILE_TITLE
    abstract = "We use GLUE <img src=x onerror=alert(1)>. Also 𝓐 GLUE."
    text = paper_text(title, abstract)
    g.add_node("paper:x", kind="Paper", name=title, title=title, abstract=abstract)
    g.add_node("dataset:glue", kind="Dataset", name="GLUE", aliases=[])
    first = text.index("GLUE")
    second = text.rindex("GLUE")
    evidence = [
        {"text": "We use GLUE <img src=x onerror=alert(1)>.", "start": first, "end": first + 4},
        {"text": "Also 𝓐 GLUE.", "start": second, "end": second + 4},
        {"text": "A sentence without it.", "start": 0, "end": 0},
    ]
    g.add_edge("paper:x", "dataset:glue", key="USES", kind="USES", evidence=evidence)
    (edge,) = graph_data(g)["edges"]
    assert edge["marks"] == [[7, 11], [8, 12], None]  # 𝓐 is two UTF-16 units
    assert edge["attrs"]["evidence"] == evidence  # the attributes themselves are untouched
