"""Turning one input record (a dict of fields) into a ``Paper``: shared by the JSON, CSV and
arXiv-snapshot readers so every tabular format maps fields the same way."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from kg.errors import ParseError
from kg.ids import find_arxiv_id, paper_id
from kg.model import Paper

TITLE_KEYS = ("title",)
ABSTRACT_KEYS = ("abstract", "summary")
DATE_KEYS = ("date", "published", "update_date", "published_date", "year")
KNOWN = {"title", "abstract", "summary", "authors", "author_count", "organization",
         "organization_handle", "upvotes", "doi", "arxiv_id"}


def _field(lowered: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    """The first non-empty value of ``keys`` in a record whose keys are in lower case."""
    for key in keys:
        value = lowered.get(key)
        if value not in (None, ""):
            return str(value)
    return ""


def _squash(text: str) -> str:
    """Runs of whitespace as one space, none at the ends (``re.sub(r"\\s+", " ", t).strip()``)."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # every whitespace character but the space is unprintable: nothing to do
    return " ".join(text.split())


_WHITESPACE = re.compile(r"\s+")
_AUTHOR_SEPARATORS = re.compile(r";|,| and ")


def split_authors(value: Any) -> tuple[str, ...]:
    """Authors from a list, or a string separated by ';', ',' or 'and'."""
    if isinstance(value, list | tuple):
        return tuple(str(a).strip() for a in value if str(a).strip())
    if not value:
        return ()
    text = str(value)
    parts = text.split(";") if ";" in text else _AUTHOR_SEPARATORS.split(_WHITESPACE.sub(" ", text))
    return tuple(filter(None, map(_squash, parts)))


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _date(value: str) -> str:
    m = _DATE.match(value.strip())
    if not m:
        return ""
    return "-".join(p for p in m.groups() if p)


def lines_of(text: str) -> list[str]:
    r"""``text`` split at newlines only.

    ``str.splitlines`` also splits at U+2028, U+0085 and form feeds, which JSON strings and
    abstracts may hold, so it would cut one record in two and misnumber every line after it.

    >>> lines_of('{"a": "x\u2028y"}\r\n{"b": 1}')
    ['{"a": "x\u2028y"}', '{"b": 1}']
    """
    return [line.removesuffix("\r") for line in text.split("\n")]


def first_line(text: str) -> str:
    r"""The first line of ``text`` (as ``lines_of`` splits it) that is not blank, or ``""``;
    without splitting the rest, which sniffing a 136 MB file would pay for.

    >>> first_line("\n  \r\n{}\r\nrest"), first_line(" \n")
    ('{}', '')
    """
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end].removesuffix("\r")
        if line.strip():
            return line
        start = end + 1
    return ""


def read_json_lines(text: str | bytes, path: str, errors: list[ParseError] | None,
                    to_paper: Callable[[Any, int], Paper],
                    expected: str = "one JSON object per line") -> Iterator[Paper]:
    """Papers from JSON lines: ``to_paper(record, line)`` for each non-blank line.

    ``text``: the file's text, or its undecoded bytes (``kg.readers.iter_file`` passes those:
    each line is then decoded on its own, and a line that is not UTF-8 is a bad record).
    A line that is not JSON, or a record ``to_paper`` rejects, raises ``ParseError`` naming the
    file and line, or is collected in ``errors`` when the caller skips bad records.
    """
    # bytes split at b"\n" alone, as lines_of splits text; json.loads drops a BOM and "\r"
    lines = io.BytesIO(text) if isinstance(text, bytes) else lines_of(text)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ParseError(path, number, expected,
                                 got=f"{exc.msg} at column {exc.colno}") from None
            except UnicodeDecodeError as exc:
                raise ParseError(path, number, "UTF-8 text",
                                 got=f"byte {exc.object[exc.start]:#x}") from None
            yield to_paper(record, number)
        except ParseError as exc:
            if errors is None:
                raise
            errors.append(exc)


def record_to_paper(record: Mapping[str, Any], path: str, line: int,
                    arxiv_id: str = "") -> Paper:
    """A ``Paper`` from one record; raises ``ParseError`` when it has no title."""
    if not isinstance(record, Mapping):
        raise ParseError(path, line, "a JSON object with a 'title' field",
                         got=type(record).__name__)
    fields = {str(k).lower(): v for k, v in record.items()}
    title = _squash(_field(fields, TITLE_KEYS))
    if not title:
        raise ParseError(path, line, "a record with a non-empty 'title' field",
                         got=f"fields {sorted(map(str, record))[:8]}")
    abstract = _squash(_field(fields, ABSTRACT_KEYS))
    doi = _field(fields, ("doi",))
    arxiv = arxiv_id or find_arxiv_id(_field(fields, ("arxiv_id",)))
    authors = split_authors(record.get("authors"))
    extra = tuple(
        (str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        for k, v in record.items()
        if str(k).lower() not in KNOWN and v not in (None, "")
    )
    return Paper(
        id=paper_id(title, arxiv), title=title, abstract=abstract,
        date=_date(_field(fields, DATE_KEYS)), authors=authors,
        author_count=_int(record.get("author_count")) or (len(authors) or None),
        organization=_field(fields, ("organization",)),
        organization_handle=_field(fields, ("organization_handle",)),
        upvotes=_int(record.get("upvotes")), arxiv_id=arxiv, doi=doi,
        sources=(f"{path}:{line}",), extra=extra,
    )
