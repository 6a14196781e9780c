"""Fetching one document by its link, so that a link can never be turned against the host.

The rules, each checked where it cannot be side-stepped:

- only ``http``/``https`` URLs, with a host name;
- the name is resolved here (aiohttp's resolver is replaced), and the
  connection goes to exactly the addresses checked: a refused address in the
  answer refuses the fetch. As the check is made on the addresses the socket
  connects to, a name that resolves to a public address when first looked up
  and to a private one later (DNS rebinding) is caught at the second look-up;
- a host written as an IP address (which aiohttp connects to without
  resolving) is checked as written;
- redirects are followed by hand, each new URL checked again;
- no proxy from the environment is used (it would connect for us, unchecked);
- the size (as announced, and as read, after decompression), the total time
  and the content type are capped.

``allow_hosts`` names hosts that skip the address check (an intranet wiki, a
test server): the operator's setting ``QUOTEBOT_FETCH_ALLOW_HOSTS``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Collection
from dataclasses import dataclass, field

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from quotebot.retrieval.ingest.formats import CONTENT_TYPES
from quotebot.retrieval.ingest.loader import CorpusError
from quotebot.retrieval.web.addresses import parse_address, refusal

MAX_FETCH_BYTES = 10 * 1024 * 1024
FETCH_SECONDS = 20.0
MAX_REDIRECTS = 5
USER_AGENT = "quotebot (adds a page a moderator linked to a Discord server's corpus)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchRefused(CorpusError):
    """A link quotebot will not fetch, or a fetch that failed; ``str()`` is the one line to show."""


@dataclass(frozen=True)
class FetchPolicy:
    """What a fetch may do: the hosts exempt from the address check, and the caps."""

    allow_hosts: frozenset[str] = field(default_factory=frozenset)
    max_bytes: int = MAX_FETCH_BYTES
    seconds: float = FETCH_SECONDS
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def allowing(cls, hosts: Collection[str], **caps: float) -> FetchPolicy:
        return cls(frozenset(host.strip().strip("[]").lower() for host in hosts if host.strip()), **caps)  # type: ignore[arg-type]

    def allows(self, host: str) -> bool:
        return host.strip("[]").lower() in self.allow_hosts


@dataclass(frozen=True)
class Fetched:
    """A fetched document: ``raw`` is ``None`` when the server said it has not changed (304)."""

    requested: str
    url: str
    raw: bytes | None
    suffix: str
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.raw is None


async def fetch(url: str, policy: FetchPolicy, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
    """The document at ``url``; ``FetchRefused`` (one line) for a refused link or a failed fetch.

    ``etag``/``last_modified`` make the request conditional (a refresh): an
    unchanged document comes back with ``raw`` ``None``.
    """
    headers = {"User-Agent": USER_AGENT, "Accept": ", ".join(CONTENT_TYPES)}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    connector = aiohttp.TCPConnector(resolver=_CheckingResolver(policy), use_dns_cache=False, limit=2)
    timeout = aiohttp.ClientTimeout(total=policy.seconds)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout, trust_env=False) as session:
            return await _follow(session, url, policy, headers)
    except TimeoutError:
        raise FetchRefused(f"the page did not arrive within {policy.seconds:g} s") from None
    except aiohttp.ClientConnectorError as error:
        if isinstance(error.os_error, FetchRefused):
            raise error.os_error from None
        raise FetchRefused(f"could not connect to {error.host} ({_reason(error.os_error)})") from None
    except aiohttp.ClientError as error:
        raise FetchRefused(f"the fetch failed ({_reason(error)})") from None


async def _follow(session: aiohttp.ClientSession, url: str, policy: FetchPolicy, headers: dict[str, str]) -> Fetched:
    current = checked_url(url, policy)
    for _ in range(policy.max_redirects + 1):
        async with session.get(current, allow_redirects=False, headers=headers) as response:
            if response.status in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchRefused(f"{current.host} redirected without saying where to")
                try:
                    current = checked_url(str(current.join(URL(location))), policy, redirected=True)
                except ValueError:
                    raise FetchRefused("the page redirected to a malformed link") from None
                continue
            if response.status == 304:
                return Fetched(url, str(current), None, "", response.headers.get("ETag"), response.headers.get("Last-Modified"))
            if response.status != 200:
                raise FetchRefused(f"the server answered {response.status} {response.reason or ''}".rstrip())
            suffix = CONTENT_TYPES.get(response.content_type)
            if suffix is None:
                raise FetchRefused(
                    f"the link is {response.content_type or 'of no stated type'}, not a web page, PDF, Word document or text"
                )
            raw = await _body(response, policy.max_bytes)
            return Fetched(
                url, str(current), raw, suffix, response.headers.get("ETag"), response.headers.get("Last-Modified")
            )
    raise FetchRefused(f"more than {policy.max_redirects} redirects")


def checked_url(url: str, policy: FetchPolicy, *, redirected: bool = False) -> URL:
    """``url`` parsed, or ``FetchRefused``: http(s) only, a host, and no refused address written as the host."""
    where = "the page redirected to" if redirected else "the link is"
    try:
        parsed = URL(url.strip())
    except (ValueError, TypeError):
        raise FetchRefused(f"{where} not a valid URL") from None
    if parsed.scheme not in {"http", "https"}:
        raise FetchRefused(f"{where} not an http:// or https:// link")
    if not parsed.host:
        raise FetchRefused(f"{where} a link without a host")
    if parsed.user or parsed.password:
        raise FetchRefused(f"{where} a link with a user name or password in it")
    address = parse_address(parsed.host)
    if address is not None and not policy.allows(parsed.host):
        reason = refusal(address)
        if reason:
            raise FetchRefused(f"{where} {parsed.host}, {reason}: quotebot fetches public addresses only")
    return parsed.with_fragment(None)


async def _body(response: aiohttp.ClientResponse, limit: int) -> bytes:
    if response.content_length is not None and response.content_length > limit:
        raise FetchRefused(f"the page is {response.content_length:,} bytes; the limit is {limit:,}")
    body = bytearray()
    async for chunk in response.content.iter_chunked(65_536):
        body += chunk
        if len(body) > limit:
            raise FetchRefused(f"the page is larger than the {limit:,}-byte limit")
    return bytes(body)


class _CheckingResolver(AbstractResolver):
    """The system's resolver, answering only with public addresses (or any, for an allowed host)."""

    def __init__(self, policy: FetchPolicy) -> None:
        self._policy = policy
        self._system = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        try:
            results = await self._system.resolve(host, port, family)
        except OSError:
            raise FetchRefused(f"the host {host} was not found") from None
        if self._policy.allows(host):
            return results
        for result in results:
            address = parse_address(result["host"])
            reason = refusal(address) if address is not None else "not an IP address"
            if reason:
                raise FetchRefused(f"{host} resolves to {result['host']}, {reason}: quotebot fetches public addresses only")
        return results

    async def close(self) -> None:
        await self._system.close()


def _reason(error: BaseException | None) -> str:
    text = str(error or "").strip() or type(error).__name__
    return text.splitlines()[0][:200]


def run_fetch(url: str, policy: FetchPolicy, **conditions: str | None) -> Fetched:
    """``fetch`` for a caller without an event loop (the command line)."""
    return asyncio.run(fetch(url, policy, **conditions))
