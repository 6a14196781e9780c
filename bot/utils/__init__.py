"""Helpers shared by the extensions: permission checks and view plumbing."""
