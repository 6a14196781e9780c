"""All passages of a corpus as columns, made into ``Passage`` values only when one is read.

A million ``Passage`` objects cost seconds to create and hundreds of
megabytes to hold, while a question reads about twenty; here a passage is a
row of a few arrays, and reading it costs a slice of its document's body.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import overload

import numpy as np

from quotebot.retrieval.ingest.models import Document, Passage


@dataclass(frozen=True, eq=False)
class PassageTable(Sequence[Passage]):
    """Passages of ``documents`` in order; those of ``documents[i]`` are rows ``document_offsets[i]:[i + 1]``.

    Row ``p`` is ``documents[owners[p]].body[starts[p]:ends[p]]``, in
    paragraph ``paragraphs[p]`` under section ``sections[section_ids[p]]``
    (``-1``: none). A passage's id is its document's id and its number in
    the document, ``<id>#<n>``, as ``split_document`` names it.
    """

    documents: tuple[Document, ...]
    document_offsets: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    paragraphs: np.ndarray
    section_ids: np.ndarray
    sections: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, position: int) -> Passage: ...

    @overload
    def __getitem__(self, position: slice) -> tuple[Passage, ...]: ...

    def __getitem__(self, position: int | slice) -> Passage | tuple[Passage, ...]:
        if isinstance(position, slice):
            return tuple(self._passage(i) for i in range(len(self))[position])
        return self._passage(range(len(self))[position])

    def __iter__(self) -> Iterator[Passage]:
        return (self._passage(i) for i in range(len(self)))

    def owner(self, position: int) -> int:
        """The position in ``documents`` of the document that holds passage ``position``."""
        return bisect_right(self._offsets, position) - 1

    @cached_property
    def _offsets(self) -> list[int]:
        return self.document_offsets.tolist()

    def texts(self, positions: Sequence[int]) -> list[str]:
        """The texts of the passages at ``positions``, without making ``Passage`` values of them."""
        at = np.asarray(positions, dtype=np.intp)
        owners = (np.searchsorted(self.document_offsets, at, side="right") - 1).tolist()
        documents = self.documents
        return [
            documents[owner].body[start:end]
            for owner, start, end in zip(owners, self.starts[at].tolist(), self.ends[at].tolist())
        ]

    def lengths(self) -> np.ndarray:
        """Each passage's length in characters."""
        return self.ends - self.starts

    def _passage(self, i: int) -> Passage:
        owner = self.owner(i)
        document = self.documents[owner]
        start, end = int(self.starts[i]), int(self.ends[i])
        section = int(self.section_ids[i])
        return Passage(
            id=f"{document.id}#{i - self._offsets[owner] + 1}",
            document=document,
            section=None if section < 0 else self.sections[section],
            paragraph=int(self.paragraphs[i]),
            start=start,
            end=end,
            text=document.body[start:end],
        )
