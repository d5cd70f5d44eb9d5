"""Stopping on a signal wherever the running task waits."""

from __future__ import annotations

import asyncio
import contextlib
import signal


def cancel_on(*signals: signal.Signals) -> asyncio.Event:
    """Cancel the current task when one of ``signals`` comes, wherever it waits (an index
    build, the gateway's reconnect back-off, which ``Client.close`` would let run out first).
    Returns the event set when a signal came, so the task can tell that cancellation from
    another. A later call replaces the handlers."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    stopping = asyncio.Event()

    def stop() -> None:
        stopping.set()
        if task is not None:
            task.cancel()

    for sig in signals:
        # Not available on every platform; Ctrl-C still ends asyncio.run there.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop)
    return stopping
