"""Where an entity's mention sits inside an evidence sentence, so a view can highlight it.

Evidence stores the sentence and the mention's offsets in the paper's text (title, blank line,
abstract: :func:`kg.model.paper_text`), not in the sentence. The sentence is a substring of that
text, so the mention's place in the sentence is found by locating the occurrence of the
sentence that covers the offsets. Where the offsets do not fit (hand-made graphs, metadata
evidence such as an organization read from the page header), the mention text or the entity's
names are looked for in the sentence instead; where nothing fits, nothing is highlighted rather
than the wrong words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["mention_span", "utf16_span"]


def mention_span(
    paper_text: str, sentence: str, start: object, end: object, names: Iterable[str] = ()
) -> tuple[int, int] | None:
    """``(start, end)`` of the mention within ``sentence``, or ``None`` when it cannot be told.

    >>> text = "GLUE: a benchmark\\n\\nWe test on GLUE. GLUE is hard."
    >>> mention_span(text, "We test on GLUE.", 30, 34)
    (11, 15)
    >>> mention_span(text, "GLUE is hard.", 36, 40)
    (0, 4)
    >>> mention_span(text, "Tested on the glue set.", 0, 0, ["GLUE"])
    (14, 18)
    >>> mention_span(text, "No mention here.", 999, 1003, ["GLUE"]) is None
    True
    """
    if not sentence:
        return None
    offsets = _offsets(start, end, len(paper_text))
    if offsets:
        s, e = offsets
        pos = paper_text.find(sentence)
        while pos != -1 and pos <= s:
            if e <= pos + len(sentence):
                return s - pos, e - pos
            pos = paper_text.find(sentence, pos + 1)
        mention = paper_text[s:e]
        found = _find_word(sentence, mention)
        if found:
            return found
    for name in sorted({n for n in names if n and n.strip()}, key=len, reverse=True):
        found = _find_word(sentence, name)
        if found:
            return found
    return None


def utf16_span(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """``span`` (code-point offsets into ``text``) as the UTF-16 offsets JavaScript counts in.

    >>> utf16_span("\\U0001d4d0 GLUE", (2, 6))
    (3, 7)
    """
    def units(i: int) -> int:
        return len(text[:i].encode("utf-16-le")) // 2

    return units(span[0]), units(span[1])


def _offsets(start: object, end: object, length: int) -> tuple[int, int] | None:
    """``(start, end)`` when both are ints and make a non-empty span of a text this long."""
    if isinstance(start, bool) or isinstance(end, bool):
        return None
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
        return start, end
    return None


def _find_word(sentence: str, needle: str) -> tuple[int, int] | None:
    """The first case-insensitive occurrence of ``needle`` not inside a longer word."""
    if not needle.strip():
        return None
    match = re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", sentence, re.IGNORECASE)
    return (match.start(), match.end()) if match else None
