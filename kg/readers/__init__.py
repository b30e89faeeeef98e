"""Readers: one module per input format, chosen by sniffing the content.

``read_papers(["pages/", "more.jsonl.gz"])`` reads every file (a directory means every file in
it), sniffs each one's format unless ``input_format`` is given, merges the same paper seen in
several files (see ``kg.readers.merge``) and returns the papers plus the records that were
skipped when ``skip_bad`` is set. Without ``skip_bad`` the first bad record raises
``ParseError`` naming the file and line.
"""

from __future__ import annotations

import gzip
import importlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import ParseError, UnknownFormatError
from kg.model import Paper

# name -> module that defines ``sniff(text) -> bool`` and ``read(text, path, errors) -> papers``
# (``text``: the file's bytes for ``_LINE_FORMATS``).
_MODULES: dict[str, str] = {
    "atom": "kg.readers.atom",
    "arxiv-snapshot": "kg.readers.snapshot",
    "jsonl": "kg.readers.tabular",
    "json": "kg.readers.tabular",
    "csv": "kg.readers.tabular",
    "pages": "kg.readers.pages",
}
# Sniffing order: the most specific formats first.
SNIFF_ORDER: tuple[str, ...] = ("atom", "arxiv-snapshot", "jsonl", "json", "csv", "pages")

Reader = Callable[[str | bytes, str, "list[ParseError] | None"], Iterator[Paper]]

# Formats read line by line: their readers take the file's bytes and decode each line on its
# own, so a large file is never one str. (A str is as wide per character as its widest one:
# paperlists' 136 MB, with one character past U+FFFF, decodes to a 543 MB str.)
_LINE_FORMATS = frozenset({"jsonl", "arxiv-snapshot"})
# Sniffers look at the first line, or the first 20,000 characters at most.
_SNIFF_BYTES = 1 << 16
_NON_BLANK = re.compile(rb"\S")


@dataclass
class ReadResult:
    """Papers read (duplicates merged) and the bad records skipped with ``skip_bad``."""

    papers: list[Paper] = field(default_factory=list)
    skipped: list[ParseError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def formats() -> list[str]:
    return sorted(_MODULES)


def _module(name: str):
    try:
        return importlib.import_module(_MODULES[name])
    except KeyError:
        raise UnknownFormatError("input format", name, formats()) from None


def get_reader(name: str) -> Reader:
    module = _module(name)
    specific = getattr(module, f"read_{name.replace('-', '_')}", None)
    return specific if specific is not None else module.read


def sniff(text: str, path: str) -> str:
    """The name of the first format whose sniffer accepts ``text``."""
    for name in SNIFF_ORDER:
        module = _module(name)
        sniffer = getattr(module, f"sniff_{name.replace('-', '_')}", getattr(module, "sniff", None))
        if sniffer is not None and sniffer(text):
            return name
    raise ParseError(path, 1, f"a file in one of the formats {', '.join(formats())}",
                     got=repr(text[:60]))


GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(head: bytes) -> bool:
    """The bytes start as a gzip file does: papers and stores may be gzipped whatever their
    names, so the content decides, not a ``.gz`` suffix."""
    return head[:2] == GZIP_MAGIC


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(str(path), None, "a readable file", got=exc.strerror or str(exc)) from exc
    if is_gzip(raw):
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ParseError(str(path), None, "a complete gzip file", got=str(exc)) from exc
    return raw


def read_text(path: Path) -> str:
    """The file's text, gunzipped when it is gzip, as UTF-8 (BOM dropped)."""
    return _decode(read_bytes(path), path)


def _decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(str(path), line, "UTF-8 text", got=f"byte {data[exc.start]:#x}") from exc


def _head(data: bytes) -> str:
    """The start of the file, enough to sniff it: 64 kB or more, cut at a line end, so that
    its first line that is not blank is whole (a newline byte is never inside a UTF-8
    character). A byte that is not UTF-8 is replaced here; reading reports it, with its line.
    """
    first = _NON_BLANK.search(data)
    end = -1 if first is None else data.find(b"\n", first.start() + _SNIFF_BYTES)
    return (data if end < 0 else data[:end]).decode("utf-8-sig", errors="replace")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and every regular file (sorted, hidden ones skipped) in directories named."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(
                f for f in p.rglob("*")
                if f.is_file() and not any(s.startswith(".") for s in f.relative_to(p).parts)))
        elif p.exists():
            files.append(p)
        else:
            raise ParseError(str(p), None, "an existing file or directory", got="no such path")
    return files


def iter_file(path: Path, input_format: str | None = None,
              errors: list[ParseError] | None = None) -> Iterator[Paper]:
    """Papers of one file, in file order, not yet merged."""
    data = read_bytes(path)
    name = input_format or sniff(_head(data), str(path))
    if name in _LINE_FORMATS:
        yield from get_reader(name)(data, str(path), errors)
        return
    text = _decode(data, path)
    del data  # the text alone while the file is read
    yield from get_reader(name)(text, str(path), errors)


def read_papers(paths: Iterable[str | Path], input_format: str | None = None,
                skip_bad: bool = False) -> ReadResult:
    """Read, sniff and merge the papers of every file under ``paths``."""
    from kg.readers.merge import merge_papers

    if input_format is not None:
        _module(input_format)  # fail on an unknown name before reading anything
    result = ReadResult()
    errors: list[ParseError] | None = result.skipped if skip_bad else None
    collected: list[Paper] = []
    for path in expand_paths(paths):
        result.files.append(str(path))
        try:
            collected.extend(iter_file(path, input_format, errors))
        except ParseError as exc:
            if errors is None:
                raise
            errors.append(exc)
    result.papers = merge_papers(collected)
    return result
