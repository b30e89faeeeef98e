"""Whether a paper proposes a thing or uses it, from where and how the text names it.

``proposed``: the title's "Name:" prefix, "our Name", "a framework called Name", or the name
right after "we propose/introduce/present/release"; ``used`` otherwise.
"""

from __future__ import annotations

from extractors.shapes import lexicon
from extractors.textdoc import AnyDoc, AnySpan
from extractors.tokens import token_arrays

_FILLER = {"a", "an", "the", "new", "novel", "our", "first", "simple", "family", "of",
           "series", ",", "open", "openly", "publicly", "two", "three", "both"}
_SUBJECTS = frozenset({"we", "our", "paper", "work", "report"})  # the paper speaking of itself


def in_title_prefix(doc: AnyDoc, span: AnySpan) -> bool:
    """The span is (part of) the title's "Name:" prefix or "Name Technical Report"."""
    arrays = token_arrays(doc)
    title_start, title_end = arrays.sentence(0)
    if span.start >= title_end:
        return False
    try:
        colon = arrays.words.index(":", title_start, title_end)
    except ValueError:  # no "Name:" prefix
        return span.start == title_start and \
            "technical report" in arrays.span_text(title_start, title_end).lower()
    return span.end <= colon and colon - title_start <= 6


def role_of(doc: AnyDoc, span: AnySpan) -> str:
    """``proposed`` or ``used`` for one span of ``doc``."""
    if span.id_ == "proposed" or in_title_prefix(doc, span):
        return "proposed"
    lex = lexicon()
    arrays = token_arrays(doc)
    lower = arrays.lower
    sent_start, sent_end = arrays.span_sentence(span.start, span.end)
    before = lower[max(sent_start, span.start - 3): span.start]
    if "our" in before[-2:] or not lex["naming_words"].isdisjoint(before[-2:]):
        return "proposed"
    # "we propose/introduce/release [a new] NAME": only fillers between the verb and the name.
    i = span.start - 1
    while i >= sent_start and lower[i] in _FILLER:
        i -= 1
    if i >= sent_start and lower[i] in lex["propose_verbs"] and \
            not _SUBJECTS.isdisjoint(lower[sent_start:sent_end]):
        return "proposed"
    return "used"


# Cue words before a mention (within its clause) and the finer relation they signal.
_COMPARE = {"outperform", "outperforms", "outperforming", "outperformed", "surpass", "surpasses",
            "surpassing", "than", "versus", "vs", "vs.", "against", "baseline", "baselines",
            "compared", "compare", "comparing", "comparison", "beats", "beat", "over"}
_FINE_TUNE = {"fine-tune", "fine-tunes", "fine-tuned", "fine-tuning", "finetune", "finetunes",
              "finetuned", "finetuning", "tune", "tuned", "tuning", "adapt", "adapts", "adapted",
              "adapting"}
_BUILD_ON = {"based", "built", "initialized", "initialised", "extends", "extend", "extending",
             "upon", "atop", "top", "backbone", "backbones", "derived", "distilled"}
_EVALUATE = {"evaluate", "evaluates", "evaluated", "evaluating", "evaluation", "evaluations",
             "experiments", "experiment", "results", "benchmark", "benchmarks", "test", "tested",
             "testing", "achieves", "achieve", "achieving", "accuracy", "score", "scores",
             "performance", "outperforms", "state-of-the-art", "sota", "validate", "validated"}
_CLAUSE_BREAKS = {";", ".", ":", "while", "whereas", "but"}


def relation_of(doc: AnyDoc, span: AnySpan) -> str:
    """The finer kind of "used" a sentence states, or '' when it states none.

    ``evaluates_on`` for a dataset in a sentence about evaluation or results; for a model or
    method, ``compares_with`` after "outperforms/than/compared with", ``fine_tunes`` after
    "fine-tune", ``builds_on`` after "based on/built on/initialized from/extends".
    """
    kind = span.label_
    arrays = token_arrays(doc)
    sent_start, sent_end = arrays.span_sentence(span.start, span.end)
    if kind == "dataset":
        return "" if _EVALUATE.isdisjoint(arrays.lower[sent_start:sent_end]) else "evaluates_on"
    if kind not in ("model", "method"):
        return ""
    before = []
    for word in reversed(arrays.lower[sent_start: span.start]):
        if word in _CLAUSE_BREAKS:
            break
        before.append(word)
        if len(before) >= 8:
            break
    near = set(before[:4])
    if near & _FINE_TUNE:
        return "fine_tunes" if kind == "model" else ""
    if set(before) & _COMPARE:
        return "compares_with"
    if near & _BUILD_ON:
        return "builds_on"
    return ""
