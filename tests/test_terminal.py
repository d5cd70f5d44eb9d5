"""``python -m bot`` without a token: the terminal mode, as a newcomer first runs it."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

from .conftest import PYTHON, ROOT, copy_seed, python_env


def write_config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    corpus = copy_seed(tmp_path / "corpus")
    config.write_text(f'[index]\ncorpus = "{corpus}"\ndatabase = "{tmp_path / "idx.db"}"\n'
                      '[semantic]\nenabled = false\n'
                      f'[bot]\nstate_database = "{tmp_path / "state.db"}"\n', encoding="utf-8")
    return config


def ask(config: Path, questions: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "bot", "--config", str(config)], input=questions,
                          capture_output=True, text=True, cwd=ROOT, env=python_env(),
                          timeout=120)


def test_piped_questions_are_answered(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = ask(config, "why was Soleimani in Baghdad on the day he was killed?\n\n"
                         "what is the capital of Mongolia\n")
    assert result.returncode == 0, result.stderr
    notice = [line for line in result.stderr.splitlines() if "DISCORD_TOKEN" in line]
    assert notice == ["No Discord token in $DISCORD_TOKEN: answering questions from the terminal, "
                      "one per line."]
    first, _, rest = result.stdout.partition("From: Why was Qasem Soleimani in Iraq?")
    assert first.startswith("**Sources for: why was Soleimani in Baghdad on the day he was "
                            "killed?**")
    labels = re.findall(r"^(\d+) · (.+)$", first, re.MULTILINE)
    assert "BBC" in [label for _, label in labels[:3]], labels
    assert "I was scheduled to meet martyr Soleimani at 08:30" in first
    assert ("No good match for “what is the capital of Mongolia”: nothing in the corpus "
            "answers that question well enough") in rest
    # The empty line between them gets its own short reply, so answers stay beside questions
    # (review12 D6: blank lines were dropped, and a piped file's answers fell out of step).
    assert rest.count("(An empty line: type a question") == 1
    assert rest.index("(An empty line") < rest.index("No good match")
    assert ".venv/bin/python -m index search" in rest  # how to browse, in the terminal
    assert "type `/sources` to list what the corpus cites" in rest
    # Set-up messages (the first run builds the index) go to standard error, not among answers.
    assert "building it" in result.stderr and "building" not in result.stdout
    # `[semantic] enabled = false`: no sentence model to wait for, and none is announced.
    assert "Loading the search index...\n" in result.stderr
    # One log format for the bot and the build it ran, each line with its time.
    logged = [line for line in result.stderr.splitlines()
              if re.search(r"(^| )(INFO|WARNING|ERROR) [a-z_.]+: ", line)]
    assert logged and all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", line)
                          for line in logged), logged
    # The index was built on the first run; the second run opens it without building.
    assert (tmp_path / "idx.db").exists()
    again = ask(config, "Kata’ib Hezbollah\n")
    assert "building it" not in again.stderr
    assert "Kata’ib Hezbollah" in again.stdout


def test_sources_typed_in_the_terminal_lists_what_the_corpus_cites(tmp_path: Path) -> None:
    """review9 D10: the terminal's counterpart of /sources, for a newcomer with no Discord."""
    result = ask(write_config(tmp_path), "/sources\n/sources reu\n/sources nothing like it\n")
    assert result.returncode == 0, result.stderr
    everything, matching, nothing = re.split(r"(?<=\n\n)(?=\*\*|No source)",
                                             result.stdout)
    assert everything.startswith("**Sources cited**") and "__News outlets__" in everything
    assert "**BBC**: " in everything and "**Reuters**: " in everything
    assert matching.startswith("**Sources cited matching “reu”**")
    assert "**Reuters**: " in matching and "BBC" not in matching
    assert nothing.strip() == "No source matching nothing like it is cited in the corpus."


def test_the_same_text_as_discord(tmp_path: Path, run) -> None:
    """The terminal prints ``as_text`` of the very reply the bot would post."""
    from bot.answering import answer
    from bot.render import as_text
    from index.build import build
    from index.reader import IndexReader

    config = write_config(tmp_path)
    build(tmp_path / "corpus", tmp_path / "idx.db")

    async def reply() -> str:
        async with await IndexReader.open(tmp_path / "idx.db") as reader:
            return as_text((await answer(reader, "why was he in Baghdad?", k=3)).reply)

    expected = run(reply())
    assert ask(config, "why was he in Baghdad?\n").stdout == expected + "\n\n"


def test_bad_config_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[answers]\npassages = 'three'\n", encoding="utf-8")
    result = ask(config, "")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {config}: [answers] passages must be a whole number, got 'three'"]


def test_a_reader_that_stops_early_stops_the_answers_quietly(tmp_path: Path) -> None:
    """``make run | head``: the pipe closes after the first lines; no traceback, exit 0."""
    config = write_config(tmp_path)
    ask(config, "")  # build the index first, so that the run below only answers
    proc = subprocess.Popen([PYTHON, "-m", "bot", "--config", str(config)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT, env=python_env())
    assert proc.stdin and proc.stdout and proc.stderr
    proc.stdin.write(b"why was Soleimani in Baghdad?\n" * 50)
    proc.stdin.close()
    assert proc.stdout.read(20)
    proc.stdout.close()  # the reader goes away with answers still to come
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_a_line_without_words_gets_the_hint_discord_gives(tmp_path: Path) -> None:
    """review16 F1: "?" or a custom emoji alone is no question, in the terminal as in Discord
    (the usage hint, no search, no "No good match")."""
    config = write_config(tmp_path)
    result = ask(config, "?\n<:pepe:123456789012345678>\n")
    assert result.returncode == 0, result.stderr
    replies = [r for r in result.stdout.split("\n\n") if r.strip()]
    assert replies == ["Ask a question in words, for example: why was Soleimani in Baghdad?"] * 2


def test_sigterm_ends_the_terminal_while_it_waits_for_a_line(tmp_path: Path) -> None:
    """review16 F10: SIGTERM while the terminal waits for input (a pipe left open) ends the
    process at once, exit 0, not when the input ends."""
    config = write_config(tmp_path)
    ask(config, "")  # build the index first
    proc = subprocess.Popen([PYTHON, "-m", "bot", "--config", str(config)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT, env=python_env())
    assert proc.stdin and proc.stdout and proc.stderr
    proc.stdin.write(b"why was Soleimani in Baghdad?\n")
    proc.stdin.flush()
    assert proc.stdout.readline().startswith(b"**Sources for")  # answering, input still open
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
        proc.stdin.close()
    assert "Traceback" not in proc.stderr.read().decode()
