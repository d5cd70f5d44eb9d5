"""Saved pages: Stack Exchange question pages, and any article with blockquotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import CorpusError
from index.loaders import LoadContext
from index.loaders.htmlpage import load


def test_unix_page(shared_data: Path, ctx: LoadContext) -> None:
    [t] = list(load(shared_data / "stackexchange-pages" / "unix-92560.html", ctx))
    assert t.title == "List all connected SSH sessions?"
    assert t.url == "https://unix.stackexchange.com/questions/92560/list-all-connected-ssh-sessions"
    assert t.key == "unix.stackexchange.com/q/92560"
    assert [a.score for a in t.answers] == [245, 155, 18, 17, 9, 6, 5]
    assert sum(len(a.comments) for a in t.answers) + len(t.comments) == 17
    assert t.answers[0].url == "https://unix.stackexchange.com/a/92569"
    # No news outlet is quoted on this page.
    assert not [p for a in t.answers for p in a.passages if p.kind == "quote"]


def test_code_blocks_keep_their_lines(shared_data: Path, ctx: LoadContext) -> None:
    """unix-92560's answers show `who` and log output in <pre>: one line each, as on the page."""
    [t] = list(load(shared_data / "stackexchange-pages" / "unix-92560.html", ctx))
    texts = [p.text for a in t.answers for p in a.passages]
    log = next(x for x in texts if "grep hendrenj /var/log/sshd.log" in x)
    assert "[myhost ~]% grep hendrenj /var/log/sshd.log | grep session\nMay  1 15:57:11" in log
    assert ("[user1@host ~]$ who\nuser1 tty1          2018-01-03 18:43\n"
            "user2 pts/0        2018-01-03 18:44 (192.168.0.13)") in "\n\n".join(texts)


def test_pre_in_page_and_in_quote(tmp_path: Path, ctx: LoadContext) -> None:
    page = tmp_path / "code.html"
    page.write_text("<html><body><article><h1>Who</h1><p>Run it:</p>"
                    "<pre><code>\nalice  pts/0   10:01\nbob    pts/1   10:02  \n</code></pre>"
                    "<blockquote><pre>a  b\nc  d</pre></blockquote></article></body></html>",
                    encoding="utf-8")
    [t] = list(load(page, ctx))
    texts = [p.text for p in t.answers[0].passages]
    assert any(x.endswith("alice  pts/0   10:01\nbob    pts/1   10:02") for x in texts)
    assert "a  b\nc  d" in texts


def test_stackoverflow_page(shared_data: Path, ctx: LoadContext) -> None:
    [t] = list(load(shared_data / "stackexchange-pages" / "stackoverflow-19687421.html", ctx))
    assert t.title == "Difference between BeautifulSoup and Scrapy crawler?"
    assert len(t.answers) == 9
    assert [a.accepted for a in t.answers].count(True) == 1
    assert len(t.comments) + sum(len(a.comments) for a in t.answers) == 12
    # Its one blockquote is an answerer's own "TLDR: scrapy is a framework ...": no quote.
    assert not [p for a in t.answers for p in a.passages if p.kind == "quote"]
    assert any("TLDR: scrapy is a framework" in p.text for a in t.answers for p in a.passages
               if p.kind == "answer")


def test_article_with_blockquotes(tmp_path: Path, ctx: LoadContext) -> None:
    page = tmp_path / "a.html"
    page.write_text(
        '<html><head><title>Notes</title><link rel="canonical" href="https://notes.example/a">'
        "</head><body><article><h1>Ferry notes</h1>"
        '<p>As <a href="https://www.bbc.co.uk/news/1">the BBC reported</a>:</p>'
        "<blockquote><p>The ferry sank.</p><p>All were rescued.</p></blockquote>"
        "<p>My own view follows.</p>"
        '<blockquote><p>Unattributed.</p><p><a href="javascript:alert(1)">x</a></p>'
        "</blockquote></article></body></html>", encoding="utf-8")
    [t] = list(load(page, ctx))
    assert (t.title, t.url) == ("Ferry notes", "https://notes.example/a")
    passages = t.answers[0].passages
    assert [(p.kind, p.outlet, p.url) for p in passages] == [
        ("answer", None, None),
        ("quote", "BBC", "https://www.bbc.co.uk/news/1"),
        ("answer", None, None),
        ("quote", None, None),
    ]
    assert passages[1].text == "The ferry sank.\n\nAll were rescued."


def test_declared_charset(tmp_path: Path, ctx: LoadContext) -> None:
    page = tmp_path / "latin.html"
    page.write_bytes('<meta charset="iso-8859-1"><p>Caf\u00e9</p><blockquote>\u00e9t\u00e9'
                     "</blockquote>".encode("latin-1"))
    [t] = list(load(page, ctx))
    assert t.answers[0].passages[0].text == "Café"


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "empty"),
    (b"<p>caf\xe9</p>", "not utf-8 text"),
    (b'<meta charset="klingon"><p>x</p>', "unknown charset"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary data"),
])
def test_bad_pages(tmp_path: Path, ctx: LoadContext, content: bytes, problem: str) -> None:
    page = tmp_path / "bad.html"
    page.write_bytes(content)
    with pytest.raises(CorpusError, match=problem):
        list(load(page, ctx))
