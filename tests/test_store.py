"""The SQLite store: what a build writes is what a reader reads back."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.bm25 import BM25Params
from index.build import build, document_terms
from index.errors import IndexNotFound
from index.loaders import LoadContext
from index.loaders.plaintext import load
from index.loading import PostingsLoader
from index.reader import IndexReader
from index.store import ARRAYS, arrays_from_rows
from index.tokenize import Tokenizer

from .conftest import SEED, copy_seed


def test_round_trip(seed_db: Path, ctx: LoadContext, run) -> None:
    [thread] = list(load(SEED, ctx))
    con = sqlite3.connect(seed_db)
    try:
        assert con.execute("SELECT key, title, url, score FROM threads").fetchall() == [
            (thread.key, thread.title, thread.url, thread.score)]
        assert con.execute("SELECT score FROM answers ORDER BY position").fetchall() == [
            (a.score,) for a in thread.answers]
        assert con.execute("SELECT count(*) FROM comments").fetchone() == (
            len(thread.comments) + sum(len(a.comments) for a in thread.answers),)
        rows = con.execute("SELECT p.kind, p.text, o.name, p.lead_in FROM passages p "
                           "LEFT JOIN outlets o ON o.id = p.outlet_id ORDER BY p.id").fetchall()
    finally:
        con.close()
    assert rows == [(p.kind, p.text, p.outlet, p.lead_in)
                    for a in thread.answers for p in a.passages]


def test_reader_scores_equal_rank_bm25_on_the_stored_index(seed_db: Path, ctx: LoadContext,
                                                           run) -> None:
    [thread] = list(load(SEED, ctx))
    tokenize = Tokenizer()
    documents = list(document_terms(tokenize, [thread]))
    question = "why was Soleimani in Baghdad on the day he was killed?"
    expected = BM25Okapi(documents).get_scores(tokenize(question))

    async def search() -> list:
        # The BM25 stage alone: no spelling variants, no feedback terms.
        async with await IndexReader.open(seed_db, spelling=False, feedback=False) as reader:
            return await reader.search(question, k=len(documents))

    hits = run(search())
    texts = [p.text for a in thread.answers for p in a.passages]
    got = {h.text: h.score for h in hits}
    for i, text in enumerate(texts):
        if expected[i] > 0:
            assert got[text] == pytest.approx(expected[i], rel=1e-6)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_reopening_does_not_read_the_corpus(tmp_path: Path, run) -> None:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    db = tmp_path / "index.db"
    build(corpus, db)
    shutil.rmtree(corpus)

    async def search() -> list:
        async with await IndexReader.open(db) as reader:
            return await reader.search("Soleimani meeting", 3)

    assert len(run(search())) == 3


def test_quote_filters_and_outlets(seed_db: Path, run) -> None:
    async def go() -> tuple:
        async with await IndexReader.open(seed_db) as reader:
            return (await reader.search("Soleimani", 30, kind="quote"),
                    await reader.search("Soleimani", 30, outlet="reuters"),
                    await reader.outlets(), await reader.stats(),
                    await reader.passages_for_outlet("BBC", 5))

    quotes, reuters, outlets, stats, bbc = run(go())
    assert quotes and all(h.kind == "quote" for h in quotes)
    assert reuters and all(h.outlet == "Reuters" for h in reuters)
    assert outlets == [("Reuters", 4), ("Asia Times", 2), ("Daily Mail", 2), ("BBC", 1)]
    assert (stats.threads, stats.passages, stats.quotes, stats.sourced_quotes, stats.outlets) == (
        1, 23, 12, 9, 4)
    assert [h.outlet for h in bbc] == ["BBC"]


def test_sourced_quotes_win_ties(tmp_path: Path, run) -> None:
    """Same words, same length: the quote with an outlet ranks first."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "t.txt").write_text(
        "1\n\nWhat about the ferry?\n\n2 Answers 2\n\n5\n\nThe ferry sank near the harbour.\n\n"
        "5\n\nAccording to the BBC:\n\nThe ferry sank near the harbour.\n", encoding="utf-8")
    # Unrelated passages, so that "ferry" is rare enough for a positive idf.
    unrelated = "\n\n".join(f"1\n\nOther answer number {i} about gardens." for i in range(8))
    (corpus / "u.txt").write_text(f"1\n\nGardens?\n\n8 Answers 8\n\n{unrelated}\n",
                                  encoding="utf-8")
    db = tmp_path / "t.db"
    build(corpus, db)

    async def go() -> list:
        async with await IndexReader.open(db) as reader:
            return await reader.search("ferry harbour", 3)

    hits = run(go())
    assert hits[0].kind == "quote" and hits[0].outlet == "BBC"
    assert hits[1].kind == "answer"
    assert hits[0].score == pytest.approx(hits[1].score)


def test_missing_and_foreign_databases_are_clear_errors(tmp_path: Path, run) -> None:
    with pytest.raises(IndexNotFound, match="run `python -m index build`"):
        run(IndexReader.open(tmp_path / "none.db"))
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(IndexNotFound, match="not a Sourced index"):
        run(IndexReader.open(other))


def test_a_failed_build_leaves_the_old_index(tmp_path: Path, run, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    db = tmp_path / "data" / "index.db"
    build(corpus, db)
    before = db.read_bytes()
    (corpus / "new.md").write_text("Says the BBC:\n\n> A new quote.\n", encoding="utf-8")

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    # Both ways of writing (afresh, and as an edited copy of the old index) fail late, when
    # every file's rows are written and the postings arrays are.
    monkeypatch.setattr("index.writer.PostingsWriter.write", explode)
    for reuse in (False, True):
        with pytest.raises(RuntimeError):
            build(corpus, db, reuse=reuse)
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["index.db"]


def test_nothing_changed_keeps_the_index_as_it_is(tmp_path: Path, seed_corpus: Path) -> None:
    db = tmp_path / "index.db"
    build(seed_corpus, db)
    before = db.stat()
    report = build(seed_corpus, db)
    assert all(f.reused for f in report.files) and report.totals.passages == 23
    after = db.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # Other BM25 parameters change every score: that is a rebuild.
    build(seed_corpus, db, params=BM25Params(k1=1.2))
    assert db.stat().st_ino != before.st_ino


def test_arrays_round_trip(seed_db: Path) -> None:
    with closing(sqlite3.connect(seed_db)) as con:
        served = arrays_from_rows(con.execute(ARRAYS).fetchall())
    vocabulary = {t: i for i, t in enumerate(served.vocabulary)}
    loader = PostingsLoader(seed_db, vocabulary, served["offsets"], 23).start()
    assert loader.wait()
    bm25 = loader.index_for([])
    loader.close()
    assert bm25.offsets[-1] == len(bm25.docs) == len(bm25.impacts)
    assert np.all(np.diff(bm25.offsets) > 0)
