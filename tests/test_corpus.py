"""The shipped corpus loads cleanly, and whatever an admin adds to corpus/ is either loaded or
reported with a reason: the suite checks the build's promise, never the admin's documents (a
broken file of theirs is a skip report, not a failing test)."""

from __future__ import annotations

from pathlib import Path

from index.build import build
from index.loaders import corpus_files

from .conftest import CORPUS, copy_seed


def test_the_shipped_corpus_loads(tmp_path: Path) -> None:
    report = build(copy_seed(tmp_path / "corpus"), tmp_path / "sourced.db")
    problems = [str(err) for err in report.skipped + report.skipped_records]
    problems += [f"{f.path}: no passages" for f in report.files if not f.counts.passages]
    assert not problems, "\n".join(problems)
    assert report.totals.passages > 0


def test_every_file_in_corpus_is_loaded_or_reported(tmp_path: Path) -> None:
    report = build(CORPUS, tmp_path / "sourced.db")
    listed = {p.resolve() for p in corpus_files(CORPUS)}
    loaded = {(CORPUS / f.path).resolve() for f in report.files}
    reported = {Path(err.path).resolve() for err in report.skipped}
    assert listed == loaded | reported, report.summary()
    assert all(err.problem for err in report.skipped)


def test_readme_and_sidecars_are_not_documents() -> None:
    names = {p.name for p in corpus_files(CORPUS)}
    assert "README.md" not in names
    assert not any(n.endswith(".meta.toml") for n in names)
