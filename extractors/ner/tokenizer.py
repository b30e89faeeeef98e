"""The tokenizer paperkg extracts with, shared by training data, training and the pipeline.

Training data must be tokenized exactly as ``extractors.pipeline.build_nlp`` tokenizes, or
entity boundaries learned on one split would not exist in the other. The callback
``paperkg.ner_tokenizer.v1`` puts the same rules into the trained model's own tokenizer
(``[initialize.before_init]`` in ``config.cfg``), so the saved model tokenizes like our pipeline
when it is loaded on its own.
"""

from __future__ import annotations

from collections.abc import Callable

import spacy
from spacy.language import Language
from spacy.util import compile_infix_regex, registry

# Hyphens and slashes inside names are tokens of their own: "GPT-4" -> "GPT", "-", "4"; so is
# "~" ("~7B").
INFIXES: tuple[str, ...] = (r"(?<=[A-Za-z0-9])[-/](?=[A-Za-z0-9])", r"~")

# spaCy caches the tokens of each whitespace-separated chunk, but stops adding once it holds
# ``max_cache_size`` (10,000) chunks; every chunk after that is split by its affix and infix
# regexes again each time it is seen. Abstracts repeat their chunks ("model," "(e.g.,"), so a
# larger cache makes the tokenizer about 3x faster on a corpus (same tokens either way).
TOKENIZER_CACHE_CHUNKS = 250_000


def customize_tokenizer(nlp: Language) -> Language:
    """Add paperkg's infix rule to ``nlp``'s tokenizer (in place) and return ``nlp``."""
    infixes = [*nlp.Defaults.infixes, *INFIXES]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.tokenizer.max_cache_size = TOKENIZER_CACHE_CHUNKS
    return nlp


def forget_cached_chunks(nlp: Language) -> None:
    """Empty the tokenizer's chunk cache, e.g. after tokenizing knowledge-base names, so that
    the cache's room goes to the text being extracted."""
    nlp.tokenizer._flush_cache()


def blank_nlp() -> Language:
    """``spacy.blank("en")`` with paperkg's tokenizer and no components.

    >>> [t.text for t in blank_nlp()("GPT-4 and DiT-L/2")]
    ['GPT', '-', '4', 'and', 'DiT', '-', 'L', '/', '2']
    """
    return customize_tokenizer(spacy.blank("en"))


@registry.callbacks("paperkg.ner_tokenizer.v1")
def make_tokenizer_callback() -> Callable[[Language], Language]:
    """The ``[initialize.before_init]`` callback: our tokenizer in the model being trained."""
    return customize_tokenizer
