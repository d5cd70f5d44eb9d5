"""Shared fixtures: the shipped seed thread, a built index of it, and the third-party data
folder.

corpus/ is an admin's folder: the suite never assumes what else is in it. Tests that need the
seed thread read its two shipped files by name (``SEED_FILES``), through a copy in a temporary
folder (``copy_seed``, ``seed_corpus``); only test_corpus.py reads the whole folder, and asserts
nothing about how much it holds. ``SOURCED_TEST_CORPUS`` points the suite at another folder in
corpus/'s place: test_corpus_independence.py runs the corpus-reading tests against corpus/ plus
a Stack Exchange dump, a saved page and a note.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.build import build
from index.loaders import LoadContext
from index.outlets import Gazetteer

ROOT = Path(__file__).resolve().parents[1]
# The admin's folder: only tests/test_corpus.py reads it (whatever it holds must load or be
# reported). Every other test builds on its own copy of the seed thread, tests/data/seed/, so
# an admin who edits or removes the shipped seed in corpus/ breaks no test.
CORPUS = Path(os.environ.get("SOURCED_TEST_CORPUS") or ROOT / "corpus")
SEED = ROOT / "tests" / "data" / "seed" / "politics-se-why-was-soleimani-in-iraq.txt"
SEED_FILES = (SEED, SEED.with_suffix(".meta.toml"))  # + sidecar
SHARED_DATA = (ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The model's ONNX export goes to a folder of the session's (through the environment, so
    the build's and the bot's processes share it): exported once per session (about 10 s),
    never into the user's cache. A session started by another (test_corpus_independence.py)
    reuses that one's, as any explicitly set ``SOURCED_CACHE``."""
    if os.environ.get("SOURCED_CACHE"):
        yield Path(os.environ["SOURCED_CACHE"])
        return
    folder = tmp_path_factory.mktemp("sourced-cache")
    os.environ["SOURCED_CACHE"] = str(folder)
    yield folder
    os.environ.pop("SOURCED_CACHE", None)


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="session")
def ctx(gazetteer: Gazetteer) -> LoadContext:
    return LoadContext(gazetteer)


def copy_seed(folder: Path) -> Path:
    """``folder`` (created if need be) with a copy of the shipped seed thread and its sidecar:
    a corpus of exactly the seed, whatever else corpus/ holds."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in SEED_FILES:
        shutil.copyfile(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus folder of the seed thread alone, shared by the session: never write to it."""
    return copy_seed(tmp_path_factory.mktemp("seed-corpus") / "corpus")


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory, seed_corpus: Path) -> Path:
    """The seed thread, built once into a real SQLite file."""
    db = tmp_path_factory.mktemp("seed") / "sourced.db"
    report = build(seed_corpus, db)
    assert not report.skipped, report.summary()
    return db


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"third-party data not found at {SHARED_DATA} (a checkout outside the "
                    "workplace)")
    return SHARED_DATA


@pytest.fixture
def run() -> Iterator[object]:
    """Run a coroutine to completion in a fresh event loop."""
    yield asyncio.run


def python_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess of the project: no Discord token unless given."""
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


PYTHON = sys.executable
