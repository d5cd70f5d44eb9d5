"""The SQLite file: schema, writing a built index, and the queries readers run.

One file holds threads, answers, comments, passages, outlets and the BM25 arrays. A build
writes a new file beside the old one and renames it into place, so a reader (the running bot)
keeps a complete index open until it chooses to reopen. A rebuild after a change starts the new
file as a copy of the old one and edits it: the rows of unchanged files stay where they are.

BM25 numbers passages in corpus order (files by path, then threads, answers, passages), the
order that breaks ties; ``passages.id`` is a row id that stays put across rebuilds, and the
``rowids`` array maps one to the other.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from . import title_vectors
from .attribution import http_url
from .bm25 import BM25Params, ImpactIndex
from .model import Comment, Passage, Thread
from .postings import OldPostings, Postings

SCHEMA_VERSION = 6  # 5: passage vectors (index.vectors); 6: keys and pids indexed, not UNIQUE
# The arrays are blobs of hundreds of MB at a million passages: big pages read them back in
# fewer, longer runs.
PAGE_SIZE = 65536

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL,
    format TEXT NOT NULL, threads INTEGER NOT NULL, passages INTEGER NOT NULL,
    quotes INTEGER NOT NULL, sourced INTEGER NOT NULL,
    source_kinds TEXT NOT NULL DEFAULT '{}',  -- quotes by kind of source, as JSON
    first_doc INTEGER NOT NULL  -- its passages are BM25 documents first_doc.. in order
);
CREATE TABLE threads (
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id),
    key TEXT NOT NULL, title TEXT NOT NULL, question TEXT NOT NULL, url TEXT,
    site TEXT, score INTEGER, tags TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY, thread_id INTEGER NOT NULL REFERENCES threads(id),
    position INTEGER NOT NULL, score INTEGER, accepted INTEGER NOT NULL DEFAULT 0,
    url TEXT, author TEXT,
    date TEXT  -- when it was written, ISO 8601, where the source says
);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY, thread_id INTEGER NOT NULL REFERENCES threads(id),
    answer_id INTEGER REFERENCES answers(id), score INTEGER, text TEXT NOT NULL,
    author TEXT, date TEXT
);
CREATE TABLE outlets (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY, pid TEXT NOT NULL,
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    kind TEXT NOT NULL CHECK (kind IN ('quote', 'answer')), text TEXT NOT NULL,
    outlet_id INTEGER REFERENCES outlets(id), url TEXT, lead_in TEXT,
    source_kind TEXT  -- index.sources: news, reference, ..., linked_post, file_host, website
);
CREATE INDEX passages_outlet ON passages(outlet_id);
-- Unique, but checked by the build (index.writer), which writes a file's rows before it knows
-- whether an earlier file holds one of its keys or ids: the first holder wins.
CREATE INDEX threads_key ON threads(key);
CREATE INDEX passages_pid ON passages(pid);
-- For reading an earlier index back, file by file, in an incremental rebuild.
CREATE INDEX threads_file ON threads(file_id);
CREATE INDEX answers_thread ON answers(thread_id, position);
CREATE INDEX comments_thread ON comments(thread_id, answer_id);
CREATE INDEX passages_answer ON passages(answer_id);
CREATE TABLE arrays (name TEXT PRIMARY KEY, dtype TEXT NOT NULL, data BLOB NOT NULL);
-- Records a file's loader left out (a dump's oversized row): reported again by every build
-- that keeps the file's rows without reading it.
CREATE TABLE skipped (
    file_id INTEGER NOT NULL REFERENCES files(id), path TEXT NOT NULL, record TEXT,
    problem TEXT NOT NULL
);
CREATE INDEX skipped_file ON skipped(file_id);
-- The gazetteer's statuses from Wikipedia's perennial-sources list, by outlet name.
CREATE TABLE ratings (name TEXT PRIMARY KEY, status TEXT NOT NULL, url TEXT);
"""

# What a hit needs, for a list of passage ids (bound as a JSON array: one statement, any size).
HIT_ROWS = """
SELECT p.id, p.pid, p.kind, p.text, o.name, p.url, t.title, t.url, a.score, a.url, p.lead_in,
       a.date, p.source_kind, r.status, r.url
FROM json_each(?) AS j
JOIN passages p ON p.id = j.value
JOIN answers a ON a.id = p.answer_id
JOIN threads t ON t.id = a.thread_id
LEFT JOIN outlets o ON o.id = p.outlet_id
LEFT JOIN ratings r ON r.name = o.name
"""
# Every passage of the answers holding these passage ids (a JSON array), in order: to show a
# quote whole when it was split into several passages.
ANSWER_PASSAGES = """
SELECT p.id, p.pid, p.kind, p.text, o.name, p.url, t.title, t.url, a.score, a.url, p.lead_in,
       a.date, p.source_kind, r.status, r.url, p.answer_id
FROM passages p
JOIN answers a ON a.id = p.answer_id
JOIN threads t ON t.id = a.thread_id
LEFT JOIN outlets o ON o.id = p.outlet_id
LEFT JOIN ratings r ON r.name = o.name
WHERE p.answer_id IN (SELECT answer_id FROM passages WHERE pid IN (SELECT value FROM json_each(?)))
ORDER BY p.id
"""
# The thread of each of a list of passage ids (a JSON array): the hybrid's one passage per thread.
THREAD_OF = """
SELECT p.id, a.thread_id FROM json_each(?) AS j
JOIN passages p ON p.id = j.value JOIN answers a ON a.id = p.answer_id
"""
# The thread title of each of a list of passage ids (a JSON array): the hybrid's title cosine.
TITLE_OF = """
SELECT p.id, t.title FROM json_each(?) AS j
JOIN passages p ON p.id = j.value JOIN answers a ON a.id = p.answer_id
JOIN threads t ON t.id = a.thread_id
"""
# The same with each title's stored vector (index.title_vectors), in one query.
TITLE_VECTOR_OF = """
SELECT p.id, t.title, v.vector FROM json_each(?) AS j
JOIN passages p ON p.id = j.value JOIN answers a ON a.id = p.answer_id
JOIN threads t ON t.id = a.thread_id LEFT JOIN title_vectors v ON v.title = t.title
"""
# The words of the best first-pass passages, for pseudo-relevance feedback.
# Bounded (passages are, since issue 15; an index built before may hold longer ones).
FEEDBACK_TEXT = """
SELECT p.id, substr(p.text, 1, 20000) || ' ' || substr(t.title, 1, 300) FROM json_each(?) AS j
JOIN passages p ON p.id = j.value JOIN answers a ON a.id = p.answer_id
JOIN threads t ON t.id = a.thread_id
"""
OUTLET_COUNTS = """
SELECT o.name, count(*) AS n FROM passages p JOIN outlets o ON o.id = p.outlet_id
GROUP BY o.id ORDER BY n DESC, o.name
"""
# Every source cited, with its kind, passage count and rating; and the quotes whose link is
# no source (another Q&A post, an image), counted by kind with no name.
SOURCE_COUNTS = """
SELECT coalesce(p.source_kind, 'news'), o.name, count(*) AS n, r.status, r.url
FROM passages p JOIN outlets o ON o.id = p.outlet_id LEFT JOIN ratings r ON r.name = o.name
GROUP BY p.source_kind, o.id
UNION ALL
SELECT p.source_kind, NULL, count(*), NULL, NULL FROM passages p
WHERE p.outlet_id IS NULL AND p.source_kind IS NOT NULL GROUP BY p.source_kind
ORDER BY n DESC, 2
"""
COUNTS = """
SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM threads),
       (SELECT count(*) FROM answers), (SELECT count(*) FROM passages),
       (SELECT count(*) FROM passages WHERE kind = 'quote'),
       (SELECT count(*) FROM passages WHERE outlet_id IS NOT NULL),
       (SELECT count(*) FROM outlets), (SELECT count(*) FROM comments),
       coalesce((SELECT value FROM meta WHERE key = 'built_at'), '')
"""
META = "SELECT key, value FROM meta"
PASSAGE_IDS = "SELECT id, pid FROM passages"
FILES = "SELECT path, sha256, threads, passages FROM files ORDER BY path"
# What a reader loads when it opens; docs and impacts follow in the background
# (index.loading); tfs are only for the next rebuild, lengths for it and for relevance.
SERVED_ARRAYS = ("offsets", "kinds", "outlets", "rowids", "vocabulary")
ARRAYS = ("SELECT name, dtype, data FROM arrays WHERE name IN "
          f"({', '.join(repr(n) for n in SERVED_ARRAYS)})")
# Passage lengths, for the relevance measure (index.relevance).
LENGTHS = "SELECT dtype, data FROM arrays WHERE name = 'lengths'"
OUTLET_ID = "SELECT id FROM outlets WHERE name = ? COLLATE NOCASE"
# What a passage is embedded with (index.embedding.embedded_text), for a list of passage ids.
EMBED_ROWS = """
SELECT p.id, t.title, p.text, p.lead_in FROM json_each(?) AS j
JOIN passages p ON p.id = j.value JOIN answers a ON a.id = p.answer_id
JOIN threads t ON t.id = a.thread_id
"""
VECTOR_ARRAYS = ("SELECT name, dtype, data FROM arrays WHERE name IN "
                 "('vector_keys', 'vectors', 'vector_scales')")


@dataclass(frozen=True, slots=True)
class FileCounts:
    threads: int
    passages: int
    quotes: int
    sourced_quotes: int  # quotes with an outlet (the files table's `sourced` column)
    # Quotes by kind of source ("news": 3, "linked_post": 1); linked posts and file links
    # have no outlet, so are not among the sourced.
    kinds: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, threads: Sequence[Thread]) -> FileCounts:
        passages = [p for t in threads for a in t.answers for p in a.passages]
        quotes = [p for p in passages if p.kind == "quote"]
        kinds = Counter(p.source_kind for p in quotes if p.source_kind)
        return cls(len(threads), len(passages), len(quotes), sum(1 for p in quotes if p.outlet),
                   tuple(sorted(kinds.items())))

    @classmethod
    def stored(cls, threads: int, passages: int, quotes: int, sourced: int,
               kinds: str) -> FileCounts:
        return cls(threads, passages, quotes, sourced, tuple(sorted(json.loads(kinds).items())))


@dataclass(frozen=True, slots=True)
class LoadedFile:
    path: str
    sha256: str
    format: str
    threads: Sequence[Thread]  # empty when reused
    counts: FileCounts
    reused: bool = False  # unchanged since the previous index, whose rows it keeps

    @classmethod
    def parsed(cls, path: str, sha256: str, format: str, threads: Sequence[Thread]
               ) -> LoadedFile:
        return cls(path, sha256, format, threads, FileCounts.of(threads))


def connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA foreign_keys = ON")
    return con


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` that is renamed onto it if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.building-{os.getpid()}")
    clear_leftovers(path)
    for leftover in (tmp, *_sidecars(tmp)):
        leftover.unlink(missing_ok=True)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, *_sidecars(tmp)):
            leftover.unlink(missing_ok=True)


def clear_leftovers(path: Path) -> None:
    """Remove what builds that were killed left beside ``path``."""
    for stale in path.parent.glob(f".{path.name}.building-*"):
        if not _alive(stale.name.rsplit("-", 1)[-1]):
            stale.unlink(missing_ok=True)


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


@dataclass(slots=True)
class VectorArrays:
    """Each passage's embedded-text key (16 bytes), its int8 vector and scale (0: not yet
    embedded), and the model that made them. In BM25's document order."""

    model: str
    keys: npt.NDArray[np.uint8]      # (n_docs, 16)
    rows: npt.NDArray[np.int8]       # (n_docs, dim); dim 0 until something is embedded
    scales: npt.NDArray[np.float32]  # (n_docs,)

    @property
    def missing(self) -> int:
        return int(np.count_nonzero(self.scales == 0))

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {"vector_keys": self.keys.reshape(-1), "vectors": self.rows.reshape(-1),
                "vector_scales": self.scales}

    def meta(self) -> dict[str, str]:
        return {"vectors_model": self.model, "vectors_dim": str(self.rows.shape[1]),
                "vectors_missing": str(self.missing)}

    @classmethod
    def from_arrays(cls, model: str, dim: int, a: StoredArrays) -> VectorArrays:
        """Raises ValueError when the arrays are missing or do not agree."""
        if missing := a.missing(("vector_keys", "vectors", "vector_scales")):
            raise ValueError(f"no {', '.join(sorted(missing))} array")
        keys, rows, scales = a["vector_keys"], a["vectors"], a["vector_scales"]
        n = len(scales)
        if keys.size != n * 16 or rows.size != n * dim:
            raise ValueError(f"vector arrays of {keys.size}, {rows.size} and {n} entries "
                             f"do not agree (dimension {dim})")
        return cls(model, keys.reshape(n, 16), rows.reshape(n, dim), scales)


def write_index(path: Path, files: Sequence[tuple[LoadedFile, int]], postings: Postings,
                bm25: ImpactIndex, params: BM25Params, extra_meta: dict[str, str],
                ratings: Sequence[tuple[str, str, str]] = (),
                vectors: VectorArrays | None = None) -> None:
    """Write a complete index of loaded files, each with the number of its first BM25
    document, to a new file at ``path``, all in memory at once (a build streams instead:
    ``index.writer``). Passages take row ids equal to their document numbers."""
    with closing(sqlite3.connect(path)) as con:
        con.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        fast_writes(con)
        con.executescript(SCHEMA)
        with con:
            writer = _Writer(con, first_rowid=0, outlet_ids={})
            for f, first_doc in files:
                assert first_doc == len(writer.kinds)  # files in document order
                file_id = writer.begin_file(f.path, f.sha256, f.format)
                for t in f.threads:
                    writer.thread(file_id, t)
                writer.end_file(file_id, first_doc)
            con.executemany("INSERT OR IGNORE INTO ratings (name, status, url) VALUES (?,?,?)",
                            ratings)
            arrays: dict[str, npt.NDArray[Any]] = {
                "offsets": bm25.offsets, "docs": bm25.docs, "impacts": bm25.impacts,
                "tfs": postings.tfs, "lengths": postings.lengths,
                "kinds": np.frombuffer(writer.kinds, dtype=np.int8),
                "outlets": np.frombuffer(writer.outlets, dtype=np.int32),
                "rowids": np.arange(len(writer.kinds), dtype=np.int64)}
            if vectors is not None:
                arrays |= vectors.arrays()
            con.executemany("INSERT INTO arrays (name, dtype, data) VALUES (?,?,?)",
                            [(n, str(a.dtype), a.tobytes()) for n, a in arrays.items()]
                            + [("vocabulary", "text", "\n".join(postings.vocabulary).encode())])
            write_meta(con, bm25.n_docs, params, extra_meta | (vectors.meta() if vectors else {}))
        seal(con)


def write_meta(con: sqlite3.Connection, n_docs: int, params: BM25Params,
               extra_meta: dict[str, str]) -> None:
    meta = {
        "schema_version": str(SCHEMA_VERSION), "n_docs": str(n_docs),
        "k1": repr(params.k1), "b": repr(params.b), "epsilon": repr(params.epsilon),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **extra_meta,
    }
    con.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())


def fast_writes(con: sqlite3.Connection) -> None:
    # A new file, renamed into place only once complete: nothing to journal or sync.
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")



def seal(con: sqlite3.Connection) -> None:
    # Never written again: readers open it immutable, and a rebuild renames a new file over
    # it, so a reader still holding the old one keeps a consistent snapshot.
    con.execute("PRAGMA journal_mode = DELETE")


def delete_files(con: sqlite3.Connection, file_ids: Sequence[int]) -> None:
    ids = json.dumps(list(file_ids))
    threads = "SELECT t.id FROM threads t JOIN json_each(?1) j ON t.file_id = j.value"
    con.execute(f"DELETE FROM comments WHERE thread_id IN ({threads})", (ids,))
    con.execute("DELETE FROM passages WHERE answer_id IN (SELECT id FROM answers WHERE "
                f"thread_id IN ({threads}))", (ids,))
    con.execute(f"DELETE FROM answers WHERE thread_id IN ({threads})", (ids,))
    con.execute("DELETE FROM skipped WHERE file_id IN (SELECT value FROM json_each(?))", (ids,))
    con.execute("DELETE FROM threads WHERE file_id IN (SELECT value FROM json_each(?))", (ids,))
    con.execute("DELETE FROM files WHERE id IN (SELECT value FROM json_each(?))", (ids,))


class _Tally:
    """A file's counts, kept as its threads are written."""

    __slots__ = ("kinds", "passages", "quotes", "sourced", "threads")

    def __init__(self) -> None:
        self.threads = self.passages = self.quotes = self.sourced = 0
        self.kinds: Counter[str] = Counter()

    def counts(self) -> FileCounts:
        return FileCounts(self.threads, self.passages, self.quotes, self.sourced,
                          tuple(sorted(self.kinds.items())))


class _Writer:
    """Inserts one file's threads at a time, one thread at a time, and keeps each passage's
    kind and outlet id (and, when asked, its vector key) in compact arrays, in document order.
    A file's passages take consecutive row ids.

    Every address is checked again here, whatever loader made it: only http(s) is stored,
    so ``search --json`` never prints a ``javascript:`` link."""

    def __init__(self, con: sqlite3.Connection, *, first_rowid: int,
                 outlet_ids: dict[str, int],
                 key_of: Callable[[Thread, Passage], bytes] | None = None) -> None:
        self.con = con
        self.outlet_ids = outlet_ids
        self.kinds = array("b")      # 1 = quote
        self.outlets = array("i")    # 0 = no outlet
        self.keys = bytearray()      # 16 bytes a passage, with key_of
        self.key_of = key_of
        self.next_rowid = first_rowid
        self.new_outlets: list[str] = []  # outlets inserted for the current file
        self.tally = _Tally()

    def _insert(self, table: str, row: dict[str, object]) -> int:
        sql = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
        rowid = self.con.execute(sql, tuple(row.values())).lastrowid
        assert rowid is not None  # an INSERT always sets it
        return rowid

    def _comments(self, thread_id: int, answer_id: int | None, comments: Sequence[Comment]) -> None:
        self.con.executemany(
            "INSERT INTO comments (thread_id, answer_id, score, text, author, date) "
            "VALUES (?,?,?,?,?,?)",
            [(thread_id, answer_id, c.score, c.text, c.author, c.date) for c in comments])

    def begin_file(self, path: str, sha256: str, format: str) -> int:
        """A files row, whose counts ``end_file`` fills in."""
        self.tally = _Tally()
        self.new_outlets = []
        return self._insert("files", {
            "path": path, "sha256": sha256, "format": format, "threads": 0, "passages": 0,
            "quotes": 0, "sourced": 0, "first_doc": -1})

    def end_file(self, file_id: int, first_doc: int) -> FileCounts:
        c = self.tally.counts()
        self.con.execute(
            "UPDATE files SET threads = ?, passages = ?, quotes = ?, sourced = ?, "
            "source_kinds = ?, first_doc = ? WHERE id = ?",
            (c.threads, c.passages, c.quotes, c.sourced_quotes, json.dumps(dict(c.kinds)),
             first_doc, file_id))
        return c

    def discard_file(self, file_id: int, mark: tuple[int, int]) -> None:
        """Delete the rows of the file being written; ``mark`` is ``mark()`` from before it."""
        delete_files(self.con, [file_id])
        for name in self.new_outlets:
            self.con.execute("DELETE FROM outlets WHERE id = ?", (self.outlet_ids.pop(name),))
        self.new_outlets = []
        docs, self.next_rowid = mark
        del self.kinds[docs:], self.outlets[docs:], self.keys[16 * docs:]

    def mark(self) -> tuple[int, int]:
        return len(self.kinds), self.next_rowid

    def thread(self, file_id: int, t: Thread) -> None:
        thread_id = self._insert("threads", {
            "file_id": file_id, "key": t.key, "title": t.title, "question": t.question,
            "url": http_url(t.url), "site": t.site, "score": t.score, "tags": json.dumps(t.tags)})
        self.tally.threads += 1
        self._comments(thread_id, None, t.comments)
        for position, a in enumerate(t.answers):
            answer_id = self._insert("answers", {
                "thread_id": thread_id, "position": position, "score": a.score,
                "accepted": int(a.accepted), "url": http_url(a.url), "author": a.author,
                "date": a.date})
            self._comments(thread_id, answer_id, a.comments)
            self.con.executemany(
                "INSERT INTO passages (id, pid, answer_id, kind, text, outlet_id, url, lead_in, "
                "source_kind) VALUES (?,?,?,?,?,?,?,?,?)",
                [self._passage(t, t.passage_id(position, i, p), answer_id, p)
                 for i, p in enumerate(a.passages)])

    def _outlet_id(self, name: str) -> int:
        if name not in self.outlet_ids:
            self.outlet_ids[name] = self._insert("outlets", {"name": name})
            self.new_outlets.append(name)
        return self.outlet_ids[name]

    def _passage(self, t: Thread, pid: str, answer_id: int, p: Passage) -> tuple[object, ...]:
        outlet_id = self._outlet_id(p.outlet) if p.outlet else None
        rowid = self.next_rowid
        self.kinds.append(p.kind == "quote")
        self.outlets.append(outlet_id or 0)
        if self.key_of is not None:
            self.keys += self.key_of(t, p)
        self.next_rowid += 1
        tally = self.tally
        tally.passages += 1
        if p.kind == "quote":
            tally.quotes += 1
            tally.sourced += bool(p.outlet)
            if p.source_kind:
                tally.kinds[p.source_kind] += 1
        return (rowid, pid, answer_id, p.kind, p.text, outlet_id, http_url(p.url), p.lead_in,
                p.source_kind)


def skipped_records(con: sqlite3.Connection, file_id: int
                    ) -> list[tuple[str, str | None, str]]:
    """What a file's loader left out when it was read: (path in the corpus, record,
    problem)."""
    return con.execute("SELECT path, record, problem FROM skipped WHERE file_id = ? "
                       "ORDER BY rowid", (file_id,)).fetchall()


class UnusableIndex(Exception):
    """The previous index cannot be read back (damaged, or incomplete): build afresh."""


@dataclass(frozen=True, slots=True)
class FileRow:
    id: int
    sha256: str
    first_doc: int
    counts: FileCounts


class PreviousIndex:
    """An earlier index, whose unchanged files a rebuild keeps: their rows and postings."""

    def __init__(self, path: Path, con: sqlite3.Connection, meta: dict[str, str],
                 files: dict[str, FileRow]) -> None:
        self.path = path
        self._con = con
        self.meta = meta
        self.files = files

    @classmethod
    def open(cls, path: Path) -> PreviousIndex | None:
        """The index at ``path``, or None when there is none this version can reuse."""
        if not path.is_file():
            return None
        try:
            con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
            meta = dict(con.execute(META).fetchall())
            if meta.get("schema_version") != str(SCHEMA_VERSION):
                con.close()
                return None
            files = {p: FileRow(i, sha, first, FileCounts.stored(*counts))
                     for i, p, sha, first, *counts
                     in con.execute("SELECT id, path, sha256, first_doc, threads, passages, "
                                    "quotes, sourced, source_kinds FROM files")}
        except (sqlite3.Error, ValueError, TypeError):
            return None
        return cls(path, con, meta, files)

    @property
    def params(self) -> BM25Params | None:
        try:
            return BM25Params(float(self.meta["k1"]), float(self.meta["b"]),
                              float(self.meta["epsilon"]))
        except (KeyError, ValueError):
            return None

    def close(self) -> None:
        self._con.close()

    def skipped_records(self, path: str) -> list[tuple[str, str | None, str]]:
        try:
            return skipped_records(self._con, self.files[path].id)
        except sqlite3.Error as exc:
            raise UnusableIndex(f"{self.path}: {exc}") from exc

    def holders(self, keys: Sequence[str], pids: Sequence[str]) -> list[tuple[str, str, str]]:
        """Which files hold these thread keys and passage ids: (``"thread"`` or ``"passage"``,
        the key or id, the file's path), each once, in the order of the files' contents."""
        try:
            return [row[:3] for row in self._con.execute(
                "SELECT 'thread', t.key, f.path, t.id, -1 FROM threads t JOIN files f "
                "ON f.id = t.file_id WHERE t.key IN (SELECT value FROM json_each(?)) UNION "
                "SELECT 'passage', p.pid, f.path, t.id, p.id FROM passages p "
                "JOIN answers a ON a.id = p.answer_id JOIN threads t ON t.id = a.thread_id "
                "JOIN files f ON f.id = t.file_id WHERE p.pid IN (SELECT value FROM json_each(?)) "
                "ORDER BY 4, 5", (json.dumps(list(keys)), json.dumps(list(pids))))]
        except sqlite3.Error as exc:
            raise UnusableIndex(f"{self.path}: {exc}") from exc

    def _arrays(self, *names: str) -> StoredArrays:
        try:
            rows = self._con.execute("SELECT name, dtype, data FROM arrays WHERE name IN "
                                     f"({', '.join('?' * len(names))})", names).fetchall()
            arrays = arrays_from_rows(rows)
        except (sqlite3.Error, ValueError, TypeError) as exc:
            raise UnusableIndex(f"{self.path}: {exc}") from exc
        if missing := arrays.missing(names):
            raise UnusableIndex(f"{self.path}: no {', '.join(sorted(missing))} array")
        return arrays

    def renumbering(self, first_docs: dict[str, int]) -> npt.NDArray[np.int64]:
        """Each old document's new number, where the files of ``first_docs`` (path -> its
        first new document) are kept; -1 for documents of the other files."""
        new_of_old = np.full(int(self.meta.get("n_docs", 0)), -1, dtype=np.int64)
        for path, first in first_docs.items():
            row = self.files[path]
            n = row.counts.passages
            if row.first_doc < 0 or row.first_doc + n > len(new_of_old):
                raise UnusableIndex(f"{self.path}: the documents of {path} are out of range")
            new_of_old[row.first_doc:row.first_doc + n] = np.arange(first, first + n)
        return new_of_old

    def postings(self) -> Postings:
        a = self._arrays("vocabulary", "offsets", "docs", "tfs", "lengths")
        return Postings(a.vocabulary, a["offsets"], a["docs"], a["tfs"], a["lengths"])

    def old_postings(self, new_of_old: npt.NDArray[np.int64]) -> OldPostings:
        """The postings, with docs and tfs read in pieces when asked, not all at once."""
        a = self._arrays("vocabulary", "offsets", "lengths")
        try:
            found = {name: (rowid, np.dtype(dtype)) for rowid, name, dtype in self._con.execute(
                "SELECT rowid, name, dtype FROM arrays WHERE name IN ('docs', 'tfs')")}
        except (sqlite3.Error, TypeError) as exc:
            raise UnusableIndex(f"{self.path}: {exc}") from exc
        if missing := {"docs", "tfs"} - set(found):
            raise UnusableIndex(f"{self.path}: no {', '.join(sorted(missing))} array")
        total = int(a["offsets"][-1]) if len(a["offsets"]) else 0

        def read(name: str, start: int, stop: int) -> npt.NDArray[Any]:
            rowid, dtype = found[name]
            try:
                with self._con.blobopen("arrays", "data", rowid, readonly=True) as blob:
                    if len(blob) < total * dtype.itemsize:
                        raise UnusableIndex(f"{self.path}: the {name} array is too short")
                    blob.seek(start * dtype.itemsize)
                    return np.frombuffer(blob.read((stop - start) * dtype.itemsize), dtype)
            except sqlite3.Error as exc:
                raise UnusableIndex(f"{self.path}: {exc}") from exc

        return OldPostings(a.vocabulary, a["offsets"], a["lengths"], new_of_old, read,
                           found["tfs"][1] == np.dtype(np.uint16))

    def vector_keys(self) -> OldVectors | None:
        """The previous index's passage keys and vector scales (not the rows:
        ``vector_rows``), or None when it was built without vectors."""
        model = self.meta.get("vectors_model")
        if model is None:
            return None
        a = self._arrays("vector_keys", "vector_scales")
        keys, scales = a["vector_keys"], a["vector_scales"]
        if keys.size != 16 * len(scales):
            raise UnusableIndex(f"{self.path}: vector arrays of {keys.size} and {len(scales)} "
                                "entries do not agree")
        try:
            dim = int(self.meta.get("vectors_dim", "0"))
        except ValueError as exc:
            raise UnusableIndex(f"{self.path}: {exc}") from exc
        return OldVectors(model, dim, keys.reshape(-1, 16), scales)

    def title_vector_rows(self, model: str) -> Iterator[list[tuple[str, bytes]]]:
        """The thread titles' vectors made by ``model`` (``index.title_vectors``), in batches."""
        return title_vectors.rows_of(self._con, model)

    @contextmanager
    def vector_rows(self, dim: int) -> Iterator[Callable[[int, int], npt.NDArray[np.int8]]]:
        """``read(first, count)``: that many vector rows from document ``first`` on, read from
        the blob when asked, never all at once."""
        try:
            (rowid, length) = self._con.execute(
                "SELECT rowid, length(data) FROM arrays WHERE name = 'vectors'").fetchone()
            blob = self._con.blobopen("arrays", "data", rowid, readonly=True)
        except (sqlite3.Error, TypeError) as exc:
            raise UnusableIndex(f"{self.path}: no vectors array ({exc})") from exc

        def read(first: int, count: int) -> npt.NDArray[np.int8]:
            if (first + count) * dim > length:
                raise UnusableIndex(f"{self.path}: the vectors array is too short")
            blob.seek(first * dim)
            return np.frombuffer(blob.read(count * dim), dtype=np.int8).reshape(count, dim)

        with blob:
            yield read

    def doc_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each old document's kind (1 = quote), outlet id and passage row id."""
        a = self._arrays("kinds", "outlets", "rowids")
        return a["kinds"], a["outlets"], a["rowids"]


@dataclass(frozen=True, slots=True)
class OldVectors:
    """A previous index's vector keys and scales, by old document number."""

    model: str
    dim: int
    keys: npt.NDArray[np.uint8]      # (n_docs, 16)
    scales: npt.NDArray[np.float32]  # 0: no vector


@dataclass(frozen=True, slots=True)
class StoredArrays:
    """The ``arrays`` table read back: the numeric arrays by name (zero-copy views of the
    rows' bytes), and the vocabulary (term id -> term) when it was among the rows."""

    numeric: dict[str, npt.NDArray[Any]]
    vocabulary: list[str]
    names: frozenset[str]       # every array read, the vocabulary included

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self.numeric[name]

    def missing(self, names: Iterable[str]) -> set[str]:
        return set(names) - self.names


def arrays_from_rows(rows: Iterable[Sequence[Any]]) -> StoredArrays:
    """Turn rows (name, dtype, data) of the ``arrays`` table back into numpy arrays and the
    vocabulary."""
    numeric: dict[str, npt.NDArray[Any]] = {}
    vocabulary: list[str] = []
    names: set[str] = set()
    for name, dtype, data in rows:
        names.add(name)
        if dtype == "text":
            vocabulary = bytes(data).decode().split("\n") if data else []
        else:
            numeric[name] = np.frombuffer(data, dtype=np.dtype(dtype))
    return StoredArrays(numeric, vocabulary, frozenset(names))
