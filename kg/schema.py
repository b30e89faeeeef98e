"""The graph's fixed vocabulary: node kinds, edge kinds and how entity types map onto them.

Every store and exporter takes labels and relationship types from here, never from input text.

The graph is a ``networkx.MultiDiGraph``:

* node ids are ``paper:<paper id>`` or the entity id (``dataset:squad-2-0``,
  ``link:github.com/owner/repo``);
* every node has ``kind`` (one of ``NODE_KINDS``) and ``name``; papers add ``title``,
  ``abstract``, ``date``, ``authors`` (list), ``author_count``, ``organization``, ``upvotes``,
  ``arxiv_id``, ``doi``, ``sources`` (list); entities add ``aliases`` (list), links ``url`` and
  ``link_kind``. Attributes with no value are left out rather than stored as ``None``;
* edges are keyed by their kind (so one paper has at most one ``USES`` edge to one entity) and
  carry ``kind``, ``confidence``, ``extractor``, ``evidence`` (list of ``{text, start, end}``),
  and on paper edges ``role`` and, where known, ``relation`` (``evaluates_on``,
  ``compares_with``, ``fine_tunes``, ``builds_on``: the finer kind of a ``USES`` edge).
"""

from __future__ import annotations

PAPER = "Paper"
NODE_KINDS: tuple[str, ...] = (
    "Paper", "Model", "Dataset", "Method", "Task", "Metric", "Organization", "Link",
)

PROPOSES = "PROPOSES"
USES = "USES"
ADDRESSES = "ADDRESSES"
REPORTS = "REPORTS"
AFFILIATED_WITH = "AFFILIATED_WITH"
HAS_LINK = "HAS_LINK"
VARIANT_OF = "VARIANT_OF"
HOSTED_BY = "HOSTED_BY"
EDGE_KINDS: tuple[str, ...] = (
    PROPOSES, USES, ADDRESSES, REPORTS, AFFILIATED_WITH, HAS_LINK, VARIANT_OF, HOSTED_BY,
)
PAPER_EDGE_KINDS: tuple[str, ...] = (
    PROPOSES, USES, ADDRESSES, REPORTS, AFFILIATED_WITH, HAS_LINK,
)

NODE_KIND_OF_TYPE: dict[str, str] = {
    "model": "Model",
    "dataset": "Dataset",
    "method": "Method",
    "task": "Task",
    "metric": "Metric",
    "organization": "Organization",
    "link": "Link",
}
TYPE_OF_NODE_KIND: dict[str, str] = {v: k for k, v in NODE_KIND_OF_TYPE.items()}

# How a node already in a store takes the values of a new copy of it; both stores follow these
# rules. Lists of things (sources, aliases) are unioned in order. A paper's abstract and author
# list are each one value, replaced only by a longer one, as ``kg.readers.merge`` does: two
# authors may share a name ("Jie Zhou"), so an author list is never unioned. Any other
# attribute is filled only where the node has none, or "".
UNIONED_KEYS: dict[str, tuple[str, ...]] = {
    PAPER: ("sources", "cited_ids"),
    **{kind: ("aliases",) for kind in NODE_KINDS if kind != PAPER},
}
LONGER_KEPT_KEYS: dict[str, tuple[str, ...]] = {
    PAPER: ("abstract", "authors"),
    **{kind: () for kind in NODE_KINDS if kind != PAPER},
}


def paper_node(paper_id: str) -> str:
    """The graph node id of a paper."""
    return f"paper:{paper_id}"


def edge_kind(entity_type: str, role: str) -> str:
    """The edge kind from a paper to an entity of ``entity_type`` found with ``role``.

    >>> edge_kind("dataset", "proposed"), edge_kind("task", "proposed"), edge_kind("link", "used")
    ('PROPOSES', 'ADDRESSES', 'HAS_LINK')
    """
    if entity_type == "task":
        return ADDRESSES
    if entity_type == "metric":
        return REPORTS
    if entity_type == "organization":
        return AFFILIATED_WITH
    if entity_type == "link":
        return HAS_LINK
    return PROPOSES if role == "proposed" else USES
