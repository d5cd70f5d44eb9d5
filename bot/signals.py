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


def came(stopping: asyncio.Event) -> bool:
    """For ``except asyncio.CancelledError``: whether the cancellation was the signal's (the
    event :func:`cancel_on` returned is set). If so, it is withdrawn from the current task, so
    the task can return cleanly; if not, the caller re-raises."""
    if not stopping.is_set():
        return False
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()
    return True
