"""The fake server: REST routes, the gateway websocket, event delivery, fault injection.

One guild with one text channel, an "Admins" role with Manage Server, an admin and a plain
member. Every REST call the bot makes is recorded. Gateway events are numbered per session and
kept, so a RESUME replays what the bot missed, as Discord does.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import limits
from . import payloads as p

MANAGE_GUILD = 1 << 5
GUILD_MESSAGES, MESSAGE_CONTENT = 1 << 9, 1 << 15  # gateway intents
NONCE_WINDOW = 120.0  # seconds Discord remembers an enforced nonce ("the past few minutes")
EVERYONE_PERMISSIONS = 0x0000_0000_0006_4CC0  # view, send, embed, history, reactions, ...


@dataclass(frozen=True, slots=True)
class RecordedCall:
    method: str
    path: str            # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    status: int
    at: float = field(default_factory=time.monotonic)


@dataclass(slots=True)
class _Fault:
    matches: Callable[[str, str], bool]
    status: int
    retry_after: float
    remaining: int
    after_handling: bool = False


@dataclass(slots=True)
class _Session:
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)


Handler = Callable[[web.Request, re.Match[str], Any], Awaitable[tuple[int, Any]]]


class FakeDiscord:
    def __init__(self, *, heartbeat_interval_ms: int = 41250) -> None:
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.app_id = p.snowflake()
        self.bot_user = p.user(self.app_id, "Sourced", bot=True)
        self.guild_id = p.snowflake()
        self.channel_id = p.snowflake()
        # A forum with one post (a thread): auto-answer channels may be forums.
        self.forum_id = p.snowflake()
        self.forum_post_id = p.snowflake()
        self.admin_role_id = p.snowflake()
        # The role Discord makes for a bot when it joins ("@Sourced" in the role list too).
        self.bot_role_id = p.snowflake()
        self.owner = p.user(p.snowflake(), "owner")
        self.admin = p.user(p.snowflake(), "admin")
        self.member = p.user(p.snowflake(), "member")
        self.calls: list[RecordedCall] = []
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.identifies = 0
        # The intents the bot identified with, and the developer portal's toggle for the
        # privileged Message Content intent: off, an IDENTIFY asking for it is refused (4014).
        self.intents = 0
        self.portal_message_content = True
        self.refuse_gateway = False
        self.resumes = 0
        self.messages: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()   # message ids deleted (``delete_message``)
        self.created: list[dict[str, Any]] = []   # every message the bot created, in order
        self._nonces: dict[str, tuple[float, dict[str, Any]]] = {}
        # Deferred interactions (type 5) whose "thinking" message the first followup becomes.
        self._thinking: dict[str, dict[str, Any]] = {}
        self._faults: list[_Fault] = []
        self._sessions: dict[str, _Session] = {}
        self._session_id: str | None = None
        self._ws: web.WebSocketResponse | None = None
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/users/@me"), self._me),
            ("GET", re.compile(r"/(?:oauth2/)?applications/@me"), self._app_info),
            ("GET", re.compile(r"/gateway(?:/bot)?"), self._gateway_info),
            ("PUT", re.compile(r"/applications/\d+(?:/guilds/(?P<guild>\d+))?/commands"),
             self._put_commands),
            ("GET", re.compile(r"/applications/\d+(?:/guilds/(?P<guild>\d+))?/commands"),
             self._get_commands),
            ("POST", re.compile(r"/channels/(?P<channel>\d+)/messages"), self._post_message),
            ("POST", re.compile(r"/channels/\d+/typing"), self._no_content),
            ("PATCH", re.compile(r"/channels/(?P<channel>\d+)/messages/(?P<id>\d+)"),
             self._patch_message),
            ("DELETE", re.compile(r"/channels/\d+/messages/\d+"), self._no_content),
            ("PUT", re.compile(r"/channels/\d+/messages/(?P<id>\d+)/reactions/[^/]+/@me"),
             self._react),
            ("POST", re.compile(r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback"),
             self._callback),
            ("POST", re.compile(r"/webhooks/\d+/(?P<token>[^/]+)"), self._followup),
            ("GET", re.compile(r"/webhooks/\d+/(?P<token>[^/]+)/messages/(?P<id>@original|\d+)"),
             self._get_webhook_message),
            ("PATCH", re.compile(r"/webhooks/\d+/(?P<token>[^/]+)/messages/(?P<id>@original|\d+)"),
             self._patch_webhook_message),
            ("DELETE", re.compile(r"/webhooks/\d+/(?P<token>[^/]+)/messages/(?P<id>@original|\d+)"),
             self._delete_webhook_message),
        ]

    # -- life cycle -------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- waiting ----------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, condition: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Wait until ``condition()`` is truthy (checked whenever a call or event arrives)."""
        async def wait() -> Any:
            async with self._changed:
                while not (result := condition()):
                    await self._changed.wait()
                return result
        return await asyncio.wait_for(wait(), timeout)

    async def wait_for_call(self, method: str, path_pattern: str, *, after: int = 0,
                            timeout: float = 15.0) -> RecordedCall:
        """The first recorded call (from index ``after``) whose path matches the pattern."""
        pattern = re.compile(path_pattern)

        def find() -> RecordedCall | None:
            return next((c for c in self.calls[after:]
                         if c.method == method and pattern.fullmatch(c.path)), None)
        return await self.wait_until(find, timeout)

    def calls_to(self, method: str, path_pattern: str) -> list[RecordedCall]:
        pattern = re.compile(path_pattern)
        return [c for c in self.calls if c.method == method and pattern.fullmatch(c.path)]

    async def wait_ready(self, *, identifies: int = 1, timeout: float = 30.0,
                         commands: bool = True) -> None:
        """Until the bot has identified (``identifies`` times in all, counting earlier bot
        processes) and, with ``commands``, registered its commands in the guild."""
        await self.wait_until(lambda: self.identifies >= identifies
                              and (self.commands.get(self.guild_id) or not commands), timeout)

    # -- faults -----------------------------------------------------------------------------

    def fail_next(self, method: str, path_pattern: str, *, status: int, times: int = 1,
                  retry_after: float = 0.3, after_handling: bool = False) -> None:
        """The next ``times`` matching calls answer ``status`` (429 with ``retry_after``).
        ``after_handling``: the call takes effect first (a message is created), as when
        Discord fails between doing the work and answering."""
        pattern = re.compile(path_pattern)
        self._faults.append(_Fault(lambda m, path: m == method and bool(pattern.fullmatch(path)),
                                   status, retry_after, times, after_handling))

    async def close_gateway(self, code: int = 4000) -> None:
        """Drop the bot's socket, as Discord does now and then; the bot should RESUME."""
        if self._ws is not None:
            await self._ws.close(code=code, message=b"fake: dropped")

    # -- events to the bot ------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        if self._session_id is None:
            raise RuntimeError("the bot has not identified yet")
        session = self._sessions[self._session_id]
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.events.append(frame)
        if self._ws is not None and not self._ws.closed:
            await self._ws.send_json(frame)

    def _member_of(self, u: dict[str, Any]) -> dict[str, Any]:
        roles = [self.admin_role_id] if u["id"] == self.admin["id"] else []
        return p.member(u, roles)

    async def send_message(self, content: str, *, author: dict[str, Any] | None = None,
                           mention_bot: bool = True, mention_role: bool = False,
                           reply_to: str | None = None, channel_id: str | None = None) -> str:
        """A MESSAGE_CREATE in the guild; returns the message id. ``mention_bot`` writes the
        bot's mention first; ``mention_role`` the bot's own role's instead; ``reply_to``
        makes it a reply, with ping, to that message: Discord then lists the replied-to
        author in ``mentions`` though the text mentions nobody."""
        author = author or self.member
        mentions: list[dict[str, Any]] = []
        roles: list[str] = []
        if mention_role:
            content = f"<@&{self.bot_role_id}> {content}"
            roles = [self.bot_role_id]
        elif mention_bot and reply_to is None:
            content = f"<@{self.app_id}> {content}"
        if (mention_bot and not mention_role) or reply_to is not None:
            mentions = [{**self.bot_user, "member": p.member(self.bot_user, [])}]
        reference = None
        if reply_to is not None:
            reference = {"message_id": reply_to, "channel_id": channel_id or self.channel_id,
                         "guild_id": self.guild_id}
        message_id = p.snowflake()
        data = p.message(message_id=message_id, channel_id=channel_id or self.channel_id,
                         guild_id=self.guild_id, author=author, content=content,
                         mentions=mentions, mention_roles=roles, reference=reference,
                         author_member=self._member_of(author))
        if reply_to is not None:
            data["referenced_message"] = self.messages.get(reply_to)
        self.messages[message_id] = data
        if not self.intents & GUILD_MESSAGES:
            return message_id  # not subscribed to the guild's messages
        if not self.intents & MESSAGE_CONTENT and not mentions:
            # Without the privileged intent, Discord sends the text only of messages that
            # mention the bot (a reply pinging it counts); a mention of its role is not
            # documented to count, so here it does not.
            data = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        await self.dispatch("MESSAGE_CREATE", data)
        return message_id

    async def create_forum_post(self, title: str, content: str, *,
                                author: dict[str, Any] | None = None) -> str:
        """A new post in the forum, as Discord sends it: THREAD_CREATE for the post (a thread
        named ``title``), then MESSAGE_CREATE for its first message, whose id is the
        thread's. Returns that id."""
        author = author or self.member
        post_id = p.snowflake()
        await self.dispatch("THREAD_CREATE", {**p.thread(post_id, self.guild_id, self.forum_id,
                                                         title, author["id"]),
                                              "newly_created": True})
        data = p.message(message_id=post_id, channel_id=post_id, guild_id=self.guild_id,
                         author=author, content=content, author_member=self._member_of(author))
        self.messages[post_id] = data
        await self.dispatch("MESSAGE_CREATE", data)
        return post_id

    async def delete_message(self, message_id: str) -> None:
        """A user deletes a message: gone from here on (a reply to it is refused unless it
        says ``fail_if_not_exists: false``)."""
        data = self.messages.pop(message_id)
        self.deleted.add(message_id)
        await self.dispatch("MESSAGE_DELETE", {"id": message_id, "channel_id": data["channel_id"],
                                               "guild_id": self.guild_id})

    def _command(self, name: str) -> dict[str, Any]:
        for scope in (self.guild_id, None):
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return command
        raise KeyError(f"the bot registered no command /{name}")

    async def _interaction(self, kind: int, data: dict[str, Any], user: dict[str, Any],
                           message: dict[str, Any] | None = None, *, dm: bool = False
                           ) -> dict[str, str]:
        interaction_id, token = p.snowflake(), f"token-{p.snowflake()}"
        member = self._member_of(user)
        permissions = EVERYONE_PERMISSIONS | (MANAGE_GUILD if user is self.admin else 0)
        payload: dict[str, Any] = {
            "id": interaction_id, "application_id": self.app_id, "type": kind, "data": data,
            "guild_id": self.guild_id, "channel_id": self.channel_id,
            "channel": p.text_channel(self.channel_id, self.guild_id, "general"),
            "member": {**member, "permissions": str(permissions)}, "token": token,
            "version": 1, "app_permissions": str(EVERYONE_PERMISSIONS), "locale": "en-US",
            "guild_locale": "en-US", "entitlements": [], "authorizing_integration_owners": {},
            "context": 0, "attachment_size_limit": 10 * 1024 * 1024,
        }
        if dm:  # as Discord sends one from a direct message with the bot: no server, a user
            dm_id = str(int(user["id"]) + 1)
            for key in ("guild_id", "member", "guild_locale"):
                del payload[key]
            payload.update(user=user, channel_id=dm_id, context=1,
                           channel={"id": dm_id, "type": 1, "recipients": [user],
                                    "last_message_id": None, "flags": 0})
            data.pop("guild_id", None)
        if message is not None:
            payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return {"id": interaction_id, "token": token}

    async def send_command(self, name: str, options: dict[str, Any] | None = None, *,
                           user: dict[str, Any] | None = None, dm: bool = False
                           ) -> dict[str, str]:
        """A slash command, by the name the bot registered; returns its id and token. ``dm``:
        used in a direct message with the bot, which Discord offers only for a global command
        that allows it (``contexts`` holding 1, the bot's DM)."""
        command = self._command(name)
        if dm:
            command = next(c for c in self.commands.get(None, []) if c["name"] == name)
            if 1 not in (command.get("contexts") or [0, 1]):
                raise KeyError(f"Discord offers no /{name} in a direct message")
        data = {"id": command["id"], "name": name, "type": 1, "guild_id": self.guild_id,
                "options": [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()]}
        return await self._interaction(2, data, user or self.member, dm=dm)

    async def send_autocomplete(self, name: str, focused: str, value: str, *,
                                user: dict[str, Any] | None = None) -> dict[str, str]:
        command = self._command(name)
        data = {"id": command["id"], "name": name, "type": 1, "guild_id": self.guild_id,
                "options": [{"name": focused, "type": 3, "value": value, "focused": True}]}
        return await self._interaction(4, data, user or self.member)

    async def click(self, message: dict[str, Any], custom_id: str, *,
                    user: dict[str, Any] | None = None) -> dict[str, str]:
        """A button press on a message the bot sent."""
        self._component(message, custom_id, 2)
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interaction(3, data, user or self.member, message=message)

    async def select(self, message: dict[str, Any], custom_id: str, values: list[str], *,
                     user: dict[str, Any] | None = None) -> dict[str, str]:
        """A choice in a select menu of a message the bot sent: only its options' values, as
        many as it allows, as Discord's client lets a user choose."""
        menu = self._component(message, custom_id, 3)
        offered = {o["value"] for o in menu.get("options") or []}
        if not set(values) <= offered or not (menu.get("min_values", 1) <= len(values)
                                               <= menu.get("max_values", 1)):
            raise ValueError(f"Discord's client offers no choice {values} in {custom_id}")
        data = {"custom_id": custom_id, "component_type": 3, "values": values}
        return await self._interaction(3, data, user or self.member, message=message)

    @staticmethod
    def _component(message: dict[str, Any], custom_id: str, kind: int) -> dict[str, Any]:
        for row in message.get("components") or []:
            for component in row.get("components") or []:
                if component.get("custom_id") == custom_id and component.get("type") == kind:
                    return component
        raise KeyError(f"no component {custom_id!r} of type {kind} on that message")

    async def send_message_command(self, name: str, message_id: str, *,
                                   user: dict[str, Any] | None = None) -> dict[str, str]:
        """A message context-menu command ("Apps" on a message), by the name the bot
        registered, on a message the fake knows; its content comes with it, as Discord
        sends it without the Message Content intent."""
        command = self._command(name)
        if command["type"] != 3:
            raise KeyError(f"{name!r} is not a message command")
        target = self.messages[message_id]
        data = {"id": command["id"], "name": name, "type": 3, "guild_id": self.guild_id,
                "target_id": message_id, "resolved": {"messages": {message_id: target}}}
        return await self._interaction(2, data, user or self.member)

    # -- REST -------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            if request.content_type == "multipart/form-data":
                form = await request.post()
                raw = form.get("payload_json")
                body = json.loads(raw) if isinstance(raw, str) else None
            else:
                text = await request.text()
                body = json.loads(text) if text else None
        fault = next((f for f in self._faults if f.remaining > 0 and f.matches(request.method,
                                                                               path)), None)
        if fault is not None and not fault.after_handling:
            fault.remaining -= 1
            return await self._record(request, path, body, *self._fault_response(fault))
        if errors := limits.check_request(request.method, path, body):
            # Discord refuses what breaks its limits; so must the fake, or tests would pass
            # on messages that fail in production.
            return await self._record(request, path, body, 400,
                                      limits.invalid_form_body(errors))
        for method, pattern, handler in self._routes:
            if method == request.method and (match := pattern.fullmatch(path)):
                status, data = await handler(request, match, body)
                if fault is not None:  # done, then failed: the caller sees only the failure
                    fault.remaining -= 1
                    return await self._record(request, path, body, *self._fault_response(fault))
                return await self._record(request, path, body, status, data)
        return await self._record(request, path, body, 404,
                                  {"message": f"fake Discord: no route {request.method} {path}",
                                   "code": 0})

    def _fault_response(self, fault: _Fault) -> tuple[int, Any, dict[str, str]]:
        if fault.status == 429:
            wait = str(fault.retry_after)
            headers = {"Retry-After": wait, "X-RateLimit-Limit": "1",
                       "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": wait,
                       "X-RateLimit-Bucket": "fake", "X-RateLimit-Scope": "user",
                       # Discord's own 429s come through its proxy; discord.py treats one
                       # without "Via" as a Cloudflare ban and does not retry.
                       "Via": "1.1 google"}
            return 429, {"message": "You are being rate limited.",
                         "retry_after": fault.retry_after, "global": False}, headers
        return fault.status, {"message": "fake: server error", "code": 0}, {}

    async def _record(self, request: web.Request, path: str, body: Any, status: int, data: Any,
                      headers: dict[str, str] | None = None) -> web.Response:
        self.calls.append(RecordedCall(request.method, path, dict(request.query), body, status))
        await self._notify()
        if status == 204 or data is None:
            return web.Response(status=204, headers=headers)
        # Exactly "application/json": discord.py compares the header, not its media type.
        return web.Response(body=json.dumps(data).encode(), status=status,
                            headers={**(headers or {}), "Content-Type": "application/json"})

    async def _me(self, *_: Any) -> tuple[int, Any]:
        return 200, {**self.bot_user, "verified": True, "mfa_enabled": False, "flags": 0}

    async def _app_info(self, *_: Any) -> tuple[int, Any]:
        return 200, {"id": self.app_id, "name": "Sourced", "description": "", "icon": None,
                     "bot_public": True, "bot_require_code_grant": False, "owner": self.owner,
                     "verify_key": "0" * 64, "flags": 0, "team": None, "summary": "",
                     "rpc_origins": [], "interactions_endpoint_url": None,
                     "bot": self.bot_user}

    async def _gateway_info(self, *_: Any) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url, "shards": 1,
                     "session_start_limit": {"total": 1000, "remaining": 999,
                                             "reset_after": 0, "max_concurrency": 1}}

    async def _put_commands(self, _: web.Request, match: re.Match[str],
                            body: Any) -> tuple[int, Any]:
        guild = match["guild"]
        if self.commands.get(guild):  # a restarted bot: same commands, same ids, as Discord
            known = {c["name"]: c for c in self.commands[guild]}
            if {c["name"] for c in body or []} == set(known):
                return 200, list(known.values())
        # As Discord returns them: a context menu's description is "", never missing.
        commands = [{**c, "id": p.snowflake(), "application_id": self.app_id, "version": "1",
                     "type": c.get("type", 1), "guild_id": guild,
                     "description": c.get("description") or "",
                     "default_member_permissions": c.get("default_member_permissions")}
                    for c in body or []]
        self.commands[guild] = commands
        return 200, commands

    async def _get_commands(self, _: web.Request, match: re.Match[str],
                            body: Any) -> tuple[int, Any]:
        return 200, self.commands.get(match["guild"], [])

    def _bot_message(self, channel_id: str, body: dict[str, Any], *, flags: int = 0
                     ) -> dict[str, Any]:
        message = p.message(message_id=p.snowflake(), channel_id=channel_id,
                            guild_id=self.guild_id, author=self.bot_user,
                            content=body.get("content") or "", embeds=body.get("embeds"),
                            components=body.get("components"),
                            flags=body.get("flags") or flags,
                            reference=body.get("message_reference"))
        self.messages[message["id"]] = message
        self.created.append(message)
        return message

    async def _post_message(self, _: web.Request, match: re.Match[str],
                            body: Any) -> tuple[int, Any]:
        body = body or {}
        reference = body.get("message_reference") or {}
        if str(reference.get("message_id")) in self.deleted:
            # As Discord: a reply to a deleted message is refused unless it may go without.
            if reference.get("fail_if_not_exists", True):
                return 400, limits.invalid_form_body(
                    {"message_reference": "Unknown message"})
            body = {k: v for k, v in body.items() if k != "message_reference"}
        nonce = body.get("nonce")
        if nonce is None or not body.get("enforce_nonce"):
            return 200, self._bot_message(match["channel"], body)
        # As Discord: with enforce_nonce, a nonce the same author (the bot, here) used in the
        # past few minutes returns that message instead of creating another.
        key, now = str(nonce), time.monotonic()
        seen = self._nonces.get(key)
        if seen is not None and now - seen[0] < NONCE_WINDOW:
            return 200, seen[1]
        message = self._bot_message(match["channel"], body)
        message["nonce"] = nonce
        self._nonces[key] = (now, message)
        return 200, message

    async def _patch_message(self, _: web.Request, match: re.Match[str],
                             body: Any) -> tuple[int, Any]:
        message = self.messages.get(match["id"])
        if message is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        message.update({k: v for k, v in (body or {}).items() if k in {"content", "embeds",
                                                                         "components"}})
        return 200, message

    async def _react(self, _: web.Request, match: re.Match[str], body: Any) -> tuple[int, Any]:
        if match["id"] not in self.messages:
            return 404, {"message": "Unknown Message", "code": 10008}
        return 204, None

    async def _no_content(self, *_: Any) -> tuple[int, Any]:
        return 204, None

    async def _callback(self, _: web.Request, match: re.Match[str],
                        body: Any) -> tuple[int, Any]:
        kind = body["type"]
        data = body.get("data") or {}
        ephemeral = bool(data.get("flags", 0) & 64)
        interaction = {"id": match["id"], "type": 2, "response_message_loading": kind == 5,
                       "response_message_ephemeral": ephemeral}
        resource: dict[str, Any] = {"type": kind}
        if kind in (4, 5):
            message = self._bot_message(self.channel_id, data if kind == 4 else {},
                                        flags=data.get("flags", 0) | (128 if kind == 5 else 0))
            self.messages[f"original:{match['token']}"] = message
            if kind == 5:
                self._thinking[match["token"]] = message
            interaction["response_message_id"] = message["id"]
            if kind == 4:
                resource["message"] = message
        return 200, {"interaction": interaction, "resource": resource}

    async def _followup(self, _: web.Request, match: re.Match[str],
                        body: Any) -> tuple[int, Any]:
        body = body or {}
        message = self._thinking.pop(match["token"], None)
        if message is None:
            return 200, self._bot_message(self.channel_id, body)
        # As Discord: the first followup after a defer replaces its "thinking" message and
        # keeps the defer's visibility; the followup's own ephemeral flag is ignored.
        message.update({k: v for k, v in body.items() if k in {"content", "embeds",
                                                               "components"}})
        message["flags"] = message.get("flags", 0) & ~128
        return 200, message

    async def _delete_webhook_message(self, _: web.Request, match: re.Match[str],
                                      body: Any) -> tuple[int, Any]:
        token = match["token"]
        key = f"original:{token}" if match["id"] == "@original" else match["id"]
        message = self.messages.pop(key, None)
        if message is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        if match["id"] == "@original":
            self._thinking.pop(token, None)  # the next followup is a message of its own
        self.messages.pop(message["id"], None)
        return 204, None

    async def _get_webhook_message(self, _: web.Request, match: re.Match[str],
                                   body: Any) -> tuple[int, Any]:
        key = f"original:{match['token']}" if match["id"] == "@original" else match["id"]
        message = self.messages.get(key)
        return (200, message) if message else (404, {"message": "Unknown Message",
                                                     "code": 10008})

    async def _patch_webhook_message(self, request: web.Request, match: re.Match[str],
                                     body: Any) -> tuple[int, Any]:
        key = f"original:{match['token']}" if match["id"] == "@original" else match["id"]
        if match["id"] == "@original":
            self._thinking.pop(match["token"], None)  # edited: "thinking" no more
        message = self.messages.get(key) or self._bot_message(self.channel_id, {})
        message.update({k: v for k, v in (body or {}).items() if k in {"content", "embeds",
                                                                         "components"}})
        return 200, message

    # -- gateway ----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if self.refuse_gateway:  # an outage: the bot backs off and tries again
            return web.Response(status=503, text="fake: gateway unavailable")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op, data = frame.get("op"), frame.get("d")
            if op == 1:
                await ws.send_json({"op": 11})
            elif op == 2:
                await self._identify(ws, data or {})
            elif op == 6:
                await self._resume(ws, data)
        if self._ws is ws:
            self._ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.intents = int(data.get("intents") or 0)
        if self.intents & MESSAGE_CONTENT and not self.portal_message_content:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identifies += 1
        session_id = f"session-{p.snowflake()}"
        self._sessions[session_id] = _Session()
        self._session_id = session_id
        await self.dispatch("READY", {
            "v": 10, "user": {**self.bot_user, "verified": True, "mfa_enabled": False,
                              "flags": 0},
            "guilds": [{"id": self.guild_id, "unavailable": True}], "session_id": session_id,
            "resume_gateway_url": self.gateway_url, "session_type": "normal",
            "application": {"id": self.app_id, "flags": 0}, "private_channels": [],
            "relationships": [], "user_settings": {},
        })
        await self.dispatch("GUILD_CREATE", self._guild())
        await self._notify()

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        session = self._sessions.get(data.get("session_id", ""))
        if session is None:
            await ws.send_json({"op": 9, "d": False})  # invalid session: identify again
            return
        self.resumes += 1
        self._session_id = data["session_id"]
        for frame in session.events:
            if frame["s"] > (data.get("seq") or 0):
                await ws.send_json(frame)
        session.seq += 1
        await ws.send_json({"op": 0, "t": "RESUMED", "s": session.seq, "d": {}})
        await self._notify()

    def _guild(self) -> dict[str, Any]:
        return {
            "id": self.guild_id, "name": "Test server", "icon": None, "owner_id": self.owner["id"],
            "roles": [p.role(self.guild_id, "@everyone", EVERYONE_PERMISSIONS, 0),
                      p.role(self.admin_role_id, "Admins", EVERYONE_PERMISSIONS | MANAGE_GUILD,
                             1),
                      {**p.role(self.bot_role_id, "Sourced", EVERYONE_PERMISSIONS, 2),
                       "managed": True, "tags": {"bot_id": self.app_id}}],
            "channels": [p.text_channel(self.channel_id, self.guild_id, "general"),
                         p.forum_channel(self.forum_id, self.guild_id, "questions")],
            "members": [p.member(self.bot_user, [self.bot_role_id])], "member_count": 4,
            "joined_at": p.now_iso(), "large": False, "unavailable": False,
            "threads": [p.thread(self.forum_post_id, self.guild_id, self.forum_id,
                                 "Why was Soleimani in Iraq?", self.owner["id"])],
            "emojis": [], "stickers": [], "features": [], "voice_states": [], "presences": [],
            "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
            "premium_tier": 0, "preferred_locale": "en-US", "system_channel_id": None,
            "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "afk_timeout": 300,
            "afk_channel_id": None, "application_id": None, "description": None,
            "banner": None, "splash": None, "discovery_splash": None, "vanity_url_code": None,
            "premium_subscription_count": 0, "rules_channel_id": None,
            "public_updates_channel_id": None, "safety_alerts_channel_id": None,
            "max_video_channel_users": 25, "nsfw": False, "system_channel_flags": 0,
        }
