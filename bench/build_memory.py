"""Peak memory of a build: N passage records in JSON Lines files.

    python -m bench.build_memory [--passages 200000 1000000] [--semantic | --carry]
        [--keep FOLDER]

Each size is written to a temporary folder, then built by ``python -m index build`` in a fresh
process (the command a person or ``/reload`` runs); the table shows the passages, the records'
size, the build's seconds and its memory:

- **peak RSS**: the largest peak resident memory (``ru_maxrss``) of the build's processes, the
  interpreter and libraries included;
- **tree peak**: the largest sum of resident memory of the build and every process it started,
  sampled every 50 ms (it can miss a peak shorter than that; ``peak RSS`` cannot);
- **before graph**: the build's peak resident memory (``VmHWM``) when it logs that it starts
  the nearest-neighbour graph (``index.ann``), i.e. the peak of reading, BM25 and embedding;
  "-" when no graph is built;
- **build**, **embedding**, **others**: the peak resident memory (``VmHWM``, sampled) of the
  build process itself, of its embedding process (``index.vectors.embed_apart``) and of any
  other process it started, each on its own;
- **graph stage**: the largest sampled sum of all of them from the graph's start to the end.

Modes:

- default: a clean build of one file, BM25 alone (``[semantic] enabled = false``);
- ``--semantic``: the same clean build with ``[semantic]`` on: every passage is embedded by the
  real model (about 28 passages a second on an idle two-core machine, far fewer when loaded),
  then the graph is built;
- ``--carry``: a rebuild with ``[semantic]`` on, where the previous index already holds a
  vector for every passage. The N records are in ``FILES`` files; the previous index is built
  first (not measured) by ``index.build.build`` with vector keys, and its vectors are
  **synthetic** (random unit vectors, stored under the passages' real keys as the real model's,
  through ``index.vectors.embed_missing``): embedding a million real passages takes about ten
  hours here. Then ``CHANGED`` records of the first file get new text, and the measured build
  carries every other vector from the previous index (by document for unchanged files, by key
  for the changed file's unchanged passages), embeds the changed passages with the real model,
  and builds the graph of all N vectors. ``--keep FOLDER`` keeps the previous index there and
  reuses it on the next run (the preparation of a million takes tens of minutes).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = 100      # --carry: the records are spread over this many files
CHANGED = 20     # --carry: records of the first file whose text changes before the rebuild
GRAPH_STARTS = re.compile(r"building the nearest-neighbour index")


def _record(i: int, text: str) -> str:
    return json.dumps({"_id": f"d{i}", "title": f"Report {i % 1000}", "text": text,
                       "url": f"https://www.reuters.com/world/{i}"}) + "\n"


def write_records(path: Path, passages: int, *, seed: int = 7, files: int = 1) -> None:
    """Passage records of 20 to 80 words from a Zipf-like vocabulary of 20,000 words, in one
    file at ``path``, or in ``files`` files in the folder ``path``."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ra", "te", "su", "no", "ve", "da", "pi", "zo", "re"]
    words = ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(20_000)]
    weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(words))))
    per_file = -(-passages // files)
    outputs = [path] if files == 1 else [path / f"records-{f:03d}.jsonl" for f in range(files)]
    for f, out in enumerate(outputs):
        with out.open("w", encoding="utf-8") as w:
            for i in range(f * per_file, min(passages, (f + 1) * per_file)):
                text = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(20, 80)))
                w.write(_record(i, text.capitalize() + "."))


def change_records(path: Path, count: int) -> None:
    """Give the first ``count`` records of a file new text."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for n, line in enumerate(lines[:count]):
        record = json.loads(line)
        lines[n] = _record(int(record["_id"][1:]), f"Changed record {n}: {record['text']}")
    path.write_text("".join(lines), encoding="utf-8")


def _config(folder: Path, semantic: bool) -> Path:
    config = folder / "config.toml"
    config.write_text(f"[index]\noutlets = {json.dumps(str(ROOT / 'index/outlets.toml'))}"
                      f"\n[semantic]\nenabled = {str(semantic).lower()}\n", encoding="utf-8")
    return config


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # the process ended meanwhile
                todo += [int(c) for c in task.read_text().split()]
    return out


def _role(pid: int, build: int) -> str:
    if pid == build:
        return "build"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "others"
    # The embedding process: started directly (now) or through multiprocessing (before).
    return "embedding" if b"_embed_child" in command or b"spawn_main" in command else "others"


@dataclass
class Figures:
    seconds: float
    peak: float                  # MB: ru_maxrss, the largest of the build's processes
    tree: float                  # MB: the largest sampled sum of all of them
    before_graph: float | None   # MB: the build's VmHWM when the graph starts
    roles: dict[str, float]      # MB: each kind of process's VmHWM, sampled
    graph_stage: float | None    # MB: the largest sampled sum from the graph's start


def measure(command: Sequence[str]) -> Figures:
    """Run a build and sample its processes' memory."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    before_graph: list[int] = []
    tail: list[str] = []

    def watch() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            tail[:] = [*tail, line][-20:]
            if not before_graph and GRAPH_STARTS.search(line):
                before_graph.append(_rss_kb(child.pid, "VmHWM"))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    tree_peak = 0
    graph_peak: int | None = None
    roles: dict[str, int] = {}
    while True:
        pids = _tree(child.pid)
        now = sum(_rss_kb(p) for p in pids)
        tree_peak = max(tree_peak, now)
        if before_graph:
            graph_peak = max(graph_peak or 0, now)
        for p in pids:
            if hwm := _rss_kb(p, "VmHWM"):  # 0: it ended meanwhile
                role = _role(p, child.pid)
                roles[role] = max(roles.get(role, 0), hwm)
        # This child's own usage (its reaped descendants included), not every child's so far.
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.05)
    child.returncode = os.waitstatus_to_exitcode(status)
    watcher.join(timeout=10)  # a process it left behind may hold its standard error
    seconds = time.perf_counter() - started
    if child.returncode:
        sys.exit(f"the build failed ({child.returncode}):\n{''.join(tail)}")
    return Figures(seconds, usage.ru_maxrss / 1024, tree_peak / 1024,
                   before_graph[0] / 1024 if before_graph else None,
                   {role: kb / 1024 for role, kb in roles.items()},
                   graph_peak / 1024 if graph_peak is not None else None)


def prepare(corpus: Path, db: Path) -> None:
    """The previous index for ``--carry``: keys from the real passages, synthetic vectors."""
    import numpy as np

    from index.build import build
    from index.embedding import DEFAULT_MODEL
    from index.loaders import LoadContext
    from index.outlets import Gazetteer
    from index.vectors import embed_missing, work_file

    class Synthetic:
        """Random unit vectors under the real model's name: what the previous index holds."""

        name, dim = DEFAULT_MODEL, 384
        rng = np.random.default_rng(11)

        def embed(self, texts: Sequence[str]) -> np.ndarray:
            v = self.rng.standard_normal((len(texts), self.dim)).astype(np.float32)
            return v / np.linalg.norm(v, axis=1, keepdims=True)  # type: ignore[no-any-return]

    build(corpus, db, ctx=LoadContext(Gazetteer.load(ROOT / "index/outlets.toml")),
          vectors_model=DEFAULT_MODEL)
    assert embed_missing(db, Synthetic()).complete  # type: ignore[arg-type]
    work_file(db).unlink()  # the measured build finds its vectors in the index alone


def main(sizes: list[int], mode: str, keep: Path | None) -> None:
    semantic = mode != "off"
    print(f"semantic embedding: {'on' if semantic else 'off'}"
          + (f"; a rebuild carrying the previous index's synthetic vectors, {CHANGED} records "
             f"of {FILES} files changed" if mode == "carry" else ""))
    print(f"{'passages':>10} {'records':>8} {'seconds':>8} {'peak RSS':>9} {'tree peak':>9} "
          f"{'before graph':>12} {'build':>7} {'embedding':>9} {'others':>7} "
          f"{'graph stage':>11}  load", flush=True)
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            corpus = folder / "corpus"
            corpus.mkdir()
            db = folder / "i.db"
            if mode == "carry":
                kept = keep / f"carry-{n}" if keep else folder / "previous"
                if not (kept / "i.db").exists():
                    kept.mkdir(parents=True, exist_ok=True)
                    (kept / "corpus").mkdir(exist_ok=True)
                    write_records(kept / "corpus", n, files=FILES)
                    subprocess.run([sys.executable, "-m", "bench.build_memory", "--prepare",
                                    str(kept / "corpus"), str(kept / "i.db")], cwd=ROOT,
                                   check=True)
                shutil.copytree(kept / "corpus", corpus, dirs_exist_ok=True)
                shutil.copyfile(kept / "i.db", db)
                change_records(corpus / "records-000.jsonl", CHANGED)
            else:
                write_records(corpus / "records.jsonl", n)
            size = sum(f.stat().st_size for f in corpus.iterdir()) / 2**20
            load = os.getloadavg()[0]
            f = measure([sys.executable, "-m", "index", "--config",
                         str(_config(folder, semantic)), "build", "--corpus", str(corpus),
                         "--db", str(db)])
            print(f"{n:>10,} {size:>5.0f} MB {f.seconds:>8.1f} {f.peak:>6.0f} MB "
                  f"{f.tree:>6.0f} MB {_mb(f.before_graph, 12)} {_mb(f.roles.get('build'), 7)} "
                  f"{_mb(f.roles.get('embedding'), 9)} {_mb(f.roles.get('others'), 7)} "
                  f"{_mb(f.graph_stage, 11)}  {load:.1f}-{os.getloadavg()[0]:.1f}", flush=True)


def _mb(value: float | None, width: int) -> str:
    return f"{value:>{width - 3}.0f} MB" if value is not None else f"{'-':>{width}}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, nargs="+", default=[200_000, 1_000_000])
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--semantic", action="store_true",
                     help="embed the passages too ([semantic] enabled)")
    how.add_argument("--carry", action="store_true", help="a rebuild carrying the previous "
                     "index's (synthetic) vectors, a few passages changed")
    parser.add_argument("--keep", type=Path, help="--carry: keep (and reuse) the previous "
                        "index in this folder")
    parser.add_argument("--prepare", nargs=2, type=Path, metavar=("CORPUS", "DB"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(*args.prepare)
    else:
        main(args.passages, "carry" if args.carry else "on" if args.semantic else "off",
             args.keep)
