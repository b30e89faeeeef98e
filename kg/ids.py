"""Stable identifiers and the normal forms names are compared in."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "θ": "theta",
    "λ": "lambda", "μ": "mu", "π": "pi", "σ": "sigma", "τ": "tau", "φ": "phi", "ω": "omega",
}
ARXIV_ID = re.compile(r"(?<![\w.])(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?(?![\w])")


def ascii_fold(text: str) -> str:
    """NFKC, Greek letters spelled out, accents dropped: ``PanGu-α`` -> ``PanGu-alpha``."""
    if text.isascii():
        return text  # every step below leaves ASCII as it is; most names and titles are ASCII
    text = unicodedata.normalize("NFKC", text)
    text = "".join(_GREEK.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def slug(text: str) -> str:
    """Lower-case ASCII with every other run of characters turned into one hyphen.

    >>> slug("SQuAD 2.0"), slug("PanGu-α"), slug("  GPT-3.5 ")
    ('squad-2-0', 'pangu-alpha', 'gpt-3-5')
    """
    return _NOT_ALNUM.sub("-", ascii_fold(text).lower()).strip("-")


def entity_id(entity_type: str, name: str) -> str:
    """The id of an entity not in the knowledge base: ``dataset:squad-2-0``."""
    return f"{entity_type}:{slug(name) or hashlib.sha1(name.encode()).hexdigest()[:10]}"


@lru_cache(maxsize=1 << 17)
def match_key(text: str) -> str:
    """The form surface names are compared in: case, spaces, hyphens and dots folded.

    ``Llama 2``, ``LLaMA-2`` and ``Llama2`` share one key.

    >>> match_key("LLaMA-2") == match_key("Llama 2") == match_key("llama2")
    True
    """
    return _NOT_ALNUM.sub("", ascii_fold(text).lower())


def title_key(title: str) -> str:
    """The normal form of a title that duplicate papers share."""
    return _NOT_ALNUM.sub(" ", ascii_fold(title).lower()).strip()


def paper_id(title: str, arxiv_id: str = "") -> str:
    """A paper's stable id: its arXiv id when known, else a hash of its normalized title.

    >>> paper_id("Attention Is All You Need", "1706.03762v5")
    '1706.03762'
    >>> paper_id("Attention is all you need!") == paper_id("attention is  all you need")
    True
    """
    if arxiv_id:
        return re.sub(r"v\d+$", "", arxiv_id.strip())
    return "t" + hashlib.sha1(title_key(title).encode()).hexdigest()[:12]


def find_arxiv_id(text: str) -> str:
    """The first arXiv identifier in ``text`` (an id, an abs/pdf URL), without its version."""
    match = ARXIV_ID.search(text or "")
    return match.group(1) if match else ""
