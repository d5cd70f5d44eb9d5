"""Rebuilds against clean builds, over random series of corpus changes.

Each round changes a few files of a small mixed corpus (edits, additions, removals, renames,
broken files, ids held twice, sidecars, an emptied corpus), rebuilds with reuse and from
scratch, and compares everything the two indexes hold, what they answer and what they report.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from index.build import build
from index.reader import IndexReader

from .test_incremental_build import dump

WORDS = ["ferry", "storm", "gale", "summit", "treaty", "vaccine", "flood", "satellite", "budget",
         "minister", "harbour", "river", "election", "court", "protest", "strike", "oil", "bank"]
LEAD_INS = ["According to the AP:", "Says the BBC:", "Reuters reports:", "I think so.",
            "From https://www.bbc.co.uk/news/x :"]
NAMES = ["a", "b", "c", "sub/a", "sub/d", "z/e"]
QUESTIONS = ["what happened with the ferry", "storm gale", "treaty vaccine minister",
             "oil bank strike"]


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def thread_text(rng: random.Random) -> str:
    n = rng.randint(0, 3)
    lines = [str(rng.randint(0, 40)), "", words(rng, 6).capitalize() + "?", "",
             f"{n} Answer{'s' if n != 1 else ''} {n}", ""]
    for _ in range(n):
        lines += [str(rng.randint(-3, 50)), ""]
        for _ in range(rng.randint(1, 3)):
            lines += [rng.choice(LEAD_INS), "", f"  {words(rng, rng.randint(3, 20))}.", ""] \
                if rng.random() < 0.5 else [words(rng, rng.randint(2, 15)) + ".", ""]
    return "\n".join(lines) + "\n"


def note_text(rng: random.Random) -> str:
    return "".join(f"{rng.choice(LEAD_INS)}\n\n> {words(rng, rng.randint(2, 25))}.\n\n"
                   for _ in range(rng.randint(1, 4)))


def records_text(rng: random.Random) -> str:
    ids = [str(rng.randint(0, 6)) for _ in range(rng.randint(1, 4))]  # clashes on purpose
    return "".join(json.dumps({"_id": i, "title": words(rng, 2), "text": words(rng, 8)}) + "\n"
                   for i in ids)


def write_random_file(rng: random.Random, corpus: Path) -> None:
    path = corpus / f"{rng.choice(NAMES)}.{rng.choice(['txt', 'md', 'jsonl'])}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if rng.random() < 0.1:
        path.write_bytes(rng.choice([b"\x00\x01", b"", b"\xff\xfe", b"{not json\n"]))
        return
    make = {".txt": thread_text, ".md": note_text, ".jsonl": records_text}[path.suffix]
    path.write_text(make(rng), encoding="utf-8")


def change(rng: random.Random, corpus: Path) -> None:
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    what = rng.choice(["add", "add", "rewrite", "remove", "rename", "sidecar"])
    if what == "add" or not files:
        write_random_file(rng, corpus)
    elif what == "rewrite":
        victim = rng.choice(files)
        victim.unlink()
        write_random_file(rng, corpus)
    elif what == "remove":
        rng.choice(files).unlink()
    elif what == "rename":
        source = rng.choice(files)
        target = corpus / f"{rng.choice(NAMES)}{source.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    else:
        owner = rng.choice(files)
        owner.with_suffix(".meta.toml").write_text(f'title = "{words(rng, 3)}"\n',
                                                  encoding="utf-8")


async def answers(db: Path) -> list[object]:
    async with await IndexReader.open(db) as reader:
        stats = dataclasses.replace(await reader.stats(), built_at="")
        out: list[object] = [await reader.outlets(), await reader.sources(),
                             await reader.files(), stats]
        for question in QUESTIONS:
            for restrict in ({}, {"kind": "quote"}, {"outlet": "BBC"}):
                out.append(await reader.search(question, 10, **restrict))
        return out


@pytest.mark.parametrize("seed", range(6))
def test_rebuilds_equal_clean_builds(tmp_path: Path, seed: int, run) -> None:
    rng = random.Random(seed)
    corpus, db, clean = tmp_path / "corpus", tmp_path / "index.db", tmp_path / "clean.db"
    corpus.mkdir()
    for _ in range(4):
        write_random_file(rng, corpus)
    reused = 0
    for round_ in range(8):
        if round_ == 4 and seed % 2:  # everything goes; the next rounds start over
            shutil.rmtree(corpus)
            corpus.mkdir()
        again = build(corpus, db)
        clean.unlink(missing_ok=True)
        fresh = build(corpus, clean, reuse=False)
        assert [(f.path, f.counts) for f in again.files] == [(f.path, f.counts)
                                                              for f in fresh.files]
        assert [str(e) for e in again.skipped] == [str(e) for e in fresh.skipped]
        assert dump(db) == dump(clean)
        rebuilt, expected = run(answers(db)), run(answers(clean))
        assert rebuilt == expected
        reused += sum(f.reused for f in again.files)
        for _ in range(rng.randint(1, 3)):
            change(rng, corpus)
    assert reused  # the rebuilds did keep files, so the reuse path was compared


def test_a_damaged_previous_index_is_built_afresh(tmp_path: Path, caplog) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("Says the BBC:\n\n> The ferry sank.\n", encoding="utf-8")
    (corpus / "b.md").write_text("Reuters reports:\n\n> The storm passed.\n", encoding="utf-8")
    db = tmp_path / "index.db"
    build(corpus, db)
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM arrays WHERE name = 'tfs'")
    con.close()
    (corpus / "b.md").write_text("Reuters reports:\n\n> The gale passed.\n", encoding="utf-8")
    report = build(corpus, db)
    assert not any(f.reused for f in report.files)
    assert "cannot be reused" in caplog.text and "no tfs array" in caplog.text
    clean = tmp_path / "clean.db"
    build(corpus, clean, reuse=False)
    assert dump(db) == dump(clean)
