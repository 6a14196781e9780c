"""Discord's REST API (the part a bot uses), served under ``/api/v10`` like discord.com.

Every request passes through :meth:`RestApi.middleware`, which records it
(with the route template spelled as in Discord's OpenAPI description), answers
with a fault when the test planned one (:mod:`.faults`), turns
:class:`~.messages.ApiError` into Discord-style error answers, answers unknown
routes with 404 while flagging them, and turns a crash of the stand-in itself
into a recorded fault plus a 400 (a 5xx would make discord.py retry for
seconds before giving up).
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from .capture import API_PREFIX, CapturedFile, CapturedRequest, parse_body
from .commands import CHAT_INPUT
from .flags import Permission, has_permissions
from .messages import ApiError, invalid_form, unknown_message
from .payloads import (
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_AUTOCOMPLETE,
    MESSAGE_CHAT_INPUT_COMMAND,
    MESSAGE_CONTEXT_MENU_COMMAND,
    MESSAGE_DEFAULT,
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    Payload,
    application_payload,
    channel_payload,
    current_user_payload,
    dm_channel_payload,
    guild_payload,
    interaction_metadata,
    interaction_user,
    member_payload,
    message_payload,
    my_guild_payload,
)
from .state import InteractionState, StandinState
from .world import GUILD_TEXT, Channel, Guild

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Name of the gateway's route; the middleware leaves WebSocket upgrades alone.
GATEWAY_ROUTE = "gateway"

_BODY = web.RequestKey("discord_standin_body", tuple)  # (json document, file parts)

_CALLBACK_MESSAGE = 4
_CALLBACK_DEFERRED_MESSAGE = 5
_CALLBACK_DEFERRED_UPDATE = 6
_CALLBACK_UPDATE_MESSAGE = 7
_CALLBACK_AUTOCOMPLETE_RESULT = 8
_CALLBACK_MODAL = 9
#: Discord's limit on autocomplete choices.
MAX_CHOICES = 25


def json_response(payload: Any, status: int = 200) -> web.Response:
    """A JSON answer with exactly ``Content-Type: application/json``.

    discord.py only parses bodies whose content type is exactly that string;
    aiohttp appends ``; charset=utf-8`` for ``json_response`` and for
    ``text=`` bodies, which breaks login, so the body is passed as bytes.
    """
    return web.Response(status=status, body=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})


def _no_content() -> web.Response:
    return web.Response(status=204)


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "1")


class RestApi:
    """Handlers for the REST routes, sharing the stand-in's state."""

    def __init__(self, state: StandinState) -> None:
        self._state = state
        self._world = state.world
        self.routes: frozenset[str] = frozenset()

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register every served route; ``self.routes`` lists them as ``"METHOD template"``.

        Interaction routes are authorised by the token in their path and
        ``/gateway`` needs none; the others need ``Authorization: Bot <token>``.
        """
        open_routes: list[tuple[str, str, Handler]] = [
            ("GET", "/gateway", self.get_gateway),
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self.interaction_callback),
            ("POST", "/webhooks/{webhook_id}/{webhook_token}", self.execute_webhook),
            # "@original" before "{message_id}": the router tries resources in registration order.
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self.get_webhook_message),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self.edit_webhook_message),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", self.delete_webhook_message),
            ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.get_webhook_message),
            ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.edit_webhook_message),
            ("DELETE", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", self.delete_webhook_message),
        ]
        bot_routes: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self.get_current_user),
            ("GET", "/users/@me/guilds", self.get_my_guilds),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_guild_member),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/applications/{application_id}/commands", self.get_commands),
            ("PUT", "/applications/{application_id}/commands", self.put_commands),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self.get_commands),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self.put_commands),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/channels/{channel_id}", self.get_channel),
            ("POST", "/channels/{channel_id}/messages", self.create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message),
            ("POST", "/channels/{channel_id}/typing", self.trigger_typing),
        ]
        for method, template, handler in open_routes:
            router.add_route(method, API_PREFIX + template, handler)
        for method, template, handler in bot_routes:
            router.add_route(method, API_PREFIX + template, self._bot_only(handler))
        # Not the API: where attachment URLs point (cdn.discordapp.com's layout).
        router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self.get_attachment)
        self.routes = frozenset(f"{method} {template}" for method, template, _ in open_routes + bot_routes)

    # -- plumbing ---------------------------------------------------------

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record the request and its answer; see the module docstring for the error policy."""
        if request.match_info.route.name == GATEWAY_ROUTE:
            return await handler(request)
        raw = await request.read()
        known = request.match_info.http_exception is None
        resource = request.match_info.route.resource
        template = resource.canonical if known and resource is not None else request.path
        route = f"{request.method} {template.removeprefix(API_PREFIX)}"
        fault = self._state.faults.pick(route, request) if known else None
        document: Any = None
        files: tuple[CapturedFile, ...] = ()
        response: web.StreamResponse
        try:
            document, files = parse_body(request.headers.get("Content-Type", ""), raw)
        except ValueError as exc:
            response = json_response(
                {"message": f"The request body contains invalid JSON. ({exc})", "code": 50109}, 400
            )
        else:
            request[_BODY] = (document, files)
            if fault is None or fault.after_processing:
                response = await self._answer(request, handler, known=known)
            if fault is not None:
                response = fault.response()
        answer = None
        if isinstance(response, web.Response) and response.content_type == "application/json" and response.text:
            answer = json.loads(response.text)

        def make(index: int) -> CapturedRequest:
            return CapturedRequest(
                index=index,
                method=request.method,
                path=request.path,
                route=route,
                path_params=dict(request.match_info) if known else {},
                query=MultiDictProxy(MultiDict(request.query)),
                headers=CIMultiDictProxy(CIMultiDict(request.headers)),
                body=raw,
                json=document,
                files=files,
                status=response.status,
                response_json=answer,
                known=known,
                fault=None if fault is None else fault.describe(),
            )

        await self._state.recorder.add_request(make)
        return response

    async def _answer(self, request: web.Request, handler: Handler, *, known: bool) -> web.StreamResponse:
        if not known:
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        try:
            return await handler(request)
        except ApiError as exc:
            return json_response(exc.payload, exc.status)
        except Exception:  # noqa: BLE001 - any crash of the stand-in is recorded as a fault the test reports
            fault = f"{request.method} {request.path} crashed the stand-in:\n{traceback.format_exc()}"
            self._state.recorder.add_fault(fault)
            return json_response({"message": "discord stand-in fault (see its faults)", "code": 0}, 400)

    def _bot_only(self, handler: Handler) -> Handler:
        """Routes that need ``Authorization: Bot <token>``; anything else gets Discord's 401."""

        async def checked(request: web.Request) -> web.StreamResponse:
            if request.headers.get("Authorization") != f"Bot {self._state.token}":
                raise ApiError(401, 0, "401: Unauthorized")
            return await handler(request)

        return checked

    @staticmethod
    def _body(request: web.Request) -> tuple[dict[str, Any], tuple[CapturedFile, ...]]:
        """The JSON object of a message-like body (absent = empty), refusing other JSON like Discord."""
        document, files = request[_BODY]
        if document is None:
            return {}, files
        if not isinstance(document, dict):
            raise invalid_form(None, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return document, files

    @staticmethod
    def _snowflake(request: web.Request, name: str) -> int:
        value = request.match_info[name]
        if not value.isdigit():
            raise invalid_form(name, "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')
        return int(value)

    # -- session ------------------------------------------------------------

    async def get_current_user(self, request: web.Request) -> web.Response:
        """``GET /users/@me``: how discord.py checks the token at login."""
        return json_response(current_user_payload(self._world.bot))

    async def get_gateway(self, request: web.Request) -> web.Response:
        """``GET /gateway``: where to connect."""
        return json_response({"url": self._state.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        """``GET /gateway/bot``: where to connect and how many shards Discord recommends (``world.recommended_shards``);
        an ``AutoShardedClient`` without a shard count asks it."""
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        shards = self._world.recommended_shards
        return json_response({"url": self._state.gateway_url, "shards": shards, "session_start_limit": limit})

    async def get_application(self, request: web.Request) -> web.Response:
        """``GET /oauth2/applications/@me``: discord.py reads the application id and flags at login."""
        return json_response(application_payload(self._world))

    # -- guilds (what ``quotebot doctor`` reads) ------------------------------

    async def get_my_guilds(self, request: web.Request) -> web.Response:
        """``GET /users/@me/guilds``: the bot's guilds by id, a page of ``limit`` (≤ 200) after ``after`` (or the
        last ``limit`` before ``before``)."""
        limit = int(request.query.get("limit", "200"))
        if not 1 <= limit <= 200:
            raise invalid_form("limit", "NUMBER_TYPE_MAX", "int value should be less than or equal to 200.")
        after, before = int(request.query.get("after", "0")), int(request.query.get("before", str(1 << 63)))
        ids = sorted(g.id for g in self._world.guilds if after < g.id < before and g.has_member(self._world.bot))
        page = ids[-limit:] if "before" in request.query else ids[:limit]
        guilds = [guild for guild_id in page if (guild := self._world.guild_by_id(guild_id)) is not None]
        return json_response([my_guild_payload(self._world, guild) for guild in guilds])

    def _guild(self, request: web.Request) -> Guild:
        """A guild the bot is in; any other is Discord's 403 Missing Access."""
        guild = self._world.guild_by_id(self._snowflake(request, "guild_id"))
        if guild is None or not guild.has_member(self._world.bot):
            raise ApiError(403, 50001, "Missing Access")
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        """``GET /guilds/{guild_id}``: the guild with its roles."""
        return json_response(guild_payload(self._guild(request)))

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        """``GET /guilds/{guild_id}/channels``: every channel, with its permission overwrites (no threads)."""
        guild = self._guild(request)
        return json_response([channel_payload(channel, guild.id) for channel in guild.channels])

    async def get_guild_member(self, request: web.Request) -> web.Response:
        """``GET /guilds/{guild_id}/members/{user_id}``."""
        guild = self._guild(request)
        user = self._world.user(self._snowflake(request, "user_id"))
        if user is None or not guild.has_member(user):
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(member_payload(guild.member(user)))

    # -- application commands ----------------------------------------------

    def _command_scope(self, request: web.Request) -> int | None:
        if self._snowflake(request, "application_id") != self._world.application_id:
            raise ApiError(403, 20012, "You are not authorized to perform this action on this application")
        if "guild_id" not in request.match_info:
            return None
        guild = self._world.guild_by_id(self._snowflake(request, "guild_id"))
        if guild is None:
            raise ApiError(403, 50001, "Missing Access")
        return guild.id

    async def get_commands(self, request: web.Request) -> web.Response:
        """``GET …/commands``: the registered commands of that scope."""
        return json_response(self._state.commands.in_scope(self._command_scope(request)))

    async def put_commands(self, request: web.Request) -> web.Response:
        """``PUT …/commands`` (bulk overwrite, what ``CommandTree.sync`` sends): echoes them with ids."""
        scope = self._command_scope(request)
        document, _ = request[_BODY]
        if not isinstance(document, list):
            raise invalid_form(None, "BASE_TYPE_ARRAY", "Must be an array.")
        return json_response(self._state.commands.overwrite(scope, document))

    # -- interactions --------------------------------------------------------

    def _interaction(self, token: str) -> InteractionState | None:
        return self._state.interactions.get(token)

    async def interaction_callback(self, request: web.Request) -> web.Response:
        """``POST /interactions/{id}/{token}/callback``: the one response Discord accepts per interaction.

        Creates (4), defers (5: a "thinking" message with the LOADING flag),
        acknowledges (6) or edits (7) the message, offers autocomplete choices
        (8, kept in ``choices`` of the interaction's record), or opens a modal (9).
        With ``?with_response=1`` (discord.py ≥ 2.5 always asks) the answer
        describes the interaction and the message resource.
        """
        itx = self._interaction(request.match_info["interaction_token"])
        too_late = itx is not None and itx.age > self._state.timing.callback_window
        if itx is None or str(itx.id) != request.match_info["interaction_id"] or too_late:
            raise ApiError(404, 10062, "Unknown interaction")
        if itx.acknowledged:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        body, files = self._body(request)
        callback_type = body.get("type")
        data = body.get("data") or {}
        is_command = itx.payload["type"] == INTERACTION_APPLICATION_COMMAND
        is_autocomplete = itx.payload["type"] == INTERACTION_AUTOCOMPLETE
        message: Payload | None = None
        if is_autocomplete != (callback_type == _CALLBACK_AUTOCOMPLETE_RESULT):
            reason = f"Response type {callback_type} is not valid for interaction type {itx.payload['type']}."
            raise invalid_form("type", "INTERACTION_RESPONSE_TYPE_INVALID", reason)
        if is_autocomplete:
            choices = data.get("choices") or []
            if len(choices) > MAX_CHOICES:
                raise invalid_form("data.choices", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CHOICES} or fewer in length.")
        elif callback_type == _CALLBACK_MESSAGE:
            message = self._state.store.create(
                data,
                files,
                channel_id=self._channel_id(itx),
                author=self._world.bot,
                message_type=self._message_type(itx),
                extra=self._interaction_fields(itx),
            )
        elif callback_type == _CALLBACK_DEFERRED_MESSAGE:
            flags = MESSAGE_FLAG_LOADING | ((data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)
            thinking = message_payload(
                message_id=self._state.snowflakes.next(),
                channel_id=self._channel_id(itx),
                author=self._world.bot,
                message_type=self._message_type(itx),
                flags=flags,
            )
            message = self._state.store.store(thinking | self._interaction_fields(itx))
        elif callback_type in (_CALLBACK_DEFERRED_UPDATE, _CALLBACK_UPDATE_MESSAGE) and not is_command:
            target = self._state.store.get(int(itx.payload["message"]["id"]))
            if callback_type == _CALLBACK_UPDATE_MESSAGE:
                message = self._state.store.edit(target, data, files)
            itx.original_message_id = int(target["id"])
            itx.message_ids.add(int(target["id"]))
        elif callback_type != _CALLBACK_MODAL:
            reason = f"Response type {callback_type} is not valid for interaction type {itx.payload['type']}."
            raise invalid_form("type", "INTERACTION_RESPONSE_TYPE_INVALID", reason)
        itx.acknowledged = True
        if message is not None and callback_type != _CALLBACK_UPDATE_MESSAGE:
            itx.original_message_id = int(message["id"])
            itx.message_ids.add(int(message["id"]))
        if not _truthy(request.query.get("with_response")):
            return _no_content()
        answer: Payload = {"interaction": {"id": str(itx.id), "type": itx.payload["type"]}}
        if message is not None:
            answer["interaction"] |= {
                "response_message_id": message["id"],
                "response_message_loading": bool(message["flags"] & MESSAGE_FLAG_LOADING),
                "response_message_ephemeral": bool(message["flags"] & MESSAGE_FLAG_EPHEMERAL),
            }
            if callback_type != _CALLBACK_DEFERRED_MESSAGE:  # Discord describes the thinking message only by id
                answer["resource"] = {"type": callback_type, "message": message}
        return json_response(answer)

    def _channel_id(self, itx: InteractionState) -> int:
        return int(itx.payload["channel_id"])

    def _message_type(self, itx: InteractionState) -> int:
        """The type Discord gives a message answering ``itx``: a slash command's, a context menu's, or plain."""
        if itx.payload["type"] != INTERACTION_APPLICATION_COMMAND:
            return MESSAGE_DEFAULT
        command_type = itx.payload["data"].get("type", CHAT_INPUT)
        return MESSAGE_CHAT_INPUT_COMMAND if command_type == CHAT_INPUT else MESSAGE_CONTEXT_MENU_COMMAND

    def _interaction_fields(self, itx: InteractionState) -> Payload:
        """What Discord adds to messages an interaction response creates."""
        app_id = str(self._world.application_id)
        interacted = itx.payload.get("message", {}).get("id")
        fields: Payload = {
            "webhook_id": app_id,
            "application_id": app_id,
            "interaction_metadata": interaction_metadata(itx.payload, interacted_message_id=interacted),
        }
        if itx.payload["type"] == INTERACTION_APPLICATION_COMMAND:
            fields["interaction"] = {
                "id": str(itx.id),
                "type": itx.payload["type"],
                "name": _command_name(itx.payload["data"]),
                "user": interaction_user(itx.payload),
            }
        return fields

    def _webhook(self, request: web.Request) -> InteractionState:
        """The interaction behind ``/webhooks/{application id}/{interaction token}``, once acknowledged."""
        itx = self._interaction(request.match_info["webhook_token"])
        if request.match_info["webhook_id"] != str(self._world.application_id) or itx is None or not itx.acknowledged:
            raise ApiError(404, 10015, "Unknown Webhook")
        if itx.age > self._state.timing.token_lifetime:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        return itx

    def _webhook_message(self, request: web.Request) -> tuple[InteractionState, Payload]:
        itx = self._webhook(request)
        message_id = (
            itx.original_message_id
            if "message_id" not in request.match_info
            else self._snowflake(request, "message_id")
        )
        if message_id is None or message_id not in itx.message_ids:
            raise unknown_message()
        return itx, self._state.store.get(message_id)

    async def execute_webhook(self, request: web.Request) -> web.Response:
        """``POST /webhooks/{app}/{token}``: a follow-up message; its body only with ``?wait=true``.

        The first follow-up after a deferred (type 5) callback fills the "thinking" message instead.
        """
        itx = self._webhook(request)
        body, files = self._body(request)
        thinking = self._thinking_message(itx)
        if thinking is not None:
            message = self._state.store.complete_deferred(thinking, body, files)
        else:
            message = self._state.store.create(
                body,
                files,
                channel_id=self._channel_id(itx),
                author=self._world.bot,
                message_type=self._message_type(itx),
                extra=self._interaction_fields(itx),
            )
            itx.message_ids.add(int(message["id"]))
        return json_response(message) if _truthy(request.query.get("wait")) else _no_content()

    def _thinking_message(self, itx: InteractionState) -> Payload | None:
        """The interaction's deferred message while it still shows "thinking", else None."""
        if itx.original_message_id is None:
            return None
        original = self._state.store.messages.get(itx.original_message_id)
        return original if original is not None and original["flags"] & MESSAGE_FLAG_LOADING else None

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        """``GET …/messages/@original`` or ``…/{message_id}`` of an interaction."""
        return json_response(self._webhook_message(request)[1])

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        """``PATCH …/messages/@original`` or ``…/{message_id}``: e.g. replacing the "thinking" message."""
        itx, message = self._webhook_message(request)
        body, files = self._body(request)
        if message is self._thinking_message(itx):
            return json_response(self._state.store.complete_deferred(message, body, files))
        return json_response(self._state.store.edit(message, body, files))

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        """``DELETE …/messages/@original`` or ``…/{message_id}``."""
        itx, message = self._webhook_message(request)
        self._state.store.delete(int(message["id"]))
        itx.message_ids.discard(int(message["id"]))
        return _no_content()

    # -- channels -----------------------------------------------------------

    def _channel(self, request: web.Request) -> Channel:
        channel = self._world.channel(self._snowflake(request, "channel_id"))
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def _text_channel(self, request: web.Request) -> int:
        """A channel that holds messages: a text channel, a thread or a DM (not a forum or a category)."""
        channel = self._channel(request)
        if channel.type != GUILD_TEXT and not channel.is_dm and not channel.is_thread:
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        return channel.id

    def _channel_payload(self, channel: Channel) -> Payload:
        guild = self._world.guild_of(channel)
        return dm_channel_payload(channel) if guild is None else channel_payload(channel, guild.id)

    async def get_channel(self, request: web.Request) -> web.Response:
        """``GET /channels/{id}``: a guild channel or a DM channel."""
        return json_response(self._channel_payload(self._channel(request)))

    async def create_dm(self, request: web.Request) -> web.Response:
        """``POST /users/@me/channels``: open (or find) the DM channel with ``recipient_id``."""
        body, _ = self._body(request)
        user = self._world.user(int(body.get("recipient_id") or 0))
        if user is None or user == self._world.bot:
            raise invalid_form("recipient_id", "NUMBER_TYPE_COERCE", "Unknown user.")
        return json_response(dm_channel_payload(self._world.dm(user)))

    async def create_message(self, request: web.Request) -> web.Response:
        """``POST /channels/{id}/messages``: ``channel.send`` and ``message.reply``.

        With ``enforce_nonce`` (discord.py always sends it with its ``nonce``), a second message by the
        bot with the same nonce is not created: the first one is returned, as on Discord.
        """
        channel_id = self._text_channel(request)
        self._ensure_bot_may_post(self._channel(request))
        body, files = self._body(request)
        store = self._state.store
        if body.get("enforce_nonce") and body.get("nonce") is not None:
            earlier = store.by_nonce(self._world.bot, str(body["nonce"]))
            if earlier is not None:
                return json_response(earlier)
        return json_response(
            store.create(body, files, channel_id=channel_id, author=self._world.bot, message_type=MESSAGE_DEFAULT)
        )

    def _ensure_bot_may_post(self, channel: Channel) -> None:
        """Discord's 403 Missing Permissions unless the bot may see the channel and send there (in a thread:
        send in threads, with its parent's permissions)."""
        guild = self._world.guild_of(channel)
        if guild is None:
            return
        own = self._world.channel(channel.parent_id) if channel.is_thread and channel.parent_id else channel
        send = Permission.SEND_MESSAGES_IN_THREADS if channel.is_thread else Permission.SEND_MESSAGES
        granted = guild.channel_permissions_of(self._world.bot, own or channel)
        if not has_permissions(granted, Permission.VIEW_CHANNEL | send):
            raise ApiError(403, 50013, "Missing Permissions")

    async def get_message(self, request: web.Request) -> web.Response:
        """``GET /channels/{c}/messages/{m}``: ``fetch_message``."""
        channel_id = self._text_channel(request)
        return json_response(self._state.store.get(self._snowflake(request, "message_id"), channel_id))

    async def edit_message(self, request: web.Request) -> web.Response:
        """``PATCH /channels/{c}/messages/{m}``: only the bot's own messages, as on Discord."""
        channel_id = self._text_channel(request)
        message = self._state.store.get(self._snowflake(request, "message_id"), channel_id)
        if message["author"]["id"] != str(self._world.bot.id):
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        body, files = self._body(request)
        return json_response(self._state.store.edit(message, body, files))

    async def delete_message(self, request: web.Request) -> web.Response:
        """``DELETE /channels/{c}/messages/{m}``: others' messages need Manage Messages."""
        channel_id = self._text_channel(request)
        message_id = self._snowflake(request, "message_id")
        message = self._state.store.get(message_id, channel_id)
        own = message["author"]["id"] == str(self._world.bot.id)
        guild = self._world.guild_of(self._channel(request))
        if not own and (guild is None or not has_permissions(guild.permissions_of(self._world.bot), Permission.MANAGE_MESSAGES)):
            raise ApiError(403, 50013, "Missing Permissions")
        self._state.store.delete(message_id, channel_id)
        return _no_content()

    async def trigger_typing(self, request: web.Request) -> web.Response:
        """``POST /channels/{id}/typing``: ``async with channel.typing()``."""
        self._text_channel(request)
        return _no_content()

    # -- files ----------------------------------------------------------------

    async def get_attachment(self, request: web.Request) -> web.Response:
        """The bytes behind an attachment URL (what ``Attachment.read()`` downloads)."""
        attachment = self._state.store.files.get(request.path)
        if attachment is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=attachment.data, headers={"Content-Type": attachment.content_type})


def _command_name(data: Payload) -> str:
    """``"corpus reload"`` from nested subcommand options, as Discord names the invocation."""
    names = [data["name"]]
    options = data.get("options", [])
    while options and options[0]["type"] in (1, 2):
        names.append(options[0]["name"])
        options = options[0].get("options", [])
    return " ".join(names)
