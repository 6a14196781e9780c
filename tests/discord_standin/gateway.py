"""Discord's gateway: the WebSocket over which the bot identifies and receives events.

Speaks gateway v10 with plain-text JSON frames (discord.py asks for
``compress=zlib-stream`` but also accepts uncompressed text frames). Enforces
what Discord enforces at connect time, so misconfigured bots fail here as they
would in production: a wrong token closes with 4004, privileged intents the
application was not granted close with 4014, unknown opcodes with 4001.
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
    """One WebSocket connection from the bot; dispatches carry an increasing ``s``."""

    def __init__(self, state: StandinState, ws: web.WebSocketResponse, number: int) -> None:
        self._state = state
        self.ws = ws
        self.session_id = f"standin-session-{number}"
        self.sequence = 0
        self.intents = 0

    async def send(self, payload: Payload) -> None:
        """Record a frame as sent and send it."""
        await self._state.recorder.add_frame("sent", payload)
        await self.ws.send_str(json.dumps(payload))

    async def dispatch(self, event: str, data: Payload) -> None:
        """Send a DISPATCH (op 0) event."""
        self.sequence += 1
        await self.send({"op": OP_DISPATCH, "t": event, "s": self.sequence, "d": data})


class Gateway:
    """Accepts gateway connections; events go to the most recently identified session."""

    def __init__(self, state: StandinState) -> None:
        self._state = state
        self._sessions: list[GatewaySession] = []
        self._current: GatewaySession | None = None
        self._identified = asyncio.Event()

    async def session(self, timeout: float) -> GatewaySession:
        """The identified session, waiting up to ``timeout`` for the bot to connect."""
        try:
            await asyncio.wait_for(self._identified.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"no bot identified on the stand-in's gateway within {timeout}s") from None
        assert self._current is not None
        return self._current

    async def close_all(self) -> None:
        """Close every connection with 1001 (going away), as Discord does when it restarts."""
        for session in list(self._sessions):
            await session.ws.close(code=1001)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one connection: HELLO, then answer the bot's frames until it closes."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = GatewaySession(self._state, ws, len(self._sessions) + 1)
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
                await self._state.recorder.add_frame("received", payload)
                await self._answer(session, payload)
        except Exception:  # noqa: BLE001 - any crash of the stand-in is recorded as a fault the test reports
            self._state.recorder.add_fault(f"gateway handler crashed:\n{traceback.format_exc()}")
            await ws.close(code=1011)
        finally:
            self._sessions.remove(session)
            if self._current is session:
                self._current = None
                self._identified.clear()
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
        """Check token and intents like Discord, then READY and one GUILD_CREATE (with the GUILDS intent)."""
        world = self._state.world
        if data.get("token") != self._state.token:
            await session.ws.close(code=4004, message=b"Authentication failed.")
            return
        session.intents = int(data.get("intents", 0))
        for intent, granting_flags in PRIVILEGED_INTENTS.items():
            if session.intents & intent and not world.application_flags & granting_flags:
                await session.ws.close(code=4014, message=b"Disallowed intent(s).")
                return
        ready = ready_payload(
            world, session_id=session.session_id, resume_gateway_url=self._state.gateway_url, shard=data.get("shard")
        )
        await session.dispatch("READY", ready)
        if session.intents & Intent.GUILDS:
            await session.dispatch("GUILD_CREATE", guild_create_payload(world))
        self._current = session
        self._identified.set()

    async def _send_members(self, session: GatewaySession, data: Any) -> None:
        """Answer a member request (discord.py chunks guilds at startup with the members intent)."""
        guild = self._state.world.guild
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
