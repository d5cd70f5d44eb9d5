"""Choosing the approximate nearest-neighbour library: recall@10 against exact search, build
time, memory and query time, on the vectors of a built index.

    python -m bench.ann_choice INDEX.db [--sample 200000] [--queries 200]
        [--libraries usearch hnswlib faiss-hnsw faiss-ivf exact] [--passages-as-questions]
    python -m bench.ann_choice INDEX.db --sweep 128 192 256 384 [--rescored 512 1024]
        [--widen] [--questions-from tune-mixed] [--queries 0]

``--sweep``: the index's own graph (``index.ann``, made by ``python -m index build`` or
``bench.semantic_scale --keep``) searched as the reader searches it, keeping each number of
candidates in turn: recall@10 (all, and by the questions' kind) and the median and p99 time
of ``NearestIndex.top_k``; ``--widen``: with ``index.ann.WIDEN`` on (far questions' walks
keep more than the setting), and the mean kept.

The vectors are the index's own int8 rows (``index.store.VectorArrays``); questions are
embedded as ``bench.semantic_scale`` embeds them (its random projection, since the synthetic
index's vectors are made that way). The reference is the exact search the reader did before
(``index.dense.DenseIndex.top_k``: every row, int8 times the float32 question). Each library
runs in a fresh process: build time (all cores), memory (resident memory after the build
above the process with the vectors loaded; and after reopening the saved file, memory-mapped
where the library can), and the median and p99 time of one question (top 100, one thread, as
the reader asks), recall@10 and recall@100: of the 100 found, scored exactly as the reader
scores them, the best 10 (100) that are among the exact best 10 (100), ties at the cut
counting as found. Needs the libraries: ``pip install usearch
hnswlib faiss-cpu``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.semantic_scale import RandomProjection, questions  # noqa: E402
from index import store  # noqa: E402
from index.dense import DenseIndex  # noqa: E402

LIBRARIES = ("usearch", "hnswlib", "faiss-hnsw", "faiss-ivf", "exact")
CANDIDATES = 100  # what the hybrid asks the vectors for (index.hybrid)


def load_vectors(db: Path, sample: int | None) -> tuple[np.ndarray, np.ndarray]:
    uri = f"{db.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        meta = dict(con.execute(store.META).fetchall())
        arrays = store.arrays_from_rows(con.execute(store.VECTOR_ARRAYS).fetchall())
    v = store.VectorArrays.from_arrays(meta["vectors_model"], int(meta["vectors_dim"]), arrays)
    rows, scales = v.rows, v.scales
    if sample and sample < len(rows):
        rows, scales = rows[:sample].copy(), scales[:sample].copy()
    return rows, scales


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["VmRSS"].split()[0]) / 1024


CHILD = """
import json, statistics, sys, time, gc
import numpy as np
sys.path.insert(0, sys.argv[5])
from bench.ann_choice import load_vectors, rss_mb, run_library
library, db, sample, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
rows, scales = load_vectors(__import__("pathlib").Path(db), sample or None)
queries = np.load(work + "/queries.npy")
gc.collect(); base = rss_mb()
print(json.dumps(run_library(library, rows, scales, queries, work, base)))
"""


def _timed(search, queries: np.ndarray) -> tuple[list[np.ndarray], float, float]:
    for q in queries[:10]:
        search(q)
    found, times = [], []
    for q in queries:
        t = time.perf_counter()
        found.append(np.asarray(search(q), dtype=np.int64))
        times.append(1000 * (time.perf_counter() - t))
    times.sort()
    return found, float(np.median(times)), times[int(0.99 * (len(times) - 1))]


def run_library(library: str, rows: np.ndarray, scales: np.ndarray, queries: np.ndarray,
                work: str, base: float) -> dict[str, object]:
    """Build, measure, save, reopen, measure again: one library's figures."""
    n, dim = rows.shape
    out: dict[str, object] = {"library": library}
    path = f"{work}/{library}.index"
    t = time.perf_counter()
    if library == "exact":
        dense = DenseIndex(rows, scales)
        search = lambda q: dense.top_k(q, CANDIDATES)[0]  # noqa: E731
        reopen = None
    elif library == "usearch":
        from usearch.index import Index
        # The int8 rows as they are: cosine ignores each row's scale.
        index = Index(ndim=dim, metric="cos", dtype="i8", connectivity=16,
                      expansion_add=128, expansion_search=128)
        index.add(np.arange(n, dtype=np.uint64), rows, threads=0)
        index.save(path)

        def query(ix):  # type: ignore[no-untyped-def]
            return lambda q: ix.search(np.rint(q / np.abs(q).max() * 127).astype(np.int8),
                                       CANDIDATES, threads=1).keys
        search = query(index)
        reopen = lambda: query(Index.restore(path, view=True))  # noqa: E731
    elif library == "hnswlib":
        import hnswlib
        index = hnswlib.Index(space="ip", dim=dim)
        index.init_index(max_elements=n, ef_construction=128, M=16)
        index.add_items(rows.astype(np.float32) * scales[:, None], np.arange(n))
        index.set_ef(128)
        index.set_num_threads(1)
        search = lambda q: index.knn_query(q, CANDIDATES)[0][0]  # noqa: E731
        reopen = None
    elif library in ("faiss-hnsw", "faiss-ivf"):
        import faiss
        vectors = rows.astype(np.float32) * scales[:, None]
        if library == "faiss-hnsw":
            index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, 16,
                                      faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 128
            index.train(vectors[:100_000])
            index.add(vectors)
            index.hnsw.efSearch = 128
        else:
            lists = max(16, int(4 * np.sqrt(n)))
            index = faiss.index_factory(dim, f"IVF{lists},SQ8", faiss.METRIC_INNER_PRODUCT)
            index.train(vectors[np.random.default_rng(0).permutation(n)[:50 * lists]])
            index.add(vectors)
            index.nprobe = 32
            out["lists"] = lists
        del vectors
        faiss.write_index(index, path)
        faiss.omp_set_num_threads(1)

        def query(ix):  # type: ignore[no-untyped-def]
            return lambda q: ix.search(q[None, :].astype(np.float32), CANDIDATES)[1][0]
        search = query(index)
        reopen = (lambda: query(faiss.read_index(path, faiss.IO_FLAG_MMAP))) \
            if library == "faiss-ivf" else None
    else:
        raise SystemExit(f"unknown library {library}")
    out["build_s"] = round(time.perf_counter() - t, 1)
    import gc
    gc.collect()
    out["memory_mb"] = round(rss_mb() - base)
    found, out["median_ms"], out["p99_ms"] = _timed(search, queries)
    np.save(f"{work}/{library}.found.npy", np.array([f[:CANDIDATES] for f in found]))
    if reopen is not None:
        search = None
        index = None
        gc.collect()
        before = rss_mb()
        search = reopen()
        _, out["view_median_ms"], out["view_p99_ms"] = _timed(search, queries)
        out["view_memory_mb"] = round(rss_mb() - before)
        out["file_mb"] = round(Path(path).stat().st_size / 2**20)
    return out


def sweep(db: Path, expansions: list[int], n_questions: int, seed: int = 5,
          source: str = "stand-in", rescored: list[int] | None = None,
          widen: bool = False) -> None:
    from bench.ann_layout import asked
    from index import ann

    if not widen:  # each setting as it is: every walk keeps the same
        ann.WIDEN = ()
    nearest = ann.NearestIndex.open(db)
    queries = asked(source, seed, n_questions)
    kinds = _kinds(source, seed, n_questions)
    right = exact_right(db, queries)
    print(f"{n_questions} questions (seed {seed}), {len(nearest.scales)} passages, "
          f"{nearest.parts} graph(s) ({nearest.path.name}); WIDEN {ann.WIDEN or 'off'}")
    names = list(dict.fromkeys(kinds))
    print("| candidates kept while searching (each graph) | rescored | recall@10 | "
          + "".join(f"{k} | " for k in names) + "kept (mean) | median ms | p99 ms | "
          "load average |")
    print("|---|---|---|" + "---|" * len(names) + "---|---|---|---|")
    for expansion, rescore in itertools.product(expansions, rescored or [ann.RESCORED]):
        ann.EXPANSION_SEARCH = ann.EXPANSION_ONE_GRAPH = expansion  # each graph's walk
        ann.RESCORED = rescore
        times, found, kept = [], [], []
        for q in queries:
            t = time.perf_counter()
            found.append(nearest.top_k(q, 10)[0])
            times.append(1000 * (time.perf_counter() - t))
            kept.append(nearest.kept(q))
        times.sort()
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        each = np.array([np.isin(f, r).mean() for f, r in zip(found, right, strict=True)])
        by_kind = "".join(f"{each[kinds == k].mean():.4f} | " for k in names)
        print(f"| {expansion} | {rescore} | {each.mean():.4f} | {by_kind}{np.mean(kept):.0f} | "
              f"{np.median(times):.2f} | {times[int(0.99 * (len(times) - 1))]:.2f} | {load} |",
              flush=True)


def _kinds(source: str, seed: int, n: int) -> np.ndarray:
    """The kind of each of ``bench.ann_layout.asked``'s questions (as it orders them)."""
    if source == "stand-in":
        return np.array(["stand-in"] * n)
    from bench.real_vectors import labelled

    kinds = np.array([kind for _, kind in labelled(source)])
    order = np.random.default_rng(seed).permutation(len(kinds))
    return kinds[order[:n] if n else order]


def exact_right(db: Path, queries: np.ndarray) -> list[np.ndarray]:
    """For each question, the passages exact search counts as its best 10: those scoring at
    least its 10th best (ties at the cut count), as ``bench.semantic_scale.exact_top``
    counts them; computed once for a sweep's settings."""
    rows, scales = load_vectors(db, None)
    exact = DenseIndex(rows, scales)
    right = []
    for q in queries:
        scores = exact.scores(q)
        cut = np.partition(scores, len(scores) - 10)[len(scores) - 10]
        right.append(np.flatnonzero(scores >= cut - 1e-6))
    return right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--sample", type=int, default=0, help="the first N passages only")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--libraries", nargs="+", default=list(LIBRARIES), choices=LIBRARIES)
    parser.add_argument("--passages-as-questions", action="store_true",
                        help="for an index of real vectors: its last N passages' vectors are "
                        "the questions, and are left out of the index searched")
    parser.add_argument("--sweep", type=int, nargs="+", metavar="EXPANSION")
    parser.add_argument("--rescored", type=int, nargs="+", metavar="N", help="with --sweep: "
                        "how many of the best candidates are rescored exactly (index.ann's "
                        "RESCORED), each in turn")
    parser.add_argument("--widen", action="store_true", help="with --sweep: index.ann's "
                        "WIDEN on (far questions' walks keep more); off by default, so each "
                        "setting is what every walk keeps")
    parser.add_argument("--seed", type=int, default=5, help="of the sweep's questions "
                        "(bench.semantic_scale's: 5; choose settings on another)")
    parser.add_argument("--questions-from", choices=["stand-in", "tune", "tune-mixed", "report"],
                        default="stand-in", help="the sweep's questions (bench.ann_layout)")
    args = parser.parse_args()
    if args.sweep:
        sweep(args.index, args.sweep, args.queries, args.seed, args.questions_from,
              args.rescored, args.widen)
        return
    rows, scales = load_vectors(args.index, args.sample or None)
    if args.passages_as_questions:
        queries = rows[-args.queries:].astype(np.float32) * scales[-args.queries:, None]
        rows, scales = rows[:-args.queries], scales[:-args.queries]
        args.sample = len(rows)
    else:
        queries = RandomProjection().embed(questions(random.Random(5), args.queries))
    exact = DenseIndex(rows, scales)
    scored = [exact.scores(q) for q in queries]
    # The exact 10th and 100th best scores: a passage found scoring at least that is a right
    # one (ties at the cut make any of them right).
    cut10 = [np.sort(s)[-10] for s in scored]
    cut100 = [np.sort(s)[-CANDIDATES] for s in scored]
    del rows, scales, exact
    print(f"{len(queries)} questions, {args.sample or 'all'} passages; "
          "load average " + os.getloadavg().__repr__())
    print("| library | build s | memory MB | median ms | p99 ms | recall@10 | recall@100 | "
          "file MB | mapped: memory MB | mapped: median / p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        np.save(f"{work}/queries.npy", queries)
        for library in args.libraries:
            done = subprocess.run([sys.executable, "-c", CHILD, library, str(args.index),
                                   str(args.sample), work, str(ROOT)],
                                  capture_output=True, text=True)
            if done.returncode:
                print(f"| {library} | failed: {done.stderr.strip().splitlines()[-1:]} |")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            found = np.load(f"{work}/{library}.found.npy")
            # What the reader does with the 100 found: score them exactly, keep the best 10.
            at10, at100 = [], []
            for f, s, c10, c100 in zip(found, scored, cut10, cut100, strict=True):
                best = np.sort(s[f])[::-1]
                at10.append(np.mean(best[:10] >= c10))
                at100.append(np.mean(best >= c100))
            mapped = (f"{r['view_memory_mb']} | {r['view_median_ms']:.2f} / "
                      f"{r['view_p99_ms']:.2f}") if "view_memory_mb" in r else "- | -"
            print(f"| {library} | {r['build_s']} | {r['memory_mb']} | {r['median_ms']:.2f} | "
                  f"{r['p99_ms']:.2f} | {np.mean(at10):.4f} | {np.mean(at100):.4f} | "
                  f"{r.get('file_mb', '-')} | {mapped} |", flush=True)


if __name__ == "__main__":
    main()
