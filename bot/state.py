"""The bot's own records in SQLite (through aiosqlite): questions asked, passages shown,
feedback, counters. A separate file from the index, so rebuilding the index never loses them.
WAL mode: a crash mid-write leaves the last committed state.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY, text TEXT NOT NULL, user_id INTEGER NOT NULL,
    channel_id INTEGER, asked_at REAL NOT NULL, guild_id INTEGER
);
CREATE TABLE IF NOT EXISTS shown (
    question_id INTEGER NOT NULL REFERENCES questions(id), offset INTEGER NOT NULL,
    kind TEXT NOT NULL, passage_ids TEXT NOT NULL, PRIMARY KEY (question_id, offset)
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, question_id INTEGER NOT NULL REFERENCES questions(id),
    offset INTEGER NOT NULL, user_id INTEGER NOT NULL, vote INTEGER NOT NULL,
    passage_ids TEXT NOT NULL, at REAL NOT NULL, UNIQUE (question_id, offset, user_id)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
-- Questions that got "no good match": what the corpus lacks (/gaps).
CREATE TABLE IF NOT EXISTS unmatched (
    id INTEGER PRIMARY KEY, text TEXT NOT NULL, user_id INTEGER NOT NULL,
    channel_id INTEGER, asked_at REAL NOT NULL, guild_id INTEGER
);
-- Why a 👎 was given, stored with the vote (same key).
CREATE TABLE IF NOT EXISTS feedback_reasons (
    question_id INTEGER NOT NULL, offset INTEGER NOT NULL, user_id INTEGER NOT NULL,
    reason TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (question_id, offset, user_id),
    FOREIGN KEY (question_id, offset, user_id)
        REFERENCES feedback (question_id, offset, user_id)
);
"""

# The reasons a 👎 can give, as stored -> as shown.
REASONS = {"wrong_source": "Wrong source", "off_topic": "Off topic", "outdated": "Outdated",
           "other": "Other"}


@dataclass(frozen=True, slots=True)
class Gap:
    """A question the corpus answered badly: asked ``unmatched`` times with "no good match",
    given ``down_votes`` 👎 (with their ``reasons``, reason -> count)."""

    question: str
    unmatched: int
    down_votes: int
    reasons: dict[str, int]

    @property
    def count(self) -> int:
        return self.unmatched + self.down_votes


class StateUnusable(Exception):
    """The state database cannot be opened or written at start; the message names the file."""


class StateWriteFailed(Exception):
    """A write that did not happen (a full disk, say): the bot answers without recording."""


P = ParamSpec("P")
R = TypeVar("R")


def _writes(method: Callable[Concatenate[State, P], Awaitable[R]]
            ) -> Callable[Concatenate[State, P], Awaitable[R]]:
    """A write that fails raises ``StateWriteFailed``, logged once until writes work again
    (a full disk fails every question; one line says so, not one per question)."""
    @functools.wraps(method)
    async def write(self: State, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = await method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                await self._db.rollback()
            if not self._failing:
                self._failing = True
                log.error("cannot write the state database %s (%s): answering without "
                          "recording questions or feedback until it can", self.path, exc)
            raise StateWriteFailed(f"{self.path}: {exc}") from exc
        if self._failing:
            self._failing = False
            log.warning("the state database %s can be written again", self.path)
        return result
    return write


def _prepare(path: Path) -> None:
    """Create the tables and check the file, with a plain connection closed afterwards: a
    failure here leaves no connection thread behind to keep the process from exiting."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(SCHEMA)
        # The server a question was asked in, for /gaps (added later: NULL in older rows).
        for table in ("questions", "unmatched"):
            if "guild_id" not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
                db.execute(f"ALTER TABLE {table} ADD COLUMN guild_id INTEGER")
        db.commit()
        # Reading every page finds a corrupt file now rather than at some later click.
        problems = [row[0] for row in db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"corrupt: {problems[0]}")
    finally:
        db.close()


@dataclass(frozen=True, slots=True)
class Asked:
    id: int
    text: str
    user_id: int


class State:
    """Open with ``await State.open(path)``; close with ``await close()``, or use it as an async
    context manager: ``async with await State.open(path) as state``."""

    def __init__(self, db: aiosqlite.Connection, path: Path | None = None) -> None:
        self._db = db
        self.path = path
        self._failing = False  # the last write failed (and that was logged)

    @classmethod
    async def open(cls, path: Path) -> State:
        """Open (or create) the state database and check it can be written.

        Raises:
            StateUnusable: a folder, a file that is not SQLite, a corrupt or read-only one.
        """
        if path.is_dir():
            raise StateUnusable(f"{path}: is a folder, not a state database file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateUnusable(f"{path}: cannot create its folder ({exc.strerror})") from exc
        try:
            await asyncio.to_thread(_prepare, path)
            db = await aiosqlite.connect(path)
        except sqlite3.Error as exc:
            raise StateUnusable(f"{path}: the state database cannot be used ({exc})") from exc
        await db.execute("PRAGMA foreign_keys = ON")
        return cls(db, path)

    async def close(self) -> None:
        await self._db.close()

    async def __aenter__(self) -> State:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @_writes
    async def record_question(self, text: str, user_id: int, channel_id: int | None,
                              guild_id: int | None = None) -> int:
        cur = await self._db.execute(
            "INSERT INTO questions (text, user_id, channel_id, asked_at, guild_id) "
            "VALUES (?, ?, ?, ?, ?)", (text, user_id, channel_id, time.time(), guild_id))
        await self._db.execute(
            "INSERT INTO counters (name, value) VALUES ('answered', 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1")
        await self._db.commit()
        assert cur.lastrowid is not None  # an INSERT always sets it
        return cur.lastrowid

    @_writes
    async def record_shown(self, question_id: int, offset: int, kind: str,
                           passage_ids: Sequence[str]) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO shown (question_id, offset, kind, passage_ids) "
            "VALUES (?, ?, ?, ?)", (question_id, offset, kind, json.dumps(list(passage_ids))))
        await self._db.commit()

    async def question(self, question_id: int) -> Asked | None:
        async with self._db.execute("SELECT id, text, user_id FROM questions WHERE id = ?",
                                    (question_id,)) as cur:
            row = await cur.fetchone()
        return None if row is None else Asked(*row)

    @_writes
    async def record_feedback(self, question_id: int, offset: int, user_id: int,
                              vote: int) -> bool:
        """Record a 👍 (+1) or 👎 (-1) on the passages shown; a second vote replaces the first.
        False when that answer was never recorded."""
        async with self._db.execute(
            "SELECT passage_ids FROM shown WHERE question_id = ? AND offset = ?",
            (question_id, offset)) as cur:
            row = await cur.fetchone()
        if row is None:
            return False
        await self._db.execute(
            "INSERT INTO feedback (question_id, offset, user_id, vote, passage_ids, at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (question_id, offset, user_id) "
            "DO UPDATE SET vote = excluded.vote, at = excluded.at",
            (question_id, offset, user_id, vote, row[0], time.time()))
        await self._db.commit()
        return True

    async def answered(self) -> int:
        async with self._db.execute(
                "SELECT value FROM counters WHERE name = 'answered'") as cur:
            row = await cur.fetchone()
        return 0 if row is None else int(row[0])

    async def shown_ids(self, question_id: int, offset: int) -> list[str] | None:
        """The passage ids a page of an answer showed, or None when it was never recorded."""
        async with self._db.execute(
                "SELECT passage_ids FROM shown WHERE question_id = ? AND offset = ?",
                (question_id, offset)) as cur:
            row = await cur.fetchone()
        return None if row is None else list(json.loads(row[0]))

    @_writes
    async def record_unmatched(self, text: str, user_id: int, channel_id: int | None,
                               guild_id: int | None = None) -> None:
        """A question that got "no good match"."""
        await self._db.execute(
            "INSERT INTO unmatched (text, user_id, channel_id, asked_at, guild_id) "
            "VALUES (?, ?, ?, ?, ?)", (text, user_id, channel_id, time.time(), guild_id))
        await self._db.commit()

    @_writes
    async def record_reason(self, question_id: int, offset: int, user_id: int,
                            reason: str) -> bool:
        """Why this user's 👎 on that page; a second reason replaces the first. False when
        there is no 👎 of theirs to attach it to.

        Raises:
            ValueError: ``reason`` is not one of ``REASONS``.
        """
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}; one of {', '.join(REASONS)}")
        async with self._db.execute(
                "SELECT 1 FROM feedback WHERE question_id = ? AND offset = ? AND user_id = ? "
                "AND vote < 0", (question_id, offset, user_id)) as cur:
            if await cur.fetchone() is None:
                return False
        await self._db.execute(
            "INSERT INTO feedback_reasons (question_id, offset, user_id, reason, at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (question_id, offset, user_id) "
            "DO UPDATE SET reason = excluded.reason, at = excluded.at",
            (question_id, offset, user_id, reason, time.time()))
        await self._db.commit()
        return True

    @_writes
    async def place_questions(self, guild_of_channel: dict[int, int]) -> None:
        """Give questions recorded without their server (before servers were stored) the
        server of the channel they were asked in, where that channel is known."""
        pairs = [(guild, channel) for channel, guild in guild_of_channel.items()]
        for table in ("questions", "unmatched"):
            await self._db.executemany(
                f"UPDATE {table} SET guild_id = ? WHERE guild_id IS NULL AND channel_id = ?",
                pairs)
        await self._db.commit()

    async def gaps(self, guild_id: int | None, limit: int = 20) -> list[Gap]:
        """Questions asked in server ``guild_id`` that got "no good match" or 👎, most
        frequent first (the same question in other case or spacing counts as one). None:
        those asked in no server on record (in direct messages, or before servers were
        recorded)."""
        return (await self.gaps_and_total(guild_id, limit))[0]

    async def gaps_and_total(self, guild_id: int | None, limit: int = 20
                             ) -> tuple[list[Gap], int]:
        """``gaps``, and how many there are in all, so that a list can say what it left
        out."""
        async with self._db.execute(
                "SELECT text, 1, 0, NULL, asked_at FROM unmatched WHERE guild_id IS ? "
                "UNION ALL "
                "SELECT q.text, 0, 1, r.reason, f.at FROM feedback f "
                "JOIN questions q ON q.id = f.question_id "
                "LEFT JOIN feedback_reasons r ON r.question_id = f.question_id "
                "AND r.offset = f.offset AND r.user_id = f.user_id "
                "WHERE f.vote < 0 AND q.guild_id IS ?", (guild_id, guild_id)) as cur:
            rows = await cur.fetchall()
        groups: dict[str, list[tuple[str, int, int, str | None, float]]] = {}
        for text, unmatched, down, reason, at in rows:
            groups.setdefault(" ".join(text.casefold().split()), []).append(
                (text, unmatched, down, reason, at))
        gaps = []
        for items in groups.values():
            latest = max(items, key=lambda r: r[4])
            reasons: dict[str, int] = {}
            for r in items:
                if r[3]:
                    reasons[r[3]] = reasons.get(r[3], 0) + 1
            gaps.append((Gap(latest[0], sum(r[1] for r in items), sum(r[2] for r in items),
                             reasons), latest[4]))
        gaps.sort(key=lambda g: (-g[0].count, -g[1]))
        return [g for g, _ in gaps[:limit]], len(gaps)
