"""The plain values a corpus is made of: documents and their passages (what answers are made of is
``answer.models``).

They are frozen dataclasses so that an index snapshot can be shared between
the event loop and worker threads without locks: nothing here ever changes
after it is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class _ReadOnFirstUse:
    """A field holding either its value or a function that reads it, called once, when the field is first read.

    A document restored from the saved index keeps its body on disk until a
    passage of it is quoted: a large corpus starts without reading its text.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            raise AttributeError(self._slot)  # no default: the field is required
        value = instance.__dict__[self._slot]
        if callable(value):
            value = value()
            instance.__dict__[self._slot] = value
        return value

    def __set__(self, instance: object, value: str | Callable[[], str]) -> None:
        instance.__dict__[self._slot] = value


@dataclass(frozen=True)
class Document:
    """One corpus file: its metadata and its body (front matter removed).

    ``body`` may be given as a function returning it, called when the body is first read.
    """

    id: str
    title: str
    body: str = _ReadOnFirstUse()  # type: ignore[assignment]
    author: str | None = None
    publication: str | None = None
    publisher: str | None = None
    url: str | None = None
    date: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    fingerprint: str = ""

    def summary(self) -> dict[str, Any]:
        """The document fields the JSON contract exposes for every result."""
        return {
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "publication": self.publication,
            "url": self.url,
        }


@dataclass(frozen=True)
class Passage:
    """A quotable span of one document: the unit BM25 ranks.

    ``start``/``end`` are character offsets into ``document.body`` so a quote
    can always be traced back to the exact source text.
    """

    id: str
    document: Document
    section: str | None
    paragraph: int
    start: int
    end: int
    text: str
