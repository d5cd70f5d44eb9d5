"""The one error type a loader or the store lets out."""

from __future__ import annotations

from pathlib import Path


class CorpusError(Exception):
    """A corpus file that cannot be read as its format says.

    ``record`` names where in the file: a line (``"line 12"``), a post id, a JSON record.
    The caller decides whether to skip the file (a build does) or to stop.
    """

    def __init__(self, path: Path | str, problem: str, *, record: str | None = None) -> None:
        self.path = Path(path)
        self.problem = problem
        self.record = record
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: {self.record}" if self.record else str(self.path)
        return f"{where}: {self.problem}"


class IndexNotFound(Exception):
    """The database does not exist or holds no index; ``python -m index build`` makes one."""


class IndexOutdated(IndexNotFound):
    """The database holds an index written by another version of Sourced: rebuild it."""
