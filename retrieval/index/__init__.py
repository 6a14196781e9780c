"""Passages to searchable structures: terms, the BM25 postings, the saved index and the semantic model."""
