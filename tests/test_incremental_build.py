"""A rebuild reads only the files that changed, drops removed ones, and equals a clean build."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from index.build import build
from index.loaders import LoadContext
from index.outlets import Gazetteer

from .conftest import CORPUS

FERRY = ("3\n\nWhat sank the ferry?\n\n1 Answer 1\n\n7\n\nAccording to the AP:\n\n"
         "The ferry sank in a storm.\n")


def dump(db: Path) -> dict[str, list]:
    con = sqlite3.connect(db)
    try:
        return {
            "files": con.execute("SELECT path, sha256, threads, passages FROM files "
                                 "ORDER BY path").fetchall(),
            "threads": con.execute("SELECT key, title, question, url, score, tags FROM threads "
                                   "ORDER BY id").fetchall(),
            "passages": con.execute(
                "SELECT p.id, p.pid, p.kind, p.text, o.name, p.url, p.lead_in FROM passages p "
                "LEFT JOIN outlets o ON o.id = p.outlet_id ORDER BY p.id").fetchall(),
            "comments": con.execute("SELECT text, score, author, date FROM comments "
                                    "ORDER BY id").fetchall(),
            "arrays": con.execute("SELECT name, dtype, data FROM arrays ORDER BY name")
            .fetchall(),
        }
    finally:
        con.close()


def test_rebuild_equals_clean_build(tmp_path: Path, shared_data: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "ferry.txt").write_text(FERRY, encoding="utf-8")
    (corpus / "gone.md").write_text("Says the BBC:\n\n> Soon removed.\n", encoding="utf-8")
    (corpus / "genai").mkdir()
    (corpus / "genai" / "Posts.xml").symlink_to(shared_data / "stackexchange/genai/Posts.xml")
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

    clean = tmp_path / "clean.db"
    build(corpus, clean, reuse=False)
    assert dump(db) == dump(clean)


def test_changed_gazetteer_rereads_everything(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    db = tmp_path / "index.db"
    build(corpus, db)
    assert all(f.reused for f in build(corpus, db).files)
    smaller = tmp_path / "outlets.toml"
    smaller.write_text('[[outlet]]\nname = "BBC"\naliases = []\ndomains = ["bbc.co.uk"]\n')
    report = build(corpus, db, ctx=LoadContext(Gazetteer.load(smaller)))
    assert not any(f.reused for f in report.files)
    outlets = {p.outlet for p in report.passages if p.outlet}
    assert outlets == {"BBC"}


def test_sidecar_change_counts_as_a_change(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    db = tmp_path / "index.db"
    build(corpus, db)
    sidecar = corpus / "politics-se-why-was-soleimani-in-iraq.meta.toml"
    sidecar.write_text(sidecar.read_text().replace("Why was", "Why, then, was"))
    report = build(corpus, db)
    assert not report.files[0].reused
    assert report.files[0].threads[0].title == "Why, then, was Qasem Soleimani in Iraq?"
