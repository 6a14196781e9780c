"""Documents added by link: saving a fetched page with where it came from, and refreshing it later.

A link document's front matter keeps ``source_url`` (the link as given) and
the server's validators (``etag``, ``last_modified``), so a refresh asks only
"has it changed?" and usually gets a short 304; ``url`` is where the page was
finally found, which every answer links to. A page that comes back with the
same text is left untouched, so a refresh reports it unchanged.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, unquote, urlsplit

from quotebot.retrieval.ingest.loader import DOCUMENT_SUFFIXES, CorpusError, parse_document
from quotebot.retrieval.ingest.models import Document
from quotebot.retrieval.ingest.store import check_room, prepare_document, safe_name, write_prepared
from quotebot.retrieval.web.fetch import Fetched, FetchPolicy, fetch

SOURCE_URL = "source_url"
#: Documents that may be named after one link's name (``faq``, ``faq-2``…) before adding another is refused.
MAX_SAME_NAME = 20
_GENERIC_NAMES = frozenset({"index", "default", "view", "page", "article", "show", "home"})
#: Link documents fetched at once by a refresh: few, to be gentle with one site and with the bot's network.
REFRESH_CONCURRENCY = 4
#: A whole refresh ends within this time (a Discord reply must come within 15 minutes); links not fetched by
#: then are reported as such and keep their text.
REFRESH_SECONDS = 600.0


@dataclass(frozen=True)
class Prepared:
    """A checked document, ready to write: the text's name (relative to the folder), its bytes, its original."""

    name: str
    text: bytes
    original: tuple[str, bytes] | None

    def write(self, folder: Path) -> Path:
        return write_prepared(folder, self.name, self.text, self.original)


def prepare_fetched(
    fetched: Fetched, *, name: str | None = None, title: str | None = None, author: str | None = None, max_bytes: int
) -> Prepared:
    """``fetched`` as a document, named after its link unless ``name`` (a document id or its stem) is given."""
    assert fetched.raw is not None, "a 304 has nothing to save"
    source = {SOURCE_URL: fetched.requested}
    source.update({key: value for key, value in (("etag", fetched.etag), ("last_modified", fetched.last_modified)) if value})
    where = PurePosixPath(name).parent if name else PurePosixPath()
    stem = PurePosixPath(name).name.removesuffix(".md").removesuffix(".txt") if name else name_of_link(fetched.url)
    text_name, text, original = prepare_document(
        stem + fetched.suffix, fetched.raw, title=title, author=author, url=fetched.url, max_bytes=max_bytes, source=source
    )
    if original is not None:
        original = ((where / original[0]).as_posix(), original[1])
    return Prepared((where / text_name).as_posix(), text, original)


def save_fetched(
    folder: Path, fetched: Fetched, *, title: str | None = None, author: str | None = None, max_bytes: int
) -> Path:
    """Save ``fetched`` under its link's name in ``folder``; the text's path.

    Adding a page never replaces another document: when the name already
    holds one from another link (or one written by hand), a number is added
    (``faq-2.md``). Adding the same link again replaces its own document.
    """
    stem = name_of_link(fetched.url)
    for number in range(1, MAX_SAME_NAME + 1):
        candidate = stem if number == 1 else f"{stem}-{number}"
        holders = [folder / f"{candidate}{suffix}" for suffix in DOCUMENT_SUFFIXES]
        if all(_source_of(path) in (None, fetched.requested) for path in holders):
            prepared = prepare_fetched(fetched, name=candidate, title=title, author=author, max_bytes=max_bytes)
            return prepared.write(folder)
    raise CorpusError(f"{MAX_SAME_NAME} documents are already named after {stem}; remove some first")


def _source_of(path: Path) -> str | None:
    """The link a document was fetched from; ``""`` for a document that was not fetched; ``None`` for no file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    try:
        source = parse_document(path.name, raw).extra.get(SOURCE_URL)
    except CorpusError:
        return ""
    return source if isinstance(source, str) else ""


def name_of_link(url: str) -> str:
    """A file stem for a page: its path's last part without extension ("defectors-declines"), else its host."""
    parts = urlsplit(url)
    segments = [segment for segment in unquote(parts.path).split("/") if segment]
    stem = PurePosixPath(segments[-1]).stem if segments else ""
    if not re.search(r"[A-Za-z0-9]", stem) or stem.lower() in _GENERIC_NAMES:
        # A site's front page, or a wiki's index.php?title=Raid_rules: the host, and what the query names.
        named = [value for _, value in parse_qsl(parts.query)][:2]
        stem = "-".join([parts.hostname or "page", *segments[-2:-1], *named])
    return safe_name(stem + ".md").removesuffix(".md")


@dataclass(frozen=True)
class LinkDocument:
    """A document that was added by link, with what a conditional request needs."""

    id: str
    source_url: str
    etag: str | None
    last_modified: str | None
    title: str
    author: str | None


def link_documents(documents: Sequence[Document]) -> list[LinkDocument]:
    """The documents among ``documents`` that were added by link."""
    found = []
    for document in documents:
        source = document.extra.get(SOURCE_URL)
        if isinstance(source, str) and source:
            etag, modified = document.extra.get("etag"), document.extra.get("last_modified")
            found.append(
                LinkDocument(
                    document.id,
                    source,
                    etag if isinstance(etag, str) else None,
                    modified if isinstance(modified, str) else None,
                    document.title,
                    document.author,
                )
            )
    return found


@dataclass(frozen=True)
class Refreshed:
    """One link document after a refresh: ``prepared`` when it changed, ``failure`` when it could not be fetched."""

    link: LinkDocument
    prepared: Prepared | None = None
    failure: str | None = None


async def refresh_links(
    links: Sequence[LinkDocument], policy: FetchPolicy, *, max_bytes: int, seconds: float = REFRESH_SECONDS
) -> list[Refreshed]:
    """Fetch every link document again, conditionally, within ``seconds`` in all; nothing is written here
    (``write_refreshed`` does)."""
    gate = asyncio.Semaphore(REFRESH_CONCURRENCY)

    async def one(link: LinkDocument) -> Refreshed:
        async with gate:
            try:
                fetched = await fetch(link.source_url, policy, etag=link.etag, last_modified=link.last_modified)
                if fetched.not_modified:
                    return Refreshed(link)
                prepared = await asyncio.to_thread(
                    prepare_fetched, fetched, name=link.id, title=link.title, author=link.author, max_bytes=max_bytes
                )
            except CorpusError as error:
                return Refreshed(link, failure=str(error))
            return Refreshed(link, prepared)

    tasks = [asyncio.ensure_future(one(link)) for link in links]
    if tasks:
        await asyncio.wait(tasks, timeout=seconds)
    late = f"not fetched within the refresh's {seconds:g} s (refresh again for it)"
    for task in tasks:
        task.cancel()  # a no-op for the finished ones
    return [task.result() if task.done() and not task.cancelled() else Refreshed(link, failure=late)
            for task, link in zip(tasks, links, strict=True)]


def write_refreshed(folder: Path, refreshed: Sequence[Refreshed]) -> list[str]:
    """Write the documents whose text changed, all or none (a corpus's limits are checked for all of them
    first); the ids of those written. Same text, new validators: left alone."""
    changed = [result.prepared for result in refreshed if result.prepared is not None and _text_changed(folder, result)]
    check_room([(prepared.name, prepared.text) for prepared in changed])
    for prepared in changed:
        prepared.write(folder)
    return [prepared.name for prepared in changed]


def _text_changed(folder: Path, result: Refreshed) -> bool:
    assert result.prepared is not None
    try:
        before = parse_document(result.link.id, (folder / result.link.id).read_bytes()).body
    except (CorpusError, OSError):
        return True
    return before != parse_document(result.link.id, result.prepared.text).body
