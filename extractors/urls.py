"""URLs in text: where they end, what kind of thing they point at, and their canonical name.

Pure functions; the ``kg_links`` component runs them over a doc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.links import classify

# A URL runs to the next space; trailing sentence punctuation is cut off afterwards.
# Square brackets end a URL: "[https://a.b](https://a.b)" is two URLs in Markdown, not one.
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'`\[\]]+|\b(?:github\.com|huggingface\.co|"
                 r"gitlab\.com|aka\.ms|bit\.ly)/[^\s<>\"'`\[\]]+", re.IGNORECASE)
DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
TRAILING = ".,;:)]}!?'\""


@dataclass(frozen=True, slots=True)
class FoundURL:
    url: str  # exactly as written, trailing punctuation removed
    start: int
    end: int
    kind: str  # code, model, dataset, project
    name: str  # canonical: github.com/owner/repo, huggingface.co/datasets/owner/name, host/path
    owner: str  # code/model host owner handle, "" for project pages


def strip_trailing(url: str) -> str:
    """Drop sentence punctuation after a URL; keep a ')' that closes a '(' inside it.

    >>> strip_trailing("https://github.com/a/b)."), strip_trailing("https://x.org/a_(b)")
    ('https://github.com/a/b', 'https://x.org/a_(b)')
    """
    while url and url[-1] in TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


# Every URL the pattern matches holds one of these (case aside): most abstracts hold none, and
# looking for them is far cheaper than running the pattern (``find_urls``).
_URL_MARKERS = ("http", "www.", "github.com/", "huggingface.co/", "gitlab.com/", "aka.ms/",
                "bit.ly/")


# The only characters that ``re.IGNORECASE`` matches to an ASCII letter, besides the letters
# themselves (dotted and dotless i, long s, the Kelvin sign): ``lower`` may keep them apart.
FOLDS_TO_ASCII_LETTER = frozenset("\u0130\u0131\u017f\u212a")


def _may_hold(text: str, markers: tuple[str, ...]) -> bool:
    """False only when ``text`` surely holds none of ``markers`` in any case, as
    ``re.IGNORECASE`` reads case."""
    lowered = text.lower()
    if any(marker in lowered for marker in markers):
        return True
    return not text.isascii() and any(char in text for char in FOLDS_TO_ASCII_LETTER)


def find_urls(text: str) -> list[FoundURL]:
    """Every URL in ``text`` with its offsets, kind and canonical name."""
    if not _may_hold(text, _URL_MARKERS):
        return []
    found = []
    for match in URL.finditer(text):
        url = strip_trailing(match.group(0))
        if len(url) < 8 or "." not in url:
            continue
        kind, name, owner = classify(url)
        found.append(FoundURL(url, match.start(), match.start() + len(url), kind, name, owner))
    return found


ARXIV_REF = re.compile(r"(?:arXiv:\s?|arxiv\.org/(?:abs|pdf)/)(\d{4}\.\d{4,5}|[a-z\-]+/\d{7})",
                       re.IGNORECASE)


def find_dois(text: str) -> list[str]:
    if "10." not in text:  # in every DOI; far cheaper than the pattern, which most texts fail
        return []
    return [strip_trailing(m.group(0)) for m in DOI.finditer(text)]


def find_identifiers(text: str) -> tuple[str, ...]:
    """arXiv ids and DOIs written in ``text``, as ``arXiv:ID`` and ``doi:DOI``, first seen first.

    >>> find_identifiers("see arXiv:2301.00001v2 and https://doi.org/10.1145/3292500.3330701.")
    ('arXiv:2301.00001', 'doi:10.1145/3292500.3330701')
    """
    found = [f"arXiv:{m.group(1)}" for m in ARXIV_REF.finditer(text)] \
        if _may_hold(text, ("arxiv",)) else []
    found += [f"doi:{d}" for d in find_dois(text)]
    return tuple(dict.fromkeys(found))
