"""The errors paperkg raises.

Every error subclasses ``KGError`` and, where one fits, a built-in, so callers can catch either::

    KGError
    ├── ParseError(KGError, ValueError)        a file could not be read as the format expected
    ├── UnknownFormatError(KGError, LookupError)  no reader/exporter/backend of that name
    ├── StoreError(KGError, OSError)           the store file is missing, corrupt or unwritable
    ├── NotFoundError(KGError, LookupError)    no entity or paper by that name
    ├── ExportError(KGError, ValueError)       the graph cannot be written in a format
    │   ├── RDFValidationError                 the RDF does not conform to the SHACL shapes
    │   └── GraphMLExportError                 a value GraphML cannot hold
    ├── ViewError(KGError, ValueError)         view options that cannot be met together
    ├── EngineError(KGError, ValueError)       extraction engine options that do not go together
    ├── SchedulerError(KGError, ConnectionError)  no usable Dask scheduler at --scheduler
    ├── WorkerError(KGError, RuntimeError)     a paperkg error raised inside a Dask worker
    └── RegistryError(KGError, ValueError)     a name registered twice with different objects

Messages name the bad value, the file and line where there is one, and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable


class KGError(Exception):
    """Base class of every error paperkg raises on purpose."""


class ParseError(KGError, ValueError):
    """A file (or one record in it) could not be parsed.

    Carries the ``path`` and 1-based ``line`` so a user can open the file at the right place.
    """

    def __init__(self, path: str, line: int | None, expected: str, got: str = "") -> None:
        self.path = str(path)
        self.line = line
        self.expected = expected
        self.got = got
        where = f"{self.path}:{line}" if line is not None else self.path
        detail = f"; got {got}" if got else ""
        super().__init__(f"{where}: expected {expected}{detail}")

    def __reduce__(self) -> tuple:  # rebuilt from its fields, so it crosses to a parent process
        return (type(self), (self.path, self.line, self.expected, self.got))


class UnknownFormatError(KGError, LookupError):
    """A reader, exporter or backend was asked for by a name nobody registered."""

    def __init__(self, what: str, name: str, available: Iterable[str]) -> None:
        self.what = what
        self.name = name
        self.available = sorted(available)
        super().__init__(f"no {what} {name!r}; available: {', '.join(self.available)}")

    def __reduce__(self) -> tuple:  # rebuilt from its fields, so it crosses to a parent process
        return (type(self), (self.what, self.name, self.available))

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class StoreError(KGError, OSError):
    """The graph store could not be read or written."""


class NotFoundError(KGError, LookupError):
    """No entity or paper matches the name asked for."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ExportError(KGError, ValueError):
    """The graph could not be written in the format asked for; the old file is kept."""


class ViewError(KGError, ValueError):
    """A focused view was asked for with options that are out of range or contradict."""


class EngineError(KGError, ValueError):
    """Extraction engine options that do not go together (``--scheduler`` without dask)."""


class SchedulerError(KGError, ConnectionError):
    """The Dask scheduler cannot be reached, has no workers, or its workers cannot run paperkg."""


class WorkerError(KGError, RuntimeError):
    """A paperkg error raised inside a Dask worker, carried back as its message."""


class RegistryError(KGError, ValueError):
    """A name was registered twice for different objects."""
