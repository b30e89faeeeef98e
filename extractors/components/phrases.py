"""Technical noun phrases: tasks and methods named by a head word and its modifiers.

"bilingual lexicon induction", "code clone detection", "language-specific data augmentation",
"multilingual neural machine translation": a head noun that names a kind of task or method
(``phrase_task_heads`` / ``phrase_method_heads`` in ``patterns/lexicon.json``) and one to three
modifiers before it. A knowledge-base task or method inside a longer phrase is widened to the
phrase, and the phrase remembers it (``kb_id_``) as its family: "multilingual neural machine
translation" is a ``VARIANT_OF`` "machine translation".

Writes ``doc.spans["phrase"]`` and drops the gazetteer spans a phrase widened.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from extractors.components.gazetteer import GROUP as GAZETTEER
from extractors.shapes import is_generic, lexicon
from extractors.textdoc import AnyDoc, AnySpan, new_span
from extractors.tokens import TokenArrays, positions, token_arrays

GROUP = "phrase"
# Modifiers that say how something is done, not what: "training-free", "task-specific",
# "listwise", "end-to-end" describe an approach to a task, not a kind of task. (Methods keep
# them: "parameter-efficient transfer learning" is a method of its own.)
_MANNER = re.compile(r"(?:free|specific|wise|based|aware|guided|efficient|driven|agnostic|"
                     r"to-end|style|like|oriented|centric|level)$", re.IGNORECASE)
# Length words are generic before a method ("long training") but name a kind of task.
_LENGTH = frozenset({"long", "short"})
MAX_MODIFIERS = 3
TERMS_PATH = Path(__file__).parent.parent / "kb" / "terms.tsv"
MIN_DOCUMENT_FREQUENCY = 5


@lru_cache(maxsize=4)
def load_terms(path: Path = TERMS_PATH) -> dict[str, int]:
    """Phrase -> number of abstracts it appears in, over a large corpus of ML abstracts.

    A phrase that many papers use ("contrastive learning", "code clone detection") is a term
    of the field; one that a single paper coins in passing ("monotonous training") may not be.
    Used for confidence, not as a filter: on the dev set a filter cost more true phrases than
    false ones. Built by ``extractors/terms.py``; an empty table when the file is absent.
    """
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")),
                          delimiter="\t")
        return {phrase: int(df) for phrase, _, df in rows}


def term_key(text: str) -> str:
    """The phrase's row in the terms table: lower case, hyphens as spaces, and each word's
    final "s" dropped unless it ends in "ss". A key, not a singular ("simultaneou
    localization"): the table was counted with it.

    >>> term_key("Multi-Task Losses"), term_key("simultaneous localization")
    ('multi task losse', 'simultaneou localization')
    """
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                    for w in text.lower().replace("-", " ").split())


def _singular(word: str) -> str:
    """A plural's singular, by its last letter: "models" -> "model". Words in -ss, -is and -us
    are singular already ("loss", "synthesis", "corpus", "simultaneous").

    >>> [_singular(w) for w in ("tasks", "loss", "synthesis", "analysis", "corpus", "gas")]
    ['task', 'loss', 'synthesis', 'analysis', 'corpus', 'gas']
    """
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith(
        ("ss", "is", "us")) else word


class Phrases:
    def __init__(self, nlp: Language, name: str, min_df: int = MIN_DOCUMENT_FREQUENCY) -> None:
        self.name = name
        self.min_df = min_df
        self.terms = load_terms()
        lex = lexicon()
        self.heads = {**{h: "task" for h in lex["phrase_task_heads"]},
                      **{h: "method" for h in lex["phrase_method_heads"]}}
        # every word whose _singular is a head: the few tokens worth a closer look
        self.head_forms = frozenset(self.heads) | {h + "s" for h in self.heads}
        self.task_heads = lex["phrase_task_heads"]
        self.generic_modifiers = lex["generic_modifiers"]
        self.blocked_followers = lex["phrase_blocked_followers"]
        self.verbs = lex["common_verbs"]

    def __call__(self, doc: AnyDoc) -> AnyDoc:
        known = {}  # token index -> gazetteer span covering it
        for span in doc.spans.get(GAZETTEER, []):
            for i in range(span.start, span.end):
                known[i] = span
        taken = set()
        for group in ("links", "title", "proposal", "abbreviation", "context", "shape"):
            for span in doc.spans.get(group, []):
                taken.update(range(span.start, span.end))
        found: list[AnySpan] = []
        widened: set[tuple[int, int]] = set()
        arrays = token_arrays(doc)
        head_forms = self.head_forms
        for i in list(positions(arrays.lower, head_forms)):
            lowered = arrays.lower[i]
            kind = self.heads.get(_singular(lowered))
            if kind is None or i in taken or not lowered.isalpha():
                continue
            if not self._ends_phrase(arrays, i):
                continue
            if kind == "method" and arrays.sentence(i)[0] == 0:
                continue  # title-cased method phrases in titles are long forms of new names
            head_start = self._compound_start(arrays, i)
            core_span = known.get(i)
            if core_span is not None and core_span.end == i + 1 \
                    and core_span.label_ in ("task", "method"):
                head_start = min(head_start, core_span.start)  # widen a known name as a whole
            start = self._modifiers_start(arrays, head_start, known, taken)
            if start == head_start:
                continue
            if kind == "method":  # task phrases keep their qualifiers ("multilingual NMT")
                known_core = core_span is not None and core_span.start == head_start
                start = self._trim_to_term(arrays, start, head_start + known_core, i + 1)
                if start == head_start:
                    continue  # trimmed to the knowledge-base name: the gazetteer has it
            inner = [known[k] for k in range(start, i + 1) if k in known]
            if any(s.label_ not in ("task", "method") or s.start < start for s in inner):
                continue  # a model or dataset name, or a known name cut in two
            core = max(inner, key=len, default=None)
            if core is not None and core.start == start and core.end == i + 1:
                continue  # exactly the knowledge-base name: the gazetteer has it
            span = new_span(doc, start, i + 1, label=kind,
                            kb_id=core.kb_id_ if core is not None and core.end == i + 1 else "")
            text = arrays.span_text(start, i + 1)
            if is_generic(text):
                continue
            if self.terms.get(term_key(text), 0) >= self.min_df:
                span.id_ = "term"  # many papers use it: more confidence, see the pipeline
            found.append(span)
            widened.update((s.start, s.end) for s in inner)
        doc.spans[GROUP] = found
        if widened:
            doc.spans[GAZETTEER] = [s for s in doc.spans[GAZETTEER]
                                    if (s.start, s.end) not in widened]
        return doc

    def _ends_phrase(self, arrays: TokenArrays, i: int) -> bool:
        """The head is the last noun: "translation quality" is not a task phrase."""
        if i + 1 >= len(arrays):
            return True
        if arrays.words[i + 1] == "-" and arrays.starts[i + 1] == arrays.ends[i]:
            return False  # "classification-based"
        lowered = _singular(arrays.lower[i + 1])
        return lowered not in self.blocked_followers and lowered not in self.heads

    def _trim_to_term(self, arrays: TokenArrays, start: int, head_start: int, end: int) -> int:
        """Drop leading modifiers an established term does not need.

        "multilingual continued pretraining" -> "continued pretraining" when many papers use
        the shorter phrase and few the longer one; a phrase used as a whole is kept whole.
        """
        if not self.terms or \
                self.terms.get(term_key(arrays.span_text(start, end)), 0) >= self.min_df:
            return start
        for cut in range(start + 1, head_start):
            if arrays.words[cut] == "-" or arrays.words[cut - 1] == "-":
                continue  # never split a hyphen compound
            if self.terms.get(term_key(arrays.span_text(cut, end)), 0) >= self.min_df:
                return cut
        return start

    @staticmethod
    def _compound_start(arrays: TokenArrays, i: int) -> int:
        """The first token of a head written as a hyphen compound: "fine-tuning", "pre-training"."""
        words, spaced = arrays.words, arrays.spaced
        while i - 2 >= 0 and words[i - 1] == "-" and not spaced[i - 1] \
                and not spaced[i - 2] and words[i - 2].isalpha():
            i -= 2
        return i

    def _modifiers_start(self, arrays: TokenArrays, head: int, known: dict[int, AnySpan],
                         taken: set[int]) -> int:
        """The first token of up to three modifier words before ``head``."""
        start = head
        words = 0
        i = head - 1
        sentence_start = arrays.sentence(head)[0]
        while i >= sentence_start and words < MAX_MODIFIERS:
            # a word may be a hyphen compound written together: "cross-lingual", "text-to-video"
            j = i
            while j - 2 >= sentence_start and arrays.words[j - 1] == "-" and \
                    not arrays.spaced[j - 1] and not arrays.spaced[j - 2]:
                j -= 2
            if not self._modifier(arrays, j, i + 1, known, taken, head):
                break
            start, words, i = j, words + 1, j - 1
        return start

    def _modifier(self, arrays: TokenArrays, start: int, end: int, known: dict[int, AnySpan],
                  taken: set[int], head: int) -> bool:
        """Tokens ``start:end`` (one word, maybe hyphenated) may modify the head ``head``."""
        text = arrays.span_text(start, end)
        lowered = text.lower()
        if not taken.isdisjoint(range(start, end)):
            return False
        if any(known.get(i) is not None and known[i].label_ not in ("task", "method")
               for i in range(start, end)):
            return False
        parts = arrays.words[start:end]
        if not parts[0].isalpha() or not all(t.isalpha() or t == "-" for t in parts):
            return False
        last = known[head].end - 1 if head in known else head  # the head noun of a known name
        if lowered in _LENGTH and arrays.lower[last] in self.task_heads:
            return True  # "long text generation", "short text classification": a task variant
        if lowered in STOP_WORDS or lowered in self.generic_modifiers or is_generic(text):
            return False
        if _MANNER.search(lowered) and arrays.lower[head] in self.task_heads:
            return False
        if lowered in self.verbs or lowered.endswith("ly"):
            return False  # "we utilize X tuning", "significantly lower loss"
        before = arrays.lower[start - 1] if start > 0 else ""
        if before in ("to", "we", "can", "may", "will", "could", "would", "should", "must",
                      "they", "it", "which", "that"):
            return False  # "to enhance representation learning": a verb
        sentence_start = arrays.span_sentence(start, end)[0]
        if start == sentence_start and text[:1].isupper() and sentence_start != 0:
            return False  # sentence-initial capital (outside the title): not part of the name
        if text[:1].isupper() and not arrays.words[head][:1].isupper() and not text.isupper():
            return False  # "Chinese machine translation": a language, not part of the task
        return not (lowered.endswith("ing") and _singular(lowered) not in self.heads
                    and lowered not in lexicon()["ing_modifiers"])


@Language.factory("kg_phrases", default_config={"min_df": MIN_DOCUMENT_FREQUENCY})
def make_phrases(nlp: Language, name: str, min_df: int) -> Phrases:
    return Phrases(nlp, name, min_df)
