"""Whose words a quote is when it cites no outlet: the answerer's own material (a prompt, a
query, a chatbot's reply) or the claim under examination, as the lead-in says."""

from __future__ import annotations

import re

from .lead_ins import INTRODUCES
from .sentences import SENTENCE_END, last_sentence

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
    last = SENTENCE_END.split(lead.rstrip())[-1]
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
# with the negative prompt:", "I used the prompt on [Bard]:", "I asked ChatGPT this.", "This is
# what I used to get ...". Not one that cites what is said about prompts ("The guide's section
# on prompts says:").
_SHOWS_PROMPT = re.compile(
    r"^\W*(?:(?:negative|system|example)\s+)?prompt\s*:?\s*$"
    rf"|^\W*(?:Me|User|Human|You|Input|System)\s*{_ASIDE}:\s*$"
    r"|\b(?:the|this|a|my|your|following|negative|system|same|that|adjusted|new)\s+"
    r"(?:[\w-]+\s+){0,2}?prompts?\b"
    r"|\bI\s+(?:then\s+|just\s+|also\s+)?(?:asked|prompted|typed|entered|told)\s+"
    r"(?:it|ChatGPT|Bard|Bing|Claude|Gemini|the\s+(?:model|AI|bot))\b"
    # "This is what I used to get an example of ...": review12 D3, genai 44.
    # (not "what I used as a reference", "what I entered into the form": review13 F5).
    r"|\bwhat\s+I\s+(?:then\s+|just\s+|first\s+)?(?:used\s+to\s+(?:get|generate|make|produce|"
    r"create)|prompted|fed\s+it|gave\s+it)\b",
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
    last = SENTENCE_END.split(lead_in.rstrip())[-1]
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
_CLAIM_INTRODUCED = re.compile(r"(?::|\bthat|\.\.\.|…)\s*$|" + INTRODUCES.pattern,
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
