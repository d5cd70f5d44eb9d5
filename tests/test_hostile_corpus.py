"""Hostile corpus files (issue 15): whatever one file holds, it becomes that file's skip
report and every other file loads, in a build, a /reload and the bot's first start. All files
are generated here, in tmp folders."""

from __future__ import annotations

import html
import json
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from selectolax.lexbor import LexborHTMLParser

from bot.indexes import Indexes, open_index
from index import bm25 as bm25_module
from index import postings as postings_module
from index import reader as reader_module
from index.bm25 import BM25Params
from index.build import BuildReport, build
from index.config import load_config
from index.feedback import rm3 as real_rm3
from index.loaders import LoadContext, sedump
from index.model import Answer, Passage, Thread
from index.packing import MAX_PARAGRAPH_CHARS, MAX_RECORD_CHARS, pack
from index.postings import Postings
from index.reader import IndexReader
from index.store import LoadedFile, write_index

GOOD = "3\n\nWhat sank the ferry?\n\n1 Answer 1\n\n7\n\nAccording to the AP:\n\n" \
       "The ferry sank in a storm off the coast.\n"
OTHER = "1\n\nWho won?\n\n1 Answer 1\n\n2\n\nAl Jazeera reports:\n\n" \
        "The home team won the cup final.\n"
DEEP_HTML = "<div>" * 1000 + "<p>deep</p>" + "</div>" * 1000
TINY_DUMP = '<posts><row Id="1" PostTypeId="1" Title="T" Body="x" /></posts>'

# name -> (files to write, the file reported, words of its reason)
HOSTILE: dict[str, tuple[dict[str, str | bytes], str, str]] = {
    "html nested 1,000 deep": ({"page.html": f"<html><body>{DEEP_HTML}</body></html>"},
                               "page.html", "nested too deeply"),
    "dump Body nested 1,000 deep": ({"dump/Posts.xml": (
        '<posts><row Id="1" PostTypeId="1" Title="T" Body="x" />\n<row Id="2" PostTypeId="2" '
        f'ParentId="1" Body="{html.escape(DEEP_HTML)}" /></posts>')},
        "dump/Posts.xml", "nested too deeply"),
    "json line nested 1,000 deep": ({"records.jsonl": '{"a":' * 1000 + "1" + "}" * 1000},
                                    "records.jsonl", "nested too deeply"),
    "meta.toml nested 500 deep": ({"thread.txt": GOOD,
                                   "thread.meta.toml": "a = " + "[" * 500 + "]" * 500},
                                  "thread.meta.toml", "nested too deeply"),
    "site.toml nested 500 deep": ({"dump/Posts.xml": TINY_DUMP,
                                   "dump/site.toml": "site = " + "[" * 500 + "]" * 500},
                                  "dump/site.toml", "nested too deeply"),
    "charset punycode": ({"page.html": b'<html><head><meta charset="punycode"></head><body>'
                          b"<p>hello</p></body></html>"}, "page.html", "punycode"),
    "charset undefined": ({"page.html": b'<meta charset="undefined"><p>hello</p>'},
                          "page.html", "undefined"),
}


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def hostile_corpus(tmp_path: Path, case: str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write(corpus, {"ferry.txt": GOOD, "cup.txt": OTHER})
    write(corpus, HOSTILE[case][0])
    return corpus


@pytest.mark.parametrize("case", HOSTILE)
def test_a_loader_crash_is_that_files_skip_report(tmp_path: Path, case: str) -> None:
    corpus = hostile_corpus(tmp_path, case)
    _, reported, reason = HOSTILE[case]
    report = build(corpus, tmp_path / "i.db")
    assert [f.path for f in report.files] == ["cup.txt", "ferry.txt"]
    assert [str(e.path.relative_to(corpus)) for e in report.skipped] == [reported]
    assert reason in report.skipped[0].problem


def test_reload_and_first_start_survive_a_hostile_file(tmp_path: Path, run) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write(corpus, {"ferry.txt": GOOD, "cup.txt": OTHER})
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\ncorpus = "{corpus}"\ndatabase = "{tmp_path / "i.db"}"\n',
                      encoding="utf-8")
    settings = load_config(config).index

    async def go() -> tuple:
        write(corpus, HOSTILE["json line nested 1,000 deep"][0])
        first = await open_index(settings)  # no index yet: the bot's start builds one
        hits = await first.search("ferry storm", 1)
        await first.close()
        indexes = await Indexes.open(settings, config)
        try:
            write(corpus, HOSTILE["html nested 1,000 deep"][0])
            return hits, await indexes.reload()
        finally:
            await indexes.close()

    hits, report = run(go())
    assert hits and hits[0].outlet == "Associated Press"
    # Named relative to the corpus folder, as /reload shows them (review14 L1).
    assert any(s.startswith("page.html:") and "nested too deeply" in s for s in report.skipped)
    assert any(s.startswith("records.jsonl: line 1:") for s in report.skipped)


PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


def test_links_out_of_the_corpus_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "passwd").write_text(PASSWD, encoding="utf-8")
    (outside / "site.toml").write_text('site = "evil.example"\n', encoding="utf-8")
    corpus = tmp_path / "corpus"
    write(corpus, {"ferry.txt": GOOD, "cup.txt": OTHER, "dump/Posts.xml": TINY_DUMP})
    (corpus / "x.txt").symlink_to(outside / "passwd")
    (corpus / "cup.meta.toml").symlink_to(outside / "passwd")
    (corpus / "dump" / "site.toml").symlink_to(outside / "site.toml")
    (corpus / "again.txt").symlink_to(corpus / "ferry.txt")  # inside: an ordinary file
    (corpus / "etc").symlink_to(outside, target_is_directory=True)
    report = build(corpus, tmp_path / "i.db")
    assert [f.path for f in report.files] == ["again.txt", "ferry.txt"]
    refused = {str(e.path.relative_to(corpus)): e.problem for e in report.skipped
               if "outside the corpus folder" in e.problem}
    assert set(refused) == {"x.txt", "cup.txt", "dump/Posts.xml"}
    assert "root:" not in report.summary() and "evil" not in report.summary()


def test_links_no_build_reads_through_are_named(tmp_path: Path) -> None:
    """review12 D2: a broken link, a loop and a linked folder vanished without a word."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "cup.txt").write_text(OTHER, encoding="utf-8")
    corpus = tmp_path / "corpus"
    write(corpus, {"ferry.txt": GOOD, "notes/keep.txt": OTHER})
    (corpus / "gone.md").symlink_to(tmp_path / "nothing.md")
    (corpus / "a.md").symlink_to(corpus / "b.md")
    (corpus / "b.md").symlink_to(corpus / "a.md")
    (corpus / "data").symlink_to(outside, target_is_directory=True)
    (corpus / "notes" / "up").symlink_to(corpus, target_is_directory=True)
    report = build(corpus, tmp_path / "i.db")
    assert [f.path for f in report.files] == ["ferry.txt", "notes/keep.txt"]
    named = {str(e.path.relative_to(corpus)): e.problem for e in report.skipped}
    assert named == {"gone.md": "a broken symbolic link: what it points at does not exist",
                     "a.md": "a symbolic link in a loop: nothing to read",
                     "b.md": "a symbolic link in a loop: nothing to read",
                     "data": "a symbolic link to a folder: not followed (copy the folder in)",
                     "notes/up": "a symbolic link to a folder: not followed (copy the folder in)"}
    assert "Skipped 5 file(s)" in report.summary()


def test_skip_reasons_quote_only_a_short_escaped_excerpt(tmp_path: Path) -> None:
    secret = "@everyone `" + "s3cr3t " * 2000 + "\n"
    corpus = tmp_path / "corpus"
    write(corpus, {"ferry.txt": GOOD, "cup.txt": OTHER, "long.txt": secret,
                   "note.md": f"---\ntitle: [{secret}\n---\nbody\n",
                   "dump/Posts.xml": f'<posts><row Id="1" PostTypeId="1" Score="{secret[:-1]}" />'
                                     "</posts>"})
    report = build(corpus, tmp_path / "i.db")
    assert len(report.skipped) == 3
    for err in report.skipped:
        assert str(err).count("s3cr3t") <= 6, str(err)
        assert "\n" not in err.problem and len(err.problem) < 200, err.problem


def test_only_http_addresses_are_stored(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus, {
        "ferry.txt": GOOD, "ferry.meta.toml": 'url = "javascript:alert(1)"\ntitle = "Ferry"\n',
        "cup.txt": OTHER, "cup.meta.toml": 'url = "data:text/html,<b>x</b>"\n',
        "note.md": "---\nurl: 'javascript:alert(2)'\n---\nAccording to [the BBC]"
                   "(vbscript:x):\n\n> The ferry sank.\n",
        "qa.jsonl": '{"question": "Q", "answer": "A", "questionUrl": " javascript:x", '
                    '"answerUrl": "file:///etc/passwd"}\n'})
    db = tmp_path / "i.db"
    report = build(corpus, db)
    assert not report.skipped and len(report.files) == 4
    con = sqlite3.connect(db)
    urls = con.execute("SELECT url FROM threads UNION ALL SELECT url FROM answers "
                       "UNION ALL SELECT url FROM passages").fetchall()
    con.close()
    assert urls and all(u is None or u.startswith(("http://", "https://")) for (u,) in urls)
    # The link's text stays, as words, not as Markdown source (review12 D10).
    with closing(sqlite3.connect(db)) as con:
        stored = " ".join(t for row in con.execute("SELECT text, lead_in FROM passages")
                          for t in row if t)
    assert "According to the BBC:" in stored and "vbscript" not in stored and "](" not in stored
    # Each left-out address is named, so an admin sees why a thread has no link.
    said = sorted((e.path.name, e.record, e.problem.split(" is not")[0])
                  for e in report.skipped_records)
    assert said == [("cup.meta.toml", "sidecar", "url 'data:text/html,<b>x</b>'"),
                     ("ferry.meta.toml", "sidecar", "url 'javascript:alert(1)'"),
                     ("note.md", "front matter", "url 'javascript:alert(2)'"),
                     ("qa.jsonl", "line 1", "answerUrl 'file:///etc/passwd'"),
                     ("qa.jsonl", "line 1", "questionUrl 'javascript:x'")]
    assert all(e.problem.endswith("http(s) address: left out, the rest kept")
               for e in report.skipped_records)


def test_an_outlet_name_holding_an_address_is_left_out(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus, {
        "note.md": "---\noutlet: 'Evil](https://evil.example) ('\n---\nThey said:\n\n"
                   "> The ferry sank.\n",
        "p.jsonl": '{"_id": "1", "text": "The ferry sank.", "outlet": "see www.evil.example"}\n'
                   '{"_id": "2", "text": "The cup broke.", "outlet": "  Cup   Times "}\n'})
    db = tmp_path / "i.db"
    report = build(corpus, db)
    con = sqlite3.connect(db)
    outlets = {name for (name,) in con.execute("SELECT name FROM outlets")}
    con.close()
    assert outlets == {"Cup Times"}
    assert sorted((e.path.name, e.record) for e in report.skipped_records) == [
        ("note.md", "front matter"), ("p.jsonl", "line 1")]
    assert all("holds a web address, not a name" in e.problem for e in report.skipped_records)


def test_left_out_addresses_are_reported_a_few_times_a_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus, {"qa.jsonl": "".join(
        f'{{"question": "Q{i}", "answer": "A{i}", "questionUrl": "/q/{i}"}}\n'
        for i in range(15))})
    report = build(corpus, tmp_path / "i.db")
    assert [f.counts.threads for f in report.files] == [15]
    assert [e.record for e in report.skipped_records] == [f"line {i}" for i in range(1, 11)]
    assert report.skipped_records[-1].problem.endswith("(so are any more in this file, "
                                                       "unreported)")


def test_the_store_refuses_what_a_loader_let_through(tmp_path: Path) -> None:
    thread = Thread("t", "T", url="javascript:alert(1)", answers=[Answer(
        [Passage("quote", "The ferry sank.", url="data:,x")], url="JavaScript:x")])
    db = tmp_path / "i.db"
    write_index(db, [(LoadedFile.parsed("t.txt", "0", "txt", [thread]), 0)],
                Postings.of_documents([["ferry"]]), Postings.of_documents([["ferry"]]).impacts(),
                BM25Params(), {})
    con = sqlite3.connect(db)
    assert con.execute("SELECT t.url, a.url, p.url FROM threads t, answers a, passages p"
                       ).fetchall() == [(None, None, None)]
    con.close()


def big_row(post_id: int, size: int, *, line_every: int = 0) -> str:
    words = ("lorem ipsum " * (size // 12 + 1))[:size]
    if line_every:
        words = "\n".join(words[i:i + line_every] for i in range(0, len(words), line_every))
    return f'  <row Id="{post_id}" PostTypeId="2" ParentId="1" Body="&lt;p&gt;{words}" />\n'


def test_an_oversized_dump_row_is_skipped_by_its_id(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus, {"ferry.txt": GOOD, "cup.txt": OTHER, "dump/Posts.xml": (
        '<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'
        '  <row Id="1" PostTypeId="1" Title="Ferries" Body="&lt;p&gt;Why?&lt;/p&gt;" />\n'
        + big_row(3, sedump.MAX_ROW_BYTES + 10)
        + '  <row Id="2" PostTypeId="2" ParentId="1" Body="&lt;p&gt;A storm.&lt;/p&gt;" />\n'
        "</posts>\n")})
    report = build(corpus, tmp_path / "i.db")
    assert not report.skipped and len(report.files) == 3
    assert [(str(e.path.relative_to(corpus)), e.record) for e in report.skipped_records] == \
        [("dump/Posts.xml", "post 3")]
    assert "larger than" in report.skipped_records[0].problem
    assert report.to_json()["skipped_records"][0]["record"] == "post 3"
    with closing(sqlite3.connect(tmp_path / "i.db")) as con:
        answers = con.execute("SELECT count(*) FROM answers a JOIN threads t ON t.id = a.thread_id "
                              "JOIN files f ON f.id = t.file_id WHERE f.path = 'dump/Posts.xml'"
                              ).fetchall()
    assert answers == [(1,)]


def test_a_reused_dump_reports_its_skipped_row_again(tmp_path: Path) -> None:
    """The rows a dump's loader left out are reported by every build that keeps the dump,
    also when it is reused unchanged (not parsed again)."""
    corpus = tmp_path / "corpus"
    write(corpus, {"ferry.txt": GOOD, "dump/Posts.xml": (
        '<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'
        '  <row Id="1" PostTypeId="1" Title="Ferries" Body="&lt;p&gt;Why?&lt;/p&gt;" />\n'
        + big_row(3, sedump.MAX_ROW_BYTES + 10)
        + '  <row Id="2" PostTypeId="2" ParentId="1" Body="&lt;p&gt;A storm.&lt;/p&gt;" />\n'
        "</posts>\n")})
    db = tmp_path / "i.db"

    def skipped(report: BuildReport) -> list[tuple[str, str | None, str]]:
        return [(str(e.path.relative_to(corpus)), e.record, e.problem)
                for e in report.skipped_records]

    first = skipped(build(corpus, db))
    assert [(path, record) for path, record, _ in first] == [("dump/Posts.xml", "post 3")]
    (corpus / "cup.txt").write_text(OTHER, encoding="utf-8")
    again = build(corpus, db)  # a rebuild that keeps the dump's rows
    assert next(f for f in again.files if f.path == "dump/Posts.xml").reused
    assert skipped(again) == first
    kept = build(corpus, db)  # nothing changed: the index is kept as it is
    assert all(f.reused for f in kept.files) and skipped(kept) == first
    (corpus / "dump" / "Posts.xml").unlink()
    assert not build(corpus, db).skipped_records


def test_a_row_over_many_lines_past_the_bound_skips_the_dump(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus, {"ferry.txt": GOOD, "cup.txt": OTHER, "dump/Posts.xml": (
        '<posts>\n  <row Id="1" PostTypeId="1" Title="Ferries" Body="x" />\n'
        + big_row(3, 2 * sedump.MAX_ROW_BYTES, line_every=1000) + "</posts>\n")})
    report = build(corpus, tmp_path / "i.db")
    assert [str(e.path.relative_to(corpus)) for e in report.skipped] == ["dump/Posts.xml"]
    assert "larger than" in report.skipped[0].problem
    assert (report.skipped[0].record or "").startswith("line ")


def sentences(n: int) -> str:
    return " ".join(f"Sentence {i} says the ferry sank in a storm off the coast." for i in range(n))


@pytest.mark.parametrize("name", ["page.html", "note.md", "thread.txt", "dump/Posts.xml",
                                  "qa.jsonl"])
def test_long_paragraphs_become_passages_of_bounded_size(tmp_path: Path, name: str) -> None:
    long = sentences(5000)  # one paragraph of 300,000 characters
    content = {
        "page.html": f"<html><body><blockquote><p>{long}</p></blockquote></body></html>",
        "note.md": f"According to the BBC:\n\n> {long}\n",
        "thread.txt": f"3\n\nWhat sank the ferry?\n\n1 Answer 1\n\n7\n\n  {long}\n",
        "dump/Posts.xml": '<posts><row Id="1" PostTypeId="1" Title="T" Body="x" />\n<row Id="2" '
                          f'PostTypeId="2" ParentId="1" Body="&lt;p&gt;{long}&lt;/p&gt;" />\n'
                          "</posts>\n",
        "qa.jsonl": json.dumps({"question": "Q", "answer": long}) + "\n",
    }[name]
    corpus = tmp_path / "corpus"
    write(corpus, {name: content, "cup.txt": OTHER})
    report = build(corpus, tmp_path / "i.db")
    assert not report.skipped
    texts = [p.text for p in report.parsed_passages() if "Sentence" in p.text]
    assert len(texts) > 70
    assert max(map(len, texts)) <= MAX_PARAGRAPH_CHARS
    assert all(t.endswith("coast.") for t in texts)  # cut between sentences
    assert " ".join(texts).split() == long.split()  # nothing lost


def test_a_paragraph_without_sentences_is_cut_between_words(ctx: LoadContext) -> None:
    words = "lorem ipsum " * 50_000
    pieces = [p.text for p in pack([Passage("quote", words.strip())], 900)]
    assert max(map(len, pieces)) <= MAX_PARAGRAPH_CHARS
    assert " ".join(pieces).split() == words.split()
    hard = pack([Passage("answer", "x" * 10_000)], 900)
    assert [len(p.text) for p in hard] == [4000, 4000, 2000]


def test_a_qa_record_longer_than_any_real_answer_is_left_out(tmp_path: Path) -> None:
    """review12 D5: a 5 MB answer loaded whole as 1,339 passages; a dump's row that size is
    left out, and so is this record, by its line, the rest of the file loading."""
    corpus = tmp_path / "corpus"
    huge = "The ferry sank in the storm. " * (sedump.MAX_ROW_BYTES // 29 + 1)
    write(corpus, {"qa.jsonl": json.dumps({"question": "Q?", "answer": huge}) + "\n"
                   + json.dumps({"question": "Did it sink?", "answer": "Yes, it sank."}) + "\n"})
    report = build(corpus, tmp_path / "i.db")
    assert [f.path for f in report.files] == ["qa.jsonl"]
    assert [p.text for p in report.parsed_passages()] == ["Yes, it sank."]
    [left_out] = report.skipped_records
    assert left_out.record == "line 1" and "`answer` is over 2 MB" in left_out.problem
    # A passage record's text too (review13): it would be cut into a hundred passages.
    write(corpus, {"qa.jsonl": json.dumps({"_id": "d1", "text": huge}) + "\n"
                   + json.dumps({"_id": "d2", "text": "The ferry sank."}) + "\n"})
    report = build(corpus, tmp_path / "i.db")
    assert [p.text for p in report.parsed_passages()] == ["The ferry sank."]
    assert [(e.record, "`text` is over 2 MB" in e.problem) for e in report.skipped_records] \
        == [("line 1", True)]


def test_a_long_record_keeps_its_id_on_its_first_part(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    text = sentences(1000)  # 60,000 characters
    write(corpus, {"beir.jsonl": json.dumps({"_id": "d1", "text": text}) + "\n"
                   + json.dumps({"_id": "d2", "text": "short"}) + "\n"})
    report = build(corpus, tmp_path / "i.db")
    passages = report.parsed_passages()
    assert [p.pid for p in passages][:2] == ["d1", "d1#2"] and passages[-1].pid == "d2"
    assert max(len(p.text) for p in passages) <= MAX_RECORD_CHARS
    assert " ".join(p.text for p in passages[:-1]).split() == text.split()


def test_feedback_reads_bounded_text_off_the_event_loop(tmp_path: Path, run, monkeypatch
                                                        ) -> None:
    long = "ferry " * 100_000  # a passage written before passages were bounded
    docs = [long.split(), ["storm", "coast"], ["cup"], ["final"]]
    thread = Thread("t", "T", answers=[Answer([Passage("quote", " ".join(d)) for d in docs])])
    db = tmp_path / "i.db"
    write_index(db, [(LoadedFile.parsed("t.txt", "0", "txt", [thread]), 0)],
                Postings.of_documents(docs), Postings.of_documents(docs).impacts(),
                BM25Params(), {})
    seen: list[tuple[bool, int]] = []

    def spy(query, documents, scores):  # type: ignore[no-untyped-def]
        seen.append((threading.current_thread() is threading.main_thread(),
                     max(map(len, documents))))
        return real_rm3(query, documents, scores)

    monkeypatch.setattr(reader_module, "rm3", spy)

    async def go() -> None:
        async with await IndexReader.open(db) as reader:
            await reader.search("ferry storm", 2)

    run(go())
    assert seen and not seen[0][0]  # not on the event loop's thread
    assert seen[0][1] <= MAX_RECORD_CHARS


def test_postings_counted_in_chunks_equal_counted_at_once(monkeypatch) -> None:
    docs = [["ferry", "storm"] * (i % 3) + [f"w{i % 7}", "coast"] for i in range(23)]
    whole = Postings.of_documents(docs, numbers=np.arange(1, 24), n_docs=25)
    monkeypatch.setattr(postings_module, "CHUNK_DOCS", 4)
    chunked = Postings.of_documents(docs, numbers=np.arange(1, 24), n_docs=25)
    assert chunked.vocabulary == whole.vocabulary
    for name in ("offsets", "docs", "tfs", "lengths"):
        assert np.array_equal(getattr(chunked, name), getattr(whole, name)), name


def test_impacts_computed_in_slices_equal_computed_at_once(monkeypatch) -> None:
    docs = [["ferry", "storm"] * (i % 3) + [f"w{i % 7}", "coast"] for i in range(23)]
    whole = Postings.of_documents(docs).impacts()
    monkeypatch.setattr(bm25_module, "IMPACT_SLICE", 5)
    sliced = Postings.of_documents(docs).impacts()
    assert np.array_equal(sliced.impacts, whole.impacts) and sliced.impacts.dtype == np.float32


def test_html_nested_far_too_deep_is_refused_before_it_is_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HTML nested 100,000 deep in a page, 50,000 in a dump's Body (lexbor parses such HTML
    in quadratic time: ~40 s and ~7 s) is skipped with a reason before lexbor sees it; flat
    HTML of as
    many tags that do not nest (unclosed <p> and <li>, void elements) still loads."""
    deep = "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000
    # 50,000 deep in a dump: a row of 100,000 levels, escaped, is past the 2 MB row bound.
    deep_body = html.escape("<div>" * 50_000 + "<p>deep</p>" + "</div>" * 50_000)
    flat = "<ul>" + "<li>item <br><img src=x.png>" * 3_000 + "</ul>" + "<p>para" * 3_000
    corpus = tmp_path / "corpus"
    write(corpus, {
        "ferry.txt": GOOD,
        "page.html": f"<html><body>{deep}</body></html>",
        "flat.html": f"<html><body><p>The ferry sank in a storm.</p>{flat}</body></html>",
        "dump/Posts.xml": '<posts><row Id="1" PostTypeId="1" Title="T" Body="x" />\n'
                          f'<row Id="2" PostTypeId="2" ParentId="1" Body="{deep_body}"'
                          " /></posts>"})
    parsed: list[int] = []

    def spy(text: str) -> LexborHTMLParser:
        parsed.append(text.count("<div>"))
        return LexborHTMLParser(text)

    for module in ("index.loaders.htmlpage", "index.blocks"):
        monkeypatch.setattr(f"{module}.LexborHTMLParser", spy)
    report = build(corpus, tmp_path / "i.db")
    assert max(parsed) < 1_000  # lexbor never saw the deep HTML
    skipped = {(str(e.path.relative_to(corpus)), e.record): e.problem for e in report.skipped}
    assert set(skipped) == {("page.html", None), ("dump/Posts.xml", "post 2")}
    assert all("nested more than 2,000 levels deep" in p for p in skipped.values())
    assert {f.path for f in report.files} == {"ferry.txt", "flat.html"}
