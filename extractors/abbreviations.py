"""Abbreviation definitions, after Schwartz & Hearst (2003): "long form (SF)" and "SF (long form)".

A pure function over text, so the algorithm is tested without spaCy; the ``kg_abbreviations``
component runs it on a doc and stores the pairs for linking ("Mixture-of-Denoisers (MoD)" makes
``MoD`` an alias of ``Mixture-of-Denoisers``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PAREN = re.compile(r"\(([^()]{1,60})\)")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Abbreviation:
    short: str
    short_start: int
    long: str
    long_start: int

    @property
    def short_end(self) -> int:
        return self.short_start + len(self.short)

    @property
    def long_end(self) -> int:
        return self.long_start + len(self.long)


def _is_short_form(text: str) -> bool:
    words = text.split()
    return (
        1 <= len(words) <= 2 and 2 <= len(text) <= 12 and text[0].isalnum()
        and any(c.isalpha() for c in text) and any(c.isupper() for c in text)
    )


def best_long_form(short: str, long: str) -> str | None:
    """The shortest tail of ``long`` whose characters spell ``short`` (Schwartz & Hearst).

    >>> best_long_form("MoD", "the pretraining objective Mixture-of-Denoisers")
    'Mixture-of-Denoisers'
    >>> best_long_form("MLM", "masked language modeling")
    'masked language modeling'
    >>> best_long_form("XYZ", "something else") is None
    True
    """
    s_index = len(short) - 1
    l_index = len(long) - 1
    while s_index >= 0:
        c = short[s_index].lower()
        if not c.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            long[l_index].lower() != c
            or (s_index == 0 and l_index > 0 and long[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = long.rfind(" ", 0, l_index + 1) + 1
    result = long[start:].strip()
    return result if len(result) > len(short) else None


# compiled once: through re.sub(pattern, ...) each call also paid for re's cache lookup
_LEAD_IN = re.compile(r"^(?:i\.e\.,?|or|aka|a\.k\.a\.)\s+")
_LIST_SEPARATOR = re.compile(r"[;,]\s")
_FOR_SHORT = re.compile(r"\s+for short$")


def _normalise_short(inner: str) -> str:
    """``MLM`` from ``MLM`` or ``MLM for short`` / ``i.e., MLM``; '' when it is no short form."""
    inner = inner.strip()
    inner = _LEAD_IN.sub("", inner)
    inner = _LIST_SEPARATOR.split(inner)[0].strip()
    inner = _FOR_SHORT.sub("", inner)
    return inner if _is_short_form(inner) else ""


def _last_word(text: str, end: int) -> tuple[int, str]:
    """The start and text of the last run of non-space characters before ``end``: what
    ``re.search(r"(\\S+)\\s*$", text[:end])`` finds, without trying every position before it.

    >>> _last_word("we use BERT  (a model)", 13)
    (7, 'BERT')
    """
    stripped = text[:end].rstrip()
    start = len(stripped)
    while start > 0 and not stripped[start - 1].isspace():
        start -= 1
    return start, stripped[start:]


def find_abbreviations(text: str) -> list[Abbreviation]:
    """Every "long form (SF)" pair in ``text`` with character offsets."""
    pairs: list[Abbreviation] = []
    for match in _PAREN.finditer(text):
        inner = match.group(1)
        short = _normalise_short(inner)
        if short:
            # Window: at most min(|SF| + 5, 2 |SF|) words before the parenthesis, same sentence.
            before = text[: match.start()].rstrip()
            cut = max(before.rfind(s) for s in (". ", "; ", ": ", "\n"))
            before_sentence = before[cut + 1:] if cut >= 0 else before
            words = list(_WORD.finditer(before_sentence))
            limit = min(len(short) + 5, len(short) * 2)
            if not words:
                continue
            window_start = words[max(0, len(words) - limit)].start()
            window = before_sentence[window_start:]
            long = best_long_form(short, window)
            if long is None and short.endswith("s") and len(short) > 2:
                long = best_long_form(short[:-1], window)  # plural short forms: "PEFTs"
            if long:
                long_start = (cut + 1 if cut >= 0 else 0) + window_start + window.rfind(long)
                long = long.strip(" ,\"'“”")
                short_start = match.start(1) + match.group(1).find(short)
                pairs.append(Abbreviation(short, short_start, long, long_start))
            continue
        # "SF (long form)": a short form right before a parenthesis of several words.
        prev_start, prev = _last_word(text, match.start())
        if prev and _is_short_form(prev) and len(inner.split()) >= 2:
            long = best_long_form(prev, inner)
            if long and long == inner.strip():
                pairs.append(Abbreviation(prev, prev_start, long,
                                          match.start(1) + inner.find(long)))
    return pairs
