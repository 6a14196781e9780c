"""Typed configuration for the Discord front end, read from the environment or ``.env``.

Every knob a server owner may turn lives here, validated once at start-up, so a
typo in a channel id fails loudly before the bot logs in instead of silently
disabling a feature later. Variables are prefixed ``QUOTEBOT_``, except
``DISCORD_TOKEN``, the name every Discord tutorial and host uses.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from quotebot.retrieval import default_corpus_folder

ENV_PREFIX = "QUOTEBOT_"
TOKEN_VARIABLE = "DISCORD_TOKEN"
#: The confidence an automatic answer needs, measured on SQuAD by ``python -m bench.auto_answer`` (README).
AUTO_ANSWER_CONFIDENCE = 0.7
#: Settings a command-line option of the same name may set.
COMMAND_LINE_SETTINGS = ("corpus", "shard_count", "shard_ids")


class Settings(BaseSettings):
    """The bot's configuration; ``Settings()`` reads the process environment and ``./.env``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        # ``QUOTEBOT_CORPUS=`` (an empty value) means "not set", as in a shell.
        env_ignore_empty=True,
    )

    # A SecretStr never shows its value in repr(), logs or validation errors.
    discord_token: SecretStr | None = Field(
        default=None,
        validation_alias=TOKEN_VARIABLE,
        description="the bot's token, from the Developer Portal's Bot page (Reset Token); needed by run, sync and "
        "doctor, never logged or echoed",
    )
    corpus: Path = Field(
        default_factory=default_corpus_folder,
        description="the shared corpus, a folder of .md/.txt documents: it answers direct messages, `quotebot ask` "
        "and `chat`, and servers without documents of their own",
    )
    server_corpora: Path = Field(
        default=Path("servers"), description="folder holding one folder per server (its documents, settings and question log); never inside "
        "QUOTEBOT_CORPUS, nor holding it"
    )
    include_shared: bool = Field(
        default=True, description="servers with documents of their own are answered from the shared corpus too (default of "
        "/corpus settings include_shared)"
    )
    max_loaded_corpora: int = Field(
        default=500, ge=1, description="server corpora kept in memory at once (least recently used dropped first)"
    )
    server_max_documents: int = Field(
        default=1_000, ge=1, description="most documents one server may keep (the shared corpus has no limit)"
    )
    server_max_passages: int = Field(
        default=20_000,
        ge=1,
        description="most passages one server may keep: each costs memory and about 0.1 s of the semantic model",
    )
    left_server_days: float = Field(
        default=30.0, ge=0, description="days a server's files are kept after the bot leaves it (0: deleted at once)"
    )
    owner_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="users who may change the shared corpus, besides the application's owner"
    )
    shard_count: int | None = Field(default=None, ge=1, description="shards in all (default: as Discord recommends)")
    shard_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="the shards this process serves (default: all of them)"
    )
    shared_poll_seconds: float = Field(
        default=2.0, gt=0, le=60, description="how often each process checks whether the shared corpus changed"
    )
    moderator_role_id: int | None = Field(
        default=None,
        description="role allowed to use /corpus besides Manage Server (default of /corpus settings moderator_role)",
    )
    allowed_channel_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="channel ids where the bot answers (`1,2` or `[1, 2]`), in the servers that have them; empty "
        "means everywhere (default of /corpus settings allowed_channels)"
    )
    auto_answer: bool = Field(
        default=False,
        description="answer new help threads by itself where servers ask for it; requests the privileged "
        "Message Content intent",
    )
    auto_answer_channel_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="forum or text channel ids whose new threads are answered automatically, in the servers that "
        "have them (default of /corpus settings auto_answer_channels)"
    )
    auto_answer_confidence: float = Field(
        default=AUTO_ANSWER_CONFIDENCE,
        ge=0.0,
        le=1.0,
        description="the confidence an answer needs to be posted in a new thread without being asked",
    )
    question_retention_days: int = Field(
        default=90, ge=0, le=3650, description="days a server's questions and 👍/👎 are kept for /corpus gaps (0: none kept; default of "
        "/corpus settings question_retention_days)"
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
    answer_deadline_seconds: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="longest a question waits for its turn when the bot is overloaded, before 'busy, ask again'",
    )
    top_k: int = Field(default=3, ge=1, le=10, description="passages the 'Next passage' button walks through")
    mod_log_channel_id: int | None = Field(
        default=None,
        description="channel told about every corpus change, in the server that has it (default of /corpus "
        "settings mod_log_channel)",
    )
    dev_guild_id: int | None = Field(
        default=None, description="a server whose commands are synced at every start, for development"
    )
    feedback_log: Path | None = Field(
        default=None,
        description="JSON-lines file for 👍/👎 feedback: question, passage, verdict and the voter's keyed hash",
    )
    max_upload_bytes: int = Field(default=1_000_000, gt=0, description="largest file /corpus add accepts")
    fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="hosts `/corpus add url:` and `quotebot corpus add URL` may fetch from although they resolve to a private, loopback or other "
        "non-public address (an intranet wiki), e.g. wiki.internal,10.0.0.5; every other host must be public",
    )
    log_level: str = Field(
        default="INFO",
        description="DEBUG, INFO, WARNING, ERROR or CRITICAL; question text and user ids are logged at DEBUG only",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="'json' logs one JSON object a line, for log collectors"
    )
    stop_timeout_seconds: float = Field(
        default=8.0,
        ge=2.0,
        le=600.0,
        description="how long a stop (SIGTERM, Ctrl-C) may take to finish or decline the questions in flight",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="port of a Prometheus endpoint (`/metrics`) showing questions, answer times, failed replies, "
        "embedding backlog, corpora loaded and event-loop lag; unset: no endpoint",
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        description="address the metrics endpoint listens on: this machine only by default; `0.0.0.0` for "
        "every interface (then keep the port behind a firewall)",
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

    @field_validator(
        "allowed_channel_ids", "auto_answer_channel_ids", "owner_ids", "shard_ids", "fetch_allow_hosts", mode="before"
    )
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        """Accept ``1,2 3`` as well as a JSON list: people write ids both ways in ``.env`` files."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part for part in text.replace(",", " ").split() if part]

    @field_validator("shard_ids")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("names a shard twice")
        return sorted(value)

    @model_validator(mode="after")
    def _shards_fit(self) -> Self:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("QUOTEBOT_SHARD_IDS needs QUOTEBOT_SHARD_COUNT (the number of shards in all)")
        if self.shard_count is not None and any(not 0 <= shard < self.shard_count for shard in self.shard_ids):
            raise ValueError(f"QUOTEBOT_SHARD_IDS must be between 0 and {self.shard_count - 1}")
        return self

    def folders_overlap(self) -> bool:
        """Whether one corpus folder lies inside the other: the shared corpus would then load every server's
        documents, or a server's folder the shared ones. Only commands that serve servers care."""
        shared, servers = self.corpus.resolve(), self.server_corpora.resolve()
        return shared.is_relative_to(servers) or servers.is_relative_to(shared)

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


FOLDERS_OVERLAP = "quotebot: QUOTEBOT_CORPUS and QUOTEBOT_SERVER_CORPORA must be separate folders, neither inside the other"


class ConfigurationError(Exception):
    """Settings that cannot be used; ``str()`` is the lines to print, one per unusable setting."""


def load_settings(args: argparse.Namespace) -> Settings:
    """The one configuration of every subcommand: the environment and ``./.env``, with the command's options
    (``--corpus``, ``--shard-count`` …) winning over both.

    Each unusable setting is one line naming its variable (never its value, which may be the token). A command
    that serves servers (``args.serves_servers``, the default) also needs the two corpus folders apart.
    """
    options = {name: getattr(args, name, None) for name in COMMAND_LINE_SETTINGS}
    overrides = {name: value for name, value in options.items() if value is not None}
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        lines = [_error_line(e["loc"], e["msg"]) for e in error.errors()]
        raise ConfigurationError("\n".join(lines)) from None
    except SettingsError as error:  # a value pydantic-settings could not even parse
        raise ConfigurationError(f"quotebot: {error}") from None
    if getattr(args, "serves_servers", True) and settings.folders_overlap():
        raise ConfigurationError(FOLDERS_OVERLAP)
    return settings


def _error_line(location: tuple[int | str, ...], message: str) -> str:
    """``quotebot: VARIABLE: reason``; a rule spanning several settings names them in its own words."""
    if not location:
        return f"quotebot: {message.removeprefix('Value error, ')}"
    return f"quotebot: {variable_name(location)}: {message}"


def variable_name(location: tuple[int | str, ...]) -> str:
    """The environment variable behind a settings error's location: ``QUOTEBOT_TOP_K``, ``DISCORD_TOKEN``."""
    name = str(location[0]) if location else "?"
    return f"{ENV_PREFIX}{name.upper()}" if name in Settings.model_fields else name
