"""Linking: the mentions of one paper -> one ``Entity`` per real thing, and the paper's relations.

Mentions join one entity when they share a knowledge-base id, when their names are the same up
to case, hyphens, spaces and a plural ``s`` ("Llama 2", "LLaMA-2", "Llama2"), or when the text
defines one as the other's abbreviation ("Mixture-of-Denoisers (MoD)"). An entity's id is its
knowledge-base id, else ``<type>:<slug of its name>``, so the same name links to the same node
in every paper and every run. A sized checkpoint of a known model ("Llama 2 7B") is its own
entity whose ``family`` is the known one (a ``VARIANT_OF`` edge in the graph).

Linking takes the knowledge base as a parameter (anything with ``get(id)`` and ``owner(handle)``)
so this module imports nothing from the extraction side.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from typing import Protocol

from kg.ids import entity_id, match_key
from kg.links import link_entity
from kg.model import Entity, Extraction, Mention, Paper, Relation
from kg.schema import edge_kind

# When mentions of one entity disagree, the type found by the more reliable extractor wins.
_EXTRACTOR_RANK = {"metadata": 0, "regex-url": 0, "gazetteer": 1, "code-host-owner": 2,
                   "title": 2, "proposal": 3, "abbreviation": 4, "context": 5, "phrase": 5,
                   "shape": 6, "ner": 7}


class KBEntryLike(Protocol):
    id: str
    type: str
    name: str
    aliases: tuple[str, ...]
    family: str


class KBLike(Protocol):
    def get(self, entry_id: str) -> KBEntryLike | None: ...

    def owner(self, handle: str) -> KBEntryLike | None: ...


def name_key(text: str) -> str:
    """``match_key`` with a final plural ``s`` dropped: "Transformers" ~ "Transformer"."""
    key = match_key(text)
    return key[:-1] if len(key) > 3 and key.endswith("s") and not key.endswith("ss") else key


class _Clusters:
    """Union-find over mention indices."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            out[self.find(i)].append(i)
        return list(out.values())


def _is_variant(m: Mention) -> bool:
    return bool(m.family)


def _identity(m: Mention) -> str:
    """What a mention is, before clustering: a KB id, or its type and normalized name."""
    if m.type == "link":
        return f"link:{m.url.lower()}"
    if m.kb_id and name_key(m.text) and m.extractor == "gazetteer":
        return m.kb_id
    if m.kb_id and m.extractor in ("metadata", "abbreviation", "code-host-owner"):
        return m.kb_id
    return f"{m.type}:{name_key(m.text)}"


def cluster_mentions(mentions: Sequence[Mention],
                     alias_pairs: Iterable[tuple[str, str]] = ()) -> list[list[Mention]]:
    """Mentions grouped into one list per real thing (see the module docstring)."""
    clusters = _Clusters(len(mentions))
    first: dict[str, int] = {}
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        ident = _identity(m)
        if ident in first:
            clusters.union(first[ident], i)
        else:
            first[ident] = i
        if m.type != "link":
            by_name[name_key(m.text)].append(i)
    for i, m in enumerate(mentions):  # same name, one a KB match: one thing
        if m.type == "link":
            continue
        for j in by_name[name_key(m.text)]:
            if mentions[j].type == m.type or (m.kb_id and not mentions[j].kb_id):
                clusters.union(i, j)
    for short, long in alias_pairs:
        shorts, longs = by_name.get(name_key(short), []), by_name.get(name_key(long), [])
        for i in shorts:
            for j in longs:
                if not (_is_variant(mentions[i]) or _is_variant(mentions[j])):
                    clusters.union(i, j)
    return [[mentions[i] for i in group] for group in clusters.groups()]


_WORD_SEPARATORS = re.compile(r"[\s\-\u2010-\u2013]+")


def _words(text: str) -> list[str]:
    return [key for key in map(match_key, _WORD_SEPARATORS.split(text)) if key]


def _spelled_out(entry: KBEntryLike, short: str) -> list[list[str]]:
    """The words of each of the entry's spelled-out forms: two words or more (hyphens
    separate), no digits, without the short form itself ("Segment Anything Model",
    "text-to-speech"; not "LLaMA 2" or "BERT base")."""
    short_key = match_key(short)
    spellings = [_words(form) for form in (entry.name, *entry.aliases)
                 if not any(c.isdigit() for c in form)]
    return [words for words in spellings if len(words) >= 2 and short_key not in words]


def _same_spelling(long: str, spelling: list[str]) -> bool:
    """The paper's long form is that spelling, however inflected, cut or spelled: the same
    first word ("question and answer" for "question answering", "Low-rank adapters" for
    "low-rank adaptation"), or mostly the same letters ("convolution neural network",
    "re-identification", "dialog state tracking")."""
    words = _words(long)
    if not words:
        return True
    joined, other = "".join(words), "".join(spelling)
    return (words[0].rstrip("s") == spelling[0].rstrip("s")
            or SequenceMatcher(None, joined, other).ratio() >= 0.75)


def _best(cluster: Sequence[Mention]) -> Mention:
    return min(cluster, key=lambda m: (_EXTRACTOR_RANK.get(m.extractor, 9), -m.confidence,
                                       m.start))


def _other_forms(forms: Sequence[str], name: str) -> tuple[str, ...]:
    """Aliases of ``name``: every other spelling but its bare plural ("BERTs")."""
    plural = {name.lower() + "s", name.lower() + "es"}
    return tuple(f for f in forms if f != name and f.lower() not in plural)


def _surface_forms(cluster: Sequence[Mention]) -> list[str]:
    """Distinct spellings, first seen first; spellings equal up to case/spacing count once."""
    forms: dict[str, str] = {}
    for m in sorted(cluster, key=lambda m: m.start):
        forms.setdefault(m.text, m.text)
    return list(forms)


class Linker:
    """Turns each paper's mentions into entities and relations."""

    def __init__(self, kb: KBLike) -> None:
        self.kb = kb

    def link(self, paper: Paper, mentions: Sequence[Mention],
             alias_pairs: Iterable[tuple[str, str]] = ()) -> Extraction:
        entities: dict[str, Entity] = {}
        relations: list[Relation] = []
        alias_pairs = list(alias_pairs)
        mentions = self._without_redefined(mentions, alias_pairs)
        for cluster in cluster_mentions(mentions, alias_pairs):
            entity = self._entity(cluster, alias_pairs)
            if entity.id in entities:  # two clusters resolved to one id: merge their aliases
                old = entities[entity.id]
                merged = tuple(dict.fromkeys(old.aliases + entity.aliases + (entity.name,)))
                entity = Entity(old.id, old.type, old.name,
                                tuple(a for a in merged if a != old.name),
                                old.kind, old.url, old.family, old.owner)
            entities[entity.id] = entity
            relations.append(self._relation(paper, entity, cluster))
        relations = _merge_relations(relations)
        pending = list(entities.values())
        while pending:  # a family can have a family: Llama 2 7B -> Llama 2 -> Llama
            for extra in self._supporting_entities(pending.pop()):
                if extra.id not in entities:
                    entities[extra.id] = extra
                    pending.append(extra)
        return Extraction(paper, tuple(entities.values()), tuple(relations))

    def _without_redefined(self, mentions: Sequence[Mention],
                           alias_pairs: Sequence[tuple[str, str]]) -> list[Mention]:
        """The paper's own definition of a short form wins over the knowledge base's.

        "Graph Retrieval Unit (GRU)" is not the gated recurrent unit, and "a feature alignment
        and intention reasoning (FAIR) layer" is not Facebook AI Research: when the entry a
        short form matched is spelled out (``_spelled_out``) and the paper's long form is none
        of those spellings (``_same_spelling``), the short form's mentions lose the entry and
        take the type of the long form's mention, or are dropped when the long form is no
        mention (their entity would take the entry's id by name). Otherwise the long form
        would become an alias of the wrong node, in every paper.
        """
        known = [(name_key(m.text), m) for m in mentions if m.kb_id and m.extractor == "gazetteer"]
        redefined: dict[tuple[str, str], str] = {}  # (short form key, kb id) -> long form key
        for short, long in alias_pairs if known else ():
            short_key = name_key(short)
            for key, m in known:
                if key == short_key and (key, m.kb_id) not in redefined:
                    entry = self.kb.get(m.kb_id)
                    spellings = _spelled_out(entry, short) if entry is not None else []
                    if spellings and not any(_same_spelling(long, s) for s in spellings):
                        redefined[(key, m.kb_id)] = name_key(long)
        if not redefined:
            return list(mentions)
        long_types = {name_key(m.text): m.type for m in mentions if not m.kb_id}
        kept = []
        for m in mentions:
            long_key = redefined.get((name_key(m.text), m.kb_id)) if m.kb_id else None
            if long_key is None:
                kept.append(m)
            elif long_key in long_types:
                kept.append(dataclasses.replace(m, kb_id="", type=long_types[long_key]))
        return kept

    def _entity(self, cluster: Sequence[Mention],
                alias_pairs: Iterable[tuple[str, str]]) -> Entity:
        best = _best(cluster)
        if best.type == "link":
            return self._link_entity(cluster)
        forms = _surface_forms(cluster)
        exact = [m for m in cluster if m.kb_id and not _is_variant(m)]
        entry = self.kb.get(_best(exact).kb_id) if exact else None
        if entry is not None:
            aliases = _other_forms(forms, entry.name)
            return Entity(entry.id, entry.type, entry.name, aliases, family=entry.family)
        name = self._canonical(forms, alias_pairs)
        family = ""
        variants = [m for m in cluster if _is_variant(m)]
        if variants:
            family = variants[0].family
        entity_type = best.type
        aliases = _other_forms(forms, name)
        return Entity(entity_id(entity_type, name), entity_type, name, aliases, family=family)

    @staticmethod
    def _canonical(forms: Sequence[str], alias_pairs: Iterable[tuple[str, str]]) -> str:
        """The most complete form: the long form of an abbreviation, else the longest name."""
        keys = {name_key(f): f for f in forms}
        for short, long in alias_pairs:
            if name_key(short) in keys and name_key(long) in keys:
                return keys[name_key(long)]
        return max(forms, key=lambda f: (len(f.split()), len(f), f))

    def _link_entity(self, cluster: Sequence[Mention]) -> Entity:
        return link_entity(cluster[0].url, self.kb.owner)

    def _supporting_entities(self, entity: Entity) -> list[Entity]:
        """Nodes an entity's own edges need: a variant's family, a link's owner organization."""
        extra = []
        for ref in (entity.family, entity.owner):
            entry = self.kb.get(ref) if ref else None
            if entry is not None:
                extra.append(Entity(entry.id, entry.type, entry.name, family=entry.family))
        return extra

    @staticmethod
    def _relation(paper: Paper, entity: Entity, cluster: Sequence[Mention]) -> Relation:
        role = "proposed" if any(m.role == "proposed" for m in cluster) else "used"
        best = _best(cluster)
        evidence = tuple(dict.fromkeys(m.evidence for m in sorted(cluster, key=lambda m: m.start)))
        relation = "" if role == "proposed" else next(
            (m.relation for m in sorted(cluster, key=lambda m: m.start) if m.relation), "")
        return Relation(
            paper_id=paper.id, kind=edge_kind(entity.type, role), entity_id=entity.id,
            role=role, confidence=max(m.confidence for m in cluster), extractor=best.extractor,
            evidence=evidence, relation=relation,
        )


def _merge_relations(relations: list[Relation]) -> list[Relation]:
    """One relation per (entity, kind); evidence of duplicates kept."""
    merged: dict[tuple[str, str], Relation] = {}
    for r in relations:
        key = (r.entity_id, r.kind)
        if key in merged:
            old = merged[key]
            merged[key] = Relation(
                old.paper_id, old.kind, old.entity_id, old.role,
                max(old.confidence, r.confidence), old.extractor,
                tuple(dict.fromkeys(old.evidence + r.evidence)), old.relation or r.relation)
        else:
            merged[key] = r
    # A paper that proposes a thing does not also merely use it.
    proposed = {eid for eid, kind in merged if kind == "PROPOSES"}
    return [r for (eid, kind), r in merged.items() if not (kind == "USES" and eid in proposed)]

