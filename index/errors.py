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


EXCERPT_CHARS = 40


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A short, escaped excerpt of a corpus file's text, for an error message: at most
    ``limit`` characters, quoted, with control and non-printable characters escaped, so a
    reason never carries more of a file than that, nor anything that formats."""
    cut = text[:limit]
    return repr(cut) + ("..." if len(text) > limit else "")


def unexpected(path: Path | str, exc: BaseException, *, record: str | None = None
               ) -> CorpusError:
    """A loader's unexpected exception (a file crafted to break a parser) as that file's
    skip report: the build goes on with the other files."""
    if isinstance(exc, RecursionError):
        problem = "nested too deeply to read (RecursionError)"
    elif isinstance(exc, MemoryError):
        problem = "too large to read (MemoryError)"
    else:
        problem = f"could not be read: {type(exc).__name__}: {excerpt(str(exc), 80)}"
    return CorpusError(path, problem, record=record)


class IndexNotFound(Exception):
    """The database does not exist or holds no index; ``python -m index build`` makes one."""


class IndexOutdated(IndexNotFound):
    """The database holds an index written by another version of Sourced: rebuild it."""
