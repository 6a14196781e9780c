"""Discord's gateway: the WebSocket over which the bot identifies and receives events.

Speaks gateway v10 with plain-text JSON frames (discord.py asks for
``compress=zlib-stream`` but also accepts uncompressed text frames). Enforces
what Discord enforces at connect time, so misconfigured bots fail here as they
would in production: a wrong token closes with 4004, privileged intents the
application was not granted close with 4014, a shard pair that is not
``[id, count]`` with ``0 <= id < count`` with 4010, unknown opcodes with 4001.

Sharding as on Discord: a session that identified with ``shard=[id, count]``
gets READY and GUILD_CREATE for the guilds with ``(guild_id >> 22) % count ==
id`` only, and every later event of a guild (interactions included) goes to
the session of its shard; direct messages go to shard 0. A session without a
shard pair serves every guild. Several sessions (from one process or many)
may be identified at once.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from typing import Any

from aiohttp import WSMsgType, web

from .flags import PRIVILEGED_INTENTS, Intent
from .payloads import Payload, guild_create_payload, member_payload, ready_payload
from .state import StandinState

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_VOICE_STATE_UPDATE = 4
OP_RESUME = 6
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

#: Discord's usual interval; the bot's first heartbeat is immediate, so tests never wait for it.
HEARTBEAT_INTERVAL_MS = 41_250


class GatewaySession:
    """One WebSocket connection from the bot; dispatches carry an increasing ``s``.

    ``shard`` is the ``[id, count]`` it identified with (``None``: unsharded),
    ``user_agent`` the client's, which tells processes apart in tests.
    """

    def __init__(self, state: StandinState, ws: web.WebSocketResponse, number: int, user_agent: str) -> None:
        self._state = state
        self.ws = ws
        self.session_id = f"standin-session-{number}"
        self.user_agent = user_agent
        self.sequence = 0
        self.intents = 0
        self.shard: tuple[int, int] | None = None

    @property
    def shard_id(self) -> int | None:
        return None if self.shard is None else self.shard[0]

    def serves(self, guild_id: int | None) -> bool:
        """Whether this session gets the events of ``guild_id`` (``None``: direct messages, on shard 0)."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else (guild_id >> 22) % count == shard_id

    async def send(self, payload: Payload) -> None:
        """Record a frame as sent and send it."""
        await self._state.recorder.add_frame("sent", payload, shard=self.shard_id)
        await self.ws.send_str(json.dumps(payload))

    async def dispatch(self, event: str, data: Payload) -> None:
        """Send a DISPATCH (op 0) event."""
        self.sequence += 1
        await self.send({"op": OP_DISPATCH, "t": event, "s": self.sequence, "d": data})


class Gateway:
    """Accepts gateway connections; each event goes to the identified session serving its guild."""

    def __init__(self, state: StandinState) -> None:
        self._state = state
        self._sessions: list[GatewaySession] = []
        self._identified: list[GatewaySession] = []
        self._changed = asyncio.Condition()

    @property
    def identified(self) -> tuple[GatewaySession, ...]:
        """The sessions that identified and are still connected, oldest first."""
        return tuple(self._identified)

    async def session(self, timeout: float, guild_id: int | None = None) -> GatewaySession:
        """The newest identified session serving ``guild_id`` (``None``: DMs), waiting up to ``timeout`` for one."""

        def serving() -> GatewaySession | None:
            return next((s for s in reversed(self._identified) if s.serves(guild_id)), None)

        async with self._changed:
            try:
                return await asyncio.wait_for(self._changed.wait_for(serving), timeout)  # type: ignore[return-value]
            except TimeoutError:
                where = "direct messages" if guild_id is None else f"guild {guild_id}"
                raise TimeoutError(
                    f"no bot session serving {where} identified on the stand-in's gateway within {timeout}s"
                ) from None

    async def close_all(self) -> None:
        """Close every connection with 1001 (going away), as Discord does when it restarts."""
        for session in list(self._sessions):
            await session.ws.close(code=1001)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one connection: HELLO, then answer the bot's frames until it closes."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = GatewaySession(self._state, ws, len(self._sessions) + 1, request.headers.get("User-Agent", ""))
        self._sessions.append(session)
        try:
            await session.send(
                {"op": OP_HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None}
            )
            async for frame in ws:
                try:
                    payload = json.loads(frame.data) if frame.type == WSMsgType.TEXT else None
                except ValueError:
                    payload = None
                if not isinstance(payload, dict):
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                await self._state.recorder.add_frame("received", payload, shard=session.shard_id)
                await self._answer(session, payload)
        except Exception:  # noqa: BLE001 - any crash of the stand-in is recorded as a fault the test reports
            self._state.recorder.add_fault(f"gateway handler crashed:\n{traceback.format_exc()}")
            await ws.close(code=1011)
        finally:
            self._sessions.remove(session)
            if session in self._identified:
                self._identified.remove(session)
        return ws

    async def _answer(self, session: GatewaySession, payload: Payload) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == OP_HEARTBEAT:
            await session.send({"op": OP_HEARTBEAT_ACK})
        elif op == OP_IDENTIFY:
            await self._identify(session, data)
        elif op == OP_RESUME:
            # The stand-in keeps no session to resume: Discord then says "start over".
            await session.send({"op": OP_INVALID_SESSION, "d": False})
        elif op == OP_REQUEST_GUILD_MEMBERS:
            await self._send_members(session, data)
        elif op not in (OP_PRESENCE_UPDATE, OP_VOICE_STATE_UPDATE):
            await session.ws.close(code=4001, message=b"Unknown opcode.")

    async def _identify(self, session: GatewaySession, data: Any) -> None:
        """Check token, shard and intents like Discord, then READY and a GUILD_CREATE per guild of the shard."""
        world = self._state.world
        if data.get("token") != self._state.token:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard = data.get("shard")
        if shard is not None:
            if not _valid_shard(shard):
                await session.ws.close(code=4010, message=b"Invalid shard.")
                return
            session.shard = (shard[0], shard[1])
        session.intents = int(data.get("intents", 0))
        for intent, granting_flags in PRIVILEGED_INTENTS.items():
            if session.intents & intent and not world.application_flags & granting_flags:
                await session.ws.close(code=4014, message=b"Disallowed intent(s).")
                return
        guilds = [guild for guild in self._state.bot_guilds() if session.serves(guild.id)]
        ready = ready_payload(
            world,
            guilds,
            session_id=session.session_id,
            resume_gateway_url=self._state.gateway_url,
            shard=shard,
        )
        await session.dispatch("READY", ready)
        if session.intents & Intent.GUILDS:
            for guild in guilds:
                await session.dispatch("GUILD_CREATE", guild_create_payload(world, guild))
        async with self._changed:
            self._identified.append(session)
            self._changed.notify_all()

    async def _send_members(self, session: GatewaySession, data: Any) -> None:
        """Answer a member request (discord.py chunks guilds at startup with the members intent)."""
        guild = self._state.world.guild_by_id(int(data.get("guild_id") or 0)) or self._state.world.guild
        wanted = {str(user_id) for user_id in data.get("user_ids") or ()}
        members = [m for m in guild.members if not wanted or str(m.user.id) in wanted]
        chunk: Payload = {
            "guild_id": str(guild.id),
            "members": [member_payload(member) for member in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if wanted:
            chunk["not_found"] = sorted(wanted - {str(m.user.id) for m in members})
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)


def _valid_shard(shard: Any) -> bool:
    """``[shard_id, shard_count]`` with ``0 <= shard_id < shard_count``, as Discord requires."""
    return (
        isinstance(shard, list)
        and len(shard) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in shard)
        and 0 <= shard[0] < shard[1]
    )
