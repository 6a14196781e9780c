"""Injected faults: the ways Discord's real API fails a bot that is doing nothing wrong.

Discord answers some requests with ``429 Too Many Requests`` (with a
``retry_after``) or a ``5xx`` from its own servers or Cloudflare, and
sometimes carries a request out but loses the answer on the way back. A test
plans such faults (:meth:`FaultPlan.fail` for one route, :meth:`FaultPlan.mix`
for a share of every reply), and the REST middleware consults the plan
(:meth:`FaultPlan.pick`) for each request. Every injected fault is recorded on
its :class:`~.capture.CapturedRequest` (``fault``), so tests can count them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from aiohttp import web

#: The routes a bot answers members through: interaction responses, their webhook, and channel messages.
REPLY_ROUTES = frozenset(
    {
        "POST /interactions/{interaction_id}/{interaction_token}/callback",
        "POST /webhooks/{webhook_id}/{webhook_token}",
        "GET /webhooks/{webhook_id}/{webhook_token}/messages/@original",
        "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original",
        "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original",
        "GET /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
        "POST /channels/{channel_id}/messages",
        "PATCH /channels/{channel_id}/messages/{message_id}",
        "DELETE /channels/{channel_id}/messages/{message_id}",
    }
)

SERVER_ERRORS = (500, 502, 503)

# What Discord (or Cloudflare in front of it) sends with each status.
_BODIES: dict[int, tuple[str, str]] = {
    500: ("application/json", json.dumps({"message": "500: Internal Server Error", "code": 0})),
    502: ("text/html", "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"),
    503: ("application/json", json.dumps({"message": "upstream connect error or disconnect/reset", "code": 0})),
    504: ("text/html", "<html><head><title>504 Gateway Time-out</title></head><body>cloudflare</body></html>"),
}


@dataclass
class Fault:
    """One planned fault: ``status`` on requests to ``routes`` (all reply routes when empty).

    ``times`` is how many requests it hits (``None``: as long as the plan holds
    it), ``chance`` the probability that a matching request is hit, and
    ``after_processing`` makes the stand-in carry the request out and then
    answer with the fault, as when Discord's answer is lost on the way back.
    A 429 is for one route's bucket, or with ``global_limit`` the bot's global
    rate limit, which holds back every request made with the bot's token.
    """

    status: int
    routes: frozenset[str] = frozenset()
    times: int | None = 1
    chance: float = 1.0
    after_processing: bool = False
    retry_after: float = 0.2
    where: Callable[[web.Request], bool] | None = None
    global_limit: bool = False
    hits: int = 0

    def matches(self, route: str, request: web.Request) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if route not in (self.routes or REPLY_ROUTES):
            return False
        return self.where is None or self.where(request)

    def describe(self) -> str:
        return f"{self.status} {'after' if self.after_processing else 'before'} processing"

    def response(self) -> web.Response:
        """The answer Discord gives for this fault; a 429 carries what discord.py needs to trust it (``Via``)."""
        if self.status == 429:
            body = {"message": "You are being rate limited.", "retry_after": self.retry_after, "global": self.global_limit}
            headers = {"Content-Type": "application/json", "Retry-After": f"{self.retry_after:.3f}", "Via": "1.1 google"}
            if self.global_limit:  # the bot's global limit: no route bucket is named
                headers |= {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
            else:
                headers |= {
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": f"{self.retry_after:.3f}",
                    "X-RateLimit-Scope": "user",
                }
            return web.Response(status=429, body=json.dumps(body).encode(), headers=headers)
        content_type, text = _BODIES.get(self.status, _BODIES[500])
        return web.Response(status=self.status, body=text.encode(), headers={"Content-Type": content_type})


@dataclass
class FaultPlan:
    """The faults a test planned; consulted once per request, in the order they were planned."""

    seed: int = 0
    faults: list[Fault] = field(default_factory=list)
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def fail(
        self,
        route: str | Iterable[str],
        status: int,
        *,
        times: int | None = 1,
        after_processing: bool = False,
        retry_after: float = 0.2,
        where: Callable[[web.Request], bool] | None = None,
        global_limit: bool = False,
    ) -> Fault:
        """Answer the next ``times`` requests on ``route`` (a ``"METHOD template"``, or several) with ``status``
        (a 429 with ``global_limit``: the bot's global rate limit)."""
        routes = frozenset([route] if isinstance(route, str) else route)
        unknown = routes - REPLY_ROUTES
        if unknown:
            raise ValueError(f"faults are injected on reply routes only, not {sorted(unknown)}")
        fault = Fault(status, routes, times, 1.0, after_processing, retry_after, where, global_limit)
        self.faults.append(fault)
        return fault

    def mix(
        self,
        *,
        rate_limited: float,
        server_errors: float,
        statuses: Collection[int] = SERVER_ERRORS,
        routes: Iterable[str] = REPLY_ROUTES,
        retry_after: float = 0.2,
    ) -> None:
        """From now on, a share ``rate_limited`` of replies gets a 429 and ``server_errors`` a 5xx (one of ``statuses``).

        Each request is drawn independently (seeded, so a failing run repeats).
        """
        routes = frozenset(routes)
        self.faults.append(Fault(429, routes, None, rate_limited, retry_after=retry_after))
        share = server_errors / len(statuses)
        for index, status in enumerate(statuses):
            # Conditional chances, so that each status really takes ``share`` of all requests.
            self.faults.append(Fault(status, routes, None, share / (1 - rate_limited - index * share)))

    def clear(self) -> None:
        """No more faults."""
        self.faults.clear()

    def pick(self, route: str, request: web.Request) -> Fault | None:
        """The fault this request gets, if any (counting it as a hit)."""
        for fault in self.faults:
            if fault.matches(route, request) and (fault.chance >= 1.0 or self._rng.random() < fault.chance):
                fault.hits += 1
                return fault
        return None
