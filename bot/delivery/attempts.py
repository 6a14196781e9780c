"""One HTTP attempt per call, for the sends quotebot retries itself.

discord.py retries a 429 or a 5xx inside each request, sleeping 1, 3, 5 and
7 seconds between tries: past Discord's 3-second window for an interaction
callback, without jitter, and without telling the caller that the first try
failed. Inside ``single_attempt()``, a 5xx answer is raised at once as
``Unavailable`` instead, so ``delivery.policy`` decides whether, when and how
to try again (with jitter, so bots hit by one outage do not return in step).
A 429 is raised too only inside a callback window (``rate_limits=True``),
where discord.py's sleeps cannot fit; everywhere else discord.py sees every
429: it sleeps it out, learns the route's bucket, holds every request back
during a global rate limit and counts toward its Cloudflare-ban protection.
The hook is an aiohttp trace, installed through discord.py's public
``http_trace`` option; what is sent outside ``single_attempt()`` (login,
command sync) keeps discord.py's own handling entirely.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import aiohttp
import discord
from discord.http import json_or_text

#: Raised at once instead of retried by discord.py: nothing, 5xx only, or 5xx and 429 (in a callback window).
_RAISED: ContextVar[frozenset[str]] = ContextVar("quotebot_single_attempt", default=frozenset())


class Unavailable(discord.HTTPException):
    """Discord answered 429 or 5xx: the request may be tried again, after ``retry_after`` seconds when it says so."""

    def __init__(self, response: aiohttp.ClientResponse, data: dict[str, Any] | str) -> None:
        super().__init__(response, data)
        self.retry_after = _retry_after(response, data)


def _retry_after(response: aiohttp.ClientResponse, data: dict[str, Any] | str) -> float | None:
    """Seconds a 429 asks to wait: the body's ``retry_after``, else the ``Retry-After`` header."""
    if response.status != 429:
        return None
    value = data.get("retry_after") if isinstance(data, dict) else response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


@contextlib.contextmanager
def single_attempt(*, rate_limits: bool) -> Iterator[None]:
    """Within this block, a send that gets a 5xx (and with ``rate_limits`` a 429) raises ``Unavailable``
    instead of being retried by discord.py."""
    token = _RAISED.set(frozenset({"5xx", "429"} if rate_limits else {"5xx"}))
    try:
        yield
    finally:
        _RAISED.reset(token)


def trace_config() -> aiohttp.TraceConfig:
    """The aiohttp trace to pass as ``http_trace`` to the Discord client."""
    config = aiohttp.TraceConfig()
    config.on_request_end.append(_raise_when_unavailable)
    return config


async def _raise_when_unavailable(
    session: aiohttp.ClientSession, context: object, params: aiohttp.TraceRequestEndParams
) -> None:
    response = params.response
    raised = _RAISED.get()
    if ("429" in raised and response.status == 429) or ("5xx" in raised and response.status >= 500):
        raise Unavailable(response, await json_or_text(response))
