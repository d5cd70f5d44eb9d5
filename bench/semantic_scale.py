"""Hybrid search at scale: serving memory and the served path's latency with passage vectors.

    python -m bench.semantic_scale [--passages 10000 100000 1000000] [--questions 300]
        [--keep FOLDER] [--index DB] [--vectors realistic|stand-in]

Embedding a million real passages takes hours on two cores (README), so the passages are
synthetic (``bench.synthetic_corpus``): their BM25 side is real text, their vectors are not.
``--vectors realistic`` (the default since 2026-12-05, ``bench.real_vectors``): the index's
vectors are the real model's vectors of the shared data's real passages (about 13,000, spread
evenly through the index) and, for the rest, draws from a Gaussian with those vectors' mean and
covariance; the questions are real people's (SciFact's test queries, the paraphrase set and
``make answers``' questions, shuffled), embedded by the real model on every search, and
recall@10 is measured for the vectors the reader computed. ``--vectors stand-in`` is the
benchmark before that date, kept to reproduce its figures: each passage's vector a random
projection of its words (a fixed Gaussian vector per word, summed, normalised), questions drawn
from the synthetic corpus's words (a topic and 2 to 5 of its words) and, for recall, embedded by
the same projection. Either way the vectors are stored through the project's own
``embed_missing`` as int8 rows, as real ones are, and indexed by ``index.ann.build`` as a build
does; questions go through the path the bot takes, ``IndexReader.search``, from question text
to hits with their text. For each size, in a fresh process per ranking (BM25 alone, hybrid):

- memory, resident MB: the index's (after the questions, above the process with the project
  imported and the model loaded), split into the process's own pages (since 2026-12-05
  afternoon the graphs too, read into memory) and pages of mapped files (the graphs' file,
  memory-mapped before); the model's (loading it: PyTorch and the weights);
  and the whole process's;
- the median and p99 of ``search(question, 3)``, and of embedding a question alone;
- recall@10 of the vector stage (``index.ann``) against exact search over the same int8
  vectors (a passage scoring at least the exact 10th best counts: ties at the cut);
- how many MB of the nearest-neighbour file the OS page cache held after the questions, and
  the median and p99 of the questions asked again with that file dropped from the cache
  before each (but for the pages the process has mapped): the served path after memory
  pressure;
- the load average while the questions were asked (the machine is shared: say so).
``--index DB`` measures an index already built, first giving it the chosen vectors (realistic:
replacing whatever it holds, unless ``bench.real_vectors`` made them) and building its
nearest-neighbour index when it is missing (as a build would).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import real_vectors  # noqa: E402
from bench.synthetic_corpus import TOPICS, _vocabulary, write_corpus  # noqa: E402
from index import ann  # noqa: E402
from index.build import build  # noqa: E402
from index.embedding import DEFAULT_MODEL  # noqa: E402
from index.vectors import embed_missing  # noqa: E402

WORD = re.compile(r"\w+")


def real_questions(n: int) -> list[str]:
    """The first ``n`` (0: all) of the real questions of ``bench.real_vectors``' "report" set,
    shuffled (seed 5) so that each kind is among the first."""
    texts = real_vectors.question_texts("report")
    random.Random(5).shuffle(texts)
    return texts[:n] if n else texts


def questions(rng: random.Random, n: int) -> list[str]:
    """Questions from the synthetic corpus's words: a topic and 2 to 5 of its words."""
    words = _vocabulary(random.Random(7), 20_000)  # the corpus's own words (same seed)
    return [f"what happened with the {rng.choice(TOPICS)} "
            + " ".join(rng.choices(words[:2000], k=rng.randint(2, 5))) for _ in range(n)]


class RandomProjection:
    """Stands in for the model at build time: the same interface, vectors from the words.

    A word's vector is drawn from a generator seeded by the word itself, so every instance (the
    build's, the questions') gives a word the same vector whatever it met before. (Until
    2026-12-05 it was drawn in the order words were met, so the questions' space agreed with
    the passages' only on words met in the same order.)"""

    name = DEFAULT_MODEL
    dim = 384

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._table = np.zeros((0, self.dim), dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        from scipy import sparse  # sentence-transformers' dependency: in the `semantic` extra

        rows, cols = [], []
        ids = self._ids
        for i, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                cols.append(ids.setdefault(word, len(ids)))
                rows.append(i)
        if len(ids) > len(self._table):  # new words: each its own vector, seeded by the word
            new = list(ids)[len(self._table):]
            drawn = np.stack([np.random.default_rng(zlib.crc32(w.encode())).standard_normal(
                self.dim) for w in new])
            self._table = np.concatenate([self._table, drawn.astype(np.float32)])
        counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                   shape=(len(texts), len(self._table)))
        out = np.asarray(counts @ self._table, dtype=np.float32)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out


SERVE = """
import asyncio, gc, json, os, random, statistics, sys, time
from pathlib import Path
import numpy as np
from bench.semantic_scale import (RandomProjection, cached_mb, memory, questions,
                                  real_questions, exact_top)
import index.embedding, index.reader
realistic = sys.argv[4] == "realistic"
asked = (real_questions(int(sys.argv[3])) if realistic
         else questions(random.Random(5), int(sys.argv[3])))
gc.collect(); before_model = memory()
embedder = index.embedding.load()
embedder.embed(["warm up"])
gc.collect(); base = memory()
def p99(times):
    return sorted(times)[int(0.99 * (len(times) - 1))]
async def main():
    semantic = sys.argv[2] == "hybrid"
    async with await index.reader.IndexReader.open(Path(sys.argv[1]), semantic=semantic) as r:
        await r.loaded()
        assert await r.semantic_ready() == semantic
        for q in asked[:10]:
            await r.search(q, 3)
        times, load = [], os.getloadavg()
        for q in asked:
            t = time.perf_counter()
            hits = await r.search(q, 3)
            times.append(1000 * (time.perf_counter() - t))
            assert all(h.text for h in hits)
        gc.collect()
        now = memory()
        out = {"index": {k: now[k] - base[k] for k in now},
               "model": {k: base[k] - before_model[k] for k in base}, "process": now,
               "median_ms": statistics.median(times), "p99_ms": p99(times),
               "load": load, "n": r.n_passages, "questions": len(asked)}
        if semantic:
            embed = []
            for q in asked:
                t = time.perf_counter()
                embedder.embed([q])
                embed.append(1000 * (time.perf_counter() - t))
            out["embed_median_ms"], out["embed_p99_ms"] = statistics.median(embed), p99(embed)
            # How much of the nearest-neighbour file the page cache holds now; then the
            # questions again with none of its pages cached but those this process has mapped
            # (as after memory pressure).
            db = Path(sys.argv[1])
            file = next(db.parent.glob(f".{db.name}.ann-*"))
            out["file_cached_mb"] = cached_mb(file)
            cold = []
            with open(file, "rb") as f:
                for q in asked:
                    os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
                    t = time.perf_counter()
                    await r.search(q, 3)
                    cold.append(1000 * (time.perf_counter() - t))
            out["cold_median_ms"], out["cold_p99_ms"] = statistics.median(cold), p99(cold)
            # The vector stage against exact search: realistic, with the vectors the reader
            # computed (the real model's); the stand-in, with the build's own projection.
            vectors = embedder.embed(asked) if realistic else RandomProjection().embed(asked)
            found = [r._dense.top_k(v, 10)[0] for v in vectors]
            out["recall10"] = exact_top(Path(sys.argv[1]), vectors, found)
    print(json.dumps(out))
asyncio.run(main())
"""


def memory() -> dict[str, float]:
    """This process's resident memory, MB: all of it, its own (anonymous) pages, and pages
    of mapped files (libraries, the memory-mapped vector index)."""
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return {name: int(fields[key].split()[0]) / 1024
            for name, key in (("rss", "VmRSS"), ("anon", "RssAnon"), ("file", "RssFile"))}


def cached_mb(path: Path) -> float:
    """MB of the file in the OS page cache (util-linux ``fincore``), NaN without it."""
    out = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", str(path)],
                         capture_output=True, text=True)
    return int(out.stdout.split()[0]) / 2**20 if out.returncode == 0 else float("nan")


def exact_top(db: Path, vectors: np.ndarray, found: list[np.ndarray]) -> float:
    """Recall@10 of ``found`` against exact search over the index's int8 vectors; a passage
    scoring at least the exact 10th best counts (ties at the cut)."""
    import sqlite3
    from contextlib import closing

    from index import store
    from index.dense import DenseIndex

    uri = f"{db.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        meta = dict(con.execute(store.META).fetchall())
        arrays = store.arrays_from_rows(con.execute(store.VECTOR_ARRAYS).fetchall())
    v = store.VectorArrays.from_arrays(meta["vectors_model"], int(meta["vectors_dim"]), arrays)
    exact = DenseIndex(v.rows, v.scales)
    recalls = []
    for q, docs in zip(vectors, found, strict=True):
        scores = exact.scores(q)
        recalls.append(float(np.mean(scores[docs] >= np.sort(scores)[-10] - 1e-6)))
    return float(np.mean(recalls))


def serve(db: Path, ranking: str, n_questions: int, vectors: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", SERVE, str(db), ranking, str(n_questions),
                          vectors],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"serving {db} ({ranking}) failed:\n{out.stderr[-3000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def row(n: int, ranking: str, r: dict, build_s: str, vectors_s: str) -> str:  # type: ignore[type-arg]
    index, model, process = r["index"], r["model"], r["process"]
    recall = f"{r['recall10']:.4f}" if "recall10" in r else "-"
    embed = (f"{r['embed_median_ms']:.2f} / {r['embed_p99_ms']:.2f}"
             if "embed_median_ms" in r else "-")
    cold = (f"{r['cold_median_ms']:.2f} / {r['cold_p99_ms']:.2f} | {r['file_cached_mb']:.0f}"
            if "cold_median_ms" in r else "- | -")
    return (f"| {n:,} | {ranking} | {index['rss']:.0f} ({index['anon']:.0f} + "
            f"{index['file']:.0f}) | {model['rss']:.0f} | {process['rss']:.0f} | "
            f"{r['median_ms']:.2f} | {r['p99_ms']:.2f} | {embed} | {recall} | {cold} | "
            f"{build_s} | "
            f"{vectors_s} | "
            + " ".join(f"{x:.1f}" for x in r["load"]) + f" | {r['questions']} |")


def give_vectors(db: Path, vectors: str) -> bool:
    """Complete the vectors of the index at ``db`` as ``vectors`` says; True if any changed."""
    if vectors == "stand-in":
        report = embed_missing(db, RandomProjection())  # type: ignore[arg-type]
        assert report.complete
        return bool(report.embedded)
    if real_vectors.is_installed(db):
        return False
    # Passages and titles first get draws from the Gaussian (the titles keep theirs), then
    # the passages' are replaced, real ones spread among them.
    report = embed_missing(db, real_vectors.GaussianModel())  # type: ignore[arg-type]
    assert report.complete
    real_vectors.install(db)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--questions", type=int, default=300,
                        help="how many questions (0: every realistic one)")
    parser.add_argument("--keep", type=Path, help="keep the built indexes in this folder")
    parser.add_argument("--index", type=Path,
                        help="measure this index (built with vectors) instead of building")
    parser.add_argument("--vectors", choices=["realistic", "stand-in"], default="realistic")
    args = parser.parse_args()
    print(f"vectors: {args.vectors}")
    print("| passages | ranking | index MB (own + mapped) | model MB | process MB | median ms "
          "| p99 ms | embedding a question: median / p99 ms | recall@10 | file not cached: "
          "median / p99 ms | vector file cached MB | build s | vectors s | "
          "load average 1/5/15 min | questions |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    if args.index:
        # An index kept before its vectors or its graph were done (or by an older version of
        # index.ann, or with other vectors): finish them as the build would.
        t = time.perf_counter()
        changed = give_vectors(args.index, args.vectors)
        built = ann.build(args.index) is not None
        vectors_s = f"{time.perf_counter() - t:.1f}" if changed or built else "-"
        for ranking in ("bm25", "hybrid"):
            r = serve(args.index, ranking, args.questions, args.vectors)
            print(row(int(r["n"]), ranking, r, "-", vectors_s), flush=True)
        return
    for n in args.passages:
        folder = Path(tempfile.mkdtemp(dir=args.keep, prefix=f"scale-{n}-"))
        try:
            write_corpus(folder / "corpus", n)
            db = folder / "sourced.db"
            t = time.perf_counter()
            build(folder / "corpus", db, vectors_model=DEFAULT_MODEL)
            build_s = time.perf_counter() - t
            t = time.perf_counter()
            give_vectors(db, args.vectors)
            ann.build(db)  # the nearest-neighbour index with them, as a build makes it
            vectors_s = time.perf_counter() - t
            for ranking in ("bm25", "hybrid"):
                r = serve(db, ranking, args.questions, args.vectors)
                print(row(n, ranking, r, f"{build_s:.1f}", f"{vectors_s:.1f}"), flush=True)
        finally:
            if args.keep is None:
                shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
