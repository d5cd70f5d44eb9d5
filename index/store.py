"""The SQLite file: schema, writing a built index, and the queries readers run.

One file holds threads, answers, comments, passages, outlets and the BM25 arrays. A build
writes a new file beside the old one and renames it into place, so a reader (the running bot)
keeps a complete index open until it chooses to reopen.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .bm25 import BM25Params, ImpactIndex
from .model import Answer, Comment, Passage, Thread

SCHEMA_VERSION = 1
# The arrays are blobs of hundreds of MB at a million passages: big pages read them back in
# fewer, longer runs.
PAGE_SIZE = 65536

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL,
    format TEXT NOT NULL, threads INTEGER NOT NULL, passages INTEGER NOT NULL
);
CREATE TABLE threads (
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id),
    key TEXT NOT NULL UNIQUE, title TEXT NOT NULL, question TEXT NOT NULL, url TEXT,
    site TEXT, score INTEGER, tags TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY, thread_id INTEGER NOT NULL REFERENCES threads(id),
    position INTEGER NOT NULL, score INTEGER, accepted INTEGER NOT NULL DEFAULT 0,
    url TEXT, author TEXT
);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY, thread_id INTEGER NOT NULL REFERENCES threads(id),
    answer_id INTEGER REFERENCES answers(id), score INTEGER, text TEXT NOT NULL,
    author TEXT, date TEXT
);
CREATE TABLE outlets (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- id is the document number in the BM25 arrays.
CREATE TABLE passages (
    id INTEGER PRIMARY KEY, pid TEXT NOT NULL UNIQUE,
    answer_id INTEGER NOT NULL REFERENCES answers(id),
    kind TEXT NOT NULL CHECK (kind IN ('quote', 'answer')), text TEXT NOT NULL,
    outlet_id INTEGER REFERENCES outlets(id), url TEXT, lead_in TEXT
);
CREATE INDEX passages_outlet ON passages(outlet_id);
-- For reading an earlier index back, file by file, in an incremental rebuild.
CREATE INDEX threads_file ON threads(file_id);
CREATE INDEX answers_thread ON answers(thread_id, position);
CREATE INDEX comments_thread ON comments(thread_id, answer_id);
CREATE INDEX passages_answer ON passages(answer_id);
CREATE TABLE arrays (name TEXT PRIMARY KEY, dtype TEXT NOT NULL, data BLOB NOT NULL);
"""

# What a hit needs, for a list of passage ids (bound as a JSON array: one statement, any size).
HIT_ROWS = """
SELECT p.id, p.pid, p.kind, p.text, o.name, p.url, t.title, t.url, a.score, a.url, p.lead_in
FROM json_each(?) AS j
JOIN passages p ON p.id = j.value
JOIN answers a ON a.id = p.answer_id
JOIN threads t ON t.id = a.thread_id
LEFT JOIN outlets o ON o.id = p.outlet_id
"""
# The words of the best first-pass passages, for pseudo-relevance feedback.
FEEDBACK_TEXT = """
SELECT p.id, p.text || ' ' || t.title FROM json_each(?) AS j
JOIN passages p ON p.id = j.value JOIN answers a ON a.id = p.answer_id
JOIN threads t ON t.id = a.thread_id
"""
OUTLET_COUNTS = """
SELECT o.name, count(*) AS n FROM passages p JOIN outlets o ON o.id = p.outlet_id
GROUP BY o.id ORDER BY n DESC, o.name
"""
COUNTS = """
SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM threads),
       (SELECT count(*) FROM answers), (SELECT count(*) FROM passages),
       (SELECT count(*) FROM passages WHERE kind = 'quote'),
       (SELECT count(*) FROM passages WHERE outlet_id IS NOT NULL),
       (SELECT count(*) FROM outlets), (SELECT count(*) FROM comments)
"""
META = "SELECT key, value FROM meta"
FILES = "SELECT path, sha256, threads, passages FROM files ORDER BY path"
ARRAYS = "SELECT name, dtype, data FROM arrays"
OUTLET_ID = "SELECT id FROM outlets WHERE name = ? COLLATE NOCASE"


@dataclass(frozen=True, slots=True)
class LoadedFile:
    path: str
    sha256: str
    format: str
    threads: Sequence[Thread]
    reused: bool = False  # read back from the previous index, not parsed again


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
    for stale in path.parent.glob(f".{path.name}.building-*"):
        if not _alive(stale.name.rsplit("-", 1)[-1]):  # left by a build that was killed
            stale.unlink(missing_ok=True)
    for leftover in (tmp, *_sidecars(tmp)):
        leftover.unlink(missing_ok=True)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        for leftover in (tmp, *_sidecars(tmp)):
            leftover.unlink(missing_ok=True)


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


def write_index(path: Path, files: Sequence[LoadedFile], bm25: ImpactIndex, params: BM25Params,
                extra_meta: dict[str, str]) -> None:
    """Write a complete index to a new file at ``path``. Passages are numbered in the order
    of ``files``, threads, answers, passages: the order their BM25 documents were given."""
    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA journal_mode = OFF")  # a fresh file, renamed into place when done
        con.execute("PRAGMA synchronous = OFF")
        con.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        con.executescript(SCHEMA)
        with con:
            writer = _Writer(con, bm25.n_docs)
            for f in files:
                writer.file(f)
            con.executemany("INSERT INTO outlets (id, name) VALUES (?, ?)",
                            [(i, name) for name, i in writer.outlet_ids.items()])
            vocabulary = sorted(bm25.vocabulary, key=bm25.vocabulary.__getitem__)
            arrays = {"offsets": bm25.offsets, "docs": bm25.docs, "impacts": bm25.impacts,
                      "kinds": writer.kinds, "outlets": writer.outlets}
            con.executemany("INSERT INTO arrays (name, dtype, data) VALUES (?,?,?)",
                            [(n, str(a.dtype), a.tobytes()) for n, a in arrays.items()]
                            + [("vocabulary", "text", "\n".join(vocabulary).encode())])
            meta = {
                "schema_version": str(SCHEMA_VERSION), "n_docs": str(bm25.n_docs),
                "k1": repr(params.k1), "b": repr(params.b), "epsilon": repr(params.epsilon),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **extra_meta,
            }
            con.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        # Never written again: readers open it immutable, and a rebuild renames a new file over
        # it, so a reader still holding the old one keeps a consistent snapshot.
        con.execute("PRAGMA journal_mode = DELETE")


class _Writer:
    """Inserts one loaded file at a time, numbering passages as it goes."""

    def __init__(self, con: sqlite3.Connection, n_docs: int) -> None:
        self.con = con
        self.outlet_ids: dict[str, int] = {}
        self.kinds = np.zeros(n_docs, dtype=np.int8)      # 1 = quote
        self.outlets = np.zeros(n_docs, dtype=np.int32)   # 0 = no outlet
        self.docno = 0

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

    def file(self, f: LoadedFile) -> None:
        passages = sum(len(a.passages) for t in f.threads for a in t.answers)
        file_id = self._insert("files", {"path": f.path, "sha256": f.sha256, "format": f.format,
                                         "threads": len(f.threads), "passages": passages})
        for t in f.threads:
            self.thread(file_id, t)

    def thread(self, file_id: int, t: Thread) -> None:
        thread_id = self._insert("threads", {
            "file_id": file_id, "key": t.key, "title": t.title, "question": t.question,
            "url": t.url, "site": t.site, "score": t.score, "tags": json.dumps(t.tags)})
        self._comments(thread_id, None, t.comments)
        for position, a in enumerate(t.answers):
            answer_id = self._insert("answers", {
                "thread_id": thread_id, "position": position, "score": a.score,
                "accepted": int(a.accepted), "url": a.url, "author": a.author})
            self._comments(thread_id, answer_id, a.comments)
            self.con.executemany(
                "INSERT INTO passages (id, pid, answer_id, kind, text, outlet_id, url, lead_in) "
                "VALUES (?,?,?,?,?,?,?,?)",
                [self._passage(f"{t.key}/a{position}/p{i}", answer_id, p)
                 for i, p in enumerate(a.passages)])

    def _passage(self, default_pid: str, answer_id: int, p: Passage) -> tuple[object, ...]:
        outlet_id = self.outlet_ids.setdefault(p.outlet, len(self.outlet_ids) + 1) \
            if p.outlet else None
        docno = self.docno
        self.kinds[docno] = p.kind == "quote"
        self.outlets[docno] = outlet_id or 0
        self.docno += 1
        return (docno, p.pid or default_pid, answer_id, p.kind, p.text, outlet_id, p.url,
                p.lead_in)


class PreviousIndex:
    """An earlier index, read back so a rebuild reuses the threads of unchanged files."""

    def __init__(self, con: sqlite3.Connection, meta: dict[str, str],
                 files: dict[str, tuple[int, str]]) -> None:
        self._con = con
        self.meta = meta
        self.files = files  # path -> (file id, sha256)

    @classmethod
    def open(cls, path: Path) -> PreviousIndex | None:
        """The index at ``path``, or None when there is none this version can reuse."""
        if not path.is_file():
            return None
        try:
            con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
            meta = dict(con.execute(META).fetchall())
            files = {p: (i, sha) for i, p, sha in con.execute("SELECT id, path, sha256 FROM files")}
        except sqlite3.Error:
            return None
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            con.close()
            return None
        return cls(con, meta, files)

    def close(self) -> None:
        self._con.close()

    def threads(self, file_id: int) -> list[Thread]:
        """The file's threads as they were loaded, passage ids included."""
        con = self._con
        threads = []
        for tid, key, title, question, url, site, score, tags in con.execute(
                "SELECT id, key, title, question, url, site, score, tags FROM threads "
                "WHERE file_id = ? ORDER BY id", (file_id,)).fetchall():
            answers = []
            for aid, ascore, accepted, aurl, author in con.execute(
                    "SELECT id, score, accepted, url, author FROM answers WHERE thread_id = ? "
                    "ORDER BY position", (tid,)).fetchall():
                passages = [Passage(kind, text, outlet, purl, lead_in, pid)
                            for pid, kind, text, outlet, purl, lead_in in con.execute(
                                "SELECT p.pid, p.kind, p.text, o.name, p.url, p.lead_in "
                                "FROM passages p LEFT JOIN outlets o ON o.id = p.outlet_id "
                                "WHERE p.answer_id = ? ORDER BY p.id", (aid,))]
                answers.append(Answer(passages, ascore, self._comments(tid, aid), bool(accepted),
                                      aurl, author))
            threads.append(Thread(key, title, question, url, site, score, json.loads(tags),
                                  self._comments(tid, None), answers))
        return threads

    def _comments(self, thread_id: int, answer_id: int | None) -> list[Comment]:
        return [Comment(text, score, author, date) for score, text, author, date in
                self._con.execute(
                    "SELECT score, text, author, date FROM comments WHERE thread_id = ? AND "
                    "answer_id IS ? ORDER BY id", (thread_id, answer_id))]


def arrays_from_rows(rows: Sequence[tuple[str, str, bytes]]) -> dict[str, object]:
    """Turn the ``arrays`` table back into numpy arrays (zero-copy) and the vocabulary."""
    out: dict[str, object] = {}
    for name, dtype, data in rows:
        out[name] = (bytes(data).decode().split("\n") if data else []) if dtype == "text" \
            else np.frombuffer(data, dtype=np.dtype(dtype))
    return out
