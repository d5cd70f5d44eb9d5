"""A build killed half-way (SIGKILL) leaves the last complete index, intact and served."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from index.build import build
from index.reader import IndexReader

from .conftest import PYTHON, ROOT, copy_seed, python_env


def big_corpus(folder: Path, answers: int) -> None:
    copy_seed(folder)
    body = "\n\n".join(f"1\n\nAccording to Reuters:\n\nReport {i} on harbour traffic " + "ships "
                       * 60 for i in range(answers))
    (folder / "big.txt").write_text(f"1\n\nShips?\n\n{answers} Answers {answers}\n\n{body}\n",
                                    encoding="utf-8")


def test_sigkill_during_build_keeps_the_last_index(tmp_path: Path, seed_corpus: Path,
                                                   run) -> None:
    db = tmp_path / "data" / "sourced.db"
    build(seed_corpus, db)
    before = db.read_bytes()
    corpus = tmp_path / "corpus"
    big_corpus(corpus, 6000)
    proc = subprocess.Popen([PYTHON, "-m", "index", "build", "--corpus", str(corpus), "--db",
                             str(db)], cwd=ROOT, env=python_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(db.parent.glob(".sourced.db.building-*")) and time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the build finished before it could be killed"
    assert db.read_bytes() == before
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()

    async def search() -> int:
        async with await IndexReader.open(db) as reader:
            return len(await reader.search("Soleimani", 3))

    assert run(search()) == 3
    # The next build clears what the killed one left behind.
    build(seed_corpus, db)
    assert sorted(p.name for p in db.parent.iterdir()) == ["sourced.db"]
