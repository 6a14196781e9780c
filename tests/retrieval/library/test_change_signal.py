"""The change signal: each announcement writes a new token, readable by any process sharing the folder."""

from __future__ import annotations

from pathlib import Path

from quotebot.retrieval.library.change_signal import ChangeSignal


def test_nothing_announced_reads_none_and_every_announcement_is_new(tmp_path: Path) -> None:
    signal = ChangeSignal(tmp_path / "root" / ".shared-corpus-version")
    assert signal.read() is None
    first = signal.announce()
    second = signal.announce()
    assert first != second
    assert ChangeSignal(signal.path).read() == second
    assert [path.name for path in signal.path.parent.iterdir()] == [".shared-corpus-version"]  # no temporary left
