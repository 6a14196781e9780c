"""``quotebot run`` without a token stops at once with one helpful line; ``chat`` and ``sync`` share its settings."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import aiohttp
import discord
import pytest

from quotebot.bot import cli
from quotebot.bot.cli import runner, sync


def test_run_without_token_exits_non_zero_naming_the_variable_and_alternatives(clean_env, capsys):
    assert runner.main(argparse.Namespace(corpus=None)) == 2
    err = capsys.readouterr().err
    assert err.strip() == runner.MISSING_TOKEN
    assert "DISCORD_TOKEN" in err and "quotebot ask" in err and "quotebot chat" in err


def test_blank_token_counts_as_missing(clean_env, monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", "   ")
    assert runner.main(argparse.Namespace(corpus=None)) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


def test_sync_without_token_fails_the_same_way(clean_env, capsys):
    assert sync.main(argparse.Namespace(guild=None)) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


def test_invalid_configuration_is_one_line_per_setting_naming_its_variable(clean_env, monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    monkeypatch.setenv("QUOTEBOT_MODERATOR_ROLE_ID", "mods")
    monkeypatch.setenv("QUOTEBOT_TOP_K", "99")
    assert runner.main(argparse.Namespace(corpus=None)) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "quotebot: QUOTEBOT_MODERATOR_ROLE_ID: Input should be a valid integer, unable to parse string as an integer",
        "quotebot: QUOTEBOT_TOP_K: Input should be less than or equal to 10",
    ]


def test_corpus_option_overrides_the_environment(clean_env, monkeypatch):
    monkeypatch.setenv("QUOTEBOT_CORPUS", "from-env")
    assert runner.load_settings(argparse.Namespace(corpus=Path("from-option"))).corpus == Path("from-option")
    assert runner.load_settings(argparse.Namespace(corpus=None)).corpus == Path("from-env")


def test_configure_returns_the_settings_and_the_stripped_token(clean_env, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "  abc.def  ")
    settings, token = runner.configure(argparse.Namespace(corpus=Path("elsewhere")))
    assert (settings.corpus, token) == (Path("elsewhere"), "abc.def")


@pytest.mark.parametrize(
    ("error", "unreachable", "status", "line"),
    [
        (runner.ConfigurationError("quotebot: bad setting"), None, 2, "quotebot: bad setting"),
        (discord.LoginFailure("Improper token has been passed."), None, 1, runner.REJECTED_TOKEN),
        (OSError("Connection refused"), None, 1, "quotebot: could not talk to Discord: Connection refused"),
        (aiohttp.ClientError("timeout"), "the sync failed", 1, "quotebot: the sync failed: timeout"),
    ],
)
def test_every_failure_is_one_line_and_an_exit_status(capsys, error, unreachable, status, line):
    options = {"unreachable": unreachable} if unreachable else {}
    assert runner.failure_status(error, **options) == status
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", line + "\n")


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (discord.LoginFailure("Improper token has been passed."), runner.REJECTED_TOKEN),
        (aiohttp.ClientError("Cannot connect"), "quotebot: the sync failed: Cannot connect"),
    ],
)
def test_sync_reports_a_discord_failure_in_one_line(clean_env, monkeypatch, capsys, error, line):
    async def failing(*args, **options):
        raise error

    monkeypatch.setenv("DISCORD_TOKEN", "x")
    monkeypatch.setattr(sync, "sync_commands", failing)
    monkeypatch.setattr(sync, "setup_logging", lambda level, log_format: None)
    assert sync.main(argparse.Namespace(guild=None)) == 1
    assert capsys.readouterr().err == line + "\n"


def test_the_installed_command_exits_non_zero_without_a_traceback(run_cli):
    result = run_cli("run")
    assert result.returncode != 0
    assert "DISCORD_TOKEN" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_semantic_model_that_cannot_load_is_one_warning_line_and_words_alone(clean_env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("QUOTEBOT_SEMANTIC_MODEL", str(tmp_path / "no-such-model"))
    live = runner.live_engine(runner.load_settings(argparse.Namespace(corpus=None)))
    assert live.embedder is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-model" in err and "answering by words alone (BM25)" in err


def test_the_semantic_model_is_on_by_default_and_off_by_setting(clean_env, monkeypatch):
    assert runner.live_engine(runner.load_settings(argparse.Namespace(corpus=None))).embedder is not None
    monkeypatch.setenv("QUOTEBOT_SEMANTIC", "off")
    assert runner.live_engine(runner.load_settings(argparse.Namespace(corpus=None))).embedder is None


@pytest.mark.parametrize("pasted", ["abc.def\n", "  abc.def\r\n", "\tabc.def "])
def test_whitespace_around_the_token_is_stripped(clean_env, monkeypatch, pasted):
    monkeypatch.setenv("DISCORD_TOKEN", pasted)
    assert runner.configure(argparse.Namespace(corpus=None))[1] == "abc.def"


@pytest.mark.parametrize("mangled", ["abc\ndef", "abc def", "abc\x07def", "abc\u200bdef"])
def test_a_token_with_whitespace_or_control_characters_inside_is_one_line_naming_the_variable(
    clean_env, monkeypatch, capsys, mangled
):
    monkeypatch.setenv("DISCORD_TOKEN", mangled)
    assert runner.main(argparse.Namespace(corpus=None)) == 2
    err = capsys.readouterr().err
    assert err.startswith("quotebot: DISCORD_TOKEN: Value error, holds a space, line break or control character")
    assert err.count("\n") == 1 and "abc" not in err and "Traceback" not in err


def test_a_token_with_a_line_break_from_dotenv_is_one_line_from_the_installed_command(run_cli, clean_env):
    (clean_env / ".env").write_text('DISCORD_TOKEN="abc.def\\nghi"\n')
    result = run_cli("run")
    assert result.returncode == 2
    assert result.stderr.startswith("quotebot: DISCORD_TOKEN: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and "ghi" not in result.stderr


def test_json_logs_are_one_object_a_line_with_the_extra_fields(capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        runner.setup_logging("INFO", "json")
        logging.getLogger("quotebot.test").warning(
            "Discord did not take %s", "a reply", extra={"route": "POST /x", "interaction_id": 7}
        )
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("quotebot.test").exception("Unhandled error in /ask")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    warning, error = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert {key: warning[key] for key in ("level", "logger", "message", "route", "interaction_id")} == {
        "level": "WARNING",
        "logger": "quotebot.test",
        "message": "Discord did not take a reply",
        "route": "POST /x",
        "interaction_id": 7,
    }
    assert warning["time"] and error["level"] == "ERROR" and "RuntimeError: boom" in error["exc_info"]


def test_log_format_must_be_text_or_json(clean_env, monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    monkeypatch.setenv("QUOTEBOT_LOG_FORMAT", "xml")
    assert runner.main(argparse.Namespace(corpus=None)) == 2
    assert capsys.readouterr().err == "quotebot: QUOTEBOT_LOG_FORMAT: Input should be 'text' or 'json'\n"


def test_shards_come_from_the_command_line_or_the_environment(clean_env, monkeypatch):
    monkeypatch.setenv("QUOTEBOT_SHARD_COUNT", "4")
    monkeypatch.setenv("QUOTEBOT_SHARD_IDS", "2 3")
    assert (runner.load_settings(argparse.Namespace()).shard_ids) == [2, 3]
    parsed = cli.build_parser().parse_args(["run", "--shard-count", "2", "--shard-ids", "1,0"])
    settings = runner.load_settings(parsed)
    assert (settings.shard_count, settings.shard_ids) == (2, [0, 1])


@pytest.mark.parametrize(
    ("variables", "line"),
    [
        ({"QUOTEBOT_SHARD_IDS": "0"}, "quotebot: QUOTEBOT_SHARD_IDS needs QUOTEBOT_SHARD_COUNT (the number of shards in all)"),
        ({"QUOTEBOT_SHARD_COUNT": "2", "QUOTEBOT_SHARD_IDS": "0,2"}, "quotebot: QUOTEBOT_SHARD_IDS must be between 0 and 1"),
        ({"QUOTEBOT_SHARD_COUNT": "2", "QUOTEBOT_SHARD_IDS": "1,1"}, "quotebot: QUOTEBOT_SHARD_IDS: Value error, names a shard twice"),
        (
            {"QUOTEBOT_CORPUS": "data", "QUOTEBOT_SERVER_CORPORA": "data/servers"},
            "quotebot: QUOTEBOT_CORPUS and QUOTEBOT_SERVER_CORPORA must be separate folders, neither inside the other",
        ),
    ],
)
def test_unusable_shard_or_folder_settings_are_one_line(clean_env, monkeypatch, capsys, variables, line):
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert runner.main(argparse.Namespace(corpus=None)) == 2
    assert capsys.readouterr().err == line + "\n"


def test_a_shard_count_below_one_is_refused_by_the_command_line(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["run", "--shard-count", "0"])
    assert "must be a whole number of at least 1" in capsys.readouterr().err
