"""quotebot: answers a community's questions by quoting, with attribution, the passage of its corpus that answers them.

The installed package is this one name; its parts are the repository's top-level
folders, mapped by ``pyproject.toml``: ``quotebot.retrieval`` (``retrieval/``,
knows nothing of Discord), ``quotebot.bot`` (``bot/``, the front ends) and the
shipped corpus (``corpus/``, package data).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("quotebot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
