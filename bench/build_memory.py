"""Peak memory of a clean build: N passage records in one JSON Lines file.

    python -m bench.build_memory [--passages 200000 1000000] [--semantic]

Each size is written to a temporary folder, then built by ``python -m index build`` in a fresh
process; the table shows the passages, the file's size, the build's seconds and its peak
resident memory (``ru_maxrss`` of the child: the whole process, interpreter and libraries
included). The build is BM25's alone (``[semantic] enabled = false``) unless ``--semantic``
is given: embedding a million passages takes hours on a small machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_records(path: Path, passages: int, *, seed: int = 7) -> None:
    """Passage records of 20 to 80 words from a Zipf-like vocabulary of 20,000 words."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ra", "te", "su", "no", "ve", "da", "pi", "zo", "re"]
    words = ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(20_000)]
    weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(words))))
    with path.open("w", encoding="utf-8") as f:
        for i in range(passages):
            text = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(20, 80)))
            f.write(json.dumps({"_id": f"d{i}", "title": f"Report {i % 1000}",
                                "text": text.capitalize() + ".",
                                "url": f"https://www.reuters.com/world/{i}"}) + "\n")


def main(sizes: list[int], semantic: bool) -> None:
    print(f"semantic embedding: {'on' if semantic else 'off'}")
    print(f"{'passages':>10} {'file':>8} {'seconds':>8} {'peak RSS':>9}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            config = Path(tmp) / "config.toml"
            config.write_text(f"[index]\noutlets = {json.dumps(str(ROOT / 'index/outlets.toml'))}"
                              f"\n[semantic]\nenabled = {str(semantic).lower()}\n",
                              encoding="utf-8")
            write_records(corpus / "records.jsonl", n)
            size = (corpus / "records.jsonl").stat().st_size / 2**20
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "index", "--config", str(config), "build",
                            "--corpus", str(corpus),
                            "--db", str(Path(tmp) / "i.db")], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"{n:>10,} {size:>5.0f} MB {seconds:>8.1f} {peak:>6.0f} MB", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--semantic", action="store_true",
                        help="embed the passages too ([semantic] enabled)")
    args = parser.parse_args()
    main(args.passages, args.semantic)
