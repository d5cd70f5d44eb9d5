"""Which passages an answer shows, and in what order (``bot.answering.choose``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.answering import ANSWER_LEAD, OTHER_THREAD_MARGIN, answer, choose
from index.build import build
from index.reader import Hit, IndexReader
from index.sources import CLAIM


def hit(pid: str, relevance: float, kind: str = "quote", outlet: str | None = "BBC",
        score: float = 10.0, thread: str = "T") -> Hit:
    return Hit(rank=0, score=score, passage_id=pid, kind=kind, text=f"text of {pid}",  # type: ignore[arg-type]
               outlet=outlet, url=None, thread_title=thread, thread_url=None, answer_score=1,
               relevance=relevance)


def ids(hits: list[Hit]) -> list[str]:
    return [h.passage_id for h in hits]


def test_nothing_relevant_shows_nothing() -> None:
    assert choose([hit("t/a0/p0", 0.2), hit("u/a0/p1", 0.1)], k=3, min_relevance=0.3) == []


def test_quotes_first_and_answerers_words_after() -> None:
    hits = [hit("t/a0/p0", 0.55, "answer"), hit("u/a0/p1", 0.5), hit("v/a0/p1", 0.48)]
    assert ids(choose(hits, k=3, min_relevance=0.3)) == ["u/a0/p1", "v/a0/p1", "t/a0/p0"]


def test_an_answerers_passage_clearly_better_than_every_quote_leads() -> None:
    hits = [hit("t/a0/p0", 0.5 + ANSWER_LEAD, "answer"), hit("u/a0/p1", 0.5)]
    chosen = choose(hits, k=3, min_relevance=0.3)
    assert ids(chosen) == ["t/a0/p0", "u/a0/p1"]
    assert [h.rank for h in chosen] == [1, 2]


def test_a_weak_quote_never_pushes_out_a_much_better_answer() -> None:
    # The reviewer's "does ChatGPT know how to count?": one good quote, an answer nearly as
    # good, then weak quotes from other threads; the answer comes before the weak quotes.
    hits = [hit("t/a0/p0", 0.85, "answer"), hit("u/a0/p1", 0.81), hit("v/a0/p0", 0.7, "answer"),
            hit("w/a0/p1", 0.46), hit("x/a0/p1", 0.41)]
    assert ids(choose(hits, k=3, min_relevance=0.35)) == [
        "u/a0/p1", "t/a0/p0", "v/a0/p0", "w/a0/p1", "x/a0/p1"]


def test_a_clearly_better_answer_is_not_held_back_by_a_weaker_one_ranked_before_it() -> None:
    """review9: "does chocolate actually get you high?" showed another thread's quote (0.74)
    above the answer's own summary (0.99), because the answerer's passage ranked before the
    summary was no better than the quote."""
    hits = [hit("t/a0/p0", 0.62, "answer"), hit("u/a0/p1", 0.74),
            hit("t/a1/p0", 0.99, "answer"), hit("v/a0/p1", 0.7)]
    assert ids(choose(hits, k=4, min_relevance=0.3)) == [
        "t/a1/p0", "u/a0/p1", "v/a0/p1", "t/a0/p0"]


def test_a_lead_in_is_never_shown_on_its_own() -> None:
    """"According to the BBC:" embedded with its thread's title once led the reply above the
    very quote it introduces."""
    lead_in = dataclasses.replace(hit("t/a0/p0", 0.8, "answer"), text="According to the BBC:")
    hits = [lead_in, hit("t/a0/p1", 0.5), hit("u/a0/p0", 0.45, "answer")]
    assert ids(choose(hits, k=3, min_relevance=0.3)) == ["t/a0/p1", "u/a0/p0"]
    assert choose([lead_in], k=3, min_relevance=0.3) == []
    # An answer that says something, then introduces a picture, is no mere lead-in.
    answer = dataclasses.replace(hit("t/a0/p0", 0.7, "answer"), text=(
        "Not possible in the app; in the playground it is.\n\nThere you change it here:"))
    assert ids(choose([answer], k=3, min_relevance=0.3)) == ["t/a0/p0"]


def test_a_lone_source_line_is_never_shown() -> None:
    """A note's closing "Source: [Reuters](...)" scored above the quote it credits (review4)."""
    line = dataclasses.replace(hit("n/a0/p2", 0.98, "answer"), text="Source: Reuters")
    hits = [line, hit("n/a0/p1", 0.56)]
    assert ids(choose(hits, k=3, min_relevance=0.3)) == ["n/a0/p1"]
    # An em dash, "via", a bracket first (review8: "Source — BBC News" was shown alone).
    for text in ("Sources: BBC, CNN", "Credit - The Guardian", "References: Nature 2019",
                 "Source — BBC News", "Via: Reuters", "(Source: AP)"):
        assert choose([dataclasses.replace(line, text=text)], k=3, min_relevance=0.3) == []
    # Words that merely begin so, or a source line with more said after it, are shown.
    for text in ("Sources close to the minister say he resigned.",
                 "Source: Reuters\n\nThe talks failed, as every report since agrees."):
        said = dataclasses.replace(line, text=text)
        assert ids(choose([said], k=3, min_relevance=0.3)) == ["n/a0/p2"]


def test_a_headline_and_its_outlet_is_never_shown_alone() -> None:
    """review5: "Amazon Kindles 'damaged by airport scanners' -- The Telegraph" shown as the
    answerer's words above the quote it names."""
    line = dataclasses.replace(hit("k/a0/p0", 0.9, "answer"),
                               text="Amazon Kindles 'damaged by airport scanners' -- The Telegraph")
    assert ids(choose([line, hit("k/a0/p1", 0.6)], k=3, min_relevance=0.3)) == ["k/a0/p1"]
    for text in ("Iraq's PM says Soleimani was to meet him \u2014 BBC News",
                 "Scientists find no link \u2013 Reuters"):
        assert choose([dataclasses.replace(line, text=text)], k=3, min_relevance=0.3) == []
    # A sentence with a dash in it, or one that goes on after the name, says something.
    for text in ("The scanners are safe -- the Telegraph got that wrong.",
                 "It was a hoax -- The Telegraph later corrected it, and so did the BBC."):
        said = dataclasses.replace(line, text=text)
        assert ids(choose([said], k=3, min_relevance=0.3)) == ["k/a0/p0"]


def test_a_short_lead_in_ending_in_an_ellipsis_is_a_lead_in() -> None:
    """review5: "According to Yahoo News Japan..." shown as the answerer's words."""
    lead_in = dataclasses.replace(hit("y/a0/p0", 0.9, "answer"),
                                  text="According to Yahoo News Japan...")
    assert choose([lead_in], k=3, min_relevance=0.3) == []
    trailing = dataclasses.replace(lead_in, text=(
        "Nobody has measured it, and the studies that tried all had small samples, so the "
        "honest answer is that we do not know yet..."))
    assert ids(choose([trailing], k=3, min_relevance=0.3)) == ["y/a0/p0"]


def test_a_lead_in_gives_way_to_the_quote_it_introduces() -> None:
    """review5, on the shipped thread: "what did Reuters report about Soleimani's plans?" led
    with the answerer's "Furthermore, Reuters has published an article ... saying that", and
    one passage per answer hid the Reuters quote it introduces."""
    said = "Furthermore, Reuters has published an article saying that Soleimani was planning"
    lead_in = dataclasses.replace(hit("s/a0/p3", 0.99, "answer"), text=said)
    quote = dataclasses.replace(hit("s/a0/p4", 0.62, outlet="Reuters"), lead_in=said)
    later = dataclasses.replace(hit("s/a0/p6", 0.8, outlet="Reuters"), lead_in="Reuters noted")
    [first, second] = choose([lead_in, later, quote], k=3, min_relevance=0.35)
    assert (first.passage_id, first.outlet, first.relevance) == ("s/a0/p4", "Reuters", 0.99)
    assert second.passage_id == "s/a0/p6"
    # Below the threshold on its own, the quote does not take the place of what was said
    # before it ("In conclusion, the hygiene hypothesis is not a fully accepted theory, ...").
    weak = dataclasses.replace(quote, relevance=0.1)
    assert ids(choose([lead_in, weak], k=3, min_relevance=0.35)) == ["s/a0/p3"]
    # A lead-in that names no outlet of the quote is often the answer itself: it stays.
    answered = dataclasses.replace(lead_in, text="It was not taken in 2019, but in 2015.")
    unnamed = dataclasses.replace(quote, outlet=None, lead_in=answered.text)
    assert ids(choose([answered, unnamed], k=3, min_relevance=0.35)) == ["s/a0/p3", "s/a0/p4"]
    # Another answer's quote with the same words before it is not this passage's.
    elsewhere = dataclasses.replace(quote, passage_id="s/a1/p1")
    assert ids(choose([lead_in, elsewhere], k=3, min_relevance=0.35)) == ["s/a0/p3", "s/a1/p1"]


def test_a_passage_of_a_word_or_two_is_never_shown() -> None:
    """review5 and make answers: "..." and "and" passed the gate on their thread's title."""
    for text in ("...", "and", "Yes."):
        empty = dataclasses.replace(hit("e/a0/p2", 0.9, "answer"), text=text)
        assert choose([empty], k=3, min_relevance=0.35) == []
    said = dataclasses.replace(hit("e/a0/p2", 0.9, "answer"), text="No, it is a myth.")
    assert ids(choose([said], k=3, min_relevance=0.35)) == ["e/a0/p2"]


def test_one_passage_per_answer_on_the_first_page() -> None:
    hits = [hit("t/a0/p1", 0.9), hit("t/a0/p5", 0.8), hit("t/a1/p0", 0.7), hit("u/a0/p0", 0.6)]
    assert ids(choose(hits, k=3, min_relevance=0.3)) == [
        "t/a0/p1", "t/a1/p0", "u/a0/p0", "t/a0/p5"]
    # Unless nothing else matches: then the first page fills from the same answer.
    assert ids(choose(hits[:2], k=3, min_relevance=0.3)) == ["t/a0/p1", "t/a0/p5"]


def test_the_first_page_fills_from_one_answer_with_its_likeliest_passages() -> None:
    """unseen13's "whats quantum annealing": one answer quoting five papers, the definition
    (relevance 0.83) ranked fifth, and the page filled with the two ranked next (0.65, 0.58)."""
    hits = [hit("t/a0/p6", 0.83), hit("t/a0/p14", 0.65), hit("t/a0/p8", 0.58),
            hit("t/a0/p12", 0.78), hit("t/a0/p4", 0.83)]
    assert ids(choose(hits, k=3, min_relevance=0.3)) == [
        "t/a0/p6", "t/a0/p4", "t/a0/p12", "t/a0/p14", "t/a0/p8"]
    # Quotes still first: the answerer's words only when clearly better (review13: unseen7's
    # rorschach answer, a quote, lost its place to an answerer's passage 0.012 ahead).
    hits = [hit("t/a0/p1", 0.9), hit("t/a0/p5", 0.62, "answer"), hit("t/a0/p3", 0.61)]
    assert ids(choose(hits, k=2, min_relevance=0.3)) == ["t/a0/p1", "t/a0/p3", "t/a0/p5"]
    # The claim examined waits, however close to the question: no evidence (review13).
    claim = dataclasses.replace(hit("t/a0/p0", 0.9, outlet=None), source_kind=CLAIM)
    hits = [hit("t/a0/p1", 0.6), claim, hit("t/a0/p3", 0.5, "answer")]
    assert ids(choose(hits, k=2, min_relevance=0.3)) == ["t/a0/p1", "t/a0/p3", "t/a0/p0"]


def test_other_threads_only_when_nearly_as_relevant() -> None:
    """"does local honey help against hay fever?" answered by its thread, then padded with a
    passage of "Can honey help heal wounds?" that merely passed ``min_relevance``."""
    best = hit("hay/a0/p1", 0.95, thread="Does local honey help with allergies?")
    same = hit("hay/a1/p0", 0.5, thread="Does local honey help with allergies?")
    near = hit("honey/a0/p0", 0.95 - OTHER_THREAD_MARGIN, thread="Is raw honey healthier?")
    far = hit("wounds/a0/p0", 0.94 - OTHER_THREAD_MARGIN, thread="Can honey help heal wounds?")
    assert ids(choose([best, far, same, near], k=3, min_relevance=0.35)) == [
        "hay/a0/p1", "hay/a1/p0", "honey/a0/p0"]
    # The most relevant passage decides the thread, wherever the ranking put it.
    assert ids(choose([far, same, best], k=3, min_relevance=0.35)) == ["hay/a1/p0", "hay/a0/p1"]
    # Nothing of the best thread's but itself: the page shows less, not the others.
    assert ids(choose([far, best], k=3, min_relevance=0.35)) == ["hay/a0/p1"]


def test_consecutive_passages_of_one_quote_are_joined() -> None:
    hits = [hit("t/a0/p3", 0.9), hit("t/a0/p2", 0.5), hit("t/a0/p4", 0.4, outlet="Reuters")]
    [first, second] = choose(hits, k=3, min_relevance=0.3)
    assert first.passage_id == "t/a0/p2"  # the quote starts there
    assert first.text == "text of t/a0/p2\n\ntext of t/a0/p3"
    assert second.passage_id == "t/a0/p4"  # another source: not the same quote


def test_a_chatbots_reply_is_never_joined_to_the_quote_beside_it() -> None:
    """review10 D2: a reply's first blockquote (kind chatbot_reply) joined to the next one
    (no kind), which ranked better, was shown under the next one's fields: as a quote."""
    reply = dataclasses.replace(hit("t/a0/p1", 0.6, outlet=None), source_kind="chatbot_reply")
    shown = choose([hit("t/a0/p2", 0.9, outlet=None), reply], k=3, min_relevance=0.3)
    assert [(h.passage_id, h.source_kind) for h in shown] == [
        ("t/a0/p2", None), ("t/a0/p1", "chatbot_reply")]


def test_the_off_topic_question_of_the_issue(tmp_path: Path, run) -> None:
    """"What's the best way to learn the guitar?" used to get three unrelated quotes."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, text in enumerate(["The best way to reduce risk is to learn first aid.",
                              "Studies show the best diets vary.", "A guitar was sold.",
                              "Ferries sank near Oslo in the storm."]):
        (corpus / f"n{i}.md").write_text(f"---\ntitle: Note {i}\n---\n> {text}\n")
    build(corpus, tmp_path / "index.db")

    async def go() -> tuple[list[Hit], list[Hit]]:
        async with await IndexReader.open(tmp_path / "index.db") as reader:
            off = await answer(reader, "what's the best way to learn the violin?", k=3,
                               min_relevance=0.35)
            on = await answer(reader, "which ferries sank near Oslo in the storm?", k=3,
                              min_relevance=0.35)
            return off.hits, on.hits

    off, on = run(go())
    assert off == []
    assert ids(on) == ["note:n3/a0/p0"]


def test_expand_shows_a_split_quote_whole(tmp_path: Path, run) -> None:
    from index.loaders import LoadContext

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    paragraphs = "\n>\n".join(f"> Paragraph {i} of the ferry report." for i in range(6))
    (corpus / "n.md").write_text(f"---\ntitle: Ferry\n---\nThe BBC wrote:\n\n{paragraphs}\n\n"
                                 "I think so too.\n")
    build(corpus, tmp_path / "index.db", ctx=LoadContext(passage_chars=80))

    async def go() -> list[Hit]:
        async with await IndexReader.open(tmp_path / "index.db") as reader:
            return await reader.whole(["note:n/a0/p2", "note:n/a0/p9", "note:n/a0/p0"])

    quote, lead_in = run(go())
    assert quote.passage_id == "note:n/a0/p1" and quote.kind == "quote"
    assert quote.text.split("\n\n") == [f"Paragraph {i} of the ferry report." for i in range(6)]
    assert lead_in.kind == "answer" and lead_in.text == "The BBC wrote:"


def test_a_lead_in_pointing_ahead_or_stopping_mid_clause_is_never_shown_alone() -> None:
    """review7: "... and add the following prompt" (its prompt is another passage) and "He
    notes that" (its quote is another) answer nothing on their own."""
    for text in ("If you have ChatGPT Plus - Go to custom instructions and add the following "
                 "prompt", "Scott goes into a little more detail in the Q&A section. He notes that",
                 "However, I'm not sure that I'd agree with your assertion that",
                 "A rough translation of this is",  # review12 D3
                 # unseen15's run: a lead-in ending in a comma, its sentence going on in the quote
                 "Regarding prostate cancer and dietary supplements, the National Cancer "
                 "Institute states,", "The WHO website has some good information about Ebola. "
                 "In particular,"):
        lead_in = dataclasses.replace(hit("g/a0/p0", 0.9, "answer"), text=text)
        assert choose([lead_in], k=3, min_relevance=0.3) == [], text
    said = dataclasses.replace(hit("g/a0/p0", 0.9, "answer"),
                               text="He notes that the key is public, so anyone can check.")
    assert ids(choose([said], k=3, min_relevance=0.3)) == ["g/a0/p0"]


def test_a_line_saying_whose_a_quote_is_is_never_shown_alone() -> None:
    line = ("–– Tara Garnett, Cécile Godde et al.: \"Grazed and confused?\", Food Climate "
            "Research Network, University of Oxford, 2017. (PDF)")
    for kind in ("quote", "answer"):
        cited = dataclasses.replace(hit("s/a0/p4", 0.9, kind, outlet=None), text=line)
        assert choose([cited, hit("u/a0/p0", 0.5)], k=3, min_relevance=0.3)[0].passage_id \
            == "u/a0/p0"
    dash = dataclasses.replace(hit("s/a0/p1", 0.9, "answer"),
                               text="-- and then, the study says, the herds grew.\n\nMore.")
    assert ids(choose([dash], k=3, min_relevance=0.3)) == ["s/a0/p1"]


def test_each_text_once_and_a_quoted_fellow_answer_gives_way_to_it() -> None:
    """review7: an answer quoting a fellow answer of its thread to rebut it showed the same
    paragraphs as a "Quote" and as the original answerer's words."""
    original = dataclasses.replace(
        hit("h/a0/p0", 0.6, "answer"),
        text="Note first. Firstly, it is not at all clear why the Bible's date matters.")
    rebuttal = dataclasses.replace(hit("h/a1/p0", 0.7, outlet=None),
                                   text="Firstly, it is not at all clear why the Bible's date "
                                        "matters.")
    other = hit("h/a2/p0", 0.5)
    assert ids(choose([rebuttal, original, other], k=3, min_relevance=0.3)) == [
        "h/a0/p0", "h/a2/p0"]
    # A quote citing an outlet stays; the same words a second time are left out.
    cited = dataclasses.replace(rebuttal, outlet="BBC")
    twice = dataclasses.replace(cited, passage_id="x/a0/p0", thread_title="X")
    assert ids(choose([cited, twice, original], k=3, min_relevance=0.3)) == [
        "h/a1/p0", "h/a0/p0"]


def test_quoted_material_that_is_no_source_does_not_go_first_as_a_quote() -> None:
    """A prompt, a chatbot's reply or another answer of the thread, though quoted, ranks as
    the answerer's material: a cited quote goes before it (review7 D7: a bare prompt shown
    above the answer's findings)."""
    prompt = dataclasses.replace(hit("t/q/1/a0/p0", 0.65, outlet=None), source_kind="prompt")
    answer = hit("t/q/1/a1/p0", 0.62, kind="answer", outlet=None)
    cited = hit("t/q/1/a2/p0", 0.6)
    assert ids(choose([prompt, answer, cited], k=3, min_relevance=0.35)) == [
        "t/q/1/a2/p0", "t/q/1/a0/p0", "t/q/1/a1/p0"]
    plain = dataclasses.replace(prompt, source_kind=None)
    assert ids(choose([plain, answer, cited], k=3, min_relevance=0.35))[0] == "t/q/1/a0/p0"


def test_a_quote_of_another_answer_gives_way_to_that_answer_however_it_was_cut() -> None:
    """review9 (history-meta 3790): answer 3795's quote of 3792, cut and joined differently
    from 3792's own passage, was shown above it: the same words twice."""
    own = dataclasses.replace(hit("t/a0/p0", 0.85, "answer", outlet=None), text=(
        "I have read your answer and I can see points that justify the notice.\n\nFirstly, it "
        "is not at all clear from your answer why you think the date of printing matters."))
    quoted = dataclasses.replace(hit("t/a1/p2", 0.94, outlet=None), source_kind="other_answer",
                                 text=("Firstly, it is not at all clear from your answer why you "
                                       "think the date of printing matters. It is even less "
                                       "clear why the flood story bears on it."))
    assert ids(choose([quoted, own], k=3, min_relevance=0.3)) == ["t/a0/p0"]
    # A quote citing nothing that shares words but is no quote of another answer stays.
    plain = dataclasses.replace(quoted, source_kind=None)
    assert ids(choose([plain, own], k=3, min_relevance=0.3)) == ["t/a1/p2", "t/a0/p0"]


def test_a_comment_on_the_quote_above_is_never_shown_alone() -> None:
    """The seed: "The latter statement doesn't get into any details ..." (relevance 0.94,
    embedded with its thread) led the Daily Mail quote once better answers could lead."""
    comment = dataclasses.replace(hit("t/a0/p12", 0.94, "answer", outlet=None), text=(
        "The latter statement doesn't get into any details on what Soleimani may have been "
        "doing."))
    summary = dataclasses.replace(hit("t/a0/p0", 0.95, "answer", outlet=None), text=(
        "The latter statement matters less than the timeline: Soleimani flew in on a normal "
        "flight to deliver Iran's reply to a Saudi message, as the Iraqi prime minister told "
        "parliament, and was killed leaving the airport before the meeting he had come for."))
    quote = hit("t/a3/p2", 0.84, outlet="Daily Mail")
    assert ids(choose([comment, quote], k=3, min_relevance=0.3)) == ["t/a3/p2"]
    assert ids(choose([summary, quote], k=3, min_relevance=0.3)) == ["t/a0/p0", "t/a3/p2"]


def test_a_reference_or_a_source_line_alone_is_never_shown() -> None:
    """review9 D5: a paper's reference line shown as the quote answering a question, and
    "source Flight Safety Foundation ..." (no colon) as the answerer's words."""
    reference = dataclasses.replace(hit("t/a0/p5", 0.8), text=(
        'J. Rodrigo Mora: "Vitamin effects on the immune system: vitamins A and D take centre '
        'stage" Nat Rev Immunol. 2008 Sep; 8(9): 685-698. doi: 10.1038/nri2378'))
    source = dataclasses.replace(hit("u/a0/p5", 0.8, "answer", outlet=None),
                                 text="source Flight Safety Foundation „When Lightning Strikes”")
    finding = dataclasses.replace(hit("t/a0/p4", 0.6), text=(
        "Smith et al. (2012) found that vitamin D raised the need for vitamin A in 40 adults."))
    assert ids(choose([reference, source, finding], k=3, min_relevance=0.3)) == ["t/a0/p4"]


def test_the_answer_that_quotes_the_question_asked_answers_it() -> None:
    """unseen12: "before i pick an ai tool for work what should i check about its
    limitations" matched genai 363's quote of its question (0.94), never shown itself, and
    the answer's own checklist only at 0.04: "no good match". The answer that quotes the
    question asked answers it."""
    asked = dataclasses.replace(hit("t/a0/p0", 0.94), source_kind="question")
    checklist = hit("t/a0/p1", 0.04, "answer", outlet=None)
    elsewhere = hit("u/a0/p1", 0.2)
    assert ids(choose([asked, checklist, elsewhere], k=3, min_relevance=0.35)) == ["t/a0/p1"]
    # Only when the quoted question is the best candidate: a better passage decides as before.
    better = hit("v/a0/p1", 0.97)
    assert ids(choose([asked, checklist, better], k=3, min_relevance=0.35)) == ["v/a0/p1"]


def test_a_heading_or_a_reference_line_alone_is_never_shown() -> None:
    """review10 D5: "Nutrition and Cancer" (an answer's heading, relevance 0.97) and a
    reference without an identifier were shown as passages; an answerer's short sentence
    is still shown."""
    heading = dataclasses.replace(hit("t/a0/p6", 0.97, "answer", outlet=None),
                                  text="Nutrition and Cancer")
    reference = dataclasses.replace(
        hit("t/a1/p3", 0.9, "answer", outlet=None),
        text="Store atmosphere and purchasing behavior. Journal of Retailing Volume 70, "
             "Issue 3, Autumn 1994, Pages 283-294")
    finding = dataclasses.replace(hit("t/a2/p0", 0.8, "answer", outlet=None),
                                  text="Diet plays a small part.")
    assert ids(choose([heading, reference, finding], k=3, min_relevance=0.3)) == ["t/a2/p0"]


def test_a_paragraph_saying_something_before_its_lead_in_is_shown() -> None:
    """h20gate (unseen13): the answer "the Guinness world record for falling without a
    parachute belongs to Vesna Vulovic ..." ended on "... an article that states", and was
    hidden as a lead-in alone. A lead-in of a sentence or two still is."""
    answer_first = dataclasses.replace(
        hit("t/a0/p4", 0.98, "answer", outlet=None),
        text="According to Wikipedia the Guinness world record for falling without a parachute "
             "belongs to Vesna Vulovic who fell 10,000 m, with several more people falling over "
             "5,000 m. The article also references a study of falls in children that states")
    lead_in = dataclasses.replace(hit("u/a0/p1", 0.9, "answer", outlet=None),
                                  text="Parachuting injuries: a study of jumps from 1987 states:")
    assert ids(choose([answer_first, lead_in], k=3, min_relevance=0.3)) == ["t/a0/p4"]
