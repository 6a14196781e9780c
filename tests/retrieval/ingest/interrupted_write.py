"""A corpus change (``/corpus add`` or ``remove``: the file operation, then the reload) killed at step N.

Run as ``python -m tests.retrieval.ingest.interrupted_write FOLDER add|remove N``.
Each step is a point where a crash changes what is on disk: before and after
every ``os.fsync`` (its file then holds half of what was written, or all of
it), ``os.replace`` and ``os.unlink``. At step N the process SIGKILLs itself,
as the kernel's OOM killer or a power cut would stop it: no ``finally``, no
cleanup. Each step's name is printed first, so the test knows how many there
are (a run that is never killed prints ``DONE``).
"""

from __future__ import annotations

import os
import signal
import stat
import sys
from pathlib import Path

from quotebot.retrieval import LiveEngine, remove_document, save_upload

NEW_NAME = "zanzibarite.md"
NEW_DOCUMENT = b"""---
title: Zanzibarite
author: Ada Stone
---
The zanzibarite deposits of the northern valley were first surveyed in 1911 by six geologists.
"""


def install_steps(kill_at: int) -> None:
    """Wrap the operations that change the disk so that step ``kill_at`` kills the process."""
    count = 0

    def step(name: str) -> None:
        nonlocal count
        count += 1
        print(f"step {count}: {name}", flush=True)
        if count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    real_fsync, real_replace, real_unlink = os.fsync, os.replace, os.unlink

    def fsync(descriptor: int) -> None:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            step("fsync of a folder")
            real_fsync(descriptor)
            return
        if count + 1 == kill_at:  # crash with only half the data written
            os.ftruncate(descriptor, status.st_size // 2)
        step(f"fsync of {status.st_size} bytes (killed: half of them on disk)")
        step("fsync done")
        real_fsync(descriptor)

    def replace(source, target, **options) -> None:
        step(f"before renaming {Path(source).name} to {Path(target).name}")
        real_replace(source, target, **options)
        step(f"after renaming to {Path(target).name}")

    def unlink(path, **options) -> None:
        step(f"before deleting {Path(path).name}")
        real_unlink(path, **options)
        step(f"after deleting {Path(path).name}")

    os.fsync, os.replace, os.unlink = fsync, replace, unlink


def main(folder: Path, operation: str, kill_at: int) -> None:
    install_steps(kill_at)
    if operation == "add":
        save_upload(folder, NEW_NAME, NEW_DOCUMENT, max_bytes=1_000_000)
    else:
        remove_document(folder, NEW_NAME)
    LiveEngine(folder).reload()
    print("DONE", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
