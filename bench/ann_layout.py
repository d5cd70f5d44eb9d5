"""How the nearest-neighbour graph is laid out, against the memory it needs while serving: the
int8 vectors inside the graph (as ``index.ann`` ships it), one bit a dimension, or a
projection to fewer dimensions (``pD``: principal directions, int8), with the int8 rows read
from a file for exact rescoring; and the links a node keeps.

    python -m bench.ann_layout INDEX.db [--layouts i8:16 b1:16 b1:12] [--queries 300]
        [--search 1536:0 2048:400] [--work FOLDER]

INDEX.db is a built index with complete vectors (``bench.semantic_scale --keep`` makes a
synthetic one; its questions are embedded by the same random projection). For each layout
(``DTYPE:LINKS``), the graph is built once (all cores) and saved under ``--work``; then, for
each search setting (``EXPANSION:RESCORED``: candidates kept while searching, and how many of
the best found by the graph are rescored exactly; 0 = all of them), a fresh process maps the
graph, asks the questions and prints: recall@10 against exact search over the int8 vectors
(ties at the cut count as found), the median and p99 ms of one question (graph search, rows
read, exact rescoring), and the resident memory the graph and the rows took after the
questions: the process's own pages and the mapped graph's pages (the rows are read with
``pread``: they stay in the OS page cache, outside the process, and the last column says how
many MB of the rows file that cache held after the questions, ``fincore``).

For the bit layout, a vector's bits are the signs of its components minus the mean vector of
the index (centred, so each bit splits the passages about evenly); the graph ranks by Hamming
distance, and the rows of the best ``RESCORED`` it returns are scored exactly (int8 times the
float32 question, as ``index.dense``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ann_choice import load_vectors  # noqa: E402
from bench.semantic_scale import RandomProjection, questions  # noqa: E402


def bits(vectors: np.ndarray, mean: np.ndarray, planes: np.ndarray | None = None
         ) -> np.ndarray:
    centred = vectors - mean
    if planes is None:
        return np.packbits(centred > 0, axis=-1)
    # One question: einsum, as index.ann (BLAS's threads contend on a busy machine).
    projected = np.einsum("j,jk->k", centred, planes) if centred.ndim == 1 else centred @ planes
    return np.packbits(projected > 0, axis=-1)


def hyperplanes(dtype: str, dim: int) -> np.ndarray | None:
    """``hB``: B random hyperplanes (their signs are the bits); ``b1``: the axes."""
    if not dtype.startswith(("h", "u")):
        return None
    return np.random.default_rng(13).standard_normal((dim, int(dtype[1:]))).astype(np.float32)


def build(db: Path, work: Path, dtype: str, links: int) -> float:
    from usearch.index import Index

    rows, scales = load_vectors(db, None)
    n, dim = rows.shape
    t = time.perf_counter()
    if dtype == "b1" or dtype.startswith(("h", "u")):
        planes = hyperplanes(dtype, dim)
        mean = np.zeros(dim, dtype=np.float64)
        for at in range(0, n, 100_000):
            mean += (rows[at:at + 100_000].astype(np.float32) * scales[at:at + 100_000, None]
                     ).sum(axis=0)
        # ``uB``: the planes through the origin (not centred): the bits then estimate the
        # angle exact search ranks by.
        mean = (mean / n).astype(np.float32) * (not dtype.startswith("u"))
        np.save(work / f"mean-{dtype}.npy", mean)
        index = Index(ndim=dim if planes is None else planes.shape[1], metric="hamming",
                      dtype="b1", connectivity=links, expansion_add=128)
        for at in range(0, n, 100_000):
            part = rows[at:at + 100_000].astype(np.float32) * scales[at:at + 100_000, None]
            index.add(np.arange(at, at + len(part), dtype=np.uint64), bits(part, mean, planes),
                      threads=0)
    elif dtype.startswith("pca"):
        # The graph holds the vectors' first D principal components (int8); rescoring uses
        # the full rows.
        reduced = int(dtype[3:])
        mean = np.zeros(dim, dtype=np.float64)
        cov = np.zeros((dim, dim), dtype=np.float64)
        for at in range(0, n, 100_000):
            part = (rows[at:at + 100_000].astype(np.float32) * scales[at:at + 100_000, None]
                    ).astype(np.float64)
            mean += part.sum(axis=0)
            cov += part.T @ part
        mean /= n
        cov = cov / n - np.outer(mean, mean)
        _, vectors = np.linalg.eigh(cov)
        basis = vectors[:, ::-1][:, :reduced].astype(np.float32)
        np.save(work / f"{dtype}.npy", basis)
        index = Index(ndim=reduced, metric="ip", dtype="i8", connectivity=links,
                      expansion_add=128)
        for at in range(0, n, 100_000):
            part = rows[at:at + 100_000].astype(np.float32) * scales[at:at + 100_000, None]
            index.add(np.arange(at, at + len(part), dtype=np.uint64), part @ basis, threads=0)
    elif _projected(dtype):
        # The first D principal directions of a sample (``fit``), int8 with one scale, ranked
        # by inner product; rescoring uses the full rows. ``cD``: the vectors centred first
        # (the mean's inner product with a question is the same for every passage, so the
        # ranking is the same) and the graph by cosine over the centred projection.
        step = max(1, n // 50_000)
        sample = rows[::step].astype(np.float32) * scales[::step, None]
        centre = sample.mean(axis=0) if dtype[0] == "c" else np.zeros(dim, dtype=np.float32)
        basis, scale = fit(sample - centre, int(dtype[1:]))
        np.save(work / f"{dtype}.npy", basis)
        np.save(work / f"{dtype}-scale.npy", np.float64(scale))
        np.save(work / f"{dtype}-centre.npy", centre)
        index = Index(ndim=basis.shape[1], metric="cos" if dtype[0] == "c" else "ip",
                      dtype="i8", connectivity=links, expansion_add=128)
        for at in range(0, n, 100_000):
            part = rows[at:at + 100_000].astype(np.float32) * scales[at:at + 100_000, None]
            index.add(np.arange(at, at + len(part), dtype=np.uint64),
                      project(part - centre, basis, scale), threads=0)
    else:
        index = Index(ndim=dim, metric="cos", dtype="i8", connectivity=links, expansion_add=128)
        index.add(np.arange(n, dtype=np.uint64), rows, threads=0)
    index.save(str(work / f"{dtype}-{links}.usearch"))
    if not (work / "rows.i8").exists():
        rows.tofile(work / "rows.i8")
        scales.tofile(work / "scales.f32")
    return time.perf_counter() - t


def _projected(dtype: str) -> bool:
    """``pD``: the projection to D dimensions (``fit``, ``project``); ``cD``: centred first."""
    return dtype[:1] in ("p", "c") and dtype[1:].isdigit()


def fit(units: np.ndarray, reduced: int) -> tuple[np.ndarray, float]:
    """The ``reduced`` directions along which the unit vectors ``units`` vary most (the
    eigenvectors of their uncentred second moment, largest first), dim x reduced, and one
    int8 scale mapping the largest projected component to 127. At 1,000,000 synthetic
    passages this failed (README): one common direction dominates, and one scale for all
    leaves the others a few int8 steps; centring first is the next thing to try."""
    moment = np.zeros((units.shape[1],) * 2, dtype=np.float64)
    for at in range(0, len(units), 4096):
        part = units[at:at + 4096]
        moment += part.T @ part
    _, vectors = np.linalg.eigh(moment)  # ascending eigenvalues
    basis = np.ascontiguousarray(vectors[:, ::-1][:, :reduced], dtype=np.float32)
    peak = max((float(np.abs(units[at:at + 4096] @ basis).max())
                for at in range(0, len(units), 4096)), default=0.0)
    return basis, 127.0 / peak if peak > 0 else 1.0


def project(units: np.ndarray, basis: np.ndarray, scale: float) -> np.ndarray:
    """Unit vectors (n x dim, or one) as the graph holds them: int8 over the basis."""
    projected = np.einsum("j,jk->k", units, basis) if units.ndim == 1 else units @ basis
    out: np.ndarray = np.rint(projected * scale).clip(-127, 127).astype(np.int8)
    return out


def tuning_set(db: Path, n: int, seed: int = 8, as_built: bool = False) -> None:
    """A vectors-only index (what ``index.ann`` reads) of ``n`` synthetic passages drawn as
    ``bench.synthetic_corpus`` draws them but from seed 8 (the measured index's are seed 7's),
    embedded as ``bench.semantic_scale`` embeds them: each answer's lead-in, then its quote
    with the lead-in, each after the thread's title. Settings are chosen on it, with other
    questions (``--seed``) than the ones reported."""
    import sqlite3

    from bench.synthetic_corpus import threads
    from index.embedding import DEFAULT_MODEL, content_key, embedded_text, quantize
    from index.store import VectorArrays

    # The tuning set titles each thread by its question; a build titles it by its file name
    # (``as_built``: then seed 7 gives the vectors ``bench.semantic_scale`` stores, in order).
    texts = [embedded_text(f"thread {i:05d}" if as_built else title, text, lead)
             for i, (_, title, answers) in enumerate(threads(n, seed=seed))
             for _, lead_in, quote in answers
             for text, lead in ((lead_in, None), (quote, lead_in))]
    projection = RandomProjection()
    rows, scales = [], []
    for at in range(0, len(texts), 10_000):
        r, s = quantize(projection.embed(texts[at:at + 10_000]))
        rows.append(r)
        scales.append(s)
    keys = np.frombuffer(b"".join(content_key(t) for t in texts), dtype=np.uint8)
    arrays = VectorArrays(DEFAULT_MODEL, keys.reshape(-1, 16), np.concatenate(rows),
                          np.concatenate(scales))
    db.unlink(missing_ok=True)
    con = sqlite3.connect(db)
    with con:
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.execute("CREATE TABLE arrays (name TEXT PRIMARY KEY, dtype TEXT, data BLOB)")
        con.executemany("INSERT INTO meta VALUES (?, ?)", arrays.meta().items())
        con.executemany("INSERT INTO arrays VALUES (?, ?, ?)",
                        [(k, str(a.dtype), a.tobytes()) for k, a in arrays.arrays().items()])
    con.close()


def asked(source: str, seed: int, n: int) -> np.ndarray:
    """The questions' vectors: the stand-in's, or ``n`` real ones of a ``bench.real_vectors``
    set (shuffled by ``seed``; 0: all)."""
    if source == "stand-in":
        return RandomProjection().embed(questions(random.Random(seed), n))
    from bench.real_vectors import questions as real

    _, vectors = real(source)
    order = np.random.default_rng(seed).permutation(len(vectors))
    return vectors[order[:n] if n else order]


def memory() -> dict[str, float]:
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return {name: int(fields[key].split()[0]) / 1024
            for name, key in (("anon", "RssAnon"), ("file", "RssFile"))}


def serve(work: Path, dtype: str, links: int, expansion: int, rescored: int,
          queries: np.ndarray) -> dict[str, float]:
    """In a fresh process: map the graph, ask every question, measure."""
    import gc

    from usearch.index import Index

    gc.collect()
    base = memory()
    graph = Index.restore(str(work / f"{dtype}-{links}.usearch"), view=True,
                          enable_key_lookups=False)
    graph.expansion_search = expansion
    scales = np.fromfile(work / "scales.f32", dtype=np.float32)
    dim = queries.shape[1]
    fd = os.open(work / "rows.i8", os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # start with no row cached
    binary = dtype == "b1" or dtype.startswith(("h", "u"))
    mean = np.load(work / f"mean-{dtype}.npy") if binary else None
    planes = hyperplanes(dtype, queries.shape[1])
    basis = np.load(work / f"{dtype}.npy") if dtype.startswith("pca") else None
    if _projected(dtype):
        basis = np.load(work / f"{dtype}.npy")
        scale = float(np.load(work / f"{dtype}-scale.npy"))

    def ask(q: np.ndarray) -> np.ndarray:
        if mean is not None:
            found = graph.search(bits(q, mean, planes), max(expansion, 100), threads=1).keys
            found = found[:rescored] if rescored else found
        elif basis is not None and _projected(dtype):
            # A question is not centred: its inner product with the centre is a constant.
            found = graph.search(project(q, basis, scale), max(expansion, 100),
                                 threads=1).keys
            found = found[:rescored] if rescored else found
        elif basis is not None:
            found = graph.search(q @ basis, max(expansion, 100), threads=1).keys
            found = found[:rescored] if rescored else found
        else:
            found = graph.search(q, 100, threads=1).keys
        docs = np.sort(found.astype(np.int64))
        rows = np.frombuffer(b"".join(os.pread(fd, dim, int(d) * dim) for d in docs),
                             dtype=np.int8).reshape(-1, dim)
        scores = (rows.astype(np.float32) @ q) * scales[docs]
        return docs[np.lexsort((docs, -scores))[:10]]

    for q in queries[:10]:
        ask(q)
    times, found = [], []
    for q in queries:
        t = time.perf_counter()
        found.append(ask(q))
        times.append(1000 * (time.perf_counter() - t))
    gc.collect()
    now = memory()
    times.sort()
    np.save(work / "found.npy", np.array(found))
    return {"median_ms": float(np.median(times)), "p99_ms": times[int(0.99 * (len(times) - 1))],
            "anon_mb": now["anon"] - base["anon"], "file_mb": now["file"] - base["file"],
            "load": os.getloadavg()[0]}


def cached_mb(path: Path) -> float:
    """MB of the file in the OS page cache (util-linux ``fincore``)."""
    out = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", str(path)],
                         capture_output=True, text=True)
    return int(out.stdout.split()[0]) / 2**20 if out.returncode == 0 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--layouts", nargs="+", default=["i8:16", "b1:16"])
    parser.add_argument("--search", nargs="+", default=["1536:0"])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "ann_layout")
    parser.add_argument("--seed", type=int, default=5, help="of the questions (as "
                        "bench.semantic_scale's: 5)")
    parser.add_argument("--questions-from", choices=["stand-in", "tune", "tune-mixed", "report"],
                        default="stand-in", help="stand-in: questions from the synthetic "
                        "corpus's words, embedded by its random projection; tune, report: "
                        "bench.real_vectors' real questions, embedded by the real model (for "
                        "an index given realistic vectors; choose on tune)")
    parser.add_argument("--tuning-set", type=int, metavar="N",
                        help="first write INDEX.db: a tuning set of N synthetic passages' "
                        "vectors alone (corpus seed 8)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tuning_set and not args.child:
        tuning_set(args.index, args.tuning_set)

    if args.child:
        dtype, links, expansion, rescored = args.child
        queries = np.load(args.work / "queries.npy")
        print(json.dumps(serve(args.work, dtype, int(links), int(expansion), int(rescored),
                               queries)))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    queries = asked(args.questions_from, args.seed, args.queries)
    np.save(args.work / "queries.npy", queries)
    from index.dense import DenseIndex
    rows, scales = load_vectors(args.index, None)
    exact = DenseIndex(rows, scales)
    cut10 = np.array([np.sort(exact.scores(q))[-10] for q in queries])
    del exact
    print(f"{len(queries)} questions, {len(rows):,} passages")
    print("| layout | file MB | build s | expansion : rescored | recall@10 | median ms | p99 ms "
          "| own MB | mapped MB | rows cached MB | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for layout in args.layouts:
        dtype, links = layout.split(":")
        graph = args.work / f"{dtype}-{links}.usearch"
        built = "-"
        if not graph.exists():
            built = f"{build(args.index, args.work, dtype, int(links)):.0f}"
        for setting in args.search:
            expansion, rescored = setting.split(":")
            done = subprocess.run([sys.executable, "-m", "bench.ann_layout", str(args.index),
                                   "--work", str(args.work), "--child", dtype, links,
                                   expansion, rescored], capture_output=True, text=True,
                                  cwd=ROOT)
            if done.returncode:
                print(f"| {layout} | failed: {done.stderr.strip().splitlines()[-1:]} |")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            found = np.load(args.work / "found.npy")
            recall = np.mean([np.mean(exact_scores >= c - 1e-6) for exact_scores, c in
                              zip(((rows[f].astype(np.float32) @ q) * scales[f]
                                   for f, q in zip(found, queries, strict=True)),
                                  cut10, strict=True)])
            print(f"| {layout} | {graph.stat().st_size / 2**20:.0f} | {built} | {setting} | "
                  f"{recall:.4f} | {r['median_ms']:.2f} | {r['p99_ms']:.2f} | "
                  f"{r['anon_mb']:.0f} | {r['file_mb']:.0f} | "
                  f"{cached_mb(args.work / 'rows.i8'):.0f} | {r['load']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
