"""quotebot: answers a community's questions by quoting, with attribution, the passage of its corpus that answers them.

The installed package is this one name; its parts are the repository's top-level
folders, mapped by ``pyproject.toml``: ``quotebot.retrieval`` (``retrieval/``,
knows nothing of Discord), ``quotebot.bot`` (``bot/``, the front ends) and the
shipped corpus (``corpus/``, package data).
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__``, looked up when asked for: importing ``importlib.metadata`` costs every start ~30 ms."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quotebot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
