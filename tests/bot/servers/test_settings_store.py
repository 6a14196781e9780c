"""Per-server settings: saved atomically as JSON in the server's folder, read back, over the defaults."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from quotebot.bot.servers.folders import ServerFolders
from quotebot.bot.servers.settings import ServerSettings, defaults_for, describe, field_of, option_name
from quotebot.bot.servers.settings_store import ServerSettingsStore
from quotebot.bot.settings import Settings

GUILD = 42


def test_settings_survive_a_restart_and_touch_only_their_servers_folder(tmp_path: Path) -> None:
    folders = ServerFolders(tmp_path / "servers")
    ServerSettingsStore(folders).save(GUILD, ServerSettings(include_shared=False, allowed_channel_ids=(7, 8)))
    assert ServerSettingsStore(folders).get(GUILD) == ServerSettings(include_shared=False, allowed_channel_ids=(7, 8))
    assert json.loads(folders.settings_file(GUILD).read_text()) == {"allowed_channel_ids": [7, 8], "include_shared": False}
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "servers",
        f"servers/{GUILD}",
        f"servers/{GUILD}/settings.json",
    ]


def test_a_damaged_file_means_the_defaults_and_is_logged(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    folders = ServerFolders(tmp_path)
    folders.settings_file(GUILD).parent.mkdir()
    folders.settings_file(GUILD).write_text('{"include_shared": "perhaps"')
    assert ServerSettingsStore(folders).get(GUILD) == ServerSettings()
    assert "Ignoring the settings of server 42" in caplog.text


def test_only_so_many_servers_stay_in_memory(tmp_path: Path) -> None:
    store = ServerSettingsStore(ServerFolders(tmp_path), kept=2)
    for guild in (1, 2, 3):
        store.save(guild, ServerSettings(include_shared=bool(guild % 2)))
    assert len(store._cache) == 2 and store.get(1) == ServerSettings(include_shared=True)  # read again from disk


def test_a_servers_own_values_win_and_environment_channels_apply_only_where_they_exist(clean_env) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        allowed_channel_ids=[5, 6],
        auto_answer_channel_ids=[6, 5],
        mod_log_channel_id=6,
        moderator_role_id=9,
        include_shared=False,
        question_retention_days=14,
    )
    here = SimpleNamespace(get_channel_or_thread=lambda channel: object() if channel == 5 else None)
    defaults = defaults_for(settings, here)  # type: ignore[arg-type]
    assert defaults == ServerSettings(
        include_shared=False,
        moderator_role_id=9,
        mod_log_channel_id=None,
        allowed_channel_ids=(5,),
        auto_answer_channel_ids=(5,),
        question_retention_days=14,
    )
    own = ServerSettings(include_shared=True)
    assert own.over(defaults) == defaults.model_copy(update={"include_shared": True})
    assert describe(own, defaults) == [
        "**include_shared**: yes (set here) — answer from the shared documents as well as this server's own",
        "**moderator_role**: <@&9> (default) — a role that may use /corpus besides Manage Server",
        "**mod_log_channel**: none (default) — the channel that hears about corpus changes",
        "**allowed_channels**: <#5> (default) — the channels where I answer (and their threads)",
        "**auto_answer_channels**: <#5> (default) — forums and channels whose new threads I answer by myself, when sure",
        "**question_retention_days**: 14 days (default) — days questions and 👍/👎 are kept for /corpus gaps (0: none)",
    ]


def test_every_setting_has_an_option_name_that_leads_back_to_it() -> None:
    names = [option_name(field) for field in ServerSettings.model_fields]
    assert names == [
        "include_shared",
        "moderator_role",
        "mod_log_channel",
        "allowed_channels",
        "auto_answer_channels",
        "question_retention_days",
    ]
    assert [field_of(name) for name in names] == list(ServerSettings.model_fields)


async def test_the_bot_reads_a_servers_file_off_the_event_loop_once_and_then_from_memory(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    ServerSettingsStore(ServerFolders(tmp_path)).save(7, ServerSettings(include_shared=False))
    store = ServerSettingsStore(ServerFolders(tmp_path))
    readers: list[threading.Thread] = []
    read_bytes = Path.read_bytes

    def watched(path: Path) -> bytes:
        readers.append(threading.current_thread())
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", watched)
    assert await store.fetch(7) == ServerSettings(include_shared=False)
    assert await store.fetch(7) == ServerSettings(include_shared=False)
    assert len(readers) == 1 and readers[0] is not threading.main_thread()  # a network volume never stalls the loop
