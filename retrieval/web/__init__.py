"""Fetching documents from the web for a corpus, safely: a moderator's link must never reach the bot's own network."""
