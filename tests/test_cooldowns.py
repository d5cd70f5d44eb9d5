"""The per-user cooldown (bot.cooldowns), on a clock the test moves."""

from __future__ import annotations

from bot.cooldowns import Cooldowns, Wait


def test_one_bucket_per_user_and_one_notice_per_cooldown() -> None:
    now = [100.0]
    cooldowns = Cooldowns(10, clock=lambda: now[0])
    assert cooldowns.check(1) is None          # the first search starts the cooldown
    assert cooldowns.check(2) is None          # another user has their own
    now[0] = 103.0
    assert cooldowns.check(1) == Wait(7.0, first=True)
    assert cooldowns.check(1) == Wait(7.0, first=False)   # told once already
    now[0] = 110.0
    assert cooldowns.check(1) is None          # over: searching starts a new one
    now[0] = 111.0
    assert cooldowns.check(1) == Wait(9.0, first=True)    # a new cooldown, told again


def test_no_cooldown_when_zero() -> None:
    cooldowns = Cooldowns(0)
    assert all(cooldowns.check(1) is None for _ in range(5))


def test_cooldowns_long_over_are_forgotten_with_their_notices() -> None:
    """Thousands of users throttled once: the bot keeps no record of them forever."""
    now = [0.0]
    cooldowns = Cooldowns(10, clock=lambda: now[0])
    for user in range(10_001):
        cooldowns.check(user)
        cooldowns.check(user)  # refused and told
    now[0] = 100.0
    assert cooldowns.check(-1) is None  # a new user's search forgets the cooldowns long over
    assert set(cooldowns._until) == {-1} and not cooldowns._told
