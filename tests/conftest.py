"""Shared fixtures: the shipped corpus, a built index of it, and the third-party data folder."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.build import build
from index.loaders import LoadContext
from index.outlets import Gazetteer

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEED = CORPUS / "politics-se-why-was-soleimani-in-iraq.txt"
SHARED_DATA = (ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="session")
def ctx(gazetteer: Gazetteer) -> LoadContext:
    return LoadContext(gazetteer)


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus, built once into a real SQLite file."""
    db = tmp_path_factory.mktemp("seed") / "sourced.db"
    report = build(CORPUS, db)
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
