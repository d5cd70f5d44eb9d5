"""Every file in corpus/ loads, and every failure is reported at once (as Red-DiscordBot's test
of its shipped trivia lists). Nothing here assumes how many files corpus/ holds or what they
contain: an admin adds and removes documents there."""

from __future__ import annotations

from pathlib import Path

from index.build import build
from index.loaders import corpus_files

from .conftest import CORPUS


def test_every_file_in_corpus_loads(tmp_path: Path) -> None:
    report = build(CORPUS, tmp_path / "sourced.db")
    problems = [str(err) for err in report.skipped]
    problems += [f"{f.path}: no passages" for f in report.files if not f.counts.passages]
    assert not problems, "\n".join(problems)


def test_readme_and_sidecars_are_not_documents() -> None:
    names = {p.name for p in corpus_files(CORPUS)}
    assert "README.md" not in names
    assert not any(n.endswith(".meta.toml") for n in names)
