"""A corpus change killed at any step leaves the old corpus or the new one, and a cache that agrees with it.

Each run copies a corpus (with its index cache) and kills a child process
doing ``/corpus add`` or ``remove`` (the file operation, then the reload that
rewrites the cache) at step 1, 2, 3 … until a run gets to the end
(``interrupted_write``). After every kill the folder must hold exactly the old
or the new documents, byte for byte, load without a problem, and answer from
exactly the documents on disk: a cache that still claims a removed document,
or misses an added one, is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from quotebot.retrieval import LiveEngine, load_folder, save_upload
from tests.conftest import REPO_ROOT, SHIPPED_ARTICLE, SHIPPED_CORPUS
from tests.retrieval.ingest.interrupted_write import NEW_DOCUMENT, NEW_NAME

QUESTION = "When were the zanzibarite deposits first surveyed?"


def visible(folder: Path) -> dict[str, bytes]:
    """The corpus as the loader sees it: every file not under a hidden name, with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }


def kill_at(folder: Path, operation: str, step: int) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "tests.retrieval.ingest.interrupted_write", str(folder), operation, str(step)]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=120, check=False)


@pytest.fixture
def corpora(tmp_path: Path) -> dict[str, Path]:
    """A corpus without the new document and one with it, each with a cache built for it."""
    made = {}
    for name, extra in (("without", {}), ("with", {NEW_NAME: NEW_DOCUMENT})):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(SHIPPED_CORPUS / SHIPPED_ARTICLE, folder)
        for file_name, data in extra.items():
            (folder / file_name).write_bytes(data)
        LiveEngine(folder).load()
        made[name] = folder
    return made


@pytest.mark.parametrize(("operation", "start", "end"), [("add", "without", "with"), ("remove", "with", "without")])
def test_a_change_killed_at_any_step_leaves_the_old_or_the_new_corpus(corpora, tmp_path, operation, start, end):
    before, after = visible(corpora[start]), visible(corpora[end])
    rehearsal = kill_at(shutil.copytree(corpora[start], tmp_path / "rehearsal"), operation, 0)
    assert rehearsal.stdout.endswith("DONE\n"), rehearsal.stderr
    steps = rehearsal.stdout.count("\nstep ") + rehearsal.stdout.startswith("step ")
    # The file's write and rename (or deletion), the folder's sync, the cache's write and rename.
    assert steps >= 7, rehearsal.stdout
    copies = [shutil.copytree(corpora[start], tmp_path / f"{operation}-{step}") for step in range(1, steps + 1)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda item: kill_at(item[1], operation, item[0]), enumerate(copies, start=1)))
    states = set()
    for step, (copy, run) in enumerate(zip(copies, runs, strict=True), start=1):
        assert run.returncode == -9, f"step {step} was not a kill:\n{run.stdout}\n{run.stderr}"
        on_disk = visible(copy)
        assert on_disk in (before, after), f"killed at {run.stdout.splitlines()[-1]}: a corpus neither old nor new"
        states.add("new" if on_disk == after else "old")
        report = load_folder(copy)
        assert report.problems == ()
        live = LiveEngine(copy)
        live.load()  # from the cache when it matches, else rebuilt: either way it must match the disk
        assert sorted(document.id for document in live.engine.documents) == sorted(on_disk)
        assert live.ask(QUESTION).answered == (NEW_NAME in on_disk)
    assert states == {"old", "new"}  # the kills did land on both sides of the change


def test_an_interrupted_upload_leaves_only_a_hidden_file_that_the_next_upload_removes(corpora, tmp_path):
    folder = corpora["without"]
    leftover = folder / ".upload-killed.tmp"
    leftover.write_bytes(NEW_DOCUMENT[: len(NEW_DOCUMENT) // 2])
    assert load_folder(folder).problems == () and NEW_NAME not in visible(folder)
    save_upload(folder, "another.md", b"# Another\n\nSome other text about basalt.\n", max_bytes=1000)
    assert not leftover.exists()
    assert sorted(visible(folder)) == ["another.md", SHIPPED_ARTICLE]
