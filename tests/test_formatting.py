"""What a passage keeps of its post's formatting, from a file in the corpus to what a Discord
user sees: list numbers, line breaks, link text whose link is gone, an end that points at
what is not shown. The same rules for HTML, Markdown and JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.render import CUT_MARK, FIELD_VALUE_MAX, as_text, render_answer, render_whole
from index.loaders import LoadContext, htmlpage, jsonl, markdown
from index.model import Passage
from index.reader import Hit
from index.tokenize import Tokenizer

BBC = "https://www.bbc.co.uk/news/world-1"


def load(path: Path, ctx: LoadContext) -> list[Passage]:
    """Every passage of the file's one thread, in order."""
    module = {".html": htmlpage, ".md": markdown, ".jsonl": jsonl}[path.suffix]
    [thread] = list(module.load(path, ctx))
    return [p for a in thread.answers for p in a.passages]


def page(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "page.html"
    path.write_text(f"<html><head><title>T</title></head><body><article>{body}</article>"
                    "</body></html>",
                    encoding="utf-8")
    return path


def note(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "note.md"
    path.write_text(text, encoding="utf-8")
    return path


def record(tmp_path: Path, answer: str) -> Path:
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps({"questionId": 1, "question": "Is it true?", "answerId": 2,
                                "answer": answer}) + "\n", encoding="utf-8")
    return path


def seen(p: Passage, *, whole: bool = False) -> str:
    """What Discord shows of the passage: its field of an answer, or its "Expand" embed."""
    hit = Hit(rank=1, score=1.0, passage_id="page:t/a0/p0", kind=p.kind, text=p.text,
              outlet=p.outlet, url=p.url, thread_title="T", thread_url=None, answer_score=None)
    reply = render_whole([hit]) if whole else render_answer("q", [hit])
    return as_text(reply)


def texts(passages: list[Passage]) -> str:
    return "\n\n".join(p.text for p in passages)


# --- ordered lists keep their numbers ------------------------------------------------------

def test_an_ordered_list_keeps_its_numbers_html(tmp_path: Path, ctx: LoadContext) -> None:
    [p] = load(page(tmp_path, "<ol start='3'><li>Fine-tune the model.</li>"
                              "<li><p>Use a grammar.</p></li></ol>"), ctx)
    assert p.text == "3. Fine-tune the model.\n4. Use a grammar."
    # Escaped so Discord shows "3." as written, not a list it renumbers (a backslash before
    # the digit would show: Discord escapes punctuation only), one line each.
    assert "> 3\\. Fine-tune the model.\n> 4\\. Use a grammar." in seen(p)


def test_an_ordered_list_keeps_its_numbers_markdown(tmp_path: Path, ctx: LoadContext) -> None:
    [p] = load(note(tmp_path, "Steps:\n\n1. Ask first.\n2. Then check.\n   - twice\n"), ctx)
    assert p.text == "Steps:\n\n1. Ask first.\n2. Then check.\n  • twice"


def test_nested_items_are_not_repeated(tmp_path: Path, ctx: LoadContext) -> None:
    """An item's text once, its sub-list's items under it (they were read twice before:
    "Then checktwice" and "twice")."""
    [p] = load(page(tmp_path, "<ul><li>Then check<ol><li>twice</li><li>again</li></ol></li>"
                              "<li>Done</li></ul>"), ctx)
    assert p.text == "• Then check\n  1. twice\n  2. again\n• Done"


def test_an_item_that_quotes_keeps_its_number(tmp_path: Path, ctx: LoadContext) -> None:
    """G 132's list: items in <p>s, the third with a quote, all numbered."""
    passages = load(page(tmp_path, (
        "<ol><li><p>Report any flaw.</p></li><li><p>Check every prompt.</p></li>"
        f"<li><p>Per the <a href='{BBC}'>best practices</a>:</p>"
        "<blockquote><p>Send user IDs with each request.</p></blockquote></li></ol>")), ctx)
    assert texts(passages).startswith("1. Report any flaw.\n\n2. Check every prompt.\n\n"
                                      "3. Per the best practices:")
    quote = next(p for p in passages if p.kind == "quote")
    # The number is no word of the lead-in it heads.
    assert (quote.outlet, quote.url, quote.lead_in) == ("BBC", BBC, "Per the best practices:")


# --- line breaks stay line breaks ----------------------------------------------------------

DIALOGUE = ["User: did you know I speak two languages?", "Bing: What, English and nonsense?",
            "User: Bing, what the hell?"]


@pytest.mark.parametrize(("name", "text"), [
    ("html", "<blockquote><p>" + "<br />\n".join(DIALOGUE) + "</p></blockquote>"),
    ("markdown", "".join(f"> {line}\\\n" for line in DIALOGUE).rstrip("\\\n") + "\n"),
    ("jsonl", "".join(f"  {line}\n" for line in DIALOGUE)),
])
def test_line_breaks_stay_line_breaks(tmp_path: Path, ctx: LoadContext, name: str,
                                      text: str) -> None:
    path = {"html": page, "markdown": note, "jsonl": record}[name](tmp_path, text)
    [p] = load(path, ctx)
    assert p.kind == "quote"
    assert p.text == "\n".join(DIALOGUE)
    # Discord shows each turn on a line of its own, inside the quote.
    assert "\n".join(f"> {line}" for line in DIALOGUE) in seen(p)
    assert "\n".join(DIALOGUE) in seen(p, whole=True)


def test_a_line_break_changes_no_search_term(tmp_path: Path, ctx: LoadContext) -> None:
    """The words either side of a <br> were joined into one before ("languages?Bing")."""
    [p] = load(page(tmp_path, "<p>" + "<br>".join(DIALOGUE) + "</p>"), ctx)
    tokens = Tokenizer()
    assert tokens(p.text) == tokens(" ".join(DIALOGUE))
    assert "languagesbing" not in p.text.replace("?", "").lower()


def test_wrapped_lines_are_joined_listed_lines_kept(tmp_path: Path, ctx: LoadContext) -> None:
    """Scraped text: a line wrapped mid-sentence goes on; a list of headlines does not."""
    [passage] = load(record(tmp_path, (
        "Reported by several outlets:\n\n"
        "ABC News -- \"Couple Lose 500 Pounds\" (2013)\nDaily Mail -- \"A Transformation\"\n"
        "Journal of Applied Physiology\n\n"
        "The conclusion that global warming is\na real climate change, not an artifact of\n"
        "Measurements in cities, is well supported.\n")), ctx)
    p, q = passage.text.split("\n\n", 1)[1].split("\n\n")
    assert ("\n\n" + p).endswith("\n\nABC News -- \"Couple Lose 500 Pounds\" (2013)\n"
                           "Daily Mail -- \"A Transformation\"\nJournal of Applied Physiology")
    assert q == ("The conclusion that global warming is a real climate change, not an "
                      "artifact of Measurements in cities, is well supported.")


def test_lines_fit_the_limits_and_ping_no_one(tmp_path: Path, ctx: LoadContext) -> None:
    lines = [f"Line {i}: <@123456> said @everyone should read it." for i in range(80)]
    [p] = load(page(tmp_path, "<p>" + "<br>".join(lines) + "</p>"), ctx)
    reply = render_answer("q", [Hit(rank=1, score=1.0, passage_id="page:t/a0/p0",
                                    kind=p.kind, text=p.text, outlet=None, url=None,
                                    thread_title="T", thread_url=None, answer_score=None)])
    [field] = reply.embeds[0]["fields"]
    assert len(field["value"]) <= FIELD_VALUE_MAX and reply.trimmed
    shown = field["value"].splitlines()
    assert shown[0] == "> Line 0: <\u200b@123456> said @\u200beveryone should read it."
    assert all(line.startswith(">") for line in shown[:-1])
    whole = as_text(render_whole([Hit(rank=1, score=1.0, passage_id="page:t/a0/p0",
                                      kind=p.kind, text=p.text, outlet=None, url=None,
                                      thread_title="T", thread_url=None,
                                      answer_score=None)]))
    assert "@everyone" not in whole and "<@123456>" not in whole
    assert whole.splitlines()[3].startswith("Line 1: ")  # a line of its own


# --- link text whose link is gone -----------------------------------------------------------

@pytest.mark.parametrize("dangling", [
    f"<p><a href='{BBC}'>Source</a></p>",
    f"<p><a href='{BBC}'>This is the link</a>.</p>",
    f"<p>See <a href='{BBC}'>the first commit in the repository</a>.</p>",
])
def test_link_text_that_says_nothing_alone_is_left_out(tmp_path: Path, ctx: LoadContext,
                                                       dangling: str) -> None:
    passages = load(page(tmp_path, f"<p>Scrapy crawls; Beautiful Soup parses.</p>{dangling}"
                                   "<p>Both are free.</p>"), ctx)
    assert texts(passages) == "Scrapy crawls; Beautiful Soup parses.\n\nBoth are free."
    assert "> Scrapy crawls; Beautiful Soup parses.\n>\n> Both are free.\n" in seen(passages[0])


def test_link_text_that_names_something_stays(tmp_path: Path, ctx: LoadContext) -> None:
    passages = load(page(tmp_path, (
        f"<p>Scrapy crawls.</p><p><a href='{BBC}'>Reuters</a></p>"
        f"<p>See <a href='{BBC}'>Husband and Wife Lose 500 Pounds</a>.</p>"
        f"<p>See <a href='{BBC}'>the report</a> for the numbers of 2013.</p>"
        f"<p>(source: <a href='{BBC}'>https://www.bbc.co.uk/news</a>)</p>"
        f"<p><a href='{BBC}'>This problem has not gone away.</a></p>")), ctx)
    assert texts(passages) == ("Scrapy crawls.\n\nReuters\n\nSee Husband and Wife Lose 500 "
                               "Pounds.\n\nSee the report for the numbers of 2013.\n\n"
                               "(source: https://www.bbc.co.uk/news)\n\n"
                               "This problem has not gone away.")


def test_a_link_that_introduces_a_quote_stays_its_lead_in(tmp_path: Path,
                                                          ctx: LoadContext) -> None:
    passages = load(page(tmp_path, f"<p><a href='{BBC}'>Source</a></p>"
                                   "<blockquote><p>The ferry sank.</p></blockquote>"), ctx)
    assert [(p.kind, p.text, p.outlet) for p in passages] == [
        ("answer", "Source", None), ("quote", "The ferry sank.", "BBC")]


def test_markdown_and_jsonl_leave_out_the_same(tmp_path: Path, ctx: LoadContext) -> None:
    md = load(note(tmp_path, f"Scrapy crawls.\n\n[This is the link]({BBC}).\n\nBoth are "
                             "free.\n"), ctx)
    assert texts(md) == "Scrapy crawls.\n\nBoth are free."
    # A scraped answer has lost its links already: a paragraph of pointer words alone.
    qa = load(record(tmp_path, "Scrapy crawls.\n\nSource\n\nBoth are free.\n"), ctx)
    assert texts(qa) == "Scrapy crawls.\n\nBoth are free."


# --- an end that points at what is not shown --------------------------------------------------

def test_an_end_that_points_ahead_is_marked_cut(tmp_path: Path, ctx: LoadContext) -> None:
    passages = load(page(tmp_path, (
        "<p>Use the Outlines library to force valid JSON. Like in the following example</p>"
        "<pre><code>" + "generator = generate.json(model, Character)\n" * 30
        + "</code></pre>")), ctx)
    first = passages[0]
    assert first.text.endswith("Like in the following example")
    assert f"Like in the following example{CUT_MARK}\n" in seen(first)
    assert seen(first, whole=True).split("\n\n")[1].endswith(
        f"Like in the following example{CUT_MARK}")
    # Nothing is marked that ends on its own.
    [plain] = load(page(tmp_path, "<p>Outlines forces valid JSON.</p>"), ctx)
    assert CUT_MARK not in seen(plain)


# --- a list's lead-in link, and a link with no words, weighed by their sentence --------------

def test_a_lists_link_before_its_last_sentence_cites_nothing(tmp_path: Path,
                                                            ctx: LoadContext) -> None:
    """A list lead-in's link in an earlier sentence is withheld, as a paragraph's is; the
    same link in the last sentence still cites."""
    withheld = load(page(tmp_path, (
        f"<ul><li>Read <a href='{BBC}'>this report</a> first. Then the minister said:</li></ul>"
        "<blockquote><p>We will not resign today.</p></blockquote>")), ctx)
    cited = load(page(tmp_path, (
        f"<ul><li>Read it first. Then <a href='{BBC}'>this report</a> said:</li></ul>"
        "<blockquote><p>We will not resign today.</p></blockquote>")), ctx)
    assert [(p.outlet, p.url) for p in withheld if p.kind == "quote"] == [(None, None)]
    assert [(p.outlet, p.url) for p in cited if p.kind == "quote"] == [("BBC", BBC)]


def test_a_link_with_no_words_before_the_last_sentence_cites_nothing(
        tmp_path: Path, ctx: LoadContext) -> None:
    image = "<img src='https://example.org/chart.png'>"
    withheld = load(page(tmp_path, (
        f"<p><a href='{BBC}'>{image}</a> The chart is from last year. Then the minister "
        "said:</p><blockquote><p>We will not resign today.</p></blockquote>")), ctx)
    cited = load(page(tmp_path, (
        f"<p>The chart is from last year. Then it said <a href='{BBC}'>{image}</a>:</p>"
        "<blockquote><p>We will not resign today.</p></blockquote>")), ctx)
    assert [(p.outlet, p.url) for p in withheld if p.kind == "quote"] == [(None, None)]
    assert [(p.outlet, p.url) for p in cited if p.kind == "quote"] == [("BBC", BBC)]


def test_deeply_nested_lists_and_inline_elements_load(tmp_path: Path,
                                                      ctx: LoadContext) -> None:
    """Lists are read with a stack, not recursion: a list item with 1,500 nested spans and
    lists nested 900 deep (under ``MAX_DEPTH``) load, each item once."""
    spans = "<ul><li>" + "<span>" * 1500 + "deep" + "</span>" * 1500 + "</li></ul>"
    lists = "<ul><li>level" * 900 + "</li></ul>" * 900
    passages = load(page(tmp_path, spans + lists), ctx)
    lines = [line for p in passages for line in p.text.split("\n") if line.strip()]
    assert lines[0] == "• deep"
    assert len(lines) == 901 and all(line.strip() == "• level" for line in lines[1:])


def test_a_list_item_that_quotes_keeps_its_lead_in_as_written(tmp_path: Path,
                                                              ctx: LoadContext) -> None:
    """Its inline pieces are joined as they stand: no space before the colon after a link
    ("Per Reuters :"), none inside a word split by markup, and the quote keeps its outlet."""
    passages = load(page(tmp_path, (
        '<ul><li>Per <a href="https://www.reuters.com/world/x">Reuters</a>:'
        "<blockquote><p>The ferry sank in a storm.</p></blockquote></li>"
        "<li><b>Un</b><i>signed</i> and <em>dated</em>, said the <a href="
        f'"{BBC}">BBC</a>:<blockquote><p>The port was closed.</p></blockquote></li></ul>')),
        ctx)
    said = texts(passages)
    assert "• Per Reuters:" in said and "Reuters :" not in said
    assert "• Unsigned and dated, said the BBC:" in said
    quotes = {p.text: p.outlet for p in passages if p.kind == "quote"}
    assert quotes == {"The ferry sank in a storm.": "Reuters", "The port was closed.": "BBC"}
