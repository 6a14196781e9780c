"""When quotebot tries a send again, and when it gives up: the one retry policy every send goes through.

A send is retried when Discord's answer says nothing was wrong with it: a 429
(after the ``retry_after`` it asks for, plus a little jitter), a 5xx or a
broken connection (after a full-jitter exponential back-off, so a crowd of
bots hit by the same outage does not come back in step). It gives up at its
deadline: the end of an interaction's 3-second callback window, or a budget
of ``PATIENT_SECONDS`` for sends whose token lasts 15 minutes.

Only inside the callback window does quotebot retry a 429 itself
(``attempts.single_attempt``), because discord.py's own sleeps cannot fit
there. Everywhere else discord.py sees every 429: it sleeps it out, learns
the route's bucket, holds every request back during a global rate limit, and
counts toward its protection from a Cloudflare ban; quotebot retries only
what discord.py gave up on. Discord
refusing the request itself (a 4xx) is not retried; an expired interaction
token, or a fault that outlasts the deadline, ends as ``DeliveryFailed``:
Discord's side, logged once as a warning, never a quotebot bug.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import aiohttp
import discord
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_before_delay, wait_random_exponential

from quotebot.bot import metrics
from quotebot.bot.delivery.attempts import Unavailable, single_attempt

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a send whose token lasts (follow-ups, edits, channel messages) keeps being tried.
PATIENT_SECONDS = 30.0
#: Full-jitter exponential back-off: the first wait is at most this, doubling up to the cap.
FIRST_WAIT = 0.05
LONGEST_WAIT = 4.0
#: Inside the callback window, waits stay short: the window is 3 seconds in all.
LONGEST_WAIT_IN_WINDOW = 0.4
#: Extra wait after a 429's ``retry_after``, at most.
RATE_LIMIT_JITTER = 0.1

# Discord's error codes for an interaction whose token can no longer be used.
UNKNOWN_INTERACTION = 10062
UNKNOWN_WEBHOOK = 10015
INVALID_WEBHOOK_TOKEN = 50027
EXPIRED_TOKEN_CODES = frozenset({UNKNOWN_INTERACTION, UNKNOWN_WEBHOOK, INVALID_WEBHOOK_TOKEN})


class DeliveryFailed(Exception):
    """Discord did not take a send: its token expired, or it kept failing until the deadline.

    ``route`` is the API route (a template: tokens are never logged) and
    ``interaction_id`` the interaction it answered, if any.
    """

    def __init__(self, route: str, interaction_id: int | None, reason: str, *, expired: bool = False) -> None:
        super().__init__(f"{route}: {reason}")
        self.route = route
        self.interaction_id = interaction_id
        self.reason = reason
        self.expired = expired


def log_failure(failure: DeliveryFailed, what: str) -> None:
    """The one log line a Discord-side failure gets (a warning with the route and interaction, no traceback),
    and its count in the metrics."""
    metrics.count_delivery_failure(failure.route)
    log.warning(
        "Discord did not take %s (%s, interaction %s): %s",
        what,
        failure.route,
        failure.interaction_id,
        failure.reason,
        extra={"route": failure.route, "interaction_id": failure.interaction_id},
    )


def is_transient(error: BaseException) -> bool:
    """A failure that trying again may cure: a 5xx, a 429 (raised at once in the callback window, or one
    discord.py still got after its own tries), or the connection to Discord breaking.

    A 429 that is not Discord's own (no ``Via`` header, no JSON: Cloudflare refusing the bot) is not
    tried again: more requests would only lengthen a ban.
    """
    if isinstance(error, discord.HTTPException) and error.status == 429 and not isinstance(error, Unavailable):
        response = error.response
        return bool(response.headers.get("Via")) and response.content_type == "application/json"
    return isinstance(error, (Unavailable, aiohttp.ClientConnectionError, asyncio.TimeoutError))


def is_expired(error: BaseException) -> bool:
    """Discord no longer knows the interaction token the send used."""
    return isinstance(error, discord.HTTPException) and error.code in EXPIRED_TOKEN_CODES


def describe(error: BaseException) -> str:
    """A failure in a few words, for logs: ``503 Service Unavailable``, ``404 (10062) Unknown interaction``."""
    if isinstance(error, discord.HTTPException):
        code = f" ({error.code})" if error.code else ""
        text = f" {error.text}" if error.text and len(error.text) < 120 else ""
        return f"{error.status}{code} {error.response.reason or ''}{text}".strip()
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _wait(longest: float) -> Callable[[RetryCallState], float]:
    backoff = wait_random_exponential(multiplier=FIRST_WAIT, max=longest)

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, Unavailable) and error.retry_after is not None:
            return error.retry_after + random.uniform(0, RATE_LIMIT_JITTER)
        return backoff(state)

    return wait


async def deliver(
    route: str,
    send: Callable[[], Awaitable[T]],
    *,
    interaction_id: int | None = None,
    deadline: float | None = None,
    earlier_failures: Sequence[str] = (),
) -> T:
    """``await send()``, one HTTP attempt at a time, until it succeeds, is refused, or ``deadline`` passes.

    ``deadline`` is a ``time.monotonic()`` value: the callback window for an
    interaction callback; by default ``PATIENT_SECONDS`` from now.
    ``earlier_failures`` are failed attempts on the same route made before
    (reported with these). Raises ``DeliveryFailed`` for Discord-side failures
    and re-raises anything else.
    """
    in_window = deadline is not None
    budget = (deadline - time.monotonic()) if deadline is not None else PATIENT_SECONDS
    failures = list(earlier_failures)

    def remember(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        failures.append(describe(error) if error else "?")
        log.debug("%s for interaction %s failed (%s); trying again", route, interaction_id, failures[-1])

    retrying = AsyncRetrying(
        retry=retry_if_exception(is_transient),
        wait=_wait(LONGEST_WAIT_IN_WINDOW if in_window else LONGEST_WAIT),
        stop=stop_before_delay(max(0.0, budget)),
        before_sleep=remember,
        reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt, single_attempt(rate_limits=in_window):
                result = await send()
    except Exception as error:
        if is_expired(error):
            raise DeliveryFailed(route, interaction_id, "the interaction token has expired", expired=True) from None
        if is_transient(error):
            tries = len(failures) + 1
            raise DeliveryFailed(route, interaction_id, f"{describe(error)}, still after {tries} attempts") from None
        raise
    if failures:
        log.info(
            "%s for interaction %s went through on attempt %d (after %s)",
            route,
            interaction_id,
            len(failures) + 1,
            ", ".join(failures),
            extra={"route": route, "interaction_id": interaction_id},
        )
    return result
