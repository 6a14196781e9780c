"""Fixtures for the command-line tests: a small corpus whose answers do not depend on ranking tweaks."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CorpusWriter

ZEBRAFISH = """---
title: Zebrafish Notes
author: Ada Lovelace
publication: Fish Weekly
url: https://example.org/zebrafish
---

## Stripes

Zebrafish have horizontal blue stripes along their bodies. Their stripes form during the first month of life.

## Breeding

Zebrafish spawn at dawn, laying around 200 eggs each morning. The eggs hatch within three days at 28 degrees.
"""

# Six one-paragraph documents that all mention the harbour, so a question about it has more
# matching passages than the default top-K; "Please explain this article" shares only
# framing words with them.
HARBOUR_THINGS = ("crane", "ferry", "lighthouse", "pier", "tugboat", "warehouse")


def harbour_document(thing: str) -> str:
    return (
        f"---\ntitle: The {thing.capitalize()}\n---\n\n"
        f"The {thing} stands in the harbour. This article explains why visitors photograph the {thing} every summer.\n"
    )


@pytest.fixture
def small_corpus(write_corpus: CorpusWriter) -> Path:
    """Seven documents: zebrafish facts (with author and URL) and six harbour sights."""
    files = {"zebrafish.md": ZEBRAFISH}
    files.update({f"{thing}.md": harbour_document(thing) for thing in HARBOUR_THINGS})
    return write_corpus(files, name="small-corpus")


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No ``$QUOTEBOT_CORPUS`` from the developer's shell, and a working folder with no ``./corpus``."""
    monkeypatch.delenv("QUOTEBOT_CORPUS", raising=False)
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return workdir


UNUSABLE_CORPUS_KINDS = ("missing", "empty", "all_bad")


def unusable_corpus(parent: Path, kind: str, bad_file: tuple[str, bytes]) -> Path:
    """A corpus folder no command can use: ``missing``, ``empty``, or ``all_bad`` (holding only ``bad_file``)."""
    folder = parent / kind
    if kind != "missing":
        folder.mkdir()
    if kind == "all_bad":
        name, data = bad_file
        (folder / name).write_bytes(data)
    return folder


def json_lines(text: str) -> list[dict[str, Any]]:
    """Parse ``ask --json`` output: every non-empty line must be one JSON object."""
    lines = text.splitlines()
    assert all(line.strip() for line in lines), f"blank line in JSON output: {text!r}"
    return [json.loads(line) for line in lines]


@pytest.fixture
def subprocess_env(tmp_path: Path) -> Callable[..., dict[str, str]]:
    """An environment for ``python -m bot`` runs: the parent's, minus any corpus setting."""

    def make(**extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTEBOT_")}
        env.update(extra)
        return env

    return make
