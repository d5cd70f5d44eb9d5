"""Passage vectors move between the previous index, the cache, the model and the new index a
slice at a time (``index.vectors``): the result does not depend on the slice, a stopped build
resumes, the model is loaded only for what is nowhere else, and the memory a build holds is
far below the vectors' size."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tracemalloc
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from index import embedding, vectors
from index.build import build, build_with
from index.embedding import content_key, quantize
from index.settings import IndexSettings, SemanticSettings

MODEL = "hashing-test-model"


class Hashing:
    """A stand-in model: each text's vector is drawn from a generator seeded by its hash, so
    the same text always gets the same vector and the test knows what to expect."""

    name = MODEL

    def __init__(self, dim: int = 48) -> None:
        self.dim = dim
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += texts
        return np.stack([unit(t, self.dim) for t in texts]) if texts else \
            np.zeros((0, self.dim), dtype=np.float32)


def unit(text: str, dim: int) -> np.ndarray:
    seed = int.from_bytes(content_key(text)[:8], "little")
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


Notes = dict[str, tuple[str, list[str]]]


def write_notes(folder: Path, notes: Notes) -> None:
    """Passage records (name: title, texts), one file each, one passage a record."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jsonl"):
        if old.name not in notes:
            old.unlink()
    for name, (title, texts) in notes.items():
        (folder / name).write_text("".join(json.dumps({"_id": f"{name}-{i}", "title": title,
                                                       "text": text}) + "\n"
                                           for i, text in enumerate(texts)), encoding="utf-8")


def corpus(files: int, per_file: int, *, changed: str = "") -> Notes:
    """Note f repeats note f - 4 (same title and paragraphs: the same keys), so 4 * per_file
    distinct texts; ``changed`` is appended to note 3's paragraphs."""
    return {f"n{f:02d}.jsonl": (f"Note {f % 4}", [
        f"Paragraph {i} of note {f % 4} about ships{changed if f == 3 else ''}."
        for i in range(per_file)]) for f in range(files)}


def distinct(files: int, per_file: int, prefix: str = "n") -> Notes:
    return {f"{prefix}{f:02d}.jsonl": (f"Note {prefix}{f}", [
        f"Paragraph {i} of note {prefix}{f}." for i in range(per_file)]) for f in range(files)}


def settings(tmp_path: Path) -> IndexSettings:
    return IndexSettings(corpus=tmp_path / "corpus", database=tmp_path / "i.db",
                         semantic=SemanticSettings(model=MODEL))


def stored(db: Path) -> dict[str, object]:
    with closing(sqlite3.connect(db)) as con:
        arrays = dict(con.execute("SELECT name, data FROM arrays WHERE name IN "
                                  "('vectors', 'vector_scales', 'vector_keys')"))
        meta = dict(con.execute("SELECT key, value FROM meta WHERE key LIKE 'vectors_%'"))
    return {"arrays": {k: bytes(v) for k, v in arrays.items()}, "meta": meta}


def expected_rows(db: Path, dim: int) -> tuple[bytes, bytes]:
    """What every passage's int8 row and scale must be: its own text's vector, quantized."""
    with closing(sqlite3.connect(db)) as con:
        rowids = np.frombuffer(con.execute("SELECT data FROM arrays WHERE name = 'rowids'")
                               .fetchone()[0], dtype=np.int64)
        texts = {rowid: embedding.embedded_text(title, text, lead_in) for rowid, title, text,
                 lead_in in con.execute("SELECT p.id, t.title, p.text, p.lead_in FROM passages"
                                        " p JOIN answers a ON a.id = p.answer_id JOIN threads "
                                        "t ON t.id = a.thread_id")}
    rows, scales = quantize(np.stack([unit(texts[int(r)], dim) for r in rowids]))
    return rows.tobytes(), scales.tobytes()


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> Hashing:
    fake = Hashing()
    monkeypatch.setattr(embedding, "load", lambda name: fake)
    return fake


def rounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slice_rows: int,
           chunk: int) -> list[dict[str, object]]:
    """A clean build, a rebuild with one note changed and one added, and a build from
    scratch when the index is gone (its vectors all from the cache): what each stored."""
    monkeypatch.setattr(vectors, "SLICE", slice_rows)
    monkeypatch.setattr(vectors, "CHUNK", chunk)
    s = settings(tmp_path)
    out = []
    write_notes(s.corpus, corpus(8, 6))
    build_with(s)
    out.append(stored(s.database))
    # Note 3 changes: 5 new texts, and its paragraph 1 as before (carried by its key); a new
    # note 5b holds one new text and one that notes 1 and 5 hold (carried by its key).
    notes = corpus(8, 6, changed=" and ports")
    notes["n03.jsonl"][1][:2] = ["Paragraph 0 of note 2 about ships.",
                              "Paragraph 1 of note 3 about ships."]
    notes["n05b.jsonl"] = ("Note 1", ["Paragraph 4 of note 1 about ships.",
                                   "A new paragraph on ferries."])
    write_notes(s.corpus, notes)
    build_with(s)
    out.append(stored(s.database))
    s.database.unlink()
    build_with(s)
    out.append(stored(s.database))
    return out


def test_vectors_moved_in_tiny_slices_equal_the_whole(tmp_path: Path, model: Hashing,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    whole = rounds(tmp_path / "whole", monkeypatch, 1 << 20, 1 << 20)
    model.texts.clear()
    sliced = rounds(tmp_path / "sliced", monkeypatch, 3, 2)
    assert sliced == whole
    # And each is each passage's own vector: carried, from the cache, or embedded.
    for db in (tmp_path / "sliced" / "i.db", tmp_path / "whole" / "i.db"):
        rows, scales = expected_rows(db, model.dim)
        assert stored(db)["arrays"] == {"vectors": rows, "vector_scales": scales,
                                        "vector_keys": stored(db)["arrays"]["vector_keys"]}
        assert stored(db)["meta"]["vectors_missing"] == "0"
    # Each distinct text once: 24 of the first build's 48 passages and its 4 thread titles
    # (index.title_vectors), then the changed note's 5 new texts and the new note's 1; the
    # build from scratch embedded nothing.
    assert sorted(set(model.texts)) == sorted(model.texts)
    assert len(model.texts) == 24 + 4 + 5 + 1


def test_the_model_is_loaded_only_for_what_is_nowhere_else(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(tmp_path)
    write_notes(s.corpus, distinct(3, 4))
    fake = Hashing()
    monkeypatch.setattr(embedding, "load", lambda name: fake)
    build_with(s)

    def no_model(name: str) -> Hashing:
        raise AssertionError("the model was loaded with every vector in the cache")

    monkeypatch.setattr(embedding, "load", no_model)
    # Another gazetteer or passage size: the index cannot be reused, the cache can.
    (tmp_path / "i.db").unlink()
    report = build_with(s)
    assert report.vectors is not None
    assert report.vectors.startswith("Vectors: 12 passage(s), 0 embedded now, 12 from the "
                                     "vector cache"), report.vectors
    rows, _ = expected_rows(s.database, fake.dim)
    assert stored(s.database)["arrays"]["vectors"] == rows


def test_a_stopped_build_resumes_slice_by_slice(tmp_path: Path, model: Hashing,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors, "SLICE", 5)
    monkeypatch.setattr(vectors, "CHUNK", 4)
    s = settings(tmp_path)
    write_notes(s.corpus, distinct(4, 5))
    real = model.embed
    calls: list[int] = []

    def stop_on_third(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(texts)

    monkeypatch.setattr(model, "embed", stop_on_third)
    with pytest.raises(KeyboardInterrupt):
        build_with(s)
    assert stored(s.database)["meta"]["vectors_missing"] == "20"
    monkeypatch.setattr(model, "embed", real)
    model.texts.clear()
    report = build_with(s)
    assert report.vectors is not None and "12 embedded now, 8 from the vector cache" in \
        report.vectors, report.vectors
    rows, scales = expected_rows(s.database, model.dim)
    assert stored(s.database)["arrays"]["vectors"] == rows
    assert stored(s.database)["arrays"]["vector_scales"] == scales


def test_carrying_and_embedding_hold_far_less_than_the_vectors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python and numpy allocations (tracemalloc) while a rebuild carries 3,000 vectors of
    4,096 dimensions (12 MB) and embeds 3,000 more: the whole arrays, held at once as before,
    were at least twice the 24 MB of all the vectors. What is left is BM25's and the
    per-passage numbers (about 3 MB)."""
    monkeypatch.setattr(vectors, "SLICE", 64)
    monkeypatch.setattr(vectors, "CHUNK", 16)  # a chunk's vectors and their quantizing
    fake = Hashing(dim=4096)
    monkeypatch.setattr(embedding, "load", lambda name: fake)
    corpus_dir = tmp_path / "corpus"
    write_notes(corpus_dir, distinct(30, 100))
    db = tmp_path / "i.db"
    build(corpus_dir, db, vectors_model=MODEL)
    assert vectors.embed_missing(db, fake).complete
    write_notes(corpus_dir, distinct(30, 100) | distinct(30, 100, "m"))
    size = 6000 * 4096
    tracemalloc.start()
    try:
        build(corpus_dir, db, vectors_model=MODEL)
        _, carried = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        report = vectors.embed_missing(db, fake)
        _, embedded = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.complete and report.embedded == 3000
    assert carried < size / 4, carried
    assert embedded < size / 4, embedded
    rows, _ = expected_rows(db, fake.dim)
    assert stored(db)["arrays"]["vectors"] == rows


def test_embedding_apart_gives_the_model_s_memory_back(tmp_path: Path) -> None:
    """``python -m index build`` embeds in a process of its own (the real model, loaded
    there): the building process never imports PyTorch, so the graph built next does not
    come on top of it. Progress and the report come back to the building process."""
    corpus_dir = tmp_path / "corpus"
    write_notes(corpus_dir, distinct(2, 3))
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from index.build import build\n"
        "from index.embedding import DEFAULT_MODEL\n"
        "from index.vectors import embed_apart\n"
        "db = Path(sys.argv[2])\n"
        "build(Path(sys.argv[1]), db, vectors_model=DEFAULT_MODEL)\n"
        "seen = []\n"
        "report = embed_apart(db, DEFAULT_MODEL, progress=lambda d, t: seen.append([d, t]))\n"
        "print(json.dumps({'complete': report.complete, 'embedded': report.embedded,\n"
        "                  'progress': seen, 'torch': 'torch' in sys.modules}))\n")
    out = subprocess.run([sys.executable, "-c", script, str(corpus_dir), str(tmp_path / "i.db")],
                         capture_output=True, text=True, timeout=600,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"complete": True, "embedded": 6,
                                      "progress": [[0, 6], [6, 6]], "torch": False}
    assert stored(tmp_path / "i.db")["meta"] == {
        "vectors_model": embedding.DEFAULT_MODEL, "vectors_dim": "384", "vectors_missing": "0"}


def test_a_killed_embedding_process_loses_only_its_unfinished_chunk(tmp_path: Path) -> None:
    """The embedding process (the real model) is killed once its first chunk is saved: the
    build says so, and the next one embeds only the rest, taking the first chunk from the
    cache."""
    import os
    import signal

    corpus_dir = tmp_path / "corpus"
    write_notes(corpus_dir, distinct(1, vectors.CHUNK + 120))  # the rest: seconds
    db = tmp_path / "i.db"
    build(corpus_dir, db, vectors_model=embedding.DEFAULT_MODEL)

    def kill_after_the_first_chunk(done: int, total: int) -> None:
        if done == 0:
            return
        for task in Path(f"/proc/{os.getpid()}/task").iterdir():
            for pid in (task / "children").read_text().split():
                if b"_embed_child" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(int(pid), signal.SIGKILL)

    with pytest.raises(RuntimeError, match="exit code -9"):
        vectors.embed_apart(db, embedding.DEFAULT_MODEL, progress=kill_after_the_first_chunk)
    assert stored(db)["meta"]["vectors_missing"] == str(vectors.CHUNK + 120)  # not replaced
    report = vectors.embed_apart(db, embedding.DEFAULT_MODEL)
    assert (report.complete, report.resumed, report.embedded) == (True, vectors.CHUNK, 120)
    assert stored(db)["meta"]["vectors_missing"] == "0"
