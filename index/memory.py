"""Give freed memory back to the operating system between the stages of a build.

glibc's malloc keeps memory that Python and numpy have freed (the heap's free chunks, and
whole arenas of other threads) for later use, so a process's resident memory stays at its
peak long after the peak. A build moves on to stages that need memory of their own (the
embedding process beside it, then the nearest-neighbour graph), so it hands back what it no
longer uses first: ``malloc_trim(0)`` returns free pages anywhere in the heap, not only at its
top. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

log = logging.getLogger(__name__)

_libc: ctypes.CDLL | None = None
_looked = False


def _glibc() -> ctypes.CDLL | None:
    global _libc, _looked
    if not _looked:
        _looked = True
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else None
            if libc is not None and hasattr(libc, "malloc_trim"):
                _libc = libc
        except OSError:
            _libc = None
    return _libc


def give_back(*, collect: bool = True) -> bool:
    """Free unreachable objects (with ``collect``), then return malloc's free pages to the
    system. True when malloc_trim ran."""
    if collect:
        gc.collect()
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
