"""Markdown notes: front matter, > quotes, [text](url) links."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from index.errors import CorpusError
from index.loaders import LoadContext
from index.loaders.markdown import load

NOTE = """---
title: Ferry notes
url: https://notes.example/ferry
outlet: Local Radio
---
The [Guardian](https://www.theguardian.com/world/1) says:

> The ferry sank.
> It was old.

My view: unclear.

Another source:

> Words with no link.

Said the [NYT](javascript:alert(1)):

> A quote whose only link is not http.
"""


def test_note(tmp_path: Path, ctx: LoadContext) -> None:
    path = tmp_path / "ferry.md"
    path.write_text(NOTE, encoding="utf-8")
    [t] = list(load(path, ctx))
    assert (t.title, t.url, t.key) == ("Ferry notes", "https://notes.example/ferry", "note:ferry")
    assert [(p.kind, p.outlet, p.url) for p in t.answers[0].passages] == [
        ("answer", None, None),
        ("quote", "The Guardian", "https://www.theguardian.com/world/1"),
        ("answer", None, None),           # the answerer's paragraphs, packed together
        ("quote", "Local Radio", None),   # the front matter's outlet
        ("answer", None, None),
        ("quote", "The New York Times", None),  # named in the lead-in; the link is dropped
    ]
    assert t.answers[0].passages[1].text == "The ferry sank. It was old."


def test_no_front_matter_title_from_text(tmp_path: Path, ctx: LoadContext) -> None:
    path = tmp_path / "plain.md"
    path.write_text("# Heading\n\nBody.\n", encoding="utf-8")
    [t] = list(load(path, ctx))
    assert t.title == "Heading"


@pytest.mark.parametrize(("content", "problem"), [
    ("", "empty"),
    ("---\ntitle: [unclosed\n---\nbody\n", "front matter is not valid YAML"),
    ("---\ntitle: 5\n---\nbody\n", "'title' must be text"),
])
def test_bad_notes(tmp_path: Path, ctx: LoadContext, content: str, problem: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=problem):
        list(load(path, ctx))


@pytest.mark.parametrize(("content", "said"), [
    # An unclosed "[" on line 2, noticed on line 3: both lines are the file's.
    ("---\ntags: [a, b\ntitle: x\n---\nbody\n",
     "did not find expected ',' or ']' at line 3, column 6 (while parsing a flow sequence "
     "from line 2)"),
    # Blank lines before the opening "---" count: the bad line is the file's fourth.
    ("\n\n---\ntitle: x: y\n---\nbody\n",
     "mapping values are not allowed in this context at line 4, column 9"),
])
def test_a_front_matter_error_names_the_lines_of_the_file(tmp_path: Path, ctx: LoadContext,
                                                          content: str, said: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError) as raised:
        list(load(path, ctx))
    assert raised.value.problem == f"the front matter is not valid YAML: {said}"


def test_same_file_name_in_two_folders(tmp_path: Path) -> None:
    from index.build import build

    corpus = tmp_path / "corpus"
    for folder, outlet in (("politics", "the BBC"), ("history", "Reuters")):
        (corpus / folder).mkdir(parents=True)
        (corpus / folder / "notes.md").write_text(f"Says {outlet}:\n\n> A {folder} quote.\n",
                                                  encoding="utf-8")
        (corpus / folder / "thread.txt").write_text(
            f"1\n\nWhy?\n\n1 Answer 1\n\n2\n\nAccording to {outlet}:\n\n  The {folder} answer.\n",
            encoding="utf-8")
    (corpus / "notes.md").write_text("Says the AP:\n\n> A top-level quote.\n", encoding="utf-8")
    report = build(corpus, tmp_path / "index.db")
    assert not report.skipped
    with closing(sqlite3.connect(tmp_path / "index.db")) as con:
        keys = sorted(key for (key,) in con.execute("SELECT key FROM threads"))
    assert keys == ["history/thread", "note:history/notes", "note:notes",
                    "note:politics/notes", "politics/thread"]
