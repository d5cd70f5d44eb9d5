"""Source kinds: what each cited link is, stored in the index and shown by kind."""

from __future__ import annotations

import json
import socket
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import tldextract

from bot.answering import choose
from index.build import build
from index.outlets import Gazetteer, registrable_domain
from index.reader import Hit, IndexReader
from index.sources import (
    Source,
    citable,
    kind_word,
    never_cited,
    site_of,
    source_label,
    source_of,
)

from .conftest import PYTHON, ROOT, python_env


@pytest.mark.parametrize(("url", "name", "kind"), [
    # news outlets, by the gazetteer's name
    ("https://www.reuters.com/world/x", "Reuters", "news"),
    ("https://news.bbc.co.uk/2/hi/x.stm", "BBC", "news"),
    ("https://www.heraldnet.com/news/x", "The Everett Herald", "news"),  # from Wikidata
    # reference works
    ("https://en.wikipedia.org/wiki/Tariff", "Wikipedia", "reference"),
    ("https://www.britannica.com/topic/x", "Encyclopaedia Britannica", "reference"),
    # scholarly: journals by name, DOIs by their prefix, preprints, PubMed
    ("https://www.nature.com/articles/s41586-020-2649-2", "Nature", "scholarly"),
    ("https://doi.org/10.1038/s41586-020-2649-2", "Nature", "scholarly"),
    ("https://dx.doi.org/10.9999/unknown", "DOI", "scholarly"),
    ("https://arxiv.org/abs/2101.00001", "arXiv", "scholarly"),
    ("https://pubmed.ncbi.nlm.nih.gov/12345/", "PubMed", "scholarly"),
    ("https://www.thelancet.com/journals/x", "The Lancet", "scholarly"),
    # government and intergovernmental bodies: by name where known, else by suffix
    ("https://www.cdc.gov/flu/x", "CDC", "government"),
    ("https://www.who.int/news/x", "World Health Organization", "government"),
    ("https://www.un.org/en/x", "United Nations", "government"),
    ("https://ec.europa.eu/x", "European Commission", "government"),
    ("https://assets.publishing.service.gov.uk/x.pdf", "UK Government", "government"),
    ("https://www.dmv.ca.gov/x", "ca.gov", "government"),
    ("https://www.canada.ca/en/x", "Government of Canada", "government"),
    # another Q&A post: a cross-reference, no name
    ("https://politics.stackexchange.com/questions/1/x", None, "linked_post"),
    ("https://stackoverflow.com/a/123", None, "linked_post"),
    ("https://meta.stackexchange.com/q/1", None, "linked_post"),
    # an image or file: not a source
    ("https://i.stack.imgur.com/abc.png", None, "file_host"),
    ("https://drive.google.com/file/d/x", None, "file_host"),
    ("https://someblog.net/uploads/chart.JPG", None, "file_host"),
    # other websites: by name where the gazetteer knows them, else by domain, as a website
    ("https://github.com/openai/x", "GitHub", "website"),
    ("https://www.reddit.com/r/x", "Reddit", "website"),
    ("https://someblog.net/2020/post", "someblog.net", "website"),
    # a Wayback Machine copy is what it archived
    ("https://web.archive.org/web/20200101000000/https://www.bbc.com/news/x", "BBC", "news"),
    ("https://web.archive.org/web/2020/http://someblog.net/post", "someblog.net", "website"),
])
def test_site_kinds(gazetteer: Gazetteer, url: str, name: str | None, kind: str) -> None:
    assert site_of(url, gazetteer) == Source(name, kind)


@pytest.mark.parametrize("url", ["https://history.stackexchange.com/help/on-topic",
                                 "https://stackoverflow.com/users/1/someone",
                                 "https://stackoverflow.com/questions/tagged/python"])
def test_a_qa_sites_own_pages_are_no_source(gazetteer: Gazetteer, url: str) -> None:
    assert site_of(url, gazetteer) is None


def test_source_of_weighs_link_and_lead_in(gazetteer: Gazetteer) -> None:
    # A linked post stays one whatever the lead-in names.
    assert source_of("https://politics.stackexchange.com/a/1", "Reuters", gazetteer) == \
        Source(None, "linked_post")
    # A screenshot or an unknown site: the outlet the lead-in names is the source.
    assert source_of("https://i.imgur.com/a.png", "Reuters", gazetteer) == \
        Source("Reuters", "news")
    assert source_of("https://someblog.net/x", "Wikipedia", gazetteer) == \
        Source("Wikipedia", "reference")
    # A site with a name of its own is the source.
    assert source_of("https://www.bbc.com/news/x", "Reuters", gazetteer) == Source("BBC", "news")
    assert source_of(None, "The Lancet", gazetteer) == Source("The Lancet", "scholarly")
    assert source_of(None, "Some Weekly", gazetteer) == Source("Some Weekly", "news")
    assert source_of(None, None, gazetteer) is None


def test_labels_say_the_kind() -> None:
    assert kind_word("Reuters", "news") is None
    assert kind_word("Wikipedia", "reference") == "reference"
    assert kind_word("Nature", "scholarly") == "journal"
    assert kind_word("arXiv", "scholarly") == "scholarly"
    assert kind_word("CDC", "government") == "government"
    assert kind_word("someblog.net", "website") == "website"


def test_suffix_list_is_bundled_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    """tldextract reads its bundled Public Suffix List snapshot: no network, no cache."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tldextract tried the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    fresh = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    assert fresh("https://news.bbc.co.uk/x").top_domain_under_public_suffix == "bbc.co.uk"
    assert registrable_domain("https://a.b.service.gov.uk/x") == "service.gov.uk"


NOTE = """---
title: Tariffs
---
According to [this Reuters report](https://www.reuters.com/world/tariffs):

> Reuters words about tariffs.

As [this answer](https://politics.stackexchange.com/a/123) says:

> Linked post words about tariffs.

Here is [a screenshot](https://i.stack.imgur.com/abc.png):

> Screenshot words about tariffs.

[Wikipedia](https://en.wikipedia.org/wiki/Tariff) says:

> Wikipedia words about tariffs.

A [paper](https://doi.org/10.1038/nature123) found:

> Paper words about tariffs.

The [CDC](https://www.cdc.gov/tariffs) says:

> CDC words about tariffs.

[This blog](https://someblog.net/post) says:

> Blog words about tariffs.
"""


@pytest.fixture
def kinds_db(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tariffs.md").write_text(NOTE, encoding="utf-8")
    return corpus, tmp_path / "index.db"


def test_build_counts_quotes_by_kind(kinds_db: tuple[Path, Path]) -> None:
    corpus, db = kinds_db
    report = build(corpus, db)
    assert report.by_kind == {"news": 1, "reference": 1, "scholarly": 1, "government": 1,
                              "linked_post": 1, "file_host": 1, "website": 1, "question": 0,
                              "other_answer": 0, "prompt": 0, "chatbot_reply": 0, "claim": 0}
    assert report.totals.sourced_quotes == 5  # a linked post and a screenshot are not sources
    assert report.to_json()["quotes_by_source_kind"] == report.by_kind
    assert "Quotes by source: news 1, reference 1, scholarly 1, government 1, website 1; " \
           "not sources: linked post 1, image or file 1" in report.summary()


def test_hits_and_sources_carry_the_kind(kinds_db: tuple[Path, Path], run: object) -> None:
    corpus, db = kinds_db
    build(corpus, db)

    async def read() -> tuple[dict[str, tuple[str | None, str | None]], list[object]]:
        async with await IndexReader.open(db) as reader:
            hits = await reader.search("tariffs words", 10, kind="quote")
            return ({h.text.split()[0]: (h.outlet, h.source_kind) for h in hits},
                    await reader.sources())

    by_first_word, sources = run(read())  # type: ignore[operator]
    assert by_first_word == {
        "Reuters": ("Reuters", "news"), "Linked": (None, "linked_post"),
        "Screenshot": (None, "file_host"), "Wikipedia": ("Wikipedia", "reference"),
        "Paper": ("Nature", "scholarly"), "CDC": ("CDC", "government"),
        "Blog": ("someblog.net", "website")}
    assert {(s.kind, s.name, s.passages) for s in sources} == {
        ("news", "Reuters", 1), ("reference", "Wikipedia", 1), ("scholarly", "Nature", 1),
        ("government", "CDC", 1), ("website", "someblog.net", 1), ("linked_post", None, 1),
        ("file_host", None, 1)}
    reuters = next(s for s in sources if s.name == "Reuters")
    assert reuters.reliability == "Generally reliable"
    assert reuters.reliability_url is not None and "Perennial_sources" in reuters.reliability_url


FERRY_NOTE = """---
title: Why did the ferry sink on its last crossing?
---
The question was:

> Why did the ferry sink on its last crossing?

According to [Reuters](https://www.reuters.com/world/ferry):

> The ferry sank on its last crossing in a storm.
"""


def test_a_quote_of_the_question_is_no_source_and_never_shown(tmp_path: Path,
                                                               run: object) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ferry.md").write_text(FERRY_NOTE, encoding="utf-8")
    # Other threads, so that the ferry's words weigh something in BM25 (idf).
    for n in range(3):
        (corpus / f"cup{n}.md").write_text(f"---\ntitle: Cups {n}\n---\nSaid [the BBC]"
                                            f"(https://www.bbc.com/{n}):\n\n> Cups {n}.\n",
                                            encoding="utf-8")
    db = tmp_path / "index.db"
    report = build(corpus, db)
    assert report.by_kind["question"] == 1 and report.by_kind["news"] == 4
    assert "not sources: linked post 0, image or file 0, the question 1" in report.summary()

    async def read() -> list[Hit]:
        async with await IndexReader.open(db) as reader:
            return await reader.search("why did the ferry sink on its last crossing", 10,
                                       kind="quote")

    hits = run(read())  # type: ignore[operator]
    asked = next(h for h in hits if h.text.startswith("Why did"))
    assert (asked.outlet, asked.source_kind) == (None, "question")
    assert source_label(asked.kind, asked.outlet, asked.source_kind) == "Quote of the question"
    shown = choose([replace(h, relevance=0.9) for h in hits], k=3, min_relevance=0.35)
    assert [h.outlet for h in shown] == ["Reuters"]


def test_search_json_has_source_kind(kinds_db: tuple[Path, Path]) -> None:
    corpus, db = kinds_db
    build(corpus, db)
    out = subprocess.run([PYTHON, "-m", "index", "search", "--db", str(db), "--json", "-k", "10",
                          "Reuters words about tariffs"], capture_output=True, text=True,
                         env=python_env(), cwd=ROOT, timeout=120, check=True)
    hits = json.loads(out.stdout)
    reuters = next(h for h in hits if h["text"].startswith("Reuters"))
    assert (reuters["outlet"], reuters["source_kind"], reuters["reliability"]) == \
        ("Reuters", "news", "Generally reliable")
    assert all("source_kind" in h for h in hits)


def test_search_text_says_the_kind(kinds_db: tuple[Path, Path]) -> None:
    corpus, db = kinds_db
    build(corpus, db)
    out = subprocess.run([PYTHON, "-m", "index", "search", "--db", str(db), "-k", "10",
                          "words about tariffs"], capture_output=True, text=True,
                         env=python_env(), cwd=ROOT, timeout=120, check=True).stdout
    heads = {line.split("]")[0] + "]" for line in out.splitlines() if line[:1].isdigit()}
    for label in ("[Reuters]", "[Wikipedia · reference]", "[Nature · journal]",
                  "[CDC · government]", "[someblog.net · website]", "[Linked post]",
                  "[Quote (image or file link, source not named)]"):
        assert any(label in h for h in heads), (label, heads)


THREAD = "https://history.stackexchange.com/questions/100/why"


@pytest.mark.parametrize(("url", "is_citable", "is_never_cited"), [
    ("https://example.org/guide", True, False),
    ("https://history.stackexchange.com/a/57/12", True, False),       # another answer
    ("https://history.stackexchange.com/users/71/someone", False, True),
    ("https://history.stackexchange.com/questions/tagged/rome", False, True),
    ("https://history.stackexchange.com/help/on-topic", False, True),
    ("https://history.stackexchange.com/faq", False, True),           # the old help centre
    ("https://example.org/search?q=rome", False, True),
    ("https://history.stackexchange.com/questions/100", False, True),  # the thread's question
    ("https://history.stackexchange.com/questions/101", True, False),  # another question
    ("https://i.stack.imgur.com/abc.png", False, False),  # a picture: shown, never chosen
    ("https://example.org/chart.jpeg", False, False),
    ("https://example.org/", False, False),                # a front page
])
def test_which_links_a_quote_can_cite(url: str, is_citable: bool, is_never_cited: bool) -> None:
    assert citable(url, THREAD) is is_citable
    assert never_cited(url, THREAD) is is_never_cited
