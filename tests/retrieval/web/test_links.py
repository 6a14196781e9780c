"""Documents added by link: saved with where they came from, refreshed with conditional requests."""

from __future__ import annotations

import pytest

from quotebot.retrieval import load_folder
from quotebot.retrieval.web.fetch import FetchPolicy, fetch
from quotebot.retrieval.web.links import (
    link_documents,
    name_of_link,
    prepare_fetched,
    refresh_links,
    save_fetched,
    write_refreshed,
)
from tests.page_server import Route

ALLOWED = FetchPolicy.allowing(["127.0.0.1"])


def _page(text: str) -> bytes:
    return f"<html><head><title>Raid rules</title></head><body><article><h1>Raid rules</h1><p>{text}</p></article></body></html>".encode()


RULES = "Raids start at eight in the evening, and invitations go out fifteen minutes before the first pull of the night."


@pytest.mark.parametrize(
    "url, stem",
    [
        ("https://keia.org/the-peninsula/number-of-north-korean-defectors-declines/", "number-of-north-korean-defectors-declines"),
        ("https://example.org/guides/raids.html?x=1", "raids"),
        ("https://wiki.example.org/", "wiki-example-org"),
        ("https://example.org/docs/index.html", "example-org-docs"),
        ("https://wiki.example.org/index.php?title=Raid_rules", "wiki-example-org-raid-rules"),
        ("https://example.org/Guides/Über%20uns.html", "uber-uns"),
    ],
)
def test_a_link_names_its_document_by_its_path(url, stem):
    assert name_of_link(url) == stem


async def test_a_refresh_rewrites_changed_pages_only_and_reports_failures(page_server, tmp_path):
    for path in ("/a.html", "/b.html", "/c.html"):
        page_server.routes[path] = Route(_page(RULES))
    for path in ("/a.html", "/b.html", "/c.html"):
        prepare_fetched(await fetch(page_server.url(path), ALLOWED), max_bytes=100_000).write(tmp_path)
    links = link_documents(load_folder(tmp_path).documents)
    assert [(link.id, link.source_url) for link in links] == [
        ("a.md", page_server.url("/a.html")), ("b.md", page_server.url("/b.html")), ("c.md", page_server.url("/c.html"))
    ]
    assert all(link.etag == page_server.routes["/a.html"].etag for link in links)
    before = (tmp_path / "c.md").read_bytes()

    page_server.routes["/a.html"] = Route(_page(RULES.replace("eight", "nine")))  # changed
    del page_server.routes["/b.html"]  # gone
    # /c.html unchanged: the server answers 304 to its ETag.
    refreshed = await refresh_links(links, ALLOWED, max_bytes=100_000)
    assert [(r.link.id, r.prepared is not None, r.failure) for r in refreshed] == [
        ("a.md", True, None), ("b.md", False, "the server answered 404 Not Found"), ("c.md", False, None)
    ]
    assert write_refreshed(tmp_path, refreshed) == ["a.md"]
    assert "Raids start at nine" in (tmp_path / "a.md").read_text()
    assert (tmp_path / "c.md").read_bytes() == before
    assert ("/c.html", links[2].etag) in page_server.requests


async def test_a_page_served_again_with_the_same_text_is_left_alone(page_server, tmp_path):
    page_server.routes["/a.html"] = Route(_page(RULES), headers={"Cache-Control": "no-store"})
    prepare_fetched(await fetch(page_server.url("/a.html"), ALLOWED), max_bytes=100_000).write(tmp_path)
    (link,) = link_documents(load_folder(tmp_path).documents)
    # A server that ignores validators: full page, same text (new markup around it).
    page_server.routes["/a.html"] = Route(_page(RULES).replace(b"<html>", b"<html><!-- build 2 -->"))
    refreshed = await refresh_links([link], ALLOWED, max_bytes=100_000)
    assert refreshed[0].prepared is not None
    assert write_refreshed(tmp_path, refreshed) == []


async def test_a_refresh_ends_in_its_time_and_names_the_links_it_did_not_reach(page_server, tmp_path):
    page_server.routes["/a.html"] = Route(_page(RULES))
    prepare_fetched(await fetch(page_server.url("/a.html"), ALLOWED), max_bytes=100_000).write(tmp_path)
    (link,) = link_documents(load_folder(tmp_path).documents)
    page_server.routes["/a.html"] = Route(_page(RULES.replace("eight", "nine")), delay=3.0)
    (late,) = await refresh_links([link], ALLOWED, max_bytes=100_000, seconds=0.5)
    assert (late.prepared, late.failure) == (None, "not fetched within the refresh's 0.5 s (refresh again for it)")


async def test_a_page_never_replaces_another_document_of_the_same_name(page_server, tmp_path):
    (tmp_path / "faq.md").write_text("# FAQ\n\nWritten by hand: ask in the help channel.\n")
    page_server.routes["/guides/faq"] = Route(_page(RULES))
    page_server.routes["/rules/faq"] = Route(_page(RULES.replace("eight", "nine")))
    saved = [
        save_fetched(tmp_path, await fetch(page_server.url(path), ALLOWED), max_bytes=100_000).name
        for path in ("/guides/faq", "/rules/faq", "/guides/faq")  # the last: the same link again
    ]
    assert saved == ["faq-2.md", "faq-3.md", "faq-2.md"]
    assert "Written by hand" in (tmp_path / "faq.md").read_text()
    assert "nine in the evening" in (tmp_path / "faq-3.md").read_text()


async def test_a_refresh_that_would_go_over_a_limit_writes_nothing(page_server, tmp_path):
    from quotebot.retrieval.ingest.store import before_writing
    from quotebot.retrieval.library.limits import OverLimit

    for path in ("/a.html", "/b.html"):
        page_server.routes[path] = Route(_page(RULES))
        prepare_fetched(await fetch(page_server.url(path), ALLOWED), max_bytes=100_000).write(tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    links = link_documents(load_folder(tmp_path).documents)
    for path in ("/a.html", "/b.html"):
        page_server.routes[path] = Route(_page(RULES.replace("eight", "nine")))
    refreshed = await refresh_links(links, ALLOWED, max_bytes=100_000)
    checked: list[list[str]] = []

    def over(documents) -> None:  # type: ignore[no-untyped-def]
        checked.append([document.id for document in documents])
        raise OverLimit("this server may keep at most 1 passages")

    token = before_writing.set(over)
    try:
        with pytest.raises(OverLimit):
            write_refreshed(tmp_path, refreshed)
    finally:
        before_writing.reset(token)
    assert checked == [["a.md", "b.md"]]  # both at once
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
