"""Hits -> Discord messages, as plain data. The one place that knows Discord's limits.

Pure functions from data to data: a ``Reply`` holds the message content and embeds as the JSON
Discord takes (``discord.Embed.from_dict`` turns them into objects), so rendering is tested
without Discord and the terminal mode prints exactly what would be posted. Everything from a
question or the corpus is escaped: markdown can't restyle the answer, mentions can't ping
(and replies are sent with allowed mentions set to none as well), links are http(s) only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from discord.utils import escape_markdown

from index import sources
from index.reader import CitedSource, Hit, Stats
from index.sentences import SENTENCE_OR_LINE_END, after_abbreviation, last_sentence

from .state import REASONS, Gap

if TYPE_CHECKING:
    from .indexes import ReloadReport

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
FOOTER_SHOWN = 500  # thread titles under an answer; Discord allows more than reads well
FIELDS_MAX = 25
OUTLET_SHOWN = 100  # an outlet's name in running text; the field's name holds more
EMBED_TOTAL_MAX = 6000

COLOUR = 0x2B6CB0
ELLIPSIS = "…"
# Where a passage was cut: shown at the cut, so readers know there is more (Expand shows it).
CUT_MARK = " […]"

# Markdown that discord.utils.escape_markdown leaves alone: line-leading headers, subtext,
# block quotes and list markers.
_LINE_START = re.compile(r"^(\s*)(#{1,3}\s|-#\s|>>>\s|>\s|[-*+]\s|\d+[.)]\s)", re.MULTILINE)
_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#)(\d+)>")
# Brackets are escaped too: a "]" in an outlet's name would otherwise end a link's text and
# let the rest of the name make a link of its own. escape_markdown has doubled every backslash
# of the text by then, so a bracket after an odd run of them is one it escaped already.
_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to send: content and embeds as Discord's JSON. ``trimmed``: a passage in
    it was cut short (an "Expand" button can show it whole)."""

    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    trimmed: bool = False


def _escape_line_start(m: re.Match[str]) -> str:
    marker = m.group(2)
    if marker[0].isdigit():
        # "3\. ": Discord escapes punctuation only; a backslash before a digit would show.
        return m.group(1) + marker[:-2] + "\\" + marker[-2:]
    return m.group(1) + "\\" + marker


def escape(text: str) -> str:
    """Escape markdown and defuse mentions in text from a user or the corpus."""
    text = _BRACKET.sub(r"\1\\\2", escape_markdown(text))
    text = _LINE_START.sub(_escape_line_start, text)
    # A zero-width space after @ or < keeps the text readable but never a mention.
    return _MENTION.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], text)


def trim(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))  # a line's end is a word's end too
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" \n,;:.-–—") + ELLIPSIS


def trim_sentences(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to at most ``limit`` characters after its last whole sentence that fits,
    with ``CUT_MARK`` where the rest was left out; a word boundary when no sentence ends in the
    second half. Returns the text and whether it was cut."""
    text = text.strip()
    if len(text) <= limit:
        return text, False
    room = limit - len(CUT_MARK)
    if room <= 1:
        return trim(text, limit), True
    ends = [m.end() for m in SENTENCE_OR_LINE_END.finditer(text, 0, room + 1)
            if m.end() <= room and not after_abbreviation(text, m.start())]
    if ends and ends[-1] > room // 2:
        return text[:ends[-1]].rstrip() + CUT_MARK, True
    return trim(text, room) + CUT_MARK, True


def escaped_sentences_within(text: str, limit: int) -> tuple[str, bool]:
    """``trim_sentences`` of ``text``, escaped, fitting ``limit`` once escaped."""
    budget = limit
    while True:
        cut, trimmed = trim_sentences(text, budget)
        body = cut.removesuffix(CUT_MARK) if trimmed else cut
        out = escape(body) + (CUT_MARK if trimmed and cut.endswith(CUT_MARK) else "")
        if len(out) <= limit or budget <= 1:
            return (out[:limit], True) if len(out) > limit else (out, trimmed)
        budget -= max(1, len(out) - limit)


def answered_on(iso: str | None) -> str | None:
    """"6 Jan 2020" for an ISO 8601 date or moment; None for none (or a malformed one)."""
    if not iso:
        return None
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return None
    return f"{day.day} {day.strftime('%b')} {day.year}"


def escaped_within(text: str, limit: int) -> str:
    """Escape ``text`` and fit the result in ``limit``, trimming the raw text (never cutting an
    escape sequence in half)."""
    budget = limit
    while True:
        out = escape(trim(text, budget))
        if len(out) <= limit or budget <= 1:
            return out[:limit] if len(out) > limit else out
        budget -= max(1, len(out) - limit)


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, made safe inside a markdown link; else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~-._")


def link(text: str, url: str | None, *, preview: bool = True) -> str:
    """``text`` (raw: it is escaped here) linked to ``url`` when that is a safe address.
    Without ``preview`` the address is in angle brackets: in a message's text Discord then
    shows no preview card for it (review15 L2); ``safe_url`` escapes any ">" in it."""
    safe = safe_url(url)
    shown = escape(text)
    if not safe:
        return shown
    return f"[{shown}]({safe})" if preview else f"[{shown}](<{safe}>)"


def source_label(hit: Hit) -> str:
    """What a passage is: "Reuters", "Wikipedia · reference", "Nature · journal",
    "Linked post" (another Q&A post, not a source), or the answerer's words."""
    return sources.source_label(hit.kind, hit.outlet, hit.source_kind)


def _link_text(hit: Hit) -> str | None:
    """The words linked to a quote's address: its source's name, or what the link is."""
    if hit.outlet and hit.source_kind != "linked_post":
        return trim(hit.outlet, OUTLET_SHOWN)
    return {"linked_post": "linked post", "file_host": "image or file"}.get(
        hit.source_kind or "")


def field_name(hit: Hit) -> str:
    return f"{hit.rank} · " + escaped_within(source_label(hit), FIELD_NAME_MAX - 8)


# Each status of a list ("Blacklisted, Deprecated; No consensus") begins in lower case inside
# the sentence; acronyms ("UK") and names in a scope's parentheses keep their capitals.
_LIST_WORD = re.compile(r"(?:^|(?<=; )|(?<=, ))[A-Z](?=[a-z])")


def reliability_note(hit: Hit, *, linked: bool = True) -> str | None:
    """What Wikipedia's perennial-sources list says of a quote's outlet, briefly, linked to the
    discussion: information beside the quote, never a reason to hide or reorder it."""
    if hit.kind != "quote" or not hit.outlet or not hit.reliability:
        return None
    status = escaped_within(_LIST_WORD.sub(lambda m: m[0].lower(), hit.reliability), 80)
    return (link(status, hit.reliability_url) if linked else status) + " per Wikipedia"


def _credit(hit: Hit, room: int) -> str:
    """The line under a quote: the outlet linked to the article (its name alone is already in
    the field's name), what Wikipedia says of the outlet's reliability, when the answer was
    written, its score, the thread's link. Links that would crowd out the quote itself are
    left out."""
    date = answered_on(hit.answered_at)
    for linked in (True, False):
        outlet = _link_text(hit) if linked else None
        credit = [link(outlet, hit.url) if outlet and hit.url else None,
                  reliability_note(hit, linked=linked),
                  f"answered {date}" if date else None,
                  f"answer score {hit.answer_score}" if hit.answer_score is not None else None,
                  link(_page_word(hit), hit.thread_url) if linked and safe_url(hit.thread_url)
                  else None]
        tail = "— " + " · ".join(c for c in credit if c) if any(credit) else ""
        if len(tail) <= room // 2:
            break
    return tail


def _page_word(hit: Hit) -> str:
    """What the passage's page is: a Markdown note's own address (front matter ``url``) or a
    saved page that is no Q&A thread is not a "thread" (the loaders' keys say which)."""
    return ("note" if hit.passage_id.startswith("note:")
            else "page" if hit.passage_id.startswith("page:") else "thread")


# An ellipsis ends a lead-in only after a few words ("According to Yahoo News Japan..."); a
# longer paragraph ending so trails off after saying something.
LEAD_IN_WORDS = 12


def leads_in(paragraph: str) -> bool:
    """An answerer's paragraph that introduces what follows instead of saying something: it
    ends in a colon, or in an ellipsis after at most ``LEAD_IN_WORDS`` words."""
    text = paragraph.rstrip()
    return text.endswith(":") or (text.endswith(("...", "\u2026"))
                                  and len(text.split()) <= LEAD_IN_WORDS)


def _without_closing_lead_in(hit: Hit) -> tuple[str, bool]:
    """An answerer's passage without its last paragraph when that one is a lead-in: it
    introduces a quote shown elsewhere, or not at all ("I've added the following comment:").
    Returns the text and whether a paragraph was left out."""
    if hit.kind != "answer":
        return hit.text, False
    head, sep, last = hit.text.strip().rpartition("\n\n")
    if sep and head.strip() and leads_in(last):
        return head.rstrip(), True
    return hit.text, False


# An answerer's passage that ends pointing at what comes next in the answer ("Like in the
# following example", "as follows", "the code below"), or stops mid-clause before it ("He
# notes that", "your assertion that", "the report says", review12's "A rough translation of
# this is", "the National Cancer Institute states," and every other answerer's passage over
# the shared data ending in a comma: the sentence goes on in the quote below): that is another
# passage, or none (a picture), so the end is marked as a cut.
_POINTS_AHEAD = re.compile(r"(?::|,|\bthe\s+following(?:\s+\w+){0,2}|\bas\s+follows|"
                           r"\b(?:shown|see|code|example|image|picture)\s+below)\W*$"
                           r"|\b(?:that|says|said|writes|wrote|notes|noted|states|stated|reports|"
                           r"reported|explains|explained|adds|added|reads|goes|is|are|was|were)"
                           r"\s*$", re.IGNORECASE)


def points_ahead(text: str) -> bool:
    """Whether an answerer's words end pointing at what follows them in the answer."""
    return _POINTS_AHEAD.search(text.rstrip()[-60:]) is not None


def _points_ahead(hit: Hit, text: str) -> bool:
    return hit.kind == "answer" and points_ahead(text)


# A quote whose outlet is not named still has the answer's words introducing it ("From this
# AMA study on ephedrine:", "Ready.gov agrees:"): the source as the answer names it, which the
# label alone hides (review10 D8: 24 of 34 unnamed quotes were named so). Shown as the
# answerer's words, when short and pointing at the quote (a colon).
INTRO_CHARS = 160
INTRO_WORDS = 3


def introduced_as(hit: Hit) -> str | None:
    """The last sentence of an unnamed quote's lead-in, where it points at the quote."""
    if hit.kind != "quote" or hit.outlet or hit.source_kind or not hit.lead_in:
        return None
    last = last_sentence(hit.lead_in)
    if not last.endswith(":") or len(last) > INTRO_CHARS or len(last.split()) < INTRO_WORDS:
        return None
    return last


def _intro_line(hit: Hit) -> str:
    """``introduced_as`` as the line above the quote, escaped, in italics ("" for none)."""
    intro = introduced_as(hit)
    return f"*In the answer: \u201c{escaped_within(intro, INTRO_CHARS * 2)}\u201d*" if intro \
        else ""


def _passage_field(hit: Hit, budget: int) -> tuple[dict[str, Any], bool]:
    """A passage as an embed field, and whether its text was cut to fit."""
    room = min(FIELD_VALUE_MAX, budget)
    tail = _credit(hit, room)
    room -= len(tail) + 1
    head = _intro_line(hit)
    if head and len(head) + 1 <= room // 3:
        room -= len(head) + 1
    else:
        head = ""
    shown, dropped = _without_closing_lead_in(hit)
    # Each line is quoted ("> "), so a passage of many short lines (a list) grows when shown:
    # cut the text until the quoted body fits, never the body itself mid-line, unmarked.
    budget = max(room - 40, 20)
    while True:
        text, trimmed = escaped_sentences_within(shown, budget)
        if dropped and not trimmed:
            text, trimmed = text + CUT_MARK, True
        elif not trimmed and _points_ahead(hit, shown):
            text += CUT_MARK  # what it points at is not in this passage: "Expand" has no more
        body = _quoted(text)
        if len(body) <= max(room, 0) or budget <= 20:
            break
        budget = max(20, budget - (len(body) - room))
    if len(body) > max(room, 0):  # a room too small for even a short cut: a hard one, marked
        body, trimmed = body[: max(room - len(CUT_MARK), 0)] + CUT_MARK, True
    value = "\n".join(part for part in (head, body, tail) if part)
    return {"name": field_name(hit), "value": value[:FIELD_VALUE_MAX], "inline": False}, trimmed


def _quoted(text: str) -> str:
    """``text`` as a Discord block quote, line by line."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def render_answer(question: str, hits: Sequence[Hit], *, surface: str = "discord") -> Reply:
    """The answer to ``question``: one embed, a field per passage, inside every limit.
    ``surface`` ("discord" or "terminal") says how to browse when nothing matches."""
    if not hits:
        return render_nothing(question, surface=surface)
    title = escaped_within(f"Sources for: {question.strip() or '(empty question)'}", TITLE_MAX)
    own_words = all(h.kind == "answer" for h in hits)
    description = ("No quoted source matches this question; here is what answerers wrote."
                   if own_words else "")
    thread_titles = list(dict.fromkeys(h.thread_title for h in hits))
    footer = trim("From: " + " · ".join(thread_titles), FOOTER_SHOWN)
    shown = list(hits[:FIELDS_MAX])
    fixed = len(title) + len(description) + len(footer) + sum(len(field_name(h)) for h in shown)
    per_field = max(EMBED_TOTAL_MAX - fixed, 0) // len(shown)
    made = [_passage_field(h, per_field) for h in shown]
    fields = [f for f, _ in made]
    embed: dict[str, Any] = {"title": title, "color": COLOUR, "fields": fields,
                             "footer": {"text": footer}}
    if description:
        embed["description"] = description
    # Long outlet names or links can still overflow the total: fewer passages, never a refusal.
    while len(fields) > 1 and embed_length(embed) > EMBED_TOTAL_MAX:
        fields.pop()
    return Reply(embeds=[embed], trimmed=any(cut for _, cut in made[:len(fields)]))


BROWSE_HINTS = {
    "discord": "browse what the corpus cites with `/sources`",
    "terminal": "type `/sources` to list what the corpus cites, or see the closest passages "
                "and how relevant each is with `.venv/bin/python -m index search \"your "
                "words\"`",
}


def render_nothing(question: str, *, surface: str = "discord") -> Reply:
    """The honest "no good match", with a way to look further where the reader is. In the
    terminal it names the question: piped questions' answers follow one another there, while
    in Discord it replies to the question."""
    asked = (f" for “{escaped_within(question.strip(), 200)}”" if surface == "terminal"
             else "")
    text = (f"No good match{asked}: nothing in the corpus answers that question well enough. "
            f"Try other words, or {BROWSE_HINTS[surface]}.")
    return Reply(content=text)


# /sources lists sources under these headings, in this order.
SOURCE_HEADINGS = {"news": "News outlets", "reference": "Reference works",
                   "scholarly": "Scholarly sources", "government": "Government bodies",
                   "website": "Other websites"}


def sources_matching(sources: Sequence[CitedSource], filter_text: str) -> list[CitedSource]:
    """The sources whose name holds ``filter_text`` (any case); all of them for ""."""
    needle = filter_text.casefold()
    return [s for s in sources if not needle or (s.name and needle in s.name.casefold())]


def render_sources(sources: Sequence[CitedSource], *, page: int, per_page: int,
                   filter_text: str | None = None) -> Reply:
    """A page of ``/sources``: the sources cited, grouped by kind, most cited first in each;
    linked posts and image or file links counted in the footer, as they are no sources."""
    named = sorted((s for s in sources if s.name and s.kind in SOURCE_HEADINGS),
                   key=lambda s: (list(SOURCE_HEADINGS).index(s.kind), -s.passages, s.name))
    if not named:
        what = f" matching {escape(filter_text)!s}" if filter_text else ""
        return Reply(content=f"No source{what} is cited in the corpus.")
    pages = max(1, -(-len(named) // per_page))
    page = min(max(page, 0), pages - 1)
    lines: list[str] = []
    heading = None
    for s in named[page * per_page:(page + 1) * per_page]:
        if s.kind != heading:
            heading = s.kind
            lines += [""] * bool(lines) + [f"__{SOURCE_HEADINGS[s.kind]}__"]
        lines.append(f"**{escape(s.name or '')}**: {s.passages} passage"
                     f"{'s' if s.passages != 1 else ''}")
    title = "Sources cited" + (f" matching “{filter_text}”" if filter_text else "")
    footer = f"Page {page + 1} of {pages} · {len(named)} source{'s' if len(named) != 1 else ''}"
    uncounted = {s.kind: s.passages for s in sources if s.name is None}
    if not filter_text and (uncounted.get("linked_post") or uncounted.get("file_host")):
        footer += (" · not counted as sources: quotes from linked posts "
                   f"{uncounted.get('linked_post', 0)}, from image or file links "
                   f"{uncounted.get('file_host', 0)}")
    embed = {
        "title": escaped_within(title, TITLE_MAX),
        "color": COLOUR,
        "description": trim("\n".join(lines), DESCRIPTION_MAX),
        "footer": {"text": trim(footer, FOOTER_SHOWN)},
    }
    return Reply(embeds=[embed])


def render_stats(stats: Stats, *, reloaded_at: str, answered: int) -> Reply:
    rows = [
        ("Threads", stats.threads), ("Answers", stats.answers), ("Passages", stats.passages),
        ("Quotes", stats.quotes), ("Quotes with an outlet", stats.sourced_quotes),
        ("Outlets", stats.outlets), ("Files", stats.files), ("Questions answered", answered),
    ]
    embed = {
        "title": "Sourced: corpus statistics",
        "color": COLOUR,
        "fields": [{"name": n, "value": f"{v:,}", "inline": True} for n, v in rows],
        "footer": {"text": f"Index built {stats.built_at} · last loaded {reloaded_at}"},
    }
    return Reply(embeds=[embed])


def render_reload(report: ReloadReport) -> Reply:
    """What a reload changed, and which files it skipped and why."""
    def names(items: Sequence[str]) -> str:
        shown = ", ".join(escape(i) for i in items[:10])
        return shown + (f" and {len(items) - 10} more" if len(items) > 10 else "")

    def delta(before_after: tuple[int, int]) -> str:
        before, after = before_after
        return f"{after:,} ({after - before:+,})"

    lines = [f"Threads: {delta(report.threads)} · Passages: {delta(report.passages)}"]
    for label, items in (("Files added", report.added_files),
                         ("Files changed", report.changed_files),
                         ("Files removed", report.removed_files),
                         ("Outlets added", report.added_outlets),
                         ("Outlets removed", report.removed_outlets)):
        if items:
            lines.append(f"{label}: {names(items)}")
    if not any((report.added_files, report.changed_files, report.removed_files)):
        lines.append("No corpus file changed.")
    if report.sites_by_folder:
        lines.append("Thread links named after the dump's folder (a `site.toml` beside "
                     f"`Posts.xml` sets another site): {names(report.sites_by_folder)}")
    embed: dict[str, Any] = {
        "title": "Corpus reloaded",
        "color": COLOUR,
        "description": trim("\n".join(lines), DESCRIPTION_MAX),
        "footer": {"text": f"Built in {report.seconds:.1f} s"},
    }
    listed = [(name, items) for name, items in (
        (f"Skipped {len(report.skipped)} file(s)", report.skipped),
        (f"Left out {len(report.skipped_records)} record(s) of files that loaded",
         report.skipped_records),
        (f"Ignored {len(report.ignored)} file(s)", report.ignored)) if items]
    if listed:
        # Three full fields and a full description would pass Discord's 6,000 characters for
        # a whole embed (review13 F1): the lists share what the rest leaves.
        left = EMBED_TOTAL_MAX - embed_length(embed) - sum(len(name) for name, _ in listed)
        each = min(FIELD_VALUE_MAX, left // len(listed))
        embed["fields"] = [{"name": name, "value": bullets_within(items, each),
                            "inline": False} for name, items in listed]
    return Reply(embeds=[embed])


def bullets_within(items: Sequence[str], limit: int) -> str:
    """``items`` (raw: escaped here) as a bulleted list within ``limit`` characters: whole
    lines (one too long for the list is cut, marked), then how many were left out."""
    more = "… and {} more"
    reserve = len(more.format(len(items))) + 1
    lines: list[str] = []
    used = 0
    for i, item in enumerate(items):
        line = "• " + escaped_within(item, max(limit - reserve - 3, 1))
        if used + len(line) + 1 > limit - (reserve if i < len(items) - 1 else 0):
            break
        lines.append(line)
        used += len(line) + 1
    if len(lines) < len(items):
        lines.append(more.format(len(items) - len(lines)))
    return "\n".join(lines)[:limit]


def as_text(reply: Reply) -> str:
    """The reply as the text a reader sees in Discord, for the terminal mode."""
    parts = [reply.content] if reply.content else []
    for embed in reply.embeds:
        if embed.get("title"):
            parts.append(f"**{embed['title']}**")
        if embed.get("description"):
            parts.append(embed["description"])
        parts.extend(f"{f['name']}\n{f['value']}" for f in embed.get("fields", []))
        if embed.get("footer", {}).get("text"):
            parts.append(embed["footer"]["text"])
    return "\n\n".join(parts)


def embed_length(embed: dict[str, Any]) -> int:
    """Characters Discord counts toward the 6000 limit of a message's embeds."""
    return (len(embed.get("title", "")) + len(embed.get("description", ""))
            + sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
            + len(embed.get("footer", {}).get("text", ""))
            + len(embed.get("author", {}).get("name", "")))


EMBEDS_MAX = 10  # embeds in one message


def render_whole(hits: Sequence[Hit]) -> Reply:
    """The passages of an answer page in full ("Expand"): an embed each, the text in the
    description (4096), inside the 6000 of a message; what still does not fit is cut after a
    sentence, marked, with the thread's link for the rest. Passages left no room at all are
    named in the message's text, each with its thread's link, never dropped unsaid."""
    embeds: list[dict[str, Any]] = []
    budget = EMBED_TOTAL_MAX
    for hit in list(hits)[:EMBEDS_MAX]:
        name = field_name(hit)
        tail = _credit(hit, FIELD_VALUE_MAX)
        head = _intro_line(hit)
        room = min(DESCRIPTION_MAX, budget - len(name)) - len(tail) - 2 - len(head) - 2
        if room < 100:
            break
        # Whole, a closing lead-in too; an end that points ahead is marked as in the field.
        ahead = _points_ahead(hit, hit.text)
        text, trimmed = escaped_sentences_within(hit.text, room - len(CUT_MARK) * ahead)
        if ahead and not trimmed:
            text += CUT_MARK
        description = "\n\n".join(part for part in (head, text, tail) if part).strip()
        embed = {"title": name, "color": COLOUR, "description": description}
        embeds.append(embed)
        budget -= embed_length(embed)
    if not embeds:
        return Reply(content="Those passages are no longer in the index; ask again.")
    return Reply(content=did_not_fit(hits[len(embeds):]), embeds=embeds)


def did_not_fit(hits: Sequence[Hit]) -> str:
    """The passages one message had no room for, by rank and source, each linked to its
    thread (review14 M2: Expand dropped them unsaid); "" for none. Within ``CONTENT_MAX``."""
    if not hits:
        return ""
    n = len(hits)
    text = f"{n} more passage{'s' if n != 1 else ''} did not fit in this message: "
    items = []
    for hit in hits:
        page = link(_page_word(hit), hit.thread_url, preview=False)  # beside embeds
        items.append(f"{hit.rank} · {escaped_within(source_label(hit), OUTLET_SHOWN)} ({page})")
    for shown in range(len(items), 0, -1):
        rest = len(items) - shown
        line = text + "; ".join(items[:shown]) + (f"; and {rest} more" if rest else "") + "."
        if len(line) <= CONTENT_MAX:
            return line
    return text.rstrip(": ") + "; read them in their threads."


GAPS_MORE = "… and {} more not shown."


def render_gaps(gaps: Sequence[Gap], total: int | None = None) -> Reply:
    """``/gaps``: questions that got "no good match" or 👎, most frequent first, with the
    reasons given, so admins know what to add to the corpus. ``total``: how many questions
    are on record, when ``gaps`` holds only the first of them."""
    if not gaps:
        return Reply(content="No gaps on record: every question asked got passages, and none "
                             "got a 👎.")
    total = max(total or 0, len(gaps))
    lines = []
    for i, gap in enumerate(gaps, start=1):
        what = []
        if gap.unmatched:
            what.append(f"{gap.unmatched}× no good match")
        if gap.down_votes:
            reasons = ", ".join(f"{REASONS.get(r, r).lower()} {n}"
                                for r, n in sorted(gap.reasons.items(), key=lambda x: -x[1]))
            what.append(f"{gap.down_votes}× 👎" + (f" ({reasons})" if reasons else ""))
        lines.append(f"{i}. {escaped_within(gap.question, 200)} — {'; '.join(what)}")
    description, shown = "", 0
    for line in lines:  # whole lines only, with room for the count of those left out
        if len(description) + len(line) + 1 > DESCRIPTION_MAX - len(GAPS_MORE.format(total)):
            break
        description += line + "\n"
        shown += 1
    if shown < total:  # review14 L3: never leave questions out unsaid
        description += GAPS_MORE.format(total - shown)
    embed = {"title": "Gaps: questions the corpus answers badly", "color": COLOUR,
             "description": description.strip(),
             "footer": {"text": "Most frequent first. Add documents that answer them to the "
                                "corpus, then /reload."}}
    return Reply(embeds=[embed])
