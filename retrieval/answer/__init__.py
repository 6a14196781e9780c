"""A question to ranked passages, a quote and an outcome (answered or declined)."""
