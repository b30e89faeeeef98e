"""Scoring an extraction against a hand-annotated gold file (``data/gold/GUIDELINES.md``).

The rules are those of the official scorer, ``../shared/eval/score.py``, reimplemented here so
``kg eval`` can also say *which* entities were missed or wrongly predicted, and tested to give
the same figures on the dev set:

* papers are paired by their title, lower-cased with every run of non-alphanumerics made one
  space; a gold paper without a prediction counts as missing (all its entities are misses);
* an entity matches a gold entity of the same type when any normalized form (name or alias)
  of one equals any form of the other; matching is greedy and one-to-one, in gold order, so two
  predictions of one gold entity leave one false positive (the graph should have merged them);
* links match by normalized URL (scheme, ``www.``, trailing ``/`` and punctuation dropped);
* role accuracy counts, over the matched model, dataset and method pairs, equal roles.

Predicted types the gold does not annotate (``metric``) are ignored, as the official scorer does.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import ParseError
from kg.evaluation.counts import Counts, table_header, table_row
from kg.readers.fields import lines_of

# gold list key -> contract type, in the order the scores are reported.
GOLD_KEYS: dict[str, str] = {"models": "model", "datasets": "dataset", "methods": "method",
                             "tasks": "task", "organizations": "organization"}
ROLE_TYPES: frozenset[str] = frozenset({"model", "dataset", "method"})
SCORED_TYPES: tuple[str, ...] = (*GOLD_KEYS.values(), "link")


def normalize_name(name: str) -> str:
    """The form names are compared in: NFKC, lower case, no leading "the", letters and digits.

    >>> normalize_name("The Pile"), normalize_name("LLaMA-2"), normalize_name("Llama 2")
    ('pile', 'llama2', 'llama2')
    """
    s = unicodedata.normalize("NFKC", name).lower().strip()
    s = re.sub(r"^the\s+", "", s)
    return re.sub(r"[^0-9a-z\u00c0-\uffff]+", "", s)


def normalize_url(url: str) -> str:
    """The form URLs are compared in.

    >>> normalize_url("https://www.GitHub.com/a/b/).")
    'github.com/a/b'
    """
    u = url.strip().rstrip(".,;:)").lower()
    u = re.sub(r"^https?://(www\.)?", "", u)
    return u.rstrip("/")


def title_key(title: str) -> str:
    """The key papers are paired by.

    >>> title_key("KIND: Knowledge Integration -- in Diffusion Models")
    'kind knowledge integration in diffusion models'
    """
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def name_forms(entity: Mapping[str, Any]) -> frozenset[str]:
    """The non-empty normalized forms of an entity's name and aliases."""
    names = [entity.get("name", ""), *(entity.get("aliases") or [])]
    return frozenset(f for f in (normalize_name(n) for n in names) if f)


def match(gold: Sequence[frozenset[str]], predicted: Sequence[frozenset[str]]
          ) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs ``(gold index, predicted index)`` of overlapping form sets.

    Each gold entity takes the first predicted one not yet taken that shares a form.

    >>> match([frozenset({"a"}), frozenset({"a", "b"})], [frozenset({"a", "b"}), frozenset({"a"})])
    [(0, 0), (1, 1)]
    >>> match([frozenset({"a"}), frozenset({"a"})], [frozenset({"a"})])
    [(0, 0)]
    """
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for i, g in enumerate(gold):
        for j, p in enumerate(predicted):
            if j not in used and g & p:
                pairs.append((i, j))
                used.add(j)
                break
    return pairs


@dataclass(frozen=True, slots=True)
class Miss:
    """A gold entity no prediction matched."""

    type: str
    paper: str  # the gold paper's title
    name: str
    aliases: tuple[str, ...] = ()
    role: str = ""


@dataclass(frozen=True, slots=True)
class FalsePositive:
    """A predicted entity that matched no gold entity, with what produced it and why."""

    type: str
    paper: str
    name: str
    aliases: tuple[str, ...] = ()
    role: str = ""
    extractor: str = ""
    evidence: str = ""  # the first evidence sentence


@dataclass(frozen=True, slots=True)
class RoleError:
    """A matched pair whose roles differ."""

    type: str
    paper: str
    name: str
    gold_role: str
    predicted_role: str


@dataclass(frozen=True)
class GoldScore:
    """Per-type counts (plus ``link`` and ``all``), role accuracy, and the errors behind them."""

    counts: dict[str, Counts]
    role_correct: int = 0
    role_total: int = 0
    papers_gold: int = 0
    papers_missing: int = 0
    misses: tuple[Miss, ...] = ()
    false_positives: tuple[FalsePositive, ...] = ()
    role_errors: tuple[RoleError, ...] = ()
    missing_titles: tuple[str, ...] = field(default=())

    @property
    def role_accuracy(self) -> float:
        return self.role_correct / self.role_total if self.role_total else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Exactly what ``../shared/eval/score.py --json`` prints for the same files."""
        out: dict[str, Any] = {t: c.as_dict() for t, c in self.counts.items()}
        out["role_accuracy"] = round(self.role_accuracy, 3) if self.role_total else 0.0
        out["papers_missing"] = self.papers_missing
        out["papers_gold"] = self.papers_gold
        return out

    def to_json(self) -> dict[str, Any]:
        """``as_dict`` plus every miss, false positive, role error and missing paper."""
        out = self.as_dict()
        out["missing_papers"] = list(self.missing_titles)
        out["misses"] = [asdict(m) for m in self.misses]
        out["false_positives"] = [asdict(f) for f in self.false_positives]
        out["role_errors"] = [asdict(r) for r in self.role_errors]
        return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _first_evidence(entity: Mapping[str, Any]) -> str:
    evidence = entity.get("evidence") or []
    return _text(evidence[0].get("text")) if evidence and isinstance(evidence[0], Mapping) else ""


def score(predictions: Iterable[Mapping[str, Any]], gold: Iterable[Mapping[str, Any]]
          ) -> GoldScore:
    """Score contract records (``kg.exporters.jsonl.iter_records``) against gold records.

    Raises:
        KeyError: a gold record has no ``title`` (``load_gold`` checks this with the line).
    """
    by_title = {title_key(_text(p.get("title"))): p for p in predictions}
    counts = {t: Counts() for t in (*SCORED_TYPES, "all")}
    role_correct = role_total = 0
    misses: list[Miss] = []
    false_positives: list[FalsePositive] = []
    role_errors: list[RoleError] = []
    missing: list[str] = []
    golds = list(gold)
    for g in golds:
        title = g["title"]
        p = by_title.get(title_key(title))
        if p is None:
            missing.append(title)
        entities = list((p or {}).get("entities", []))
        for key, etype in GOLD_KEYS.items():
            gold_entities = list(g.get(key, []))
            predicted = [e for e in entities if e.get("type") == etype]
            pairs = match([name_forms(e) for e in gold_entities],
                          [name_forms(e) for e in predicted])
            counts[etype] += _counts(pairs, gold_entities, predicted)
            if etype in ROLE_TYPES:
                for i, j in pairs:
                    gold_role, pred_role = gold_entities[i].get("role"), predicted[j].get("role")
                    role_total += 1
                    if gold_role == pred_role:
                        role_correct += 1
                    else:
                        role_errors.append(RoleError(etype, title,
                                                     _text(gold_entities[i].get("name")),
                                                     str(gold_role), str(pred_role)))
            misses += _misses(etype, title, gold_entities, pairs)
            false_positives += _false_positives(etype, title, predicted, pairs)
        gold_links = [{"name": u} for u in g.get("links", [])]
        predicted = [e for e in entities if e.get("type") == "link"]
        pairs = match([frozenset({normalize_url(u["name"])}) for u in gold_links],
                      [frozenset({normalize_url(e.get("url") or e.get("name", ""))})
                       for e in predicted])
        counts["link"] += _counts(pairs, gold_links, predicted)
        misses += _misses("link", title, gold_links, pairs)
        false_positives += _false_positives("link", title, predicted, pairs)
    for etype in SCORED_TYPES:
        counts["all"] += counts[etype]
    return GoldScore(counts=counts, role_correct=role_correct, role_total=role_total,
                     papers_gold=len(golds), papers_missing=len(missing),
                     misses=tuple(misses), false_positives=tuple(false_positives),
                     role_errors=tuple(role_errors), missing_titles=tuple(missing))


def _counts(pairs: list[tuple[int, int]], gold: Sequence[Any], predicted: Sequence[Any]) -> Counts:
    return Counts(tp=len(pairs), fp=len(predicted) - len(pairs), fn=len(gold) - len(pairs))


def _misses(etype: str, title: str, gold: Sequence[Mapping[str, Any]],
            pairs: list[tuple[int, int]]) -> list[Miss]:
    matched = {i for i, _ in pairs}
    return [Miss(etype, title, _text(e.get("name")), tuple(e.get("aliases") or ()),
                 _text(e.get("role")))
            for i, e in enumerate(gold) if i not in matched]


def _false_positives(etype: str, title: str, predicted: Sequence[Mapping[str, Any]],
                     pairs: list[tuple[int, int]]) -> list[FalsePositive]:
    matched = {j for _, j in pairs}
    found = []
    for j, e in enumerate(predicted):
        if j in matched:
            continue
        name = _text(e.get("name"))
        if etype == "link":
            name = _text(e.get("url")) or name
        found.append(FalsePositive(etype, title, name, tuple(e.get("aliases") or ()),
                                   _text(e.get("role")), _text(e.get("extractor")),
                                   _first_evidence(e)))
    return found


def numbered_jsonl(path: str | Path, what: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        lines = lines_of(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ParseError(str(path), None, f"a readable JSONL file of {what}",
                         got=exc.strerror or str(exc)) from exc
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ParseError(str(path), number, f"one JSON object of {what} per line",
                             got=exc.msg) from exc
        if not isinstance(record, dict):
            raise ParseError(str(path), number, f"a JSON object of {what}",
                             got=type(record).__name__)
        records.append((number, record))
    return records


def load_jsonl(path: str | Path, what: str) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file, one per non-blank line.

    Raises:
        ParseError: the file is missing or unreadable, or a line is not a JSON object; the
            message names the file and line and says it should hold ``what``.
    """
    return [record for _, record in numbered_jsonl(path, what)]


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Gold records in the guidelines' format; each must have a ``title`` to pair by.

    Raises:
        ParseError: as ``load_jsonl``, or a record lacks its title or has a non-list entity list.
    """
    records = numbered_jsonl(path, "gold annotations")
    for number, record in records:
        if not isinstance(record.get("title"), str):
            raise ParseError(str(path), number, "a gold record with a \"title\" string",
                             got=f"keys {sorted(record)}")
        for key in (*GOLD_KEYS, "links"):
            if not isinstance(record.get(key, []), list):
                raise ParseError(str(path), number, f"{key!r} to be a list",
                                 got=type(record[key]).__name__)
    return [record for _, record in records]


def extract_records(inputs: Iterable[str | Path], input_format: str | None = None,
                    pipeline: str = "rules") -> list[dict[str, Any]]:
    """Read, extract and link ``inputs`` into a fresh graph; its contract records."""
    from kg.build import build
    from kg.exporters.jsonl import iter_records
    from kg.stores.networkx_store import NetworkXStore

    store = NetworkXStore()
    build(inputs, store, input_format=input_format, pipeline=pipeline)
    return list(iter_records(store.graph))


def format_report(result: GoldScore, show_errors: int = 10) -> str:
    """The table the official scorer prints, then up to ``show_errors`` misses and false
    positives per type (all of them when negative, none when 0)."""
    lines = [table_header()]
    lines += [table_row(t, c) for t, c in result.counts.items()]
    lines.append(f"role accuracy {result.role_accuracy:.3f} "
                 f"({result.role_correct}/{result.role_total}); "
                 f"papers missing {result.papers_missing}/{result.papers_gold}")
    if show_errors == 0:
        return "\n".join(lines)
    limit = None if show_errors < 0 else show_errors
    for title in result.missing_titles[:limit]:
        lines.append(f"  missing paper: {title}")
    for etype in SCORED_TYPES:
        misses = [m for m in result.misses if m.type == etype]
        fps = [f for f in result.false_positives if f.type == etype]
        roles = [r for r in result.role_errors if r.type == etype]
        if not (misses or fps or roles):
            continue
        lines.append("")
        lines.append(f"{etype}: {len(misses)} missed, {len(fps)} false positive(s), "
                     f"{len(roles)} role error(s)")
        for m in misses[:limit]:
            aliases = f" (aka {', '.join(m.aliases)})" if m.aliases else ""
            lines.append(f"  - missed  {m.name!r}{aliases}  in {_short(m.paper)}")
        for f in fps[:limit]:
            lines.append(f"  + extra   {f.name!r} [{f.extractor or '?'}]  in {_short(f.paper)}")
            if f.evidence:
                lines.append(f"            \u201c{_short(f.evidence, 140)}\u201d")
        for r in roles[:limit]:
            lines.append(f"  ~ role    {r.name!r}: gold {r.gold_role}, predicted "
                         f"{r.predicted_role}  in {_short(r.paper)}")
    return "\n".join(lines)


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"
