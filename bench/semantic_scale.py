"""Hybrid search at scale: serving memory and the served path's latency with passage vectors.

    python -m bench.semantic_scale [--passages 10000 100000 1000000] [--questions 300]

Embedding a million real passages takes hours on two cores (README), so the passages here are
synthetic (``bench.synthetic_corpus``) and so are their vectors: each passage's vector is a
random projection of its words (a fixed Gaussian vector per word, summed, normalised), stored
through the project's own ``embed_missing`` as int8 rows, as real ones are. Questions are
drawn from the synthetic corpus's words (a topic and 2 to 5 of its words, as
``bench.rebuild``'s are), embedded by the real model on every search: the path the bot takes,
``IndexReader.search``, from question text to hits with their text. For each size,
in a fresh process: resident memory of the open index (above the interpreter with the project
and the model's libraries imported), with vectors and with BM25 alone, and the median and p99
of ``search(question, 3)``, hybrid and BM25 alone.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synthetic_corpus import TOPICS, _vocabulary, write_corpus  # noqa: E402
from index import ann  # noqa: E402
from index.build import build  # noqa: E402
from index.embedding import DEFAULT_MODEL  # noqa: E402
from index.vectors import embed_missing  # noqa: E402

WORD = re.compile(r"\w+")


def questions(rng: random.Random, n: int) -> list[str]:
    """Questions from the synthetic corpus's words: a topic and 2 to 5 of its words."""
    words = _vocabulary(random.Random(7), 20_000)  # the corpus's own words (same seed)
    return [f"what happened with the {rng.choice(TOPICS)} "
            + " ".join(rng.choices(words[:2000], k=rng.randint(2, 5))) for _ in range(n)]


class RandomProjection:
    """Stands in for the model at build time: the same interface, vectors from the words."""

    name = DEFAULT_MODEL
    dim = 384

    def __init__(self) -> None:
        self._table: dict[str, np.ndarray] = {}
        self._rng = np.random.default_rng(13)

    def _vector(self, word: str) -> np.ndarray:
        if word not in self._table:
            self._table[word] = self._rng.standard_normal(self.dim).astype(np.float32)
        return self._table[word]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                out[i] += self._vector(word)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out


SERVE = """
import asyncio, gc, json, statistics, sys, time
from pathlib import Path
from bench.ranking import rss_mb
import index.embedding, index.reader
index.embedding.load()  # the model's libraries and weights count as the baseline's
gc.collect(); base = rss_mb()
questions = json.loads(sys.argv[3])
async def main():
    semantic = sys.argv[2] == "hybrid"
    async with await index.reader.IndexReader.open(Path(sys.argv[1]), semantic=semantic) as r:
        await r.loaded()
        assert await r.semantic_ready() == semantic
        for q in questions[:10]:
            await r.search(q, 3)
        times = []
        for q in questions:
            t = time.perf_counter()
            hits = await r.search(q, 3)
            times.append(1000 * (time.perf_counter() - t))
            assert all(h.text for h in hits)
        gc.collect()
        times.sort()
        print(json.dumps({"memory_mb": rss_mb() - base, "median_ms": statistics.median(times),
                          "p99_ms": times[int(0.99 * (len(times) - 1))]}))
asyncio.run(main())
"""


def serve(db: Path, ranking: str, questions: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", SERVE, str(db), ranking, json.dumps(questions)],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"serving {db} ({ranking}) failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--keep", type=Path, help="keep the built indexes in this folder")
    args = parser.parse_args()
    asked = questions(random.Random(5), args.questions)
    print("| passages | ranking | memory MB | median ms | p99 ms | build s | vectors s |")
    print("|---|---|---|---|---|---|---|")
    for n in args.passages:
        with tempfile.TemporaryDirectory(dir=args.keep) as tmp:
            folder = Path(tmp)
            write_corpus(folder / "corpus", n)
            db = folder / "sourced.db"
            t = time.perf_counter()
            build(folder / "corpus", db, vectors_model=DEFAULT_MODEL)
            build_s = time.perf_counter() - t
            t = time.perf_counter()
            report = embed_missing(db, RandomProjection())  # type: ignore[arg-type]
            assert report.complete
            vectors_s = time.perf_counter() - t
            t = time.perf_counter()
            ann.build(db)
            vectors_s += time.perf_counter() - t  # the nearest-neighbour index with them
            for ranking in ("bm25", "hybrid"):
                r = serve(db, ranking, asked)
                print(f"| {n:,} | {ranking} | {r['memory_mb']:.0f} | {r['median_ms']:.2f} | "
                      f"{r['p99_ms']:.2f} | {build_s:.1f} | {vectors_s:.1f} |", flush=True)


if __name__ == "__main__":
    main()
