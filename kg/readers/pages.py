"""Daily-papers page dumps: header lines, then one block per paper.

A block is a title line, an abstract paragraph and, on some pages, a metadata block of three
lines: ``• N authors`` or ``<handle> <Org Name>``, then ``·``, then a date (``Sep 26, 2023`` or
``Aug 6`` with no year, meaning the current year) optionally followed by an upvote count.
Blocks are separated by blank lines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.errors import ParseError
from kg.ids import paper_id
from kg.model import Paper
from kg.readers.fields import lines_of

HEADER_LINES = frozenset({
    "new", "get trending papers in your email inbox!", "subscribe", "daily papers",
    "byak and the research community", "trending papers", "papers",
})
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DATE = re.compile(
    r"^(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?(?:\s+(?P<upvotes>\d+))?$"
)
_AUTHORS = re.compile(r"^•\s*(?P<n>\d+)\s+authors?$")
_ORG = re.compile(r"^(?P<handle>[\w.\-]+)\s+(?P<name>\S.*)$")
_SEPARATOR = "·"


@dataclass(frozen=True, slots=True)
class _Para:
    line: int  # 1-based line of the paragraph's first line
    lines: tuple[str, ...]


def _paragraphs(text: str) -> list[_Para]:
    paras: list[_Para] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(lines_of(text), 1):
        line = raw.strip()
        if line:
            if not current:
                start = number
            current.append(line)
        elif current:
            paras.append(_Para(start, tuple(current)))
            current = []
    if current:
        paras.append(_Para(start, tuple(current)))
    return paras


def parse_date(text: str, today: dt.date | None = None) -> tuple[str, int | None] | None:
    """``("2023-09-26", None)`` for ``Sep 26, 2023``; a missing year means this year.

    >>> parse_date("Sep 4, 2024 2")
    ('2024-09-04', 2)
    >>> parse_date("Aug 6", dt.date(2025, 1, 1))
    ('2025-08-06', None)
    """
    match = _DATE.match(text.strip())
    if not match:
        return None
    year = int(match["year"]) if match["year"] else (today or dt.date.today()).year
    try:
        day = dt.date(year, _MONTHS[match["mon"].lower()], int(match["day"]))
    except ValueError:
        return None
    upvotes = int(match["upvotes"]) if match["upvotes"] else None
    return day.isoformat(), upvotes


def _is_meta(para: _Para) -> bool:
    return len(para.lines) == 3 and para.lines[1] == _SEPARATOR


def _is_header(para: _Para) -> bool:
    return all(line.lower() in HEADER_LINES or _DATE.match(line) for line in para.lines)


def sniff(text: str) -> bool:
    """A page dump: plain text whose paragraphs are titles, abstracts and metadata blocks."""
    head = text.lstrip()[:1]
    if head in "{[<":
        return False
    paras = _paragraphs(text[:20000])
    return bool(paras) and (any(_is_header(p) for p in paras[:8]) or any(map(_is_meta, paras))
                            or all(len(p.lines) == 1 for p in paras[:6]))


def read(text: str, path: str, errors: list[ParseError] | None = None,
         today: dt.date | None = None) -> Iterator[Paper]:
    """Papers of one page dump, in page order."""
    paras = _paragraphs(text)
    i = 0
    while i < len(paras) and _is_header(paras[i]):
        i += 1
    while i < len(paras):
        title = paras[i]
        try:
            if _is_meta(title) or len(title.lines) != 1:
                raise ParseError(path, title.line, "a one-line paper title",
                                 got=repr(" / ".join(title.lines)[:80]))
            abstract: _Para | None = None
            meta: _Para | None = None
            j = i + 1
            if j < len(paras) and not _is_meta(paras[j]) and _looks_like_abstract(paras, j):
                abstract = paras[j]
                j += 1
            if j < len(paras) and _is_meta(paras[j]):
                meta = paras[j]
                j += 1
            i = j
            yield _paper(path, title, abstract, meta, today)
        except ParseError as exc:
            if errors is None:
                raise
            errors.append(exc)
            i += 1


def _looks_like_abstract(paras: list[_Para], j: int) -> bool:
    """A paragraph after a title is its abstract unless it is itself a title of a next block.

    A title is one short line followed by a long paragraph or a metadata block; an abstract is
    anything else (long, several lines, or the last paragraph).
    """
    para = paras[j]
    if len(para.lines) > 1 or len(para.lines[0]) > 300:
        return True
    nxt = paras[j + 1] if j + 1 < len(paras) else None
    if nxt is None or _is_meta(nxt):
        return True
    return not (len(nxt.lines) == 1 and len(nxt.lines[0]) > 300)


def _paper(path: str, title: _Para, abstract: _Para | None, meta: _Para | None,
           today: dt.date | None) -> Paper:
    author_count: int | None = None
    org = handle = date = ""
    upvotes: int | None = None
    if meta is not None:
        who, _, when = meta.lines
        if m := _AUTHORS.match(who):
            author_count = int(m["n"])
        elif m := _ORG.match(who):
            handle, org = m["handle"], m["name"].strip()
        else:
            raise ParseError(path, meta.line, "'• N authors' or '<handle> <Org Name>'",
                             got=repr(who))
        parsed = parse_date(when, today)
        if parsed is None:
            raise ParseError(path, meta.line + 2, "a date such as 'Sep 26, 2023' or 'Aug 6'",
                             got=repr(when))
        date, upvotes = parsed
    text = " ".join(abstract.lines) if abstract else ""
    return Paper(
        id=paper_id(title.lines[0]), title=title.lines[0], abstract=text, date=date,
        author_count=author_count, organization=org, organization_handle=handle,
        upvotes=upvotes, sources=(f"{path}:{title.line}",),
    )
