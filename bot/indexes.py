"""The bot's open index: opened at start (built first if there is none), rebuilt and swapped
on ``/reload`` while questions keep being answered.

A reload builds in a separate process (``python -m index build --json``), so the build neither
holds this process's interpreter lock nor its memory; the new file is renamed into place by the
build, then opened, then swapped in; the old reader is closed once no question uses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.build import build_with, changed_since
from index.errors import IndexNotFound, IndexOutdated
from index.kernels import warm_up
from index.parent import EXIT_WITH_PARENT
from index.reader import IndexReader
from index.settings import PROJECT_ROOT, IndexSettings
from index.store import clear_leftovers

log = logging.getLogger(__name__)


class ReloadError(Exception):
    """A reload that failed; the old index keeps serving. The message says why."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What an index holds, to tell what a reload changed."""

    files: dict[str, str]          # path -> sha256
    threads: int
    passages: int
    outlets: frozenset[str]

    @classmethod
    async def of(cls, reader: IndexReader) -> Snapshot:
        files = await reader.files()
        stats = await reader.stats()
        outlets = frozenset(name for name, _ in await reader.outlets())
        return cls({path: sha for path, sha, _, _ in files}, stats.threads, stats.passages,
                   outlets)


@dataclass(frozen=True, slots=True)
class ReloadReport:
    added_files: list[str]
    removed_files: list[str]
    changed_files: list[str]
    threads: tuple[int, int]       # before, after
    passages: tuple[int, int]
    added_outlets: list[str]
    removed_outlets: list[str]
    skipped: list[str] = field(default_factory=list)   # files: "path: record: problem"
    # Records left out of files that loaded (a dump's oversized row), and files no loader
    # reads (a PDF): told apart from the skipped files, so each count says what it counts.
    skipped_records: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Dumps added or changed whose site was guessed from their folder's name ("path -> site").
    sites_by_folder: list[str] = field(default_factory=list)

    @classmethod
    def between(cls, old: Snapshot, new: Snapshot, skipped: list[str],
                seconds: float, skipped_records: list[str] | None = None,
                ignored: list[str] | None = None) -> ReloadReport:
        return cls(
            added_files=sorted(new.files.keys() - old.files.keys()),
            removed_files=sorted(old.files.keys() - new.files.keys()),
            changed_files=sorted(p for p in old.files.keys() & new.files.keys()
                                 if old.files[p] != new.files[p]),
            threads=(old.threads, new.threads), passages=(old.passages, new.passages),
            added_outlets=sorted(new.outlets - old.outlets),
            removed_outlets=sorted(old.outlets - new.outlets),
            skipped=skipped, seconds=seconds, skipped_records=skipped_records or [],
            ignored=ignored or [],
        )


async def open_index(settings: IndexSettings, config_path: Path | None = None) -> IndexReader:
    """Open the index; on a first run, or after an upgrade changed the index format, build it
    from the corpus: with ``config_path``, in a separate process (``python -m index build``,
    stopped with its process group if this task is cancelled: SIGTERM during the first build
    ends the bot at once), else in a thread. Returns once the ranking kernel is compiled too."""
    reader = await _open_or_build(settings, config_path)
    if changed := await asyncio.to_thread(changed_since, settings.corpus, settings.database):
        name = changed[0].relative_to(settings.corpus) if changed[0] != settings.corpus else "."
        log.warning("%s changed after the index was built (%d file(s) or folder(s), newest: "
                    "%s): answers leave that out until the index is rebuilt (`make index`, "
                    "`python -m index build`, or /reload in Discord)",
                    settings.corpus, len(changed), name)
    # On a fresh checkout numba compiles the kernel (seconds; later starts load it from its
    # cache): done before the bot connects, so the first questions never wait for it.
    await asyncio.to_thread(warm_up().join)
    return reader


async def _open_or_build(settings: IndexSettings, config_path: Path | None) -> IndexReader:
    if not settings.database.exists():
        log.info("no index at %s yet: building it from %s", settings.database, settings.corpus)
    else:
        try:
            return await IndexReader.open(settings.database,
                                          semantic=settings.semantic.enabled)
        except IndexOutdated as exc:
            log.info("%s; rebuilding it from %s", exc, settings.corpus)
    if config_path is None:
        report = await asyncio.to_thread(build_with, settings)
        log.info("%s", report.summary())
    else:
        try:
            built = await run_build(config_path, (), timeout=None, settings=settings,
                                    echo_log=True)
        except BuildFailed as exc:
            raise IndexNotFound(f"the first build of the index failed: {exc}") from None
        log.info("indexed %d file(s): %d passage(s), %d skipped file(s) -> %s",
                 len(built["files"]), built["passages"], len(built["skipped"]),
                 built["database"])
    # `[semantic] enabled = false`: BM25 alone, no model loaded, whatever the index holds.
    return await IndexReader.open(settings.database, semantic=settings.semantic.enabled)


class BuildFailed(Exception):
    """``python -m index build`` failed; the message is its last line."""


async def run_build(config_path: Path | None, launcher: Sequence[str], *,
                    timeout: float | None, settings: IndexSettings,
                    echo_log: bool = False) -> dict[str, Any]:
    """``python -m index build --json`` in its own process group; its report. With
    ``echo_log``, what it logged is written to this process's standard error afterwards.

    Raises:
        BuildFailed: it exited with an error.
        TimeoutError: it took longer than ``timeout``, and was stopped.
    """
    args = [*launcher, sys.executable, "-m", "index"]
    if config_path is not None:
        args += ["--config", str(config_path)]
    args += ["build", "--json"]
    # Its own process group, so that stopping it stops whatever it started too; and it
    # exits by itself should this process die first (index.__main__, EXIT_WITH_PARENT).
    proc = await asyncio.create_subprocess_exec(
        *args, cwd=PROJECT_ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL,
        start_new_session=True, env={**os.environ, EXIT_WITH_PARENT: str(os.getpid())})
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except BaseException:  # too long, or cancelled: the bot is shutting down
        await _stop(proc, settings)
        raise
    log_text = err.decode(errors="replace")
    if proc.returncode != 0:
        lines = [line for line in log_text.splitlines() if line.strip()]
        raise BuildFailed(lines[-1].removeprefix("error: ") if lines
                          else f"exit status {proc.returncode}")
    if echo_log:
        sys.stderr.write(log_text)
    report: dict[str, Any] = json.loads(out)
    return report


async def _stop(proc: asyncio.subprocess.Process, settings: IndexSettings) -> None:
    """Kill a build and everything in its process group, reap it, and remove its unfinished
    file."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    await proc.wait()
    clear_leftovers(settings.database)
    log.warning("stopped the index build (process %d)", proc.pid)


class Indexes:
    """Holds the current reader. ``current`` is always a complete, open index.

    Open with ``await Indexes.open(...)``; close with ``await close()``, or use it as an async
    context manager: ``async with await Indexes.open(...) as indexes``.
    """

    def __init__(self, reader: IndexReader, settings: IndexSettings,
                 config_path: Path | None = None, *, launcher: Sequence[str] = (),
                 build_timeout: float = 600.0) -> None:
        self.current = reader
        self.settings = settings
        self.config_path = config_path
        self.build_timeout = build_timeout  # seconds a reload's build may take
        # A command put before the build's own (tests use it to limit the build's resources).
        self.launcher = tuple(launcher)
        self.loaded_at = time.time()
        self._lock = asyncio.Lock()
        # Readers in use (by how many requests), and the swapped-out ones still in use: each
        # is closed when its last request is done.
        self._users: dict[IndexReader, int] = {}
        self._retired: set[IndexReader] = set()

    @classmethod
    async def open(cls, settings: IndexSettings, config_path: Path | None = None, *,
                   launcher: Sequence[str] = (), build_timeout: float = 600.0) -> Indexes:
        return cls(await open_index(settings, config_path), settings, config_path,
                   launcher=launcher, build_timeout=build_timeout)

    @contextlib.asynccontextmanager
    async def reader(self) -> AsyncIterator[IndexReader]:
        """The current reader, kept open for the request however long it takes, should a
        reload swap another in meanwhile."""
        reader = self.current
        self._users[reader] = self._users.get(reader, 0) + 1
        try:
            yield reader
        finally:
            self._users[reader] -= 1
            if not self._users[reader]:
                del self._users[reader]
                if reader in self._retired:
                    self._retired.discard(reader)
                    await reader.close()

    async def close(self) -> None:
        for reader in list(self._retired):
            await reader.close()
        self._retired.clear()
        await self.current.close()

    async def __aenter__(self) -> Indexes:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def reload(self) -> ReloadReport:
        """Rebuild from the corpus in a separate process and swap the new index in.

        Raises:
            ReloadError: another reload is running, or the build failed (the old index stays).
        """
        if self._lock.locked():
            raise ReloadError("a reload is already running")
        async with self._lock:
            started = time.perf_counter()
            old = await Snapshot.of(self.current)
            report = await self._build()
            try:
                reader = await IndexReader.open(
                    self.settings.database, semantic=self.settings.semantic.enabled)
            except IndexNotFound as exc:
                raise ReloadError(f"the new index could not be opened: {exc}") from exc
            previous, self.current = self.current, reader
            self.loaded_at = time.time()
            await self._retire(previous)
            def said(skips: list[dict[str, str]]) -> list[str]:
                return [" ".join(filter(None, (f"{s['path']}:", s["record"] and f"{s['record']}:",
                                               s["problem"]))) for s in skips]

            done = ReloadReport.between(
                old, await Snapshot.of(reader), said(report["skipped"]),
                time.perf_counter() - started, said(report.get("skipped_records", [])),
                [f"{path}: not a document the index reads" for path in report.get("ignored", [])])
            fresh = {*done.added_files, *done.changed_files}
            sites = report.get("sites", {})
            return dataclasses.replace(done, sites_by_folder=[
                f"{path} -> https://{site['site']}" for path, site in sites.items()
                if site["from"] == "folder name" and path in fresh])

    async def _build(self) -> dict[str, Any]:
        try:
            return await run_build(self.config_path, self.launcher,
                                   timeout=self.build_timeout, settings=self.settings)
        except TimeoutError:
            raise ReloadError(f"the build took longer than {self.build_timeout:g} s "
                              "([bot] reload_timeout_seconds) and was stopped; the old index "
                              "keeps serving") from None
        except BuildFailed as exc:
            raise ReloadError(f"the build failed, the old index keeps serving: {exc}") from None

    async def _retire(self, reader: IndexReader) -> None:
        """Close a swapped-out reader now, or when its last running request is done."""
        if reader in self._users:
            self._retired.add(reader)
        else:
            await reader.close()
