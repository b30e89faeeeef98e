"""The main job: read papers, extract mentions, link them, add them to a store.

``build(["pages/"], store)`` runs the stages in one direction (``DESIGN.md``). Extraction is the
only stage that imports spaCy, and it is imported here lazily so that reading a store
(``kg papers``) never pays for loading the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import ParseError, UnknownFormatError
from kg.model import Extraction, Paper
from kg.readers import read_papers


@dataclass
class BuildReport:
    """What a build did: papers read, bad records skipped, and the store's counts after."""

    papers: int = 0
    files: list[str] = field(default_factory=list)
    skipped: list[ParseError] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)


def extract_and_link(papers: Iterable[Paper], pipeline: str = "rules") -> Iterator[Extraction]:
    """Extraction records for ``papers``, in order (builds the spaCy pipeline once).

    ``pipeline``: ``rules`` (default) or ``statistical`` (rules plus the trained NER).
    """
    from extractors.kb import load_kb
    from extractors.pipeline import PIPELINES, Extractor, build_nlp
    from kg.link import Linker

    if pipeline not in PIPELINES:
        raise UnknownFormatError("pipeline", pipeline, PIPELINES)
    extractor = Extractor(build_nlp(statistical=pipeline == "statistical"))
    linker = Linker(load_kb())
    for found in extractor.extract(papers):
        yield linker.link(found.paper, found.mentions, found.alias_pairs)


def build(paths: Iterable[str | Path], store, input_format: str | None = None,
          skip_bad: bool = False, pipeline: str = "rules") -> BuildReport:
    """Read every input, extract and link, add to ``store`` (not saved here).

    Reading happens first and completely, so a bad input file raises before the store changes.
    """
    result = read_papers(paths, input_format=input_format, skip_bad=skip_bad)
    store.add(extract_and_link(result.papers, pipeline))
    return BuildReport(papers=len(result.papers), files=result.files, skipped=result.skipped,
                       stats=store.stats())
