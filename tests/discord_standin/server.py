"""The stand-in itself: an aiohttp server on 127.0.0.1 playing Discord, plus the test-side API.

A test starts it, points discord.py at it (:meth:`DiscordStandin.patch_discord`),
runs the real bot against it (:meth:`DiscordStandin.running`), then plays the
users' side (``send_interaction``, ``send_component``, ``send_message``) and
asserts on what the bot sent back (``wait_for_request``, ``requests``).
Discord's failures and deadlines are the test's to set: ``faults`` plans
rate limits and server errors (:mod:`.faults`), ``timing`` holds the 3-second
callback window and the 15-minute token lifetime.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import discord
from aiohttp import web

from .capture import CapturedRequest, GatewayFrame
from .commands import InteractionRejected, OptionValue
from .faults import FaultPlan
from .flags import Intent
from .gateway import OP_IDENTIFY, Gateway, GatewaySession
from .lifecycle import ClientT, patch_discord, run_client
from .payloads import (
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    INTERACTION_MESSAGE_COMPONENT,
    Payload,
    attachment_payload,
    content_mentions,
    guild_create_payload,
    interaction_payload,
    iter_components,
    member_payload,
    message_payload,
    thread_payload,
)
from .rest import GATEWAY_ROUTE, RestApi
from .state import InteractionState, StandinState, Timing
from .world import GUILD_FORUM, PUBLIC_THREAD, THREAD_PARENTS, Attachment, Channel, Guild, User, World

#: Shaped like a bot token (base64 user id . timestamp . HMAC) but obviously not one.
DEFAULT_TOKEN = (
    base64.b64encode(b"1317000000000000001").decode().rstrip("=") + ".GStand.in-fake-token-for-tests-only-xxxxxxxxxxxx"
)

_BUTTON = 2
_STRING_SELECT = 3


@dataclass(frozen=True)
class SentInteraction:
    """An interaction the test sent; pass it to ``wait_for_request``/``requests_for``.

    ``sent_at`` is the ``time.monotonic()`` at which it was dispatched to the bot.
    """

    id: int
    token: str
    payload: Payload
    sent_at: float


class DiscordStandin:
    """A Discord stand-in on ``127.0.0.1`` with a free port; use as ``async with DiscordStandin() as standin``."""

    def __init__(self, world: World | None = None, *, token: str = DEFAULT_TOKEN, fault_seed: int = 0) -> None:
        self.world = world or World.default()
        self.token = token
        self._state = StandinState(self.world, token, faults=FaultPlan(fault_seed))
        self._rest = RestApi(self._state)
        self._gateway = Gateway(self._state)
        self._runner: web.AppRunner | None = None

    # -- server lifecycle ---------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application(middlewares=[self._rest.middleware])
        self._rest.add_routes(app.router)
        app.router.add_get("/", self._gateway.handle, name=GATEWAY_ROUTE)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self._state.store.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Close gateway connections still open, then the server."""
        if self._runner is not None:
            await self._gateway.close_all()
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def faults(self) -> FaultPlan:
        """The faults planned for the bot's requests (``standin.faults.fail(route, 503)``, ``.mix(...)``)."""
        return self._state.faults

    @property
    def timing(self) -> Timing:
        """Discord's interaction deadlines; a test may shorten them (``standin.timing.token_lifetime = 2``)."""
        return self._state.timing

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self._state.base_url

    @property
    def api_url(self) -> str:
        """What ``discord.http.Route.BASE`` must be: ``http://127.0.0.1:PORT/api/v10``."""
        return self.base_url + "/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be: ``ws://127.0.0.1:PORT/``."""
        return self._state.gateway_url

    def patch_discord(self) -> contextlib.AbstractContextManager[None]:
        """Point discord.py at this stand-in for the duration of a ``with`` block."""
        return patch_discord(self.api_url, self.gateway_url)

    def running(self, client: ClientT, *, timeout: float = 5.0) -> contextlib.AbstractAsyncContextManager[ClientT]:
        """``async with standin.running(bot):`` starts ``bot`` with :attr:`token`, waits for its
        ``on_ready`` and closes it cleanly afterwards (see :func:`.lifecycle.run_client`).

        Build the client with ``guild_ready_timeout=0.1`` or discord.py waits 2 s for more guilds.
        """
        since = len(self._state.recorder.frames)
        return run_client(client, self.token, self._ready(client, since, timeout), timeout=timeout)

    async def _ready(self, client: discord.Client, since: int, timeout: float) -> None:
        # wait_until_ready() only works once login set the client up, i.e. once it identifies.
        await self._state.recorder.wait_for_frame(
            lambda f: f.direction == "received" and f.op == OP_IDENTIFY,
            since=since,
            timeout=timeout,
            describe="IDENTIFY",
        )
        await client.wait_until_ready()

    # -- what was seen --------------------------------------------------------

    @property
    def requests(self) -> Sequence[CapturedRequest]:
        """Every HTTP request so far, in the order they were answered."""
        return tuple(self._state.recorder.requests)

    @property
    def unknown_requests(self) -> Sequence[CapturedRequest]:
        """Requests to routes the stand-in does not serve (answered 404)."""
        return tuple(r for r in self._state.recorder.requests if not r.known)

    @property
    def gateway_frames(self) -> Sequence[GatewayFrame]:
        """Every gateway payload received from or sent to the bot."""
        return tuple(self._state.recorder.frames)

    @property
    def identify(self) -> Payload | None:
        """The ``d`` of the bot's latest IDENTIFY (token, intents, properties …), if any."""
        frames = [f for f in self._state.recorder.frames if f.direction == "received" and f.op == OP_IDENTIFY]
        return frames[-1].d if frames else None

    @property
    def messages(self) -> Mapping[int, Payload]:
        """Every message in the world by id, in its current (edited) state."""
        return self._state.store.messages

    def registered_commands(self, *, guild: bool | Guild = False) -> list[Payload]:
        """The global application commands (or those of ``guild``; ``True``: the default guild), as last synced."""
        scope = guild if isinstance(guild, Guild) else self.world.guild if guild else None
        return self._state.commands.in_scope(scope.id if scope is not None else None)

    def register_commands(self, commands: Sequence[Mapping[str, Any]], *, guild: Guild | None = None) -> None:
        """Put ``commands`` in place of the global ones (or ``guild``'s), as a sync by another version would."""
        self._state.commands.overwrite(guild.id if guild is not None else None, commands)

    @property
    def sessions(self) -> tuple[GatewaySession, ...]:
        """The identified gateway sessions still connected (their ``shard`` and ``user_agent``), oldest first."""
        return self._gateway.identified

    def frames_of(self, event: str, *, where: Callable[[GatewayFrame], bool] | None = None) -> list[GatewayFrame]:
        """The dispatches of ``event`` (``"INTERACTION_CREATE"`` …) the stand-in sent, with the shard each went to."""
        return [
            frame
            for frame in self._state.recorder.frames
            if frame.direction == "sent" and frame.t == event and (where is None or where(frame))
        ]

    # -- the bot joining and leaving guilds -----------------------------------

    async def remove_guild(self, guild: Guild, *, timeout: float = 5.0) -> None:
        """The bot is removed from ``guild`` (kicked, or the guild deleted): GUILD_DELETE to its shard's session."""
        session = await self._gateway.session(timeout, guild.id)
        self._state.bot_guild_ids.discard(guild.id)
        await session.dispatch("GUILD_DELETE", {"id": str(guild.id)})

    async def add_guild(self, guild: Guild, *, timeout: float = 5.0) -> None:
        """The bot is invited (back) into ``guild``: GUILD_CREATE to its shard's session, without the
        ``unavailable`` field (which marks a guild coming back from an outage, not a join)."""
        session = await self._gateway.session(timeout, guild.id)
        self._state.bot_guild_ids.add(guild.id)
        joined = guild_create_payload(self.world, guild)
        del joined["unavailable"]
        await session.dispatch("GUILD_CREATE", joined)

    @property
    def routes(self) -> frozenset[str]:
        """The served API routes as ``"METHOD template"`` (the values ``wait_for_request`` accepts)."""
        return self._rest.routes

    def requests_for(self, interaction: SentInteraction) -> list[CapturedRequest]:
        """The callback and webhook requests (follow-ups, ``@original`` edits …) of one interaction."""
        return [r for r in self._state.recorder.requests if _belongs_to(r, interaction)]

    async def wait_for_request(
        self,
        route: str | None = None,
        *,
        interaction: SentInteraction | None = None,
        where: Callable[[CapturedRequest], bool] | None = None,
        since: int = 0,
        timeout: float = 5.0,
    ) -> CapturedRequest:
        """The first request (from index ``since``) on ``route`` for ``interaction`` satisfying ``where``.

        Already-recorded requests count, so there is no race between sending an
        event and starting to wait; to skip earlier ones, pass ``since=len(standin.requests)``
        taken before acting. ``route`` must be one of :attr:`routes`.
        """
        if route is not None and route not in self._rest.routes:
            raise ValueError(f"{route!r} is not a route the stand-in serves; see DiscordStandin.routes")

        def matches(request: CapturedRequest) -> bool:
            return (
                (route is None or request.route == route)
                and (interaction is None or _belongs_to(request, interaction))
                and (where is None or where(request))
            )

        wanted = [route or "on any route"]
        if interaction is not None:
            wanted.append(f"for interaction {interaction.id}")
        if where is not None:
            wanted.append("satisfying where=")
        describe = " ".join(wanted)
        return await self._state.recorder.wait_for_request(matches, since=since, timeout=timeout, describe=describe)

    async def wait_for_reply(self, message: Mapping[str, Any], *, timeout: float = 5.0) -> CapturedRequest:
        """The bot's ``POST /channels/{channel_id}/messages`` replying to ``message`` (via ``message_reference``)."""

        def replies(request: CapturedRequest) -> bool:
            reference = (request.json or {}).get("message_reference") or {}
            return str(reference.get("message_id")) == str(message["id"])

        return await self.wait_for_request("POST /channels/{channel_id}/messages", where=replies, timeout=timeout)

    def assert_no_unknown_routes(self) -> None:
        """Fail if the bot called a route the stand-in does not serve (it got a 404 the real Discord would not give)."""
        unknown = self.unknown_requests
        if unknown:
            listed = "\n  ".join(f"{r.method} {r.path} body={r.json!r}" for r in unknown)
            raise AssertionError(
                f"the bot called {len(unknown)} route(s) the Discord stand-in does not serve:\n  {listed}"
            )

    def assert_no_faults(self) -> None:
        """Fail if the stand-in itself crashed while serving the bot (a stand-in bug, not a bot bug)."""
        if self._state.recorder.faults:
            raise AssertionError("the Discord stand-in failed:\n" + "\n".join(self._state.recorder.faults))

    # -- playing the users' side --------------------------------------------

    def add_attachment(
        self, filename: str, data: bytes, *, content_type: str | None = None, channel: Channel | None = None
    ) -> Attachment:
        """A file a user can attach (an attachment option or ``send_message(attachments=…)``),
        downloadable by the bot from its URL on the stand-in."""
        return self._state.store.new_attachment((channel or self.world.general).id, filename, data, content_type)

    async def send_interaction(
        self,
        command: str,
        options: Mapping[str, OptionValue] | None = None,
        *,
        user: User | None = None,
        channel: Channel | None = None,
        locale: str = "en-US",
        timeout: float = 5.0,
    ) -> SentInteraction:
        """A member uses the slash command ``/command`` (``"ask"``, ``"corpus reload"``) with ``options``.

        Option values: ``str``, ``int``, ``float``, ``bool``, world ``User``/``Role``/``Channel``,
        or an :class:`Attachment` from :meth:`add_attachment`. Raises :class:`InteractionRejected`
        when Discord would not deliver it (see :mod:`.commands`). Default user: alice, in #general.
        """
        user = user or self.world.alice
        channel = channel or self.world.general
        guild = self._guild_acting_in(channel, user)
        data = self._state.commands.interaction_data(
            command, options or {}, user=user, base_url=self.base_url, guild=guild
        )
        return await self._send_interaction(
            INTERACTION_APPLICATION_COMMAND, data, user, channel, locale=locale, timeout=timeout
        )

    async def send_autocomplete(
        self,
        command: str,
        options: Mapping[str, OptionValue],
        focused: str,
        *,
        user: User | None = None,
        channel: Channel | None = None,
        timeout: float = 5.0,
    ) -> list[Payload]:
        """A member types into option ``focused`` of ``/command`` (its value in ``options`` is the text so far);
        returns the choices the bot offers (its type 8 callback)."""
        user = user or self.world.alice
        channel = channel or self.world.general
        guild = self._guild_acting_in(channel, user)
        data = self._state.commands.interaction_data(
            command, options, user=user, base_url=self.base_url, guild=guild, focused=focused
        )
        sent = await self._send_interaction(INTERACTION_AUTOCOMPLETE, data, user, channel, locale="en-US", timeout=timeout)
        answer = await self.wait_for_request(
            "POST /interactions/{interaction_id}/{interaction_token}/callback", interaction=sent, timeout=timeout
        )
        return list((answer.json.get("data") or {}).get("choices") or [])

    def _guild_acting_in(self, channel: Channel, user: User) -> Guild | None:
        """The guild of ``channel`` (``None`` for a DM), refusing what Discord would: a user outside it,
        or a guild the bot is not in."""
        guild = self.world.guild_of(channel)
        if guild is None:
            return None
        if guild.id not in self._state.bot_guild_ids:
            raise InteractionRejected(f"the bot is not in {guild.name} any more")
        if not guild.has_member(user):
            raise InteractionRejected(f"{user.username} is not a member of {guild.name}")
        return guild

    async def send_component(
        self,
        message: Mapping[str, Any] | int,
        custom_id: str,
        *,
        values: Sequence[str] = (),
        user: User | None = None,
        locale: str = "en-US",
        timeout: float = 5.0,
    ) -> SentInteraction:
        """A member clicks the button (or picks ``values`` in the select) ``custom_id`` on a bot message.

        ``message`` is a message payload (e.g. a request's ``response_json``) or id;
        its current stored version is used, so edits since then count.
        """
        stored = self._state.store.get(message if isinstance(message, int) else int(message["id"]))
        component = next((c for c in iter_components(stored["components"]) if c.get("custom_id") == custom_id), None)
        if component is None:
            raise InteractionRejected(f"message {stored['id']} has no component with custom_id {custom_id!r}")
        if component.get("disabled"):
            raise InteractionRejected(f"component {custom_id!r} is disabled")
        data: Payload = {"custom_id": custom_id, "component_type": component["type"], "id": component["id"]}
        if component["type"] == _BUTTON:
            if values:
                raise InteractionRejected(f"{custom_id!r} is a button; it takes no values")
        else:
            offered = [option["value"] for option in component.get("options", [])]
            if component["type"] == _STRING_SELECT and not set(values) <= set(offered):
                raise InteractionRejected(f"select {custom_id!r} offers {offered}, not {list(values)}")
            data["values"] = list(values)
        channel = self.world.channel(int(stored["channel_id"]))
        assert channel is not None
        return await self._send_interaction(
            INTERACTION_MESSAGE_COMPONENT,
            data,
            user or self.world.alice,
            channel,
            locale=locale,
            timeout=timeout,
            message=stored,
        )

    async def send_message_command(
        self,
        name: str,
        message: Mapping[str, Any] | int,
        *,
        user: User | None = None,
        locale: str = "en-US",
        timeout: float = 5.0,
    ) -> SentInteraction:
        """A member picks Apps → ``name`` on ``message`` (a message payload or id, in its current stored
        version), in that message's channel. Raises :class:`InteractionRejected` when Discord would not
        offer it: no such registered message command, or the member lacks its default permissions."""
        stored = self._state.store.get(message if isinstance(message, int) else int(message["id"]))
        channel = self.world.channel(int(stored["channel_id"]))
        assert channel is not None
        user = user or self.world.alice
        guild = self._guild_acting_in(channel, user)
        data = self._state.commands.message_command_data(name, stored, user=user, guild=guild)
        return await self._send_interaction(
            INTERACTION_APPLICATION_COMMAND, data, user, channel, locale=locale, timeout=timeout
        )

    async def _send_interaction(
        self,
        interaction_type: int,
        data: Payload,
        user: User,
        channel: Channel,
        *,
        locale: str,
        timeout: float,
        message: Payload | None = None,
    ) -> SentInteraction:
        guild = self.world.guild_of(channel)
        session = await self._gateway.session(timeout, guild.id if guild else None)
        interaction_id = self._state.snowflakes.next()
        token = "aW50ZXJhY3Rpb246" + base64.urlsafe_b64encode(f"{interaction_id}:standin".encode()).decode().rstrip("=")
        payload = interaction_payload(
            self.world,
            interaction_id=interaction_id,
            token=token,
            interaction_type=interaction_type,
            data=data,
            user=user,
            channel=channel,
            locale=locale,
            message=message,
        )
        state = InteractionState(interaction_id, token, payload)
        self._state.interactions[token] = state
        await session.dispatch("INTERACTION_CREATE", payload)
        return SentInteraction(interaction_id, token, payload, state.created)

    async def send_message(
        self,
        content: str,
        *,
        author: User | None = None,
        channel: Channel | None = None,
        attachments: Sequence[Attachment] = (),
        timeout: float = 5.0,
    ) -> Payload:
        """A member posts a message (default: alice in #general); returns the stored message.

        ``mentions`` are derived from the content (use ``world.bot.mention``).
        Like Discord, the event is withheld without the GUILD_MESSAGES intent, and
        without MESSAGE_CONTENT the bot sees empty content, embeds and attachments
        unless the message mentions it. In a DM channel (``world.dm(user)``) the
        event needs DIRECT_MESSAGES instead, and always carries its content.
        """
        return await self._post(content, author or self.world.alice, channel or self.world.general, attachments, timeout)

    async def open_thread(
        self, parent: Channel, title: str, content: str, *, author: User | None = None, timeout: float = 5.0
    ) -> tuple[Channel, Payload]:
        """A member opens a thread named ``title`` in ``parent`` (a forum post, or a thread of a text channel)
        and writes its first message; returns the thread and that message.

        As on Discord: THREAD_CREATE (``newly_created``, with the GUILDS intent) comes first, then the
        message's MESSAGE_CREATE as ``send_message`` sends it; a forum post's first message has the
        thread's id. Later messages in the thread: ``send_message(channel=thread)``.
        """
        author = author or self.world.alice
        guild = self._guild_acting_in(parent, author)
        if guild is None or parent.type not in THREAD_PARENTS:
            raise InteractionRejected(f"#{parent.name} cannot hold threads")
        thread = Channel(self._state.snowflakes.next(), title, PUBLIC_THREAD, parent_id=parent.id, owner_id=author.id)
        self.world.threads[thread.id] = thread
        session = await self._gateway.session(timeout, guild.id)
        if session.intents & Intent.GUILDS:
            await session.dispatch("THREAD_CREATE", thread_payload(thread, guild.id) | {"newly_created": True})
        starter = thread.id if parent.type == GUILD_FORUM else None
        return thread, await self._post(content, author, thread, (), timeout, message_id=starter)

    async def _post(
        self,
        content: str,
        author: User,
        channel: Channel,
        attachments: Sequence[Attachment],
        timeout: float,
        *,
        message_id: int | None = None,
    ) -> Payload:
        """Store a member's message and send the bot its MESSAGE_CREATE (see ``send_message``)."""
        if channel.is_dm and author not in (channel.recipient, self.world.bot):
            raise InteractionRejected(f"{author.username} cannot post in the DM channel of {channel.recipient}")
        guild = None if author == self.world.bot else self._guild_acting_in(channel, author)
        guild = guild or self.world.guild_of(channel)
        session = await self._gateway.session(timeout, guild.id if guild else None)
        mentions, mention_roles = ([], []) if guild is None else content_mentions(self.world, guild, content)
        message = message_payload(
            message_id=message_id or self._state.snowflakes.next(),
            channel_id=channel.id,
            author=author,
            content=content,
            attachments=[attachment_payload(a, self.base_url) for a in attachments],
            mentions=mentions,
            mention_roles=mention_roles,
        )
        self._state.store.store(message)
        event = self._message_event(session.intents, message, channel, guild)
        if event is not None:
            await session.dispatch("MESSAGE_CREATE", event)
        return message

    def _message_event(self, intents: int, message: Payload, channel: Channel, guild: Guild | None) -> Payload | None:
        """The MESSAGE_CREATE the bot gets for ``message``, as its intents allow (None: withheld)."""
        if guild is None:
            return message | {"channel_type": channel.type} if intents & Intent.DIRECT_MESSAGES else None
        if not intents & Intent.GUILD_MESSAGES:
            return None
        author = self.world.user(int(message["author"]["id"]))
        assert author is not None
        event = message | {
            "guild_id": str(guild.id),
            "member": member_payload(guild.member(author), with_user=False),
            "channel_type": channel.type,
        }
        mentions_bot = any(user["id"] == str(self.world.bot.id) for user in message["mentions"])
        if not intents & Intent.MESSAGE_CONTENT and not mentions_bot and author != self.world.bot:
            event |= {"content": "", "embeds": [], "attachments": [], "components": []}
        return event


def _belongs_to(request: CapturedRequest, interaction: SentInteraction) -> bool:
    token = request.path_params.get("interaction_token") or request.path_params.get("webhook_token")
    return token is not None and token == interaction.token
