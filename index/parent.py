"""A build started by another program (the bot's ``/reload``) ends when that program does, so
an abandoned build never runs on, holding memory and the index's temporary files."""

from __future__ import annotations

import logging
import os
import threading
import time

log = logging.getLogger(__name__)

# The environment variable naming the process the build must not outlive.
EXIT_WITH_PARENT = "SOURCED_EXIT_WITH_PARENT"


def exit_with_parent(poll_seconds: float = 0.5) -> None:
    """With ``$SOURCED_EXIT_WITH_PARENT`` set to the id of the process that started this one
    (anything put before the command must exec it, as ``prlimit`` does), exit as soon as this
    process is no longer its child: that process is gone. Without the variable, nothing."""
    wanted = os.environ.get(EXIT_WITH_PARENT, "")
    if not wanted.isdigit():
        return
    parent = int(wanted)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        # It may have died while this process was still starting (imports take a second).
        log.error("the process that started this build (%d) is gone: stopping", parent)
        os._exit(3)

    threading.Thread(target=watch, name="sourced-exit-with-parent", daemon=True).start()
