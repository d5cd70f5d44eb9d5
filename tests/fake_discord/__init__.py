"""A local fake of Discord's REST API and gateway, for testing the real bot end to end.

The bot under test is the real discord.py client in its own process; its config points
``[discord] api_base`` and ``gateway_url`` at this server (which binds 127.0.0.1 only).
"""

from .server import FakeDiscord, RecordedCall

__all__ = ["FakeDiscord", "RecordedCall"]
