"""What users are told for each kind of error: short, honest, never a traceback."""

from __future__ import annotations

import re

from discord import app_commands

from quotebot.bot.delivery import DeliveryFailed
from quotebot.bot.shutdown import RESTARTING, ShuttingDown
from quotebot.bot.utils import checks
from quotebot.bot.utils.reporting import DISCORD_TROUBLE, UNEXPECTED, user_message
from quotebot.retrieval.ingest.loader import CorpusError


def test_cooldown_says_when_to_try_again_as_a_discord_timestamp():
    error = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 12.5)
    assert re.fullmatch(r"You're asking faster than I answer\. Please try again <t:\d+:R>\.", user_message(error))


def test_refusals_show_their_own_reason():
    assert user_message(checks.NotModerator()) == str(checks.NotModerator())
    assert user_message(checks.Refused("There is no document `x.md`.")) == "There is no document `x.md`."


def test_other_check_failures_get_a_generic_refusal():
    assert user_message(app_commands.CheckFailure()) == "You can't use that here."
    assert user_message(app_commands.NoPrivateMessage()) == "That command only works in a server."


def test_corpus_errors_are_explained():
    assert user_message(CorpusError("the corpus has not been loaded yet")) == (
        "The corpus is not available right now: the corpus has not been loaded yet."
    )


def test_bugs_get_an_apology_without_details():
    message = user_message(KeyError("secret internal detail"))
    assert message == UNEXPECTED and "secret" not in message


def test_discord_failures_and_restarts_are_explained_without_blame():
    assert user_message(DeliveryFailed("GET attachment", None, "503 Service Unavailable")) == DISCORD_TROUBLE
    assert user_message(ShuttingDown()) == RESTARTING
