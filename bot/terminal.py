"""Terminal mode: questions from standard input, answers as the bot would post them."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from typing import TextIO

from index.config import Config
from index.reader import IndexReader

from .answering import answer
from .questions import WORDLESS, searchable
from .render import as_text, render_sources, sources_matching

SOURCES = "/sources"  # typed instead of a question: what the corpus cites, as /sources lists it
EMPTY = ("(An empty line: type a question, for example: why was Soleimani in Baghdad? "
         "Or /sources.)")


def _lines(stdin: TextIO) -> asyncio.Queue[str]:
    """The lines of ``stdin`` as they come ("" once it ends), read by a daemon thread: a
    thread of asyncio's executor blocked in ``readline`` would keep the process alive after
    SIGTERM until the input ends (review16 F10)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        while True:
            line = stdin.readline()
            loop.call_soon_threadsafe(queue.put_nowait, line)
            if not line:
                return

    threading.Thread(target=read, name="stdin", daemon=True).start()
    return queue


async def run_terminal(config: Config, reader: IndexReader, *, stdin: TextIO = sys.stdin,
                       stdout: TextIO = sys.stdout) -> None:
    """Answer each line of ``stdin`` until it ends; a prompt only when a person is typing."""
    interactive = stdin.isatty()
    # The Discord bot answers with BM25 alone while the sentence model loads (it must stay up);
    # here that would answer the first questions differently from every later run, so wait.
    print("Loading the search index" + (" and its sentence model" if reader.loading_model
                                         else "") + "...", file=sys.stderr, flush=True)
    await reader.semantic_ready()
    lines = _lines(stdin)
    while True:
        if interactive:
            stdout.write("question> ")
            stdout.flush()
        line = await lines.get()
        if not line:
            if interactive:
                stdout.write("\n")
            return
        if not line.strip():
            if not interactive:  # piped: one reply a line, so answers stay beside questions
                stdout.write(EMPTY + "\n\n")
            continue
        question = searchable(line)
        if question is None:  # "?" or a custom emoji alone: Discord's hint, and no search
            stdout.write(WORDLESS + "\n\n")
            stdout.flush()
            continue
        if question == SOURCES or question.startswith(SOURCES + " "):
            wanted = question.removeprefix(SOURCES).strip()
            sources = sources_matching(await reader.sources(), wanted)
            reply = render_sources(sources, page=0, per_page=max(1, len(sources)),
                                   filter_text=wanted or None)
        else:
            settings = config.answers
            reply = (await answer(reader, question, k=settings.passages,
                                  min_relevance=settings.min_relevance,
                                  min_score=settings.min_score, surface="terminal")).reply
        try:
            stdout.write(as_text(reply) + "\n\n")
            stdout.flush()
        except BrokenPipeError:
            # Whoever read the answers has gone (`make run | head`): stop as Unix tools do,
            # quietly, leaving nothing for the interpreter to flush into the closed pipe.
            os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())
            return
