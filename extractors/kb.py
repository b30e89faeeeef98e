"""The knowledge base: well-known ML models, datasets, methods, tasks, metrics and organizations.

The data lives in ``extractors/kb/*.jsonl`` (one JSON object a line; see ``kb/README.md``).
Extraction uses it to recognise names in titles and abstracts and to give the things it finds
stable ids, so two papers that write ``LLaMA-2`` and ``Llama 2`` link to one ``model:llama-2``.

The loader is strict on purpose: a duplicate id, an alias claimed by two entries or a dangling
``family`` would silently merge or split entities downstream, so each is a ``ParseError``
naming the file and line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.errors import ParseError
from kg.ids import ascii_fold, slug

KB_DIR = Path(__file__).parent / "kb"

KB_TYPES: tuple[str, ...] = ("model", "dataset", "method", "task", "metric", "organization")

# The file a type lives in; a file named otherwise may hold any type (tests, user KBs).
FILE_TYPES: dict[str, str] = {
    "models.jsonl": "model",
    "datasets.jsonl": "dataset",
    "methods.jsonl": "method",
    "tasks.jsonl": "task",
    "metrics.jsonl": "metric",
    "organizations.jsonl": "organization",
}

_FIELDS = frozenset(
    {"id", "type", "name", "aliases", "family", "case_sensitive", "code_owners", "note"}
)
_ID = re.compile(r"^[a-z]+:[a-z0-9]+(?:-[a-z0-9]+)*$")
_SEPARATORS = re.compile(r"[\s\-_]+")


@dataclass(frozen=True, slots=True)
class KBEntry:
    """One known thing and the names it is written under."""

    id: str
    type: str
    name: str
    aliases: tuple[str, ...]
    family: str = ""  # id of the family this is a checkpoint or version of
    case_sensitive: bool = False  # match only as written ("OPT", not "opt")
    code_owners: tuple[str, ...] = ()  # GitHub / Hugging Face owner handles (organizations)


def surface_key(text: str, *, keep_case: bool = False) -> str:
    """The form names are compared in: NFKC (and accents, Greek letters folded), lower-cased
    unless ``keep_case``, runs of spaces, hyphens and underscores removed.

    ``Llama 2``, ``LLaMA-2`` and ``llama_2`` share one key, so the data need not list them.
    """
    text = _SEPARATORS.sub("", ascii_fold(text).strip())
    return text if keep_case else text.lower()


def surface_forms(entry: KBEntry) -> tuple[str, ...]:
    """The name followed by the aliases: every string the entry is written as."""
    return (entry.name, *entry.aliases)


class KnowledgeBase:
    """Entries by id, with indexes from surface form and from code-owner handle."""

    def __init__(self, entries: Iterable[KBEntry]) -> None:
        self.entries: dict[str, KBEntry] = {}
        self._folded: dict[str, str] = {}  # lower-cased key -> id, case-insensitive entries
        self._exact: dict[str, str] = {}  # case-kept key -> id, case-sensitive entries
        self._owners: dict[str, str] = {}
        for entry in entries:
            if entry.id in self.entries:
                raise ValueError(f"duplicate knowledge-base id {entry.id!r}")
            self.entries[entry.id] = entry
            index = self._exact if entry.case_sensitive else self._folded
            for form in surface_forms(entry):
                index.setdefault(surface_key(form, keep_case=entry.case_sensitive), entry.id)
            for handle in entry.code_owners:
                self._owners.setdefault(handle.lower(), entry.id)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[KBEntry]:
        return iter(self.entries.values())

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def get(self, entry_id: str) -> KBEntry | None:
        return self.entries.get(entry_id)

    def by_type(self, entry_type: str) -> list[KBEntry]:
        """Entries of one type, in file order."""
        return [e for e in self.entries.values() if e.type == entry_type]

    def lookup(self, surface: str) -> KBEntry | None:
        """The entry written as ``surface`` (any case, spacing or hyphenation; case-sensitive
        entries only as written), or None."""
        entry_id = self._folded.get(surface_key(surface)) or self._exact.get(
            surface_key(surface, keep_case=True)
        )
        return self.entries[entry_id] if entry_id else None

    def owner(self, handle: str) -> KBEntry | None:
        """The organization owning a GitHub / Hugging Face handle (``facebookresearch``)."""
        entry_id = self._owners.get(handle.strip().lower())
        return self.entries[entry_id] if entry_id else None

    def surface_forms(self, entry: KBEntry) -> tuple[str, ...]:
        """The name followed by the aliases of ``entry``."""
        return surface_forms(entry)


@dataclass(frozen=True, slots=True)
class _Where:
    path: Path
    line: int


def _strings(value: Any, field: str, path: Path, line: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ParseError(path, line, f"{field!r} to be a list of non-empty strings",
                         got=json.dumps(value)[:80])
    return tuple(value)


def _parse_entry(raw: Any, path: Path, line: int) -> KBEntry:
    """One JSON object -> KBEntry, checking every field it has."""
    expected = "a JSON object with id, type, name"
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k), str) and raw[k].strip() for k in ("id", "type", "name")
    ):
        raise ParseError(path, line, expected, got=json.dumps(raw)[:80])
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise ParseError(path, line, f"only the fields {', '.join(sorted(_FIELDS))}",
                         got=", ".join(unknown))
    entry_type = raw["type"]
    if entry_type not in KB_TYPES:
        raise ParseError(path, line, f"type to be one of {', '.join(KB_TYPES)}",
                         got=repr(entry_type))
    file_type = FILE_TYPES.get(path.name)
    if file_type and entry_type != file_type:
        raise ParseError(path, line, f"type {file_type!r} in {path.name}", got=repr(entry_type))
    entry_id = raw["id"]
    if not _ID.match(entry_id) or not entry_id.startswith(f"{entry_type}:"):
        raise ParseError(path, line, f"an id like '{entry_type}:{slug(raw['name'])}'",
                         got=repr(entry_id))
    family = raw.get("family", "")
    if not isinstance(family, str):
        raise ParseError(path, line, "'family' to be an id string", got=json.dumps(family))
    case_sensitive = raw.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise ParseError(path, line, "'case_sensitive' to be true or false",
                         got=json.dumps(case_sensitive))
    code_owners = _strings(raw.get("code_owners"), "code_owners", path, line)
    if code_owners and entry_type != "organization":
        raise ParseError(path, line, "'code_owners' only on organization entries",
                         got=repr(entry_type))
    return KBEntry(
        id=entry_id,
        type=entry_type,
        name=raw["name"],
        aliases=_strings(raw.get("aliases"), "aliases", path, line),
        family=family,
        case_sensitive=case_sensitive,
        code_owners=code_owners,
    )


def _read(paths: Iterable[Path]) -> KnowledgeBase:
    """Parse and cross-check every file: ids unique, aliases and handles unambiguous,
    families present."""
    entries: dict[str, KBEntry] = {}
    where: dict[str, _Where] = {}
    claimed: dict[str, str] = {}  # lower-cased surface key -> id
    handles: dict[str, str] = {}
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            for number, text in enumerate(lines, start=1):
                if not text.strip():
                    continue
                try:
                    raw = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ParseError(path, number, "a JSON object with id, type, name",
                                     got=f"invalid JSON ({exc.msg})") from exc
                entry = _parse_entry(raw, path, number)
                if entry.id in entries:
                    first = where[entry.id]
                    raise ParseError(path, number, f"a new id, not {entry.id} again",
                                     got=f"{entry.id} also at {first.path}:{first.line}")
                for form in surface_forms(entry):
                    key = surface_key(form)
                    other = claimed.setdefault(key, entry.id)
                    if other != entry.id:
                        first = where[other]
                        raise ParseError(
                            path, number, f"alias {form!r} of {entry.id} to be unambiguous",
                            got=f"also claimed by {other} at {first.path}:{first.line}",
                        )
                for handle in entry.code_owners:
                    other = handles.setdefault(handle.lower(), entry.id)
                    if other != entry.id:
                        raise ParseError(
                            path, number, f"code owner {handle!r} of {entry.id} to be unique",
                            got=f"also listed by {other}",
                        )
                entries[entry.id] = entry
                where[entry.id] = _Where(path, number)
    for entry in entries.values():
        if not entry.family:
            continue
        family = entries.get(entry.family)
        if family is None or family.id == entry.id or family.type != entry.type:
            at = where[entry.id]
            raise ParseError(at.path, at.line,
                             f"family of {entry.id} to be the id of another {entry.type} entry",
                             got=repr(entry.family))
    return KnowledgeBase(entries.values())


@lru_cache(maxsize=1)
def _default_kb() -> KnowledgeBase:
    return _read(sorted(KB_DIR.glob("*.jsonl")))


def load_kb(directory: Path | str | None = None) -> KnowledgeBase:
    """The knowledge base in ``directory`` (every ``*.jsonl``), or the shipped one, cached.

    Raises ``ParseError`` (with file and line) on a malformed line, an unknown type, a duplicate
    id, an alias or code owner claimed by two entries, or a family that is not in the KB.
    """
    if directory is None:
        return _default_kb()
    return _read(sorted(Path(directory).glob("*.jsonl")))

