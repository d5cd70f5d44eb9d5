"""Which words are quoted, and from which outlet.

Answers on Stack Exchange quote news reports after a lead-in written by the answerer:
"According to this BBC article Soleimani was in Iraq to meet the Iraqi Prime Minister:",
"Reuters has published an article ... saying that ...", "An earlier Reuters article noted that".
Where the quoted paragraphs are not marked (scraped plain text), the lead-in is the only signal:
the paragraphs after it are quoted until the answerer speaks again. The answerer speaks in a
paragraph that is itself a lead-in, that refers back to the source ("The Reuters article
mentions ...", "It also said that ...", "The latter statement ..."), or that says "I" outside
quotation marks.

Formats that do mark quotes (``<blockquote>``, ``> ``, indentation) use ``lead_in_outlet`` alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import urljoin, urlsplit

from .blocks import Block
from .link_text import says_nothing_without_link
from .model import Passage
from .outlets import NOT_SOURCES, Gazetteer, Mention, registrable_domain
from .sources import (
    QUESTION_PATH,
    citable,
    described_page,
    front_page,
    never_cited,
    site_of,
    source_of,
)

_REPORTING_VERB = (
    r"(?:has\s+|have\s+|had\s+)?(?:published|publishes|reports?|reported|adds?|added|says?|said|"
    r"writes?|wrote|notes?|noted|claims?|claimed|states?|stated|explains?|explained|"
    r"confirms?|confirmed|describes?|described|mentions?|mentioned|quotes?|quoted|"
    r"tells?|told\s+us|covers?|covered|ran|runs|carries|carried|summari[sz]es?|puts?\s+it)"
)
_ARTICLE_NOUN = (
    r"(?:article|report|piece|story|stories|interview|editorial|analysis|op-ed|column|"
    r"coverage|investigation|feature|headline|live\s+blog|page|video|podcast|bulletin|dispatch)"
)
# The answerer refers back to what was quoted: "It also said that ...", "The Reuters article
# mentions ...", "The latter statement ...". A bare "It" or "He" starts news prose too, so a
# pronoun counts only when a reporting verb follows.
_PRONOUN_REPORTS = re.compile(
    rf"^\s*(?:(?:but|and|however|furthermore|moreover|further|finally),?\s+)?(?:it|they)\s+"
    rf"(?:\w+\s+){{0,2}}?{_REPORTING_VERB}\b",
    re.IGNORECASE,
)
_SOURCE_PHRASE = re.compile(
    rf"^\s*(?:(?:but|and|however|furthermore|moreover|further|finally),?\s+)?"
    rf"(?:the|this|that|these|those|same)\s+(?:[\w.’'-]+\s+){{0,2}}?"
    rf"(?:{_ARTICLE_NOUN}s?|statements?|latter|former|author|quote|quoted\s+text)\b",
    re.IGNORECASE,
)
_QUOTED_SPEECH = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»|[“«][^”»]*$")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|my|me|myself)\b")
# "I" as a numeral, not the answerer: "World War I", "Phase I", "Henry I", "I-95", "I." heading.
_ROMAN_I = re.compile(
    r"\b(?:War|Part|Phase|Type|Class|Chapter|Act|Title|Article|Schedule|Book|Volume|Vol\.|"
    r"Stage|Grade|Level|Division|Category|Appendix|Section|Henry|George|Elizabeth|James|"
    r"Charles|Louis|Edward|William|Richard|Peter|Catherine|Mary|Napoleon|Pius|John|Paul|"
    r"Alexander|Nicholas|Frederick|Wilhelm|Franz|Philip|Ferdinand|Leopold|Victor|Olav|Gustav|"
    r"Isabella|Juan|Carlos|Ivan|Selim|Suleiman|Mehmed|Ahmed|Manuel)\s+I\b|\bI-\d|^\s*I[.)]\s")
# Someone else speaks in the quote: "..., he said", "the minister told reporters".
_REPORTED_SPEECH = re.compile(r"\b(?:he|she|they|who)\s+(?:said|says|told|added|recalled)\b",
                              re.IGNORECASE)
# A lead-in ends by pointing at what follows: a colon, an ellipsis, "that", or a reporting verb
# ("In that NPR interview, he said", "The abstract states").
_DANGLING_END = re.compile(
    r"(?::|(?<!\[)(?:\.\.\.|…)|\b(?:that|this|says|said|writes|wrote|states|stated|notes|"
    r"explains|reports|adds|concludes|reads|argues|claims|put it|puts it|as follows|saying|"
    r"stating))\s*$", re.IGNORECASE)
# The answerer again: a question, an address, a summing-up, a bare link or a source line.
_ANSWERER_OPENING = re.compile(
    r"^(?:So,|Thus|Therefore|Hence|In summary|In short|In conclusion|Conclusion|To sum up|"
    r"Basically|Overall|Clearly|Obviously|TL;?DR|Edit|Update|Note:|Yes\b|No\b|Source:|Sources:|"
    r"See also|Also see|References?:|Further reading|https?://|This (?:is|means|shows|suggests|"
    r"seems|does|doesn't|would|could|can|article|study|paper|page|site|claim)\b|That(?:'s|’s| is| "
    r"means)\b|It(?:'s|’s| is) (?:also )?(?:worth|clear|important|interesting|unclear|true|"
    r"false|not)\b|To repeat|In other words|Also,|Assuming|Multiplying|Dividing|Adding|"
    r"Looking at|Seems|Interestingly|Unfortunately|Fortunately|Of course|Now,|Again,|Still,|"
    r"The (?:claim|question|study|paper|article|authors?|source|report|page|site|data|"
    r"researchers)\b)", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)

_DET = r"(?:this|that|the|a|an|one|another|these|those|its|their)"
# What comes right before a name that is cited: "according to (this) ...", "published in",
# "reported by", "this ... <name> article", "From <name>:".
_BEFORE_CITED = re.compile(
    rf"(?:\baccording\s+to\s+(?:{_DET}\s+)?(?:(?:recent|new|earlier|later|latest|same|"
    rf"\w+ly)\s+)?|\b(?:published|reported|written|appeared|printed|posted|quoted|cited|"
    rf"covered|featured|run|aired|broadcast|interviewed|summari[sz]ed)\s+(?:in|by|on)\s+"
    rf"|\b(?:article|report|piece|story|column|editorial|interview|op-ed|video|podcast)\s+"
    rf"(?:in|from|by|on)\s+|^\W*(?:From|Via|Per|Source:)\s+)(?:the\s+)?$",
    re.IGNORECASE)
_AFTER_ARTICLE = re.compile(
    rf"^(?:[’']s)?\s+(?:(?:own|latest|recent|new|online|\w+-\w+)\s+)?{_ARTICLE_NOUN}s?\b",
    re.IGNORECASE)
_AFTER_REPORTS = re.compile(
    rf"^(?:[’']s?)?\s+(?:[\w’'-]+\s+){{0,3}}?(?:{_REPORTING_VERB}|investigated|debunked|"
    rf"pointed\s+out|points\s+out|concluded|concludes|found|finds|argues|argued)\b",
    re.IGNORECASE)
# Wider citing constructions, for a marked quote's lead-in only (``wider``): there the quote
# is known to follow, so naming the source is enough. Without marks they would also carry
# an outlet onto the answerer's next paragraphs (tuning half: "And here is a study about ..."
# after "The BBC has an article about ...").
_BEFORE_CITED_WIDE = re.compile(
    rf"(?:\baccording\s+to\s+(?:{_DET}\s+)?(?:(?:recent|new|earlier|later|latest|same|"
    rf"\w+ly)\s+)?|\b(?:published|reported|written|appeared|printed|posted|quoted|cited|"
    rf"covered|featured|run|aired|broadcast|interviewed|summari[sz]ed|stated|described|"
    rf"defined)\s+(?:in|by|on)\s+"
    rf"|\b(?:article|report|piece|story|column|editorial|interview|op-ed|video|podcast)\s+"
    rf"(?:in|from|by|on)\s+|(?:^|[.!?]\s+)\W*(?:From|Via|Per|Source:|Quoting)\s+"
    rf"|\b(?:a\s+)?(?:quote|excerpt)\s+from\s+)(?:the\s+)?$",
    re.IGNORECASE)
# What a source is cited by beside the news's own nouns: its page, its definition, its
# abstract ("From the FDA's own website:", "Here is the Wikipedia definition of combustion:",
# "The PubMed abstract:", "the 1976 New York Times book review ... says:", "this BBC-article").
_CITED_NOUN = (rf"(?:{_ARTICLE_NOUN}|review|website|web\s+site|site|entry|definition|"
               r"abstract|fact\s+sheet)")
_AFTER_ARTICLE_WIDE = re.compile(
    rf"^(?:[’']s)?[\s-]+(?:(?:own|latest|recent|new|online|news|book|\w+-\w+)\s+)?"
    rf"{_CITED_NOUN}s?\b",
    re.IGNORECASE)
# "The BBC has an article about ...", "Wikipedia has a section on ...", "NOAA has a very
# detailed breakdown of ...": the source holds what follows.
_HAS_A = (r"has\s+(?:an?|this)\s+(?:[\w-]+\s+){0,2}?(?:article|piece|story|report|section|"
          r"description|summary|breakdown|explanation|page|entry)")
# One of the paper's writers, named, writing: "Guardian columnist Oliver Burkeman who writes".
_STAFF_WRITES = re.compile(
    rf"^\s+(?:columnist|reporter|journalist|correspondent|editor|writer|critic)\s+"
    rf"(?:[A-Z][\w.’'-]*\s+){{1,3}}(?:,\s*)?(?:who\s+)?{_REPORTING_VERB}\b")
_AFTER_REPORTS_WIDE = re.compile(
    rf"^(?:[’']s?)?\s+(?:[\w’'-]+\s+){{0,3}}?(?:who\s+)?(?:{_REPORTING_VERB}|investigated|"
    rf"debunked|pointed\s+out|points\s+out|concluded|concludes|found|finds|argues|argued|"
    rf"defines|defined|lists|narrates|sums\s+(?:it\s+)?up|{_HAS_A})\b",
    re.IGNORECASE)
# A name that is also an ordinary word ("Time", "Nature", "The Sun") is cited by a verb that
# only a publication does; "Science says" and "Nature explains" are not citations.
_AFTER_PUBLISHES = re.compile(r"^\s+(?:has\s+|had\s+)?(?:reports?|reported|writes|wrote|"
                              r"published|publishes|ran|runs|quotes?|quoted)\b", re.IGNORECASE)
_OBJECT_OF = re.compile(r"\b(?:told|tells|telling|tell|(?<!according\s)to|with|at|for|against|"
                        r"than|(?:made|disputed|refuted|debunked|critici[sz]ed|contradicted|"
                        r"challenged|rejected|questioned|denied|attacked)\s+by)\s+(?:the\s+)?$",
                        re.IGNORECASE)
# A capitalised word against the name: a longer name ("Belfast Telegraph", "Time Periods",
# "Nature Communications") that the gazetteer does not know.
_NAME_BEFORE = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w’'-]*\s+$")
# "if there is a Wikipedia article on it, ...": a source that may exist is not cited.
_HYPOTHETICAL = re.compile(r"\b(?:if|whether|unless)\b[^.,;:!?]*\b(?:a|an|any|no)\s+$",
                           re.IGNORECASE)
_MARKDOWN_TARGET = re.compile(r"^\]\((?:[^()]|\([^()]*\))*\)")
_SAID_BEFORE = re.compile(rf"\b{_REPORTING_VERB}\s+(?:the\s+)?$", re.IGNORECASE)
_IN_NAME = re.compile(r"\bvia\s+(?:the\s+)?$")
_NAME_ENDS = re.compile(r"^\s*(?:[:.,(]|$|\s+(?:reports?|article|that)\b)")
_NAME_AFTER = re.compile(r"^\s+[A-Z][a-z]")


def _proper_noun(written: str, ordinary: bool = True) -> bool:
    """Written as a name: its first word after "the" starts with a capital (or is a digit),
    or it is one word that is no English word ("wikipedia", "livescience": the gazetteer
    marks the names that are, ``ordinary``, and those must be capitalised)."""
    words = written.split()
    if len(words) > 1 and words[0].casefold() == "the":
        words = words[1:]
    first = words[0] if words else ""
    return bool(first) and (first[0].isupper() or first[0].isdigit()
                            or (not ordinary and len(words) == 1 and first.isalpha()))


def _cited_mentions(text: str, mentions: Sequence[Mention], *,
                    wider: bool = False) -> list[Mention]:
    """Mentions that stand as a source ("According to this BBC article", "Reuters reports",
    "this Guardian article", "in that NPR interview"), written as a name, not as an object
    ("... told Reuters") nor an ordinary word ("the energy of the Sun", "Nature vs. Nurture")."""
    cited = []
    for m in mentions:
        written = text[m.start:m.end]
        if not _proper_noun(written, m.ordinary or not wider):
            continue
        # A Markdown link left unrendered ("the [NYT](https://...)") is read as its text.
        before = text[max(0, m.start - 70):m.start].removesuffix("[")
        after = _MARKDOWN_TARGET.sub("", text[m.end:m.end + 200], count=1)[:70]
        article_before = re.search(rf"\b{_DET}\s+(?:[\w’'-]+\s+){{0,2}}$", before,
                                   re.IGNORECASE) is not None
        if _HYPOTHETICAL.search(before) or _OBJECT_OF.search(before) or \
                _NAME_AFTER.match(after) or (
                _NAME_BEFORE.search(before) and not re.search(rf"\b(?:{_DET}|from|per|via|"
                                                              r"and|or|but)\s+$", before,
                                                              re.IGNORECASE)):
            continue
        # A one-word ordinary name ("Time", "Nature") is cited only by a publishing verb;
        # "The Guardian mentions" is read as the paper.
        bare = len(written.split()) == 1
        reports = _AFTER_PUBLISHES if m.ordinary and bare else (
            _AFTER_REPORTS_WIDE if wider else _AFTER_REPORTS)
        if wider and _STAFF_WRITES.match(after):
            reports = _STAFF_WRITES  # "Guardian columnist Oliver Burkeman, who writes:"
        article = _AFTER_ARTICLE_WIDE if wider else _AFTER_ARTICLE
        if (_BEFORE_CITED_WIDE if wider else _BEFORE_CITED).search(before) or \
                reports.match(after) or (
                article.match(after) and (article_before or not (m.ordinary and bare))):
            cited.append(m)
        elif _SAID_BEFORE.search(before) and re.match(r"^\s*(?:[:,.;)]|$)", after):
            cited.append(m)  # "..., said the NYT:", "writes the Guardian."
        elif not (m.ordinary and bare) and _IN_NAME.search(before) and _NAME_ENDS.match(after):
            cited.append(m)  # "(via Reuters)"
        elif wider and _FROM_BEFORE.search(before) and _COLON_ENDS.match(after):
            cited.append(m)  # "and from the World Health Organization:"
        elif wider and not (m.ordinary and len(_without_the(written)) == 1) and \
                _citation_line(text, m, mentions):
            cited.append(m)
    return cited


_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?$", re.IGNORECASE)
_COLON_ENDS = re.compile(r"^(?:[’']s)?\s*(?:\([^()]*\))?\s*:\s*$")
_SITE_SUFFIX = r"(?:\.(?:com|org|gov|net|co\.uk))?"
_MONTH = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?")
# What may follow a name that closes a reference: a date, a volume, pages.
_REFERENCE_TAIL = (rf"(?:[\s,.;:()\u2013\u2014-]|\d+|Vol(?:ume)?\.?|Issues?|No\.|pp?\.|"
                   rf"Pages?|{_MONTH})*")
# The name closes the line: in parentheses ("... (PubMed, 2012)", "(FDA.gov)", "the NRC
# says (Scientific American):", "(Financial Times link, registration required)"), or after
# a comma or a dash with at most a date or a reference after it ("From "Interference with
# Pacemakers", FDA:", "According to Jerry Rubin, Washington Post, 18 October 1981:",
# "Plastic-Tac-Toe - Snopes.com", "..., The Lancet, Volume 336, ..., Pages 1519-1523").
_IN_CLOSING_PARENS = re.compile(
    rf"^{_SITE_SUFFIX}(?:\s+(?:link|article|PDF|website|site))?(?:[,;][^()]*)?\)\s*[:.]?\s*$")
_AFTER_SEPARATOR = re.compile(r"(?:,|\s[-\u2013\u2014])\s*(?:the\s+)?$", re.IGNORECASE)
_CLOSES_LINE = re.compile(rf"^{_SITE_SUFFIX}{_REFERENCE_TAIL}$")
# The name opens the line, with a title or a subject at most after it ("Huffington Post:
# The Collective Intelligence of Women Could Save the World", "PubMed Central (2012)",
# "See also Snopes: Cooking eggs with cellphones", "Wikipedia on Cholestorol", "NHS").
_OPENS_LINE = re.compile(r"^\W*(?:(?:see\s+also|source)\s*[:\-\u2013\u2014]?\s*)?(?:the\s+)?$",
                         re.IGNORECASE)
_TITLE_AFTER = re.compile(
    rf"^{_SITE_SUFFIX}\s*(?:\([^()]*\))?\s*(?:(?::|\s[-\u2013\u2014])\s*[^.!?]{{0,200}}|"
    r"\s+on\s+[A-Z][^.!?]{0,80})?$")


def _without_the(written: str) -> list[str]:
    words = written.split()
    return words[1:] if len(words) > 1 and words[0].casefold() == "the" else words


def _citation_line(text: str, m: Mention, mentions: Sequence[Mention]) -> bool:
    """The lead-in's last line is a citation of this name alone: the name opens it with at
    most a title after it, or closes it in parentheses or after a comma or a dash with at
    most a date or a reference after it (the line is a reference, not prose about the
    outlet: "unlike the BBC, ..." is none)."""
    end = len(text.rstrip())
    start = text.rfind("\n", 0, m.start) + 1
    if "\n" in text[m.end:end] or any(o is not m and start <= o.start < end for o in mentions):
        return False
    before, after = text[start:m.start], text[m.end:end]
    if before.endswith("("):
        return _IN_CLOSING_PARENS.match(after) is not None
    if _AFTER_SEPARATOR.search(before):
        return _CLOSES_LINE.match(after) is not None
    return _OPENS_LINE.match(before) is not None and _TITLE_AFTER.match(after) is not None


def lead_in_outlet(text: str, gazetteer: Gazetteer, *, wider: bool = False) -> str | None:
    """The outlet a lead-in cites: the one named as a source in its last sentence that names
    one ("The Forbes article links to an NPR interview. In that NPR interview, he said" ->
    NPR), provided the lead-in's own last sentence points back at it ("It states:") when it
    names none. A name that is only mentioned is not a citation, nor two sources cited in
    that sentence: then no outlet, never a guess. ``wider``: a marked quote's lead-in, where
    more constructions cite (a citation line, "Quoting Wikipedia:", "The BBC has an article
    about ...", a one-word name in lower case)."""
    mentions = gazetteer.mentions(text)
    if not mentions:
        return None
    cited = _cited_mentions(text, mentions, wider=wider)
    if not cited:
        return None
    ends = [e.end() for e in _SENTENCE_END.finditer(text)]
    sentence = {m: sum(end <= m.start for end in ends) for m in cited}
    final = len(ends)
    last = max(sentence.values())
    if last < final and not _POINTS_BACK.match(_SENTENCE_END.split(text)[-1]):
        # "The NYT covered the study. In fact, that study noted:": the last sentence
        # introduces something else than the outlet an earlier one cited.
        return None
    if len({m.outlet for m in cited if sentence[m] == last}) > 1:
        return None  # "As the BBC and CNN reported:": which one the words are from is a guess
    if _PARAPHRASED.search(_SENTENCE_END.split(text)[-1]):
        return None  # "Paraphrased from the ... Wikipedia entry:": not the source's words
    chosen = next(m for m in cited if sentence[m] == last)
    if _PASSES_ON.search(text[chosen.end:]):
        return None  # "Wikipedia cites the study ...:": the quote is the study's
    if any(m.outlet != chosen.outlet and not m.ordinary and m.start >= chosen.end
           and sum(end <= m.start for end in ends) > last
           and gazetteer.kind_of(m.outlet) == "news" for m in mentions):
        # "... an article in Science ... . The article is behind a paywall, but Phys.org
        # has a good summary. Here's the finding:": another outlet named in a later
        # sentence may be where the words are from.
        return None
    return chosen.outlet


_PARAPHRASED = re.compile(r"\b(?:paraphras\w*|summari[sz]ing|in\s+my\s+own\s+words)\b",
                          re.IGNORECASE)


# After the outlet, the lead-in moves on to what it cites or to someone else's words.
_PASSES_ON = re.compile(
    r"\b(?:cites?|cited|references?|referenced|links?\s+to|linked\s+to|refers?\s+to|"
    r"points?\s+to|discusses|summari[sz]es)\s+(?:a|an|the|this|that|another|one|some|its|"
    r"their)?\s*(?:[\w-]+\s+){0,3}?(?:study|studies|paper|article|report|review|trial|survey|"
    r"analysis|book|source|research)\b|\b(?:defined|written|explained|described|put)\s+by\s+"
    r"(?:the\s+)?(?:writer|author|professor|researcher|scientist|Dr\.?)?,?\s*[A-Z]",
    re.IGNORECASE)


# The last sentence of a lead-in still means the outlet named before it: "It states:",
# "The article says:", "Here is the relevant part:".
_POINTS_BACK = re.compile(
    r"^\W*(?:(?:and|but|so|also),?\s+)?(?:it|they|he|she|here|there,?\s+(?:it|they)|"
    r"(?:the|this|that)\s+"
    r"(?:same\s+)?(?:article|page|report|piece|story|post|site|entry|editorial|interview|"
    r"column|text|author|writer|reporter|magazine|newspaper|website|act|law|document|"
    r"statement|letter))\b", re.IGNORECASE)


# A lead-in that carries an earlier lead-in's source on: "The article goes on:", "It also
# says", "The same report adds:". "They" is not enough: it is as often the people quoted
# ("They quote a book that ...").
_CARRIES_ON = re.compile(
    r"^\W*(?:(?:and|but|so|also|however|further(?:more)?|finally),?\s+)?(?:it\s|"
    r"(?:the|this|that)\s+(?:same\s+|above\s+|linked\s+|latter\s+)*(?:article|report|piece|"
    r"story|page|post|editorial|interview|column|author|writer|reporter|document)\b)",
    re.IGNORECASE)


def points_forward(lead_in: str, gazetteer: Gazetteer) -> bool:
    """A lead-in that introduces what follows: it ends in a colon, an ellipsis, "that" or a
    reporting verb, or with the source it cites ("According to The Guardian", "From the
    Washington Post (2012)"), or its last sentence opens with that source reporting
    ("Furthermore, Reuters has published an article saying that ..."). "The Atlantic talked
    to a researcher." does not, nor a question: the next paragraph may as well be the
    answerer's."""
    text = lead_in.rstrip()
    if _DANGLING_END.search(text[-24:]):
        return True
    cited = _cited_mentions(text, gazetteer.mentions(text))
    if not cited or text.endswith("?"):
        return False  # a question asks, it does not introduce
    if _ENDS_AT_NAME.fullmatch(text[cited[-1].end:]) is not None:
        return True
    # The last sentence opens with the source reporting: "Furthermore, Reuters has
    # published an article saying that ...", "Snopes investigated this claim and concluded
    # ...". Not "No one the AP contacted said", nor "an FDA report indicating".
    last = text[_last_sentence_start(text):]
    return any(_OPENS_SENTENCE.fullmatch(last[:m.start]) and _AFTER_REPORTS.match(last[m.end:])
               and not _AFTER_ARTICLE.match(last[m.end:])
               for m in _cited_mentions(last, gazetteer.mentions(last)))


_OPENS_SENTENCE = re.compile(r"\W*(?:(?:furthermore|moreover|also|and|but|however|meanwhile|"
                             r"finally|further|then|indeed),?\s+)?(?:the\s+)?", re.IGNORECASE)


def _last_sentence_start(text: str) -> int:
    ends = [e.end() for e in _SENTENCE_END.finditer(text)]
    return ends[-1] if ends else 0


_ENDS_AT_NAME = re.compile(r"[\s\W]*?(?:\([^()]*\))?[\s.:,;]*")


def confirm_unmarked_outlets(passages: list[Passage], gazetteer: Gazetteer) -> list[Passage]:
    """Keep the source of a quote found without marks only where its lead-in says it
    outright: it names that source as cited and introduces what follows
    (``points_forward``), or carries an earlier lead-in's source on naming no other ("The
    article goes on:", "It also said that ..."). Else the quote is shown as "outlet not
    named": a source named on a guess is the one mistake this bot must not make.

    A run of quoted paragraphs carries its lead-in's source on only until a paragraph of it
    ends by introducing something ("..., and the Australian quotes them as", "It says:"):
    from there on the words may be someone else's, and that paragraph may be the answerer's
    own lead-in. Nor does a lead-in that introduces a picture name the source of what follows
    it."""
    introduced = False  # a paragraph of the current run introduced what follows it
    for i, p in enumerate(passages):
        if p.kind != "quote":
            continue
        prev = passages[i - 1] if i else None
        if prev is None or prev.kind != "quote" or prev.lead_in != p.lead_in:
            introduced = False  # a new run
        introduced = introduced or _INTRODUCES.search(p.text.rstrip()[-24:]) is not None
        if p.outlet is None:
            continue
        if introduced:
            p.outlet = None
            continue
        lead = p.lead_in or ""
        if _SHOWS_A_PICTURE.search(lead[_last_sentence_start(lead.rstrip()):]):
            p.outlet = None  # the picture it introduces is gone from plain text
            continue
        named = lead_in_outlet(lead, gazetteer) if lead else None
        if named is not None:
            keep = named == p.outlet and points_forward(lead, gazetteer)
        else:
            keep = not gazetteer.mentions(lead) and _CARRIES_ON.match(lead) is not None and (
                points_forward(lead, gazetteer) or _IT_REPORTS.match(lead) is not None)
        if not keep:
            p.outlet = None
    return passages


# A lead-in whose last sentence speaks of a picture ("It shows an unconscious monkey, then a
# photo of the brains:"): in plain text the picture is gone, and what follows is the
# answerer's next point more often than the source's words (29 of 34 such lead-ins on the
# tuning half of make attribution are followed by the answerer's own words).
_SHOWS_A_PICTURE = re.compile(r"\b(?:photos?|photographs?|pictures?|images?|screenshots?|"
                              r"graphs?|charts?|diagrams?|videos?|infographics?)\b",
                              re.IGNORECASE)


# A paragraph that ends by introducing what follows: a colon, "as", "that" or a reporting
# verb ("... quotes them as", "The report notes that"). Not an ellipsis: quoted text is cut
# with one mid-quote.
_INTRODUCES = re.compile(
    r"(?::|\b(?:as|that|says|said|writes|wrote|states|stated|notes|explains|reports|adds|"
    r"concludes|reads|argues|claims|put it|puts it|as follows|saying|stating))\s*$",
    re.IGNORECASE)


_IT_REPORTS = re.compile(
    rf"^\W*(?:(?:but|and|however|furthermore|moreover|further|finally),?\s+)?it\s+"
    rf"(?:\w+\s+){{0,2}}?{_REPORTING_VERB}\b", re.IGNORECASE)


def is_lead_in(text: str, gazetteer: Gazetteer) -> bool:
    """The answerer introduces a source: names it as one, or ends pointing at what follows.
    A label ("Evidence:", "References:", "and this:") introduces nothing unless it names a
    source ("From Snopes:")."""
    if len(text.split()) < 3 and not gazetteer.mentions(text):
        return False
    # The pattern ends the text and is at most 16 characters long: searching the tail alone
    # finds the same, without trying it at every place of a long paragraph.
    if _DANGLING_END.search(text.rstrip()[-24:]):
        return True
    return bool(_cited_mentions(text, gazetteer.mentions(text)))


def is_back_reference(text: str) -> bool:
    """The answerer points back at the source: "It also said ...", "The latter statement"."""
    return bool(_PRONOUN_REPORTS.match(text) or _SOURCE_PHRASE.match(text))


def speaks_in_first_person(text: str) -> bool:
    """"I" outside quotation marks and outside reported speech, not as a numeral."""
    if _REPORTED_SPEECH.search(text):
        return False
    return bool(_FIRST_PERSON.search(_ROMAN_I.sub("", _QUOTED_SPEECH.sub("", text))))


def answerer_speaks(text: str) -> bool:
    """The answerer's own words, not a source's: first person, a question, "you", a summing-up,
    a bare link."""
    stripped = text.strip()
    return (speaks_in_first_person(text) or stripped.endswith("?")
            or bool(_ANSWERER_OPENING.match(stripped))
            or bool(_SECOND_PERSON.search(_QUOTED_SPEECH.sub("", text))))


def _quote_shaped(text: str, *, first: bool) -> bool:
    """Could be a source's words: prose, not a heading, a label ending in ":" or, right after
    the lead-in, the answerer's own list."""
    stripped = text.strip()
    if stripped.endswith(":") or (len(stripped.split()) < 5 and not re.search(r"[.!?”\"]$",
                                                                           stripped)):
        return False
    if stripped.startswith("(") and stripped.endswith(")"):
        return False  # "(links removed ...)", "(From: <paper>)": the answerer's aside
    return not (first and "\n" in stripped and stripped.startswith("•"))


_REFERENCE = re.compile(
    r"\b(?:et al|doi|DOI|Journal|Proceedings|Vol\.|pp\.|ISBN|PMID)\b|\b\d{4};\s*\d+|"
    r"\(\d{4}\)|\b[A-Z][a-z]+\s+[A-Z]{1,2}[,.]|\b[A-Z][a-z]+,\s+[A-Z][a-z]+\s*[;,]")


_IDENTIFIER = re.compile(r"\b(?:doi:?\s*10\.\d{4,9}/|doi\.org/10\.|PMID:?\s*\d|ISBN[-:\s]*[\dX])",
                         re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


# A journal's volume, issue or pages ("Volume 70, Issue 3, ... Pages 283-294", "vol. 7").
_VOLUME = re.compile(r"\b(?:[Vv]olume|[Vv]ol|[Ii]ssue|No|[Pp]ages?|pp)\.?\s*\d"
                     # volume(issue):pages, year;volume, volume:pages
                     r"|\b\d+\s*\(\d+\)\s*:\s*\d+|\b(?:1[89]|20)\d\d\s*;\s*\d+"
                     r"|\b\d+\s*:\s*\d+\s*[\u2013-]\s*\d+")
# A sentence says something ("Shannon (1950) gave the estimate", "Egholm et al. (2009) ...
# who do a more large-scale analysis"); a title's verbs are capitalised ("Is dietary
# carbohydrate essential ...?").
_SAYS = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|do|does|did|gave|give|gives|"
                   r"found|finds|shows?|showed|shown|concludes?|concluded|says?|said|"
                   r"suggests?|suggested|provides?|makes?|made|can|could|will|would|may|"
                   r"might|reports?|reported|notes?|noted|argues?|argued|estimated|observed|"
                   r"demonstrated|linked|reduced|increased|caused|led)\b")


def is_reference(text: str) -> bool:
    """One line of a bibliography: authors, title, journal, year, DOI ("J. Rodrigo Mora:
    "Vitamin effects on the immune system" Nat Rev Immunol. 2008 ... doi: 10.1038/nri2378"),
    or without an identifier, marked as one by its volume or pages ("Store atmosphere
    and purchasing behavior. Journal of Retailing Volume 70, Issue 3, Autumn 1994, Pages
    283-294": review10 D5), saying nothing and introducing nothing."""
    stripped = text.strip()
    if "\n" in stripped or len(stripped.split()) > 40 or _YEAR.search(stripped) is None:
        return False
    if _IDENTIFIER.search(stripped) is not None:
        return True
    # By its volume, issue or pages only: authors, a year and a journal's name are what a
    # sentence citing its source holds too ("Smith et al. (2009) ...": review11).
    return not stripped.endswith(":") and _SAYS.search(stripped) is None and \
        _VOLUME.search(stripped) is not None


def is_title_or_reference(text: str) -> bool:
    """A title or a reference line between a lead-in and its quote ("Types of Dietary Fat and
    Risk of Coronary Heart Disease: A Critical Review", "Ahmed SH, Guillem K. ... 2013;16(4)")."""
    stripped = text.strip()
    words = stripped.split()
    if not words or len(words) > 40 or "\n" in stripped:
        return False
    capitals = sum(w[:1].isupper() for w in words if len(w) > 3)
    long_words = sum(len(w) > 3 for w in words)
    title = not re.search(r"[.!?”\"]$", stripped) and capitals * 3 >= long_words * 2
    return title or (bool(_REFERENCE.search(stripped)) and len(_REFERENCE.findall(stripped)) >= 2)


def classify(paragraphs: Iterable[str], gazetteer: Gazetteer) -> list[Passage]:
    """One passage per paragraph of an answer whose quotes are not marked.

    Precision first: the paragraph right after a lead-in is quoted when it reads like a
    source's words; the paragraphs after it only when the answerer's lead-in named a news
    news outlet (news quotes run on), or when the answerer closes the quote explicitly,
    pointing back at it ("The Reuters article mentions ...") or citing the next source by name
    ("Furthermore, Reuters has published ..."). A run that just stops is the answerer's words
    after the first paragraph.
    """
    passages: list[Passage] = []
    quoting = False
    news = False  # the lead-in names an outlet as its source: quotes run on
    outlet: str | None = None
    lead_in: str | None = None
    last_outlet: str | None = None  # what "it" and "the article" refer back to
    pending: list[Passage] = []  # quoted if the answerer closes the quote explicitly

    def settle(accept: bool) -> None:
        for p in pending:
            if not accept:
                p.kind, p.outlet, p.lead_in = "answer", None, None
        pending.clear()

    for text in paragraphs:
        lead = is_lead_in(text, gazetteer)
        back = is_back_reference(text)
        first = quoting and not any(p.kind == "quote" and p.lead_in == lead_in
                                    for p in passages[-1:])
        if quoting and not (lead or back) and not answerer_speaks(text) and _quote_shaped(
                text, first=first):
            passage = Passage("quote", text, outlet=outlet, lead_in=lead_in)
            passages.append(passage)
            if not first and not news:
                pending.append(passage)
            continue
        # Closed explicitly: the answerer points back at the quote, or cites the next source by
        # name ("Furthermore, Reuters has published ..."); a bare colon closes nothing.
        settle(back or (lead and lead_in_outlet(text, gazetteer) is not None))
        passages.append(Passage("answer", text))
        if quoting and first and not lead and is_title_or_reference(text):
            continue  # the quote follows its title: the lead-in still holds
        if lead:
            named = lead_in_outlet(text, gazetteer)
            outlet = named or (last_outlet if back else None)
            # Only a news outlet's quotes run on: a reference work or an agency is quoted a
            # paragraph at a time.
            news = (named is not None and gazetteer.kind_of(named) == "news") or \
                text.rstrip().endswith(("...", "…"))
            quoting, lead_in = True, text
            last_outlet = outlet or last_outlet
        elif _PRONOUN_REPORTS.match(text):
            # "It also said that ...": the answerer paraphrases, then quotes more of it.
            quoting, outlet, lead_in = True, last_outlet, text
            news = last_outlet is not None and gazetteer.kind_of(last_outlet) == "news"
        else:
            quoting = False
    settle(False)
    return passages


def http_url(href: str | None, base: str | None = None) -> str | None:
    """``href`` as an absolute http(s) address, or None (``javascript:``, ``data:``, ...)."""
    if not href:
        return None
    href = href.strip()
    if base and not urlsplit(href).scheme:
        href = urljoin(base, href)
    parts = urlsplit(href)
    return href if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def outlet_of(url: str | None, lead_in: str | None, gazetteer: Gazetteer, *,
              wider: bool = False) -> str | None:
    """The name of the source a quote cites (``index.sources.source_of``): its link's site if
    that is a source of its own, else the outlet the lead-in names, else the link's site
    named by its domain; None for a link to another Q&A post or a bare picture."""
    named = lead_in_outlet(lead_in, gazetteer, wider=wider) if lead_in else None
    source = source_of(url, named, gazetteer)
    return source.name if source is not None else None


def _cited_link(lead: Block, base_url: str | None, thread_url: str | None,
                gazetteer: Gazetteer) -> str | None:
    """The link a lead-in cites: its one link, or when it has several, the citable ones
    (never a profile, tag, help page or the thread's question) of its last sentence
    that has any, outside parentheses ("(peer-reviewed here)") if it can, a page of another
    site before a post of this network, an answer before a question, then the first.
    A reference work's page on a term ("replaced with [lorem ipsum]") defines a word: it
    comes after every other link. A site's front page is cited only where the lead-in names
    the site by it ("The website [llm-attacks.org] ..."). A lead-in that ends on a tag or a
    help page ("was tagged [vikings], which reads:") quotes that page: no address.
    Plain text, which keeps no links, cites the address written at its end
    ("http://en.wikipedia.org/wiki/Sunburn:", "No they don't. http://www.snopes.com/...")."""
    if not lead.links:
        written = _URL_ENDS.search(lead.text)
        return http_url(written.group(1)) if written else None
    if len(lead.links) == 1:
        # Its one link is where the words are from, even a help page ("As the Help Center
        # says: [link]"); index.sources counts such a page as no source. Unless, as for an
        # outlet named (lead_in_outlet), the link is in an earlier sentence and the last one
        # introduces something else ("We can use [Composable Diffusion] to get a similar
        # effect. We can also see the output has the same fire lines.").
        # A link to another Q&A post or a picture names no source, so it stays either way.
        url = http_url(lead.links[0], base_url)
        at = lead.offsets[0] if len(lead.offsets) == 1 else None
        if url and lead.anchors and _before_last_sentence(lead.text, lead.anchors[0], at):
            site = site_of(url, gazetteer)
            if site is not None and site.kind not in NOT_SOURCES:
                return None
        return url
    text = lead.text
    anchors = lead.anchors if len(lead.anchors) == len(lead.links) else [""] * len(lead.links)
    placed = len(lead.offsets) == len(lead.links)
    candidates = []
    ends = [e.end() for e in _SENTENCE_END.finditer(text)]
    at = 0
    last: str | None = None
    for i, (href, anchor) in enumerate(zip(lead.links, anchors, strict=True)):
        if placed:  # where the link stands, not where its words first appear
            pos = lead.offsets[i]
        else:
            found = text.find(anchor, at) if anchor else -1
            pos = found if found >= 0 else at
            at = pos + len(anchor) if found >= 0 else at
        url = http_url(href, base_url)
        if url is None:
            continue
        last = url
        front = front_page(url) and _names_site(anchor, url)
        if not (front or citable(url, thread_url)):
            continue
        sentence = sum(end <= pos for end in ends)
        in_parens = text[:pos].count("(") > text[:pos].count(")")
        path = urlsplit(url).path
        rank = 0 if not QUESTION_PATH.match(path) and "/a/" not in path[:3] else (
            1 if path.startswith("/a/") else 2)
        candidates.append(((_defines_a_term(url, text, gazetteer), -sentence, in_parens, rank,
                            i), url))
    if last is not None and described_page(last):
        return None
    return min(candidates)[1] if candidates else None


# An address that ends a lead-in, a colon or a full stop at most after it.
_URL_ENDS = re.compile(r"(?:^|\s)(https?://[^\s<>\"]+?)[:.]?\s*$")


def _before_last_sentence(text: str, anchor: str, at: int | None = None) -> bool:
    """The link's text is in a sentence before the lead-in's last, and that last sentence does
    not point back at what it cited ("The article says"). ``at``: where the link stands in
    ``text``; unknown (a loader that gives no offsets), the last mention of its words."""
    text = text.rstrip()
    if at is None and not anchor:
        return False  # a link with no words (a picture), place unknown: nothing to find
    if at is None:
        at = text.rfind(anchor)
    if at < 0:
        return False
    # An end inside the link's own text ("What are community wikis? we find:") ends nothing.
    ends = [e.end() for e in _SENTENCE_END.finditer(text)
            if not at < e.end() <= at + len(anchor) + 1]
    if sum(end <= at for end in ends) == len(ends):
        return False
    return not _POINTS_BACK.match(_SENTENCE_END.split(text)[-1])


# The answerer made the text that follows: a prompt, a query, a comment of their own.
_ANSWERER_WROTE = re.compile(
    r"\b(?:I|I['’]ve|I\s+have|we|we['’]ve)\s+(?:then\s+|just\s+|also\s+)?(?:asked|prompted|typed|"
    r"entered|wrote|written|posted|added|submitted|used\s+(?:the|this|a)\s+prompt|gave\s+it|"
    r"fed\s+it|told\s+it)\b|\bmy\s+(?:own\s+)?(?:prompt|query|comment|input)\b",
    re.IGNORECASE)
# ... unless the last sentence goes on to what came back ("I asked it and it replied:").
_REPLIED = re.compile(r"\b(?:repl(?:y|ied|ies)|answer(?:ed|s)?|respon(?:se|ded|ds)|said|says|"
                      r"output|returned|got|gave\s+me|came\s+back|wrote\s+back)\b",
                      re.IGNORECASE)


def answerer_wrote(lead: str) -> bool:
    """The lead-in's last sentence says the answerer wrote what follows ("I asked [ChatGPT]
    this.", "I used the prompt on [Bard]:", "I've added the following comment:")."""
    last = _SENTENCE_END.split(lead.rstrip())[-1]
    found = _ANSWERER_WROTE.search(last)
    return found is not None and not _REPLIED.search(last[found.end():])


# Who answers a prompt: a chatbot named, or "it", "the model" after the answerer asked it.
_CHATBOT = (r"(?:ChatGPT(?:[ -]?\d(?:\.\d)?)?|GPT-?\d(?:\.\d)?(?:[ -]Turbo)?|Bard|Bing(?:\s+Chat)?|"
            r"Claude|Gemini|Copilot|Llama(?:[ -]?\d)?|the\s+(?:model|AI|bot|assistant|LLM))")
# A transcript's speaker label may carry an aside: "ChatGPT (417 chars):", "Me (edited):".
_ASIDE = r"(?:\([^()]{0,40}\)\s*)?"
# The lead-in's last sentence presents what came back: "ChatGPT:", "ChatGPT (417 chars):",
# "This is the result.", "It answered.", "this is its answer", "Both ChatGPT and Bard give
# this as their response", "This is what ChatGPT says when I paste your question verbatim:".
# "It says" alone is not one: a document says things too.
_SHOWS_REPLY = re.compile(
    rf"^\W*(?:User\b.*\s)?(?:{_CHATBOT}|Assistant)\s*{_ASIDE}:?\s*$"
    rf"|\b(?:this|here)\s+(?:is|was|are)\s+(?:the|its|their|ChatGPT's)\s+(?:result|output|"
    rf"response|reply|answer)s?\b|^\W*(?:the\s+)?(?:output|response|reply)\s*:\s*$"
    rf"|\b(?:it|they)\s+(?:(?:then|still|just|also|both|all)\s+)?(?:answered|replied|"
    rf"responded|gave\s+me|gives\s+(?:me|you)|returned)\b"
    rf"|\b{_CHATBOT}\s+(?:(?:then|still|just|also|both|all)\s+)?(?:answered|replied|"
    rf"responded|says|said|gave|gives|returned|output)\b"
    rf"|\b(?:its|their)\s+(?:answer|response|reply|output)\b"
    rf"|\bin\s+one\s+response\s*:\s*$",
    re.IGNORECASE)
# A transcript line: who speaks, then what they said ("ChatGPT: Look, I'm not ...").
_BOT_SPEAKS = re.compile(rf"^\W*(?:{_CHATBOT}|Assistant)\s*{_ASIDE}:\s*\S", re.IGNORECASE | re.M)
_USER_SPEAKS = re.compile(rf"^\W*(?:Me|User|Human|You)\s*{_ASIDE}:\s*\S", re.IGNORECASE)
# An answer about chatbots or prompts: only there do "It answered." and "This is the
# result." speak of a chatbot (Skeptics: "Result:" is a study's, "It says" a document's).
ABOUT_CHATBOTS = re.compile(r"\b(?:ChatGPT|GPT-?\d|Bing\s+Chat|Claude|Gemini|Copilot|Llama|"
                            r"LLMs?|[Cc]hatbots?|[Pp]rompts?|Midjourney|Stable\s+Diffusion)\b|"
                            r"(?<!the\s)\bBard\b")
# The lead-in's last sentence presents a prompt: "This is the prompt.", "Prompt:", "add the
# following prompt", "Use this Prompt", "Here's a prompt that seemed to work for me:", "Along
# with the negative prompt:", "I used the prompt on [Bard]:", "I asked ChatGPT this." Not
# one that cites what is said about prompts ("The guide's section on prompts says:").
_SHOWS_PROMPT = re.compile(
    r"^\W*(?:(?:negative|system|example)\s+)?prompt\s*:?\s*$"
    rf"|^\W*(?:Me|User|Human|You|Input|System)\s*{_ASIDE}:\s*$"
    r"|\b(?:the|this|a|my|your|following|negative|system|same|that|adjusted|new)\s+"
    r"(?:[\w-]+\s+){0,2}?prompts?\b"
    r"|\bI\s+(?:then\s+|just\s+|also\s+)?(?:asked|prompted|typed|entered|told)\s+"
    r"(?:it|ChatGPT|Bard|Bing|Claude|Gemini|the\s+(?:model|AI|bot))\b",
    re.IGNORECASE)
_CITES_ABOUT = re.compile(r"\b(?:says|said|states|stated|according|documentation|docs|guide|"
                          r"article|paper|blog|writes|wrote|explains|defin\w+)\b",
                          re.IGNORECASE)


def answerer_material(lead_in: str | None, about_chatbots: bool = True) -> str | None:
    """What a quote that cites nothing is, where its lead-in's last sentence says so:
    "chatbot_reply" (what a chatbot answered: "ChatGPT:", "This is the result.", "It
    answered."), "prompt" (what the answerer typed or proposes typing: "This is the prompt.",
    "add the following prompt", "I asked ChatGPT this."), else None (precision first: a
    quote the lead-in does not call either stays a quote whose source is not named).
    ``about_chatbots``: the answer or its thread speaks of chatbots or prompts
    (``ABOUT_CHATBOTS``); where it does not, nothing is either."""
    if not lead_in or not about_chatbots:
        return None
    last = _SENTENCE_END.split(lead_in.rstrip())[-1]
    if _SHOWS_REPLY.search(last):
        return "chatbot_reply"
    if _SHOWS_PROMPT.search(last) and not (_CITES_ABOUT.search(last)
                                           and not answerer_wrote(lead_in)):
        return "prompt"
    return None


# The claim a thread examines, introduced as such: the lead-in's last sentence opens on it
# ("This extraordinary claim which came from Wikipedia:", "The claim to the contrary, for
# instance voiced here by Ian Plimer on ABC:", "Now the claim says:") or ends on it ("... it
# does counter the source's assertion that", "extraordinary claims like this one on
# thegloss.com:"), and points at what follows. Not "Snopes investigated this claim and
# concluded it was False." (the conclusion follows), nor "refuting the claim that ..." or "The
# rumor seems to be false." (neither introduces the quote as the claim).
_CLAIM_NOUN = r"(?:claim|assertion|allegation|myth|rumou?r|hoax)"  # singular: "claims" is a verb
_OPENS_ON_CLAIM = re.compile(
    rf"^\W*(?:(?:but|and|now|so|here|again),?\s+)?(?:(?:the|this|that|one|such)\s+)"
    rf"(?:[\w'’-]+\s+){{0,2}}?{_CLAIM_NOUN}\b", re.IGNORECASE)
# Ending on it: "... the source's assertion that" (what follows is the claim's content);
# "... make the claim:", "the original claim:", but not after a word that sets evidence
# against it ("the opposite to the original claim:", "nor it addresses the claim:").
_ENDS_ON_CLAIM = re.compile(
    rf"\b(?:the|this|that|their|his|her|its|such|[\w’'-]+['’]s)\s+(?:[\w'’-]+\s+){{0,2}}?"
    rf"{_CLAIM_NOUN}\s+that\s*$"
    rf"|(?<!\bto\s)(?<!\bagainst\s)(?<!\bwith\s)(?<!\babout\s)(?<!\bof\s)"
    rf"(?<!\baddresses\s)(?<!\bconfirm\s)(?<!\bsupport\s)(?<!\bsupports\s)"
    rf"\b(?:the|this|that|their|his|her|its|such|[\w’'-]+['’]s)\s+(?:[\w'’-]+\s+){{0,2}}?"
    rf"{_CLAIM_NOUN}(?:\s+(?:is|was|reads|says|goes))?\s*:\s*$"
    rf"|\b{_CLAIM_NOUN}s\s+like\s+this(?:\s+one)?\b[^:;]*:\s*$", re.IGNORECASE)
_CLAIM_INTRODUCED = re.compile(r"(?::|\bthat|\.\.\.|…)\s*$|" + _INTRODUCES.pattern,
                               re.IGNORECASE)


# Or any of its sentences says the claim is found here ("the claim is repeated here by
# Andrew Solomon. I could not find ...": review10 D1).
_CLAIM_HERE = re.compile(
    rf"\b{_CLAIM_NOUN}\s+(?:is|was)\s+(?:also\s+)?(?:repeated|made|stated|voiced|presented|"
    rf"found|quoted|given|put)\s+here\b", re.IGNORECASE)
# The answer names the quote before it as the claim ("It claims Kaku has developed ...",
# then "The source of the claim is this news article ...": review10 D1); or calls it so
# ("This claim is false.").
_CLAIM_NAMED_AFTER = re.compile(
    r"^\W*(?:(?:the|this|that)\s+(?:source|origin)\s+of\s+(?:the|this|that)\s+"
    r"(?:claim|assertion|allegation)\s+(?:is|was)\b"
    r"|(?:this|that|the\s+above)\s+(?:claim|assertion|allegation)\s+"
    r"(?:is|was|has|comes|came|seems|appears)\b)",
    re.IGNORECASE)


# A full stop after these ends no sentence: "Dehhaghi et al. wrote", "J. Smith", "U.S. embassy".
_ABBREVIATION = re.compile(
    r"(?:\b(?:al|etc|vs|e\.g|i\.e|cf|Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|Inc|Ltd|Co|No|Vol|pp|Fig|"
    r"approx|ca)|\b[A-Z]|(?:\b[A-Za-z]\.)+[A-Za-z])\.$")


def last_sentence(text: str) -> str:
    """The last sentence of ``text`` (a full stop after an abbreviation ends none)."""
    text = " ".join(text.split())
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if not _ABBREVIATION.search(text[:m.start() + 1]):
            start = m.end()
    return text[start:]


def names_claim_above(text: str) -> bool:
    """The answerer's paragraph after a quote opens by calling that quote the claim (not
    "This myth has been debunked", which speaks of the thread's myth: review11)."""
    return _CLAIM_NAMED_AFTER.match(text) is not None


def introduces_claim(lead_in: str | None) -> bool:
    """The lead-in's last sentence introduces the quote after it as the claim under
    examination (Skeptics answers quote a claim to weigh it), not as evidence (review9 D1),
    or one of its sentences says the claim is found here."""
    if not lead_in:
        return False
    last = last_sentence(lead_in)
    if _CLAIM_HERE.search(lead_in) and not _CLAIM_INTRODUCED.search(last):
        # Unless the lead-in ends pointing at something else ("... However, the FDA's
        # review found:": review11), which is then what the quote is.
        return True
    if not _CLAIM_INTRODUCED.search(last):
        return False
    return bool(_OPENS_ON_CLAIM.match(last) or _ENDS_ON_CLAIM.search(last))


def transcript_speaker(text: str, about_chatbots: bool = True) -> str | None:
    """What a quote that opens on a speaker's label is: "chatbot_reply" where a chatbot
    speaks first ("ChatGPT: Look, ...") or answers the user who does ("User: What is 2 + 2?
    ChatGPT: 4."), "prompt" where only the user speaks ("Me: Write a story ..."), else None.
    Only in an answer about chatbots, as ``answerer_material``."""
    if not about_chatbots:
        return None
    if _BOT_SPEAKS.match(text):
        return "chatbot_reply"
    if _USER_SPEAKS.match(text):
        return "chatbot_reply" if _BOT_SPEAKS.search(text) else "prompt"
    return None


def _names_site(anchor: str, url: str) -> bool:
    """The link's text names its site ("llm-attacks.org", "the LLM Attacks site")."""
    domain = registrable_domain(url)
    label = domain.split(".")[0] if domain else ""
    words = re.sub(r"[\W_]+", "", anchor.casefold())
    return len(label) > 2 and re.sub(r"[\W_]+", "", label) in words


def _defines_a_term(url: str, lead: str, gazetteer: Gazetteer) -> bool:
    """A reference work's page linked on a term the lead-in uses ("white hat hackers",
    "lorem ipsum"), where the lead-in never names the work: a definition, not a citation."""
    site = site_of(url, gazetteer)
    return site is not None and site.kind == "reference" and site.name is not None and \
        site.name.casefold() not in lead.casefold()


# "TL;DR", "TLDR:", "tl;dr -", "Too long; didn't read": an answerer's summary of their answer.
_SUMMARY = re.compile(r"\s*(?:tl;?\s?dr\b|too long;? didn.?t read\b)", re.IGNORECASE)


def _quotes_the_question(paragraphs: Sequence[str], question: str | None) -> bool:
    """A block quote of the thread's own question (the answerer restating what was asked)."""
    if not question:
        return False
    words = " ".join(_WORDS.findall(" ".join(paragraphs).lower()))
    return len(words.split()) >= 4 and words in " ".join(_WORDS.findall(question.lower()))


_WORDS = re.compile(r"\w+")


_ITEM_NUMBER = re.compile(r"^\d+\.\s+")


def passages_from_blocks(blocks: Sequence[Block], gazetteer: Gazetteer, *,
                         base_url: str | None = None, thread_url: str | None = None,
                         question: str | None = None) -> list[Passage]:
    """Passages of an answer whose quotes are marked (``<blockquote>``, ``> ``, indentation).

    A quote's address is the link its lead-in (the text just before it) cites, else the one
    link inside it. A link elsewhere in the answer is not its citation; among several, a
    profile, a tag, an image or the thread's own question never is; a quote of the question
    itself cites nothing.
    """
    passages: list[Passage] = []
    blocks = _source_lines_apart(blocks)
    cited_after = _sources_after(blocks)
    for i, block in enumerate(blocks):
        if block.kind == "text":
            if i in cited_after.values() and (block.links or "://" in block.text
                                               or _signs_off(block)):
                # The line that names the quote above it: its link, address or name is
                # that quote's, and it says nothing else. A dash line between two quotes
                # stays (a passage never shown), so that the quotes it parts stay apart.
                if _signs_off(block) and i + 1 < len(blocks) and blocks[i + 1].kind == "quote":
                    passages.append(Passage("answer", block.text))
                continue
            introduces = i + 1 < len(blocks) and blocks[i + 1].kind == "quote"
            if introduces or not says_nothing_without_link(block.text, block.anchors,
                                                           block.offsets):
                passages.extend(Passage("answer", text) for text in block.paragraphs)
            continue
        # A dash line under the quote before says whose that one is: it leads in nothing.
        lead = blocks[i - 1] if i and blocks[i - 1].kind == "text" \
            and i - 1 not in cited_after.values() and not (
                i > 1 and blocks[i - 2].kind == "quote" and _is_source_line(blocks[i - 1])
                and _ATTRIBUTION_LINE.match(blocks[i - 1].text)) else None
        # A list item's number ("2. Per the Safety Best Practices:") is no word of the
        # lead-in: its rules read from the lead-in's first word.
        lead_text = _ITEM_NUMBER.sub("", lead.text, count=1) if lead else None
        if _quotes_the_question(block.paragraphs, question):
            passages.extend(Passage("quote", text, None, None, lead_text)
                            for text in block.paragraphs)
            continue
        if lead_text and answerer_wrote(lead_text):
            # "I asked [ChatGPT] this.", "I used the prompt on [Bard]:": the answerer's own
            # words, which the linked site never wrote.
            passages.extend(Passage("quote", text, None, None, lead_text)
                            for text in block.paragraphs)
            continue
        # A dash line under the quote names it but links nothing: the lead-in's link, if
        # any, is still its address (review11: "Source: <Reuters link>" above it).
        signed = i in cited_after and _signs_off(blocks[cited_after[i]])
        source = blocks[cited_after[i]] if i in cited_after and not signed else lead
        url = _cited_link(source, base_url, thread_url, gazetteer) if source else None
        # A bare line between two quotes (an address, "NHS", "PubMed Central (2012)") may as
        # well name the quote above it: it names the one below only where the answer's
        # first quote has such a line above it and its last none below it.
        bare = i not in cited_after and lead is not None and lead_text is not None and \
            _bare_form(lead, lead_text, gazetteer) is not None and \
            i > 1 and blocks[i - 2].kind == "quote" and \
            not _labels_go_above(blocks, _bare_form(lead, lead_text, gazetteer), gazetteer)
        if bare and lead is not None and not lead.links:
            url = None
        if url is None:
            # A link inside the quote (a quoted comment's "see our on-topic page") is what
            # it cites only when it could be a source at all, and not a reference work's page
            # on one of its terms ("[American English]").
            quoted = " ".join(block.paragraphs)
            inside = {u for h in block.links
                      if (u := http_url(h, base_url)) and not never_cited(u, thread_url)
                      and not _defines_a_term(u, quoted, gazetteer)}
            url = inside.pop() if len(inside) == 1 else None
        if url is None and _SUMMARY.match(block.paragraphs[0] if block.paragraphs else ""):
            # "TLDR: scrapy is a framework ...": the answerer's own summary, set in a
            # blockquote for emphasis; no source is cited for it.
            passages.extend(Passage("answer", text) for text in block.paragraphs)
            continue
        # A source line under the quote names its source; else the lead-in does. A quote that
        # only asks, under a paragraph that does not introduce it, is the asker's question
        # quoted: not the words of an outlet that paragraph mentions.
        asks = url is None and lead_text is not None and len(block.paragraphs) == 1 and \
            only_asks(block.paragraphs[0]) and not points_forward(lead_text, gazetteer)
        outlet = None if asks else outlet_of(
            url, blocks[cited_after[i]].text if i in cited_after else lead_text, gazetteer,
            wider=not bare)
        # "\u2014McDonald's Australia" under the quote names it (its outlet, where the
        # gazetteer knows the name) but is none of its words: not shown inside it (the
        # data's structure counts it outside the quote) nor as the answerer's words.
        passages.extend(Passage("quote", text, outlet, url, lead_text)
                        for text in block.paragraphs)
    return passages


# "\u2014 Not true, by the way.": the answerer's remark after a dash, not a source's name.
_VERDICT = re.compile(r"\b(?:not|no|yes|true|false|wrong|right|nonsense)\b", re.IGNORECASE)


def _signs_off(block: Block) -> bool:
    """A dash line with no link or address ("\u2014McDonald's Australia"), set under a
    quote: it says whose the quote is, and is no word of the answerer's ("-- <address>"
    links it, as a source line does)."""
    return block.kind == "text" and not block.links and "://" not in block.text \
        and _is_source_line(block) and _ATTRIBUTION_LINE.match(block.text) is not None \
        and _SAYS.search(block.text) is None and _VERDICT.search(block.text) is None


# "Source: <link>", "(via [Reuters](...))": a short line that only says where a quote is from.
_SOURCE_LINE = re.compile(r"^\W*(?:sources?|via|credits?|references?)\b\s*[:\-\u2013\u2014]?",
                          re.IGNORECASE)
SOURCE_LINE_CHARS = 200


# "—Plastic-Tac-Toe - Snopes.com", "-- http://www.ncbi.nlm.nih.gov/pubmed/24326154": a line
# set under a quote, opening on a dash, says whose the quote above it is (Skeptics' answers).
# Not "-- an obvious typo.": the answerer's own words go on in lower case.
_ATTRIBUTION_LINE = re.compile(r"^\s*(?:--|[\u2013\u2014])\s*(?:[A-Z0-9\"\u201c'\u2018]|https?://)")


def _is_source_line(block: Block) -> bool:
    if block.kind != "text" or len(block.paragraphs) != 1 or \
            len(block.text) > SOURCE_LINE_CHARS or block.text.rstrip().endswith(":"):
        return False
    return _ATTRIBUTION_LINE.match(block.text) is not None or (
        (bool(block.links) or _URL_ENDS.search(block.text) is not None)
        and _SOURCE_LINE.match(block.text) is not None)


def _source_lines_apart(blocks: Sequence[Block]) -> list[Block]:
    """Each source line under a quote that opens the answerer's next words in one block
    ("\u2014McDonald's Australia", then "Regarding the common claim ...": Skeptics' text
    keeps no line apart) set apart as its own block: it names the quote above it and is
    not the first line of the answerer's words (review9 D6). Blocks with links stay whole:
    which line a link belongs to is not known there."""
    out: list[Block] = []
    for block in blocks:
        lines = block.paragraphs[0].split("\n") if block.paragraphs else [""]
        if block.kind == "text" and out and out[-1].kind == "quote" and not block.links \
                and (len(lines) > 1 or len(block.paragraphs) > 1) \
                and _is_source_line(Block("text", [lines[0]])):
            # The reference's own lines under it ("Journal of Dental Research 2013 ...").
            end = 1
            while end < len(lines) and _SAYS.search(lines[end]) is None and (
                    _REFERENCE.search(lines[end]) or _VOLUME.search(lines[end])):
                # Not a capitalised line or a sentence citing a paper ("But a later study
                # (Smith et al. 2015) found ...": the answerer's, review11).
                end += 1
            out.append(Block("text", ["\n".join(lines[:end])]))
            rest = "\n".join(lines[end:])
            block = Block("text", ([rest] if rest.strip() else []) + block.paragraphs[1:])
        out.append(block)
    return out


def _sources_after(blocks: Sequence[Block]) -> dict[int, int]:
    """Quotes whose source line follows them (quote's index -> the line's), in an answer that
    writes its sources so: some source line there follows a quote and leads in none, which
    only the quote above it can be what it names. Elsewhere a source line between two quotes
    is read as the lead-in of the one after it (review7: genai's answer 56 put each "Source:"
    under its quote, and every quote but the first was linked to the article of the one
    above it)."""
    lines = [j for j in range(1, len(blocks))
             if blocks[j - 1].kind == "quote" and _is_source_line(blocks[j])]
    # A dash line without a link ("\u2014McDonald's Australia") names the quote above it
    # wherever it stands, and says nothing of how the answer sets its other source lines
    # (review11: split off the answerer's next words, it turned an answer's "Source: <link>"
    # lines above their quotes into the names of the quotes before them: BBC's words under
    # Reuters).
    signed = {j - 1: j for j in lines if _signs_off(blocks[j])}
    others = [j for j in lines if j - 1 not in signed]
    if not any(j + 1 == len(blocks) or blocks[j + 1].kind != "quote" for j in others):
        return signed
    return {j - 1: j for j in lines}


def _bare_form(lead: Block, text: str, gazetteer: Gazetteer) -> str | None:
    """What a lead-in that names its source without pointing at the quote is: "address"
    (plain text ending in an address), "citation" (a line the wider rules alone read as
    citing, not ending in ":"), or None (it points at what follows, or names nothing)."""
    stripped = text.rstrip()
    if not lead.links and _URL_ENDS.search(stripped):
        return "address"
    if stripped.endswith(":") or _ITEM_NUMBER.match(lead.text):
        return None  # points forward, or opens a numbered item
    if lead_in_outlet(stripped, gazetteer, wider=True) is not None and \
            lead_in_outlet(stripped, gazetteer) is None:
        return "citation"
    return None


def _labels_go_above(blocks: Sequence[Block], form: str | None,
                     gazetteer: Gazetteer) -> bool:
    """The answer sets such lines above its quotes: its first quote has one right above
    it, and its last quote none right below it."""
    quotes = [j for j, b in enumerate(blocks) if b.kind == "quote"]
    first, last = quotes[0], quotes[-1]
    above = first > 0 and blocks[first - 1].kind == "text" and _bare_form(
        blocks[first - 1], _ITEM_NUMBER.sub("", blocks[first - 1].text, count=1),
        gazetteer) == form
    below = last + 1 < len(blocks) and blocks[last + 1].kind == "text" and _bare_form(
        blocks[last + 1], _ITEM_NUMBER.sub("", blocks[last + 1].text, count=1),
        gazetteer) == form
    return above and not below


# A sentence ends inside the text: . ! ? or … (closing quotes and brackets after it), a space.
_ENDS_INSIDE = re.compile(r"[.!?…][\"'”’)\]]*\s+\S")


def only_asks(text: str) -> bool:
    """The text is one question and nothing more (4 to 60 words)."""
    asked = text.strip().rstrip("\"'”’)] ")
    return asked.endswith("?") and 4 <= len(asked.split()) <= 60 and \
        not _ENDS_INSIDE.search(asked)


def _source(p: Passage) -> tuple[str, str | None, str | None, str | None]:
    return p.kind, p.outlet, p.url, p.lead_in


# A sentence ends at . ! ? or … (closing quotes and brackets after it), then a space.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
# The longest passage one paragraph makes (or ``passage_chars``, if that is more): longer
# ones are split, between sentences where they can be. No written paragraph is this long (the
# seed's longest is 1,184 characters); a 60 MB one-line page is.
MAX_PARAGRAPH_CHARS = 4_000
# The same for a passage a source gives whole with its own id (a BEIR record): SciFact's
# longest abstract is 10,000 characters.
MAX_RECORD_CHARS = 20_000


def split_long(text: str, max_chars: int) -> list[str]:
    """``text`` in pieces of at most ``max_chars``: cut after the last sentence that fits, else
    (no sentence end in the first third) at the last space, else hard. Linear in the text's
    length: each cut looks at one window of ``max_chars``."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    pieces: list[str] = []
    start, end = 0, len(text)
    while end - start > max_chars:
        limit = start + max_chars
        cut = -1
        # The space after a sentence's end is at most at ``limit``, so the sentence fits.
        for m in _SENTENCE_END.finditer(text, start + max_chars // 3, limit + 1):
            cut = m.start() + len(m.group().rstrip())
        if cut < 0:
            space = max(text.rfind(" ", start, limit + 1), text.rfind("\n", start, limit + 1))
            cut = space if space > start else limit
        if piece := text[start:cut].strip():
            pieces.append(piece)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if piece := text[start:].strip():
        pieces.append(piece)
    return pieces


def bounded(passages: Iterable[Passage], max_chars: int) -> Iterator[Passage]:
    """Each passage, split where longer than ``max_chars``; a part of one with its own id
    takes the id with ``#2``, ``#3``, ...: the first keeps it as it is."""
    for p in passages:
        if len(p.text) <= max_chars:
            yield p
            continue
        for i, piece in enumerate(split_long(p.text, max_chars), start=1):
            pid = p.pid if p.pid is None or i == 1 else f"{p.pid}#{i}"
            yield Passage(p.kind, piece, p.outlet, p.url, p.lead_in, pid)


def pack(passages: Sequence[Passage], max_chars: int) -> list[Passage]:
    """Join consecutive paragraphs of the same kind, source and lead-in, up to ``max_chars``.

    A quote is best read whole (a blockquote is one passage); a cap keeps each one short
    enough to show. A paragraph longer than the cap stays whole up to ``MAX_PARAGRAPH_CHARS``
    (it is trimmed when shown); a longer one is split, between sentences where it can be
    (``split_long``), so no passage is longer than that. ``max_chars`` 0 packs nothing.
    """
    packed: list[Passage] = []
    for p in bounded(passages, max(max_chars, MAX_PARAGRAPH_CHARS)):
        last = packed[-1] if packed else None
        if (
            last is not None
            and _source(last) == _source(p)
            and last.pid is None and p.pid is None
            and len(last.text) + 2 + len(p.text) <= max_chars
        ):
            last.text = f"{last.text}\n\n{p.text}"
        else:
            packed.append(Passage(p.kind, p.text, p.outlet, p.url, p.lead_in, p.pid))
    return packed
