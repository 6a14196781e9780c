"""Settings come from the environment and ``.env``, validated, with the token kept secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from quotebot.bot.settings import Settings
from quotebot.retrieval.ingest.shipped import SHIPPED_CORPUS


def test_defaults_without_any_configuration(clean_env):
    settings = Settings()
    assert settings.discord_token is None
    assert settings.corpus == SHIPPED_CORPUS, "no ./corpus in the working directory: the shipped one"
    assert settings.allowed_channel_ids == []
    assert settings.moderator_role_id is None and settings.dev_guild_id is None
    assert (settings.ask_cooldown_rate, settings.ask_cooldown_seconds) == (3, 30.0)


def test_environment_variables_are_read_with_prefix_except_the_token(clean_env, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def.ghi")
    monkeypatch.setenv("QUOTEBOT_CORPUS", "/srv/corpus")
    monkeypatch.setenv("QUOTEBOT_MODERATOR_ROLE_ID", "123456789012345678")
    monkeypatch.setenv("QUOTEBOT_ALLOWED_CHANNEL_IDS", "11, 22 33")
    monkeypatch.setenv("QUOTEBOT_ASK_COOLDOWN_RATE", "5")
    monkeypatch.setenv("QUOTEBOT_ASK_COOLDOWN_SECONDS", "60")
    monkeypatch.setenv("QUOTEBOT_FEEDBACK_LOG", "feedback.jsonl")
    monkeypatch.setenv("QUOTEBOT_MAX_UPLOAD_BYTES", "2048")
    settings = Settings()
    assert settings.discord_token.get_secret_value() == "abc.def.ghi"
    assert settings.corpus == Path("/srv/corpus")
    assert settings.moderator_role_id == 123456789012345678
    assert settings.allowed_channel_ids == [11, 22, 33]
    assert (settings.ask_cooldown_rate, settings.ask_cooldown_seconds) == (5, 60.0)
    assert settings.feedback_log == Path("feedback.jsonl")
    assert settings.max_upload_bytes == 2048


def test_token_never_shows_in_repr_or_errors(clean_env, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "super-secret-token")
    settings = Settings()
    assert "super-secret-token" not in repr(settings)
    assert "super-secret-token" not in str(settings.model_dump())


def test_dotenv_file_is_read(clean_env):
    (clean_env / ".env").write_text(
        "DISCORD_TOKEN=from-dotenv\nQUOTEBOT_ALLOWED_CHANNEL_IDS=[7, 8]\nQUOTEBOT_DEV_GUILD_ID=99\nUNRELATED=1\n"
    )
    settings = Settings()
    assert settings.discord_token.get_secret_value() == "from-dotenv"
    assert settings.allowed_channel_ids == [7, 8]
    assert settings.dev_guild_id == 99


def test_environment_wins_over_dotenv(clean_env, monkeypatch):
    (clean_env / ".env").write_text("QUOTEBOT_CORPUS=from-dotenv\n")
    monkeypatch.setenv("QUOTEBOT_CORPUS", "from-env")
    assert Settings().corpus == Path("from-env")


@pytest.mark.parametrize(
    "name, value",
    [
        ("QUOTEBOT_MODERATOR_ROLE_ID", "moderators"),
        ("QUOTEBOT_ALLOWED_CHANNEL_IDS", "general"),
        ("QUOTEBOT_ASK_COOLDOWN_RATE", "-1"),
        ("QUOTEBOT_ASK_DEFER_AFTER_SECONDS", "5"),
        ("QUOTEBOT_LOG_LEVEL", "chatty"),
    ],
)
def test_invalid_values_fail_at_start_up(clean_env, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()
