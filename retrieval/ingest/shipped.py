"""The corpus that ships inside the package, and which corpus a command uses when none is named.

``pip install quotebot`` must answer from any folder, so the article the
project was started for is package data (``corpus/`` in the repository,
``quotebot/corpus`` once installed, a sibling of this package's parent in
both layouts). A folder named ``corpus`` in the working directory still wins,
as it always has, so a community's own corpus is found where they keep it.
"""

from __future__ import annotations

from pathlib import Path

SHIPPED_CORPUS = Path(__file__).resolve().parents[2] / "corpus"
LOCAL_CORPUS = Path("corpus")


def default_corpus_folder() -> Path:
    """``./corpus`` when it exists, else the shipped corpus (callers check ``$QUOTEBOT_CORPUS`` first)."""
    return LOCAL_CORPUS if LOCAL_CORPUS.is_dir() else SHIPPED_CORPUS


def is_shipped(folder: Path) -> bool:
    """True for the package's own corpus, which must never have files written beside it."""
    try:
        return folder.resolve() == SHIPPED_CORPUS
    except OSError:
        return False


def describe_corpus(folder: Path) -> str:
    """How to name ``folder`` to a person: the shipped corpus by that name, any other by its path."""
    return f"the shipped corpus ({SHIPPED_CORPUS})" if is_shipped(folder) else str(folder)
