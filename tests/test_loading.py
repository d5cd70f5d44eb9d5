"""Opening an index before its postings are in memory: the same answers, the file it opened."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from index import loading, store
from index.build import build
from index.errors import IndexNotFound
from index.loading import PostingsLoader
from index.reader import IndexReader
from index.store import ARRAYS, arrays_from_rows

# Few words, so postings are long and scores tie often: where a difference would show.
WORDS = [f"w{i}" for i in range(40)] + ["ferry"] * 10 + ["storm"] * 5
QUESTIONS = ["ferry storm", "w1 w2 w3", "w7 w7 ferry w39", "nothing known here", "w0"]


def write_records(folder: Path, seed: int, n: int = 400) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"_id": f"{seed}-{i}", "title": "",
                         "text": " ".join(rng.choices(WORDS, k=rng.randint(1, 30)))})
             for i in range(n)]
    (folder / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def records_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("records")
    write_records(root / "corpus", seed=1)
    assert not build(root / "corpus", root / "sourced.db").skipped
    return root / "sourced.db"


def loader(db: Path) -> PostingsLoader:
    with closing(sqlite3.connect(db)) as con:
        served = arrays_from_rows(con.execute(ARRAYS).fetchall())
    vocabulary = {t: i for i, t in enumerate(served.vocabulary)}
    return PostingsLoader(db, vocabulary, served["offsets"], len(served["kinds"]))


def test_rows_read_before_the_arrays_are_in_score_as_the_whole_index(records_db: Path) -> None:
    early, late = loader(records_db), loader(records_db).start()
    try:
        assert late.wait(timeout=30)
        assert not early.loaded  # never started: every index_for reads rows from the file
        rng = random.Random(0)
        allowed = np.array([rng.random() < 0.5 for _ in range(late.n_docs)])
        terms = [*late.vocabulary, "unknown"]
        assert {"ferri", "storm", "w1"} <= set(terms)
        for _ in range(60):
            query = {rng.choice(terms): rng.choice([1.0, 0.5, 0.3, 2.0])
                     for _ in range(rng.randint(1, 6))}
            for kwargs in ({}, {"allowed": allowed}, {"offset": 3}):
                k = rng.randint(1, 20)
                got = early.index_for(query).top_k(query, k, **kwargs)
                want = late.index_for(query).top_k(query, k, **kwargs)
                assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
        assert late.index_for(["ferry"]) is late.index_for(["w1"])  # the whole index, once in
    finally:
        early.close()
        late.close()


def test_a_question_with_many_postings_waits_for_the_whole_arrays(
        records_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    go = threading.Event()  # holds the background read back until the test lets it go

    class Kernel:  # what the background read waits for first
        def join(self) -> None:
            go.wait()

    monkeypatch.setattr(loading, "warm_up", Kernel)
    monkeypatch.setattr(loading, "ROWS_AT_MOST", 10)
    postings = loader(records_db).start()
    try:
        few = postings.index_for(["nothing known"])
        assert not postings.loaded and len(few.docs) == 0  # read by rows: there are none
        threading.Timer(0.2, go.set).start()
        many = postings.index_for(["storm"])  # more than 10 postings: waits for the arrays
        assert postings.loaded and many is postings.index_for(["w1"])
    finally:
        go.set()
        postings.close()


def test_the_reader_answers_the_same_while_loading_and_after(records_db: Path, run) -> None:
    async def go() -> tuple[list, list]:
        async with await IndexReader.open(records_db) as reader:
            first = [await reader.search(q, 5) for q in QUESTIONS]
            await reader.loaded()
            return first, [await reader.search(q, 5) for q in QUESTIONS]

    first, after = run(go())
    assert first == after and any(first)


def test_a_file_renamed_over_the_index_after_opening_is_not_read(
        records_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "sourced.db"
    shutil.copy(records_db, db)
    write_records(tmp_path / "other", seed=2)
    build(tmp_path / "other", tmp_path / "other.db")
    opened, original = loader(db), loader(records_db).start()
    try:
        os.replace(tmp_path / "other.db", db)  # what a build does when it is done
        assert opened.start().wait(timeout=30) and original.wait(timeout=30)
        got, want = opened.index_for([]), original.index_for([])
        assert np.array_equal(got.docs, want.docs)
        assert np.array_equal(got.impacts, want.impacts)
    finally:
        opened.close()
        original.close()


def test_closing_while_loading_stops_the_background_read(records_db: Path, run) -> None:
    async def go() -> None:
        reader = await IndexReader.open(records_db)
        await reader.close()

    run(go())
    assert not [t for t in threading.enumerate() if t.name.startswith("sourced-load-")]


def test_an_index_without_its_postings_is_refused(records_db: Path, tmp_path: Path,
                                                  run) -> None:
    db = tmp_path / "sourced.db"
    shutil.copy(records_db, db)
    with closing(sqlite3.connect(db)) as con, con:
        con.execute("DELETE FROM arrays WHERE name = 'impacts'")
    with pytest.raises(IndexNotFound, match=r"sourced\.db is not a Sourced index .*impacts"):
        run(IndexReader.open(db))


@pytest.mark.parametrize("name", ["vocabulary", "offsets", "rowids"])
def test_an_index_without_a_served_array_is_refused(records_db: Path, tmp_path: Path, run,
                                                    name: str) -> None:
    db = tmp_path / "sourced.db"
    shutil.copy(records_db, db)
    with closing(sqlite3.connect(db)) as con, con:
        con.execute("DELETE FROM arrays WHERE name = ?", (name,))
    with pytest.raises(IndexNotFound, match=rf"not a Sourced index \(no {name} array\)"):
        run(IndexReader.open(db))


def test_postings_shorter_than_their_offsets_are_refused(records_db: Path, tmp_path: Path,
                                                         run) -> None:
    db = tmp_path / "sourced.db"
    shutil.copy(records_db, db)
    with closing(sqlite3.connect(db)) as con, con:
        con.execute("UPDATE arrays SET data = substr(data, 1, length(data) - 40) "
                    "WHERE name = 'impacts'")
    with pytest.raises(IndexNotFound, match=r"the impacts array holds [\d,]+ postings where the "
                                            r"offsets say [\d,]+"):
        run(IndexReader.open(db))


def test_an_index_replaced_while_it_opens_is_never_mixed_with_the_new_one(
        records_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run) -> None:
    db, new = tmp_path / "sourced.db", tmp_path / "new.db"
    shutil.copy(records_db, db)
    write_records(tmp_path / "other", seed=2)
    build(tmp_path / "other", new)
    shutil.copy(new, tmp_path / "expected.db")
    read_arrays = store.arrays_from_rows

    def replaced_meanwhile(rows):  # a build finishing between the reader's connections
        if new.exists():
            os.replace(new, db)
        return read_arrays(rows)

    async def answers(path: Path) -> list:
        async with await IndexReader.open(path) as reader:
            await reader.loaded()
            return [await reader.search(q, 5) for q in QUESTIONS]

    want = run(answers(tmp_path / "expected.db"))
    monkeypatch.setattr(store, "arrays_from_rows", replaced_meanwhile)
    assert run(answers(db)) == want and not new.exists()
