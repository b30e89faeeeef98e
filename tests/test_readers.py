"""Readers: both page layouts, JSONL/JSON/CSV, arXiv Atom and snapshot, merging, bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from kg.errors import ParseError, UnknownFormatError
from kg.ids import paper_id
from kg.readers import read_papers, sniff

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = Path(__file__).parent.parent / "data" / "sample"


def test_page_with_metadata_block():
    papers = read_papers([FIXTURES / "page_with_meta.txt"]).papers
    assert [p.title for p in papers] == [
        "FooNet: A Tiny Network for Testing", "Bar Benchmark for Things", "Untitled Without Year"]
    foo, bar, untitled = papers
    assert foo.author_count == 3 and foo.date == "2023-09-26" and foo.upvotes is None
    assert foo.abstract.startswith("We propose FooNet")
    assert bar.organization == "Acme Labs" and bar.organization_handle == "acme"
    assert bar.upvotes == 12 and bar.date == "2024-09-04"
    assert untitled.date.endswith("-08-06") and untitled.author_count == 1  # no year: this year
    assert foo.sources[0].endswith("page_with_meta.txt:13")


def test_page_without_metadata_block():
    papers = read_papers([FIXTURES / "page_plain.txt"]).papers
    titles = [p.title for p in papers]
    assert titles == ["FooNet: A Tiny Network for Testing", "Another Paper Title"]
    assert papers[1].abstract.startswith("Another abstract")
    assert papers[0].date == ""


def test_same_paper_on_two_pages_is_one_paper_with_richest_metadata():
    papers = read_papers([FIXTURES / "page_with_meta.txt", FIXTURES / "page_plain.txt"]).papers
    foo = [p for p in papers if p.title.startswith("FooNet")]
    assert len(foo) == 1
    assert foo[0].author_count == 3 and foo[0].date == "2023-09-26"  # from the first page
    assert "longer abstract" in foo[0].abstract  # the longer abstract, from the second page
    assert len(foo[0].sources) == 2


def test_sample_pages_hold_199_unique_papers():
    assert len(read_papers([SAMPLE]).papers) == 199


def test_paper_ids_are_stable_and_prefer_arxiv():
    a = read_papers([FIXTURES / "page_plain.txt"]).papers[0]
    b = read_papers([FIXTURES / "page_plain.txt"]).papers[0]
    assert a.id == b.id == paper_id("FooNet: A Tiny Network for Testing")
    atom = read_papers([FIXTURES / "arxiv.atom"]).papers[0]
    assert atom.id == "1706.03762"


def test_jsonl_keeps_extra_fields():
    papers = read_papers([FIXTURES / "papers.jsonl"]).papers
    assert papers[0].authors == ("A. One", "B. Two")
    assert dict(papers[0].extra)["venue"] == "iclr"
    assert papers[1].date == "2024"


def test_json_array(tmp_path):
    path = tmp_path / "papers.json"
    path.write_text(json.dumps([{"title": "One", "abstract": "A."}, {"title": "Two"}]))
    assert [p.title for p in read_papers([path]).papers] == ["One", "Two"]


def test_csv_with_quotes_and_commas():
    papers = read_papers([FIXTURES / "papers.csv"]).papers
    assert papers[1].title == "Comma, Title"
    assert papers[1].abstract == 'Abstract with "quotes", and commas.'


def test_arxiv_atom():
    paper = read_papers([FIXTURES / "arxiv.atom"]).papers[0]
    assert paper.title == "Attention Is All You Need"
    assert paper.authors == ("Ashish Vaswani", "Noam Shazeer")
    assert paper.doi == "10.5555/3295222.3295349" and paper.date == "2017-06-12"


def test_arxiv_snapshot():
    paper = read_papers([FIXTURES / "snapshot.jsonl"]).papers[0]
    assert paper.id == "1810.04805" and paper.arxiv_id == "1810.04805"
    assert paper.authors[-1] == "Kristina Toutanova" and paper.date == "2019-05-24"
    assert paper.abstract == "We introduce a new language representation model called BERT."


@pytest.mark.parametrize("name, expected", [
    ("page_with_meta.txt", "pages"), ("page_plain.txt", "pages"), ("papers.jsonl", "jsonl"),
    ("papers.csv", "csv"), ("arxiv.atom", "atom"), ("snapshot.jsonl", "arxiv-snapshot"),
])
def test_sniffing(name, expected):
    path = FIXTURES / name
    assert sniff(path.read_text(), str(path)) == expected


def test_gzip_input_read_directly(tmp_path):
    path = tmp_path / "papers.jsonl.gz"
    path.write_bytes(gzip.compress((FIXTURES / "papers.jsonl").read_bytes()))
    assert len(read_papers([path]).papers) == 2


def test_input_format_override_and_unknown_format(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text('{"title": "X"}\n')
    assert read_papers([path], input_format="jsonl").papers[0].title == "X"
    with pytest.raises(UnknownFormatError, match="available: arxiv-snapshot, atom, csv"):
        read_papers([path], input_format="yaml")


def test_bad_jsonl_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "Good"}\n{"title": "Broken", \n{"title": "Also good"}\n')
    with pytest.raises(ParseError, match=r"bad\.jsonl:2: expected one JSON object per line"):
        read_papers([path])
    result = read_papers([path], skip_bad=True)
    assert [p.title for p in result.papers] == ["Good", "Also good"]
    assert len(result.skipped) == 1 and result.skipped[0].line == 2


def test_record_without_title(tmp_path):
    path = tmp_path / "notitle.jsonl"
    path.write_text('{"title": "Good"}\n{"abstract": "no title"}\n')
    with pytest.raises(ParseError, match=r"notitle\.jsonl:2: expected a record with a non-empty"):
        read_papers([path])


def test_bad_json_array_record_names_its_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"title": "One"},\n  {"abstract": "none"}\n]\n')
    with pytest.raises(ParseError, match=r"bad\.json:3:"):
        read_papers([path])


def test_csv_row_with_too_many_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("title,abstract\nA,B\nC,D,E\n")
    with pytest.raises(ParseError, match=r"bad\.csv:3: expected 2 columns"):
        read_papers([path])


def test_malformed_atom(tmp_path):
    path = tmp_path / "bad.atom"
    path.write_text('<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><title>x</entry>\n</feed>')
    with pytest.raises(ParseError, match=r"bad\.atom:2: expected well-formed Atom XML"):
        read_papers([path])


def test_malformed_page_metadata(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text("Title One\n\n" + "An abstract. " * 30 + "\n\n  • 3 authors\n·\nNotADate 99\n")
    with pytest.raises(ParseError, match=r"page\.txt:7: expected a date such as"):
        read_papers([path])


def test_non_utf8_and_missing_files(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title\n\nCaf\xe9".encode("latin-1"))
    with pytest.raises(ParseError, match=r"latin1\.txt:3: expected UTF-8 text"):
        read_papers([path])
    with pytest.raises(ParseError, match="no such path"):
        read_papers([tmp_path / "missing.txt"])


def test_unicode_line_separators_inside_records_do_not_split_them(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_text('{"title": "One", "abstract": "a\\u2028b \u2028 c\u0085d"}\n'
                    '{"title": "Two"}\n', encoding="utf-8")
    papers = read_papers([path]).papers
    assert [p.title for p in papers] == ["One", "Two"]
    assert papers[1].sources[0].endswith("odd.jsonl:2")


def test_json_lines_read_from_bytes_as_from_text(tmp_path):
    """JSON lines files are read from their bytes, a line at a time; the same papers, line
    numbers and errors as from the decoded text."""
    from kg.readers.fields import read_json_lines, record_to_paper

    text = ('\ufeff{"title": "One \U0001d4d0", "abstract": "a\u2028b \u0085 c"}\r\n'
            '\n   \r\n{"title": "Two", "authors": ["Jie Zhou", "Jie Zhou"]}\r\n'
            '{"title": "Three", "abstract": "caf\u00e9 \\ud835\\udcd0"}')
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(text.encode("utf-8"))

    def to_paper(record, line):
        return record_to_paper(record, "mixed.jsonl", line)

    from_text = list(read_json_lines(text.removeprefix("\ufeff"), "mixed.jsonl", None, to_paper))
    from_bytes = list(read_json_lines(path.read_bytes(), "mixed.jsonl", None, to_paper))
    assert from_bytes == from_text
    assert [p.sources[0].rsplit(":", 1)[1] for p in from_bytes] == ["1", "4", "5"]
    assert [p.title for p in read_papers([path]).papers] == ["One \U0001d4d0", "Two", "Three"]


def test_a_json_line_that_is_not_utf8_is_a_bad_record(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"title": "One"}\n{"title": "Caf\xe9"}\n{"title": "Three"}\n')
    with pytest.raises(ParseError, match=r"latin1\.jsonl:2: expected UTF-8 text; got byte 0xe9"):
        read_papers([path])
    result = read_papers([path], skip_bad=True)
    assert [p.title for p in result.papers] == ["One", "Three"]
    assert [(e.line, e.expected) for e in result.skipped] == [(2, "UTF-8 text")]


def test_a_long_first_line_is_sniffed_whole(tmp_path):
    path = tmp_path / "long.jsonl"
    long = {"title": "Long", "abstract": "word " * 40_000}  # 200 kB: past the sniffed head
    path.write_text("\n\n" + json.dumps(long) + "\n" + json.dumps({"title": "Next"}) + "\n")
    assert [p.title for p in read_papers([path]).papers] == ["Long", "Next"]


# Whitespace the fast paths of ``_squash`` and ``split_authors`` must treat as the regexes did.
AWKWARD = ["", " ", "a  b", " a", "a ", "a\tb", "a\nb", "a\u00a0b", "a\u2028b", "a\u3000b",
           "x\u200by", "a\x1cb", "a\x00b", "\n", "plain text", "a;b", "a and b", " and b",
           "a\nand b", "A, B; C", "x ;  ; y", "Ann Lee;Bo\u00a0Wu ;", "é  ü"]


@pytest.mark.parametrize("text", AWKWARD)
def test_whitespace_is_squashed_and_authors_split_as_by_the_regexes(text):
    import re

    from kg.readers.fields import _squash, split_authors

    assert _squash(text) == re.sub(r"\s+", " ", text).strip()
    spaced = re.sub(r"\s+", " ", text)
    parts = re.split(r";|,| and ", spaced) if ";" not in spaced else spaced.split(";")
    assert split_authors(text) == tuple(p.strip() for p in parts if p.strip())
