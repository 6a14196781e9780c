"""``quotebot run`` without a token stops at once with one helpful line; ``chat`` and ``sync`` share its settings."""

from __future__ import annotations

import argparse
from pathlib import Path

import aiohttp
import discord
import pytest

from quotebot.bot import runner, sync


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


def test_invalid_configuration_is_one_line_not_a_traceback(clean_env, monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    monkeypatch.setenv("QUOTEBOT_MODERATOR_ROLE_ID", "mods")
    assert runner.main(argparse.Namespace(corpus=None)) == 2
    err = capsys.readouterr().err
    assert err.startswith("quotebot: invalid configuration (moderator_role_id:") and err.count("\n") == 1


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
    async def failing(*args):
        raise error

    monkeypatch.setenv("DISCORD_TOKEN", "x")
    monkeypatch.setattr(sync, "sync_commands", failing)
    monkeypatch.setattr(sync, "setup_logging", lambda level: None)
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
