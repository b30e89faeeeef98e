"""JSON Lines, JSON and CSV listings with ``title`` and ``abstract`` columns.

Extra fields are kept on the paper (``Paper.extra``); the title is required, the abstract not.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from kg.errors import ParseError
from kg.model import Paper
from kg.readers.fields import first_line, read_json_lines, record_to_paper


def _first_line(text: str) -> str:
    return first_line(text).strip()


def sniff_jsonl(text: str) -> bool:
    first = _first_line(text)
    if not first.startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


def sniff_json(text: str) -> bool:
    return text.lstrip()[:1] in ("[", "{")


def sniff_csv(text: str) -> bool:
    header = _first_line(text).lower()
    try:
        columns = next(csv.reader([header]))
    except (csv.Error, StopIteration):
        return False
    return len(columns) > 1 and "title" in [c.strip() for c in columns]


def read_jsonl(text: str | bytes, path: str,
               errors: list[ParseError] | None = None) -> Iterator[Paper]:
    return read_json_lines(text, path, errors, lambda record, line:
                           record_to_paper(record, path, line))


def _array_records(text: str, path: str) -> list[tuple[int, object]]:
    """The elements of a top-level JSON array with the line each one starts on.

    ``json.loads`` forgets positions; decoding element by element keeps them, so an error in
    record 40 names its line.
    """
    decoder = json.JSONDecoder()
    records: list[tuple[int, object]] = []
    pos = text.index("[") + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return records
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ParseError(path, exc.lineno, "a JSON array of paper objects",
                             got=f"{exc.msg} at column {exc.colno}") from None
        records.append((text.count("\n", 0, pos) + 1, value))
        pos = end


def read_json(text: str, path: str, errors: list[ParseError] | None = None) -> Iterator[Paper]:
    """A JSON array of paper objects, or an object holding one under ``papers``/``data``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(path, exc.lineno, "a JSON document",
                         got=f"{exc.msg} at column {exc.colno}") from None
    if isinstance(data, list):
        records = _array_records(text, path)
    elif isinstance(data, dict):
        inner = next((data[k] for k in ("papers", "data", "items", "records")
                      if isinstance(data.get(k), list)), None)
        records = [(1, r) for r in inner] if inner is not None else [(1, data)]
    else:
        raise ParseError(path, 1, "a JSON array of paper objects", got=type(data).__name__)
    for line, record in records:
        try:
            yield record_to_paper(record, path, line)  # type: ignore[arg-type]
        except ParseError as exc:
            if errors is None:
                raise
            errors.append(exc)


def read_csv(text: str, path: str, errors: list[ParseError] | None = None) -> Iterator[Paper]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "title" not in [f.strip().lower() for f in reader.fieldnames]:
        raise ParseError(path, 1, "a CSV header with a 'title' column",
                         got=repr(reader.fieldnames))
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ParseError(path, reader.line_num, "well-formed CSV", got=str(exc)) from None
        if None in row:
            exc2 = ParseError(path, reader.line_num,
                              f"{len(reader.fieldnames)} columns as in the header",
                              got=f"{len(reader.fieldnames) + len(row[None])} columns")
            if errors is None:
                raise exc2
            errors.append(exc2)
            continue
        try:
            yield record_to_paper({k.strip(): v for k, v in row.items()}, path, line)
        except ParseError as exc:
            if errors is None:
                raise
            errors.append(exc)
