"""True/false positive counts and the precision, recall and F1 they give.

Shared by the gold-file scorer (``kg.evaluation.gold``) and the external suites
(``kg.evaluation.external``), so every figure ``kg eval`` prints is computed one way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Counts:
    """Matched (``tp``), predicted but unmatched (``fp``) and gold but unmatched (``fn``).

    >>> c = Counts(tp=3, fp=1, fn=2)
    >>> round(c.precision, 3), round(c.recall, 3), round(c.f1, 3)
    (0.75, 0.6, 0.667)
    >>> Counts().f1
    0.0
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __post_init__(self) -> None:
        if min(self.tp, self.fp, self.fn) < 0:
            raise ValueError(f"negative count in {self!r}")

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Counts and rounded ratios, in the shape ``../shared/eval/score.py --json`` prints."""
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": round(self.precision, 3), "recall": round(self.recall, 3),
                "f1": round(self.f1, 3)}


def table_row(label: str, counts: Counts, width: int = 14) -> str:
    """One fixed-width line: label, P, R, F1, tp, fp, fn."""
    return (f"{label:{width}} {counts.precision:6.3f} {counts.recall:6.3f} {counts.f1:6.3f} "
            f"{counts.tp:5} {counts.fp:5} {counts.fn:5}")


def table_header(label: str = "type", width: int = 14) -> str:
    return f"{label:{width}} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"
