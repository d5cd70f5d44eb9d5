"""Start-up that cannot work stops at once, with one line naming what is wrong, and exit 2:
never a traceback, never a process that hangs (a supervisor restarts what exits)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import PYTHON, ROOT, SEED, python_env
from .filesystems import mounted_tmpfs


def start_bot(tmp_path: Path, *, state: str | Path, api_base: str = "http://127.0.0.1:9/api/v10",
              token: str = "fake-token") -> subprocess.CompletedProcess[str]:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / SEED.name).write_bytes(SEED.read_bytes())
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\ncorpus = "{corpus}"\ndatabase = "{tmp_path / "sourced.db"}"\n'
                      '[semantic]\nenabled = false\n'
                      f'[discord]\napi_base = "{api_base}"\n'
                      f'[bot]\nstate_database = "{state}"\n', encoding="utf-8")
    return subprocess.run([PYTHON, "-m", "bot", "--config", str(config)], cwd=ROOT,
                          env=python_env(DISCORD_TOKEN=token), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)


def assert_one_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0]


def corrupt_state(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE questions (id INTEGER PRIMARY KEY, text TEXT)")
    con.executemany("INSERT INTO questions (text) VALUES (?)", [("x" * 500,)] * 200)
    con.commit()
    con.close()
    data = bytearray(path.read_bytes())
    data[4096 * 2:4096 * 4] = b"\xa5" * 8192  # pages of the table, not the header
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["text file", "corrupt", "folder", "unwritable place"])
def test_unusable_state_database_exits_with_one_line(tmp_path: Path, kind: str) -> None:
    state = tmp_path / "state.db"
    if kind == "text file":
        state.write_text("feedback: none yet\n", encoding="utf-8")
    elif kind == "corrupt":
        corrupt_state(state)
    elif kind == "folder":
        state.mkdir()
    else:
        state = Path("/proc/sourced-state.db")  # /proc takes no new files, not even root's
    result = start_bot(tmp_path, state=state)
    assert_one_line(result, str(state))


def test_read_only_file_system(tmp_path: Path) -> None:
    with mounted_tmpfs(tmp_path / "ro", size_kb=512) as mount:
        state = mount / "state.db"
        con = sqlite3.connect(state)
        con.execute("CREATE TABLE t (x)")
        con.commit()
        con.close()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        result = start_bot(tmp_path, state=state)
    assert_one_line(result, str(state))


def test_unreachable_api_base(tmp_path: Path) -> None:
    result = start_bot(tmp_path, state=tmp_path / "state.db")
    assert_one_line(result, "api_base", "http://127.0.0.1:9/api/v10", "cannot be reached")


def test_non_utf8_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'[bot]\nlog_level = "\xe9t\xe9"\n')  # Latin-1, as an old editor saves
    result = subprocess.run([PYTHON, "-m", "bot", "--config", str(config)], cwd=ROOT,
                            env=python_env(), stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=60)
    assert_one_line(result, str(config), "not UTF-8")


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                          if ":\t" in line)
            if int(fields.get("PPid", "0")) == pid:
                found.append(int(status.parent.name))
    return found


def test_sigterm_during_the_first_build_stops_cleanly(tmp_path: Path) -> None:
    """SIGTERM while the bot builds its first index (none exists yet): the build's process
    group is stopped, nothing of it is left, and the bot exits 0 at once."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # Enough passages for the build to take several seconds.
    with (corpus / "records.jsonl").open("w", encoding="utf-8") as f:
        for i in range(60_000):
            f.write(json.dumps({"_id": f"d{i}", "title": f"Report {i}",
                                "text": f"The ferry number {i} sank in a storm off the coast."})
                    + "\n")
    database = tmp_path / "sourced.db"
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\ncorpus = "{corpus}"\ndatabase = "{database}"\n'
                      '[semantic]\nenabled = false\n'
                      '[discord]\napi_base = "http://127.0.0.1:9/api/v10"\n'
                      f'[bot]\nstate_database = "{tmp_path / "state.db"}"\n', encoding="utf-8")
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        bot = subprocess.Popen([PYTHON, "-m", "bot", "--config", str(config)], cwd=ROOT,
                               env=python_env(DISCORD_TOKEN="fake-token"),
                               stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while "building it from" not in log.read_text() and bot.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # well into the build
        builds = _children(bot.pid)
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=15) == 0, log.read_text()
        assert builds  # the build ran in a process of its own
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
    for pid in builds:  # stopped and reaped: no such process any more
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert "Traceback" not in log.read_text()
    assert not database.exists()
    assert not list(tmp_path.glob(".sourced.db.building-*"))
