"""Merging the same paper read from several files into one ``Paper``.

Papers are the same when their normalized titles are equal. The merged paper keeps the richest
metadata: the longest abstract, any field one copy has and another lacks, every source.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from kg.ids import paper_id, title_key
from kg.model import Paper


def merge_two(a: Paper, b: Paper) -> Paper:
    """One paper from two copies of it; ``a``'s values win ties."""

    def pick(x, y):
        return x if x not in ("", None, ()) else y

    abstract = a.abstract if len(a.abstract) >= len(b.abstract) else b.abstract
    arxiv = pick(a.arxiv_id, b.arxiv_id)
    extra = dict(b.extra)
    extra.update(dict(a.extra))
    upvotes = max((u for u in (a.upvotes, b.upvotes) if u is not None), default=None)
    return dataclasses.replace(
        a,
        id=paper_id(a.title, arxiv),
        abstract=abstract,
        date=pick(a.date, b.date),
        authors=a.authors if len(a.authors) >= len(b.authors) else b.authors,
        author_count=pick(a.author_count, b.author_count),
        organization=pick(a.organization, b.organization),
        organization_handle=pick(a.organization_handle, b.organization_handle),
        upvotes=upvotes,
        arxiv_id=arxiv,
        doi=pick(a.doi, b.doi),
        sources=tuple(dict.fromkeys(a.sources + b.sources)),
        extra=tuple(sorted(extra.items())),
    )


def merge_papers(papers: Iterable[Paper]) -> list[Paper]:
    """Papers with duplicates merged, in the order each was first seen."""
    merged: dict[str, Paper] = {}
    for paper in papers:
        key = title_key(paper.title)
        merged[key] = merge_two(merged[key], paper) if key in merged else paper
    return list(merged.values())
