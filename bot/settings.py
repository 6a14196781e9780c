"""Typed configuration for the Discord front end, read from the environment or ``.env``.

Every knob a server owner may turn lives here, validated once at start-up, so a
typo in a channel id fails loudly before the bot logs in instead of silently
disabling a feature later. Variables are prefixed ``QUOTEBOT_``, except
``DISCORD_TOKEN``, the name every Discord tutorial and host uses.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from quotebot.retrieval import default_corpus_folder

ENV_PREFIX = "QUOTEBOT_"
TOKEN_VARIABLE = "DISCORD_TOKEN"


class Settings(BaseSettings):
    """The bot's configuration; ``Settings()`` reads the process environment and ``./.env``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # A SecretStr never shows its value in repr(), logs or validation errors.
    discord_token: SecretStr | None = Field(default=None, validation_alias=TOKEN_VARIABLE)
    corpus: Path = Field(
        default_factory=default_corpus_folder,
        description="folder of .md/.txt documents (default ./corpus when it exists, else the shipped corpus)",
    )
    moderator_role_id: int | None = Field(default=None, description="role allowed to use /corpus besides Manage Server")
    allowed_channel_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="channels where the bot answers; empty means everywhere"
    )
    ask_cooldown_rate: int = Field(
        default=3, ge=0, description="questions a user may ask per cooldown period (0: no limit)"
    )
    ask_cooldown_seconds: float = Field(default=30.0, ge=0, description="length of the per-user cooldown period")
    ask_defer_after_seconds: float = Field(
        default=1.5,
        ge=0,
        le=2.5,
        description="how long /ask waits for an answer before deferring (Discord allows 3 s in all)",
    )
    top_k: int = Field(default=3, ge=1, le=10, description="passages the 'Next passage' button walks through")
    mod_log_channel_id: int | None = Field(default=None, description="channel that hears about corpus changes")
    dev_guild_id: int | None = Field(default=None, description="guild whose commands are synced at start-up")
    feedback_log: Path | None = Field(default=None, description="JSON-lines file for 👍/👎 feedback")
    max_upload_bytes: int = Field(default=1_000_000, gt=0, description="largest file /corpus add accepts")
    log_level: str = Field(default="INFO", description="logging level name")
    log_format: Literal["text", "json"] = Field(
        default="text", description="'json' logs one JSON object a line, for log collectors"
    )
    stop_timeout_seconds: float = Field(
        default=8.0,
        ge=2.0,
        le=600.0,
        description="how long a stop (SIGTERM, Ctrl-C) may take to finish or decline the questions in flight",
    )
    semantic: bool = Field(default=True, description="rank and judge answers by meaning too (off: words alone, BM25)")
    semantic_model: Path | None = Field(
        default=None, description="folder of another ONNX embedding model (model.onnx + tokenizer.json) to use"
    )

    @field_validator("discord_token", mode="before")
    @classmethod
    def _one_clean_line(cls, value: Any) -> Any:
        """Strip what copying adds around a token (spaces, a newline); refuse what no token holds inside."""
        if value is None:
            return None
        text = (value.get_secret_value() if isinstance(value, SecretStr) else str(value)).strip()
        if any(char.isspace() or unicodedata.category(char).startswith("C") for char in text):
            # Never echo the value: it is a secret, even when mangled.
            raise ValueError(
                "holds a space, line break or control character; copy the token again from the Developer "
                "Portal's Bot page, on one line"
            )
        return text or None

    @field_validator("allowed_channel_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        """Accept ``1,2 3`` as well as a JSON list: people write ids both ways in ``.env`` files."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part for part in text.replace(",", " ").split() if part]

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level
