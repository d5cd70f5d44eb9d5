"""One log line format for the indexer, the processes it starts and the bot, so that a bot's
log, which carries the lines of the builds it runs, reads as one."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: int | str = logging.INFO) -> None:
    """Log to standard error in :data:`FORMAT` (a no-op if logging is already configured)."""
    logging.basicConfig(level=level, stream=sys.stderr, format=FORMAT)
