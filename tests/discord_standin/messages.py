"""Messages and uploaded files the stand-in keeps, so later requests see earlier ones.

A reply needs the message it replies to, an edit needs the message it edits,
a button click needs the message holding the button, and an uploaded file must
be downloadable from the URL the message reports. Request bodies are checked
the way Discord checks them (empty message, content length, unknown reply
target), answering with Discord's error codes so the bot's error paths run.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .capture import CapturedFile
from .payloads import (
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    MESSAGE_REPLY,
    Payload,
    attachment_payload,
    error_payload,
    message_payload,
    response_components,
)
from .world import Attachment, Snowflakes, User, World, snowflake_timestamp

MAX_CONTENT_LENGTH = 2000

_FILE_FIELD = re.compile(r"files\[(\d+)\]")


class ApiError(Exception):
    """An error answer in Discord's format; the server turns it into the HTTP response."""

    def __init__(self, status: int, code: int, message: str, errors: Payload | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.payload = error_payload(code, message, errors)


def unknown_message() -> ApiError:
    """Discord's answer for a message id it does not know."""
    return ApiError(404, 10008, "Unknown Message")


def invalid_form(field_name: str | None, code: str, message: str) -> ApiError:
    """Discord's 50035 "Invalid Form Body", naming the offending field (None: the body as a whole)."""
    errors: Payload = {"_errors": [{"code": code, "message": message}]}
    return ApiError(400, 50035, "Invalid Form Body", errors if field_name is None else {field_name: errors})


@dataclass
class MessageStore:
    """Every message sent in the world (by users or the bot) and every file it can serve."""

    world: World
    snowflakes: Snowflakes
    base_url: str = ""
    messages: dict[int, Payload] = field(default_factory=dict)
    files: dict[str, Attachment] = field(default_factory=dict)

    def add_attachment(self, attachment: Attachment) -> Attachment:
        """Make ``attachment`` downloadable from its URL."""
        self.files[attachment.path] = attachment
        return attachment

    def new_attachment(
        self, channel_id: int, filename: str, data: bytes, content_type: str | None = None
    ) -> Attachment:
        """A fresh attachment in ``channel_id``, served from now on."""
        guessed = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return self.add_attachment(Attachment(self.snowflakes.next(), channel_id, filename, data, guessed))

    def get(self, message_id: int, channel_id: int | None = None) -> Payload:
        """The stored message, or Discord's 404 when unknown (or in another channel)."""
        message = self.messages.get(message_id)
        if message is None or (channel_id is not None and message["channel_id"] != str(channel_id)):
            raise unknown_message()
        return message

    def delete(self, message_id: int, channel_id: int | None = None) -> None:
        """Forget a message after checking it exists."""
        self.get(message_id, channel_id)
        del self.messages[message_id]

    def by_nonce(self, author: User, nonce: str) -> Payload | None:
        """The stored message ``author`` sent with ``nonce``, if any (Discord checks the last few minutes)."""
        return next(
            (
                message
                for message in reversed(self.messages.values())
                if message.get("nonce") == nonce and message["author"]["id"] == str(author.id)
            ),
            None,
        )

    def store(self, message: Payload) -> Payload:
        """Keep a message built elsewhere (user messages the test dispatches)."""
        self.messages[int(message["id"])] = message
        return message

    def create(
        self,
        body: Mapping[str, Any],
        files: Sequence[CapturedFile],
        *,
        channel_id: int,
        author: User,
        message_type: int,
        extra: Payload | None = None,
    ) -> Payload:
        """A message from a create-message body (channel message, interaction response or follow-up)."""
        _check_content(body)
        message_id = self.snowflakes.next()
        message = message_payload(
            message_id=message_id,
            channel_id=channel_id,
            author=author,
            content=body.get("content") or "",
            message_type=message_type,
            embeds=body.get("embeds") or (),
            components=body.get("components") or (),
            attachments=self._attachments(body, files, channel_id, existing=()),
            flags=body.get("flags") or 0,
        )
        reference = body.get("message_reference")
        if reference:
            message |= self._reply_fields(reference, channel_id)
        if body.get("nonce") is not None:
            message["nonce"] = str(body["nonce"])
        message |= extra or {}
        _check_not_empty(message, body)
        return self.store(message)

    def edit(self, message: Payload, body: Mapping[str, Any], files: Sequence[CapturedFile]) -> Payload:
        """Apply an edit body: only the fields present change, and a deferred "thinking" message stops loading."""
        _check_content(body)
        if "content" in body:
            message["content"] = body["content"] or ""
        if "embeds" in body:
            message["embeds"] = [{"type": "rich"} | dict(embed) for embed in body["embeds"] or ()]
        if "components" in body:
            message["components"] = response_components(body["components"] or ())
        if "attachments" in body or files:
            message["attachments"] = self._attachments(body, files, int(message["channel_id"]), message["attachments"])
        if body.get("flags") is not None:
            message["flags"] = body["flags"]
        message["flags"] &= ~MESSAGE_FLAG_LOADING
        message["edited_timestamp"] = snowflake_timestamp(self.snowflakes.next())
        _check_not_empty(message, body)
        return message

    def complete_deferred(self, message: Payload, body: Mapping[str, Any], files: Sequence[CapturedFile]) -> Payload:
        """Fill a deferred "thinking" message, as Discord does with the first follow-up (or edit) after a
        type 5 callback: same message id, the ephemerality chosen when deferring, not marked edited."""
        ephemeral = message["flags"] & MESSAGE_FLAG_EPHEMERAL
        self.edit(message, body, files)
        message["flags"] = (message["flags"] & ~MESSAGE_FLAG_EPHEMERAL) | ephemeral
        message["edited_timestamp"] = None
        return message

    def _attachments(
        self, body: Mapping[str, Any], files: Sequence[CapturedFile], channel_id: int, existing: Iterable[Payload]
    ) -> list[Payload]:
        """Kept attachments (listed by id in ``attachments``) plus the uploaded ``files[n]`` parts.

        discord.py describes each upload in ``attachments`` with ``id`` = its part index.
        """
        listed = {str(item.get("id")): item for item in body.get("attachments") or ()}
        kept = [attachment for attachment in existing if attachment["id"] in listed]
        for part in files:
            match = _FILE_FIELD.fullmatch(part.field)
            meta = listed.get(match.group(1), {}) if match else {}
            filename = meta.get("filename") or part.filename or part.field
            upload = self.new_attachment(channel_id, filename, part.data, part.content_type)
            kept.append(attachment_payload(upload, self.base_url, description=meta.get("description")))
        return kept

    def _reply_fields(self, reference: Mapping[str, Any], channel_id: int) -> Payload:
        """``message_reference``/``referenced_message`` of a reply; an unknown target fails unless allowed."""
        target = self.messages.get(int(reference["message_id"]))
        if target is None and reference.get("fail_if_not_exists", True):
            raise invalid_form("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
        fields: Payload = {
            "type": 0,
            "channel_id": str(reference.get("channel_id") or channel_id),
            "message_id": str(reference["message_id"]),
        }
        channel = self.world.channel(channel_id)
        guild = self.world.guild_of(channel) if channel is not None else self.world.guild
        if guild is not None:
            fields["guild_id"] = str(reference.get("guild_id") or guild.id)
        return {"type": MESSAGE_REPLY, "message_reference": fields, "referenced_message": target}


def _check_content(body: Mapping[str, Any]) -> None:
    content = body.get("content")
    if isinstance(content, str) and len(content) > MAX_CONTENT_LENGTH:
        raise invalid_form("content", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT_LENGTH} or fewer in length.")


def _check_not_empty(message: Mapping[str, Any], body: Mapping[str, Any]) -> None:
    if not (
        message["content"]
        or message["embeds"]
        or message["components"]
        or message["attachments"]
        or body.get("sticker_ids")
        or body.get("poll")
    ):
        raise ApiError(400, 50006, "Cannot send an empty message")
