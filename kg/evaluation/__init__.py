"""Measuring the extraction: against hand-annotated gold files and third-party data sets.

* ``kg.evaluation.gold``: the rules of ``../shared/eval/score.py`` (same figures, tested), plus
  the misses, false positives and role errors behind them;
* ``kg.evaluation.external``: dataset_mentions, SciREX and SciERC-test span figures;
* ``kg.evaluation.cli``: the ``kg eval`` command.

Nothing here loads spaCy until something is extracted.
"""

from kg.evaluation.counts import Counts
from kg.evaluation.external import ExternalReport, run_external
from kg.evaluation.gold import FalsePositive, GoldScore, Miss, RoleError, load_gold, score

__all__ = [
    "Counts",
    "ExternalReport",
    "FalsePositive",
    "GoldScore",
    "Miss",
    "RoleError",
    "load_gold",
    "run_external",
    "score",
]
