"""The fetcher against a real web server on 127.0.0.1: allowed by name it serves; every refusal one clear line.

The server is allowed only where a test says so (``QUOTEBOT_FETCH_ALLOW_HOSTS``
in production), so each refusal is checked with the allowance unset, as a
public bot runs.
"""

from __future__ import annotations

import aiohttp
import pytest

from quotebot.retrieval.web.fetch import FetchPolicy, FetchRefused, fetch
from tests.page_server import Route

ALLOWED = FetchPolicy.allowing(["127.0.0.1"])
UNSET = FetchPolicy()
PAGE = b"<html><body><article><p>Raids start at eight.</p></article></body></html>"
PUBLIC_ONLY = "quotebot fetches public addresses only"


async def test_an_allowed_host_is_fetched_with_its_type_and_validators(page_server):
    page_server.routes["/guide.html"] = Route(PAGE, headers={"Last-Modified": "Tue, 05 Mar 2024 10:00:00 GMT"})
    fetched = await fetch(page_server.url("/guide.html"), ALLOWED)
    assert (fetched.raw, fetched.suffix, fetched.url) == (PAGE, ".html", page_server.url("/guide.html"))
    assert fetched.etag == page_server.routes["/guide.html"].etag
    assert fetched.last_modified == "Tue, 05 Mar 2024 10:00:00 GMT"


async def test_a_conditional_request_for_an_unchanged_page_gets_no_body(page_server):
    page_server.routes["/guide.html"] = Route(PAGE)
    first = await fetch(page_server.url("/guide.html"), ALLOWED)
    again = await fetch(page_server.url("/guide.html"), ALLOWED, etag=first.etag)
    assert again.not_modified and again.raw is None
    assert page_server.requests[-1] == ("/guide.html", first.etag)


async def test_redirects_within_allowed_hosts_are_followed(page_server):
    page_server.routes["/old"] = Route(location="/guide.pdf", status=301)
    page_server.routes["/guide.pdf"] = Route(b"%PDF-1.4 ...", content_type="application/pdf")
    fetched = await fetch(page_server.url("/old#section"), ALLOWED)
    assert (fetched.url, fetched.suffix, fetched.requested) == (
        page_server.url("/guide.pdf"), ".pdf", page_server.url("/old#section")
    )


async def test_the_local_server_is_refused_when_not_allowed(page_server):
    page_server.routes["/guide.html"] = Route(PAGE)
    with pytest.raises(FetchRefused) as refused:
        await fetch(page_server.url("/guide.html"), UNSET)
    assert str(refused.value) == f"the link is 127.0.0.1, a loopback address: {PUBLIC_ONLY}"
    assert page_server.requests == []  # refused before connecting


async def test_a_name_resolving_to_a_refused_address_is_refused_at_connection(page_server):
    page_server.routes["/guide.html"] = Route(PAGE)
    with pytest.raises(FetchRefused) as refused:
        await fetch(page_server.url("/guide.html", host="localhost"), ALLOWED)  # 127.0.0.1 is allowed, not the name
    assert str(refused.value).startswith("localhost resolves to ")
    assert str(refused.value).endswith(f", a loopback address: {PUBLIC_ONLY}")
    assert page_server.requests == []


async def test_a_redirect_from_an_allowed_host_to_a_refused_one_is_refused(page_server):
    page_server.routes["/out"] = Route(location=page_server.url("/guide.html", host="localhost"))
    page_server.routes["/metadata"] = Route(location="http://169.254.169.254/latest/meta-data/")
    page_server.routes["/mapped"] = Route(location=f"http://[::ffff:127.0.0.1]:{page_server.port}/guide.html")
    page_server.routes["/guide.html"] = Route(PAGE)
    with pytest.raises(FetchRefused, match=f"^localhost resolves to .*, a loopback address: {PUBLIC_ONLY}$"):
        await fetch(page_server.url("/out"), ALLOWED)
    with pytest.raises(FetchRefused) as metadata:
        await fetch(page_server.url("/metadata"), ALLOWED)
    assert str(metadata.value) == f"the page redirected to 169.254.169.254, a cloud metadata address: {PUBLIC_ONLY}"
    with pytest.raises(FetchRefused, match="^the page redirected to ::ffff:7f00:1, a loopback address"):
        await fetch(page_server.url("/mapped"), ALLOWED)
    assert [path for path, _ in page_server.requests] == ["/out", "/metadata", "/mapped"]  # never /guide.html


async def test_dns_rebinding_is_caught_where_the_connection_is_made(page_server, monkeypatch):
    """A name that looked public once and answers with a private address now: each connection's own look-up
    is the one checked (no cache), so the private answer is refused before connecting."""

    async def rebound(self, host, port=0, family=0):
        return [{"hostname": host, "host": "10.0.0.7", "port": port, "family": 2, "proto": 0, "flags": 0}]

    monkeypatch.setattr(aiohttp.ThreadedResolver, "resolve", rebound)
    with pytest.raises(FetchRefused) as refused:
        await fetch("http://wiki.example.org/page", UNSET)
    assert str(refused.value) == f"wiki.example.org resolves to 10.0.0.7, a private address: {PUBLIC_ONLY}"


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://example.org/guide.pdf", "the link is not an http:// or https:// link"),
        ("file:///etc/passwd", "the link is not an http:// or https:// link"),
        ("javascript:alert(1)", "the link is not an http:// or https:// link"),
        ("http:///guide", "the link is a link without a host"),
        ("http://user:secret@example.org/", "the link is a link with a user name or password in it"),
        ("http://[::1]/", f"the link is ::1, a loopback address: {PUBLIC_ONLY}"),
        ("http://0.0.0.0:8080/", f"the link is 0.0.0.0, an unspecified address: {PUBLIC_ONLY}"),
        ("http://10.0.0.1/wiki", f"the link is 10.0.0.1, a private address: {PUBLIC_ONLY}"),
        ("http://quotebot-test.invalid/", "the host quotebot-test.invalid was not found"),
    ],
)
async def test_links_that_are_refused_before_any_request(url, reason):
    with pytest.raises(FetchRefused) as refused:
        await fetch(url, UNSET)
    assert str(refused.value) == reason


async def test_caps_on_size_time_type_status_and_redirects(page_server):
    page_server.routes["/big.html"] = Route(b"x" * 5_000)
    page_server.routes["/slow.html"] = Route(PAGE, delay=1.5)
    page_server.routes["/photo.png"] = Route(b"\x89PNG", content_type="image/png")
    page_server.routes["/loop"] = Route(location="/loop")
    small = FetchPolicy.allowing(["127.0.0.1"], max_bytes=1_000, seconds=1.0)
    cases = {
        "/big.html": "the page is 5,000 bytes; the limit is 1,000",
        "/slow.html": "the page did not arrive within 1 s",
        "/photo.png": "the link is image/png, not a web page, PDF, Word document or text",
        "/missing.html": "the server answered 404 Not Found",
        "/loop": "more than 5 redirects",
    }
    for path, reason in cases.items():
        with pytest.raises(FetchRefused) as refused:
            await fetch(page_server.url(path), small)
        assert str(refused.value) == reason


async def test_a_body_with_no_announced_length_is_cut_at_the_cap(page_server):
    page_server.routes["/streamed.html"] = Route(b"z" * 300_000, announce_length=False)
    small = FetchPolicy.allowing(["127.0.0.1"], max_bytes=200_000)
    with pytest.raises(FetchRefused, match=r"^the page is larger than the 200,000-byte limit$"):
        await fetch(page_server.url("/streamed.html"), small)
