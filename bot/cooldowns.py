"""One cooldown per user, shared by every way of searching: a mention, ``/ask``, an
auto-answer channel, ``/source`` and **More**. A user who asks again too soon is told once per
cooldown, and only they are told: an ephemeral reply to a command or button, a reaction on a
message (never a public "please wait" reply)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import discord

WAIT_EMOJI = "⏳"


@dataclass(frozen=True, slots=True)
class Wait:
    seconds: float   # until the user may search again
    first: bool      # the first refusal of this cooldown: the one to tell the user about


class Cooldowns:
    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._until: dict[int, float] = {}    # user -> when their cooldown ends
        self._told: set[int] = set()          # users told during their current cooldown

    def check(self, user_id: int) -> Wait | None:
        """None when ``user_id`` may search now (their cooldown starts); else how long to
        wait, and whether this is the first refusal of the cooldown."""
        if self.seconds <= 0:
            return None
        now = self._clock()
        until = self._until.get(user_id, 0.0)
        if now >= until:
            if len(self._until) > 10_000:  # forget cooldowns long over
                self._until = {u: t for u, t in self._until.items() if t > now}
                self._told &= self._until.keys()
            self._until[user_id] = now + self.seconds
            self._told.discard(user_id)
            return None
        first = user_id not in self._told
        self._told.add(user_id)
        return Wait(until - now, first)


def wait_text(wait: Wait) -> str:
    return f"Please wait {max(1, round(wait.seconds))} s before searching again."


async def interaction_may_search(cooldowns: Cooldowns,
                                 interaction: discord.Interaction[Any]) -> bool:
    """Take a search from the user's cooldown; when it is not over, answer the interaction
    (it must be answered) with an ephemeral notice and return False."""
    wait = cooldowns.check(interaction.user.id)
    if wait is None:
        return True
    await interaction.response.send_message(wait_text(wait), ephemeral=True)
    return False


async def message_may_search(cooldowns: Cooldowns, message: discord.Message) -> bool:
    """The same for a message: the first refused one of a cooldown gets a reaction."""
    wait = cooldowns.check(message.author.id)
    if wait is None:
        return True
    if wait.first:
        # Without permission to react, staying silent beats a public reply.
        with contextlib.suppress(discord.HTTPException):
            await message.add_reaction(WAIT_EMOJI)
    return False
