"""arXiv API responses: Atom XML feeds of ``<entry>`` elements."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from kg.errors import ParseError
from kg.ids import find_arxiv_id, paper_id
from kg.model import Paper

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"


def sniff(text: str) -> bool:
    head = text.lstrip()[:400]
    return head.startswith("<") and ("<feed" in head or "http://www.w3.org/2005/Atom" in head)


def _text(element: ET.Element | None) -> str:
    return re.sub(r"\s+", " ", element.text or "").strip() if element is not None else ""


def read(text: str, path: str, errors: list[ParseError] | None = None) -> Iterator[Paper]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ParseError(path, exc.position[0], "well-formed Atom XML", got=str(exc)) from None
    if root.tag != f"{ATOM}feed":
        raise ParseError(path, 1, "an Atom <feed> root element", got=f"<{root.tag}>")
    for index, entry in enumerate(root.iter(f"{ATOM}entry"), 1):
        title = _text(entry.find(f"{ATOM}title"))
        if not title:
            exc = ParseError(path, None, f"a <title> in <entry> number {index}", got="none")
            if errors is None:
                raise exc
            errors.append(exc)
            continue
        arxiv = find_arxiv_id(_text(entry.find(f"{ATOM}id")))
        authors = tuple(_text(a.find(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author"))
        doi = _text(entry.find(f"{ARXIV}doi"))
        published = _text(entry.find(f"{ATOM}published"))[:10]
        yield Paper(
            id=paper_id(title, arxiv), title=title,
            abstract=_text(entry.find(f"{ATOM}summary")), date=published,
            authors=tuple(a for a in authors if a), author_count=len(authors) or None,
            arxiv_id=arxiv, doi=doi, sources=(f"{path}#entry{index}",),
        )
