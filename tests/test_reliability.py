"""Wikipedia's perennial-sources status beside a quote: from the gazetteer into each hit, and
an admin's override or hiding of it in the gazetteer. Information only: never a filter."""

from __future__ import annotations

from pathlib import Path

from bot.answering import answer
from bot.render import reliability_note, render_answer
from index.build import build
from index.loaders import LoadContext
from index.outlets import Gazetteer
from index.reader import Hit, IndexReader

GAZETTEER = """
perennial_list = "https://en.wikipedia.org/wiki/WP:RSP"

[[outlet]]
name = "BBC"
domains = ["bbc.co.uk"]
[[outlet.perennial]]
status = ["Generally reliable"]

[[outlet]]
name = "Daily Mail"
domains = ["dailymail.co.uk"]
reliability = ""
[[outlet.perennial]]
status = ["Deprecated"]

[[outlet]]
name = "Asia Times"
domains = ["asiatimes.com"]
reliability = "Reliable for Asian business news, says our mod team"
"""


def test_status_overridden_or_hidden_never_filtering(tmp_path: Path, run) -> None:
    (tmp_path / "outlets.toml").write_text(GAZETTEER, encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, domain in (("bbc", "bbc.co.uk"), ("mail", "dailymail.co.uk"),
                         ("times", "asiatimes.com")):
        (corpus / f"{name}.md").write_text(
            f"---\ntitle: Ferry {name}\n---\nAccording to [this report](https://www.{domain}/1):"
            f"\n\n> The ferry sank near Oslo in the storm, {name} says.\n", encoding="utf-8")
    for i in range(4):
        (corpus / f"other{i}.md").write_text(f"---\ntitle: Other\n---\n> Unrelated {i}.\n")
    ctx = LoadContext(Gazetteer.load(tmp_path / "outlets.toml"))
    build(corpus, tmp_path / "index.db", ctx=ctx)

    async def go() -> list:
        async with await IndexReader.open(tmp_path / "index.db") as reader:
            return (await answer(reader, "which ferry sank near Oslo in the storm?", k=3,
                                 min_relevance=0.35)).hits

    hits = run(go())
    statuses = {h.outlet: (h.reliability, h.reliability_url) for h in hits}
    assert statuses == {  # all three shown: a status never hides a passage
        "BBC": ("Generally reliable", "https://en.wikipedia.org/wiki/WP:RSP"),
        "Daily Mail": (None, None),  # hidden by the admin
        "Asia Times": ("Reliable for Asian business news, says our mod team",
                       "https://en.wikipedia.org/wiki/WP:RSP"),
    }
    values = {f["name"]: f["value"] for f in render_answer("q", hits).embeds[0]["fields"]}
    bbc = next(v for n, v in values.items() if n.endswith("BBC"))
    assert "[generally reliable](https://en.wikipedia.org/wiki/WP:RSP) per Wikipedia" in bbc
    mail = next(v for n, v in values.items() if n.endswith("Daily Mail"))
    assert "Wikipedia" not in mail


def test_two_ratings_of_one_status_are_shown_once_and_scopes_are_named(tmp_path: Path) -> None:
    """The shipped Daily Mail entry holds the list's rows for the Daily Mail and for The Mail
    on Sunday, both "Deprecated": shown once; statuses that differ say what each is for."""
    mail = Gazetteer.load(Path("index/outlets.toml")).outlet("Daily Mail")
    assert mail is not None and len(mail.ratings) == 2
    assert mail.reliability == "Deprecated"
    (tmp_path / "outlets.toml").write_text("""
[[outlet]]
name = "Fox News"
domains = ["foxnews.com"]
[[outlet.perennial]]
status = ["No consensus"]
scope = "news excluding politics and science"
[[outlet.perennial]]
status = ["Generally unreliable"]
scope = "talk shows"
[[outlet.perennial]]
status = ["generally unreliable"]
scope = "Talk shows"
[[outlet]]
name = "Daily Planet"
domains = ["planet.example"]
[[outlet.perennial]]
status = ["Generally reliable"]
[[outlet.perennial]]
status = ["Generally unreliable"]
listed_as = "The Sunday Planet"
""", encoding="utf-8")
    fox = Gazetteer.load(tmp_path / "outlets.toml")
    assert fox.outlet("Fox News").reliability == (  # type: ignore[union-attr]
        "No consensus (news excluding politics and science); Generally unreliable (talk shows)")
    assert fox.outlet("Daily Planet").reliability == (  # type: ignore[union-attr]
        "Generally reliable; Generally unreliable (The Sunday Planet)")


def test_every_status_is_rendered_in_lower_case() -> None:
    hit = Hit(rank=0, score=1.0, passage_id="t/a0/p0", kind="quote", text="> q",
              outlet="BBC", url=None, thread_title="t", thread_url=None, answer_score=None,
              reliability="Blacklisted, Deprecated; No consensus (UK politics)",
              reliability_url="https://en.wikipedia.org/wiki/WP:RSP")
    assert reliability_note(hit, linked=False) == (
        "blacklisted, deprecated; no consensus (UK politics) per Wikipedia")


def test_the_shipped_gazetteer_shows_no_status_for_wikipedia() -> None:
    """The perennial list rates Wikipedia "generally unreliable" as a source for Wikipedia
    itself; shown under every Wikipedia quote it read as disparaging it, and "a
    self-published wiki per Wikipedia" as saying nothing (reviewers, 2026-12-05): hidden by
    the shipped hand file, while the list's rating stays recorded."""
    wikipedia = Gazetteer.load().outlet("Wikipedia")
    assert wikipedia is not None and wikipedia.ratings
    assert wikipedia.reliability is None
    bbc = Gazetteer.load().outlet("BBC")
    assert bbc is not None and bbc.reliability
