"""``quotebot run`` without a token stops at once with one helpful line; ``chat`` and ``sync`` share its settings."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from bot import runner, sync

REPO = Path(__file__).resolve().parents[2]


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


def test_the_installed_command_exits_non_zero_without_a_traceback(clean_env):
    env = {
        key: value for key, value in os.environ.items() if key != "DISCORD_TOKEN" and not key.startswith("QUOTEBOT_")
    }
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=clean_env,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DISCORD_TOKEN" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
