"""Rebuilding after one file of the corpus changes: how long until the new index serves.

Writes a synthetic corpus (``bench.synthetic_corpus``), builds it clean, changes one file in
the middle of the corpus order (so every later passage is renumbered), rebuilds through
``python -m index build``'s own ``build``, then opens the new index and answers a question, as
the bot does after /reload. Then, in a fresh process, it measures the memory the open index
takes (the reader with its query stages, above the interpreter with the project imported).
With ``--verify`` it also builds the changed corpus clean and checks that both give the same
answers.

    python -m bench.rebuild --passages 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from index.build import build
from index.reader import IndexReader

from .synthetic_corpus import write_corpus

ROOT = Path(__file__).resolve().parents[1]
# Run in a fresh process: the build's own garbage would blur the reader's memory.
SERVING_MEMORY = """
import asyncio, gc, sys
from pathlib import Path
from bench.ranking import rss_mb
from index.reader import IndexReader
gc.collect(); base = rss_mb()
async def main():
    async with await IndexReader.open(Path(sys.argv[1])) as reader:
        for question in sys.argv[2:]:
            await reader.search(question, 3)
        await reader.loaded()  # all postings in memory, as the bot serves most of the time
        gc.collect()
        print(round(rss_mb() - base))
asyncio.run(main())
"""
QUESTIONS = ["what happened with the ferry", "why did the summit fail", "the treaty vaccine",
             "karamilo tesu", "flood satellite budget"]


async def answers(db: Path) -> tuple[float, list[list[tuple[str, float]]]]:
    """Seconds to open ``db`` and answer the first question; every question's hits."""
    started = time.perf_counter()
    reader = await IndexReader.open(db)
    try:
        first = await reader.search(QUESTIONS[0], k=10)
        seconds = time.perf_counter() - started
        hits = [first] + [await reader.search(q, k=10) for q in QUESTIONS[1:]]
    finally:
        await reader.close()
    return seconds, [[(h.passage_id, round(h.score, 9)) for h in hs] for hs in hits]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--verify", action="store_true",
                        help="also build the changed corpus clean and compare the answers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus, db = root / "corpus", root / "sourced.db"
        files = write_corpus(corpus, args.passages)
        clean = build(corpus, db)
        print(f"corpus: {files:,} files, {clean.totals.passages:,} passages; clean build "
              f"{clean.seconds:.1f} s; index file {db.stat().st_size / 2**20:,.0f} MiB")

        changed = sorted(corpus.iterdir())[files // 2]
        text = changed.read_text(encoding="utf-8")
        changed.write_text(text.replace("According to", "As the ferry's captain told", 1),
                           encoding="utf-8")
        started = time.perf_counter()
        report = build(corpus, db)
        rebuilt = time.perf_counter() - started
        opened, hits = asyncio.run(answers(db))
        print(f"one file changed ({changed.name}): rebuild {rebuilt:.2f} s "
              f"({sum(f.reused for f in report.files):,} files reused), reopen + first answer "
              f"{opened:.2f} s; serving after {rebuilt + opened:.2f} s")
        memory = subprocess.run([sys.executable, "-c", SERVING_MEMORY, str(db), *QUESTIONS],
                                capture_output=True, text=True, cwd=ROOT, check=True).stdout
        print(f"serving memory: {memory.strip()} MB above the interpreter with the project "
              f"imported, after {len(QUESTIONS)} questions")
        if not args.verify:
            return 0
        build(corpus, root / "clean.db", reuse=False)
        _, expected = asyncio.run(answers(root / "clean.db"))
        same = hits == expected
        print(f"answers to {len(QUESTIONS)} questions equal a clean build's: {same}")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
