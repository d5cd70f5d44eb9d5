"""A new index file, filled as the build goes: each file's rows as soon as it is loaded.

Nothing of the corpus is held in memory: a file's threads go to SQLite one at a time, and only
compact per-passage arrays (kind, outlet id, vector key) stay; the postings are counted from the
rows written (``index.postings.PostingsWriter``). A rebuild starts from a copy of the previous
index, keeping the rows of unchanged files where they are.

Thread keys and passage ids are unique in an index: the first file (in corpus order) holding
one wins. A file's rows are written first and checked after, against the files before it and
itself; a file that loses, or whose loader fails half-way, has its rows deleted again.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from . import title_vectors
from .bm25 import BM25Params
from .errors import CorpusError
from .model import Passage, Thread
from .postings import PostingsWriter
from .store import (
    PAGE_SIZE,
    SCHEMA,
    FileCounts,
    PreviousIndex,
    _Writer,
    delete_files,
    fast_writes,
    seal,
    skipped_records,
    write_meta,
)
from .tokenize import Tokenizer
from .vectors import carry

# Rows holding the same thread key or passage id as a file's own rows, in the file's order
# (thread, then its passages): (thread id, passage id or -1, kind, name, own row id, the other
# row's file, the other row's id).
CLASHES = """
SELECT t.id, -1, 'thread', t.key, t.id, u.file_id, u.id
FROM threads t JOIN threads u ON u.key = t.key AND u.id != t.id
WHERE t.file_id = ?1
UNION ALL
SELECT t.id, p.id, 'passage', p.pid, p.id, qt.file_id, q.id
FROM threads t JOIN answers a ON a.thread_id = t.id JOIN passages p ON p.answer_id = a.id
JOIN passages q ON q.pid = p.pid AND q.id != p.id
JOIN answers qa ON qa.id = q.answer_id JOIN threads qt ON qt.id = qa.thread_id
WHERE t.file_id = ?1
ORDER BY 1, 2
"""
# What BM25 indexes of a file's passages (``index.build.document_terms``), in order.
DOCUMENT_TEXT = """
SELECT p.text, t.id, t.title, t.question FROM passages p
JOIN answers a ON a.id = p.answer_id JOIN threads t ON t.id = a.thread_id
WHERE p.id >= ? AND p.id < ? ORDER BY p.id
"""


class HeldTwice(CorpusError):
    """A file holds a thread key or passage id that an earlier file (or itself) holds."""


@dataclass(frozen=True, slots=True)
class _Placed:
    """A file in the new index: its documents are ``first_doc``, ``first_doc + 1``, ..."""

    path: str
    file_id: int
    first_doc: int
    passages: int
    reused: bool
    start: int  # parsed: its first passage's place in the writer's arrays; reused: old first_doc
    first_rowid: int = -1  # parsed: its passages' row ids are consecutive from here


class IndexWriter:
    """Writes a new index at ``path``, file by file in corpus order, then its arrays.

    With ``previous``, the new file starts as a copy of it with only the files of ``keep``
    (unchanged, their rows kept); the others' rows are deleted first."""

    def __init__(self, path: Path, corpus: Path, previous: PreviousIndex | None,
                 keep: Iterable[str],
                 key_of: Callable[[Thread, Passage], bytes] | None = None) -> None:
        self.corpus = corpus
        self.folder = path.parent  # for the postings' temporary file
        self.previous = previous
        if previous is not None:
            shutil.copyfile(previous.path, path)
            con = sqlite3.connect(path)
            fast_writes(con)
            kept = set(keep)
            delete_files(con, [row.id for p, row in previous.files.items() if p not in kept])
            for table in ("arrays", "meta", "ratings"):
                con.execute(f"DELETE FROM {table}")
            (next_rowid,) = con.execute(
                "SELECT coalesce(max(id), -1) + 1 FROM passages").fetchone()
            outlet_ids = dict(con.execute("SELECT name, id FROM outlets").fetchall())
        else:
            con = sqlite3.connect(path)
            con.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            fast_writes(con)
            con.executescript(SCHEMA)
            next_rowid, outlet_ids = 0, {}
        self.con = con
        self.writer = _Writer(con, first_rowid=next_rowid, outlet_ids=outlet_ids,
                              key_of=key_of)
        self.placed: list[_Placed] = []
        self.accepted: dict[int, str] = {}  # file id -> path, of the files placed
        self.suspects: set[int] = set()  # unchanged later files a parsed file clashes with
        self.n_docs = 0

    def close(self) -> None:
        self.con.close()

    def add_parsed(self, path: str, sha256: str, format: str,
                   threads: Iterable[Thread]) -> FileCounts:
        """Write a file's threads as they come. If the iterable raises, or the file holds a
        key or id already held, its rows are deleted and the error raised (``HeldTwice``)."""
        mark = self.writer.mark()
        file_id = self.writer.begin_file(path, sha256, format)
        try:
            for thread in threads:
                self.writer.thread(file_id, thread)
            clash, suspects = self._clash(file_id)
        except BaseException:
            self.writer.discard_file(file_id, mark)
            raise
        if clash is not None:
            self.writer.discard_file(file_id, mark)
            raise clash
        counts = self.writer.end_file(file_id, self.n_docs)
        self.suspects |= suspects
        self._place(_Placed(path, file_id, self.n_docs, counts.passages, False, mark[0],
                            mark[1]))
        return counts

    def add_reused(self, path: str) -> FileCounts:
        """Keep an unchanged file's rows, unless a parsed file before it holds one of its keys
        or ids (then its rows are deleted and ``HeldTwice`` raised)."""
        assert self.previous is not None
        row = self.previous.files[path]
        if row.id in self.suspects:
            clash, _ = self._clash(row.id)
            if clash is not None:
                delete_files(self.con, [row.id])
                raise clash
        self.con.execute("UPDATE files SET first_doc = ? WHERE id = ?", (self.n_docs, row.id))
        self._place(_Placed(path, row.id, self.n_docs, row.counts.passages, True,
                            row.first_doc))
        return row.counts

    def note_skipped(self, records: Sequence[CorpusError]) -> None:
        """Keep what the loader of the file just placed left out, for later builds."""
        file_id = self.placed[-1].file_id
        self.con.executemany(
            "INSERT INTO skipped (file_id, path, record, problem) VALUES (?,?,?,?)",
            [(file_id, _relative(e.path, self.corpus), e.record, e.problem) for e in records])

    def skipped_of(self, path: str) -> list[CorpusError]:
        """What the loader of a kept file left out when it was read."""
        assert self.previous is not None
        return [CorpusError(self.corpus / where, problem, record=record) for where, record,
                problem in skipped_records(self.con, self.previous.files[path].id)]

    def _place(self, placed: _Placed) -> None:
        self.placed.append(placed)
        self.accepted[placed.file_id] = placed.path
        self.n_docs += placed.passages

    def _clash(self, file_id: int) -> tuple[HeldTwice | None, set[int]]:
        """The first of a file's keys and ids that a file placed before it, or the file itself
        earlier, holds (as the error to report); and the other files holding one (unchanged
        files later in the corpus, which give way if this file is placed)."""
        others: set[int] = set()
        rows = self.con.execute(CLASHES, (file_id,))
        for _, group in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
            held = list(group)
            kind, name, own = held[0][2:5]
            holder = next((self.accepted[f] for *_, f, _ in held if f in self.accepted), None)
            if holder is not None or any(f == file_id and other < own
                                         for *_, f, other in held):
                where = f"from {holder}" if holder is not None else "earlier in this file"
                path = self.accepted.get(file_id) or self._path(file_id)
                return HeldTwice(self.corpus / path, f"{kind} {name!r} is already loaded "
                                 f"{where}", record=f"{kind} {name}"), set()
            others.update(f for *_, f, _ in held if f != file_id)
        return None, others

    def _path(self, file_id: int) -> str:
        (path,) = self.con.execute("SELECT path FROM files WHERE id = ?", (file_id,)).fetchone()
        return str(path)

    def finish(self, params: BM25Params, meta: dict[str, str],
               ratings: Sequence[tuple[str, str, str]], vectors_model: str | None) -> None:
        """Write the arrays, the ratings and the meta rows, and seal the file."""
        con, n_docs, previous = self.con, self.n_docs, self.previous
        con.execute("DELETE FROM outlets WHERE id NOT IN (SELECT outlet_id FROM passages "
                    "WHERE outlet_id IS NOT NULL)")
        reused = [p for p in self.placed if p.reused]
        new_of_old = None
        if previous is not None and reused:
            new_of_old = previous.renumbering({p.path: p.first_doc for p in reused})
        kinds, outlets, rowids = self._doc_arrays(new_of_old)
        postings = PostingsWriter(n_docs, self.folder)
        try:
            for number, tokens in self._documents(Tokenizer()):
                postings.add(number, tokens)
            postings.write(con, params, None if previous is None or new_of_old is None
                           else previous.old_postings(new_of_old))
        finally:
            postings.close()
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "kinds": kinds, "outlets": outlets, "rowids": rowids}
        if vectors_model is not None:
            keys = np.frombuffer(self.writer.keys, dtype=np.uint8).reshape(-1, 16)
            meta = meta | carry(con, vectors_model, n_docs, previous, new_of_old,
                                [(keys[p.start:p.start + p.passages], p.first_doc)
                                 for p in self.placed if not p.reused])
            del keys
            meta = meta | title_vectors.carry(
                con, vectors_model,
                previous.title_vector_rows(vectors_model) if previous is not None else ())
        con.executemany("INSERT INTO arrays (name, dtype, data) VALUES (?,?,?)",
                        [(n, str(a.dtype), a.tobytes()) for n, a in arrays.items()])
        con.executemany("INSERT OR IGNORE INTO ratings (name, status, url) VALUES (?,?,?)",
                        ratings)
        write_meta(con, n_docs, params, meta)
        con.commit()
        seal(con)

    def _doc_arrays(self, new_of_old: npt.NDArray[np.int64] | None
                    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int32],
                               npt.NDArray[np.int64]]:
        """Each document's kind (1 = quote), outlet id and passage row id."""
        kinds = np.zeros(self.n_docs, dtype=np.int8)
        outlets = np.zeros(self.n_docs, dtype=np.int32)
        rowids = np.zeros(self.n_docs, dtype=np.int64)
        if self.previous is not None and new_of_old is not None:
            moved = new_of_old >= 0
            old_kinds, old_outlets, old_rowids = self.previous.doc_arrays()
            kinds[new_of_old[moved]] = old_kinds[moved]
            outlets[new_of_old[moved]] = old_outlets[moved]
            rowids[new_of_old[moved]] = old_rowids[moved]
        new_kinds = np.frombuffer(self.writer.kinds, dtype=np.int8)
        new_outlets = np.frombuffer(self.writer.outlets, dtype=np.int32)
        for p in self.placed:
            if not p.reused:
                mine, theirs = slice(p.first_doc, p.first_doc + p.passages), \
                    slice(p.start, p.start + p.passages)
                kinds[mine] = new_kinds[theirs]
                outlets[mine] = new_outlets[theirs]
                rowids[mine] = np.arange(p.first_rowid, p.first_rowid + p.passages)
        return kinds, outlets, rowids

    def _documents(self, tokenizer: Tokenizer) -> Iterator[tuple[int, list[str]]]:
        """The parsed files' passages as BM25 documents, read back from the rows written:
        (number, tokens), in order."""
        for p in self.placed:
            if p.reused:
                continue
            thread, context = None, []
            with closing(self.con.execute(DOCUMENT_TEXT, (p.first_rowid,
                                                          p.first_rowid + p.passages))) as rows:
                for doc, (text, thread_id, title, question) in enumerate(rows, p.first_doc):
                    if thread_id != thread:
                        thread, context = thread_id, tokenizer(title) + tokenizer(question)
                    yield doc, tokenizer(text) + context


def _relative(path: Path, corpus: Path) -> str:
    return str(path.relative_to(corpus)) if path.is_relative_to(corpus) else str(path)


def parsed_passages(database: Path, paths: Sequence[str]) -> list[Passage]:
    """The passages of these files in an index, in order (for tests and tools)."""
    with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as con:
        rows = con.execute(
            "SELECT p.kind, p.text, o.name, p.url, p.lead_in, p.pid, p.source_kind "
            "FROM passages p JOIN answers a ON a.id = p.answer_id "
            "JOIN threads t ON t.id = a.thread_id JOIN files f ON f.id = t.file_id "
            "LEFT JOIN outlets o ON o.id = p.outlet_id "
            "WHERE f.path IN (SELECT value FROM json_each(?)) ORDER BY f.first_doc, p.id",
            (json.dumps(list(paths)),)).fetchall()
    return [Passage(*row) for row in rows]
