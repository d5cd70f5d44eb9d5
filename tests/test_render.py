"""Rendering hits for Discord: limits, escaping, links. Pure functions, no Discord."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.outlet_choices import outlet_choice, resolve_outlet
from bot.render import (
    CONTENT_MAX,
    CUT_MARK,
    answered_on,
    as_text,
    escape,
    link,
    render_answer,
    render_nothing,
    render_sources,
    render_whole,
    safe_url,
    source_label,
    trim,
    trim_sentences,
)
from index.reader import CitedSource, Hit

from .fake_discord.limits import check_message


def hit(rank: int = 1, text: str = "The ferry sank.", *, kind: str = "quote",
        outlet: str | None = "BBC", url: str | None = "https://www.bbc.co.uk/news/1",
        title: str = "What happened to the ferry?") -> Hit:
    return Hit(rank=rank, score=1.0, passage_id=f"t/a0/p{rank}", kind=kind, text=text,  # type: ignore[arg-type]
               outlet=outlet, url=url, thread_title=title,
               thread_url="https://example.stackexchange.com/questions/1", answer_score=5)


def check_limits(embed: dict) -> None:
    """Discord's limits, as the fake Discord the end-to-end tests talk to enforces them."""
    assert check_message({"embeds": [embed]}) == {}


def test_a_quote_with_its_outlet_link_and_thread() -> None:
    reply = render_answer("what happened?", [hit()])
    [embed] = reply.embeds
    check_limits(embed)
    [field] = embed["fields"]
    assert field["name"] == "1 · BBC"
    assert field["value"] == ("> The ferry sank.\n— [BBC](https://www.bbc.co.uk/news/1) · "
                              "answer score 5 · [thread](https://example.stackexchange.com/questions/1)")
    assert embed["footer"]["text"] == "From: What happened to the ferry?"


def test_an_unnamed_quote_shows_the_answers_words_introducing_it() -> None:
    """review10 D8: "Quote (outlet not named)" under "From this AMA study on ephedrine:"
    told the user less than the answer did. The lead-in's last sentence is shown as the
    answer's words, escaped; not for a named outlet, a claim, or a lead-in that does not
    point at the quote."""
    unnamed = replace(hit(outlet=None, url=None), lead_in="Not so. From this AMA study on "
                      "ephedrine, @everyone *look*:")
    [field] = render_answer("is ephedrine safe?", [unnamed]).embeds[0]["fields"]
    assert field["name"] == "1 · Quote (outlet not named)"
    assert field["value"].startswith(
        "*In the answer: \u201cFrom this AMA study on ephedrine, @\u200beveryone \\*look\\*:"
        "\u201d*\n> The ferry sank.")
    [whole] = render_whole([unnamed]).embeds  # "Expand" shows it too
    assert whole["description"].startswith("*In the answer: \u201cFrom this AMA study")
    # An abbreviation's full stop ends no sentence (review11: "wrote (in ...):" alone).
    cited = replace(unnamed, lead_in="As Dehhaghi et al. wrote (in a peer-reviewed article):")
    [field] = render_answer("is ephedrine safe?", [cited]).embeds[0]["fields"]
    assert field["value"].startswith("*In the answer: \u201cAs Dehhaghi et al. wrote")
    for other in (replace(unnamed, outlet="BBC"), replace(unnamed, source_kind="claim"),
                  replace(unnamed, lead_in="The study found no such effect."),
                  replace(unnamed, lead_in="Also:")):
        [field] = render_answer("is ephedrine safe?", [other]).embeds[0]["fields"]
        assert field["value"].startswith("> The ferry sank."), other.lead_in


@pytest.mark.parametrize(("passage_id", "word"), [
    ("note:baghdad-strike/a0/p1", "note"), ("page:saved-article/a0/p2", "page"),
    ("genai.stackexchange.com/q/8/a0/p1", "thread")])
def test_the_page_link_says_what_the_page_is(passage_id: str, word: str) -> None:
    note = replace(hit(), passage_id=passage_id, answer_score=None,
                   thread_url="https://example.org/notes/baghdad-strike")
    [field] = render_answer("what happened?", [note]).embeds[0]["fields"]
    assert field["value"].endswith(f" · [{word}](https://example.org/notes/baghdad-strike)")


def test_own_words_are_labelled() -> None:
    reply = render_answer("q", [hit(kind="answer", outlet=None, url=None)])
    [embed] = reply.embeds
    assert embed["fields"][0]["name"] == "1 · The answerer's own words"
    assert "No quoted source matches" in embed["description"]


def test_unattributed_quote_is_labelled() -> None:
    [embed] = render_answer("q", [hit(outlet=None, url=None)]).embeds
    assert embed["fields"][0]["name"] == "1 · Quote (outlet not named)"


@pytest.mark.parametrize("n", [1, 3, 10, 25, 40])
def test_long_passages_fit_every_limit(n: int) -> None:
    long = ("word " * 3000).strip()
    reply = render_answer("why? " * 200, [hit(i + 1, long) for i in range(n)])
    [embed] = reply.embeds
    check_limits(embed)
    assert all(f["value"].split("\n")[0].endswith("…" + CUT_MARK) for f in embed["fields"])
    assert reply.trimmed


def test_trim_cuts_at_a_word() -> None:
    assert trim("alpha beta gamma", 12) == "alpha beta…"
    assert trim("short", 10) == "short"
    assert len(trim("x" * 50, 10)) == 10


def test_markdown_and_mentions_are_defused() -> None:
    nasty = "@everyone <@&123> <@456> **bold** ```code```\n# Header\n> quote\n[x](javascript:x)"
    out = escape(nasty)
    assert "@everyone" not in out and "<@&123>" not in out and "<@456>" not in out
    assert "\\*\\*bold\\*\\*" in out and "\\`\\`\\`" in out
    assert "\n\\> quote" in out and "\\# Header" in out
    [embed] = render_answer(nasty, [hit(text=nasty, outlet="Evil **Outlet** @here")]).embeds
    text = as_text(render_answer(nasty, [hit(text=nasty)]))
    assert "@everyone" not in text and "<@&123>" not in text
    assert "**Evil" not in embed["fields"][0]["name"]
    assert "@here" not in embed["fields"][0]["name"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://x.org/",
                                 "//no-scheme.org", "", None, "http://"])
def test_only_http_links(url: str | None) -> None:
    assert safe_url(url) is None
    [embed] = render_answer("q", [hit(url=url)]).embeds
    assert "javascript" not in embed["fields"][0]["value"]


def test_link_with_parentheses_stays_one_link() -> None:
    url = safe_url("https://en.wikipedia.org/wiki/Foo_(bar) x")
    assert url == "https://en.wikipedia.org/wiki/Foo_%28bar%29%20x"


def test_nothing_points_to_sources() -> None:
    reply = render_nothing("anything")
    assert "/sources" in reply.content and len(reply.content) <= CONTENT_MAX
    assert render_answer("q", []) == reply


def test_source_pages_group_by_kind() -> None:
    sources = [CitedSource("news", f"Outlet {i}", 100 - i) for i in range(13)] + [
        CitedSource("reference", "Wikipedia", 50), CitedSource("scholarly", "Nature", 7),
        CitedSource("website", "someblog.net", 2), CitedSource("linked_post", None, 46),
        CitedSource("file_host", None, 3)]
    first = render_sources(sources, page=0, per_page=10).embeds[0]
    last = render_sources(sources, page=1, per_page=10).embeds[0]
    assert first["description"].splitlines()[:2] == ["__News outlets__",
                                                      "**Outlet 0**: 100 passages"]
    assert last["description"].splitlines() == [
        "__News outlets__", "**Outlet 10**: 90 passages", "**Outlet 11**: 89 passages",
        "**Outlet 12**: 88 passages", "", "__Reference works__", "**Wikipedia**: 50 passages",
        "", "__Scholarly sources__", "**Nature**: 7 passages", "", "__Other websites__",
        "**someblog.net**: 2 passages"]
    assert first["footer"]["text"] == ("Page 1 of 2 · 16 sources · not counted as sources: "
                                       "quotes from linked posts 46, from image or file links 3")
    assert "No source" in render_sources(sources[-2:], page=0, per_page=10).content
    one = render_sources(sources[13:14], page=0, per_page=10).embeds[0]
    assert one["footer"]["text"] == "Page 1 of 1 · 1 source"  # review12 D7


@pytest.mark.parametrize(("outlet", "kind", "label", "link_text"), [
    ("Reuters", "news", "Reuters", "Reuters"),
    ("Wikipedia", "reference", "Wikipedia · reference", "Wikipedia"),
    ("Nature", "scholarly", "Nature · journal", "Nature"),
    ("arXiv", "scholarly", "arXiv · scholarly", "arXiv"),
    ("CDC", "government", "CDC · government", "CDC"),
    ("someblog.net", "website", "someblog.net · website", "someblog.net"),
    (None, "linked_post", "Linked post", "linked post"),
    (None, "file_host", "Quote (image or file link, source not named)", "image or file"),
    (None, None, "Quote (outlet not named)", None),
])
def test_labels_show_the_kind(outlet: str | None, kind: str | None, label: str,
                              link_text: str | None) -> None:
    h = replace(hit(1, "words", outlet=outlet, url="https://example.com/x"), source_kind=kind)
    assert source_label(h) == label
    field = render_answer("q", [h]).embeds[0]["fields"][0]
    assert field["name"] == f"1 · {escape(label)}"
    if link_text:
        assert f"[{escape(link_text)}](https://example.com/x)" in field["value"]


def test_overlong_links_give_way_to_the_quote() -> None:
    """A link longer than the room it would leave the quote is dropped, not the quote."""
    long_url = "https://www.bbc.co.uk/news/" + "a" * 900
    reply = render_answer("q", [hit(i + 1, "The ferry sank near the harbour. " * 20, url=long_url)
                                for i in range(3)])
    [embed] = reply.embeds
    check_limits(embed)
    for field in embed["fields"]:
        assert long_url not in field["value"]
        assert field["value"].startswith("> The ferry sank near the harbour.")
        assert len(field["value"]) > 500


def test_quotes_are_cut_after_a_whole_sentence_with_a_mark() -> None:
    text = "The ferry sank. " * 5 + "Then the storm came and the harbour closed for a week."
    cut, trimmed = trim_sentences(text, 60)
    assert trimmed and cut == "The ferry sank. The ferry sank. The ferry sank." + CUT_MARK
    assert trim_sentences("Short.", 60) == ("Short.", False)
    # No sentence ends in the second half: a word boundary, still marked.
    cut, trimmed = trim_sentences("Bullet one, bullet two, bullet three and so on", 30)
    assert trimmed and cut.endswith("…" + CUT_MARK) and len(cut) <= 30
    # An abbreviation's full stop ends no sentence (review15: "... ordered by the U.S. […]").
    text = ("The strike was carried out by a drone. It was ordered by the U.S. President after "
            "weeks of attacks on the embassy.")
    cut, trimmed = trim_sentences(text, 70)
    assert trimmed and cut == "The strike was carried out by a drone." + CUT_MARK


def test_the_answers_date_and_the_outlets_reliability() -> None:
    dated = dataclasses.replace(
        hit(), answered_at="2020-01-06T02:50:00Z", reliability="Generally reliable",
        reliability_url="https://en.wikipedia.org/wiki/WP:RSP#BBC")
    [embed] = render_answer("q", [dated]).embeds
    check_limits(embed)
    assert embed["fields"][0]["value"].endswith(
        "— [BBC](https://www.bbc.co.uk/news/1) · [generally reliable]"
        "(https://en.wikipedia.org/wiki/WP:RSP#BBC) per Wikipedia · answered 6 Jan 2020 · "
        "answer score 5 · [thread](https://example.stackexchange.com/questions/1)")
    assert answered_on("2013-09-26") == "26 Sep 2013"
    assert answered_on("garbage") is None and answered_on(None) is None
    # The answerer's own words carry no outlet status.
    own = dataclasses.replace(dated, kind="answer", outlet=None)
    assert "Wikipedia" not in render_answer("q", [own]).embeds[0]["fields"][0]["value"]


def test_no_good_match_says_how_to_browse_where_the_reader_is() -> None:
    assert "`/sources`" in render_nothing("q").content
    assert ".venv/bin/python -m index search" in render_nothing("q", surface="terminal").content


def unescaped_brackets(text: str) -> list[int]:
    """Positions of brackets Discord reads as markdown: not after an odd run of backslashes."""
    return [m.end() - 1 for m in re.finditer(r"(?<!\\)(?:\\\\)*[\[\]]", text)]


@given(st.text(alphabet="[]()\\ab:/ ", max_size=40))
def test_link_text_cannot_end_the_link(text: str) -> None:
    out = link(text, "https://example.org/a")
    label_end = out.rindex("](https://example.org/a)")
    assert unescaped_brackets(out) == [0, label_end]


def test_bracket_escaping_keeps_what_escape_markdown_did() -> None:
    assert escape("BBC](https://evil.example) (") == "BBC\\](https://evil.example) ("
    assert escape("[a](https://x)") == "\\[a\\](https://x)"  # one backslash each, not two
    assert escape("a\\]") == "a\\\\\\]"  # the backslash shown, the bracket escaped


def test_long_outlets_are_offered_within_limits_and_resolve_back() -> None:
    names = ["BBC", "The Long Outlet " + "of Many Words " * 10, "Huge " * 1000]
    for name in names:
        label, value = outlet_choice(name, 12)
        assert 1 <= len(label) <= 100 and 1 <= len(value) <= 100
        assert label.endswith(" (12)")
        assert resolve_outlet(value, names) == name
    assert resolve_outlet("bbc", names) == "BBC"
    assert resolve_outlet("  huge  HUGE " + "huge " * 998, names) == names[2]
    assert resolve_outlet("Reuters", names) is None
    assert resolve_outlet("The Long…#000000000000", names) is None


def test_line_breaks_of_code_are_kept() -> None:
    """A <pre> block's lines (`who` output) stay lines in the quote shown."""
    lines = "[user1@host ~]$ who\nuser1 tty1   2018-01-03 18:43\nuser2 pts/0  2018-01-03 18:44"
    value = render_answer("q", [hit(text=lines)]).embeds[0]["fields"][0]
    assert "> \\[user1@host \\~\\]$ who\n> user1 tty1   2018-01-03 18:43\n> user2 pts/0" in \
        value["value"]


def test_an_answerers_passage_ends_before_its_closing_lead_in() -> None:
    """The lead-in introduces a quote that is another passage (or none): shown at the end of
    the answerer's words it introduces nothing, so it is left out, with the mark."""
    own = replace(hit(kind="answer", outlet=None, url=None),
                  text="The ferry sank in calm weather.\n\nI've added this comment to it:")
    [field] = render_answer("what happened?", [own]).embeds[0]["fields"]
    assert field["value"].startswith("> The ferry sank in calm weather. […]\n— ")
    assert "comment to it" not in field["value"]
    # A few words ending in an ellipsis lead in too (review5: "According to Yahoo News Japan...").
    own = replace(own, text="This looks inspired by a dispute.\n\nAccording to Yahoo News Japan...")
    [field] = render_answer("what happened?", [own]).embeds[0]["fields"]
    assert field["value"].startswith("> This looks inspired by a dispute. […]\n— ")
    # A quote's own paragraphs are never cut so.
    quote = replace(hit(), text="The ferry sank.\n\nOfficials said:")
    [field] = render_answer("what happened?", [quote]).embeds[0]["fields"]
    assert "Officials said:" in field["value"]


def test_a_list_of_many_short_lines_is_cut_at_a_line_end_and_marked() -> None:
    """Each line is quoted ("> "), so a list grows when shown: the cut is made in its text,
    at an item's end, with the mark, never in the quoted body mid-item ("• Hollow")."""
    games = [f"• Game {n}\n" for n in range(1, 120)]  # short items, blank lines between
    [embed] = render_answer("which games?", [hit(text="Indie:\n" + "\n".join(games))]).embeds
    check_limits(embed)
    value = embed["fields"][0]["value"]
    body = value.rsplit("\n", 1)[0]  # the credit line after it
    assert body.endswith(CUT_MARK)
    last = body.removesuffix(CUT_MARK).splitlines()[-1]
    assert re.fullmatch(r"> • Game \d+", last), last



def test_an_answerers_passage_stopping_mid_clause_is_marked_as_cut() -> None:
    """review7: "... He notes that" (its quote follows in the answer, another passage) was
    shown as if whole."""
    own = hit(text="Scott goes into more detail in the Q&A section. He notes that", kind="answer",
              outlet=None, url=None)
    [embed] = render_answer("why?", [own]).embeds
    assert embed["fields"][0]["value"].startswith(
        "> Scott goes into more detail in the Q&A section. He notes that" + CUT_MARK)
    whole = hit(text="He notes that the key is public.", kind="answer", outlet=None, url=None)
    [embed] = render_answer("why?", [whole]).embeds
    assert CUT_MARK not in embed["fields"][0]["value"]


# Any text, any length, any labels: every renderer's message is one Discord accepts
# (review8: "Expand" put a long passage's credit line past the description's 4,096).
# An unnamed quote's lead-in is shown with it: lead-ins of any text, ending in a colon or not.
_HITS = st.lists(st.builds(
    lambda rank, text, kind, outlet, title, lead_in: Hit(
        rank=rank, score=1.0, passage_id=f"politics.stackexchange.com/q/{rank}/a0/p{rank}",
        kind=kind, text=text, outlet=outlet, url=f"https://www.bbc.com/news/{rank}" if outlet
        else None, thread_title=title, thread_url="https://politics.stackexchange.com/q/1",
        answer_score=24, answered_at="2020-01-06", reliability="Generally reliable",
        reliability_url="https://en.wikipedia.org/wiki/WP:RSP",
        source_kind="news" if outlet else None, lead_in=lead_in),
    st.integers(1, 99), st.text(min_size=1, max_size=6000) | st.just("Word " * 900),
    st.sampled_from(["quote", "answer"]), st.none() | st.text(min_size=1, max_size=300),
    st.text(max_size=400),
    st.none() | st.builds(lambda t: t + ":", st.text(max_size=200))), min_size=1, max_size=12)


@given(_HITS, st.text(max_size=3000))
def test_every_answer_and_its_expand_fit_discords_limits(hits: list[Hit], question: str) -> None:
    for reply in (render_answer(question, hits), render_whole(hits),
                  render_nothing(question)):
        assert check_message({"content": reply.content, "embeds": reply.embeds}) == {}


def test_expand_names_every_passage_it_has_no_room_for() -> None:
    """review14 M2: three passages of ~3,100 characters: the first whole, the second cut, the
    third dropped with no word. Each one left out is named, with its thread's link."""
    long = " ".join(f"The river rose {i} metres over Ashford that night." for i in range(62))
    hits = [replace(hit(i, long, title=f"Thread {i}"),
                    thread_url=f"https://example.stackexchange.com/questions/{i}")
            for i in (1, 2, 3)]
    reply = render_whole(hits)
    assert [e["title"] for e in reply.embeds] == ["1 · BBC", "2 · BBC"]
    assert reply.content == ("1 more passage did not fit in this message: 3 · BBC "
                             "([thread](<https://example.stackexchange.com/questions/3>)).")
    assert check_message({"content": reply.content, "embeds": reply.embeds}) == {}
    assert render_whole(hits[:1]).content == ""  # all shown: nothing to say


def test_links_in_a_messages_text_show_no_preview() -> None:
    """review15 L2: Discord unfurls a link in a message's text into a preview card, a masked
    one too, unless the address is in angle brackets; a ">" in it cannot end them early."""
    assert link("thread", "https://example.org/q/1", preview=False) == \
        "[thread](<https://example.org/q/1>)"
    assert link("thread", "https://example.org/a>b", preview=False) == \
        "[thread](<https://example.org/a%3Eb>)"
    assert link("BBC", "https://bbc.co.uk/x") == "[BBC](https://bbc.co.uk/x)"  # in embeds
    assert link("x", "javascript:alert(1)", preview=False) == "x"


def test_expand_counts_what_even_its_text_has_no_room_to_name() -> None:
    long = "Word " * 900
    hits = [replace(hit(i, long, outlet="O" * 300),
                    thread_url="https://example.stackexchange.com/questions/" + "9" * 400)
            for i in range(1, 11)]
    reply = render_whole(hits)
    left_out = 10 - len(reply.embeds)
    assert reply.content.startswith(f"{left_out} more passages did not fit")
    assert re.search(r"and \d+ more\.$", reply.content)
    assert check_message({"content": reply.content, "embeds": reply.embeds}) == {}
