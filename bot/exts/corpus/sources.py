"""What ``/corpus add`` and ``/corpus refresh`` bring in from outside Discord: a page fetched by its link,
the documents of a ``.zip``, and the link documents fetched again; and the lines that tell a moderator
what became of each.

Fetching is ``retrieval.web``'s (public addresses only, unless the operator
allows a host with ``QUOTEBOT_FETCH_ALLOW_HOSTS``); the page size is capped
by the same ``QUOTEBOT_MAX_UPLOAD_BYTES`` as an upload. Everything is written
through the target's ``change``, like any upload, so a server's limits apply.
"""

from __future__ import annotations

from collections.abc import Sequence

from quotebot.bot.render import clip, escape
from quotebot.bot.settings import Settings
from quotebot.bot.utils import checks
from quotebot.retrieval import safe_name
from quotebot.retrieval.ingest.archive import Refused
from quotebot.retrieval.web.fetch import FetchPolicy, FetchRefused, checked_url
from quotebot.retrieval.web.links import Refreshed

REFUSED_SHOWN = 10
#: Longest reason shown for one refused entry or link.
REASON_CHARS = 200


def fetch_policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy.allowing(settings.fetch_allow_hosts, max_bytes=settings.max_upload_bytes)


def refuse_unfetchable(url: str, policy: FetchPolicy) -> None:
    """``Refused`` at once for a link that is refused as written (scheme, an address), before deferring."""
    try:
        checked_url(url, policy)
    except FetchRefused as error:
        raise checks.Refused(f"Cannot add <{url}>: {error}.") from None


def archive_name(filename: str) -> str:
    """The uploaded archive's name as replies show it: a slug like every document's (``handbook-export.zip``)."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return safe_name(stem + ".md").removesuffix(".md") + ".zip"


def not_added_line(name: str, refused: Sequence[Refused]) -> str:
    """``Not added from `x.zip`: `a.png` (reason); …`` for the entries of an archive that were refused."""
    shown = "; ".join(f"`{escape(entry.name)}` ({clip(entry.reason, REASON_CHARS)})" for entry in refused[:REFUSED_SHOWN])
    more = len(refused) - REFUSED_SHOWN
    return f"Not added from `{name}`: {shown}" + (f"; and {more} more" if more > 0 else "")


def refresh_lines(results: Sequence[Refreshed], written: Sequence[str]) -> list[str]:
    """How many link documents changed, stayed the same, or could not be fetched; and why for the last."""
    failed = [result for result in results if result.failure is not None]
    unchanged = len(results) - len(written) - len(failed)
    counts = ([f"{len(written)} changed"] if written else []) + [f"{unchanged} unchanged"]
    counts += [f"{len(failed)} could not be fetched"] if failed else []
    lines = [f"Checked {len(results)} linked documents: {', '.join(counts)}."]
    if failed:
        reasons = "; ".join(
            f"`{result.link.id}` ({clip(result.failure or '', REASON_CHARS)})" for result in failed[:REFUSED_SHOWN]
        )
        lines.append(f"Not refreshed: {reasons}")
    return lines
