"""The Makefile's promises: every target is phony, and `make clean` removes what it says."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).resolve().parent.parent / "Makefile"


def test_every_command_target_is_phony() -> None:
    text = MAKEFILE.read_text(encoding="utf-8")
    phony = set(re.search(r"^\.PHONY:(.*)$", text, re.MULTILINE)[1].split())  # type: ignore[index]
    targets = set(re.findall(r"^([a-z][\w-]*):", text, re.MULTILINE))
    assert targets and targets <= phony, sorted(targets - phony)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_clean_removes_every_cache_and_keeps_the_state(tmp_path: Path) -> None:
    shutil.copy(MAKEFILE, tmp_path / "Makefile")
    made = ["index/__pycache__/kernels.bm25-1.py312.nbi", "bot/__pycache__/render.pyc",
            ".hypothesis/examples/x", "sourced.egg-info/PKG-INFO", ".pytest_cache/x",
            ".venv/bin/python", "data/sourced.db", "data/answers-bench/index.db"]
    for name in [*made, "data/state.db", "index/kernels.py"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    subprocess.run(["make", "-s", "clean"], cwd=tmp_path, check=True, capture_output=True,
                   timeout=60)
    assert [name for name in made if (tmp_path / name).exists()] == []
    assert not (tmp_path / "index/__pycache__").exists()
    assert (tmp_path / "data/state.db").is_file()  # the bot's records are never cleaned
    assert (tmp_path / "index/kernels.py").is_file()
