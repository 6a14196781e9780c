"""Where a corpus's saved index lives: beside the corpus when possible, else the user's cache directory.

Beside the corpus (``<corpus>/.quotebot-cache``) keeps a corpus and its index
together on a shared volume. That is impossible, or wrong, when the folder is
read-only (a container image, a read-only volume) or is the corpus shipped
inside the installed package (files written into site-packages outlive
``pip uninstall``). Those indexes go to the per-user cache directory that
``platformdirs`` names for the platform (``$XDG_CACHE_HOME/quotebot`` or
``~/.cache/quotebot`` on Linux), in a folder keyed by the corpus's absolute
path; the cache's own manifest still checks the documents' content.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import platformdirs

from quotebot.retrieval.ingest.shipped import is_shipped

CACHE_FOLDER = ".quotebot-cache"
APPLICATION = "quotebot"


def cache_folders(corpus: Path) -> list[Path]:
    """The folders that may hold ``corpus``'s saved index, in the order they are tried."""
    user = user_cache_folder(corpus)
    return [user] if is_shipped(corpus) else [corpus / CACHE_FOLDER, user]


def user_cache_folder(corpus: Path) -> Path:
    """``<user cache>/quotebot/indexes/<name>-<hash of the absolute path>``: readable, and one per corpus."""
    absolute = corpus.resolve()
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", absolute.name).strip("-")[:40] or "corpus"
    digest = hashlib.sha256(str(absolute).encode()).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir(APPLICATION, appauthor=False)) / "indexes" / f"{name}-{digest}"
