"""What an answerer's lead-in says about the quote after it: the outlet it names, whether it
points at what follows, and which paragraphs are the answerer speaking again."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .model import Passage
from .outlets import Gazetteer, Mention
from .sentences import SENTENCE_END

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
PRONOUN_REPORTS = re.compile(
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
    ends = [e.end() for e in SENTENCE_END.finditer(text)]
    sentence = {m: sum(end <= m.start for end in ends) for m in cited}
    final = len(ends)
    last = max(sentence.values())
    if last < final and not POINTS_BACK.match(SENTENCE_END.split(text)[-1]):
        # "The NYT covered the study. In fact, that study noted:": the last sentence
        # introduces something else than the outlet an earlier one cited.
        return None
    if len({m.outlet for m in cited if sentence[m] == last}) > 1:
        return None  # "As the BBC and CNN reported:": which one the words are from is a guess
    if _PARAPHRASED.search(SENTENCE_END.split(text)[-1]):
        return None  # "Paraphrased from the ... Wikipedia entry:": not the source's words
    chosen = next(m for m in cited if sentence[m] == last)
    if _PASSES_ON.search(text[chosen.end:]):
        return None  # "Wikipedia cites the study ...:": the quote is the study's
    if _TURNS_AWAY.search(text[chosen.end:]):
        return None  # "The Wikipedia article is wordy, so I will instead quote this page:"
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


# After the outlet, the lead-in turns to another source for the words (review12 D0: "The
# Wikipedia article has a fairly wordy summary ..., so I will instead quote from this page").
# The turn is about what is quoted, not inside what the outlet reported ("Reuters reported that
# the police used tear gas instead of rubber bullets:" still names Reuters: review13 F4).
_TURNS_AWAY = re.compile(
    r"\binstead\s+(?:quote|cite|use|link|take)\b"
    r"|\b(?:quote|quoting|cite|citing|use|using|link)\s+(?:[\w'’-]+\s+){0,4}?instead\b"
    r"|\brather\s+than\s+(?:quote|quoting|cite|citing|use|using|link)\b", re.IGNORECASE)


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
POINTS_BACK = re.compile(
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
    ends = [e.end() for e in SENTENCE_END.finditer(text)]
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
        introduced = introduced or INTRODUCES.search(p.text.rstrip()[-24:]) is not None
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
INTRODUCES = re.compile(
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
    return bool(PRONOUN_REPORTS.match(text) or _SOURCE_PHRASE.match(text))


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
