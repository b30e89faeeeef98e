"""A one-line progress bar on stderr: papers done / total, papers/s and ETA.

Drawn only on a terminal (unless forced), redrawn in place with ``\\r`` at most ``1 / interval``
times a second, and closed with a newline and a summary line. Pipes and CI get nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")


def is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def duration(seconds: float) -> str:
    """``"45s"``, ``"3m07s"``, ``"2h05m"``.

    >>> duration(4.6), duration(187), duration(7500)
    ('5s', '3m07s', '2h05m')
    """
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """Counts items done of ``total`` and draws the line; ``enabled=None`` means "if ``stream``
    is a terminal". Use as a context manager, or call ``close()``."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None,
                 label: str = "papers", interval: float = 0.2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.label = label
        self.interval = interval
        self.clock = clock
        self.done = 0
        self.started = clock()
        self._drawn_at: float | None = None
        self._first_at: float | None = None
        self._first_done = 0
        self._width = 0
        self._closed = False

    def rate(self, now: float | None = None) -> float:
        elapsed = (self.clock() if now is None else now) - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self, now: float | None = None) -> str:
        now = self.clock() if now is None else now
        rate = self.rate(now)
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        # ETA from the rate since the first item: start-up (loading the pipeline) left out
        since = now - self._first_at if self._first_at is not None else 0.0
        recent = (self.done - self._first_done) / since if since >= 1.0 else 0.0
        if self.done >= self.total:
            eta = "ETA 0s"
        elif recent > 0:
            eta = f"ETA {duration((self.total - self.done) / recent)}"
        else:
            eta = "ETA ?"
        return (f"{self.done:,}/{self.total:,} {self.label}{share}  {rate:,.1f} {self.label}/s  "
                f"{eta}")

    def _draw(self, now: float) -> None:
        text = self.line(now)
        pad = max(0, self._width - len(text))  # blank out the rest of a longer previous line
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)
        self._drawn_at = now

    def update(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = self.clock()
        if self._first_at is None:
            self._first_at, self._first_done = now, self.done
        if self._drawn_at is None or now - self._drawn_at >= self.interval:
            self._draw(now)

    def wrap(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, counting each once it has been handed on."""
        for item in items:
            yield item
            self.update()

    def close(self, ok: bool = True) -> None:
        """The last state, a newline and (``ok``) a summary line; nothing when disabled."""
        if self._closed:
            return
        self._closed = True
        if not self.enabled:
            return
        now = self.clock()
        if self._drawn_at is not None or ok:
            self._draw(now)
            self.stream.write("\n")
        if ok:
            elapsed = now - self.started
            self.stream.write(f"{self.done:,} {self.label} in {duration(elapsed)} "
                              f"({self.rate(now):,.1f} {self.label}/s)\n")
        self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(ok=kind is None)


def track(items: Iterable[T], total: int, stream: TextIO | None = None,
          enabled: bool | None = None, label: str = "papers") -> Iterator[T]:
    """``items`` unchanged, drawing the progress line as they pass; closed at the end."""
    with Progress(total, stream, enabled, label) as progress:
        yield from progress.wrap(items)
