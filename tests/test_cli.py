"""``python -m index``: build and search from the command line, as a user's script calls it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import PYTHON, ROOT, copy_seed, python_env

QUESTION = "why was Soleimani in Baghdad on the day he was killed?"
HIT_FIELDS = {"rank", "score", "passage_id", "kind", "text", "outlet", "url", "thread_title",
              "thread_url", "answer_score"}


def index_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "index", *args], capture_output=True, text=True,
                          cwd=ROOT, env=python_env(), timeout=120)


def bm25_config(folder: Path) -> str:
    """A config with [semantic] off: loading the model in every command would take seconds
    (tests/test_semantic.py runs it)."""
    config = folder / "bm25.toml"
    config.write_text("[semantic]\nenabled = false\n", encoding="utf-8")
    return str(config)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, seed_corpus: Path) -> Path:
    db = tmp_path_factory.mktemp("cli") / "index.db"
    result = index_cli("--config", bm25_config(db.parent), "build", "--corpus",
                       str(seed_corpus), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "1 thread(s), 23 passage(s), 12 quote(s), 9 with an outlet" in result.stdout
    return db


def test_build_json_says_what_became_of_the_vectors(tmp_path: Path, seed_corpus: Path) -> None:
    result = index_cli("--config", bm25_config(tmp_path), "build", "--corpus",
                       str(seed_corpus), "--db", str(tmp_path / "index.db"), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["vectors"] == {"state": "off"}
    assert report["passages"] == 23


def test_search_json(built: Path) -> None:
    result = index_cli("search", "--db", str(built), "--json", "-k", "3", QUESTION)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    assert all(set(h) >= HIT_FIELDS for h in hits)
    assert [h["rank"] for h in hits] == [1, 2, 3]
    assert all(h["kind"] in {"quote", "answer"} for h in hits)
    bbc = [h for h in hits if "I was scheduled to meet martyr Soleimani at 08:30" in h["text"]]
    assert len(bbc) == 1 and bbc[0]["outlet"] == "BBC" and bbc[0]["kind"] == "quote"
    assert bbc[0]["thread_title"] == "Why was Qasem Soleimani in Iraq?"
    assert bbc[0]["thread_url"].startswith("https://politics.stackexchange.com/questions/49219")
    assert bbc[0]["answer_score"] == 24
    assert bbc[0]["url"] is None  # the scraped text kept no links


def test_search_readable(built: Path) -> None:
    result = index_cli("search", "--db", str(built), QUESTION, "-k", "2")
    assert result.returncode == 0
    assert result.stdout.startswith("1. [BBC]")
    assert "2. [" in result.stdout and "3. [" not in result.stdout


def test_nothing_found(built: Path) -> None:
    result = index_cli("search", "--db", str(built), "--json", "zzzz qqqq")
    assert json.loads(result.stdout) == []
    result = index_cli("search", "--db", str(built), "zzzz qqqq")
    assert "No passage matches" in result.stdout


def test_missing_index_is_one_clear_line(tmp_path: Path) -> None:
    result = index_cli("search", "--db", str(tmp_path / "none.db"), "x")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: no index at {tmp_path / 'none.db'}: run `python -m index build` first"]


def test_missing_corpus_fails(tmp_path: Path) -> None:
    result = index_cli("build", "--corpus", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_broken_file_is_skipped_and_reported(tmp_path: Path) -> None:
    corpus = copy_seed(tmp_path / "corpus")
    (corpus / "broken.txt").write_bytes(b"\xff\xfe\x00garbage")
    db = tmp_path / "x.db"
    result = index_cli("--config", bm25_config(tmp_path), "build", "--corpus", str(corpus),
                       "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "23 passage(s)" in result.stdout
    assert "Skipped 1 file(s):" in result.stdout
    # Named relative to the corpus, as every other list of the build names files (review16 F2).
    assert "\n  broken.txt: line 1: binary data" in result.stdout

    # --json names it relative to the corpus, as it names the files it loaded (review14 L1).
    result = index_cli("--config", bm25_config(tmp_path), "build", "--corpus", str(corpus),
                       "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["skipped"] == [{"path": "broken.txt", "record": "line 1",
                                  "problem": report["skipped"][0]["problem"]}]
    assert "binary data" in report["skipped"][0]["problem"]


def test_search_readable_leaves_out_what_a_note_lacks(tmp_path: Path) -> None:
    """A Markdown note has no answer score: the line does not print "None"."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ash.md").write_text("---\ntitle: Ash cloud\n---\n\nThe eruption sent ash eight "
                                   "kilometres into the sky.\n", encoding="utf-8")
    (corpus / "ferry.md").write_text("---\ntitle: Ferry\n---\n\nThe ferry sank in a storm.\n",
                                     encoding="utf-8")
    # Three notes: in BM25Okapi a word found in half of them has an idf of 0.
    (corpus / "tide.md").write_text("---\ntitle: Tide\n---\n\nThe tide rose at dawn.\n",
                                    encoding="utf-8")
    db = tmp_path / "index.db"
    built = index_cli("--config", bm25_config(tmp_path), "build", "--corpus", str(corpus),
                      "--db", str(db))
    assert built.returncode == 0, built.stderr
    result = index_cli("search", "--db", str(db), "how high did the ash go")
    assert result.stdout.startswith("1. ["), result.stdout
    assert "None" not in result.stdout and "answer score" not in result.stdout


def test_a_run_file_keeps_six_columns_when_ids_hold_spaces(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in [("my walrus note", "Walruses sleep in the water."),
                       ("ferry", "The ferry sank."), ("tide", "The tide rose.")]:
        (corpus / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n\n{text}\n",
                                           encoding="utf-8")
    db = tmp_path / "index.db"
    built = index_cli("--config", bm25_config(tmp_path), "build", "--corpus", str(corpus),
                      "--db", str(db))
    assert built.returncode == 0, built.stderr
    queries = tmp_path / "queries.tsv"
    queries.write_text("q 1\twhere do walruses sleep\n", encoding="utf-8")
    run = tmp_path / "run.txt"
    result = index_cli("search", "--db", str(db), "--queries", str(queries), "--run", str(run),
                       "--tag", "my run", "--bm25-only")
    assert result.returncode == 0, result.stderr
    [line] = run.read_text(encoding="utf-8").splitlines()
    qid, q0, pid, rank, _, tag = line.split()
    assert (qid, q0, rank, tag) == ("q%201", "Q0", "1", "my%20run")
    assert pid.startswith("note:my%20walrus%20note/")
    # A run file that cannot be written: one line saying what could not be done.
    result = index_cli("search", "--db", str(db), "--queries", str(queries), "--run",
                       str(tmp_path / "no such folder" / "run.txt"), "--bm25-only")
    assert result.returncode == 1
    assert result.stderr.startswith("error: could not read the index or write the run: ")


def test_json_is_refused_in_batch_mode(tmp_path: Path) -> None:
    result = index_cli("search", "--db", str(tmp_path / "x.db"), "--queries", "q.tsv", "--run",
                       "out.txt", "--json")
    assert result.returncode == 2 and "--json does not apply to batch mode" in result.stderr
