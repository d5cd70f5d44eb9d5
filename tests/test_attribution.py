"""Which words are quoted and from which source: block quotes in lists, the link a lead-in
cites among several, outlets named in prose only where the text cites them, and unmarked
quotes recognised with precision first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.attribution import classify, is_reference, passages_from_blocks
from index.blocks import Block, html_blocks, squash, squashed_offsets
from index.lead_ins import confirm_unmarked_outlets, lead_in_outlet, points_forward
from index.loaders import LoadContext
from index.loaders.jsonl import load as load_jsonl
from index.model import Passage
from index.outlets import Gazetteer

BASE = "https://history.stackexchange.com"
THREAD = f"{BASE}/questions/100"


def quotes(html: str, gazetteer: Gazetteer, question: str | None = None) -> list[tuple]:
    passages = passages_from_blocks(html_blocks(html), gazetteer, base_url=BASE,
                                    thread_url=THREAD, question=question)
    return [(p.text, p.url, p.outlet) for p in passages if p.kind == "quote"]


# --- marked quotes ----------------------------------------------------------------------------

def test_a_block_quote_inside_a_list_item_is_a_quote(gazetteer: Gazetteer) -> None:
    html = ("<ul><li>As <a href='https://www.reuters.com/world/x'>Reuters</a> put it:"
            "<blockquote><p>The talks failed.</p></blockquote></li>"
            "<li>My own point.</li></ul><ol><li><div><blockquote>Deep inside.</blockquote></div>"
            "</li></ol>")
    passages = passages_from_blocks(html_blocks(html), gazetteer, base_url=BASE)
    kinds = [(p.kind, p.text) for p in passages]
    assert ("quote", "The talks failed.") in kinds
    assert ("quote", "Deep inside.") in kinds
    assert ("answer", "• My own point.") in kinds
    [reuters] = [p for p in passages if p.text == "The talks failed."]
    assert (reuters.url, reuters.outlet) == ("https://www.reuters.com/world/x", "Reuters")


@pytest.mark.parametrize(("lead", "cited"), [
    # A profile, then the page quoted: the page.
    ("<p>As <a href='/users/71/someone'>someone</a> says, "
     "<a href='https://example.org/guide'>this guide</a> defines it:</p>",
     "https://example.org/guide"),
    # The paper, then "(peer-reviewed here)": the paper.
    ("<p>They released a paper, <a href='https://arxiv.org/abs/2307.06962'>Copy</a> "
     "(<a href='https://openreview.net/forum?id=1'>peer-reviewed here</a>). From the "
     "abstract:</p>", "https://arxiv.org/abs/2307.06962"),
    # Links in an earlier sentence, then "From this page:" after the last one: the last.
    ("<p>See <a href='https://a.example/about'>a</a>. It is better to look at "
     "<a href='https://b.example/docs/models'>b</a>. From this page:</p>",
     "https://b.example/docs/models"),
    # The thread's own question and a tag are never the source.
    (f"<p>Your question <a href='{THREAD}/why'>Why?</a> (tagged "
     f"<a href='{BASE}/questions/tagged/rome'>rome</a>) is answered on "
     "<a href='https://en.wikipedia.org/wiki/Rome'>Wikipedia</a>:</p>",
     "https://en.wikipedia.org/wiki/Rome"),
    # An answer before the question it answers.
    (f"<p>From my <a href='{BASE}/a/57/12'>answer</a> to "
     f"<a href='{BASE}/q/38/12'>another question</a>:</p>", f"{BASE}/a/57/12"),
    # Only pictures: no address at all.
    ("<p><a href='https://i.stack.imgur.com/a.png'>1</a> "
     "<a href='https://i.stack.imgur.com/b.png'>2</a></p>", None),
    # A Wikipedia page on a term the lead-in uses defines it; the site named is cited, even
    # by its front page.
    ("<p>Some sites reward <a href='https://en.wikipedia.org/wiki/White_hat'>white hat "
     "hackers</a>. The website <a href='https://llm-attacks.org/'>llm-attacks.org</a> "
     "shows one. The authors say:</p>", "https://llm-attacks.org/"),
    ("<p>Text replaced with <a href='https://en.wikipedia.org/wiki/Lorem'>lorem ipsum</a> "
     "is described in <a href='https://b.example/post'>this post</a> as:</p>",
     "https://b.example/post"),
    # ... but not where the lead-in names Wikipedia as what it cites.
    (f"<p>Your <a href='{BASE}/questions/41845/x'>question</a> is answered on "
     "<a href='https://en.wikipedia.org/wiki/Pillars'>Wikipedia</a>:</p>",
     "https://en.wikipedia.org/wiki/Pillars"),
    # A front page whose link text does not name the site is no citation.
    ("<p>I searched <a href='https://example.org/'>the web</a> and found "
     "<a href='https://b.example/page'>this</a>:</p>", "https://b.example/page"),
    # The lead-in ends on a tag or the help centre: the quote is that page's own text.
    (f"<p>This question: <a href='{BASE}/questions/465/goths'>Goths?</a> was tagged "
     f"<a href='{BASE}/questions/tagged/vikings'>vikings</a>, which reads:</p>", None),
    (f"<p>It is well documented on <a href='https://en.wikipedia.org/wiki/Che'>Wikipedia</a> "
     f"and the <a href='{BASE}/faq'>FAQ</a> clearly states that:</p>", None),
    # A lead-in's one link, a sentence before the one that introduces the quote, which
    # speaks of something else (genai 51: the answerer's own prompt follows): no citation;
    # a last sentence that points back at it or ends with ":" keeps it.
    ("<p>We can instead use <a href='https://github.com/a/b/wiki/Features#c'>Composable "
     "Diffusion</a> to get a similar effect. We can also see the output has the same fire "
     "lines.</p>", None),
    ("<p>This was covered by <a href='https://b.example/story'>a local paper</a>. The "
     "article says</p>", "https://b.example/story"),
    ("<p>The <a href='https://b.example/act'>Union with Ireland Act</a> united the kingdoms. "
     "The act states that:</p>", "https://b.example/act"),
])
def test_the_link_a_lead_in_cites(gazetteer: Gazetteer, lead: str, cited: str | None) -> None:
    [(_, url, _)] = quotes(f"{lead}<blockquote><p>Quoted words here.</p></blockquote>",
                           gazetteer)
    assert url == cited


@pytest.mark.parametrize("link", [f"{BASE}/help/on-topic", f"{BASE}/users/71/someone",
                                  f"{BASE}/questions/tagged/rome", f"{THREAD}/why"])
def test_a_page_of_the_site_linked_inside_a_quote_is_not_its_citation(gazetteer: Gazetteer,
                                                                      link: str) -> None:
    """history.meta 753 quotes a comment that links "our on-topic page": the quote does not
    cite that page. A lead-in's one link is where the words are from ("As the Help Center
    continues:"), so it stays; index.sources counts such a page as no source."""
    inside = quotes("<p>The reason was explained:</p><blockquote><p>Check our "
                    f"<a href='{link}'>page</a>.</p></blockquote>", gazetteer)
    lead = quotes(f"<p>As <a href='{link}'>this page</a> says:</p>"
                  "<blockquote><p>Quoted words here.</p></blockquote>", gazetteer)
    assert [url for _, url, _ in inside + lead] == [None, link]


def test_a_quote_of_the_question_cites_nothing(gazetteer: Gazetteer) -> None:
    html = ("<p>Compare <a href='https://x.example/paper1'>one</a> and "
            "<a href='https://y.example/paper2'>two</a></p>"
            "<blockquote><p>Is there explicit programming in LLMs?</p></blockquote>")
    [(_, url, outlet)] = quotes(html, gazetteer,
                                question="Is there explicit programming in LLMs? I wonder.")
    assert (url, outlet) == (None, None)


# --- outlets named in prose -------------------------------------------------------------------

@pytest.mark.parametrize("lead", [
    "Dividing it by the energy output of the Sun that reaches the Earth results in",
    "The number of hurricanes in the Atlantic has grown:",
    'This is part of a larger problem dubbed "Nature vs. Nurture" that makes it hard:',
    "Science says otherwise:",
    "Resources for Time Periods:",
    "Two officials told Reuters the talks failed:",
    "The research tests the claims made by the Lancet article:",
    "This Belfast Telegraph article explains it:",   # a longer name the gazetteer lacks
    "the guardian of the city wrote:",               # not written as a name
])
def test_ordinary_words_never_become_outlets(gazetteer: Gazetteer, lead: str) -> None:
    assert lead_in_outlet(lead, gazetteer) is None


@pytest.mark.parametrize(("lead", "outlet"), [
    ("According to this BBC article Soleimani was in Iraq:", "BBC"),
    ("Reuters reports:", "Reuters"),
    ("See this Guardian article:", "The Guardian"),
    ("In that NPR interview, he said", "NPR"),
    ("The number comes from a study published in Nature:", "Nature"),
    ("Time magazine reported:", "Time"),
    ("The evidence is thin. The New York Times claims that at the time,", "The New York Times"),
    ("Said the NYT:", "The New York Times"),
    ("According to the NYT again,", "The New York Times"),
    # Two outlets named: the cited one, not the first.
    ("Unlike the Guardian, Reuters reports:", "Reuters"),
    ("The Forbes article links to an interview he did on NPR. In that NPR interview, he said",
     "NPR"),
])
def test_outlets_named_where_the_text_cites_them(gazetteer: Gazetteer, lead: str,
                                                 outlet: str) -> None:
    assert lead_in_outlet(lead, gazetteer) == outlet


@pytest.mark.parametrize("lead", [
    # The last sentence introduces something else than the outlet named before it.
    "The NYT reported on the study. In fact, that study noted:",
    # The lead-in moves on to what the outlet cites, or to someone else's words.
    "Wikipedia cites the study Huperzine-A capsules enhance memory:",
    "It is on the Wikipedia page you cited, but is more clearly defined by writer, William Hay:",
    # Another outlet named in a later sentence may be where the words are from (Skeptics
    # 43914: Phys.org's summary, not the journal's words).
    "This was documented in an article in Science published in 2018. The article is behind a "
    "paywall, but Phys.org has a good summary. Here's the most significant finding:",
])
def test_an_outlet_the_lead_in_moves_past_is_not_the_source(gazetteer: Gazetteer,
                                                            lead: str) -> None:
    assert lead_in_outlet(lead, gazetteer) is None


@pytest.mark.parametrize("lead", [
    # A source that may exist is not one cited.
    "My suggestion is that if there is a Wikipedia article on the subject, we should have "
    "something like:",
    # "There are those ..." does not point back at the article named before it.
    "The Wikipedia article you linked to describes the controversy. There are those that "
    "oppose it:",
    # Two sources cited in the sentence that introduces the quote: which one it is from is a
    # guess.
    "As the BBC and CNN both reported:",
    "The minister resigned, the Guardian reports, and Reuters adds that:",
])
def test_no_source_is_cited(gazetteer: Gazetteer, lead: str) -> None:
    assert lead_in_outlet(lead, gazetteer) is None


def test_the_last_sentence_may_point_back_at_the_outlet(gazetteer: Gazetteer) -> None:
    assert lead_in_outlet("I found this Guardian article. It states:", gazetteer) == \
        "The Guardian"


def test_a_label_is_not_a_lead_in(gazetteer: Gazetteer) -> None:
    kinds = [p.kind for p in classify(["Evidence:", "The test scores were 85 to 95 overall."],
                                      gazetteer)]
    assert kinds == ["answer", "answer"]
    assert [p.kind for p in classify(["From Snopes:", "The legend is false, as it happens."],
                                     gazetteer)] == ["answer", "quote"]


def test_a_lead_ins_outlet_stays_with_its_own_quote(gazetteer: Gazetteer) -> None:
    passages = classify([
        "According to the BBC:", "The minister resigned on Monday after the vote.",
        "A later government statement reads:", "The resignation takes effect at once.",
    ], gazetteer)
    assert [(p.kind, p.outlet) for p in passages] == [
        ("answer", None), ("quote", "BBC"), ("answer", None), ("quote", None)]


# --- unmarked quotes --------------------------------------------------------------------------

def test_a_colon_before_the_answerers_own_list_is_not_a_quote(gazetteer: Gazetteer) -> None:
    passages = classify([
        "There are three reasons for this:", "• cost\n• time\n• risk",
        "Each of them matters."], gazetteer)
    assert [p.kind for p in passages] == ["answer"] * 3


@pytest.mark.parametrize("lead", ["The report states", "In that interview, the minister said",
                                  "The abstract reads"])
def test_lead_ins_without_a_colon(gazetteer: Gazetteer, lead: str) -> None:
    passages = classify([lead, "Troops were withdrawn from the border within a week."],
                        gazetteer)
    assert [p.kind for p in passages] == ["answer", "quote"]


def test_world_war_i_is_not_the_answerer_speaking(gazetteer: Gazetteer) -> None:
    passages = classify([
        "Reuters reports:", "The treaty that ended World War I was signed in 1919.",
        "Its terms were harsh on Germany."], gazetteer)
    assert [p.kind for p in passages] == ["answer", "quote", "quote"]


def test_a_quote_ends_where_the_answerer_goes_on(gazetteer: Gazetteer) -> None:
    # No outlet named and nothing closes the quote: after its first paragraph, the answerer's.
    passages = classify([
        "The study concluded:", "Participants who slept less ate more in the evening.",
        "This matches what other research found about sleep and appetite.",
        "So the claim holds up reasonably well."], gazetteer)
    assert [p.kind for p in passages] == ["answer", "quote", "answer", "answer"]


def test_a_quote_closed_by_the_answerer_runs_until_there(gazetteer: Gazetteer) -> None:
    passages = classify([
        "Officials described the raid in detail:", "The convoy left the airport at night.",
        "Two vehicles were hit within minutes.",
        "The report does not say who ordered the strike."], gazetteer)
    assert [p.kind for p in passages] == ["answer", "quote", "quote", "answer"]


def test_a_file_that_indents_quotes_guesses_none(tmp_path: Path, ctx: LoadContext) -> None:
    """In a JSON Lines file whose answers indent their quotes, an answer with nothing indented
    quotes nothing, whatever its lead-ins say."""
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"question": "Q1", "answerId": "1",
         "answer": "According to the BBC:\n\n  The minister resigned.\n\nThat settles it."},
        {"question": "Q2", "answerId": "2",
         "answer": "According to the BBC:\n\nThe minister resigned on Monday.\n\nDone."},
    ]) + "\n")
    first, second = list(load_jsonl(path, ctx))
    assert [p.kind for p in first.answers[0].passages] == ["answer", "quote", "answer"]
    assert {p.kind for p in second.answers[0].passages} == {"answer"}


# --- the source of a quote found without marks: only where the lead-in says it ----------------

def confirmed(gazetteer: Gazetteer, outlet: str, lead: str) -> str | None:
    """The source kept for a quote that whatever found the quote gave ``outlet``."""
    [p] = confirm_unmarked_outlets([Passage("quote", "Words.", outlet, None, lead)], gazetteer)
    return p.outlet


@pytest.mark.parametrize(("lead", "forward"), [
    ("According to The Guardian", True),
    ("From the Washington Post (2012).", True),
    ("The Forbes magazine stated it as such:", True),
    ("Furthermore, Reuters has published an article (based on unnamed sources) saying that "
     "the talks had failed.", True),
    ("Meanwhile, a 2017 article in the Atlantic takes another tack, talking to a researcher.",
     False),
    ("No one the AP contacted said the documents were wrong.", False),
    ("There was an FDA report indicating that the test failed.", False),
    ("Wikipedia says he survived six attempts; who was behind them?", False),
])
def test_a_lead_in_that_points_forward(gazetteer: Gazetteer, lead: str, forward: bool) -> None:
    assert points_forward(lead, gazetteer) is forward


@pytest.mark.parametrize(("outlet", "lead", "kept"), [
    ("The Guardian", "According to The Guardian", "The Guardian"),
    # Only mentioned, the next paragraph may be the answerer's: not named.
    ("The Atlantic", "A 2017 article in the Atlantic takes another tack, talking to a "
     "researcher at Nottingham.", None),
    # Named, but not the source the quote was given.
    ("BBC", "According to Reuters:", None),
    # "It also said that ...": the same article carries on, as in the seed.
    ("Reuters", "It also said that the envoy had left Baghdad before the strike.", "Reuters"),
    ("Reuters", "The article goes on:", "Reuters"),
    # "They" are as often the people quoted; "the same WHO document" is not the FDA page
    # quoted before it.
    ("Wikipedia", "They quote a Joe Nickell book that summarizes the conclusions:", None),
    ("FDA", "This quote from the same WHO document implies that washing helps:", None),
    ("Reuters", "The talks failed:", None),  # nothing carries it on
    # A picture introduced: gone from plain text, what follows is as often the answerer's.
    ("Apple Daily", "The only proof is this 1998 article in Apple Daily. It shows a monkey, "
     "then a photo of the meal:", None),
])
def test_a_source_is_kept_only_where_the_lead_in_says_it(gazetteer: Gazetteer, outlet: str,
                                                         lead: str, kept: str | None) -> None:
    assert confirmed(gazetteer, outlet, lead) == kept


def test_a_run_carries_its_source_only_until_a_paragraph_introduces_more(
        gazetteer: Gazetteer) -> None:
    """A quoted run whose paragraph ends like a lead-in ("... quotes them as") may go on with
    someone else's words: from there on, "outlet not named"."""
    lead = "According to this BBC article:"
    texts = ["The minister resigned on Monday after a week of protests.",
             "Local papers covered the protests, and the Herald quotes the protesters as",
             "We will not stop until the law is withdrawn.",
             "Its second paragraph."]
    passages = confirm_unmarked_outlets([Passage("quote", t, "BBC", None, lead) for t in texts],
                                        gazetteer)
    assert [p.outlet for p in passages] == ["BBC", None, None, None]
    # A new run (another lead-in) starts afresh.
    again = confirm_unmarked_outlets(
        [Passage("quote", texts[1], "BBC", None, lead),
         Passage("quote", "Words of the second report.", "BBC", None, "From the BBC:")],
        gazetteer)
    assert [p.outlet for p in again] == [None, "BBC"]


@pytest.mark.parametrize("lead", [
    "<p>I asked <a href='https://chat.openai.com/'>ChatGPT</a> this.</p>",
    "<p>I used the prompt on <a href='https://bard.google.com/'>https://bard.google.com/</a>:</p>",
    "<p>I've added the following comment to the question:</p>",
    "<p>Here is my prompt for <a href='https://www.bbc.co.uk/news/1'>the BBC piece</a>:</p>",
])
def test_what_the_answerer_wrote_cites_nothing(gazetteer: Gazetteer, lead: str) -> None:
    """genai 271, 413 and history-meta 659: the answerer's own prompt or comment, which the
    site linked (or a reference page linked inside it) never wrote."""
    [(_, url, outlet)] = quotes(
        f"{lead}<blockquote><p>Do please and thank you change your answers? See "
        "<a href='https://en.wikipedia.org/wiki/Politeness'>politeness</a>.</p></blockquote>",
        gazetteer)
    assert (url, outlet) == (None, None)


@pytest.mark.parametrize("summary", ["TLDR: scrapy is a framework.", "<b>TL;DR</b> it works.",
                                     "tl;dr - it works."])
def test_an_answerers_tldr_in_a_blockquote_is_their_own_words(gazetteer: Gazetteer,
                                                               summary: str) -> None:
    """stackoverflow 19687421: the answer ends with its own summary set in a blockquote."""
    html = f"<p>Scrapy handles cookies.</p><blockquote><p>{summary}</p></blockquote>"
    passages = passages_from_blocks(html_blocks(html), gazetteer, base_url=BASE,
                                    thread_url=THREAD)
    assert [p.kind for p in passages] == ["answer", "answer"]
    # The same summary from a cited page is that page's.
    [(_, url, _)] = quotes("<p>From <a href='https://www.bbc.co.uk/news/1'>the BBC</a>:</p>"
                           f"<blockquote><p>{summary}</p></blockquote>", gazetteer)
    assert url == "https://www.bbc.co.uk/news/1"


def test_what_came_back_is_still_cited(gazetteer: Gazetteer) -> None:
    [(_, url, _)] = quotes("<p>I asked <a href='https://b.example/bot'>the bot</a> and it "
                           "replied:</p><blockquote><p>Words it wrote.</p></blockquote>",
                           gazetteer)
    assert url == "https://b.example/bot"


def test_a_reference_page_on_a_term_inside_a_quote_is_not_its_citation(
        gazetteer: Gazetteer) -> None:
    """history-meta 618: a parody whose footnote links Wikiquote is not Wikiquote's text;
    a quote that names the work it links is."""
    parody = quotes("<p>An unnamed pundit suggested that</p><blockquote><p>Rule one: do not "
                    "do it.<a href='https://en.wikiquote.org/wiki/M_A_Jackson'>[1]</a>"
                    "</p></blockquote>", gazetteer)
    named = quotes("<p>An unnamed pundit suggested that</p><blockquote><p>As Wikipedia "
                   "puts it, rule one.<a href='https://en.wikipedia.org/wiki/Rule'>[1]</a>"
                   "</p></blockquote>", gazetteer)
    assert [(url, outlet) for _, url, outlet in parody + named] == [
        (None, None), ("https://en.wikipedia.org/wiki/Rule", "Wikipedia")]


def test_a_midjourney_image_link_is_no_source(gazetteer: Gazetteer) -> None:
    [(_, url, outlet)] = quotes("<p>So altogether it might look like this...</p><blockquote>"
                                "<p>/imagine a martial artist <a href='https://s.mj.run/y7Ig'>"
                                "https://s.mj.run/y7Ig</a> high kick</p></blockquote>",
                                gazetteer)
    assert (url, outlet) == ("https://s.mj.run/y7Ig", None)


# --- where a link stands: its place in the text, not a search for its words -------------------

GENAI_52 = (
    "<p>We can see SD is struggling a bit to keep a bit of the fire in. So we can give the "
    "image a little helping hand by adding a second &quot;forest fire&quot; with very low "
    "attention. We can also use <a href='https://github.com/a/b/wiki/Features#prompt-editing' "
    "rel='noreferrer'>Prompt Editing</a> to not include the helping hand towards the final "
    "parts of the image creation, allowing us to not overdo the fire. If you remove the Prompt "
    "Editing we get very fiery pictures.</p>\n<blockquote>\n<p>(forest[ | fire]:0.9) "
    "([forest fire::0.1]:0.1)<br />\nSteps: 40, Sampler: Euler a, CFG scale: 7\n"
    "<a href='https://i.stack.imgur.com/q.jpg'><img src='https://i.stack.imgur.com/q.jpg' "
    "alt='enter image description here' /></a></p>\n</blockquote>")


def test_a_link_before_the_last_sentence_that_repeats_its_words_cites_nothing(
        gazetteer: Gazetteer) -> None:
    """genai 52 (review5): the lead-in's one link is in its second-to-last sentence; the last
    sentence mentions the link's words again ("If you remove the Prompt Editing ..."). The
    answerer's own prompt follows: the link is not its citation, and the quote's one inner
    link, its picture, names no source."""
    [(text, url, outlet)] = quotes(GENAI_52, gazetteer)
    assert text.startswith("(forest[ | fire]:0.9)")
    assert (url, outlet) == ("https://i.stack.imgur.com/q.jpg", None)


def test_a_link_in_the_last_sentence_whose_words_came_earlier_is_cited(
        gazetteer: Gazetteer) -> None:
    """The same words as plain text before the link (the first mention, not the link) do not
    move the link into an earlier sentence."""
    [(_, url, _)] = quotes("<p>Prompt Editing is a feature of the web UI. Its wiki describes "
                           "<a href='https://b.example/wiki/Features'>Prompt Editing</a> "
                           "as:</p><blockquote><p>Quoted words here.</p></blockquote>",
                           gazetteer)
    assert url == "https://b.example/wiki/Features"


def test_of_several_links_the_last_sentences_is_found_where_it_stands(
        gazetteer: Gazetteer) -> None:
    """The second link's words also stand, as plain text, in the first sentence: the link
    itself is in the last one, which cites it."""
    [(_, url, _)] = quotes("<p>The <a href='https://a.example/x'>first report</a> was cited by "
                           "the second report. Then <a href='https://b.example/y'>the second "
                           "report</a> says:</p><blockquote><p>Quoted words here.</p>"
                           "</blockquote>", gazetteer)
    assert url == "https://b.example/y"


def test_a_links_offset_is_where_its_text_stands_in_the_block() -> None:
    html = ("<p>  Some   <b>bold\n words</b>, here and <a href='https://a.example/1'>\n here"
            "\t now</a> and where <i><a href='https://a.example/2'>where</a></i>.</p>"
            "<ul><li>See <a href='https://a.example/3'>this</a> (and this):<blockquote>"
            "<p>Quoted.</p></blockquote></li></ul>")
    blocks = html_blocks(html)
    found = [(b.text, b.anchors, b.offsets) for b in blocks if b.kind == "text"]
    assert found == [
        ("Some bold words, here and here now and where where.", ["here now", "where"],
         [26, 45]),
        ("• See this (and this):", ["this"], [6]),
    ]


def test_blocks_without_offsets_fall_back_to_the_links_words(gazetteer: Gazetteer) -> None:
    """A loader that gives no offsets (a hand-built Block) is read as before: by the last
    mention of the link's words."""
    lead = Block("text", ["We can instead use Composable Diffusion to get a similar effect. We "
                          "can also see the output has the same fire lines."],
                 ["https://github.com/a/b/wiki/Features#c"], ["Composable Diffusion"])
    passages = passages_from_blocks([lead, Block("quote", ["forest fire :0.1"])], gazetteer,
                                    base_url=BASE)
    assert [(p.kind, p.url) for p in passages] == [("answer", None), ("quote", None)]


def test_squashed_offsets_agree_with_squashing_each_prefix() -> None:
    """Every offset of texts with leading, trailing, inner and non-breaking whitespace lands
    where squashing the text up to it (and one more character) puts it."""
    for raw in ["  a  b\n\tc ", "a", "   ", "", "x\xa0\xa0y  z", "\n\nPrompt  Editing. If  you"]:
        offsets = list(range(len(raw) + 1))
        assert squashed_offsets(raw, offsets) == [len(squash(raw[:k] + "x")) - 1
                                                  for k in offsets], raw


def test_an_answer_that_puts_each_source_under_its_quote(gazetteer: Gazetteer) -> None:
    """review7 (genai answer 56): "Source: <link>" under each quote. Read as the lead-in of the
    next quote, every quote but the first was linked to the article of the one above it."""
    faq, used, terms = ("https://help.openai.com/en/articles/7730893-data-controls-faq",
                        "https://help.openai.com/en/articles/5722486-how-your-data-is-used",
                        "https://openai.com/policies/terms-of-use")
    html = ("<p>This can be disabled through Data Controls:</p>"
            "<blockquote><p>To disable chat history, open Data Controls.</p></blockquote>"
            f"<p>Source: <a href='{faq}'>{faq}</a></p><hr />"
            "<p>OpenAI's API does not train on data submitted to it:</p>"
            "<blockquote><p>OpenAI does not use data submitted to our API.</p></blockquote>"
            f"<p>Source: <a href='{used}'>{used}</a></p>"
            "<blockquote><p>(c) Use of Content to Improve Services.</p></blockquote>"
            f"<p>Source: <a href='{terms}'>{terms}</a></p>")
    assert [(text, url) for text, url, _ in quotes(html, gazetteer)] == [
        ("To disable chat history, open Data Controls.", faq),
        ("OpenAI does not use data submitted to our API.", used),
        ("(c) Use of Content to Improve Services.", terms)]
    passages = passages_from_blocks(html_blocks(html), gazetteer, base_url=BASE)
    assert not [p for p in passages if p.kind == "answer" and p.text.startswith("Source")]


def test_source_lines_between_quotes_lead_in_the_next_when_none_follows_a_quote_alone(
        gazetteer: Gazetteer) -> None:
    """Where every source line stands before a quote, each is that quote's lead-in."""
    bbc, cnn = "https://www.bbc.co.uk/news/world-1", "https://edition.cnn.com/2020/01/03/x"
    html = (f"<p>Source: <a href='{bbc}'>BBC</a></p><blockquote><p>The talks failed.</p>"
            f"</blockquote><p>Source: <a href='{cnn}'>CNN</a></p><blockquote><p>The talks "
            "resumed.</p></blockquote>")
    assert quotes(html, gazetteer) == [("The talks failed.", bbc, "BBC"),
                                       ("The talks resumed.", cnn, "CNN")]


# --- outlets named in a marked quote's lead-in (review7 D4) ----------------------------------

def skeptics_answer(tmp_path: Path, ctx: LoadContext, answer: str,
                    question: str = "Is it true?") -> list[tuple[str, str | None, str | None]]:
    """The quotes of one Skeptics-style answer (quotes indented by two spaces), as (text,
    outlet, url), loaded from a JSON Lines file written to ``tmp_path``."""
    path = tmp_path / "skeptics.jsonl"
    path.write_text(json.dumps({"question": question, "questionId": "1", "answerId": "2",
                                "answer": answer}) + "\n")
    [thread] = list(load_jsonl(path, ctx))
    return [(p.text, p.outlet, p.url) for p in thread.answers[0].passages if p.kind == "quote"]


@pytest.mark.parametrize(("lead", "outlet"), [
    ("According to Jerry Rubin, Washington Post, 18 October 1981:", "The Washington Post"),
    ("And the 15 February 1976 New York Times book review Growing (Up) At Thirty-seven says:",
     "The New York Times"),
    ("However, this BBC-article was linked on the Manchester University website and says",
     "BBC"),
    ("From a BBC news article (emphasis mine):", "BBC"),
    # "instead", "rather than" inside what the outlet reported (review13 F4).
    ("Reuters reported that the police used tear gas instead of rubber bullets:", "Reuters"),
    ("According to the BBC, the ministry rather than the army gave the order:", "BBC"),
    ("The source of the myth has been traced by Guardian columnist Oliver Burkeman who writes:",
     "The Guardian"),
    ("Huffington Post: The Collective Intelligence of Women Could Save the World", "HuffPost"),
    ("Quoting Wikipedia:", "Wikipedia"),
    ("This wikipedia article says:", "Wikipedia"),
    ("The first two parts are easy to address. From the FDA's own website:", "FDA"),
    ("and from the World Health Organization:", "World Health Organization"),
    ("Effect of fructose on body weight: a meta-analysis (PubMed, 2012)", "PubMed"),
    ('From "Interference with Pacemakers and Other Medical Devices", FDA:', "FDA"),
    ("The BBC has an article about a study with dolphins", "BBC"),
])
def test_a_marked_quotes_lead_in_names_its_source(tmp_path: Path, ctx: LoadContext, lead: str,
                                                  outlet: str) -> None:
    """A lead-in that names the source in prose, or is a citation line, names the indented
    quote under it."""
    [(_, named, _)] = skeptics_answer(tmp_path, ctx, f"{lead}\n\n  The words quoted here.\n")
    assert named == outlet


@pytest.mark.parametrize("lead", [
    "Unlike the BBC, I think the study is weak:",
    "The Belfast Telegraph article explains it a little better:",
    "The history is interesting. Paraphrased from the Wikipedia entry:",
    "Science",  # an ordinary word alone is no citation line
    "The Times - One day, girls, you will laugh at this",
    "According to Billionaire Says Bloomberg Fabricated His Quote:",
    "Wikipedia cites the study Huperzine-A capsules enhance memory:",
    # review12 D0 (Skeptics 451): the words are from another page.
    "The Wikipedia article has a fairly wordy summary of the effect, so I will instead quote "
    "from this page (emphasis mine):",
    "Before making that draft final, he asked his assistant to double-check with the FDA:",
])
def test_a_mention_is_no_citation(tmp_path: Path, ctx: LoadContext, lead: str) -> None:
    [(_, named, _)] = skeptics_answer(tmp_path, ctx, f"{lead}\n\n  The words quoted here.\n")
    assert named is None


def test_the_unmarked_path_keeps_its_narrower_rules(gazetteer: Gazetteer) -> None:
    """Without marks a lead-in also decides which paragraphs are quoted, and a source named
    on the wider rules would carry on to the answerer's next paragraphs: there they do not
    apply."""
    assert lead_in_outlet("Quoting Wikipedia:", gazetteer, wider=True) == "Wikipedia"
    assert lead_in_outlet("Quoting Wikipedia:", gazetteer) is None
    assert lead_in_outlet("The BBC has an article about dolphins", gazetteer) is None


def test_an_address_ending_a_plain_lead_in_is_the_quotes_citation(tmp_path: Path,
                                                                  ctx: LoadContext) -> None:
    """Plain text keeps no links, but an address written at the end of the lead-in cites the
    quote ("http://en.wikipedia.org/wiki/Sunburn:")."""
    quoted = skeptics_answer(tmp_path, ctx, (
        "and Wikipedia:\n\nhttp://en.wikipedia.org/wiki/Sunburn:\n\n  UVB causes sunburns.\n\n"
        "No they don't. http://www.snopes.com/luck/casino.asp\n\n  LEGEND: casinos pump "
        "oxygen.\n\nThat is all."))
    assert quoted == [("UVB causes sunburns.", "Wikipedia", "http://en.wikipedia.org/wiki/Sunburn"),
                      ("LEGEND: casinos pump oxygen.", "Snopes",
                       "http://www.snopes.com/luck/casino.asp")]


def test_a_line_under_a_quote_names_that_quote_not_the_next(tmp_path: Path,
                                                            ctx: LoadContext) -> None:
    """review of the shared data: Skeptics answers set "—Title - Outlet" or "-- <address>" (and
    "Source: <address>") under each quote. Read as the next quote's lead-in, each quote
    would get the source of the one above it."""
    quoted = skeptics_answer(tmp_path, ctx, (
        "Not so.\n\n  No evidence that microwaving plastic causes cancer.\n\n"
        "\u2014Plastic bottles - Cancer Research UK\n\n  Claim: microwaving plastic releases "
        "toxins. Status: False.\n\n\u2014Plastic-Tac-Toe - Snopes.com\n\n"
        "  Olive oil is believed to prevent cancer.\n\n"
        "-- http://www.ncbi.nlm.nih.gov/pubmed/24326154\n\nThat is all."))
    assert [(named, url) for _, named, url in quoted] == [
        (None, None), ("Snopes", None),
        ("PubMed", "http://www.ncbi.nlm.nih.gov/pubmed/24326154")]
    tweets = skeptics_answer(tmp_path, ctx, (
        "He wrote:\n\n  The first tweet.\n\nSource: https://twitter.com/x/status/1\n\n"
        "  The second tweet.\n\nSource: https://twitter.com/x/status/2\n\nSo yes."))
    assert [url for _, _, url in tweets] == ["https://twitter.com/x/status/1",
                                             "https://twitter.com/x/status/2"]


def test_a_dash_line_under_a_quote_is_shown_with_it_not_with_the_answerers_next_words(
        tmp_path: Path, ctx: LoadContext) -> None:
    """review9 D6: Skeptics 5283/5285 sets "\u2014McDonald's Australia" under its quote with
    the answerer's next paragraphs in one run of text; the line opened "The answerer's own
    words". It names the quote above (with the reference's own lines under it), is none of
    its words (the data's structure counts it outside the quote), and the answerer's words
    start where they do."""
    path = tmp_path / "skeptics.jsonl"
    answer = ("A little sugar evens out the colour.\n\n  It is not done for flavouring.\n\n"
              "\u2014McDonald's Australia\n\nRegarding the claim that the fries are sweet, "
              "there is evidence of the contrary.\n\n  No association with hip fracture.\n\n"
              "-- Drinking Water Fluoride and Hip Fracture\nA Cohort Study P. N\u00e4sman, "
              "J. Ekstrand\nJournal of Dental Research 2013 Nov;92(11):1029-34.\n"
              "Fluoride is in equilibrium with plasma levels.")
    path.write_text(json.dumps({"question": "Are the fries coated in sugar?", "questionId": "1",
                                "answerId": "2", "answer": answer}) + "\n")
    [thread] = list(load_jsonl(path, ctx))
    assert [(p.kind, p.text) for p in thread.answers[0].passages] == [
        ("answer", "A little sugar evens out the colour."),
        ("quote", "It is not done for flavouring."),
        ("answer", "Regarding the claim that the fries are sweet, there is evidence of the "
                   "contrary."),
        ("quote", "No association with hip fracture."),
        ("answer", "Fluoride is in equilibrium with plasma levels.")]


def test_a_dash_line_under_one_quote_leaves_the_others_source_lines_above_them(
        tmp_path: Path, ctx: LoadContext) -> None:
    """review11: set apart from the answerer's next words, "\u2014McDonald's Australia" made
    the answer read every source line as naming the quote above it, and BBC's words were
    shown under Reuters' name and address. A dash line names its own quote only; a line
    after it that says something stays the answerer's."""
    quoted = skeptics_answer(tmp_path, ctx, (
        "Two reports say so.\n\nSource: http://www.bbc.co.uk/news/health-123\n\n"
        "  The BBC found the fries were coated.\n\n"
        "Source: http://www.reuters.com/article/us-food-456\n\n"
        "  Reuters reported the same.\n\n  It is not done for flavouring.\n\n"
        "\u2014McDonald's Australia\nBut a later study (Smith et al. 2015) found them "
        "sweeter.\n\nSo the claim is half right."))
    assert quoted == [
        ("The BBC found the fries were coated.", "BBC", "http://www.bbc.co.uk/news/health-123"),
        ("Reuters reported the same.\n\nIt is not done for flavouring.", "Reuters",
         "http://www.reuters.com/article/us-food-456")]


def test_a_lowercase_dash_line_is_the_answerers_words(gazetteer: Gazetteer) -> None:
    """"-- an obvious typo." under a quote goes on in the answerer's voice: it names nothing,
    and the quote keeps its lead-in's link."""
    url = "https://history.stackexchange.com/a/3113/1308"
    html = (f"<p>I stumbled upon <a href='{url}'>this answer</a>, which has this snippet:</p>"
            "<blockquote><p>British prim minister William Pitt</p></blockquote>"
            "<p>-- an obvious typo.</p>")
    assert [u for _, u, _ in quotes(html, gazetteer)] == [url]


def test_a_bare_line_between_quotes_names_the_next_only_where_the_answer_says_so(
        tmp_path: Path, ctx: LoadContext) -> None:
    """"NHS" between two quotes may name the one above (Skeptics 14209 puts titles under its
    quotes); it names the one below where the answer's first quote has such a line above it
    and its last none below it."""
    above = skeptics_answer(tmp_path, ctx, (
        "Evidence:\n\nPubMed Central (2012)\n\n  Cocoa lowers blood pressure.\n\n"
        "PubMed Central (2006)\n\n  Flavonoids are protective.\n\nSo maybe."))
    assert [named for _, named, _ in above] == ["PubMed Central", "PubMed Central"]
    below = skeptics_answer(tmp_path, ctx, (
        "Dentists say:\n\n  Most toothpastes contain fluoride.\n\nNHS\n\n"
        "  Sealants prevent caries.\n\nEvaluation of a preventive program.\n\nSo yes."))
    assert [named for _, named, _ in below] == [None, None]


def test_a_quoted_question_takes_no_outlet_from_prose(tmp_path: Path, ctx: LoadContext) -> None:
    """The asker's question quoted after a paragraph naming Nature is the asker's, not
    Nature's."""
    [(_, named, _)] = skeptics_answer(tmp_path, ctx, (
        'In the Nature news article, a director is quoted as saying "no evidence."\n\n'
        "  The second link mentions volcanic ash but is this generally accepted?\n\nNo."))
    assert named is None


@pytest.mark.parametrize(("line", "reference"), [
    ("Store atmosphere and purchasing behavior. Journal of Retailing Volume 70, Issue 3, "
     "Autumn 1994, Pages 283-294", True),
    # Two marks alone are not enough: a finding citing its paper has two (review11); so this
    # one is still shown.
    ("Environmental Color, Consumer Feelings, and Purchase Likelihood. Bellizzi, Joseph A; "
     "Hite, Robert E. Psychology & Marketing (1992).", False),
    ("J. Rodrigo Mora: Vitamin effects. Nat Rev Immunol. 2008 doi: 10.1038/nri2378", True),
    # Sentences that name their sources say something (review10 D5's rule stays off them).
    ("The number of possible games is approximately 10^40 (Beeler et al. 1972).", False),
    ("Although mushrooms contain agaritine, a review by Roupas et al (2010) concludes:", False),
    ("Fromm & Shor (1972) (reprinted in Fromm & Shor (2006)) provide a thorough review.",
     False),
    # review11: a finding citing its paper, and "no" that is not "No. 5".
    ("Doll R, Hill AB (1954) reported a strong link between smoking and lung cancer.", False),
    ("Smith et al. (2009) in the Journal of Vaccines: deaths fell by half", False),
    ("In 2012, no 5G network existed anywhere in the world", False),
])
def test_a_reference_line_with_or_without_an_identifier(line: str, reference: bool) -> None:
    assert is_reference(line) is reference
