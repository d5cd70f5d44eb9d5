"""``/source``'s outlet autocomplete: Discord takes at most 100 characters for a choice's name
and for its value, and outlet names can be longer; the value of a long one is a stable key
that ``resolve_outlet`` turns back into the full name."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from .render import trim

CHOICE_MAX = 100
_KEY = re.compile(r"…#([0-9a-f]{12})$")


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def outlet_choice(name: str, passages: int) -> tuple[str, str]:
    """(label, value) of an autocomplete choice for ``name``, both within Discord's limits."""
    count = f" ({passages})"
    label = trim(name, CHOICE_MAX - len(count)) + count
    if len(name) <= CHOICE_MAX and not _KEY.search(name):
        return label, name
    return label, f"{name[:CHOICE_MAX - 16].rstrip()}…#{_digest(name)}"


def resolve_outlet(value: str, names: Iterable[str]) -> str | None:
    """The outlet ``value`` names: its name (any case and spacing) or a long outlet's key."""
    names = list(names)
    wanted = _folded(value)
    for name in names:
        if _folded(name) == wanted:
            return name
    if key := _KEY.search(value):
        return next((n for n in names if _digest(n) == key[1]), None)
    return None
