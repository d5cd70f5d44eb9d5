"""Opening the index for the bot, building it first when there is none yet."""

from __future__ import annotations

import asyncio
import logging

from index.build import build
from index.loaders import LoadContext
from index.outlets import Gazetteer
from index.reader import IndexReader
from index.settings import IndexSettings

log = logging.getLogger(__name__)


def build_index(settings: IndexSettings) -> str:
    """Build the index from the corpus (blocking); returns the build summary."""
    ctx = LoadContext(Gazetteer.load(settings.outlets), settings.passage_chars)
    return build(settings.corpus, settings.database, ctx=ctx, params=settings.bm25).summary()


async def open_index(settings: IndexSettings) -> IndexReader:
    """Open the index; on a first run, build it from the corpus (off the event loop)."""
    if not settings.database.exists():
        log.info("no index at %s yet: building it from %s", settings.database, settings.corpus)
        summary = await asyncio.to_thread(build_index, settings)
        log.info("%s", summary)
    return await IndexReader.open(settings.database)
