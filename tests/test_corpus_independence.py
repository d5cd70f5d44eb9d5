"""The suite passes whatever an admin put in corpus/: the tests that read corpus/ run again,
in a fresh pytest, against a copy of it that also holds a Stack Exchange dump, a saved page
and a Markdown note (``SOURCED_TEST_CORPUS`` points them there)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from index.build import build
from index.writer import HeldTwice

from .conftest import CORPUS, PYTHON, ROOT, python_env

# One test for each way the suite reads corpus/: the whole folder; the seed's files by name;
# a copy of the seed (copy_seed); the session's seed corpus and index (seed_corpus, seed_db),
# through the CLI too; and the real bot, whose default corpus is the seed (its replies count
# the outlets and passages, so any extra document would show).
CORPUS_READERS = [
    "tests/test_corpus.py",
    "tests/test_loader_plaintext.py",
    "tests/test_store.py::test_nothing_changed_keeps_the_index_as_it_is",
    "tests/test_hostile_questions.py",
    "tests/test_cli.py::test_search_json",
    "tests/test_discord_e2e.py::test_asking_and_browsing",
]


@pytest.mark.shared_data
def test_corpus_readers_pass_with_more_documents(shared_data: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    dump = corpus / "history-meta"
    dump.mkdir(exist_ok=True)  # corpus/ may hold this very dump already
    for name in ("Posts.xml", "Comments.xml"):
        shutil.copyfile(shared_data / "stackexchange" / "history-meta" / name, dump / name)
    page = shared_data / "stackexchange-pages" / "unix-92560.html"
    shutil.copyfile(page, corpus / page.name)
    (corpus / "ferry.md").write_text(
        "---\ntitle: Ferry notes\n---\n\nThe BBC reported:\n\n> The ferry sank in a storm.\n",
        encoding="utf-8")
    added = {"history-meta/Posts.xml", page.name, "ferry.md"}
    report = build(corpus, tmp_path / "all.db")
    # corpus/ may hold the same page under another name: then that copy holds its threads.
    held_elsewhere = {str(Path(err.path).relative_to(corpus)) for err in report.skipped
                      if isinstance(err, HeldTwice)}
    loaded = {f.path for f in report.files if f.counts.passages}
    assert added <= loaded | held_elsewhere and added & loaded, report.summary()

    result = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *CORPUS_READERS],
        cwd=ROOT, env=python_env(SOURCED_TEST_CORPUS=str(corpus)), capture_output=True,
        text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " skipped" not in result.stdout, result.stdout
