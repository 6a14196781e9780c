"""Web pages: the main content with its headings, lists and tables; metadata the page states; furniture dropped."""

from __future__ import annotations

import pytest

from quotebot.retrieval import CorpusError
from quotebot.retrieval.ingest.formats.html import extract

DOCS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Raid etiquette – Guild Handbook</title>
<meta property="og:title" content="Raid etiquette">
<meta name="author" content="J. R. Moss">
<meta property="article:published_time" content="2024-03-05T10:00:00+00:00">
</head><body>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all cookies</button></div>
<header><a href="/">Guild Handbook</a><nav><ul><li><a href="/rules">Rules</a></li><li><a href="/raids">Raids</a></li>
<li><a href="/recruiting">Recruiting</a></li></ul></nav></header>
<aside class="sidebar"><h4>On this site</h4><ul><li><a href="/a">Loot council archive</a></li><li><a href="/b">Old forum</a></li></ul></aside>
<main><article>
<h1>Raid etiquette</h1>
<p>Raids start at eight in the evening server time, and invitations go out fifteen minutes before the pull.
Members who cannot attend must post in the absence channel by noon of the raid day.</p>
<h2>Loot rules</h2>
<p>Loot is distributed by the loot council, which weighs attendance, preparation and the upgrade each item gives.
Nobody may roll on an item their main specialisation cannot use.</p>
<ul><li>Attendance counts for half of the priority score.</li><li>Consumables are provided by the guild bank on progression nights.</li></ul>
<h2>Absences</h2>
<p>Three unannounced absences in a month move a member from the raid roster to the bench until an officer reviews them.</p>
<table><tr><th>Role</th><th>Minimum item level</th></tr><tr><td>Tank</td><td>610</td></tr><tr><td>Healer</td><td>605</td></tr></table>
</article></main>
<footer><p>© 2024 Guild Handbook. Made with love by the officers.</p><a href="/privacy">Privacy</a></footer>
</body></html>
"""


def test_a_docs_page_keeps_headings_lists_tables_and_its_stated_metadata():
    extracted = extract(DOCS_PAGE.encode())
    assert extracted.metadata == {"title": "Raid etiquette", "author": "J. R. Moss", "date": "2024-03-05"}
    paragraphs = extracted.body.strip().split("\n\n")
    assert paragraphs[0].startswith("Raids start at eight in the evening server time")
    assert "## Loot rules" in paragraphs and "## Absences" in paragraphs
    assert "- Attendance counts for half of the priority score." in paragraphs
    assert "Tank | 610" in paragraphs
    for furniture in ("cookies", "Recruiting", "Loot council archive", "Made with love", "Privacy"):
        assert furniture not in extracted.body


def test_a_page_in_another_encoding_is_read_as_it_declares():
    page = DOCS_PAGE.replace("utf-8", "iso-8859-1").replace("–", "-").replace("eight in the evening", "huit heures, café")
    assert "huit heures, café" in extract(page.encode("latin-1")).body


@pytest.mark.parametrize(
    "page",
    [
        b"<html><body><nav><a href='/'>Home</a> <a href='/about'>About</a></nav><footer>(c) 2024</footer></body></html>",
        b"<html><head><script>location.href='/app'</script></head><body><div id='root'></div></body></html>",
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
)
def test_a_page_without_main_content_is_refused_with_a_reason(page):
    with pytest.raises(CorpusError, match="^the page has no main content to quote"):
        extract(page)
