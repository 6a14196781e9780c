"""``quotebot corpus reload`` (announce a change of the shared corpus) and ``quotebot corpus purge``."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from quotebot.bot import cli
from quotebot.bot.servers import retention
from quotebot.bot.servers.folders import ServerFolders
from quotebot.retrieval import ChangeSignal
from quotebot.retrieval.index.cache import cache_paths


def test_reload_loads_the_shared_corpus_saves_its_index_and_announces_it(
    clean_env: Path, small_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    signal = ChangeSignal(Path("servers") / ".shared-corpus-version")  # QUOTEBOT_SERVER_CORPORA's default
    assert cli.main(["corpus", "reload", "--corpus", str(small_corpus)]) == 0
    out = capsys.readouterr().out.splitlines()
    first = signal.read()
    assert out[0] == f"Shared corpus {small_corpus}: 7 documents, 8 passages."
    assert out[1] == f"Announced in {signal.path}: every running quotebot reloads it within 2 s (QUOTEBOT_SHARED_POLL_SECONDS)."
    assert first is not None and cache_paths(small_corpus)[0].is_file()  # processes reload warm
    assert cli.main(["corpus", "reload", "--corpus", str(small_corpus)]) == 0
    assert signal.read() not in (None, first)


def test_a_broken_shared_corpus_is_reported_and_never_announced(
    clean_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["corpus", "reload", "--corpus", str(empty)]) == 2
    assert capsys.readouterr().err.startswith("quotebot: no usable .md or .txt documents in ")
    assert not (clean_env / "servers").exists()


def test_purge_deletes_the_files_of_servers_left_longer_ago_than_the_grace_period(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folders = ServerFolders(Path("servers"))
    for guild_id in (1, 2, 3):
        folders.documents(guild_id).mkdir(parents=True)
        (folders.documents(guild_id) / "notes.md").write_text("# Notes\n\nText.\n")
    retention.mark_left(folders, 1, now=time.time() - 40 * retention.DAY)
    retention.mark_left(folders, 2, now=time.time() - 2 * retention.DAY)
    assert cli.main(["corpus", "purge"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert folders.guild_ids() == [2, 3]
    monkeypatch.setenv("QUOTEBOT_LEFT_SERVER_DAYS", "1")
    assert cli.main(["corpus", "purge"]) == 0
    assert folders.guild_ids() == [3]
    (folders.left_marker(3)).write_text(f"{time.time()}\n")
    assert cli.main(["corpus", "purge", "--now"]) == 0
    assert folders.guild_ids() == []
    assert first[0].startswith(f"Deleted {folders.of(1)} (left ") and first[0].endswith("40.0 days ago)")
    assert first[1] == "1 deleted; 1 left within the last 30 days kept (--now deletes them)."
