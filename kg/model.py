"""The records that flow between stages: Paper -> Mention -> Entity/Relation.

Records are frozen, slotted dataclasses holding plain text, offsets and tuples (never spaCy
objects), so they pickle cheaply to worker processes and hash for de-duplication.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypeVar

EntityType = Literal["model", "dataset", "method", "task", "metric", "organization", "link"]
Role = Literal["proposed", "used"]

ENTITY_TYPES: tuple[str, ...] = (
    "model", "dataset", "method", "task", "metric", "organization", "link",
)
# Finer kinds of "used": what the sentence says the paper does with the thing.
RELATIONS: tuple[str, ...] = ("evaluates_on", "compares_with", "fine_tunes", "builds_on")
ROLES: tuple[str, ...] = ("proposed", "used")
LINK_KINDS: tuple[str, ...] = ("code", "model", "dataset", "project")

_Record = TypeVar("_Record")


def _pickled_as_arguments(cls: type[_Record]) -> type[_Record]:
    """Pickle ``cls`` as its constructor arguments.

    A frozen, slotted dataclass pickles through ``__getstate__``/``__setstate__``, which set one
    slot at a time in Python; a build moves every paper's records from a worker to the parent,
    and that cost 0.25 ms per paper, more than linking it.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple([getattr(self, name) for name in names])

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Paper:
    """One paper, as read from a listing; ``id`` is stable across runs (see ``kg.ids``).

    ``sources`` lists every ``file:line`` the paper was read from, so duplicates merged across
    pages keep their provenance.
    """

    id: str
    title: str
    abstract: str = ""
    date: str = ""  # ISO 8601 (YYYY-MM-DD) when known
    authors: tuple[str, ...] = ()
    author_count: int | None = None
    organization: str = ""  # display name from the page's metadata block
    organization_handle: str = ""  # the hub handle shown beside it ("openbmb")
    upvotes: int | None = None
    arxiv_id: str = ""
    doi: str = ""
    sources: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()  # other input fields, kept as text
    cited_ids: tuple[str, ...] = ()  # "arXiv:2301.00001", "doi:10.1/x" found in the abstract

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("Paper.id must not be empty")
        if not self.title.strip():
            raise ValueError(f"Paper {self.id!r} has an empty title")

    @property
    def text(self) -> str:
        """Title and abstract as one text; mention offsets index into this string."""
        return paper_text(self.title, self.abstract)


def paper_text(title: str, abstract: str) -> str:
    """The text extraction runs on: the title, a blank line, the abstract."""
    return f"{title}\n\n{abstract}" if abstract else title


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a relation was seen: the sentence and the mention's offsets in ``Paper.text``."""

    text: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad evidence offsets {self.start}..{self.end}")


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Mention:
    """One surface form of an entity found in a paper's text (or metadata).

    ``start``/``end`` index into ``Paper.text``; ``sentence`` is the sentence around it.
    ``kb_id`` is set when a knowledge-base entry matched exactly; ``family`` when the mention
    names a variant of one ("Llama 2 7B" of ``model:llama-2``); ``kind``/``url`` for links.
    """

    type: str
    text: str
    start: int
    end: int
    sentence: str
    role: str = "used"
    confidence: float = 0.5
    extractor: str = ""
    kb_id: str = ""
    kind: str = ""
    url: str = ""
    family: str = ""
    relation: str = ""  # finer role: evaluates_on, compares_with, fine_tunes, builds_on

    def __post_init__(self) -> None:
        if self.type not in ENTITY_TYPES:
            raise ValueError(f"unknown mention type {self.type!r}; expected one of {ENTITY_TYPES}")
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {ROLES}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} outside 0..1")
        if self.relation and self.relation not in RELATIONS:
            raise ValueError(f"unknown relation {self.relation!r}; expected one of {RELATIONS}")

    @property
    def evidence(self) -> Evidence:
        return Evidence(self.sentence, self.start, self.end)


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Entity:
    """One real thing: a model, dataset, method, task, organization or link."""

    id: str
    type: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = ""  # links: code, model, dataset, project
    url: str = ""
    family: str = ""  # id of the family this is a variant of ("model:llama-2")
    owner: str = ""  # links: id of the organization owning the repository, when known

    def __post_init__(self) -> None:
        if self.type not in ENTITY_TYPES:
            raise ValueError(f"unknown entity type {self.type!r}; expected one of {ENTITY_TYPES}")


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Relation:
    """A paper's edge to an entity, with the evidence that supports it."""

    paper_id: str
    kind: str  # PROPOSES, USES, ADDRESSES, AFFILIATED_WITH, HAS_LINK (see kg.schema)
    entity_id: str
    role: str = "used"
    confidence: float = 0.5
    extractor: str = ""
    evidence: tuple[Evidence, ...] = field(default=())
    relation: str = ""


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Extraction:
    """What extraction and linking produced for one paper: the contract ``kg extract`` prints."""

    paper: Paper
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
