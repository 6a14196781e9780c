"""Text to documents to passages: reading, splitting and writing the corpus; uses nothing of the other stages."""
