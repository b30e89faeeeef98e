"""The arXiv metadata snapshot: JSON lines with ``id``, ``title``, ``abstract``, ``authors``.

Told apart from other JSON lines by an arXiv-shaped ``id`` and the snapshot's own fields, so a
paper's id is its arXiv id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from kg.errors import ParseError
from kg.ids import ARXIV_ID
from kg.model import Paper
from kg.readers.fields import first_line, read_json_lines, record_to_paper

_SNAPSHOT_FIELDS = {"submitter", "versions", "categories", "authors_parsed", "update_date",
                    "journal-ref"}


def _is_snapshot_record(record: object) -> bool:
    return (isinstance(record, dict) and isinstance(record.get("id"), str)
            and bool(ARXIV_ID.fullmatch(record["id"])) and "authors" in record
            and "title" in record and bool(_SNAPSHOT_FIELDS & set(record)))


def sniff(text: str) -> bool:
    first = first_line(text)
    try:
        return _is_snapshot_record(json.loads(first))
    except json.JSONDecodeError:
        return False


def read(text: str | bytes, path: str, errors: list[ParseError] | None = None) -> Iterator[Paper]:
    def to_paper(record: object, line: int) -> Paper:
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise ParseError(path, line, "an object with an arXiv 'id'",
                             got=repr(str(record)[:60]))
        if record.get("update_date") and not record.get("date"):
            record = {**record, "date": record["update_date"]}
        return record_to_paper(record, path, line, arxiv_id=record["id"])

    return read_json_lines(text, path, errors, to_paper,
                           expected="one arXiv snapshot JSON object per line")
