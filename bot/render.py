"""Hits -> Discord messages, as plain data. The one place that knows Discord's limits.

Pure functions from data to data: a ``Reply`` holds the message content and embeds as the JSON
Discord takes (``discord.Embed.from_dict`` turns them into objects), so rendering is tested
without Discord and the terminal mode prints exactly what would be posted. Everything from a
question or the corpus is escaped: markdown can't restyle the answer, mentions can't ping
(and replies are sent with allowed mentions set to none as well), links are http(s) only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from discord.utils import escape_markdown

from index.reader import Hit, Stats

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
    """A message to send: content and embeds as Discord's JSON."""

    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)


def escape(text: str) -> str:
    """Escape markdown and defuse mentions in text from a user or the corpus."""
    text = _BRACKET.sub(r"\1\\\2", escape_markdown(text))
    text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
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
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


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


def link(text: str, url: str | None) -> str:
    """``text`` (raw: it is escaped here) linked to ``url`` when that is a safe address."""
    safe = safe_url(url)
    shown = escape(text)
    return f"[{shown}]({safe})" if safe else shown


def source_label(hit: Hit) -> str:
    if hit.kind == "answer":
        return "The answerer's own words"
    return hit.outlet or "Quote (outlet not named)"


def field_name(hit: Hit) -> str:
    return f"{hit.rank} · " + escaped_within(source_label(hit), FIELD_NAME_MAX - 8)


def _credit(hit: Hit, room: int) -> str:
    """The line under a quote: the outlet linked to the article (its name alone is already in
    the field's name), the answer's score, the thread's link. Links that would crowd out the
    quote itself are left out."""
    for linked in (True, False):
        outlet = trim(hit.outlet, OUTLET_SHOWN) if hit.outlet and linked else None
        credit = [link(outlet, hit.url) if outlet and hit.url else None,
                  f"answer score {hit.answer_score}" if hit.answer_score is not None else None,
                  link("thread", hit.thread_url) if linked and safe_url(hit.thread_url)
                  else None]
        tail = "— " + " · ".join(c for c in credit if c) if any(credit) else ""
        if len(tail) <= room // 2:
            break
    return tail


def _passage_field(hit: Hit, budget: int) -> dict[str, Any]:
    room = min(FIELD_VALUE_MAX, budget)
    tail = _credit(hit, room)
    room -= len(tail) + 1
    lines = escaped_within(hit.text, max(room - 40, 20)).splitlines()
    body = "\n".join(f"> {line}" if line.strip() else ">" for line in lines)
    body = body[: max(room, 0)]
    value = f"{body}\n{tail}" if tail else body
    return {"name": field_name(hit), "value": value[:FIELD_VALUE_MAX], "inline": False}


def render_answer(question: str, hits: Sequence[Hit]) -> Reply:
    """The answer to ``question``: one embed, a field per passage, inside every limit."""
    if not hits:
        return render_nothing(question)
    title = escaped_within(f"Sources for: {question.strip() or '(empty question)'}", TITLE_MAX)
    own_words = all(h.kind == "answer" for h in hits)
    description = ("No quoted source matches this question; here is what answerers wrote."
                   if own_words else "")
    thread_titles = list(dict.fromkeys(h.thread_title for h in hits))
    footer = trim("From: " + " · ".join(thread_titles), FOOTER_SHOWN)
    shown = list(hits[:FIELDS_MAX])
    fixed = len(title) + len(description) + len(footer) + sum(len(field_name(h)) for h in shown)
    per_field = max(EMBED_TOTAL_MAX - fixed, 0) // len(shown)
    fields = [_passage_field(h, per_field) for h in shown]
    embed: dict[str, Any] = {"title": title, "color": COLOUR, "fields": fields,
                             "footer": {"text": footer}}
    if description:
        embed["description"] = description
    # Long outlet names or links can still overflow the total: fewer passages, never a refusal.
    while len(fields) > 1 and embed_length(embed) > EMBED_TOTAL_MAX:
        fields.pop()
    return Reply(embeds=[embed])


def render_nothing(question: str) -> Reply:
    text = ("Nothing in the corpus matches that question well enough. Try other words, or "
            "browse what the corpus cites with `/sources`.")
    return Reply(content=text)


def render_outlets(outlets: Sequence[tuple[str, int]], *, page: int, per_page: int,
                   filter_text: str | None = None) -> Reply:
    """A page of ``/sources``: outlets with their passage counts, most cited first."""
    if not outlets:
        what = f" matching {escape(filter_text)!s}" if filter_text else ""
        return Reply(content=f"No outlet{what} is cited in the corpus.")
    pages = max(1, -(-len(outlets) // per_page))
    page = min(max(page, 0), pages - 1)
    chunk = outlets[page * per_page:(page + 1) * per_page]
    lines = [f"**{escape(name)}**: {n} passage{'s' if n != 1 else ''}" for name, n in chunk]
    title = "Outlets cited" + (f" matching “{filter_text}”" if filter_text else "")
    embed = {
        "title": escaped_within(title, TITLE_MAX),
        "color": COLOUR,
        "description": trim("\n".join(lines), DESCRIPTION_MAX),
        "footer": {"text": f"Page {page + 1} of {pages} · {len(outlets)} outlets"},
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
    embed: dict[str, Any] = {
        "title": "Corpus reloaded",
        "color": COLOUR,
        "description": trim("\n".join(lines), DESCRIPTION_MAX),
        "footer": {"text": f"Built in {report.seconds:.1f} s"},
    }
    if report.skipped:
        skipped = "\n".join(f"• {escape(s)}" for s in report.skipped)
        embed["fields"] = [{"name": f"Skipped {len(report.skipped)} file(s)",
                            "value": trim(skipped, FIELD_VALUE_MAX), "inline": False}]
    return Reply(embeds=[embed])


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
