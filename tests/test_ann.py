"""The nearest-neighbour index (index.ann): exact scores on what it finds, restrictions, kept
with the index it was built for, never another's, and BM25 when it is missing."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index import ann
from index.build import build_with
from index.dense import DenseIndex
from index.embedding import content_key, quantize
from index.reader import IndexReader
from index.store import VectorArrays

from .test_semantic import NOTES, ask, settings, write_corpus


def fake_index(folder: Path, vectors: np.ndarray, model: str = "m") -> Path:
    """A file with just what ``index.ann`` reads: meta and the vector arrays."""
    rows, scales = quantize(vectors)
    # Each key names its vector, as content_key names a passage's text.
    keys = np.frombuffer(b"".join(content_key(r.tobytes().hex()) for r in rows),
                         dtype=np.uint8).reshape(len(rows), 16)
    arrays = VectorArrays(model, keys, rows, scales)
    db = folder / "i.db"
    con = sqlite3.connect(db)
    with con:
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.execute("CREATE TABLE arrays (name TEXT PRIMARY KEY, dtype TEXT, data BLOB)")
        con.executemany("INSERT INTO meta VALUES (?, ?)", arrays.meta().items())
        con.executemany("INSERT INTO arrays VALUES (?, ?, ?)",
                        [(n, str(a.dtype), a.tobytes()) for n, a in arrays.arrays().items()])
    con.close()
    return db


@pytest.fixture(autouse=True)
def one_build_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """One thread builds the same graph every run: with several, the graph depends on their
    timing, and a comparison with exact search once fell short (0.967 agree against 0.98)."""
    monkeypatch.setattr(ann, "BUILD_THREADS", 1)


def unit(rng: np.random.Generator, n: int, dim: int = 32) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def agreement(nearest: ann.NearestIndex, exact: DenseIndex, queries: np.ndarray) -> float:
    """The share of exact search's best 10 the graph finds, over ``queries``; every score it
    gives is exact search's for that passage, best first."""
    agree = []
    for query in queries:
        docs, scores = nearest.top_k(query, 10)
        want, _ = exact.top_k(query, 10)
        np.testing.assert_allclose(scores, exact.scores(query)[docs], rtol=1e-5, atol=1e-6)
        assert np.all(np.diff(scores) <= 0)
        agree.append(len(set(docs.tolist()) & set(want.tolist())) / 10)
    return float(np.mean(agree))


def test_it_finds_what_exact_search_finds_with_exact_scores(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ann, "EXACT_BELOW", 100)  # the graph's search, on a small set
    rng = np.random.default_rng(1)
    db = fake_index(tmp_path, unit(rng, 3000))
    assert ann.build(db) is not None
    assert ann.build(db) is None  # built once for these vectors
    nearest = ann.NearestIndex.open(db)
    rows, scales = quantize(unit(np.random.default_rng(1), 3000))
    exact = DenseIndex(rows, scales)
    assert agreement(nearest, exact, unit(rng, 50)) >= 0.98


@pytest.mark.parametrize("share", [0.005, 0.5, 0.97])
def test_restricted_searches_keep_to_the_allowed_passages(tmp_path: Path, share: float,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(ann, "EXACT_BELOW", 100)  # both ways of restricting, on a small set
    rng = np.random.default_rng(2)
    vectors = unit(rng, 3000)
    db = fake_index(tmp_path, vectors)
    ann.build(db)
    nearest = ann.NearestIndex.open(db)
    exact = DenseIndex(*quantize(vectors))
    allowed = rng.random(3000) < share
    for query in unit(rng, 20):
        docs, _ = nearest.top_k(query, 10, allowed)
        want, _ = exact.top_k(query, 10, allowed)
        assert allowed[docs].all()
        assert len(docs) == min(10, int(allowed.sum()))
        assert len(set(docs.tolist()) & set(want.tolist())) >= 8


def test_another_index_s_graph_is_never_opened(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    (tmp_path / "a").mkdir()
    db = fake_index(tmp_path / "a", unit(rng, 200))
    ann.build(db)
    graph = next(db.parent.glob(".i.db.ann-*"))
    # The same file name, other vectors (a rebuild): the old graph's numbers do not fit.
    fake_index_again = fake_index(tmp_path, unit(rng, 200))
    graph.rename(tmp_path / graph.name)
    with pytest.raises(FileNotFoundError):
        ann.NearestIndex.open(fake_index_again)


def test_a_rebuild_replaces_the_graph_and_finds_new_passages(tmp_path: Path, run) -> None:
    s = settings(tmp_path)
    write_corpus(s.corpus)
    report = build_with(s)
    assert report.vectors is not None and "nearest-neighbour index built" in report.vectors
    first = sorted(tmp_path.glob(".i.db.ann-*"))
    assert len(first) == 1
    unchanged = build_with(s)
    assert unchanged.vectors is not None and "nearest-neighbour index: unchanged" in \
        unchanged.vectors
    write_corpus(s.corpus, {"aa-volcano.md": (
        "Eruptions in Iceland", "Lava from the fissure reached the town's outskirts overnight.")})
    build_with(s)  # the new file sorts first: every document number moves
    second = sorted(tmp_path.glob(".i.db.ann-*"))
    assert len(second) == 1 and second != first
    hits = run(ask(s.database, "molten rock flowing near houses"))
    assert "Lava" in hits[0].text
    hits = run(ask(s.database, "can a heart attack hit people under 40?"))
    assert "Myocardial infarction" in hits[0].text


def test_without_its_graph_the_index_answers_with_bm25(tmp_path: Path, run,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    s = settings(tmp_path)
    write_corpus(s.corpus, dict(list(NOTES.items())[:2]))
    build_with(s)
    for graph in tmp_path.glob(".i.db.ann-*"):
        graph.unlink()
    with caplog.at_level(logging.WARNING, logger="index.reader"):
        hits = run(ask(s.database, "can a heart attack hit people under 40?"))
    assert all(h.similarity is None for h in hits)
    warnings = [r.getMessage() for r in caplog.records if "BM25 alone" in r.getMessage()]
    assert len(warnings) == 1 and "python -m index build" in warnings[0]
    build_with(s)  # the next build puts it back
    assert len(list(tmp_path.glob(".i.db.ann-*"))) == 1
    hits = run(ask(s.database, "can a heart attack hit people under 40?"))
    assert "Myocardial infarction" in hits[0].text and hits[0].similarity is not None


def test_the_projection_keeps_inner_products_of_vectors_in_its_subspace() -> None:
    # Unit vectors that all lie in a 4-dimensional subspace of 16 dimensions: the 4 directions
    # ``fit`` finds span it, so inner products there are the full vectors' own.
    rng = np.random.default_rng(4)
    subspace = np.linalg.qr(rng.standard_normal((16, 4)))[0].astype(np.float32)
    units = unit(rng, 500, 4) @ subspace.T
    basis, scale = ann.fit(units, 4)
    assert basis.shape == (16, 4)
    projected = units @ basis
    np.testing.assert_allclose(projected @ projected.T, units @ units.T, atol=1e-5)
    # The largest component over the sample maps to 127, and none beyond.
    assert np.abs(ann.project(units, basis, scale)).max() == 127


def test_a_graph_over_fewer_dimensions_still_gives_exact_scores(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Passages near an 8-dimensional subspace of 32, the graph over 8 dimensions, and only
    # the best 50 it finds rescored: the best 10 are still exact search's, with its scores.
    monkeypatch.setattr(ann, "DIMS", 8)
    monkeypatch.setattr(ann, "RESCORED", 50)
    monkeypatch.setattr(ann, "EXACT_BELOW", 100)
    rng = np.random.default_rng(5)
    mixing = rng.standard_normal((8, 32)).astype(np.float32)
    raw = rng.standard_normal((3000, 8)).astype(np.float32) @ mixing + \
        0.05 * rng.standard_normal((3000, 32)).astype(np.float32)
    vectors = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    db = fake_index(tmp_path, vectors)
    ann.build(db)
    nearest = ann.NearestIndex.open(db)
    assert nearest.reduced == 8
    exact = DenseIndex(*quantize(vectors))
    assert agreement(nearest, exact, vectors[rng.choice(3000, 30, replace=False)]) >= 0.98


def test_a_damaged_file_is_refused_not_read(tmp_path: Path) -> None:
    db = fake_index(tmp_path, unit(np.random.default_rng(6), 300))
    ann.build(db)
    graph = next(tmp_path.glob(".i.db.ann-*"))
    graph.write_bytes(graph.read_bytes()[:-8])  # a build stopped mid-write would look so
    with pytest.raises(ValueError, match="does not fit"):
        ann.NearestIndex.open(db)


def test_passages_sharing_one_large_component_are_centred_and_still_found(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every vector leans on one common direction (mean vector's length about 0.8, as the old
    # stand-in's did), so by inner product all passages look alike to the graph; centred, the
    # graph sees how they differ. The file keeps the centre it used: the passages' mean.
    monkeypatch.setattr(ann, "DIMS", 16)
    monkeypatch.setattr(ann, "EXACT_BELOW", 100)
    # A third of the passages rescored, as with 1,024 of these 3,000: over 16 dimensions the
    # projection's order alone is not what this test is about (512: 0.973 agree).
    monkeypatch.setattr(ann, "RESCORED", 1024)
    rng = np.random.default_rng(7)
    common = unit(rng, 1)[0]
    raw = 2.0 * common + 0.8 * unit(rng, 3000)
    vectors = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    db = fake_index(tmp_path, vectors)
    ann.build(db)
    nearest = ann.NearestIndex.open(db)
    mean = vectors.mean(axis=0)
    assert np.linalg.norm(mean) > 0.7
    np.testing.assert_allclose(nearest.centre, mean, atol=0.02)
    exact = DenseIndex(*quantize(vectors))
    assert agreement(nearest, exact, unit(rng, 30)) >= 0.98


def test_a_small_index_is_searched_exactly(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # A graph over 2 of 32 dimensions, rescoring only its best 10, would miss most of the
    # exact best 10; an index of fewer than EXACT_BELOW passages is not searched through it.
    monkeypatch.setattr(ann, "DIMS", 2)
    monkeypatch.setattr(ann, "RESCORED", 10)
    rng = np.random.default_rng(8)
    vectors = unit(rng, 2000)
    db = fake_index(tmp_path, vectors)
    ann.build(db)
    nearest = ann.NearestIndex.open(db)
    exact = DenseIndex(*quantize(vectors))
    for query in unit(rng, 20):
        docs, scores = nearest.top_k(query, 10)
        want, want_scores = exact.top_k(query, 10)
        assert docs.tolist() == want.tolist()
        np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-6)


def test_two_graphs_are_walked_and_merged_into_exact_search_s_best(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The passages split between two graphs, each holding its half's document numbers: what
    # both walks find is merged before rescoring, so the best 10 come from either half.
    monkeypatch.setattr(ann, "EXACT_BELOW", 100)
    monkeypatch.setattr(ann, "PARTS", 2)
    rng = np.random.default_rng(9)
    vectors = unit(rng, 3000)
    db = fake_index(tmp_path, vectors)
    ann.build(db)
    nearest = ann.NearestIndex.open(db)
    assert nearest.parts == 2
    assert [g.size for g in nearest._graphs] == [1500, 1500]
    exact = DenseIndex(*quantize(vectors))
    queries = unit(rng, 50)
    assert agreement(nearest, exact, queries) >= 0.98
    halves = [np.isin(nearest.top_k(q, 10)[0], np.arange(1500)).sum() for q in queries]
    assert 0 < np.mean(halves) < 10  # both graphs give some of the best


def test_the_graphs_are_walked_from_the_reader_s_own_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The reader reads each graph into memory of its own, from a huge page's boundary (the
    # walk then needs fewer address translations), as the file holds it: once open, the
    # graphs' bytes in the file are no longer read (only the rows are, for rescoring).
    monkeypatch.setattr(ann, "EXACT_BELOW", 100)
    monkeypatch.setattr(ann, "PARTS", 2)
    rng = np.random.default_rng(12)
    vectors = unit(rng, 3000)
    db = fake_index(tmp_path, vectors)
    ann.build(db)
    (path,) = tmp_path.glob(".i.db.ann-*")
    data = path.read_bytes()
    nearest = ann.NearestIndex.open(db)
    queries = unit(rng, 20)
    before = [nearest.top_k(q, 10) for q in queries]
    trailer = ann.TRAILER.unpack_from(data, len(data) - ann.TRAILER.size)
    table = len(data) - ann.TRAILER.size - trailer[4] * ann.PART.size
    parts = [ann.PART.unpack_from(data, table + i * ann.PART.size) for i in range(trailer[4])]
    assert len(parts) == len(nearest._held) == 2
    for (at, size), (_, view) in zip(parts, nearest._held, strict=True):
        assert bytes(view) == data[at:at + size]
        assert np.frombuffer(view, np.uint8, 1).ctypes.data % ann.HUGE_PAGE == 0
    with path.open("r+b") as f:  # the graphs' bytes on disk zeroed, the rows kept
        for at, size in parts:
            f.seek(at)
            f.write(bytes(size))
    for q, (docs, scores) in zip(queries, before, strict=True):
        again = nearest.top_k(q, 10)
        assert again[0].tolist() == docs.tolist()
        np.testing.assert_array_equal(again[1], scores)


def old_format(tmp_path: Path, db: Path) -> Path:
    """The file the format before wrote (one graph, no parts' table, its graph's bytes in
    the trailer), made from this format's one-graph file."""
    (new,) = tmp_path.glob(".i.db.ann-*")
    data = new.read_bytes()
    trailer = ann.TRAILER.unpack_from(data, len(data) - ann.TRAILER.size)
    _, dim, reduced, n, parts, rows_at, basis_at, scale = trailer
    assert parts == 1
    end = len(data) - ann.TRAILER.size - ann.PART.size
    graph_at, graph_bytes = ann.PART.unpack_from(data, end)
    assert graph_at == 0
    new.unlink()
    meta, keys, _ = ann._read(db)
    old = ann.path_for(db, ann.digest(meta["vectors_model"], dim, keys, ann.OLD_FORMAT))
    old.write_bytes(data[:end] + ann.TRAILER.pack(ann.OLD_MAGIC, dim, reduced, n, graph_bytes,
                                                  rows_at, basis_at, scale))
    return old


def test_a_graph_of_the_format_before_is_searched_until_a_build_replaces_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ann, "EXACT_BELOW", 100)
    monkeypatch.setattr(ann, "PARTS", 1)
    rng = np.random.default_rng(10)
    vectors = unit(rng, 3000)
    db = fake_index(tmp_path, vectors)
    ann.build(db)
    old = old_format(tmp_path, db)
    nearest = ann.NearestIndex.open(db)
    assert nearest.path == old and nearest.parts == 1
    exact = DenseIndex(*quantize(vectors))
    assert agreement(nearest, exact, unit(rng, 30)) >= 0.98
    monkeypatch.setattr(ann, "PARTS", 2)
    assert ann.build(db) is not None  # the next build writes this format's file
    (graph,) = tmp_path.glob(".i.db.ann-*")  # and removes the old one
    assert graph != old and ann.NearestIndex.open(db).parts == 2


def test_the_hybrid_takes_the_vectors_cosines_from_the_graph_s_rescoring(
        tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    # Through two graphs on a small corpus: the candidates' cosines, those of the vectors'
    # own best (from rescoring) and of BM25's others (read again), are exact search's.
    monkeypatch.setattr(ann, "EXACT_BELOW", 1)
    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)
    # BM25 finds the harbour by "port"; the vectors, the heart attack.
    question = "a heart attack at the port"

    async def candidates() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        async with await IndexReader.open(s.database) as reader:
            assert await reader.semantic_ready()
            dense, embedder = reader._dense, reader._embedder
            assert dense is not None and embedder is not None and dense.parts == 2
            found = await reader.fusion_inputs(question, 1)
            assert found is not None
            docs, _, cosine, _, _ = found
            return docs, cosine, dense.similarity(embedder.embed([question])[0], docs)

    docs, cosine, again = run(candidates())
    assert len(docs) == 2  # BM25's best is not the vectors' best
    np.testing.assert_array_equal(cosine, again.astype(np.float64))


def test_a_farther_question_is_never_walked_narrower() -> None:
    # The shipped table: bounds on the length ascending (the first a question is under
    # wins), the number kept falling as the bound rises, and none below the base.
    bounds = [bound for bound, _ in ann.WIDEN]
    kept = [kept for _, kept in ann.WIDEN]
    assert bounds == sorted(bounds) and len(set(bounds)) == len(bounds)
    assert kept == sorted(kept, reverse=True)
    assert min(kept) > ann.EXPANSION_SEARCH >= ann.RESCORED


def test_questions_far_from_the_passages_are_walked_wider(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A question's length along the passages' first principal directions says how far it is
    # from them: a far one's walks keep WIDEN's number of candidates, a near one's keep
    # EXPANSION_SEARCH; a one-graph file keeps what it kept before.
    monkeypatch.setattr(ann, "EXACT_BELOW", 100)
    monkeypatch.setattr(ann, "PARTS", 2)
    monkeypatch.setattr(ann, "EXPANSION_SEARCH", 20)
    monkeypatch.setattr(ann, "RESCORED", 20)
    monkeypatch.setattr(ann, "WIDEN_DIMS", 4)
    monkeypatch.setattr(ann, "WIDEN", ((0.1, 1200), (0.5, 600)))
    rng = np.random.default_rng(12)
    spread = np.linspace(3.0, 0.3, 32)  # the passages vary most along the first axes
    vectors = rng.standard_normal((3000, 32)).astype(np.float32) * spread
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    db = fake_index(tmp_path, vectors)
    ann.build(db)
    nearest = ann.NearestIndex.open(db)
    basis = nearest._basis  # principal directions, most variance first

    def along(columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
        q = (basis[:, columns] @ weights).astype(np.float32)
        return q / np.linalg.norm(q)

    near = along(np.arange(4), np.ones(4))
    middle = along(np.array([0, 20]), np.array([0.3, 1.0]))  # length about 0.29
    far = [along(np.arange(8, 32), rng.standard_normal(24)) for _ in range(20)]
    assert nearest.kept(near) == 20
    assert nearest.kept(middle) == 600
    assert {nearest.kept(q) for q in far} == {1200}
    nearest.top_k(far[0], 10)
    assert [g.expansion_search for g in nearest._graphs] == [1200, 1200]
    exact = DenseIndex(*quantize(vectors))
    assert agreement(nearest, exact, np.array(far)) >= 0.98  # nearly every passage walked
    monkeypatch.setattr(ann, "PARTS", 1)
    for old in tmp_path.glob(".i.db.ann-*"):
        old.unlink()
    ann.build(db)
    assert ann.NearestIndex.open(db).kept(far[0]) == ann.EXPANSION_ONE_GRAPH
