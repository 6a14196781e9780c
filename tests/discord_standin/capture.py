"""What the stand-in saw: every HTTP request and gateway frame, and ways to wait for them.

Tests assert on these records instead of on discord.py internals, so they
check what the bot actually put on the wire.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Literal, TypeVar

from multidict import CIMultiDictProxy, MultiDictProxy

T = TypeVar("T")

#: Where Discord's REST API lives on the stand-in, as on discord.com.
API_PREFIX = "/api/v10"


@dataclass(frozen=True)
class CapturedFile:
    """One file part of a multipart request (discord.py names them ``files[0]``, ``files[1]`` …)."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class CapturedRequest:
    """One HTTP request the bot made, and what the stand-in answered.

    ``route`` is ``"METHOD template"`` with the template spelled as in Discord's
    OpenAPI description (``"POST /channels/{channel_id}/messages"``), relative to
    ``/api/v10`` for API routes; unknown routes use the literal path.
    ``json`` is the parsed JSON body, or the ``payload_json`` part of a
    multipart body, whose file parts are in ``files``. ``fault`` describes the
    fault the test planned for this request (``"503 before processing"``), if any;
    ``answered_at`` is the ``time.monotonic()`` at which the stand-in answered it.
    """

    index: int
    method: str
    path: str
    route: str
    path_params: Mapping[str, str]
    query: MultiDictProxy[str]
    headers: CIMultiDictProxy[str]
    body: bytes
    json: Any
    files: tuple[CapturedFile, ...]
    status: int
    response_json: Any
    known: bool
    fault: str | None = None
    answered_at: float = field(default_factory=time.monotonic)

    @property
    def is_api(self) -> bool:
        """Whether this went to the REST API (not e.g. to an attachment URL)."""
        return self.path.startswith(API_PREFIX + "/")

    @property
    def template(self) -> str:
        """The route template without the method, e.g. ``/channels/{channel_id}/messages``."""
        return self.route.split(" ", 1)[1]


@dataclass(frozen=True)
class GatewayFrame:
    """One gateway payload: ``received`` from the bot (IDENTIFY, heartbeats …) or ``sent`` to it, on the
    session of shard ``shard`` (``None``: unsharded, or not identified yet)."""

    index: int
    direction: Literal["received", "sent"]
    op: int | None
    t: str | None
    d: Any
    shard: int | None = None


@dataclass
class Recorder:
    """Append-only logs of requests, frames and stand-in faults, with waiting on new entries.

    Waiters re-check the whole log from a start index whenever something is
    recorded, so an entry recorded before the wait began is still found.
    """

    requests: list[CapturedRequest] = field(default_factory=list)
    frames: list[GatewayFrame] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def add_request(self, make: Callable[[int], CapturedRequest]) -> CapturedRequest:
        """Record the request ``make(index)`` builds and wake the waiters."""
        request = make(len(self.requests))
        self.requests.append(request)
        await self._notify()
        return request

    async def add_frame(
        self, direction: Literal["received", "sent"], payload: Mapping[str, Any], *, shard: int | None = None
    ) -> None:
        """Record a gateway payload and wake the waiters."""
        self.frames.append(
            GatewayFrame(len(self.frames), direction, payload.get("op"), payload.get("t"), payload.get("d"), shard)
        )
        await self._notify()

    def add_fault(self, description: str) -> None:
        """Record a bug or unsupported situation inside the stand-in (teardown fails on these)."""
        self.faults.append(description)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for_request(
        self, matches: Callable[[CapturedRequest], bool], *, since: int, timeout: float, describe: str
    ) -> CapturedRequest:
        """The first request at index >= ``since`` that ``matches``, waiting up to ``timeout`` seconds."""

        def find() -> CapturedRequest | None:
            return next((r for r in self.requests[since:] if matches(r)), None)

        found = await self._wait(find, timeout)
        if found is None:
            seen = "\n  ".join(f"#{r.index} {r.route} -> {r.status}" for r in self.requests) or "(none)"
            raise TimeoutError(f"no request {describe} within {timeout}s; requests so far:\n  {seen}")
        return found

    async def wait_for_frame(
        self, matches: Callable[[GatewayFrame], bool], *, since: int, timeout: float, describe: str
    ) -> GatewayFrame:
        """The first gateway frame at index >= ``since`` that ``matches``, waiting up to ``timeout`` seconds."""

        def find() -> GatewayFrame | None:
            return next((f for f in self.frames[since:] if matches(f)), None)

        found = await self._wait(find, timeout)
        if found is None:
            raise TimeoutError(f"no gateway frame {describe} within {timeout}s")
        return found

    async def _wait(self, find: Callable[[], T | None], timeout: float) -> T | None:
        async with self._changed:
            try:
                return await asyncio.wait_for(self._changed.wait_for(find), timeout)
            except TimeoutError:
                return None


def parse_body(content_type_header: str, raw: bytes) -> tuple[Any, tuple[CapturedFile, ...]]:
    """The JSON document of a request body and its file parts.

    discord.py sends JSON, or ``multipart/form-data`` with the JSON in a
    ``payload_json`` part next to ``files[n]`` parts. Raises ``ValueError``
    for a body that is neither, as Discord rejects those too.
    """
    if not raw:
        return None, ()
    message = Message()
    message["content-type"] = content_type_header
    if message.get_content_type() != "multipart/form-data":
        return json.loads(raw), ()
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str):
        raise ValueError("multipart body without a boundary")  # noqa: TRY004 - callers answer 400 to every ValueError
    document: Any = None
    files: list[CapturedFile] = []
    # Binary-safe split (RFC 2046): a part ends where CRLF "--boundary" begins.
    for chunk in (b"\r\n" + raw).split(b"\r\n--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        headers = Message()
        for line in head.decode("utf-8").split("\r\n"):
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip()] = value.strip()
        field_name = headers.get_param("name", header="content-disposition")
        if field_name == "payload_json":
            document = json.loads(data)
        else:
            content_type = headers.get_content_type() if "content-type" in headers else None
            files.append(CapturedFile(str(field_name), headers.get_filename(), content_type, data))
    return document, tuple(files)
