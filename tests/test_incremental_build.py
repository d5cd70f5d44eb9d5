"""A rebuild reads only the files that changed, drops removed ones, and equals a clean build."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from index.build import build
from index.loaders import LoadContext
from index.outlets import Gazetteer
from index.postings import Postings
from index.tokenize import Tokenizer

from .conftest import copy_seed

FERRY = ("3\n\nWhat sank the ferry?\n\n1 Answer 1\n\n7\n\nAccording to the AP:\n\n"
         "The ferry sank in a storm.\n")


def dump(db: Path) -> dict[str, object]:
    """Everything an index holds, in corpus order. Row ids and outlet ids are internal: a
    rebuild keeps the old rows where they are, so they are compared through what they name."""
    con = sqlite3.connect(db)
    try:
        arrays = {name: np.frombuffer(data, dtype=dtype) if dtype != "text" else data
                  for name, dtype, data in con.execute("SELECT name, dtype, data FROM arrays")}
        outlet_names = dict(con.execute("SELECT id, name FROM outlets"))
        passages = {row[0]: row[1:] for row in con.execute(
            "SELECT p.id, p.pid, p.kind, p.text, o.name, p.url, p.lead_in, t.key, a.position, "
            "p.source_kind "
            "FROM passages p JOIN answers a ON a.id = p.answer_id "
            "JOIN threads t ON t.id = a.thread_id LEFT JOIN outlets o ON o.id = p.outlet_id")}
        rowids, outlets = arrays.pop("rowids"), arrays.pop("outlets")
        return {
            "files": con.execute("SELECT path, sha256, threads, passages, quotes, sourced, "
                                 "source_kinds, first_doc FROM files ORDER BY path").fetchall(),
            "ratings": con.execute("SELECT name, status, url FROM ratings ORDER BY name")
                          .fetchall(),
            "threads": con.execute("SELECT key, title, question, url, score, tags FROM threads "
                                   "ORDER BY key").fetchall(),
            "passages in document order": [passages[int(r)] for r in rowids],
            "outlet of each document": [outlet_names.get(int(o)) for o in outlets],
            "comments": con.execute(
                "SELECT t.key, a.position, c.text, c.score, c.author, c.date FROM comments c "
                "JOIN threads t ON t.id = c.thread_id LEFT JOIN answers a ON a.id = c.answer_id "
                "ORDER BY t.key, a.position, c.id").fetchall(),
            "outlets": sorted(outlet_names.values()),
            "arrays": {name: (a.dtype.str, a.tobytes()) if isinstance(a, np.ndarray) else a
                       for name, a in arrays.items()},
            "meta": con.execute("SELECT key, value FROM meta WHERE key != 'built_at' "
                                "ORDER BY key").fetchall(),
            "integrity": con.execute("PRAGMA integrity_check").fetchall(),
        }
    finally:
        con.close()


def test_rebuild_equals_clean_build(tmp_path: Path, shared_data: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    (corpus / "ferry.txt").write_text(FERRY, encoding="utf-8")
    (corpus / "gone.md").write_text("Says the BBC:\n\n> Soon removed.\n", encoding="utf-8")
    (corpus / "genai").mkdir()
    # A copy: a link out of the corpus folder is refused.
    shutil.copyfile(shared_data / "stackexchange/genai/Posts.xml", corpus / "genai" / "Posts.xml")
    db = tmp_path / "index.db"
    first = build(corpus, db)
    assert not any(f.reused for f in first.files)

    (corpus / "ferry.txt").write_text(FERRY.replace("storm", "gale"), encoding="utf-8")
    (corpus / "gone.md").unlink()
    (corpus / "new.md").write_text("Reuters reports:\n\n> A new quote.\n", encoding="utf-8")
    again = build(corpus, db)
    reused = {f.path: f.reused for f in again.files}
    assert reused == {"ferry.txt": False, "genai/Posts.xml": True, "new.md": False,
                      "politics-se-why-was-soleimani-in-iraq.txt": True}
    # The deleted file is named, in the summary and for scripts; a build reading all anew too.
    assert first.removed == [] and again.removed == ["gone.md"]
    assert "Removed 1 file(s) no longer in the corpus: gone.md" in again.summary()
    assert again.to_json()["removed"] == ["gone.md"]
    (corpus / "new.md").unlink()
    assert build(corpus, tmp_path / "index.db", reuse=False).removed == ["new.md"]
    (corpus / "new.md").write_text("Reuters reports:\n\n> A new quote.\n", encoding="utf-8")
    build(corpus, db)

    clean = tmp_path / "clean.db"
    fresh = build(corpus, clean, reuse=False)
    assert dump(db) == dump(clean)
    assert len(dump(db)["passages in document order"]) == again.totals.passages
    # Quotes by kind of source: the reused dump's counts come from the old index's rows.
    assert again.by_kind == fresh.by_kind and again.by_kind["linked_post"] > 0


def test_changed_gazetteer_rereads_everything(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    db = tmp_path / "index.db"
    build(corpus, db)
    assert all(f.reused for f in build(corpus, db).files)
    smaller = tmp_path / "outlets.toml"
    smaller.write_text('[[outlet]]\nname = "BBC"\naliases = []\ndomains = ["bbc.co.uk"]\n')
    report = build(corpus, db, ctx=LoadContext(Gazetteer.load(smaller)))
    assert not any(f.reused for f in report.files)
    outlets = {p.outlet for p in report.parsed_passages() if p.outlet}
    assert outlets == {"BBC"}


def test_sidecar_change_counts_as_a_change(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    db = tmp_path / "index.db"
    build(corpus, db)
    sidecar = corpus / "politics-se-why-was-soleimani-in-iraq.meta.toml"
    sidecar.write_text(sidecar.read_text().replace("Why was", "Why, then, was"))
    report = build(corpus, db)
    assert not report.files[0].reused
    with closing(sqlite3.connect(db)) as con:
        (title,) = con.execute("SELECT title FROM threads").fetchone()
    assert title == "Why, then, was Qasem Soleimani in Iraq?"


def passage_file(path: Path, *ids: str) -> None:
    path.write_text("".join(json.dumps({"_id": i, "title": f"About {i}", "text": f"ferry {i}"})
                            + "\n" for i in ids), encoding="utf-8")


def test_the_first_file_holding_an_id_wins(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    passage_file(corpus / "a.jsonl", "1")
    passage_file(corpus / "c.jsonl", "2", "3")
    passage_file(corpus / "twice.jsonl", "4", "4")
    db = tmp_path / "index.db"
    first = build(corpus, db)
    assert [f.path for f in first.files] == ["a.jsonl", "c.jsonl"]
    [twice] = first.skipped
    assert (twice.path.name, twice.record) == ("twice.jsonl", "thread twice/4")
    assert "earlier in this file" in twice.problem

    # A new file before c.jsonl holds one of its ids: c.jsonl, unchanged, now gives way.
    passage_file(corpus / "b.jsonl", "3")
    again = build(corpus, db)
    assert [(f.path, f.reused) for f in again.files] == [("a.jsonl", True), ("b.jsonl", False)]
    clash = next(e for e in again.skipped if e.path.name == "c.jsonl")
    assert clash.record == "passage 3" and "already loaded from b.jsonl" in clash.problem
    clean = tmp_path / "clean.db"
    report = build(corpus, clean, reuse=False)
    assert sorted(str(e) for e in report.skipped) == sorted(str(e) for e in again.skipped)
    assert dump(db) == dump(clean)


def test_postings_over_different_documents_are_not_merged() -> None:
    five = Postings.of_documents([["ferry"]], n_docs=5)
    with pytest.raises(ValueError, match="postings over 5 and 3 documents cannot be merged"):
        five.merged(Postings.of_documents([["storm"]], n_docs=3))
    merged = five.merged(Postings.of_documents([["storm"]], numbers=np.array([4]), n_docs=5))
    assert merged.vocabulary == ["ferry", "storm"] and merged.docs.tolist() == [0, 4]


def test_postings_written_in_small_pieces_equal_the_whole(tmp_path: Path, shared_data: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The build counts postings a chunk of documents at a time and writes them a piece of
    terms at a time; with chunks of 5 documents and pieces of 7 postings (hundreds of each),
    clean builds and rebuilds equal a build done in one chunk and one piece, and the arrays
    equal the in-memory postings and impacts of the same documents."""
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    (corpus / "ferry.txt").write_text(FERRY, encoding="utf-8")
    (corpus / "genai").mkdir()
    shutil.copyfile(shared_data / "stackexchange/genai/Posts.xml", corpus / "genai" / "Posts.xml")
    whole = tmp_path / "whole.db"
    build(corpus, whole, reuse=False)

    with monkeypatch.context() as small:
        small.setattr("index.postings.CHUNK_DOCS", 5)
        small.setattr("index.postings.PIECE", 7)
        pieces = tmp_path / "pieces.db"
        build(corpus, pieces)
        assert dump(pieces) == dump(whole)
        (corpus / "ferry.txt").write_text(FERRY.replace("storm", "gale squall"),
                                          encoding="utf-8")
        passage_file(corpus / "a.jsonl", "1", "2")
        again = build(corpus, pieces)
        assert any(f.reused for f in again.files)
    build(corpus, whole, reuse=False)
    assert dump(pieces) == dump(whole)

    with closing(sqlite3.connect(whole)) as con:
        texts = con.execute(
            "SELECT p.text, t.title, t.question FROM json_each(?) j JOIN passages p "
            "ON p.id = j.value JOIN answers a ON a.id = p.answer_id JOIN threads t "
            "ON t.id = a.thread_id ORDER BY j.key",
            (json.dumps(np.frombuffer(con.execute("SELECT data FROM arrays WHERE name = "
                                                  "'rowids'").fetchone()[0], np.int64)
                        .tolist()),)).fetchall()
    tokenize = Tokenizer()
    expected = Postings.of_documents([tokenize(text) + tokenize(title) + tokenize(question)
                                      for text, title, question in texts])
    impacts = expected.impacts()
    arrays = dump(whole)["arrays"]
    assert arrays["vocabulary"] == "\n".join(expected.vocabulary).encode()
    for name, array in (("offsets", impacts.offsets), ("docs", impacts.docs),
                        ("impacts", impacts.impacts), ("tfs", expected.tfs),
                        ("lengths", expected.lengths)):
        assert arrays[name] == (array.dtype.str, array.tobytes()), name
