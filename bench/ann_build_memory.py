"""The memory of the build's graph step (``index.ann.build``) alone, and where it goes.

    python -m bench.ann_build_memory [--passages 200000 400000] [--index DB ...]
        [--work data/ann_build] [--keep]

For each size, a vectors-only index of N realistic vectors (``bench.real_vectors``: the real
passages' vectors spread among Gaussian draws; kept under ``--work`` and reused) is written
once; or ``--index`` names built indexes (with complete vectors). Then, in a fresh process, the
project's ``index.ann.build`` makes the graph (its file goes beside the index; earlier graphs
there are removed first, so each run builds; it is removed afterwards unless ``--keep``), and
the table shows, resident memory in MB:

- **start**: the process with ``index.ann``, numpy and usearch imported, before the build;
- **by row**: resident memory after each CHUNK of rows was added, its last value (the graph
  with all its nodes, before it is saved);
- **peak**: the process's peak (``VmHWM``), through saving;
- **peak - start**: what the build added;
- the graph file's size, and the build's seconds and load average.

A graph's memory depends on its layout (dimensions, links, the number of passages), not on the
numbers in the vectors, so these sizes give a per-passage and a fixed cost; the build's own
graph stage is this plus what the building process holds when it starts the graph
(``bench.build_memory``).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, os, sys, time
from pathlib import Path

def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0

import numpy, usearch.index
from index import ann
start = status("VmRSS")
rows = []
t = time.perf_counter()
ann.build(Path(sys.argv[1]), progress=lambda done, n: rows.append((done, status("VmRSS"))))
took = time.perf_counter() - t
print(json.dumps({"start": start, "rows": rows, "peak": status("VmHWM"), "seconds": took,
                  "load": os.getloadavg()}))
"""


def vectors_only(db: Path, n: int) -> None:
    """An index holding only N realistic vectors (what ``index.ann`` reads)."""
    from bench.real_vectors import realistic
    from index.embedding import DEFAULT_MODEL

    tmp = db.with_name(db.name + ".tmp")
    tmp.unlink(missing_ok=True)
    dim = 384
    with closing(sqlite3.connect(tmp)) as con:
        con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        con.execute("CREATE TABLE arrays (name TEXT PRIMARY KEY, dtype TEXT, data BLOB)")
        keys = np.random.default_rng(n).integers(0, 256, n * 16, dtype=np.uint8)
        con.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("vectors_model", DEFAULT_MODEL), ("vectors_dim", str(dim)),
            ("vectors_missing", "0")])
        con.execute("INSERT INTO arrays VALUES ('vector_keys', 'uint8', ?)", (keys.tobytes(),))
        con.execute("INSERT INTO arrays VALUES ('vectors', 'int8', zeroblob(?))", (n * dim,))
        con.execute("INSERT INTO arrays VALUES ('vector_scales', 'float32', zeroblob(?))",
                    (n * 4,))
        rowid = dict(con.execute("SELECT name, rowid FROM arrays").fetchall())
        with con.blobopen("arrays", "data", rowid["vectors"]) as r, \
                con.blobopen("arrays", "data", rowid["vector_scales"]) as s:
            for at, rows, scales in realistic(n):
                r.seek(at * dim)
                r.write(rows.tobytes())
                s.seek(at * 4)
                s.write(scales.astype(np.float32).tobytes())
        con.commit()
    os.replace(tmp, db)


def measure(db: Path, keep: bool = False) -> dict[str, object]:
    for old in db.parent.glob(f".{db.name}.ann-*"):
        old.unlink()
    done = subprocess.run([sys.executable, "-c", CHILD, str(db)], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode:
        raise SystemExit(f"building the graph of {db} failed:\n{done.stderr[-3000:]}")
    out: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    (graph,) = db.parent.glob(f".{db.name}.ann-*")
    out["file"] = graph.stat().st_size / 2**20
    if not keep:
        graph.unlink()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, nargs="*", default=[200_000, 400_000])
    parser.add_argument("--index", type=Path, nargs="*", default=[])
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "ann_build")
    parser.add_argument("--keep", action="store_true", help="keep the graphs built (beside "
                        "their index, where the reader looks for them)")
    args = parser.parse_args()
    from index import ann

    print(f"index.ann: {ann.FORMAT.decode()}, CHUNK {ann.CHUNK:,}")
    print("| passages | start MB | by row MB (last) | peak MB | peak - start MB | file MB "
          "| build s | load average 1/5/15 min |")
    print("|---|---|---|---|---|---|---|---|")
    dbs = list(args.index)
    for n in args.passages:
        args.work.mkdir(parents=True, exist_ok=True)
        db = args.work / f"vectors-{n}.db"
        if not db.exists():
            vectors_only(db, n)
        dbs.append(db)
    for db in dbs:
        t = time.perf_counter()
        r = measure(db, args.keep)
        rows = r["rows"]
        assert isinstance(rows, list)
        n, last = rows[-1]
        print(f"| {n:,} | {r['start']:.0f} | {last:.0f} | {r['peak']:.0f} | "
              f"{float(r['peak']) - float(r['start']):.0f} | {r['file']:.0f} | "
              f"{float(r['seconds']):.0f} | "
              + " ".join(f"{x:.1f}" for x in r["load"]) + " |", flush=True)  # type: ignore[attr-defined]
        print("  by row: " + ", ".join(f"{d:,}: {m:.0f}" for d, m in rows)
              + f" ({time.perf_counter() - t:.0f} s in all)", flush=True)


if __name__ == "__main__":
    main()
