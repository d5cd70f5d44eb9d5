"""The gazetteer: built from the news-outlet lists by ``python -m index.gazetteer``, and read."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from index import gazetteer as builder
from index.errors import CorpusError
from index.outlets import DEFAULT_GAZETTEER, Gazetteer, Outlet

from .conftest import PYTHON, ROOT, python_env

HAND = """
[[outlet]]
name = "Reuters"
aliases = ["Thomson Reuters"]
domains = ["reuters.com"]

[[outlet]]
name = "Stack Exchange"
aliases = []
domains = ["stackexchange.com", "stackoverflow.com"]
kind = "linked_post"
"""


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _perennial(name: str, status: list[str], urls: list[str], article: str = "",
               info: str = "a summary") -> list[str]:
    return ["1", name, json.dumps(status), str(len(status)), article, json.dumps(urls),
            str(len(urls)), info]


@pytest.fixture
def lists(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "news-outlets"
    data.mkdir()
    _csv(data / builder.PERENNIAL,
         ["id", "name", "status", "status_n", "wiki_url", "urls", "urls_n", "info"], [
             _perennial("Reuters", ["Generally reliable"], ["www.reuters.com"],
                        "https://en.wikipedia.org/wiki/Reuters"),
             _perennial("Fox News (news excluding politics and science)",
                        ["Generally reliable"], ["www.foxnews.com/go", "www.foxnews.com"]),
             _perennial("Fox News (talk shows)", ["Generally unreliable"], ["www.foxnews.com"]),
             _perennial("The Sun (UK) (UK) (The Sun on Sunday)", ["Deprecated"],
                        ["www.thesun.co.uk", "www.wikidata.org/wiki/q1#p856"]),
             _perennial("Breitbart News", ["Blacklisted", "Deprecated"],
                        ["www.breitbart.com/masthead"]),
             _perennial("IMDb (Internet Movie Database)", ["Generally unreliable"],
                        ["www.imdb.com"]),
             # The list's second row for a part of an outlet, under its bare name.
             _perennial("The Guardian (TheGuardian.com)", ["Generally reliable"],
                        ["www.theguardian.com"],
                        info="There is consensus that The Guardian is generally reliable."),
             _perennial("The Guardian", ["No consensus"], ["www.theguardian.com"],
                        info="Most editors say that The Guardian blogs should be treated as "
                             "newspaper blogs or opinion pieces."),
             _perennial("Gazette Post", ["Generally unreliable"], ["www.gazettepost.com"],
                        info="Gazette Post published content written by contributors with "
                             "near-zero editorial oversight."),
             _perennial("Gazette Post (news topics)", ["Generally reliable"],
                        ["www.gazettepost.com"],
                        info="Gazette Post staff writers are fairly reliable."),
         ])
    _csv(data / builder.FREEBIE,
         ["source_id", "name", "language", "cca", "coverage", "covered_area", "url"], [
             ["1", "Thomson Reuters", "en", "GB", "global", "world", "http://www.reuters.com/"],
             ["2", "El Mundo", "es", "ES", "national", "spain", "http://www.elmundo.es/"],
             ["3", "Amnesty International", "en", "GB", "global", "world",
              "https://www.amnesty.org/"],
             ["4", "The White House", "en", "US", "global", "world", "https://www.whitehouse.gov/"],
             ["5", "Daily Planet", "en", "US", "national", "us", "http://dailyplanet.com/"],
         ])
    _csv(data / builder.WIKIDATA,
         ["qid", "name", "domains", "official_urls", "countries", "places", "languages"], [
             ["Q1", "The Citizen", "citizen.co.za", "", "South Africa", "", "English"],
             ["Q2", "The Citizen", "thecitizen.co.tz", "", "Tanzania", "Dar es Salaam", "English"],
             ["Q3", "Gazette A", "gazette-a.com|newsbank.com", "", "", "", "English"],
             ["Q4", "Gazette B", "gazette-b.com|sharedportal.com", "", "", "", "English"],
             ["Q5", "Gazette C", "sharedportal.com", "", "", "", "English"],
             ["Q6", "Die Zeitung", "zeitung.de", "", "Germany", "", "German"],
             ["Q7", "Q7", "nameless.com", "", "", "", "English"],
         ])
    hand = tmp_path / "hand.toml"
    hand.write_text(HAND, encoding="utf-8")
    return data, hand


def test_build_merges_the_lists_and_records_origins(lists: tuple[Path, Path]) -> None:
    data, hand = lists
    entries = {e.name: e for e in builder.build(data, hand)}

    reuters = entries["Reuters"]  # the hand-made name wins; the lists join it by domain
    assert reuters.origin == ["hand", "perennial", "freebie"]
    assert reuters.domains == ["reuters.com"]
    assert reuters.perennial == [{"status": ["Generally reliable"],
                                  "article": "https://en.wikipedia.org/wiki/Reuters"}]

    fox = entries["Fox News"]  # two rows of the perennial list, each with its scope
    assert fox.domains == ["foxnews.com"]
    assert [(r["status"], r.get("scope")) for r in fox.perennial] == [
        (["Generally reliable"], "news excluding politics and science"),
        (["Generally unreliable"], "talk shows")]

    sun = entries["The Sun"]  # aliases from parentheses; "UK" is a scope, not a name
    assert sun.aliases == ["The Sun on Sunday"]
    assert sun.domains == ["thesun.co.uk"]  # the Wikidata item's page is not its site
    assert "The Sun" in sun.ordinary and sun.perennial[0]["scope"] == "UK"

    # A row under the bare name that rates a part: the summary names the part.
    guardian = entries["The Guardian"]
    assert [(r["status"], r.get("scope")) for r in guardian.perennial] == [
        (["Generally reliable"], None), (["No consensus"], "blogs")]
    assert [(r["status"], r.get("scope")) for r in entries["Gazette Post"].perennial] == [
        (["Generally unreliable"], "contributors"), (["Generally reliable"], "news topics")]
    # The same wording in a summary of the only row names no part: it is the outlet's.
    assert entries["Reuters"].perennial[0].get("scope") is None

    assert entries["Breitbart News"].domains == ["breitbart.com"]  # only a path was listed
    assert entries["IMDb"].kind == "website"
    assert entries["Amnesty International"].kind == "website"
    assert entries["The White House"].kind == "government"
    assert entries["Daily Planet"].kind == "news"
    assert "El Mundo" not in entries  # not English

    # Two newspapers of one name: the second is told apart by its place, never looked for
    # in text; a portal two items list is neither's; an item with no English label is out.
    assert entries["The Citizen"].domains == ["citizen.co.za"]
    assert entries["The Citizen"].origin == ["wikidata:Q1"]
    assert entries["The Citizen (Dar es Salaam)"].prose is False
    assert entries["Gazette A"].domains == ["gazette-a.com"]
    assert entries["Gazette B"].domains == ["gazette-b.com"]
    assert "Gazette C" not in entries and "Die Zeitung" not in entries and "Q7" not in entries


def test_written_gazetteer_is_read_back(lists: tuple[Path, Path], tmp_path: Path) -> None:
    data, hand = lists
    out = tmp_path / "outlets.toml"
    assert builder.main(["--data", str(data), "--hand", str(hand), "--out", str(out)]) == 0
    g = Gazetteer.load(out)

    assert g.by_url("https://uk.reuters.com/article/x") == "Reuters"
    assert g.kind_of("Stack Exchange") == "linked_post"
    assert g.site("https://politics.stackexchange.com/q/1").kind == "linked_post"
    assert g.by_url("https://thecitizen.co.tz/news") == "The Citizen (Dar es Salaam)"
    fox = g.outlet("Fox News")
    assert fox is not None and fox.origin == ("perennial",)
    assert fox.reliability == ("Generally reliable (news excluding politics and science); "
                               "Generally unreliable (talk shows)")
    assert ("Fox News", fox.reliability, builder.PERENNIAL_LIST_URL) in g.ratings()
    guardian = g.outlet("The Guardian")
    assert guardian is not None
    assert guardian.reliability == "Generally reliable; No consensus (blogs)"

    # Case-insensitive, except names that are ordinary words.
    assert [m.outlet for m in g.mentions("as reuters reported")] == ["Reuters"]
    assert g.mentions("the energy of the sun") == []
    # One ordinary word from the lists ("The Sun", "History", "People") is looked for by
    # domain only; the hand-made "The Sun" of the shipped gazetteer is matched (see below).
    sun = g.outlet("The Sun")
    assert sun is not None and sun.prose is False and g.mentions("The Sun reported it") == []
    assert g.by_url("https://www.thesun.co.uk/news/1") == "The Sun"
    # Names of papers kept for their domains only are never found in text.
    assert g.mentions("The Citizen said") == []


def test_missing_list_is_named(lists: tuple[Path, Path], tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    data, hand = lists
    (data / builder.FREEBIE).unlink()
    assert builder.main(["--data", str(data), "--hand", str(hand),
                         "--out", str(tmp_path / "o.toml")]) == 2
    assert builder.FREEBIE in capsys.readouterr().err


@pytest.mark.parametrize(("name", "ordinary"), [
    ("The Sun", True), ("Time", True), ("Financial Times", True), ("AP", True),
    ("The Australian", True), ("Reuters", False), ("Bloomberg", False), ("NYT", False),
    ("Al Jazeera", False),
])
def test_ordinary_names(name: str, ordinary: bool) -> None:
    assert builder.is_ordinary(name) is ordinary


def test_acronyms_and_ordinary_names_need_their_capitals() -> None:
    g = Gazetteer.load()
    assert [m.outlet for m in g.mentions("He told the AP that")] == ["Associated Press"]
    assert g.mentions("an ap exam") == []
    assert g.mentions("hurricanes in the atlantic, time and nature") == []
    assert [(m.outlet, m.ordinary) for m in g.mentions("the BBC and the Guardian")] == [
        ("BBC", False), ("The Guardian", True)]
    assert [m.outlet for m in g.mentions("the new york times and al-jazeera")] == \
        ["Al Jazeera"]
    assert g.mentions("a non-BBC source") == []
    [sun] = g.mentions("The Sun reported it")
    assert (sun.outlet, sun.ordinary) == ("The Sun", True)
    # An ordinary name running on into another capitalised name is part of that name.
    assert g.mentions("the Sun Belt states") == []
    assert [m.outlet for m in g.mentions("according to the Guardian Weekly")] == []


def test_bad_kind_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "outlets.toml"
    bad.write_text('[[outlet]]\nname = "X News"\nkind = "tabloid"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"outlet 1.*tabloid"):
        Gazetteer.load(bad)


@pytest.mark.shared_data
def test_shipped_gazetteer_is_what_the_script_makes(shared_data: Path, tmp_path: Path) -> None:
    """index/outlets.toml is derived data: committed, but only ever as the script writes it."""
    out = tmp_path / "outlets.toml"
    assert builder.main(["--data", str(shared_data / "news-outlets"), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == DEFAULT_GAZETTEER.read_text(encoding="utf-8"), \
        "index/outlets.toml is out of date: run `python -m index.gazetteer`"
    assert len(Gazetteer.load(out).names) >= 500


def test_fingerprint_is_the_same_in_every_process() -> None:
    """A rebuild in another process (the bot's /reload, the CLI) reuses unchanged files only
    if the gazetteer's fingerprint does not depend on the process's string hashing."""
    code = "from index.outlets import Gazetteer; print(Gazetteer.load().fingerprint)"
    prints = {subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True,
                             env=python_env(PYTHONHASHSEED=seed), cwd=ROOT, timeout=120
                             ).stdout.strip() for seed in ("1", "2", "3")}
    assert len(prints) == 1 and Gazetteer.load().fingerprint in prints


def test_missing_word_list_says_what_to_install(lists: tuple[Path, Path], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    data, hand = lists
    monkeypatch.setitem(sys.modules, "english_words", None)  # as if not installed
    builder._lexicon.cache_clear()
    try:
        assert builder.main(["--data", str(data), "--hand", str(hand),
                             "--out", str(tmp_path / "o.toml")]) == 2
    finally:
        builder._lexicon.cache_clear()
    assert "pip install -e '.[gazetteer]'" in capsys.readouterr().err


def test_a_host_of_several_outlets_is_told_apart_by_the_path() -> None:
    """nature.com publishes Nature, Scientific Reports, Nature Communications...: a Scientific
    Reports paper was shown as "Nature" (h18attr). The shared data's four nature.com links."""
    g = Gazetteer.load(DEFAULT_GAZETTEER)
    assert g.by_url("https://www.nature.com/articles/s41598-017-16623-8") == "Scientific Reports"
    assert g.by_url("https://www.nature.com/articles/ncomms15694.pdf") == "Nature Communications"
    assert g.by_url("http://www.nature.com/articles/nature16932") == "Nature"
    assert g.by_url("https://www.nature.com/nrd/journal/v1/n1/full/x.html") == "Nature Portfolio"
    # The longest prefix first, then the host's own entry, then its parents'.
    small = Gazetteer([Outlet("Site", (), ("site.org",)), Outlet("Blog", (), ("site.org/blog",)),
                       Outlet("Blog Archive", (), ("site.org/blog/archive",))])
    assert small.by_url("https://news.site.org/blog/x") == "Site"  # another host: its own path
    assert small.by_url("https://site.org/BLOG/x") == "Blog"
    assert small.by_url("https://site.org/blog/archive/2019") == "Blog Archive"
    assert small.by_url("https://site.org/about") == "Site"
