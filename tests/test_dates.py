"""Each answer's date, where the source has one: loaders, the index, ``search --json``."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest

from index.build import build
from index.dates import iso_date
from index.errors import CorpusError
from index.loaders import LoadContext, htmlpage, markdown, sedump

from .conftest import PYTHON, ROOT, python_env


@pytest.mark.parametrize(("value", "iso"), [
    ("2013-09-26 21:55:00Z", "2013-09-26T21:55:00Z"),     # a saved page's signature
    ("2013-10-30T15:43:23", "2013-10-30T15:43:23Z"),      # a saved page's <time>
    ("2011-10-04T19:14:39.617", "2011-10-04T19:14:39Z"),  # a dump's CreationDate
    ("2020-01-06", "2020-01-06"),
    (dt.date(2020, 1, 6), "2020-01-06"),                  # YAML front matter
    ("2020-01-06T02:50:00+01:00", "2020-01-06T01:50:00Z"),
    ("yesterday", None), ("2020-13-01", None), ("", None), (None, None), (42, None),
])
def test_iso_date(value: object, iso: str | None) -> None:
    assert iso_date(value) == iso


def test_saved_pages_answer_dates(shared_data: Path, ctx: LoadContext) -> None:
    pages = shared_data / "stackexchange-pages"
    [unix] = list(htmlpage.load(pages / "unix-92560.html", ctx))
    # The "answered" line of the signature, not the "edited" one beside it.
    assert unix.answers[0].date == "2013-09-26T21:55:00Z"
    assert all(a.date for a in unix.answers)
    [so] = list(htmlpage.load(pages / "stackoverflow-19687421.html", ctx))
    assert all(a.date and a.date.endswith("Z") for a in so.answers)


def test_dump_answer_dates(tmp_path: Path, ctx: LoadContext) -> None:
    (tmp_path / "politics").mkdir()
    posts = tmp_path / "politics" / "Posts.xml"
    posts.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'
        '<row Id="1" PostTypeId="1" Score="3" Title="Why?" Body="&lt;p&gt;Why?&lt;/p&gt;" '
        'CreationDate="2020-01-05T10:00:00.000" />\n'
        '<row Id="2" PostTypeId="2" ParentId="1" Score="5" Body="&lt;p&gt;Because.&lt;/p&gt;" '
        'CreationDate="2020-01-06T02:50:01.123" />\n'
        '<row Id="3" PostTypeId="2" ParentId="1" Score="1" Body="&lt;p&gt;No idea.&lt;/p&gt;" />\n'
        '</posts>\n', encoding="utf-8")
    [thread] = list(sedump.load(posts, ctx))
    assert [a.date for a in thread.answers] == ["2020-01-06T02:50:01Z", None]


def test_front_matter_date(tmp_path: Path, ctx: LoadContext) -> None:
    note = tmp_path / "note.md"
    note.write_text("---\ntitle: Ferry\ndate: 2020-01-06\n---\n> The ferry sank.\n")
    [thread] = list(markdown.load(note, ctx))
    assert thread.answers[0].date == "2020-01-06"
    note.write_text("---\ndate: last spring\n---\nText.\n")
    with pytest.raises(CorpusError, match="'date' must be a date"):
        list(markdown.load(note, ctx))


def test_search_json_has_answered_at(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ferry.md").write_text(
        "---\ntitle: Ferry notes\ndate: 2019-03-02\n---\n"
        "According to [the BBC](https://www.bbc.co.uk/news/1):\n\n> The ferry sank near Oslo.\n")
    (corpus / "undated.md").write_text("---\ntitle: Bridge\n---\n> The bridge fell near Oslo.\n")
    db = tmp_path / "index.db"
    assert not build(corpus, db).skipped
    out = subprocess.run([PYTHON, "-m", "index", "search", "--db", str(db), "--json", "Oslo"],
                         capture_output=True, text=True, cwd=ROOT, env=python_env(), timeout=60)
    assert out.returncode == 0, out.stderr
    dates = {h["thread_title"]: h["answered_at"] for h in json.loads(out.stdout)}
    assert dates == {"Ferry notes": "2019-03-02", "Bridge": None}
