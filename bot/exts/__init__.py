"""Extensions loaded by ``QuoteBot.setup_hook``: one feature (cog) per module."""
