"""End to end: moderators add web pages, PDFs, links and archives with /corpus add, and refresh links.

A web server on 127.0.0.1 (``page_server``) plays the web. The bot may fetch from it only where a
test allows it (``fetch_allow_hosts``, i.e. ``QUOTEBOT_FETCH_ALLOW_HOSTS``); every refusal is checked
as a public bot runs, with the allowance unset, and leaves the server's corpus as it was.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.bot.e2e import EPHEMERAL, ask, callback, copy_corpus, delivered, make_bot, server_documents
from tests.bot.test_e2e_corpus import follow_up_text
from tests.page_server import Route

ALLOW_LOCAL = {"fetch_allow_hosts": ["127.0.0.1"]}
PAGE_PATH = "/the-peninsula/defectors-declines/"
SOLDIER = "What happened to the soldier who crossed the DMZ in November 2017?"
PUBLIC_ONLY = "quotebot fetches public addresses only"
UNCHANGED = "The corpus in use has not changed."


def _documents(bot, guild_id) -> list[str]:  # type: ignore[no-untyped-def]
    folder = server_documents(bot, guild_id)
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file() and ".quotebot" not in path.as_posix()) if folder.exists() else []


async def test_a_page_added_by_link_is_quoted_with_a_link_back_to_the_words(
    discord_standin, clean_env, tmp_path, page_server, article_html
):
    page_server.routes[PAGE_PATH] = Route(article_html)
    url = page_server.url(PAGE_PATH)
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), include_shared=False, **ALLOW_LOCAL)
    async with discord_standin.running(bot):
        sent = await discord_standin.send_interaction("corpus add", {"url": url}, user=world.morgan)
        text = await follow_up_text(discord_standin, sent)
        answer = await ask(discord_standin, SOLDIER)
    assert text.split("\n")[1:] == ["Added: `defectors-declines.md`"]
    assert " 1 documents, 25 passages." in text.split("\n")[0]
    assert _documents(bot, world.guild.id) == ["defectors-declines.html", "defectors-declines.md"]
    data = answer.json["data"]
    assert "shot five times" in data["embeds"][0]["description"]
    source = [c for row in data["components"] for c in row["components"] if c.get("label") == "Source"]
    assert source[0]["url"].startswith(url + "#:~:text=")
    assert data["embeds"][0]["fields"][-1]["value"] == (
        "— *Number of North Korean Defectors Declines*, Robert R. King, The Peninsula · "
        "North Korean Policy to Discourage Defections"
    )


async def test_a_pdf_upload_is_quoted_with_its_page(discord_standin, clean_env, tmp_path, article_pdf):
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), include_shared=False)
    async with discord_standin.running(bot):
        upload = discord_standin.add_attachment("Defectors report.pdf", article_pdf, content_type="application/pdf")
        sent = await discord_standin.send_interaction(
            "corpus add", {"file": upload, "url": "https://example.org/report.pdf"}, user=world.morgan
        )
        text = await follow_up_text(discord_standin, sent)
        answer = await ask(discord_standin, SOLDIER)
    assert text.split("\n")[1:] == ["Added: `defectors-report.md`"]
    data = answer.json["data"]
    assert data["embeds"][0]["fields"][-1]["value"].endswith("· North Korean Policy to Discourage Defections · p. 2")
    source = [c for row in data["components"] for c in row["components"] if c.get("label") == "Source"]
    assert source[0]["url"] == "https://example.org/report.pdf#page=2"


async def test_a_zip_is_imported_and_every_refused_entry_named(discord_standin, clean_env, tmp_path, article_html):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("Guides/Raid Guide.md", "# Raids\n\nRaids start at eight in the evening, server time.\n")
        bundle.writestr("Guides/defectors.html", article_html)
        bundle.writestr("../../escape.md", "# Out\n\nText.\n")
        bundle.writestr("logo.png", b"\x89PNG")
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    async with discord_standin.running(bot):
        upload = discord_standin.add_attachment("Handbook export.zip", buffer.getvalue(), content_type="application/zip")
        sent = await discord_standin.send_interaction("corpus add", {"file": upload}, user=world.morgan)
        text = await follow_up_text(discord_standin, sent)
    lines = text.split("\n")
    assert lines[1:] == [
        "Added: `guides/defectors.md`, `guides/raid-guide.md`",
        ("Not added from `handbook-export.zip`: `../../escape.md` (its path leads outside the folder); "
        "`logo.png` (not a kind of document quotebot reads (.md, .txt, .html, .htm, .pdf, .docx))"),
    ]
    assert _documents(bot, world.guild.id) == ["guides/defectors.html", "guides/defectors.md", "guides/raid-guide.md"]


async def test_refresh_refetches_link_documents_and_reports_what_changed(
    discord_standin, clean_env, tmp_path, page_server
):
    page = "<html><body><article><h1>Raid rules</h1><p>Raids start at {hour} in the evening, and invitations go out fifteen minutes before the first pull.</p></article></body></html>"
    page_server.routes["/raids.html"] = Route(page.format(hour="eight").encode())
    page_server.routes["/loot.html"] = Route(page.format(hour="ten").replace("Raid rules", "Loot").encode())
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), **ALLOW_LOCAL)
    async with discord_standin.running(bot):
        for path in ("/raids.html", "/loot.html"):
            sent = await discord_standin.send_interaction("corpus add", {"url": page_server.url(path)}, user=world.morgan)
            await follow_up_text(discord_standin, sent)
        first = await follow_up_text(
            discord_standin, await discord_standin.send_interaction("corpus refresh", user=world.morgan)
        )
        page_server.routes["/raids.html"] = Route(page.format(hour="nine").encode())
        del page_server.routes["/loot.html"]
        second = await follow_up_text(
            discord_standin, await discord_standin.send_interaction("corpus refresh", user=world.morgan)
        )
    assert first.split("\n")[1:] == ["No documents changed.", "Checked 2 linked documents: 2 unchanged."]
    assert second.split("\n")[1:] == [
        "Changed: `raids.md`",
        "Checked 2 linked documents: 1 changed, 0 unchanged, 1 could not be fetched.",
        "Not refreshed: `loot.md` (the server answered 404 Not Found)",
    ]
    assert "nine in the evening" in (server_documents(bot, world.guild.id) / "raids.md").read_text()
    conditional = [etag for path, etag in page_server.requests if path == "/raids.html"]
    assert conditional[0] is None and all(conditional[1:])  # every refresh asked "changed since?"


async def test_the_owner_adds_a_link_to_the_shared_corpus(discord_standin, clean_env, tmp_path, page_server, article_html):
    page_server.routes[PAGE_PATH] = Route(article_html)
    corpus = copy_corpus(tmp_path)
    bot = make_bot(discord_standin, corpus, **ALLOW_LOCAL)
    async with discord_standin.running(bot):
        sent = await discord_standin.send_interaction(
            "corpus add", {"url": page_server.url(PAGE_PATH), "shared": True}, user=discord_standin.world.owner
        )
        text = await follow_up_text(discord_standin, sent)
    assert text.split("\n")[1:] == ["Added: `defectors-declines.md`", "Every running quotebot process reloads it within 2 s."]
    assert (corpus / "defectors-declines.md").is_file() and (corpus / "defectors-declines.html").is_file()


REFUSED_AT_ONCE = [
    ("http://{local}/page", f"the link is 127.0.0.1, a loopback address: {PUBLIC_ONLY}"),
    ("http://169.254.169.254/latest/meta-data/", f"the link is 169.254.169.254, a cloud metadata address: {PUBLIC_ONLY}"),
    ("http://[::ffff:10.0.0.1]/wiki", f"the link is ::ffff:a00:1, a private address: {PUBLIC_ONLY}"),
    ("file:///etc/passwd", "the link is not an http:// or https:// link"),
]


@pytest.mark.parametrize("link, reason", REFUSED_AT_ONCE)
async def test_a_refused_link_is_one_line_at_once_and_nothing_is_fetched(
    discord_standin, clean_env, tmp_path, page_server, link, reason
):
    page_server.routes["/page"] = Route(b"<html><body><p>Private wiki.</p></body></html>")
    link = link.format(local=f"127.0.0.1:{page_server.port}")
    bot = make_bot(discord_standin, copy_corpus(tmp_path))  # QUOTEBOT_FETCH_ALLOW_HOSTS unset
    async with discord_standin.running(bot):
        sent = await discord_standin.send_interaction("corpus add", {"url": link}, user=discord_standin.world.morgan)
        reply = (await callback(discord_standin, sent)).json["data"]
    assert reply["flags"] & EPHEMERAL
    assert reply["content"] == f"Cannot add <{link}>: {reason}."
    assert page_server.requests == []
    assert _documents(bot, discord_standin.world.guild.id) == []


def _refusals(server, article_pdf):  # type: ignore[no-untyped-def]
    """Refusals found only by fetching: (path on the server, its route, the reason told)."""
    return [
        ("/to-localhost", Route(location=server.url("/page", host="localhost")),
         "localhost resolves to 127.0.0.1, a loopback address: " + PUBLIC_ONLY),
        ("/to-metadata", Route(location="http://169.254.169.254/latest/meta-data/"),
         f"the page redirected to 169.254.169.254, a cloud metadata address: {PUBLIC_ONLY}"),
        ("/photo.png", Route(b"\x89PNG", content_type="image/png"), "the link is image/png, not a web page, PDF, Word document or text"),
        ("/huge.html", Route(b"x" * 5_000), "the page is 5,000 bytes; the limit is 4,096"),
        ("/gone.html", Route(status=404), "the server answered 404 Not Found"),
        ("/menu.html", Route(b"<html><body><nav><a href='/'>Home</a></nav></body></html>"),
         "the page has no main content to quote (navigation or scripts only?)"),
        ("/scan.pdf", Route(b"%PDF-1.4 damaged", content_type="application/pdf"), "not a readable PDF (PdfStreamError)"),
    ]


async def test_every_refusal_found_by_fetching_is_one_line_and_adds_nothing(
    discord_standin, clean_env, tmp_path, page_server, article_pdf
):
    refusals = _refusals(page_server, article_pdf)
    page_server.routes["/page"] = Route(b"<html><body><article><p>Private wiki page text.</p></article></body></html>")
    for path, route, _ in refusals:
        page_server.routes[path] = route
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), max_upload_bytes=4096, **ALLOW_LOCAL)
    async with discord_standin.running(bot):
        told = []
        for path, _, _ in refusals:
            sent = await discord_standin.send_interaction("corpus add", {"url": page_server.url(path)}, user=world.morgan)
            told.append(await follow_up_text(discord_standin, sent))
    for (path, _, reason), text in zip(refusals, told, strict=True):
        assert text == f"Adding <{page_server.url(path)}> failed: {reason}. {UNCHANGED}"
    assert "/page" not in [path for path, _ in page_server.requests]  # the redirect to localhost was never followed
    assert _documents(bot, world.guild.id) == []


def _scanned_pdf() -> bytes:
    """A page with marks and no text layer, as a scanner without OCR makes it."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 160, style="F")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    "filename, data, reason",
    [
        ("broken.pdf", b"%PDF-1.4\n%%EOF", "not a readable PDF"),
        ("scan.pdf", _scanned_pdf(), "the PDF has no text to quote (a scan? add a PDF with a text layer)"),
        ("archive.zip", b"PK\x05\x06" + b"\x00" * 10, "not a readable .zip file"),
        ("only-bad.zip", None, "nothing in the archive could be added: ../x.md (its path leads outside the folder)"),
    ],
)
async def test_a_bad_file_is_one_line_and_adds_nothing(discord_standin, clean_env, tmp_path, filename, data, reason):
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as bundle:
            bundle.writestr("../x.md", "# X\n\nText.\n")
        data = buffer.getvalue()
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    async with discord_standin.running(bot):
        upload = discord_standin.add_attachment(filename, data)
        text = await follow_up_text(
            discord_standin, await discord_standin.send_interaction("corpus add", {"file": upload}, user=world.morgan)
        )
    assert text.startswith(f"Adding `{filename}` failed: {reason}")
    assert text.endswith(UNCHANGED) and "\n" not in text
    assert _documents(bot, world.guild.id) == []


async def test_add_without_a_file_or_a_link_says_what_to_give(discord_standin, clean_env, tmp_path):
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    async with discord_standin.running(bot):
        sent = await discord_standin.send_interaction("corpus add", {"title": "Notes"}, user=discord_standin.world.morgan)
        reply = (await callback(discord_standin, sent)).json["data"]
    assert reply["content"] == "Give a `file` to upload or a `url` to fetch."


async def test_refresh_without_link_documents_says_so(discord_standin, clean_env, tmp_path):
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    server_documents(bot, discord_standin.world.guild.id, {"notes.md": b"# Notes\n\nSome text.\n"})
    async with discord_standin.running(bot):
        sent = await discord_standin.send_interaction("corpus refresh", user=discord_standin.world.morgan)
        reply = await delivered(discord_standin, sent)  # deferred first: the server's corpus had to be loaded
    assert reply["content"] == "This server's corpus has no documents added by link (`/corpus add url:` adds one)."


async def test_the_server_limits_hold_for_links_and_archives(discord_standin, clean_env, tmp_path, page_server, article_html):
    page_server.routes[PAGE_PATH] = Route(article_html)
    world = discord_standin.world
    bot = make_bot(discord_standin, copy_corpus(tmp_path), server_max_documents=1, **ALLOW_LOCAL)
    server_documents(bot, world.guild.id, {"rules.md": b"# Rules\n\nBe kind to one another in every channel.\n"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("faq.md", "# FAQ\n\nAsk in the help channel.\n")
    async with discord_standin.running(bot):
        by_link = await follow_up_text(
            discord_standin,
            await discord_standin.send_interaction("corpus add", {"url": page_server.url(PAGE_PATH)}, user=world.morgan),
        )
        upload = discord_standin.add_attachment("export.zip", buffer.getvalue())
        by_archive = await follow_up_text(
            discord_standin, await discord_standin.send_interaction("corpus add", {"file": upload}, user=world.morgan)
        )
    over = "this server may keep at most 1 documents, and this would make 2: remove some first (QUOTEBOT\\_SERVER\\_MAX\\_DOCUMENTS)"  # escaped for Discord
    assert by_link == f"Adding <{page_server.url(PAGE_PATH)}> failed: {over}. {UNCHANGED}"
    assert by_archive == f"Adding `export.zip` failed: {over}. {UNCHANGED}"
    assert _documents(bot, world.guild.id) == ["rules.md"]
